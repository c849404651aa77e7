/**
 * The embedded broker's logins and per-user ACLs, with real MQTT clients over loopback against
 * the gateway's MQTT service (aedes, the device subscriber, the republisher):
 *
 * - anonymous clients, unknown users and wrong passwords are refused (CONNACK), counted, logged;
 * - a meter's login publishes its own device topic only: another meter's topic is dropped
 *   (no point value, no subscriber sees it), counted, logged, and the client disconnected;
 * - the viewer publishes nothing at all; nobody but the gateway publishes under plantwatch/#
 *   (nor $SYS), whatever a user's publish filters say;
 * - a subscription outside a user's filters gets QoS 128, counted, logged; a user without a
 *   `subscribe` list subscribes to nothing;
 * - a will message outside the ACL is dropped; a live client's id cannot be taken over by
 *   another login, and the gateway's own client id is reserved.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MqttService, startMqtt } from '../../src/acquisition/mqtt/index.js';
import { capturingLogger, type LogLine } from '../auth/harness.js';
import { plantConfig } from '../helpers/plant-config.js';
import { recordingBus } from '../helpers/recorder.js';
import { sleep, until } from '../helpers/wait.js';

const waterMeter = {
  id: 'water-meter',
  name: 'Water meter',
  equipment: 'water-meter',
  protocol: 'mqtt',
  points: [
    { name: 'volume_m3', json: 'total_m3', counter: true, unit: 'm³' },
    { name: 'flow_m3h', json: 'flow_m3h', unit: 'm³/h' },
  ],
};

const USERS = [
  // One login per meter, each publishing its own device topic only.
  { username: 'wm-admin', password: 'admin-meter-pw', publish: ['meters/water/admin'] },
  { username: 'wm-surgical', password: 'surgical-meter-pw', publish: ['meters/water/surgical'] },
  // Read-only: the republished points.
  { username: 'viewer', password: 'viewer-pw', subscribe: ['plantwatch/#'] },
  // Reads the raw meter topics (an auditor), publishes nothing.
  { username: 'auditor', password: 'auditor-pw', subscribe: ['meters/#'] },
  // A careless bridge allowed "#": still kept out of plantwatch/ and $SYS.
  { username: 'bridge', password: 'bridge-pw', publish: ['#'], subscribe: ['#'] },
];

const config = plantConfig({
  gateway: { mqtt: { broker: { mode: 'embedded', host: '127.0.0.1', port: 0, users: USERS } } },
  profiles: [waterMeter],
  devices: [
    {
      id: 'wm-admin',
      name: 'Admin water meter',
      profile: 'water-meter',
      mqtt: { topic: 'meters/water/admin' },
    },
    {
      id: 'wm-surgical',
      name: 'Surgical water meter',
      profile: 'water-meter',
      mqtt: { topic: 'meters/water/surgical' },
    },
  ],
});

const password = (username: string) => USERS.find((u) => u.username === username)?.password ?? '';
const reading = (flow: number) => JSON.stringify({ total_m3: 1000, flow_m3h: flow });

let svc: MqttService;
let lines: LogLine[];
let latest: Map<string, { value: unknown }>;
const clients: MqttClient[] = [];

beforeEach(async () => {
  const captured = capturingLogger();
  lines = captured.lines;
  const recorded = recordingBus();
  latest = recorded.latest as Map<string, { value: unknown }>;
  svc = await startMqtt({ config, bus: recorded.bus, log: captured.log });
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true);
  await svc.stop();
});

async function connect(username: string | undefined, options: IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(svc.brokerUrl, {
    reconnectPeriod: 0,
    ...(username === undefined ? {} : { username, password: password(username) }),
    ...options,
  });
  c.on('error', () => {});
  clients.push(c);
  return c;
}

/** The QoS the broker granted one filter (128: refused), read from the SUBACK itself. */
async function granted(c: MqttClient, filter: string): Promise<number> {
  try {
    const grants = await c.subscribeAsync(filter, { qos: 1 });
    return grants[0]?.qos ?? -1;
  } catch (err) {
    const suback = (err as { packet?: { cmd?: string; granted?: number[] } }).packet;
    if (suback?.cmd !== 'suback' || suback.granted?.length !== 1) throw err;
    return suback.granted[0] as number;
  }
}

/** Everything a client receives, by topic. */
function inbox(c: MqttClient): Map<string, string> {
  const seen = new Map<string, string>();
  c.on('message', (topic, payload) => seen.set(topic, payload.toString()));
  return seen;
}

const logged = (msg: string) => lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith(msg));

describe('logins', () => {
  it('refuses anonymous clients, unknown users and wrong passwords; counted and logged', async () => {
    const attempts: IClientOptions[] = [
      {},
      { username: 'viewer' },
      { username: 'viewer', password: 'wrong' },
      { username: 'viewer', password: 'viewer-pw ' },
      { username: 'nobody', password: 'viewer-pw' },
      { username: 'VIEWER', password: 'viewer-pw' },
    ];
    for (const options of attempts)
      await expect(
        mqtt.connectAsync(svc.brokerUrl, { reconnectPeriod: 0, ...options }),
        JSON.stringify(options),
      ).rejects.toThrow(/Bad username or password|Not authorized/i);
    expect(svc.stats().deniedLogins).toBe(attempts.length);
    expect(logged('MQTT login refused')).toHaveLength(attempts.length);
    // Never the password tried.
    expect(JSON.stringify(lines)).not.toContain('viewer-pw');
    await connect('viewer');
  });
});

describe('publish ACLs', () => {
  it("lets a meter publish its own device topic only; another meter's topic is dropped, counted and logged", async () => {
    const auditor = await connect('auditor');
    const raw = inbox(auditor);
    expect(await granted(auditor, 'meters/#')).toBe(1);

    const admin = await connect('wm-admin');
    await admin.publishAsync('meters/water/admin', reading(3), { qos: 1 });
    await until('own reading', () => latest.get('wm-admin.flow_m3h'));
    expect(latest.get('wm-admin.flow_m3h')?.value).toBe(3);

    // Spoofing the surgical meter: dropped, and the connection closed.
    const closed = new Promise<void>((resolve) => admin.once('close', () => resolve()));
    admin.publish('meters/water/surgical', reading(99), { qos: 0 });
    await closed;
    await sleep(200);
    expect(latest.get('wm-surgical.flow_m3h')).toBeUndefined();
    expect([...raw.keys()]).toEqual(['meters/water/admin']);
    expect(svc.stats().deniedPublishes).toBe(1);
    expect(logged('MQTT publish refused')).toEqual([
      expect.objectContaining({ username: 'wm-admin', topic: 'meters/water/surgical' }),
    ]);

    // The surgical meter itself may.
    const surgical = await connect('wm-surgical');
    await surgical.publishAsync('meters/water/surgical', reading(4), { qos: 1 });
    await until('surgical reading', () => latest.get('wm-surgical.flow_m3h'));
  });

  it('lets the viewer publish nothing at all, at any QoS, retained or not', async () => {
    const auditor = await connect('auditor');
    const raw = inbox(auditor);
    await granted(auditor, 'meters/#');
    const topics = ['meters/water/admin', 'plantwatch/main/wm-admin/flow_m3h', 'anything', '$SYS/x'];
    for (const [i, topic] of topics.entries()) {
      const viewer = await connect('viewer');
      const closed = new Promise<void>((resolve) => viewer.once('close', () => resolve()));
      viewer.publish(topic, reading(50), { qos: (i % 2) as 0 | 1, retain: i === 0 });
      await closed;
    }
    await sleep(200);
    expect(raw.size).toBe(0);
    expect(latest.size).toBe(0);
    expect(svc.stats().deniedPublishes).toBe(topics.length);
    // Nothing retained either: a later subscriber gets nothing.
    const later = await connect('auditor');
    const retained = inbox(later);
    await granted(later, 'meters/#');
    await sleep(200);
    expect(retained.size).toBe(0);
  });

  it('lets nobody but the gateway publish under plantwatch/#, whatever the filters say', async () => {
    // The bridge's "#" was flagged at start.
    expect(logged('MQTT user may not publish under plantwatch/')).toEqual([
      expect.objectContaining({ username: 'bridge', filters: ['#'] }),
    ]);
    const meter = await connect('wm-admin');
    await meter.publishAsync('meters/water/admin', reading(3), { qos: 1 });
    await until('republished', () => svc.stats().republished >= 2);

    const bridge = await connect('bridge');
    const closed = new Promise<void>((resolve) => bridge.once('close', () => resolve()));
    bridge.publish('plantwatch/main/wm-admin/flow_m3h', JSON.stringify({ value: 0, quality: 'good' }), {
      qos: 1,
      retain: true,
    });
    await closed;
    expect(svc.stats().deniedPublishes).toBe(1);

    // A viewer still reads the gateway's value, not the forged one.
    const viewer = await connect('viewer');
    const seen = inbox(viewer);
    expect(await granted(viewer, 'plantwatch/#')).toBe(1);
    const flow = await until('retained flow', () => seen.get('plantwatch/main/wm-admin/flow_m3h'));
    expect(JSON.parse(flow)).toMatchObject({ value: 3 });

    // The bridge may publish elsewhere (its filter is "#"): the ACL is not simply "deny all".
    const bridge2 = await connect('bridge');
    await bridge2.publishAsync('meters/water/admin', reading(5), { qos: 1 });
    await until('bridge reading', () => latest.get('wm-admin.flow_m3h')?.value === 5);
  });

  it('drops a will message outside the ACL', async () => {
    const auditor = await connect('auditor');
    const raw = inbox(auditor);
    await granted(auditor, 'meters/#');
    const viewer = await connect('viewer', {
      will: { topic: 'meters/water/admin', payload: Buffer.from(reading(77)), qos: 0, retain: false },
    });
    // An unclean end: the broker would send the will.
    (viewer as unknown as { stream: { destroy(): void } }).stream.destroy();
    await sleep(300);
    expect(raw.size).toBe(0);
    expect(latest.size).toBe(0);
    expect(svc.stats().deniedPublishes).toBe(1);
  });
});

describe('subscribe ACLs', () => {
  it('grants QoS 128 to a filter outside the user’s subscribe list; counted and logged', async () => {
    const viewer = await connect('viewer');
    expect(await granted(viewer, 'plantwatch/#')).toBe(1);
    expect(await granted(viewer, 'plantwatch/main/+/flow_m3h')).toBe(1);
    expect(await granted(viewer, 'meters/#')).toBe(128);
    expect(await granted(viewer, '#')).toBe(128);
    expect(await granted(viewer, '+/main/#')).toBe(128);
    expect(await granted(viewer, '$SYS/#')).toBe(128);
    // A meter has no subscribe list: it subscribes to nothing, not even its own topic.
    const meter = await connect('wm-admin');
    expect(await granted(meter, 'meters/water/admin')).toBe(128);
    expect(await granted(meter, 'plantwatch/#')).toBe(128);
    expect(svc.stats().deniedSubscribes).toBe(6);
    expect(logged('MQTT subscription refused')).toContainEqual(
      expect.objectContaining({ username: 'viewer', topic: 'meters/#' }),
    );
    // The connection stays up after a refused subscription.
    expect(viewer.connected).toBe(true);
  });
});

describe('client ids', () => {
  it("refuses another login taking over a live client's id, and the gateway's own id", async () => {
    const meter = await connect('wm-admin', { clientId: 'meter-admin-1' });
    await expect(
      mqtt.connectAsync(svc.brokerUrl, {
        reconnectPeriod: 0,
        clientId: 'meter-admin-1',
        username: 'viewer',
        password: 'viewer-pw',
      }),
    ).rejects.toThrow(/Identifier rejected/i);
    await sleep(100);
    expect(meter.connected).toBe(true);
    await meter.publishAsync('meters/water/admin', reading(6), { qos: 1 });
    await until('meter still delivers', () => latest.get('wm-admin.flow_m3h')?.value === 6);

    // The same login reconnecting (a half-open socket) replaces its old session as usual.
    const again = await connect('wm-admin', { clientId: 'meter-admin-1' });
    expect(again.connected).toBe(true);

    await expect(
      mqtt.connectAsync(svc.brokerUrl, {
        reconnectPeriod: 0,
        clientId: `plantwatch-gateway-${process.pid}`,
        username: 'bridge',
        password: 'bridge-pw',
      }),
    ).rejects.toThrow(/Identifier rejected/i);
    await sleep(100);
    expect(svc.stats().connected).toBe(true);
    expect(logged('MQTT login refused: client id')).toHaveLength(2);
  });
});

/**
 * The MQTT service with real brokers: the embedded aedes broker (logins, ACLs, retained
 * republish, garbage, stale devices) and an outside Mosquitto that restarts.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type MqttService, startMqtt } from '../../../src/acquisition/mqtt/index.js';
import { type Logger, silentLogger } from '../../../src/log/index.js';
import { capturingLogger } from '../../auth/harness.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { plantConfig } from '../../helpers/plant-config.js';
import { recordingBus } from '../../helpers/recorder.js';
import { sleep, until } from '../../helpers/wait.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const waterMeter = {
  id: 'water-meter',
  name: 'Water meter',
  equipment: 'water-meter',
  protocol: 'mqtt',
  timestamp: 'ts',
  staleAfter: '400ms',
  points: [
    { name: 'volume_m3', json: 'total_m3', counter: true, unit: 'm³' },
    { name: 'flow_m3h', json: 'flow_m3h', unit: 'm³/h', range: [0, 200] },
  ],
};

/** A meter in litres and kPa, scaled to m³ and bar; slow to go stale, so it stays out of the way. */
const litresMeter = {
  id: 'water-meter-litres',
  name: 'Water meter (litres)',
  equipment: 'water-meter',
  protocol: 'mqtt',
  timestamp: 'ts',
  staleAfter: '1h',
  points: [
    { name: 'volume_m3', json: 'total_l', scale: 0.001, counter: true, unit: 'm³' },
    { name: 'pressure_bar', json: 'pressure_kpa', scale: 0.01, unit: 'bar' },
  ],
};

function config(broker: object) {
  return plantConfig({
    gateway: { mqtt: { broker } },
    profiles: [waterMeter, litresMeter],
    devices: [
      {
        id: 'wm-admin',
        name: 'Admin water meter',
        profile: 'water-meter',
        mqtt: { topic: 'meters/water/admin' },
      },
      {
        id: 'wm-ward',
        name: 'Ward water meter',
        profile: 'water-meter-litres',
        mqtt: { topic: 'meters/water/ward' },
      },
    ],
  });
}

const users = [
  { username: 'simulator', password: 's3cret', publish: ['meters/#'], subscribe: [] },
  { username: 'viewer', password: 'look', subscribe: ['plantwatch/#'] },
];

async function service(broker: object, log: Logger = silentLogger()) {
  const { bus, latest, history } = recordingBus();
  const svc: MqttService = await startMqtt({ config: config(broker), bus, log });
  cleanup.push(() => svc.stop());
  return { svc, bus, latest, history };
}

async function client(url: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...options });
  cleanup.push(() => c.endAsync(true));
  return c;
}

const reading = (flow: number) =>
  JSON.stringify({ total_m3: 1234.5, flow_m3h: flow, ts: new Date().toISOString() });

describe('embedded broker', () => {
  const embedded = { mode: 'embedded', host: '127.0.0.1', port: 0, users };

  it('maps a meter message to points and republishes them retained for viewers', async () => {
    const { svc, latest } = await service(embedded);
    const meter = await client(svc.brokerUrl, { username: 'simulator', password: 's3cret' });
    await meter.publishAsync('meters/water/admin', reading(3.25), { qos: 1 });
    await until('points', () => latest.get('wm-admin.flow_m3h'));
    expect(latest.get('wm-admin.flow_m3h')).toMatchObject({ value: 3.25, quality: 'good' });
    expect(latest.get('wm-admin.volume_m3')?.value).toBe(1234.5);

    // A viewer connecting later still gets the current value: it is retained.
    await until('republished', () => svc.stats().republished >= 2);
    const viewer = await client(svc.brokerUrl, { username: 'viewer', password: 'look' });
    const seen = new Map<string, Record<string, unknown>>();
    viewer.on('message', (topic, payload) => seen.set(topic, JSON.parse(payload.toString())));
    await viewer.subscribeAsync('plantwatch/#');
    const flow = await until('retained flow', () => seen.get('plantwatch/main/wm-admin/flow_m3h'));
    expect(flow).toMatchObject({ value: 3.25, unit: 'm³/h', quality: 'good' });
    expect(Date.parse(String(flow.ts))).toBeGreaterThan(Date.now() - 10_000);
  });

  it('refuses a wrong password and keeps users inside their topics', async () => {
    const { svc, latest } = await service(embedded);
    await expect(
      mqtt.connectAsync(svc.brokerUrl, { username: 'simulator', password: 'guess', reconnectPeriod: 0 }),
    ).rejects.toThrow(/Bad username or password|Not authorized/i);
    await expect(mqtt.connectAsync(svc.brokerUrl, { reconnectPeriod: 0 })).rejects.toThrow();

    // The viewer may not publish device data: the message never reaches the bus.
    const viewer = await client(svc.brokerUrl, { username: 'viewer', password: 'look' });
    viewer.on('error', () => {});
    viewer.publish('meters/water/admin', reading(9), { qos: 0 });
    // Nor subscribe to the meters' raw topics.
    const granted = await viewer.subscribeAsync('meters/#').catch(() => [{ qos: 128 }]);
    expect(granted[0]?.qos).toBe(128);
    await sleep(300);
    // No value from the refused message (the meter may have been marked stale meanwhile: no value).
    expect(latest.get('wm-admin.flow_m3h')?.value ?? null).toBeNull();
    expect(svc.stats().deniedLogins).toBe(2);
    expect(svc.stats().deniedPublishes).toBe(1);
  });

  it('counts malformed payloads, publishes nothing for them and keeps working', async () => {
    const { svc, latest, history } = await service(embedded);
    const meter = await client(svc.brokerUrl, { username: 'simulator', password: 's3cret' });
    // The long one stays under the broker's maxPacketSize (256 kB): a larger packet closes the
    // connection instead (test/security/mqtt-flood.test.ts).
    const garbage = ['{"total_m3": oops', '[1,2]', '{"flow_m3h":"fast"}', 'x'.repeat(200 * 1024), ''];
    for (const g of garbage) await meter.publishAsync('meters/water/admin', g, { qos: 1 });
    await until('counted', () => svc.stats().malformedPayloads === garbage.length);
    expect(history).toEqual([]);
    await meter.publishAsync('meters/water/admin', reading(2), { qos: 1 });
    await until('good value after garbage', () => latest.get('wm-admin.flow_m3h')?.value === 2);
    expect(svc.stats().messagesReceived).toBe(garbage.length + 1);
  });

  it('marks a silent meter stale once, keeping its last value, until it speaks again', async () => {
    const { svc, latest, history } = await service(embedded);
    const meter = await client(svc.brokerUrl, { username: 'simulator', password: 's3cret' });
    await meter.publishAsync('meters/water/admin', reading(4), { qos: 1 });
    await until('stale', () => latest.get('wm-admin.flow_m3h')?.quality === 'stale', 3000);
    expect(latest.get('wm-admin.flow_m3h')?.value).toBe(4);
    await sleep(600);
    expect(history.filter((v) => v.id === 'wm-admin.flow_m3h' && v.quality === 'stale')).toHaveLength(1);
    await meter.publishAsync('meters/water/admin', reading(5), { qos: 1 });
    await until('good again', () => latest.get('wm-admin.flow_m3h')?.quality === 'good');
  });
});

describe('readings a meter cannot have taken', () => {
  const embedded = { mode: 'embedded', host: '127.0.0.1', port: 0, users };
  const YEAR = 365 * 24 * 3600_000;

  async function meterOn(log?: Logger) {
    const { svc, latest, history } = await service(embedded, log);
    const meter = await client(svc.brokerUrl, { username: 'simulator', password: 's3cret' });
    const send = (topic: string, payload: object) =>
      meter.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
    return { svc, latest, history, send };
  }

  it('refuses a reading stamped in the future: bad-timestamp at its arrival time, counted, logged once per device', async () => {
    const { log, lines } = capturingLogger();
    const { svc, latest, send } = await meterOn(log);
    const sent = Date.now();
    await send('meters/water/admin', {
      total_m3: 1234.5,
      flow_m3h: 3,
      ts: new Date(sent + YEAR).toISOString(),
    });
    const flow = await until('the refused flow', () => latest.get('wm-admin.flow_m3h'));
    // Refused: no number to store or chart, and the point's age stays positive (its arrival time).
    expect(flow).toMatchObject({ value: null, quality: 'bad-timestamp' });
    expect(flow.ts).toBeGreaterThanOrEqual(sent);
    expect(flow.ts).toBeLessThanOrEqual(Date.now());
    expect(latest.get('wm-admin.volume_m3')?.quality).toBe('bad-timestamp');

    await send('meters/water/admin', { total_m3: 1234.6, flow_m3h: 4, ts: (sent + YEAR) / 1000 });
    await send('meters/water/ward', {
      total_l: 5,
      pressure_kpa: 300,
      ts: new Date(sent + YEAR).toISOString(),
    });
    await until('three refused', () => svc.stats().futureTimestamps === 3);
    expect(svc.stats().malformedPayloads).toBe(0);
    const refusals = lines.filter((l) => /ahead of the gateway/.test(String(l.msg)));
    // One line per device in the interval, however many readings it sends.
    expect(refusals.map((l) => l.device)).toEqual(['wm-admin', 'wm-ward']);
    expect(refusals[0]).toMatchObject({ level: 40, topic: 'meters/water/admin', maxClockSkewMs: 300_000 });
    expect(refusals[0]?.payload).toContain('"flow_m3h":3');

    // Within the allowed skew (5 min by default) a meter's own time is kept.
    const slightlyAhead = Date.now() + 30_000;
    await send('meters/water/admin', { total_m3: 1234.7, flow_m3h: 5, ts: slightlyAhead });
    await until('good again', () => latest.get('wm-admin.flow_m3h')?.quality === 'good');
    expect(latest.get('wm-admin.flow_m3h')).toMatchObject({ value: 5, ts: slightlyAhead });
  });

  it('marks a negative cumulative volume out-of-range, not good', async () => {
    const { latest, send } = await meterOn();
    await send('meters/water/admin', { total_m3: -12.5, flow_m3h: 2, ts: new Date().toISOString() });
    await until('values', () => latest.get('wm-admin.volume_m3'));
    expect(latest.get('wm-admin.volume_m3')).toMatchObject({ value: -12.5, quality: 'out-of-range' });
    expect(latest.get('wm-admin.flow_m3h')?.quality).toBe('good');
  });

  it('takes a reading without a timestamp at its arrival time, as good, not malformed', async () => {
    const { svc, latest, send } = await meterOn();
    const sent = Date.now();
    await send('meters/water/admin', { total_m3: 1234.5, flow_m3h: 1.5 });
    const flow = await until('the flow', () => latest.get('wm-admin.flow_m3h'));
    expect(flow).toMatchObject({ value: 1.5, quality: 'good' });
    expect(flow.ts).toBeGreaterThanOrEqual(sent);
    expect(flow.ts).toBeLessThanOrEqual(Date.now());
    expect(svc.stats().malformedPayloads).toBe(0);
  });

  it('scales readings to the decimals the meter sent, on the bus and republished', async () => {
    const { svc, latest, send } = await meterOn();
    await send('meters/water/ward', { total_l: 1001, pressure_kpa: 4998, ts: new Date().toISOString() });
    await until('scaled values', () => latest.get('wm-ward.pressure_bar'));
    // 1001 × 0.001 and 4998 × 0.01 in plain doubles are 1.0010000000000001 and 49.980000000000004.
    expect(latest.get('wm-ward.volume_m3')?.value).toBe(1.001);
    expect(latest.get('wm-ward.pressure_bar')?.value).toBe(49.98);
    const viewer = await client(svc.brokerUrl, { username: 'viewer', password: 'look' });
    const seen = new Map<string, string>();
    viewer.on('message', (topic, payload) => seen.set(topic, payload.toString()));
    await viewer.subscribeAsync('plantwatch/main/wm-ward/#');
    const pressure = await until('republished pressure', () =>
      seen.get('plantwatch/main/wm-ward/pressure_bar'),
    );
    expect(pressure).toContain('"value":49.98,');
  });
});

describe('external Mosquitto broker', () => {
  it('reads meters through Mosquitto and recovers after Mosquitto restarts', async () => {
    const mosquitto = await startMosquitto();
    cleanup.push(() => mosquitto.stop());
    const { svc, latest } = await service({ mode: 'external', url: mosquitto.url });
    expect(svc.embedded).toBe(false);
    await until('gateway connected', () => svc.stats().connected);
    const meter = await client(mosquitto.url);
    await meter.publishAsync('meters/water/admin', reading(1.5), { qos: 1 });
    await until('first value', () => latest.get('wm-admin.flow_m3h')?.value === 1.5);

    const watcher = await client(mosquitto.url);
    const seen = new Map<string, unknown>();
    watcher.on('message', (topic, payload) => seen.set(topic, JSON.parse(payload.toString())));
    await watcher.subscribeAsync('plantwatch/#');
    await until('republished via Mosquitto', () => seen.get('plantwatch/main/wm-admin/flow_m3h'));

    await mosquitto.restart();
    await until('gateway reconnected', () => svc.stats().connected && svc.stats().reconnects > 0, 10_000);
    const meter2 = await client(mosquitto.url);
    await meter2.publishAsync('meters/water/admin', reading(7.5), { qos: 1 });
    await until('value after restart', () => latest.get('wm-admin.flow_m3h')?.value === 7.5, 5000);
  }, 25_000);
});

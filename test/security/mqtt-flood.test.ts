/**
 * The embedded broker against clients that would make the gateway hold memory, on a real
 * gateway (`plantwatch start`, the demo configuration) in a child process whose memory the test
 * reads after a full GC (test/helpers/gateway-memory-probe.ts), so vitest's own does not blur it:
 *
 * - raw sockets declaring 100 MB CONNECTs and streaming them are closed before they log in; the
 *   gateway's RSS stays near its baseline while real MQTT clients log in, publish and receive;
 * - a logged-in client's PUBLISH over maxPacketSize closes its connection;
 * - connections over maxConnectionsPerAddress and maxConnections are refused, and taken again
 *   once others close;
 * - a client that does not finish its CONNECT within connectTimeout is closed.
 *
 * Each refusal is logged with the peer's address and counted (GET /api/mqtt and /metrics).
 */

import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Child, forkChild } from '../../bench/large-plant/children.js';
import { simulatorMqttLogin } from '../../simulators/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import type { LogLine } from '../auth/harness.js';
import { type DemoConfig, demoConfigCopy, editYaml } from '../helpers/demo-config.js';
import { until } from '../helpers/wait.js';

const MB = 1024 * 1024;
/** Limits small enough to reach with a handful of clients. */
const PER_ADDRESS = 6;
const TOTAL = 12;
const CONNECT_TIMEOUT_MS = 2000;

interface Running {
  demo: DemoConfig;
  config: PlantConfig;
  child: Child;
  lines: LogLine[];
  web: string;
  host: string;
  port: number;
}
let gw: Running;
const cleanup: (() => unknown)[] = [];

/** `plantwatch start` with the memory probe, its JSON log lines gathered as they come. */
async function startGateway(): Promise<Running> {
  const demo = await demoConfigCopy();
  await editYaml(join(demo.dir, 'plantwatch.yaml'), (doc) => {
    doc.setIn(['mqtt', 'broker', 'maxConnectionsPerAddress'], PER_ADDRESS);
    doc.setIn(['mqtt', 'broker', 'maxConnections'], TOTAL);
    doc.setIn(['mqtt', 'broker', 'connectTimeout'], `${CONNECT_TIMEOUT_MS}ms`);
  })();

  const child = forkChild('gateway', 'test/helpers/gateway-memory-probe.ts', ['start', '-c', demo.dir], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, PLANTWATCH_LOG_FORMAT: 'json', PLANTWATCH_LOG_LEVEL: 'info' },
  });
  const lines: LogLine[] = [];
  let rest = '';
  child.process.stdout?.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString();
    const complete = text.split('\n');
    rest = complete.pop() ?? '';
    for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line) as LogLine);
  });
  try {
    const running = await until(
      'the gateway running',
      () => lines.find((l) => l.msg.startsWith('Plantwatch gateway running')),
      20_000,
    );
    const { hostname, port } = new URL(String(running.mqtt));
    return {
      demo,
      config: loadConfig(demo.dir),
      child,
      lines,
      web: String(running.web),
      host: hostname,
      port: Number(port),
    };
  } catch (err) {
    await child.stop(5000);
    demo.cleanup();
    throw new Error(`${(err as Error).message}\n${child.stderr().join('\n')}`);
  }
}

beforeAll(async () => {
  gw = await startGateway();
}, 30_000);
afterAll(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
  await gw?.child.stop(10_000);
  gw?.demo.cleanup();
});

const rss = async () => (await gw.child.ask<{ rss: number }>('memory', { type: 'memory' }, 10_000)).rss;
const mqttStats = async () => (await fetch(`${gw.web}/api/mqtt`)).json() as Promise<Record<string, number>>;
/** The gateway's first log line starting with `msg` about `peer` (its stdout may lag a little). */
const logged = (msg: string, peer: string, more: (line: LogLine) => boolean = () => true) =>
  until(`"${msg}" logged for ${peer}`, () =>
    gw.lines.find((l) => l.msg.startsWith(msg) && l.peer === peer && more(l)),
  );

function viewerLogin() {
  const broker = gw.config.gateway.mqtt?.broker;
  const viewer = broker?.mode === 'embedded' ? broker.users.find((u) => u.username === 'viewer') : undefined;
  return { username: viewer?.username, password: viewer?.password };
}

/**
 * A real MQTT client (optionally from another loopback address): 'connected' once the broker
 * took its login, 'closed' when the broker closed it first.
 */
async function client(
  login: { username?: string; password?: string },
  localAddress = '127.0.0.1',
): Promise<{ mqtt: MqttClient; outcome: 'connected' | 'closed' }> {
  const mqtt = new MqttClient(() => createConnection({ host: gw.host, port: gw.port, localAddress }), {
    ...login,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  mqtt.on('error', () => {});
  cleanup.push(() => mqtt.endAsync(true));
  const outcome = await new Promise<'connected' | 'closed'>((resolve) => {
    mqtt.once('connect', () => resolve('connected'));
    mqtt.once('close', () => resolve('closed'));
  });
  return { mqtt, outcome };
}

async function connected(login: { username?: string; password?: string }): Promise<MqttClient> {
  const { mqtt, outcome } = await client(login);
  if (outcome !== 'connected') throw new Error(`MQTT login as ${login.username} closed by the broker`);
  return mqtt;
}

/** Flows the viewer has received for the admin water meter, as republished by the gateway. */
function watchFlows(viewer: MqttClient): number[] {
  const flows: number[] = [];
  viewer.on('message', (_topic, payload) =>
    flows.push((JSON.parse(payload.toString()) as { value: number }).value),
  );
  return flows;
}

/** A reading from the simulator's login reaches the viewer as the republished point. */
async function readingArrives(sim: MqttClient, flows: number[], flow: number): Promise<void> {
  await sim.publishAsync(
    'meters/water/admin',
    JSON.stringify({ total_m3: 1000 + flow, flow_m3h: flow, ts: new Date().toISOString() }),
    { qos: 1 },
  );
  await until(`reading ${flow} republished`, () => flows.includes(flow), 5000);
}

/** The MQTT variable-length integer (remaining length), 1 to 4 bytes. */
function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  let rest = n;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

/**
 * A raw socket sending a packet header (`type`, declared `declared` bytes) then up to `send`
 * bytes of it, 1 MB at a time as the socket takes them; resolves once sent, closed or 8 s passed.
 */
function streamPacket(
  type: number,
  declared: number,
  send: number,
  localAddress = '127.0.0.1',
): Promise<{ sent: number; socket: Socket }> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: gw.host, port: gw.port, localAddress });
    socket.on('error', () => {});
    cleanup.push(() => socket.destroy());
    let sent = 0;
    const deadline = setTimeout(() => finish(), 8000);
    const finish = () => {
      clearTimeout(deadline);
      resolve({ sent, socket });
    };
    const chunk = Buffer.alloc(MB, 0x41);
    const pump = () => {
      while (sent < send && !socket.destroyed) {
        sent += chunk.length;
        if (!socket.write(chunk)) return;
      }
      finish();
    };
    socket.on('drain', pump);
    socket.on('close', finish);
    socket.once('connect', () => {
      socket.write(Buffer.concat([Buffer.from([type]), remainingLength(declared)]));
      pump();
    });
  });
}

const closedWithin = (socket: Socket, ms: number) =>
  until('the broker to close the socket', () => socket.destroyed || socket.readableEnded, ms);

describe('the embedded broker bounds what a client can make it hold', () => {
  it('closes 100 MB CONNECTs before login; memory stays flat and real clients are served meanwhile', async () => {
    const sim = await connected(simulatorMqttLogin(gw.config, `mqtt://${gw.host}:${gw.port}`));
    const viewer = await connected(viewerLogin());
    await viewer.subscribeAsync('plantwatch/main/wm-admin/flow_m3h');
    const flows = watchFlows(viewer);
    await readingArrives(sim, flows, 1.5);
    const baseline = await rss();

    // Four clients each declare a 100 MB CONNECT and stream 25 MB of it, from four addresses:
    // from one, on a slow machine all four are accepted before the first is closed, and the
    // fourth would meet maxConnectionsPerAddress instead.
    const floods = Array.from({ length: 4 }, (_, i) =>
      streamPacket(0x10, 100_000_000, 25 * MB, `127.0.0.${11 + i}`),
    );
    await readingArrives(sim, flows, 2.5);
    const results = await Promise.all(floods);
    await readingArrives(sim, flows, 3.5);
    const after = await rss();

    expect((after - baseline) / MB, `RSS ${baseline / MB} MB before, ${after / MB} MB after`).toBeLessThan(
      10,
    );
    for (const { socket } of results) await closedWithin(socket, 2000);
    expect(await logged('MQTT connection closed: packet over the size allowed', '127.0.0.11')).toMatchObject({
      loggedIn: false,
      declaredBytes: 100_000_005,
    });
    expect((await mqttStats()).oversizePackets).toBe(4);
  });

  it("closes a logged-in client's PUBLISH over maxPacketSize, naming its address and login", async () => {
    const before = await rss();
    const sim = await connected(simulatorMqttLogin(gw.config, `mqtt://${gw.host}:${gw.port}`));
    let closed = false;
    sim.once('close', () => {
      closed = true;
    });
    sim.publish('meters/water/big', Buffer.alloc(16 * MB, 0x41));
    await until('the broker to close the connection', () => closed, 5000);
    const line = await logged('MQTT connection closed: packet over', '127.0.0.1', (l) => l.loggedIn === true);
    expect(line).toMatchObject({ username: 'simulator', limit: 262_144 });
    expect((await mqttStats()).oversizePackets).toBe(5);
    expect(((await rss()) - before) / MB).toBeLessThan(10);
  });

  it('refuses connections over the per-address and total limits, and takes them again once closed', async () => {
    // Open now: the gateway's own two clients (its own and the group view's) and the two of the first test.
    const open = (await mqttStats()).openConnections ?? 3;
    const opened: Awaited<ReturnType<typeof client>>[] = [];
    const outcomes = async (addresses: string[]) => {
      const from = [];
      for (const address of addresses) from.push(await client(viewerLogin(), address));
      opened.push(...from);
      return from.map((c) => c.outcome);
    };
    try {
      const fromTwo = await outcomes(Array(PER_ADDRESS + 2).fill('127.0.0.2'));
      expect(fromTwo).toEqual([...Array(PER_ADDRESS).fill('connected'), 'closed', 'closed']);
      expect(await logged('MQTT connection refused: too many from this address', '127.0.0.2')).toMatchObject({
        limit: PER_ADDRESS,
      });

      // Other addresses fill the rest of maxConnections; the next is refused.
      const room = TOTAL - open - PER_ADDRESS;
      const others = await outcomes(Array.from({ length: room + 1 }, (_, i) => `127.0.0.${3 + i}`));
      expect(others).toEqual([...Array(room).fill('connected'), 'closed']);
      const peer = `127.0.0.${3 + room}`;
      expect(await logged('MQTT connection refused: the broker is at maxConnections', peer)).toMatchObject({
        limit: TOTAL,
      });
      expect((await mqttStats()).refusedConnections).toBe(3);
    } finally {
      for (const c of opened) await c.mqtt.endAsync(true);
    }
    await until('connections released', async () => (await mqttStats()).openConnections === open);
    expect((await client(viewerLogin(), '127.0.0.2')).outcome).toBe('connected');
  });

  it('closes a client that does not finish its CONNECT within connectTimeout', async () => {
    const silent = createConnection({ host: gw.host, port: gw.port });
    silent.on('error', () => {});
    cleanup.push(() => silent.destroy());
    // A slow one: a 64-byte CONNECT of which it sends 10 bytes.
    const { socket: slow } = await streamPacket(0x10, 64, 0);
    slow.write(Buffer.alloc(10));
    const started = Date.now();
    await closedWithin(silent, CONNECT_TIMEOUT_MS + 3000);
    await closedWithin(slow, 1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 500);
    expect(await logged('MQTT connection closed: no login within connectTimeout', '127.0.0.1')).toMatchObject(
      {
        limit: CONNECT_TIMEOUT_MS,
      },
    );
    expect((await mqttStats()).connectTimeouts).toBe(2);
    const metrics = await (await fetch(`${gw.web}/metrics`)).text();
    expect(metrics).toMatch(/plantwatch_mqtt_broker_refusals_total\{reason="connect-timeout"\} 2/);
    expect(metrics).toMatch(/plantwatch_mqtt_broker_refusals_total\{reason="packet-too-large"\} 5/);
  });
});

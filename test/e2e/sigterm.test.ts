/**
 * SIGTERM under load, as systemd stops the service: the demo gateway in its own process
 * (`plantwatch start`), reading the simulated plant over Modbus and taking water-meter
 * readings published fast into its embedded broker (several hundred a second), is sent
 * SIGTERM while they flow, and again 20 ms later. It must exit 0 within a bounded time; every value it republished
 * on MQTT (before the signal or while stopping) must be in its SQLite store; its spool must
 * hold nothing half-written and both SQLite files must have been closed (no WAL left); and
 * a new gateway must start at once on the same ports and files.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { PointValue } from '../../src/points/index.js';
import { type DemoConfig, demoConfigCopy, editYaml } from '../helpers/demo-config.js';
import { freePorts } from '../helpers/modbus-tcp-device.js';
import {
  type GatewayChild,
  missingFromStore,
  startGatewayChild,
  storedSampleKeys,
} from '../helpers/reliability.js';
import { sleep, until } from '../helpers/wait.js';

/** Readings per meter per second published into the broker (six meters: ×6 messages, ×12 points). */
const READINGS_PER_METER_PER_S = 100;
/** How long an orderly stop may take under that load. */
const EXIT_WITHIN_MS = 10_000;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The demo copy on fixed free ports, so the second gateway takes exactly the first one's. */
async function demoOnFixedPorts(): Promise<{
  demo: DemoConfig;
  config: PlantConfig;
  web: string;
  mqttUrl: string;
}> {
  const demo = await demoConfigCopy();
  cleanups.push(() => demo.cleanup());
  const [webPort, mqttPort] = await freePorts(2);
  await editYaml(join(demo.dir, 'plantwatch.yaml'), (doc) => {
    doc.setIn(['web', 'port'], webPort);
    doc.setIn(['mqtt', 'broker', 'port'], mqttPort);
  })();
  return {
    demo,
    config: loadConfig(demo.dir),
    web: `http://127.0.0.1:${webPort}`,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
  };
}

function login(config: PlantConfig, username: string) {
  const broker = config.gateway.mqtt?.broker;
  const user = broker?.mode === 'embedded' ? broker.users.find((u) => u.username === username) : undefined;
  if (!user) throw new Error(`no MQTT user ${username} in the demo config`);
  return { username: user.username, password: user.password };
}

/** Every point value the gateway republishes, as a BMS subscribed to plantwatch/# sees it. */
function watchRepublished(url: string, config: PlantConfig): { values: PointValue[]; client: MqttClient } {
  const values: PointValue[] = [];
  const client = mqtt.connect(url, { ...login(config, 'viewer'), reconnectPeriod: 200 });
  client.on('error', () => {});
  client.on('connect', () => client.subscribe('plantwatch/#'));
  client.on('message', (topic, payload) => {
    const [, , device, point] = topic.split('/');
    // Alarm states and events, the campus's link and summary share the prefix; only point values go to the store.
    if (device === 'alarms' || device === 'alarm-events' || device === 'link' || device === 'summary') return;
    const { value, quality, ts } = JSON.parse(payload.toString()) as PointValue & { ts: string };
    values.push({ id: `${device}.${point}`, value, quality, ts: Date.parse(ts) });
  });
  return { values, client };
}

/** The demo's water meters, each publishing `perSecond` readings with their own increasing time. */
function floodMeters(url: string, config: PlantConfig, perSecond: number) {
  const topics = config.devices.flatMap((d) =>
    'mqtt' in d && d.profile === 'water-meter' ? [d.mqtt.topic] : [],
  );
  const client = mqtt.connect(url, { ...login(config, 'simulator'), reconnectPeriod: 0 });
  client.on('error', () => {});
  let sent = 0;
  let lastTs = 0;
  let total = 80_000;
  const tickMs = 10;
  const timer = setInterval(() => {
    if (!client.connected) return;
    for (let i = 0; i < (perSecond * tickMs) / 1000; i++) {
      // A distinct time for every reading: the store keys samples by point and time.
      lastTs = Math.max(Date.now(), lastTs + 1);
      total += 0.01;
      for (const topic of topics) {
        client.publish(topic, JSON.stringify({ total_m3: total, flow_m3h: 3.2, ts: lastTs }), { qos: 0 });
        sent++;
      }
    }
  }, tickMs);
  return {
    sent: () => sent,
    async stop() {
      clearInterval(timer);
      await client.endAsync(true);
    },
  };
}

async function health(web: string): Promise<{ status: string } | undefined> {
  try {
    return (await (await fetch(`${web}/api/health`)).json()) as { status: string };
  } catch {
    return undefined;
  }
}

async function exitedWithin(gateway: GatewayChild, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const result = await Promise.race([gateway.exited, timeout]);
  clearTimeout(timer);
  return result;
}

it('stops on SIGTERM under load: exit 0, every republished value stored, files closed, ports free', async () => {
  const { demo, config, web, mqttUrl } = await demoOnFixedPorts();
  const simulator: PlantSimulator = await startPlantSimulator(config, { log: silentLogger() });
  cleanups.push(() => simulator.stop());
  const first = startGatewayChild(demo.dir);
  cleanups.push(() => first.kill());
  await until('the gateway answers', async () => (await health(web)) !== undefined, 30_000, 200);

  const republished = watchRepublished(mqttUrl, config);
  cleanups.push(() => republished.client.endAsync(true));
  const meters = floodMeters(mqttUrl, config, READINGS_PER_METER_PER_S);
  cleanups.push(() => meters.stop());
  await until('values flowing', () => republished.values.length > 3000, 20_000, 100);
  await sleep(2000);

  // Twice, as it often comes (npm forwards the signal its process group also got; systemd
  // signals the whole control group): the second lands while the first flushes.
  const signalledAt = Date.now();
  first.process.kill('SIGTERM');
  await sleep(20);
  first.process.kill('SIGTERM');
  const exit = await exitedWithin(first, EXIT_WITHIN_MS);
  const stoppedIn = Date.now() - signalledAt;
  await meters.stop();
  await republished.client.endAsync(true);
  expect(exit, `gateway did not exit within ${EXIT_WITHIN_MS} ms:\n${first.output()}`).toEqual({
    code: 0,
    signal: null,
  });

  // It was under load until the signal: readings republished within the last second before it.
  const values = republished.values;
  const lastSecond = values.filter(
    (v) => v.id.startsWith('wm-') && v.ts > signalledAt - 1000 && v.ts <= signalledAt,
  );
  expect(lastSecond.length, `${meters.sent()} readings sent`).toBeGreaterThan(100);

  // Both SQLite files were closed (a clean close removes the WAL; looked at before this test
  // opens them), and the spool holds only whole batches, here none at all: the store was up.
  const data = join(demo.dir, 'data');
  expect(existsSync(join(data, 'plantwatch.db-wal'))).toBe(false);
  expect(existsSync(join(data, 'spool.db-wal'))).toBe(false);
  const spool = new Database(join(data, 'spool.db'), { readonly: true });
  try {
    expect(spool.pragma('integrity_check', { simple: true })).toBe('ok');
    const batches = spool.prepare('SELECT batch, count FROM spool').all() as {
      batch: string;
      count: number;
    }[];
    for (const b of batches) expect((JSON.parse(b.batch) as unknown[]).length).toBe(b.count);
    expect(batches).toEqual([]);
  } finally {
    spool.close();
  }

  // Every value it republished, before the signal or while stopping, is in the store.
  const stored = storedSampleKeys(join(data, 'plantwatch.db'));
  const missing = missingFromStore(values, stored);
  expect(missing.count, `${missing.count} of ${values.length} missing: ${missing.first.join(', ')}`).toBe(0);

  // Ports and files free at once: a new gateway starts on the same ones and stops cleanly.
  const second = startGatewayChild(demo.dir);
  cleanups.push(() => second.kill());
  await until('the second gateway answers', async () => (await health(web)) !== undefined, 30_000, 200);
  const viewer = await mqtt.connectAsync(mqttUrl, { ...login(config, 'viewer'), reconnectPeriod: 0 });
  await viewer.endAsync(true);
  second.process.kill('SIGTERM');
  expect(await exitedWithin(second, EXIT_WITHIN_MS), second.output()).toEqual({ code: 0, signal: null });
  expect(second.output()).not.toMatch(/in use/);
  console.info(
    `SIGTERM under load: ${meters.sent()} readings sent, ${values.length} values republished, stopped in ${stoppedIn} ms`,
  );
}, 90_000);

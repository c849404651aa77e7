/**
 * No data lost, end to end: the demo plant read by a real gateway process into a real
 * influxd; influxd stops mid-stream, the gateway is killed with SIGKILL during the outage
 * and restarted, influxd comes back. Every value the gateway published is then in
 * InfluxDB exactly once, with its original time — except those still in the killed
 * process's memory (the last batch delay before SIGKILL), which no disk ever saw.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';
import { startInfluxd } from '../helpers/influxd.js';
import { freePort } from '../helpers/modbus-tcp-device.js';
import { sleep, until } from '../helpers/wait.js';

const BATCH_DELAY_MS = 200;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function startGatewayProcess(dir: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'start', '-c', dir], {
    env: { ...process.env, PLANTWATCH_LOG_FORMAT: 'json' },
    stdio: 'ignore',
  });
  cleanups.push(() => child.kill('SIGKILL'));
  return child;
}

async function storageStats(webUrl: string) {
  try {
    const res = await fetch(`${webUrl}/api/storage`);
    return (await res.json()) as {
      storeUp: boolean;
      replayed: number;
      spool: { points: number };
      buffered: number;
    };
  } catch {
    return undefined;
  }
}

it('keeps every published value through an InfluxDB outage and a SIGKILL of the gateway', async () => {
  const influxd = await startInfluxd();
  cleanups.push(() => influxd.stop());
  const demo: DemoConfig = await demoConfigCopy();
  cleanups.push(() => demo.cleanup());
  const [webPort, mqttPort] = [await freePort(), await freePort()];
  const file = join(demo.dir, 'plantwatch.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.setIn(['web', 'port'], webPort);
  doc.setIn(['mqtt', 'broker', 'port'], mqttPort);
  doc.setIn(['storage', 'backend'], 'influxdb');
  doc.setIn(
    ['storage', 'influxdb'],
    doc.createNode({ host: '127.0.0.1', port: influxd.port, database: 'plant' }),
  );
  doc.setIn(['storage', 'batch'], doc.createNode({ maxPoints: 5000, maxDelay: `${BATCH_DELAY_MS}ms` }));
  writeFileSync(file, doc.toString());
  const config = loadConfig(demo.dir);
  const simulator: PlantSimulator = await startPlantSimulator(config, { log: silentLogger() });
  cleanups.push(() => simulator.stop());

  // Everything the gateway publishes, as any MQTT client sees it.
  const published = new Set<string>();
  const viewer = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, {
    username: 'viewer',
    password: 'viewer-demo',
    reconnectPeriod: 200,
  });
  cleanups.push(() => viewer.endAsync(true));
  viewer.on('error', () => {});
  viewer.on('connect', () => viewer.subscribe('plantwatch/#'));
  viewer.on('message', (topic, payload) => {
    const [, , device, point] = topic.split('/');
    // Alarm states and events, the campus's link and summary share the prefix; only point values go to the store.
    if (device === 'alarms' || device === 'alarm-events' || device === 'link' || device === 'summary') return;
    const { ts } = JSON.parse(payload.toString()) as { ts: string };
    published.add(`${device}.${point}@${Date.parse(ts)}`);
  });

  const web = `http://127.0.0.1:${webPort}`;
  const first = startGatewayProcess(demo.dir);
  await until(
    'values stored',
    async () => ((await storageStats(web))?.spool.points ?? -1) === 0 && published.size > 300,
    30_000,
    200,
  );
  await influxd.kill();
  await until('spooling', async () => ((await storageStats(web))?.spool.points ?? 0) > 0, 15_000, 200);
  await sleep(3000);
  const killedAt = Date.now();
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));

  const second = startGatewayProcess(demo.dir);
  await until('restarted', async () => (await storageStats(web)) !== undefined, 30_000, 200);
  await sleep(3000);
  await influxd.start();
  await until(
    'replayed',
    async () => {
      const s = await storageStats(web);
      return s?.storeUp && s.spool.points === 0 && s.replayed > 0;
    },
    30_000,
    200,
  );
  await sleep(1000);
  const exited = new Promise((resolve) => second.once('exit', resolve));
  second.kill('SIGTERM');
  await exited;

  const res = await fetch(
    `${influxd.url}/query?db=plant&epoch=ms&q=${encodeURIComponent('SELECT "quality" FROM "raw"./.*/ GROUP BY "device", "point"')}`,
  );
  const body = (await res.json()) as {
    results: { series?: { tags: { device: string; point: string }; values: [number, string][] }[] }[];
  };
  const stored = new Map<string, number>();
  for (const series of body.results[0]?.series ?? []) {
    for (const [time] of series.values) {
      const key = `${series.tags.device}.${series.tags.point}@${time}`;
      stored.set(key, (stored.get(key) ?? 0) + 1);
    }
  }
  // The values only the killed process's memory held: its last batch delay, with margin.
  const inMemoryAtKill = (key: string) => {
    const ts = Number(key.split('@')[1]);
    return ts > killedAt - BATCH_DELAY_MS - 1500 && ts <= killedAt;
  };
  const missing = [...published].filter((key) => !stored.has(key) && !inMemoryAtKill(key));
  expect(published.size).toBeGreaterThan(1000);
  expect(missing, `missing from InfluxDB: ${missing.slice(0, 10).join(', ')}`).toEqual([]);
  expect([...stored.values()].every((n) => n === 1)).toBe(true);
}, 150_000);

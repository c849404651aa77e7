/**
 * Soak (issue 8, "Reliability"): the gateway as `plantwatch start` runs it, alone in its own
 * process (compiled JavaScript on plain node, as in production), for SOAK_MINUTES at a high
 * rate: the demo plant (Modbus TCP, RTU over TCP, RTU on a socat pty, its MQTT meters) served
 * by the simulator in this process, plus SOAK_METERS more MQTT water meters publishing every
 * second through a few bridges, into SQLite, with the demo's alarm rules (a comm-loss alarm
 * for every meter too) and the web server answering a dashboard's poll every 5 s.
 * After a warm-up: the gateway's RSS and heap used after a full GC at the start, each minute
 * and at the end, points stored per second, CPU, whether memory stayed flat, and how long the
 * orderly stop (SIGTERM) takes with the load still on.
 *
 *   npx tsx bench/soak.bench.ts     alone
 *   SOAK_MINUTES=10                 the soak's length after the warm-up (default 10)
 *   SOAK_WARMUP_S=30                warm-up before the start figures (default 30)
 *   SOAK_METERS=500                 MQTT meters added to the demo plant (default 500)
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { stringify } from 'yaml';
import { type PlantSimulator, simulatorMqttLogin, startPlantSimulator } from '../simulators/index.js';
import { loadConfig, type PlantConfig } from '../src/config/index.js';
import { silentLogger } from '../src/log/index.js';
import { type DemoConfig, demoConfigCopy, editYaml } from '../test/helpers/demo-config.js';
import { freePorts } from '../test/helpers/modbus-tcp-device.js';
import type { Figure } from './figure.js';
import { type Child, forkChild } from './large-plant/children.js';
import { compileChild } from './large-plant/compile.js';

const here = dirname(fileURLToPath(import.meta.url));
const SOAK_MS = Number(process.env.SOAK_MINUTES ?? 10) * 60_000;
const WARMUP_MS = Number(process.env.SOAK_WARMUP_S ?? 30) * 1000;
const METERS = Number(process.env.SOAK_METERS ?? 500);
const METERS_PER_BRIDGE = 50;
const DASHBOARD_POLL_MS = 5000;
const MB = 1024 * 1024;
/** Flat: the end within this share or this many MB of the start, whichever is larger. */
const FLAT = { share: 0.1, rssMb: 20, heapMb: 5 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

interface Memory {
  type: 'memory';
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  cpuMicros: number;
}

interface Sample {
  at: number;
  memory: Memory;
  /** Points written to the store so far. */
  written: number;
}

/** The demo copy on known ports, with METERS water meters more (topics meters/soak/<n>). */
async function soakConfig(): Promise<{
  demo: DemoConfig;
  config: PlantConfig;
  web: string;
  brokerUrl: string;
}> {
  const demo = await demoConfigCopy();
  const [webPort, mqttPort] = await freePorts(2);
  await editYaml(join(demo.dir, 'plantwatch.yaml'), (doc) => {
    doc.setIn(['web', 'port'], webPort);
    doc.setIn(['mqtt', 'broker', 'port'], mqttPort);
    doc.setIn(['log', 'level'], 'warn');
  })();
  const devices = Array.from({ length: METERS }, (_, i) => ({
    id: `wm-soak-${i}`,
    name: `Soak water meter ${i}`,
    profile: 'water-meter',
    site: 'main',
    building: 'inpatient',
    room: 'water-inpatient',
    mqtt: { topic: `meters/soak/${i}` },
  }));
  writeFileSync(join(demo.dir, 'devices', 'soak.yaml'), stringify({ devices }));
  return {
    demo,
    config: loadConfig(demo.dir),
    web: `http://127.0.0.1:${webPort}`,
    brokerUrl: `mqtt://127.0.0.1:${mqttPort}`,
  };
}

/** The added meters, each publishing a reading every second, through bridges of 50 meters. */
function startMeters(config: PlantConfig, brokerUrl: string): { stop(): Promise<void> } {
  const login = simulatorMqttLogin(config, brokerUrl);
  const bridges: MqttClient[] = [];
  const timers: NodeJS.Timeout[] = [];
  for (let first = 0; first < METERS; first += METERS_PER_BRIDGE) {
    const client = mqtt.connect(login.url, { username: login.username, password: login.password });
    client.on('error', () => {});
    bridges.push(client);
    const meters = Array.from({ length: Math.min(METERS_PER_BRIDGE, METERS - first) }, (_, i) => first + i);
    let total = 1000;
    // Spread over the second, as real meters are, rather than all at the top of it.
    meters.forEach((meter, i) => {
      const start = setTimeout(
        () => {
          const publish = () => {
            total += 0.01;
            const flow = 2 + Math.sin(Date.now() / 60_000 + meter);
            client.publish(`meters/soak/${meter}`, JSON.stringify({ total_m3: total, flow_m3h: flow }));
          };
          timers.push(setInterval(publish, 1000));
        },
        (1000 * i) / meters.length,
      );
      timers.push(start);
    });
  }
  return {
    async stop() {
      for (const t of timers) clearTimeout(t);
      await Promise.all(bridges.map((b) => b.endAsync(true)));
    },
  };
}

/** A dashboard left open: the points and the alarm list every few seconds. */
function startDashboard(web: string): { stop(): void } {
  const timer = setInterval(() => {
    for (const path of ['/api/points', '/api/alarms'])
      fetch(`${web}${path}`)
        .then((res) => res.arrayBuffer())
        .catch(() => {});
  }, DASHBOARD_POLL_MS);
  return { stop: () => clearInterval(timer) };
}

async function written(web: string): Promise<number> {
  const res = await fetch(`${web}/api/storage`);
  return ((await res.json()) as { written: number }).written;
}

async function sample(gateway: Child, web: string): Promise<Sample> {
  const memory = await gateway.ask<Memory>('memory', { type: 'memory' });
  return { at: Date.now(), memory, written: await written(web) };
}

function describe(label: string, s: Sample, previous?: Sample): string {
  const rate = previous
    ? ` ${round((s.written - previous.written) / ((s.at - previous.at) / 1000))} points/s stored,`
    : '';
  return `soak ${label}: RSS ${round(s.memory.rss / MB, 1)} MB, heap used after GC ${round(s.memory.heapUsed / MB, 1)} MB,${rate} ${s.written} points stored so far`;
}

function figures(samples: Sample[]): Figure[] {
  const start = samples[0] as Sample;
  const end = samples.at(-1) as Sample;
  const seconds = (end.at - start.at) / 1000;
  const rssGrowthMb = (end.memory.rss - start.memory.rss) / MB;
  const heapGrowthMb = (end.memory.heapUsed - start.memory.heapUsed) / MB;
  const flat =
    rssGrowthMb <= Math.max(FLAT.rssMb, (FLAT.share * start.memory.rss) / MB) &&
    heapGrowthMb <= Math.max(FLAT.heapMb, (FLAT.share * start.memory.heapUsed) / MB);
  const what = `${round(seconds / 60, 1)} min, demo plant + ${METERS} MQTT meters at 1 s`;
  return [
    {
      name: `soak points stored (${what})`,
      value: round((end.written - start.written) / seconds),
      unit: 'points/s',
    },
    {
      name: 'soak gateway CPU',
      value: round((end.memory.cpuMicros - start.memory.cpuMicros) / 1e6 / seconds, 3),
      unit: 'cores',
    },
    { name: 'soak RSS at start (after warm-up)', value: round(start.memory.rss / MB, 1), unit: 'MB' },
    { name: 'soak RSS at end', value: round(end.memory.rss / MB, 1), unit: 'MB' },
    { name: 'soak RSS growth', value: round(rssGrowthMb, 1), unit: 'MB' },
    { name: 'soak heap used after GC at start', value: round(start.memory.heapUsed / MB, 1), unit: 'MB' },
    { name: 'soak heap used after GC at end', value: round(end.memory.heapUsed / MB, 1), unit: 'MB' },
    { name: 'soak heap growth', value: round(heapGrowthMb, 2), unit: 'MB' },
    {
      name: `soak memory flat (RSS within ${FLAT.share * 100} % or ${FLAT.rssMb} MB, heap ${FLAT.heapMb} MB)`,
      value: flat ? 1 : 0,
      unit: flat ? 'yes' : 'NO',
    },
  ];
}

export async function run(): Promise<Figure[]> {
  const { demo, config, web, brokerUrl } = await soakConfig();
  let simulator: PlantSimulator | undefined;
  let gateway: Child | undefined;
  let meters: { stop(): Promise<void> } | undefined;
  let dashboard: { stop(): void } | undefined;
  try {
    simulator = await startPlantSimulator(config, { log: silentLogger() });
    const entry = compileChild(join(here, '../test/helpers/gateway-memory-probe.ts'));
    gateway = forkChild('gateway', entry, ['start', '-c', demo.dir], { execArgv: ['--expose-gc'] });
    const child = gateway;
    for (let i = 0; i < 300 && !(await written(web).catch(() => undefined)); i++) await sleep(100);
    simulator.connectMeters(simulatorMqttLogin(config, brokerUrl));
    meters = startMeters(config, brokerUrl);
    dashboard = startDashboard(web);
    await sleep(WARMUP_MS);
    const first = await sample(child, web);
    const samples = [first];
    process.stderr.write(`${describe('start (after warm-up)', first)}\n`);
    // Every minute, and the end if the soak is not a whole number of minutes.
    const checkpoints = Array.from({ length: Math.floor(SOAK_MS / 60_000) }, (_, i) => (i + 1) * 60_000);
    if (SOAK_MS % 60_000 !== 0) checkpoints.push(SOAK_MS);
    for (const offset of checkpoints) {
      await sleep(first.at + offset - Date.now());
      samples.push(await sample(child, web));
      const label = offset % 60_000 === 0 ? `minute ${offset / 60_000}` : 'end';
      process.stderr.write(`${describe(label, samples.at(-1) as Sample, samples.at(-2))}\n`);
    }
    // The orderly stop (SIGTERM) with the load still flowing, as at the end of a real run.
    const stopping = Date.now();
    await child.stop(15_000);
    const stop = { ms: Date.now() - stopping, code: child.process.exitCode };
    return [
      ...figures(samples),
      { name: 'soak stop on SIGTERM under load', value: stop.ms, unit: `ms (exit code ${stop.code})` },
    ];
  } finally {
    dashboard?.stop();
    await meters?.stop();
    await gateway?.stop(15_000);
    await simulator?.stop();
    demo.cleanup();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const figure of await run()) {
    console.log(
      `${figure.name.padEnd(70)} ${figure.value.toLocaleString('en-US').padStart(12)} ${figure.unit}`,
    );
  }
}

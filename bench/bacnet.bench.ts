/**
 * BACnet/IP polling cost per point beside Modbus TCP's (issue 20): the gateway process's CPU
 * (user + system, the simulated devices in other processes) per thousand point readings, for
 *   bacnet-rpm  `DEVICES` BACnet devices × `OBJECTS` analog inputs, ReadPropertyMultiple
 *               (present-value, status-flags and reliability per object: one request a device)
 *   bacnet-rp   `RP_DEVICES` such devices refusing ReadPropertyMultiple: one ReadProperty per
 *               property, three per object (fewer devices: see plant.ts)
 *   modbus      `DEVICES` Modbus TCP devices × `OBJECTS` float32 (one 40-register block each,
 *               a connection per device, as a BACnet/IP device has its own address)
 * all polled every second, each measured in a fresh gateway child (bacnet/gateway.ts) over a
 * window after a warm-up, the three alternated over `ROUNDS` rounds; medians and ratios of
 * the medians. `npm run bench -- bacnet`, or `npx tsx bench/bacnet.bench.ts`.
 *   BENCH_QUICK=1   one round, short windows
 */
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freeUdpPort } from '../test/acquisition/bacnet/host-plant.js';
import { freePorts } from '../test/helpers/modbus-tcp-device.js';
import type { GatewayResult } from './bacnet/gateway.js';
import { DEVICES, type Mode, OBJECTS, POLL_MS, RP_DEVICES } from './bacnet/plant.js';
import type { Figure } from './figure.js';
import { type Child, forkChild } from './large-plant/children.js';
import { compileChild } from './large-plant/compile.js';

const here = dirname(fileURLToPath(import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
const WARMUP_MS = QUICK ? 4_000 : 6_000;
const WINDOW_MS = QUICK ? 8_000 : 20_000;
const ROUNDS = QUICK ? 1 : 3;
const MODES: Mode[] = ['bacnet-rpm', 'bacnet-rp', 'modbus'];
const MB = 1024 * 1024;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

interface Simulator {
  child: Child;
  /** The gateway child's arguments for this mode. */
  args: object;
  count(): Promise<{ requests: number; cpuMicros: number }>;
}

async function startSimulator(mode: Mode): Promise<Simulator> {
  const devices = mode === 'bacnet-rp' ? RP_DEVICES : DEVICES;
  const ports = mode === 'modbus' ? await freePorts(DEVICES) : undefined;
  const child = forkChild(
    `${mode} simulator`,
    join(here, 'bacnet/simulator.ts'),
    [JSON.stringify({ mode, devices, ports })],
    { execArgv: process.execArgv },
  );
  const ready = await child.ask<{ devices: { instance: number; port: number }[] }>('ready');
  const args =
    mode === 'modbus' ? { mode, ports } : { mode, gatewayPort: await freeUdpPort(), devices: ready.devices };
  return {
    child,
    args,
    count: () => child.ask<{ requests: number; cpuMicros: number }>('count', { type: 'count' }),
  };
}

interface Run {
  mode: Mode;
  gateway: GatewayResult;
  simulatorRequests: number;
  simulatorCpuMicros: number;
  load: number;
  warnings: string[];
}

async function measure(mode: Mode, simulator: Simulator, compiled: string): Promise<Run> {
  const gateway = forkChild(`${mode} gateway`, compiled, [JSON.stringify(simulator.args)], { execArgv: [] });
  try {
    await gateway.ask('ready', undefined, 30_000);
    await sleep(WARMUP_MS);
    const before = await simulator.count();
    gateway.send({ type: 'window-start' });
    await sleep(WINDOW_MS);
    const after = await simulator.count();
    const result = await gateway.ask<GatewayResult>('result', { type: 'window-end' });
    return {
      mode,
      gateway: result,
      simulatorRequests: after.requests - before.requests,
      simulatorCpuMicros: after.cpuMicros - before.cpuMicros,
      load: loadavg()[0] ?? 0,
      warnings: gateway.stderr(),
    };
  } finally {
    await gateway.stop(10_000);
  }
}

const seconds = (r: Run) => r.gateway.windowMs / 1000;
const cpuMs = (r: Run) => (r.gateway.cpuUserMicros + r.gateway.cpuSystemMicros) / 1000;
const cpuPerThousand = (r: Run) => (r.gateway.points ? cpuMs(r) / (r.gateway.points / 1000) : Number.NaN);
const pointsPerSecond = (r: Run) => r.gateway.points / seconds(r);
const requestsPerSecond = (r: Run) => r.gateway.requests / seconds(r);
const simRequestsPerSecond = (r: Run) => r.simulatorRequests / seconds(r);
const cores = (r: Run) => cpuMs(r) / 1000 / seconds(r);
const rssMb = (r: Run) => r.gateway.rssMaxBytes / MB;

const LABEL: Record<Mode, string> = {
  'bacnet-rpm': `BACnet RPM (${DEVICES} dev)`,
  'bacnet-rp': `BACnet RP (${RP_DEVICES} dev)`,
  modbus: `Modbus TCP (${DEVICES} dev)`,
};

export async function run(): Promise<Figure[]> {
  const compiled = compileChild(join(here, 'bacnet/gateway.ts'));
  const simulators = new Map<Mode, Simulator>();
  const loads = [loadavg()[0] ?? 0];
  try {
    for (const mode of MODES) simulators.set(mode, await startSimulator(mode));
    const runs: Run[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternated: each round starts with the next mode, so none always runs first or last.
      for (let i = 0; i < MODES.length; i++) {
        const mode = MODES[(r + i) % MODES.length] as Mode;
        const result = await measure(mode, simulators.get(mode) as Simulator, compiled);
        runs.push(result);
        loads.push(result.load);
        console.log(
          `  round ${r + 1} ${mode.padEnd(10)} ${round(cpuPerThousand(result), 1)} CPU-ms/1k points, ${round(pointsPerSecond(result))} points/s, ${round(requestsPerSecond(result))} req/s, ${round(rssMb(result))} MB, load ${round(result.load, 1)}`,
        );
        if (result.gateway.timeouts || result.gateway.notGood)
          console.log(`    timeouts ${result.gateway.timeouts}, not good ${result.gateway.notGood}`);
        if (result.warnings.length) console.log(`    stderr: ${result.warnings.slice(-3).join('\n    ')}`);
      }
    }
    const of = (mode: Mode) => runs.filter((r) => r.mode === mode);
    const med = (mode: Mode, f: (r: Run) => number) => median(of(mode).map(f));
    const rows: [string, (r: Run) => number, number, string][] = [
      ['gateway CPU-ms per 1,000 points', cpuPerThousand, 2, 'CPU-ms'],
      ['gateway CPU (cores)', cores, 3, 'cores'],
      ['points per second', pointsPerSecond, 0, 'points/s'],
      ['requests per second (gateway side)', requestsPerSecond, 0, 'req/s'],
      ['requests per second (devices side)', simRequestsPerSecond, 0, 'req/s'],
      ['gateway RSS, max', rssMb, 0, 'MB'],
      ['timeouts in window', (r) => r.gateway.timeouts, 0, ''],
      ['simulators CPU (cores)', (r) => r.simulatorCpuMicros / 1e6 / seconds(r), 3, 'cores'],
    ];
    const figures: Figure[] = [];
    console.log(
      `\nBACnet/IP beside Modbus TCP: ${OBJECTS} points a device every ${POLL_MS} ms, medians of ${ROUNDS} × ${WINDOW_MS / 1000} s windows`,
    );
    console.log(`${''.padEnd(38)}${MODES.map((m) => LABEL[m].padStart(22)).join('')}`);
    for (const [label, f, digits, unit] of rows) {
      const cells = MODES.map((m) => round(med(m, f), digits));
      console.log(`${label.padEnd(38)}${cells.map((c) => c.toLocaleString('en-US').padStart(22)).join('')}`);
      MODES.forEach((m, i) => {
        figures.push({ name: `${m}: ${label}, median`, value: cells[i] as number, unit });
      });
    }
    const rpm = med('bacnet-rpm', cpuPerThousand);
    const rp = med('bacnet-rp', cpuPerThousand);
    const modbus = med('modbus', cpuPerThousand);
    figures.push(
      { name: 'BACnet RPM ÷ Modbus: CPU per 1,000 points', value: round(rpm / modbus, 2), unit: '×' },
      { name: 'BACnet RP ÷ RPM: CPU per 1,000 points', value: round(rp / rpm, 2), unit: '×' },
      {
        name: 'machine load average, highest in the run',
        value: round(Math.max(...loads), 1),
        unit: `on ${cpus().length} cores`,
      },
    );
    console.log(`BACnet RPM ÷ Modbus, CPU per 1,000 points: ${round(rpm / modbus, 2)} ×`);
    console.log(`BACnet RP ÷ RPM, CPU per 1,000 points:     ${round(rp / rpm, 2)} ×`);
    console.log(
      `load average ${loads.map((l) => round(l, 1)).join(' → ')} on ${cpus().length} cores over the run\n`,
    );
    return figures;
  } finally {
    await Promise.all([...simulators.values()].map((s) => s.child.stop()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const figure of await run()) {
    console.log(
      `${figure.name.padEnd(50)} ${figure.value.toLocaleString('en-US').padStart(14)} ${figure.unit}`,
    );
  }
}

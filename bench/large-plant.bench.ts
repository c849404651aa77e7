/**
 * A large plant ("Prove it"): 1,000 Modbus TCP meters × 20 holding registers (50 simulated
 * gateways × 20 unit ids, served by simulator child processes), polled every second by
 * Plantwatch's Modbus acquisition alone in its own child process (compiled JavaScript on plain
 * node, a counting consumer on the PointBus). After a warm-up, a fixed window: the gateway
 * process's CPU, RSS, poll delay from the schedule, requests per cycle, missed cycles and
 * CPU-seconds per million registers read; requests are also counted at the simulators.
 * Then the peer (Node-RED + node-red-contrib-modbus, `large-plant/peer.ts`) on the same
 * simulated devices, measured the same way, and the ratios peer ÷ ours.
 *
 *   npx tsx bench/large-plant.bench.ts      alone (≈ 3 minutes; the first run installs the peer)
 *   BENCH_QUICK=1                           5 s warm-up, 15 s windows
 *   BENCH_PEER=0                            Plantwatch only
 *   BENCH_BARE=0                            without the bare-socket floor
 *   BENCH_ONE_AT_A_TIME=0                   Plantwatch pipelined only (not also one request at a time)
 *   BENCH_PEER_CLIENTS=device               the peer with a modbus-client per device (1,000 connections)
 *   BENCH_CPU_PROF=<dir>                    the gateway child runs with --cpu-prof into <dir>
 *   BENCH_HEAP_SAMPLE=<file>                the gateway child samples its allocations over the window
 *   BENCH_GATEWAY_NODE_FLAGS='…'            more node flags for the gateway child (e.g. --max-old-space-size=64)
 */
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePorts } from '../test/helpers/modbus-tcp-device.js';
import type { Figure } from './figure.js';
import type { BareResult } from './large-plant/bare.js';
import { type Child, forkChild } from './large-plant/children.js';
import { compileChild } from './large-plant/compile.js';
import type { GatewayResult } from './large-plant/gateway.js';
import { type PeerClients, type PeerResult, peerFigures } from './large-plant/peer.js';
import { DEVICES, GATEWAYS, POLL_MS, REGISTERS, UNITS } from './large-plant/plant.js';

const here = dirname(fileURLToPath(import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
export const WARMUP_MS = QUICK ? 5_000 : 10_000;
export const WINDOW_MS = QUICK ? 15_000 : 60_000;
/** The floor is for scale: a shorter window. */
const BARE_WINDOW_MS = QUICK ? 10_000 : 30_000;
const SIMULATORS = 2;
const MB = 1024 * 1024;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

// ------------------------------------------------------------------ simulators

export interface Simulators {
  /** Requests answered so far by all simulator children, and their CPU (µs). */
  count(): Promise<{ requests: number; cpuMicros: number }>;
  stop(): Promise<void>;
}

async function startSimulators(ports: number[]): Promise<Simulators> {
  const children: Child[] = [];
  try {
    for (let index = 0; index < SIMULATORS; index++) {
      const child = forkChild(
        `simulator ${index}`,
        join(here, 'large-plant/simulator.ts'),
        [JSON.stringify({ ports, index, shards: SIMULATORS })],
        { execArgv: process.execArgv },
      );
      children.push(child);
    }
    await Promise.all(children.map((c) => c.ask('ready')));
  } catch (err) {
    await Promise.all(children.map((c) => c.stop()));
    throw err;
  }
  return {
    async count() {
      const counts = await Promise.all(
        children.map((c) => c.ask<{ requests: number; cpuMicros: number }>('count', { type: 'count' })),
      );
      return {
        requests: counts.reduce((s, c) => s + c.requests, 0),
        cpuMicros: counts.reduce((s, c) => s + c.cpuMicros, 0),
      };
    },
    stop: async () => {
      await Promise.all(children.map((c) => c.stop()));
    },
  };
}

// ------------------------------------------------------------------ Plantwatch

export interface OursResult {
  gateway: GatewayResult;
  simulatorRequests: number;
  simulatorCpuMicros: number;
  warnings: string[];
}

async function measureOurs(
  ports: number[],
  simulators: Simulators,
  maxInFlight: number,
): Promise<OursResult> {
  const compiled = compileChild(join(here, 'large-plant/gateway.ts'));
  const profileDir = process.env.BENCH_CPU_PROF;
  const gateway = forkChild('gateway', compiled, [JSON.stringify({ ports, maxInFlight })], {
    execArgv: [
      '--expose-gc',
      ...(process.env.BENCH_GATEWAY_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
    ],
  });
  try {
    await gateway.ask('ready', undefined, 30_000);
    await sleep(WARMUP_MS);
    const before = await simulators.count();
    gateway.send({ type: 'window-start' });
    await sleep(WINDOW_MS);
    const after = await simulators.count();
    const result = await gateway.ask<GatewayResult>('result', { type: 'window-end' });
    return {
      gateway: result,
      simulatorRequests: after.requests - before.requests,
      simulatorCpuMicros: after.cpuMicros - before.cpuMicros,
      warnings: gateway.stderr(),
    };
  } finally {
    await gateway.stop(10_000);
  }
}

// ------------------------------------------------------------------ the floor

/** The bare client (large-plant/bare.ts): what the polling alone costs a Node.js process. */
async function measureBare(ports: number[], simulators: Simulators, windowMs: number): Promise<Side> {
  const compiled = compileChild(join(here, 'large-plant/bare.ts'));
  const bare = forkChild('bare client', compiled, [JSON.stringify({ ports })], { execArgv: [] });
  try {
    await bare.ask('ready', undefined, 30_000);
    await sleep(WARMUP_MS);
    const before = await simulators.count();
    bare.send({ type: 'window-start' });
    await sleep(windowMs);
    const after = await simulators.count();
    const result = await bare.ask<BareResult>('result', { type: 'window-end' });
    return {
      cpuSeconds: (result.cpuUserMicros + result.cpuSystemMicros) / 1e6,
      windowMs: result.windowMs,
      rssMaxBytes: result.rssMaxBytes,
      registers: result.registers,
      simulatorRequests: after.requests - before.requests,
    };
  } finally {
    await bare.stop();
  }
}

// ------------------------------------------------------------------ figures

/** The common figures of either side, from its window. */
interface Side {
  cpuSeconds: number;
  windowMs: number;
  rssMaxBytes: number;
  registers: number;
  simulatorRequests: number;
}

const cores = (s: Side) => s.cpuSeconds / (s.windowMs / 1000);
const cpuPerMillion = (s: Side) => (s.registers ? s.cpuSeconds / (s.registers / 1e6) : Number.NaN);
const requestsPerCycle = (s: Side) => s.simulatorRequests / (s.windowMs / POLL_MS);

function oursFigures(ours: OursResult, label: string): Figure[] {
  const g = ours.gateway;
  const side = oursSide(ours);
  const missed = g.slotsDue - g.slotsPolled;
  const figures: Figure[] = [
    {
      name: `ours: devices × registers, poll period`,
      value: DEVICES,
      unit: `× ${REGISTERS} reg, ${POLL_MS} ms`,
    },
    { name: 'ours: window', value: round(g.windowMs / 1000, 1), unit: 's' },
    { name: 'ours: gateway CPU (target ≤ 0.5 core)', value: round(cores(side), 3), unit: 'cores' },
    { name: 'ours: gateway CPU per minute', value: round(cores(side) * 60, 1), unit: 'core-s/min' },
    {
      name: 'ours: CPU-s main thread user / kernel / other threads',
      value: round(g.threads.mainUser, 1),
      unit: `/ ${round(g.threads.mainSystem, 1)} / ${round(g.threads.others, 1)} CPU-s`,
    },
    { name: 'ours: gateway RSS, max (target ≤ 150)', value: round(g.rssMaxBytes / MB), unit: 'MB' },
    {
      name: 'ours: gateway heap used / total, end',
      value: round(g.heapUsedEndBytes / MB),
      unit: `/ ${round(g.heapTotalEndBytes / MB)} MB`,
    },
    { name: 'ours: gateway external memory, end', value: round(g.externalEndBytes / MB), unit: 'MB' },
    {
      name: 'ours: gateway heap live (after a full GC), end',
      value: round(g.heapLiveEndBytes / MB),
      unit: 'MB',
    },
    { name: 'ours: gateway RSS after that GC', value: round(g.rssAfterGcBytes / MB), unit: 'MB' },
    { name: 'ours: poll delay from schedule, p50', value: round(g.delayMs.p50, 1), unit: 'ms' },
    { name: 'ours: poll delay from schedule, p99', value: round(g.delayMs.p99, 1), unit: 'ms' },
    { name: 'ours: poll delay from schedule, max', value: round(g.delayMs.max, 1), unit: 'ms' },
    { name: 'ours: polls due in window', value: g.slotsDue, unit: 'polls' },
    { name: 'ours: missed cycles (target 0)', value: missed, unit: 'polls' },
    { name: 'ours: overruns (tick while previous queued)', value: g.overruns, unit: 'ticks' },
    {
      name: 'ours: requests per cycle (simulator side)',
      value: round(requestsPerCycle(side), 1),
      unit: 'req',
    },
    {
      name: 'ours: requests per cycle (gateway side)',
      value: round(g.requests / (g.windowMs / POLL_MS), 1),
      unit: 'req',
    },
    {
      name: 'ours: timeouts + exceptions + errors',
      value: g.timeouts + g.exceptions + g.otherErrors,
      unit: '',
    },
    { name: 'ours: registers read in window', value: g.registers, unit: 'registers' },
    { name: 'ours: points on the bus in window', value: g.points, unit: 'points' },
    {
      name: 'ours: CPU per million registers (target ≤ 2)',
      value: round(cpuPerMillion(side), 2),
      unit: 'CPU-s',
    },
    {
      name: 'ours: event-loop delay p99 (beyond the 100 ms sampling timer)',
      value: round(g.eventLoopP99Ms, 1),
      unit: 'ms',
    },
    {
      name: 'simulators: CPU while serving ours',
      value: round(ours.simulatorCpuMicros / 1e6 / (g.windowMs / 1000), 3),
      unit: 'cores',
    },
  ];
  return figures.map((f) => ({ ...f, name: f.name.replace(/^ours:/, `${label}:`) }));
}

function oursSide(ours: OursResult): Side {
  const g = ours.gateway;
  return {
    cpuSeconds: (g.cpuUserMicros + g.cpuSystemMicros) / 1e6,
    windowMs: g.windowMs,
    rssMaxBytes: g.rssMaxBytes,
    registers: g.registers,
    simulatorRequests: ours.simulatorRequests,
  };
}

function comparison(ours: Side, peer: Side): Figure[] {
  return [
    {
      name: 'peer ÷ ours: CPU per million registers',
      value: round(cpuPerMillion(peer) / cpuPerMillion(ours), 1),
      unit: '×',
    },
    { name: 'peer ÷ ours: CPU (cores)', value: round(cores(peer) / cores(ours), 1), unit: '×' },
    { name: 'peer ÷ ours: RSS', value: round(peer.rssMaxBytes / ours.rssMaxBytes, 1), unit: '×' },
    {
      name: 'peer ÷ ours: requests per cycle',
      value: round(requestsPerCycle(peer) / requestsPerCycle(ours), 2),
      unit: '×',
    },
  ];
}

/** The side-by-side table: our modes, Node-RED, the peer's ratio to our last mode, the floor. */
function printTable(
  ours: [string, OursResult][],
  peer: PeerResult | undefined,
  bare: Side | undefined,
): void {
  const p = peer?.side;
  const last = oursSide((ours[ours.length - 1] as [string, OursResult])[1]);
  const rows: [string, (s: Side) => number, number][] = [
    ['CPU (cores)', cores, 3],
    ['CPU-s per minute', (s) => cores(s) * 60, 1],
    ['RSS max (MB)', (s) => s.rssMaxBytes / MB, 0],
    ['registers read / s', (s) => s.registers / (s.windowMs / 1000), 0],
    ['requests per cycle (simulator side)', requestsPerCycle, 1],
    ['CPU-s per million registers', cpuPerMillion, 2],
  ];
  const cell = (x: number | undefined, digits: number) =>
    (x === undefined || !Number.isFinite(x) ? '—' : round(x, digits).toLocaleString('en-US')).padStart(12);
  console.log(
    `\nlarge plant: ${DEVICES} devices (${GATEWAYS} gateways × ${DEVICES / GATEWAYS} units) × ${REGISTERS} registers every ${POLL_MS} ms, ${round(last.windowMs / 1000)} s windows`,
  );
  const headings = [...ours.map(([label]) => label), 'Node-RED', 'peer÷last', 'bare floor'];
  console.log(`${''.padEnd(38)}${headings.map((h) => h.padStart(12)).join('')}`);
  for (const [label, f, digits] of rows) {
    const peerValue = p && f(p);
    const cells = [
      ...ours.map(([, o]) => cell(f(oursSide(o)), digits)),
      cell(peerValue, digits),
      cell(peerValue === undefined ? undefined : peerValue / f(last), 2),
      cell(bare && f(bare), digits),
    ];
    console.log(`${label.padEnd(38)}${cells.join('')}`);
  }
  for (const [label, o] of ours) {
    const g = o.gateway;
    console.log(
      `${label}: poll delay p50/p99/max ${round(g.delayMs.p50, 1)}/${round(g.delayMs.p99, 1)}/${round(g.delayMs.max, 1)} ms, missed ${g.slotsDue - g.slotsPolled} of ${g.slotsDue} polls, overruns ${g.overruns}`,
    );
    if (o.warnings.length)
      console.log(`${label} stderr (last lines):\n  ${o.warnings.slice(-3).join('\n  ')}`);
  }
  if (peer?.note) console.log(`Node-RED: ${peer.note}`);
  console.log();
}

function bareFigures(bare: Side): Figure[] {
  return [
    { name: 'bare floor: CPU', value: round(cores(bare), 3), unit: 'cores' },
    { name: 'bare floor: RSS, max', value: round(bare.rssMaxBytes / MB), unit: 'MB' },
    {
      name: 'bare floor: requests per cycle (simulator side)',
      value: round(requestsPerCycle(bare), 1),
      unit: 'req',
    },
    { name: 'bare floor: CPU per million registers', value: round(cpuPerMillion(bare), 2), unit: 'CPU-s' },
  ];
}

export async function run(): Promise<Figure[]> {
  const ports = await freePorts(GATEWAYS);
  const simulators = await startSimulators(ports);
  try {
    const load = [loadavg()[0] ?? 0];
    // One request at a time per connection (the default, which every device accepts), then
    // pipelined (maxInFlight: the 20 units of a gateway asked together), as Node-RED's client
    // runs here with "parallel unit ids".
    const figures: Figure[] = [];
    const contenders: [string, OursResult][] = [];
    if (process.env.BENCH_ONE_AT_A_TIME !== '0') {
      const ours = await measureOurs(ports, simulators, 1);
      load.push(loadavg()[0] ?? 0);
      figures.push(...oursFigures(ours, 'ours'));
      contenders.push(['Plantwatch', ours]);
    }
    const pipelined = await measureOurs(ports, simulators, UNITS);
    load.push(loadavg()[0] ?? 0);
    figures.push(...oursFigures(pipelined, `ours, maxInFlight ${UNITS}`));
    contenders.push(['pipelined', pipelined]);
    let peer: PeerResult | undefined;
    if (process.env.BENCH_PEER !== '0') {
      const per: PeerClients = process.env.BENCH_PEER_CLIENTS === 'device' ? 'device' : 'gateway';
      peer = await peerFigures(ports, simulators, { warmupMs: WARMUP_MS, windowMs: WINDOW_MS }, per);
      load.push(loadavg()[0] ?? 0);
      figures.push(...peer.figures);
      if (peer.side) figures.push(...comparison(oursSide(pipelined), peer.side));
    }
    let bare: Side | undefined;
    if (process.env.BENCH_BARE !== '0') {
      bare = await measureBare(ports, simulators, BARE_WINDOW_MS);
      load.push(loadavg()[0] ?? 0);
      figures.push(...bareFigures(bare));
    }
    // Other work on the machine shows in the poll delays first: say how busy it was.
    const loads = load.map((l) => round(l, 1)).join(' → ');
    console.log(`\nlarge plant: load average ${loads} on ${cpus().length} cores over the run`);
    figures.push({
      name: 'machine load average, highest in the run',
      value: round(Math.max(...load), 1),
      unit: `on ${cpus().length} cores`,
    });
    printTable(contenders, peer, bare);
    return figures;
  } finally {
    await simulators.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const figure of await run()) {
    console.log(
      `${figure.name.padEnd(50)} ${figure.value.toLocaleString('en-US').padStart(14)} ${figure.unit}`,
    );
  }
}

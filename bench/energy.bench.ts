/**
 * The energy pages on a year of data, with costs on (issue 17). A year and a few days of the
 * demo plant's simulated history — 15-minute readings of every electricity and water meter's
 * counter and rate points (and reactive power, for kVA), as the demo's back-fill simulates them —
 * in a real SQLite store in a temp dir; then what the energy pages ask, each several times in
 * interleaved rounds (a burst of load elsewhere hits every query alike): consumption by
 * building per day for 30 days and per month for a year (the state before costs), the
 * metering tree, peak demand, cost per building per month for a year (electricity under the
 * demo's time-of-use tariffs with the demand charge, water at its price), intensity, leaks;
 * two of them also over real HTTP, for the server's share. Medians and maxima, the load
 * average beside them; the table is printed and kept, every run's time with it, in
 * bench/results/<start time>-energy.json.
 *
 * First the whole year is raw samples (no maintenance has run yet): the slowest path, and
 * what a store keeping raw samples for a year answers from. Then, unless
 * BENCH_ENERGY_ROLLUPS=0, the store's maintenance runs as a gateway's does (raw samples kept
 * 90 days, older ranges answered from the hourly and minute rollups) and the year's queries
 * are timed again (at most 3 rounds).
 *
 * BENCH_ENERGY_RUNS rounds (default 5); BENCH_ENERGY_HTTP=0 skips the HTTP requests;
 * BENCH_CPU_PROF=<dir> profiles the raw rounds (not the build) and prints the hottest functions.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DateTime } from 'luxon';
import { loadConfig, type PlantConfig } from '../src/config/index.js';
import { costReport } from '../src/energy/cost.js';
import { createEnergy, type EnergyService, monthOf } from '../src/energy/index.js';
import { silentLogger } from '../src/log/index.js';
import { PointBus } from '../src/points/index.js';
import { buildMonthlyReport, previousMonth } from '../src/reports/monthly.js';
import type { WebServer } from '../src/web/index.js';
import { DAY, MINUTE, simulatedStore } from '../test/energy/simulated-store.js';
import { startBareWebServer } from '../test/helpers/web.js';
import type { Figure } from './figure.js';
import { writeResults } from './results.js';

const RUNS = Math.max(1, Number(process.env.BENCH_ENERGY_RUNS ?? 5));
/** Fewer after maintenance: the run stays within about three minutes. */
const MAINTAINED_RUNS = Math.min(RUNS, 3);
const STEP_MS = 15 * MINUTE;

interface Query {
  id: string;
  name: string;
  /** Work done before each run, off the clock. */
  prepare?: () => Promise<void>;
  /** The work timed; an HTTP request answers its response's size in bytes. */
  run: () => Promise<unknown>;
}

interface Timing {
  id: string;
  name: string;
  /** Each run's time in the order run: the first is cold (JIT, SQLite's caches). */
  ms: number[];
  /**
   * The process's CPU time (user + system, every thread) in each run: what the query costs
   * whatever else the machine is doing; on an idle machine its wall time is about this.
   */
  cpuMs: number[];
  /** The 1-minute load average as each run started. */
  load: number[];
  median: number;
  max: number;
  medianCpu: number;
  bytes?: number;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The same report timed two ways, in the same rounds: medians. */
interface Pair {
  beforeMs: number;
  afterMs: number;
  ratio: number;
  extraMs: number;
}

function pair(timings: readonly Timing[], before: string, after: string): Pair | undefined {
  const b = timings.find((t) => t.id === before)?.median;
  const a = timings.find((t) => t.id === after)?.median;
  if (a === undefined || b === undefined || b <= 0) return undefined;
  return { beforeMs: b, afterMs: a, ratio: round(a / b, 2), extraMs: round(a - b) };
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Every query once per round, `rounds` times over. */
async function timeRounds(queries: readonly Query[], rounds: number): Promise<Timing[]> {
  const timings = queries.map(
    (q): Timing => ({ id: q.id, name: q.name, ms: [], cpuMs: [], load: [], median: 0, max: 0, medianCpu: 0 }),
  );
  for (let r = 0; r < rounds; r++)
    for (const [i, query] of queries.entries()) {
      const timing = timings[i] as Timing;
      await query.prepare?.();
      timing.load.push(round(loadavg()[0] ?? 0, 2));
      const started = performance.now();
      const cpu = process.cpuUsage();
      const answer = await query.run();
      timing.ms.push(performance.now() - started);
      const used = process.cpuUsage(cpu);
      timing.cpuMs.push((used.user + used.system) / 1000);
      if (typeof answer === 'number') timing.bytes = answer;
    }
  for (const t of timings) {
    t.median = round(medianOf(t.ms));
    t.max = round(Math.max(...t.ms));
    t.medianCpu = round(medianOf(t.cpuMs));
    t.ms = t.ms.map((ms) => round(ms));
    t.cpuMs = t.cpuMs.map((ms) => round(ms));
  }
  return timings;
}

/** 12 whole local months before this one; 30 local days up to now. */
function ranges(now: number, zone: string) {
  const local = DateTime.fromMillis(now, { zone });
  const month = local.startOf('month');
  return {
    year: { from: month.minus({ months: 12 }).toMillis(), to: month.toMillis() },
    days30: { from: local.startOf('day').minus({ days: 29 }).toMillis(), to: now },
  };
}

/** What the energy pages ask, as the API's handlers call the service. */
function pageQueries(energy: EnergyService, config: PlantConfig, now: number): Query[] {
  const { year, days30 } = ranges(now, energy.timezone);
  const monthly = { ...year, resolution: 'month' as const, groupBy: 'building' as const };
  const hourly = { ...year, resolution: 'hour' as const, groupBy: 'building' as const };
  // Pricing alone: cost's two reads (what energy.cost reads) made off the clock before each run.
  let sources: Parameters<typeof costReport>[1] | undefined;
  return [
    {
      id: 'consumption-30d',
      name: 'electricity by building per day, 30 days',
      run: () =>
        energy.consumption({ commodity: 'electricity', ...days30, resolution: 'day', groupBy: 'building' }),
    },
    {
      id: 'consumption-year',
      name: 'electricity by building per month, a year',
      run: () => energy.consumption({ commodity: 'electricity', ...monthly }),
    },
    {
      id: 'cost-year',
      name: 'cost: electricity by building per month, a year',
      run: () => energy.cost({ commodity: 'electricity', ...monthly }),
    },
    {
      id: 'hourly-year',
      name: '  its read: electricity by building per hour',
      run: () => energy.consumption({ commodity: 'electricity', ...hourly }),
    },
    {
      id: 'demand-year',
      name: '  its read: peak demand per month (the demand page)',
      run: () => energy.demand({ ...year, resolution: 'month' }),
    },
    {
      id: 'pricing-year',
      name: '  its pricing alone (costReport)',
      prepare: async () => {
        const [hours, demand] = await Promise.all([
          energy.consumption({ commodity: 'electricity', ...hourly }),
          energy.demand({ ...year, resolution: 'month' }),
        ]);
        sources = { hourly: hours, demand, settings: config.energy };
      },
      run: async () => {
        if (!sources) throw new Error('pricing: its reads were not made');
        return void costReport({ commodity: 'electricity', ...monthly }, sources);
      },
    },
    {
      id: 'water-year',
      name: 'water by building per month, a year',
      run: () => energy.consumption({ commodity: 'water', ...monthly }),
    },
    {
      id: 'water-cost-year',
      name: 'cost: water by building per month, a year',
      run: () => energy.cost({ commodity: 'water', ...monthly }),
    },
    {
      id: 'tree-year',
      name: 'metering tree (by meter) per month, a year',
      run: () => energy.tree({ commodity: 'electricity', ...year, resolution: 'month' }),
    },
    { id: 'intensity-year', name: 'intensity per building, a year', run: () => energy.intensity(year) },
    { id: 'leaks', name: 'night-flow leaks, 14 nights × 5 meters', run: () => energy.leaks(14) },
    { id: 'retrofits', name: 'retrofit savings', run: () => energy.retrofits() },
    {
      id: 'monthly-report',
      name: 'monthly report, HTML and its CSVs',
      run: () => buildMonthlyReport(energy, config, previousMonth(now, energy.timezone), now),
    },
  ];
}

/**
 * GET on a connection of its own, the JSON parsed; answers the body's size. A kept-alive
 * connection is not reused: the rounds hold the event loop for seconds at a time, and fetch
 * would send the next request on a socket the server had meanwhile closed (ECONNRESET).
 */
function getJson(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`GET ${url}: ${res.statusCode} ${text.slice(0, 200)}`));
        else {
          JSON.parse(text); // as the page does
          resolve(Buffer.byteLength(text));
        }
      });
    }).on('error', reject);
  });
}

/** The year's consumption and cost as the browser asks for them: GET, JSON, parsed. */
function httpQueries(web: WebServer, now: number, zone: string): Query[] {
  const { year } = ranges(now, zone);
  const months = `from=${monthOf(year.from, zone)}&to=${monthOf(year.to, zone)}&resolution=month&groupBy=building`;
  const ask = (path: string) => () => getJson(`${web.url}/api/energy/${path}&${months}`);
  return [
    {
      id: 'http-consumption-year',
      name: 'HTTP: electricity by building per month, a year',
      run: ask('consumption?commodity=electricity'),
    },
    { id: 'http-cost-year', name: 'HTTP: cost, electricity, a year', run: ask('cost?commodity=electricity') },
  ];
}

/** The year's queries again once the rollups are made and raw samples past 90 days dropped. */
const AFTER_MAINTENANCE = [
  'consumption-30d',
  'consumption-year',
  'cost-year',
  'hourly-year',
  'demand-year',
  'water-year',
  'water-cost-year',
  'tree-year',
  'intensity-year',
];

/** Self time per function in a V8 CPU profile, the largest first (ms). */
function hottest(profile: {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples?: number[];
  timeDeltas?: number[];
}): { fn: string; ms: number; share: number }[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  let total = 0;
  (profile.samples ?? []).forEach((id, i) => {
    const frame = byNode.get(id);
    const dt = (profile.timeDeltas?.[i] ?? 0) / 1000;
    total += dt;
    if (!frame) return;
    // By function and file: under tsx the profile's line numbers are those of the compiled code.
    const file = frame.url.replace(/^.*\/(src|node_modules|bench|test)\//, '$1/');
    const key = `${frame.functionName || '(anonymous)'} ${file}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([fn, ms]) => ({ fn, ms: round(ms), share: round(ms / total, 3) }));
}

async function profiled<T>(dir: string | undefined, work: () => Promise<T>) {
  if (!dir) return { result: await work() };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    const result = await work();
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `energy-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return { result, file, hottest: hottest(profile) };
  } finally {
    session.disconnect();
  }
}

function printTable(title: string, timings: readonly Timing[]): void {
  const ms = (x: number | string) => `${x.toLocaleString('en-US')}${typeof x === 'number' ? ' ms' : ''}`;
  const columns = ['median', 'max', 'first', 'CPU median'];
  console.log(`\n${title}`);
  console.log(`${'query'.padEnd(54)}${columns.map((c) => c.padStart(12)).join('')}   load`);
  for (const t of timings) {
    const cells = [t.median, t.max, t.ms[0] ?? 0, t.medianCpu].map((x) => ms(x).padStart(12)).join('');
    const load = `${Math.min(...t.load).toFixed(2)}–${Math.max(...t.load).toFixed(2)}`;
    const size = t.bytes === undefined ? '' : `   ${round(t.bytes / 1024)} kB`;
    console.log(`${t.name.padEnd(54)}${cells}   ${load}${size}`);
  }
}

const fileSize = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

export async function run(): Promise<Figure[]> {
  const started = new Date();
  const config = loadConfig(resolve('config'));
  const zone = config.energy.timezone;
  const now = Math.floor(Date.now() / STEP_MS) * STEP_MS;
  // From a day before the year's first month: the reading its first interval starts from.
  const from = ranges(now, zone).year.from - DAY;
  const loadAtStart = loadavg();

  const building = performance.now();
  const data = await simulatedStore(config, { from, to: now, stepMs: STEP_MS });
  const buildSeconds = (performance.now() - building) / 1000;
  // The database file and its write-ahead log (checkpointed into the file every ≈ 40 MB).
  const onDisk = () => ({
    megabytes: round(fileSize(data.path) / 2 ** 20),
    walMegabytes: round(fileSize(`${data.path}-wal`) / 2 ** 20),
  });
  const build = {
    days: round((now - from) / DAY),
    samples: data.written,
    seconds: round(buildSeconds),
    samplesPerSecond: Math.round(data.written / buildSeconds),
    ...onDisk(),
    load: round(loadavg()[0] ?? 0, 2),
  };
  console.log(
    `\nenergy: ${build.days} days of the demo's meters, ${build.samples.toLocaleString('en-US')} samples, ` +
      `built in ${build.seconds} s (${build.samplesPerSecond.toLocaleString('en-US')} samples/s), ` +
      `${build.megabytes} MB on disk (+ ${build.walMegabytes} MB of WAL), load ${build.load}`,
  );

  const energy = createEnergy({
    config,
    store: data.store,
    bus: new PointBus(),
    log: silentLogger(),
    now: () => now,
  });
  const web = process.env.BENCH_ENERGY_HTTP === '0' ? undefined : await startBareWebServer({ energy });
  try {
    const queries = [...pageQueries(energy, config, now), ...(web ? httpQueries(web, now, zone) : [])];
    const raw = await profiled(process.env.BENCH_CPU_PROF, () => timeRounds(queries, RUNS));
    const rawTimings = raw.result;
    printTable(`raw samples, the whole year (${RUNS} interleaved rounds)`, rawTimings);
    if (raw.file) {
      console.log(`\nCPU profile of those rounds: ${raw.file}; self time, largest first:`);
      for (const h of raw.hottest ?? [])
        console.log(
          `  ${h.ms.toLocaleString('en-US').padStart(9)} ms ${(h.share * 100).toFixed(1).padStart(5)} %  ${h.fn}`,
        );
    }

    let maintenance:
      | { seconds: number; megabytes: number; walMegabytes: number; timings: Timing[] }
      | undefined;
    if (process.env.BENCH_ENERGY_ROLLUPS !== '0') {
      const t0 = performance.now();
      data.store.maintain(now);
      const seconds = round((performance.now() - t0) / 1000);
      const timings = await timeRounds(
        queries.filter((q) => AFTER_MAINTENANCE.includes(q.id)),
        MAINTAINED_RUNS,
      );
      maintenance = { seconds, ...onDisk(), timings };
      printTable(
        `after the store's maintenance (rollups made in ${seconds} s, raw samples kept 90 days, ` +
          `${maintenance.megabytes} MB + ${maintenance.walMegabytes} MB of WAL; ${MAINTAINED_RUNS} rounds)`,
        timings,
      );
    }

    const comparisons = {
      electricityCost: pair(rawTimings, 'consumption-year', 'cost-year'),
      waterCost: pair(rawTimings, 'water-year', 'water-cost-year'),
      httpConsumption: pair(rawTimings, 'consumption-year', 'http-consumption-year'),
      httpCost: pair(rawTimings, 'cost-year', 'http-cost-year'),
      maintainedElectricityCost: maintenance
        ? pair(maintenance.timings, 'consumption-year', 'cost-year')
        : undefined,
    };
    const allLoads = [...rawTimings, ...(maintenance?.timings ?? [])].flatMap((t) => t.load);
    const load = {
      atStart: loadAtStart.map((l) => round(l, 2)),
      lowest: Math.min(...allLoads),
      highest: Math.max(...allLoads),
      cores: cpus().length,
    };
    const said = (p: Pair | undefined) =>
      p
        ? `${p.beforeMs} → ${p.afterMs} ms (× ${p.ratio}, ${p.extraMs < 0 ? '−' : '+'}${Math.abs(p.extraMs)} ms)`
        : 'not measured';
    console.log(
      [
        '',
        'before → after costs, a year by building per month (medians of the same rounds):',
        `  electricity ${said(comparisons.electricityCost)}`,
        `  water       ${said(comparisons.waterCost)}`,
        'in process → over HTTP:',
        `  consumption ${said(comparisons.httpConsumption)}`,
        `  cost        ${said(comparisons.httpCost)}`,
        `load average ${load.lowest}–${load.highest} on ${load.cores} cores`,
      ].join('\n'),
    );

    const figures: Figure[] = [
      { name: 'year of meters: samples', value: build.samples, unit: 'samples' },
      { name: 'year of meters: built in', value: build.seconds, unit: 's' },
      { name: 'year of meters: on disk', value: build.megabytes, unit: 'MB' },
      ...rawTimings.flatMap((t) => [
        { name: `${t.name.trim()} (median)`, value: t.median, unit: 'ms' },
        { name: `${t.name.trim()} (max)`, value: t.max, unit: 'ms' },
        { name: `${t.name.trim()} (CPU, median)`, value: t.medianCpu, unit: 'ms' },
      ]),
      ...(maintenance?.timings ?? []).map((t) => ({
        name: `after maintenance: ${t.name.trim()} (median)`,
        value: t.median,
        unit: 'ms',
      })),
      {
        name: 'machine load average, highest in the run',
        value: load.highest,
        unit: `on ${load.cores} cores`,
      },
    ];
    const out = writeResults(
      started,
      {
        bench: 'energy.bench.ts',
        rounds: { raw: RUNS, maintained: MAINTAINED_RUNS },
        build,
        load,
        raw: rawTimings,
        ...(raw.hottest ? { hottest: raw.hottest } : {}),
        ...(maintenance ? { maintenance } : {}),
        comparisons,
        figures,
      },
      'energy',
    );
    console.log(`energy figures, every run's time, written to ${out}`);
    return figures;
  } finally {
    await web?.stop();
    await data.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const figure of await run())
    console.log(
      `${'energy.bench.ts'.padEnd(22)} ${figure.name.padEnd(50)} ${figure.value.toLocaleString('en-US').padStart(14)} ${figure.unit}`,
    );
}

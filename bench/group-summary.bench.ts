/**
 * What a campus pays for the group view (issue 22): every 30 s its summary — today's
 * electricity, gas and water and their tce — with this month every 10 minutes and the months
 * since January of last year once a day, computed by its own energy service. On the demo plant's simulated history from
 * January of last year at 15-minute steps (every electricity, water and gas counter) in a real
 * SQLite store; each summary timed in CPU ms (the event loop's cost: SQLite answers
 * synchronously) over several rounds, medians. The MQTT publish is left out (one small message).
 *
 * BENCH_GROUP_RUNS rounds (default 5).
 */

import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { cpuUsage } from 'node:process';
import { DateTime } from 'luxon';
import { loadConfig } from '../src/config/index.js';
import { startCampusSummary } from '../src/group/campus-summary.js';
import { silentLogger } from '../src/log/index.js';
import { demoEnergy, MINUTE } from '../test/energy/simulated-store.js';
import type { Figure } from './figure.js';

const RUNS = Math.max(1, Number(process.env.BENCH_GROUP_RUNS ?? 5));
const COUNTERS = /\.(energy_kwh|power_kw|volume_m3|flow_m3h|gas_volume_m3|gas_flow_m3h)$/;

const cpuMs = () => {
  const { user, system } = cpuUsage();
  return (user + system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const round = (x: number) => Math.round(x * 10) / 10;

export async function run(): Promise<Figure[]> {
  const zone = loadConfig(resolve('config')).energy.timezone;
  const now = Math.floor(Date.now() / (15 * MINUTE)) * 15 * MINUTE;
  const from = DateTime.fromMillis(now, { zone })
    .minus({ years: 1 })
    .startOf('year')
    .minus({ days: 1 })
    .toMillis();
  const { config, data, energy } = await demoEnergy({ from, to: now, stepMs: 15 * MINUTE }, now, {
    keep: (id) => COUNTERS.test(id),
  });
  let clock = now;
  const timings = { first: [] as number[], withMonth: [] as number[], todayOnly: [] as number[] };
  for (let round = 0; round < RUNS; round++) {
    clock = now + round * 23 * MINUTE;
    let published: () => void = () => {};
    const next = () => new Promise<void>((resolve) => (published = resolve));
    const first = next();
    // A fresh publisher computes its months at once; the next summaries within 10 minutes do not.
    let t0 = cpuMs();
    const summary = startCampusSummary({
      site: 'main',
      config,
      energy,
      devices: () => [],
      mqtt: { publish: async () => published(), onConnect: () => () => {} },
      prefix: 'plantwatch',
      everyMs: 3_600_000,
      log: silentLogger(),
      now: () => clock,
    });
    await first;
    timings.first.push(cpuMs() - t0);
    await new Promise((r) => setImmediate(r));
    // Ten minutes on, the same day: this month again, the past months as they were.
    clock += 11 * MINUTE;
    t0 = cpuMs();
    await summary.publishNow();
    timings.withMonth.push(cpuMs() - t0);
    clock += 30_000;
    t0 = cpuMs();
    await summary.publishNow();
    timings.todayOnly.push(cpuMs() - t0);
    summary.stop();
  }
  rmSync(dirname(data.path), { recursive: true, force: true });
  return [
    {
      name: 'first summary, every month (then once a day), median',
      value: round(median(timings.first)),
      unit: 'CPU ms',
    },
    {
      name: 'summary with this month (every 10 min), median',
      value: round(median(timings.withMonth)),
      unit: 'CPU ms',
    },
    {
      name: 'summary, today only (every 30 s), median',
      value: round(median(timings.todayOnly)),
      unit: 'CPU ms',
    },
    { name: 'history in the store', value: round((now - from) / 86_400_000), unit: 'days' },
  ];
}

/**
 * Energy reports over a year: a year of the demo plant's meters (simulated at 15-minute steps,
 * energy points only) in the embedded SQLite store, then the queries the energy pages and the
 * monthly report make, each timed five times (median). Also: simulated history written per
 * second, which is what the demo's first start pays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeHistory } from '../simulators/backfill.js';
import { simulateHistory } from '../simulators/history.js';
import { loadConfig } from '../src/config/index.js';
import { createEnergy } from '../src/energy/index.js';
import { silentLogger } from '../src/log/index.js';
import { PointBus } from '../src/points/index.js';
import { buildMonthlyReport, previousMonth } from '../src/reports/monthly.js';
import { SqliteStore } from '../src/storage/index.js';
import type { Figure } from './figure.js';

const DAY = 86_400_000;
const ENERGY_POINT = /\.(energy_kwh|power_kw|reactive_kvar|volume_m3|flow_m3h|outdoor_temp_c)$/;

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(runs / 2)] as number) * 10) / 10;
}

export async function run(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-energy-bench-'));
  const config = loadConfig(resolve('config'));
  // Retention longer than the year, so the queries read raw samples as they would for 90 days.
  const store = new SqliteStore({
    path: join(dir, 'energy.db'),
    maintenanceIntervalMs: 0,
    retention: { rawMs: 400 * DAY, rollup1mMs: 400 * DAY },
  });
  try {
    const now = Date.now();
    const from = now - 365 * DAY;
    const started = performance.now();
    const written = await writeHistory(
      store,
      simulateHistory(config, { from, to: now, stepMs: 15 * 60_000 }),
      (v) => ENERGY_POINT.test(v.id),
    );
    const fillSeconds = (performance.now() - started) / 1000;
    store.maintain(now);
    const energy = createEnergy({ config, store, bus: new PointBus(), log: silentLogger() });
    const year = { from, to: now };
    const month = { from: now - 30 * DAY, to: now };
    return [
      { name: 'simulated history written (year, energy points)', value: written, unit: 'points' },
      { name: 'simulated history written', value: Math.round(written / fillSeconds), unit: 'points/s' },
      {
        name: 'electricity, year by month per building (median)',
        value: await median(5, () =>
          energy.consumption({ commodity: 'electricity', ...year, resolution: 'month', groupBy: 'building' }),
        ),
        unit: 'ms',
      },
      {
        name: 'water, year by day per meter (median)',
        value: await median(5, () =>
          energy.consumption({ commodity: 'water', ...year, resolution: 'day', groupBy: 'meter' }),
        ),
        unit: 'ms',
      },
      {
        name: 'electricity, 30 days by hour per meter (median)',
        value: await median(5, () =>
          energy.consumption({ commodity: 'electricity', ...month, resolution: 'hour', groupBy: 'meter' }),
        ),
        unit: 'ms',
      },
      {
        name: 'peak demand, year by month (median)',
        value: await median(5, () => energy.demand({ ...year, resolution: 'month' })),
        unit: 'ms',
      },
      {
        name: 'night-flow leaks, 14 nights × 5 meters (median)',
        value: await median(5, () => energy.leaks(14)),
        unit: 'ms',
      },
      { name: 'retrofit savings (median)', value: await median(5, () => energy.retrofits()), unit: 'ms' },
      {
        name: 'monthly report with 7 CSVs (median)',
        value: await median(3, () => buildMonthlyReport(energy, config, previousMonth(now, energy.timezone))),
        unit: 'ms',
      },
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

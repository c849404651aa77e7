/**
 * The demo's LED retrofit verified from 65 days of simulated history in a real SQLite store:
 * DR1's lighting feeder (180 kW peak) had its 800 lamps replaced 30 days before "now", its
 * load dropping to 0.55 of what it was. energy.yaml compares a baseline (-60d..-31d) with a
 * reporting period (-29d..-0d), per day. The report must find the 45 % the physics put there,
 * agree with the counter read directly, pass ASHRAE Guideline 14, and say which days it left
 * out when readings are missing rather than count them short.
 */
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dayShape } from '../../simulators/physics/environment.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { createEnergy, type EnergyService, type RetrofitReport } from '../../src/energy/index.js';
import { retrofitReport } from '../../src/energy/verification.js';
import { silentLogger } from '../../src/log/index.js';
import { PointBus } from '../../src/points/index.js';
import { DAY, lastBefore, MINUTE, simulatedStore, type TestStore } from './simulated-store.js';

const ZONE = 'Asia/Shanghai';
/** "Now": mid-morning, the history's end. */
const END = DateTime.fromISO('2026-11-25T10:00', { zone: ZONE }).toMillis();
const TODAY = DateTime.fromMillis(END, { zone: ZONE }).startOf('day');
/** Local midnight `n` days before today, as energy.yaml's "-Nd" reads it. */
const daysAgo = (n: number) => TODAY.minus({ days: n }).toMillis();
const STEP = 15 * MINUTE;
const FEEDER = 'dr1-f2';
const COUNTER = `${FEEDER}.energy_kwh`;

let config: PlantConfig;
let data: TestStore;
let energy: EnergyService;

beforeAll(async () => {
  // The simulated hospital's day follows the process's clock: put it on the hospital's.
  vi.stubEnv('TZ', ZONE);
  config = loadConfig(resolve('config'));
  data = await simulatedStore(config, { from: END - 65 * DAY, to: END, stepMs: STEP }, (id) =>
    id.startsWith(`${FEEDER}.`),
  );
  energy = createEnergy({
    config,
    store: data.store,
    bus: new PointBus(),
    log: silentLogger(),
    now: () => END,
  });
});

afterAll(async () => {
  await data?.close();
  vi.unstubAllEnvs();
});

async function ledReport(): Promise<RetrofitReport> {
  const reports = await energy.retrofits();
  expect(reports.map((r) => r.id)).toEqual(['led-inpatient']);
  return reports[0] as RetrofitReport;
}

/** Mean kWh per day of the feeder between two local midnights, from its counter's rise. */
async function counterPerDay(from: number, to: number): Promise<number> {
  const rise = (await lastBefore(data.store, COUNTER, to)) - (await lastBefore(data.store, COUNTER, from));
  return rise / ((to - from) / DAY);
}

describe('LED retrofit savings from simulated history', () => {
  it('is set up as energy.yaml and simulation.yaml say', () => {
    const retrofit = config.energy.retrofits[0];
    expect(retrofit).toMatchObject({
      meters: [FEEDER],
      baseline: { from: '-60d', to: '-31d' },
      reporting: { from: '-29d', to: '-0d' },
      normalise: { by: 'day' },
      confidence: 0.9,
      promisedPct: 40,
    });
    expect(config.simulation.devices[FEEDER]).toMatchObject({
      load: 'lighting',
      peakKw: 180,
      retrofitAt: '-30d',
      retrofitFactor: 0.55,
    });
  });

  it('finds the 45 % the lamps save, as the counter read directly shows', async () => {
    const report = await ledReport();
    expect(report.unit).toBe('kWh');
    expect(report.baseline).toMatchObject({ from: daysAgo(60), to: daysAgo(31), excluded: [] });
    expect(report.reporting).toMatchObject({ from: daysAgo(29), to: daysAgo(0), excluded: [] });
    expect(report.baseline.days).toHaveLength(29);
    expect(report.reporting.days).toHaveLength(29);
    expect(report.problem).toBeUndefined();
    const result = report.result;
    if (!result) throw new Error('no savings result');

    // What the physics put there: 180 kW × (0.35 + 0.65 × the day's shape), sampled as the
    // simulator steps it, and 0.55 of that after the retrofit.
    const steps = DAY / STEP;
    let shape = 0;
    for (let i = 0; i < steps; i++) shape += 0.35 + 0.65 * dayShape((i * STEP) / 3_600_000);
    const physicsPerDay = (180 * shape * STEP) / 3_600_000;
    expect(physicsPerDay).toBeCloseTo(180 * (0.35 * 24 + 0.65 * 13), 6);

    // The counter, read directly over each period's local days.
    const before = await counterPerDay(daysAgo(60), daysAgo(31));
    const after = await counterPerDay(daysAgo(29), daysAgo(0));
    expect(Math.abs(before / physicsPerDay - 1)).toBeLessThan(0.01);
    expect(Math.abs(after / (0.55 * physicsPerDay) - 1)).toBeLessThan(0.01);
    const measuredPct = (1 - after / before) * 100;

    // The report's days and the counter's midnight readings agree within a reading's timing.
    expect(Math.abs(result.perDay.baseline / before - 1)).toBeLessThan(0.001);
    expect(Math.abs(result.perDay.reporting / after - 1)).toBeLessThan(0.001);
    expect(result.reportingDays).toBe(29);
    expect(Math.abs(result.adjustedBaseline / (29 * before) - 1)).toBeLessThan(0.001);
    expect(Math.abs(result.actual / (29 * after) - 1)).toBeLessThan(0.001);
    expect(Math.abs(result.savingsPct - measuredPct)).toBeLessThan(0.1);
    expect(Math.abs(result.savingsPct - 45)).toBeLessThan(2);
    expect(result.savingsPct).toBeGreaterThan(report.promisedPct ?? 100);
  });

  it('meets ASHRAE Guideline 14 with a small uncertainty', async () => {
    const result = (await ledReport()).result;
    expect(result?.fit.model).toBe('mean');
    expect(result?.fit.n).toBe(29);
    // A lighting load repeats day after day: the baseline model fits within a percent.
    expect(result?.fit.cvRmse).toBeLessThan(0.01);
    expect(result?.meetsGuideline14).toBe(true);
    expect(result?.uncertaintyPct).toBeGreaterThan(0);
    expect(result?.uncertaintyPct).toBeLessThan(5);
    expect(result?.uncertainty).toBeLessThan(0.05 * (result?.savings ?? 0));
  });

  it('counts only the whole days of a period given as date-times', async () => {
    const led = config.energy.retrofits[0];
    if (!led) throw new Error('no retrofit in energy.yaml');
    const noon = TODAY.minus({ days: 29 }).set({ hour: 12 });
    const reporting = { from: noon.toFormat("yyyy-MM-dd'T'HH:mm"), to: '-0d' };
    const report = await retrofitReport(data.store, config, energy.meters, { ...led, reporting }, END);
    // The afternoon of the first day is no day's consumption: left out, not counted as a day.
    expect(report.reporting.days).toHaveLength(28);
    expect(report.reporting.days[0]?.day).toBe(noon.plus({ days: 1 }).toFormat('yyyy-MM-dd'));
  });

  it('leaves out a day whose readings were deleted, and says which', async () => {
    const lost = DateTime.fromMillis(daysAgo(50), { zone: ZONE });
    const whole = await ledReport();
    // A day of the feeder's readings lost from the store.
    const db = new Database(data.path);
    try {
      const deleted = db
        .prepare(
          'DELETE FROM samples WHERE point = (SELECT id FROM points WHERE name = ?) AND ts >= ? AND ts < ?',
        )
        .run(COUNTER, lost.toMillis(), lost.plus({ days: 1 }).toMillis());
      expect(deleted.changes).toBe(DAY / STEP);
    } finally {
      db.close();
    }
    const report = await ledReport();
    expect(report.baseline.excluded).toEqual([lost.toFormat('yyyy-MM-dd')]);
    expect(report.baseline.days).toHaveLength(28);
    expect(report.baseline.days.some((d) => d.day === lost.toFormat('yyyy-MM-dd'))).toBe(false);
    expect(report.reporting.excluded).toEqual([]);
    expect(report.result?.fit.n).toBe(28);
    // One day fewer in the baseline changes the result by little, and not by a missing day's kWh.
    expect(Math.abs((report.result?.savingsPct ?? 0) - (whole.result?.savingsPct ?? 0))).toBeLessThan(0.5);
    expect(report.result?.perDay.baseline).toBeCloseTo(whole.result?.perDay.baseline ?? 0, -1);
    expect(report.result?.meetsGuideline14).toBe(true);
  });
});

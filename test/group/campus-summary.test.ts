/**
 * The campus summary the group view reads: computed by the campus's own energy service on its
 * own store (a real SQLite store with the east campus's simulated weeks), so its figures are
 * the energy pages' figures; the months before this one are read again once a day, this month
 * every summary that is 10 minutes on.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { ConsumptionQuery, EnergyService } from '../../src/energy/index.js';
import { startCampusSummary } from '../../src/group/campus-summary.js';
import { type CampusSummary, campusSummary } from '../../src/group/index.js';
import { silentLogger } from '../../src/log/index.js';
import { demoEnergy, MINUTE, type TestStore } from '../energy/simulated-store.js';
import { until } from '../helpers/wait.js';

const config = loadConfig('config/east');
const zone = config.energy.timezone;
// Mid-month, mid-morning: this month has days behind it, and the day has hours.
const start = DateTime.fromISO('2026-11-18T10:00', { zone }).toMillis();
let data: TestStore;
let energy: EnergyService;
const asked: ConsumptionQuery[] = [];

beforeAll(async () => {
  const from = DateTime.fromMillis(start, { zone }).minus({ days: 40 }).toMillis();
  const made = await demoEnergy({ from, to: start + 2 * 86_400_000, stepMs: 15 * MINUTE }, start, {
    dir: 'config/east',
    keep: () => true,
  });
  data = made.data;
  const real = made.energy;
  // The real service, its questions noted.
  energy = {
    ...real,
    consumption: (query) => {
      asked.push(query);
      return real.consumption(query);
    },
  };
}, 60_000);

afterAll(() => {
  if (data) rmSync(dirname(data.path), { recursive: true, force: true });
});

async function summaryAt(at: () => number) {
  const published: CampusSummary[] = [];
  const publisher = startCampusSummary({
    site: 'east',
    config,
    energy,
    devices: () => [{ state: 'ok' }, { state: 'unreachable' }],
    mqtt: {
      publish: async (_topic, payload) => void published.push(campusSummary.parse(JSON.parse(payload))),
      onConnect: () => () => {},
    },
    prefix: 'plantwatch',
    everyMs: 3_600_000,
    log: silentLogger(),
    now: at,
  });
  return { publisher, published };
}

const monthRanges = () =>
  asked.filter((q) => q.resolution === 'month' && q.commodity === 'electricity').map((q) => [q.from, q.to]);

describe('the campus summary', () => {
  it('carries the campus, its devices, today and its months as its energy pages give them', async () => {
    asked.length = 0;
    const { publisher, published } = await summaryAt(() => start);
    await until('the first summary', () => published.length > 0, 20_000);
    publisher.stop();
    const [summary] = published;
    expect(summary).toMatchObject({
      site: 'east',
      name: 'East Campus',
      nameZh: '东院区',
      devices: { total: 2, down: 1 },
    });
    expect(summary?.areaM2).toBeGreaterThan(0);
    const dayStart = DateTime.fromMillis(start, { zone }).startOf('day').toMillis();
    const own = await energy.consumption({
      commodity: 'electricity',
      from: dayStart,
      to: start,
      resolution: 'day',
      groupBy: 'site',
    });
    expect(summary?.today).toMatchObject({ date: '2026-11-18', electricityKwh: own.total });
    const monthStart = DateTime.fromMillis(start, { zone }).startOf('month').toMillis();
    const month = await energy.consumption({
      commodity: 'gas',
      from: monthStart,
      to: start,
      resolution: 'month',
      groupBy: 'site',
    });
    const rows = summary?.months.rows ?? [];
    expect(rows.map((r) => r.month)).toEqual(
      Array.from({ length: 23 }, (_, i) =>
        DateTime.fromISO('2025-01-01', { zone }).plus({ months: i }).toFormat('yyyy-MM'),
      ),
    );
    expect(rows.at(-1)?.gasM3).toBe(month.total);
    expect(rows.at(-1)?.gasM3).toBeGreaterThan(0);
    // Before the simulated weeks: unknown, never 0.
    expect(rows[0]).toMatchObject({ electricityKwh: null, gasM3: null, waterM3: null, tce: null });
  });

  it('reads the past months again once a day, this month every 10 minutes', async () => {
    let clock = start;
    const { publisher, published } = await summaryAt(() => clock);
    await until('the first summary', () => published.length > 0, 20_000);
    const thisMonth = DateTime.fromMillis(start, { zone }).startOf('month').toMillis();
    const lastJanuary = DateTime.fromISO('2025-01-01', { zone }).toMillis();
    asked.length = 0;
    clock = start + 30_000;
    await publisher.publishNow();
    expect(monthRanges()).toEqual([]); // today only
    clock = start + 11 * MINUTE;
    await publisher.publishNow();
    expect(monthRanges()).toEqual([[thisMonth, clock]]);
    asked.length = 0;
    clock = start + 86_400_000;
    await publisher.publishNow();
    expect(monthRanges()).toEqual([
      [lastJanuary, thisMonth],
      [thisMonth, clock],
    ]);
    publisher.stop();
  });
});

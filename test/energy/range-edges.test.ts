/**
 * A water meter that reports every 15 minutes, read for one local day: the readings either
 * side of midnight lie outside the day, yet the day's first and last quarter hours were used
 * all the same. The day must be wholly covered and its consumption what the counter rose
 * between the two midnights, not 15 minutes short at each end.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createEnergy, type EnergyService } from '../../src/energy/index.js';
import { silentLogger } from '../../src/log/index.js';
import { PointBus, type PointValue } from '../../src/points/index.js';
import { emptyStore, type TestStore, writeAll } from './simulated-store.js';

const ZONE = 'Asia/Shanghai';
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const QUARTER = 15 * 60_000;
/** 2.4 m³/h, readings at :07, :22, :37, :52 — never on midnight. */
const FLOW = 2.4;
const FIRST = local('2026-11-09T20:07');

let store: TestStore;
let energy: EnergyService;

beforeAll(async () => {
  store = emptyStore();
  const values: PointValue[] = [];
  for (let ts = FIRST; ts < local('2026-11-11T04:00'); ts += QUARTER)
    values.push({
      id: 'wm-admin.volume_m3',
      value: 500 + (FLOW * (ts - FIRST)) / 3_600_000,
      quality: 'good',
      ts,
    });
  await writeAll(store, [values]);
  const config = loadConfig('config');
  energy = createEnergy({ config, store: store.store, bus: new PointBus(), log: silentLogger() });
});

afterAll(async () => {
  await store.close();
});

describe('a day read from a meter that reports every 15 minutes', () => {
  it('is wholly covered and its consumption is the rise from midnight to midnight', async () => {
    const report = await energy.consumption({
      commodity: 'water',
      from: local('2026-11-10T00:00'),
      to: local('2026-11-11T00:00'),
      resolution: 'day',
      groupBy: 'meter',
      meters: ['wm-admin'],
    });
    const day = report.rows[0]?.buckets[0];
    expect(day?.coverage).toBe(1);
    // 24 h × 2.4 m³/h
    expect(day?.value).toBeCloseTo(57.6, 6);
    expect(report.rows[0]?.total).toBeCloseTo(57.6, 6);
  });
});

/**
 * The SQLite store's rollups and retention: raw samples expire, hourly summaries answer for
 * them with the same numbers, and a late (replayed) batch corrects its hour.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { PointValue } from '../../src/points/index.js';
import { SqliteStore } from '../../src/storage/index.js';
import { describeRollupContract, type RollupRow } from './rollup-contract.js';

const HOUR = 3_600_000;
const MIN = 60_000;
const T0 = Date.UTC(2026, 5, 1, 0, 0, 0);

/** Three hours of one-per-minute power readings 0..59 repeating, and a counter rising 1 per minute. */
function threeHours(): PointValue[] {
  const values: PointValue[] = [];
  for (let i = 0; i < 180; i++) {
    values.push({ id: 'f1.power_kw', value: i % 60, quality: 'good', ts: T0 + i * MIN });
    values.push({ id: 'f1.energy_kwh', value: 100 + i, quality: 'good', ts: T0 + i * MIN });
  }
  return values;
}

const dir = mkdtempSync(join(tmpdir(), 'plantwatch-sqlite-rollups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeRollupContract('SQLite', async (now) => {
  const path = join(dir, 'late.db');
  const store = new SqliteStore({ path, maintenanceIntervalMs: 0, now });
  // A second connection, as an admin's sqlite3 shell would read the rollup tables.
  const reader = new Database(path, { readonly: true });
  return {
    store,
    scheduled: async (at) => store.maintain(at),
    rollups: async (every, point, from, to) =>
      reader
        .prepare(
          `SELECT r.ts, r.mean, r.min, r.max, r.last, r.count FROM rollup_${every} r JOIN points p ON p.id = r.point
            WHERE p.name = ? AND r.ts >= ? AND r.ts < ? ORDER BY r.ts`,
        )
        .all(point, from, to) as RollupRow[],
    async close() {
      reader.close();
      await store.close();
    },
  };
});

describe('SQLite rollups and retention', () => {
  it('answers for expired raw samples from hourly rollups with the same figures', async () => {
    let now = T0 + 3 * HOUR;
    const store = new SqliteStore({
      path: ':memory:',
      retention: { rawMs: 2 * HOUR, rollup1mMs: 30 * 24 * HOUR },
      maintenanceIntervalMs: 0,
      now: () => now,
    });
    await store.write(threeHours());
    const query = { point: 'f1.power_kw', from: T0, to: T0 + 3 * HOUR, windowMs: HOUR };
    const fromRaw = await store.query({ ...query, aggregate: 'mean' });
    expect(fromRaw.map((r) => r.value)).toEqual([29.5, 29.5, 29.5]);

    now = T0 + 5 * HOUR; // raw samples before T0 + 3 h are now past retention
    store.maintain();
    expect(await store.query({ point: 'f1.power_kw', from: T0, to: T0 + 3 * HOUR })).toEqual([]);
    const fromRollups = await store.query({ ...query, aggregate: 'mean' });
    expect(fromRollups).toEqual(fromRaw);
    expect((await store.query({ ...query, aggregate: 'max' })).map((r) => r.value)).toEqual([59, 59, 59]);
    expect((await store.query({ ...query, aggregate: 'last' })).map((r) => r.value)).toEqual([59, 59, 59]);
    const energy = await store.query({ ...query, point: 'f1.energy_kwh', aggregate: 'delta' });
    expect(energy.map((r) => r.value)).toEqual([59, 59, 59]);
    const daily = await store.query({ ...query, windowMs: 3 * HOUR, aggregate: 'mean' });
    expect(daily).toEqual([{ ts: T0, value: 29.5, count: 180 }]);
    await store.close();
  });

  it('recomputes an hour when a late batch arrives for it', async () => {
    let now = T0 + 3 * HOUR;
    const store = new SqliteStore({
      path: ':memory:',
      retention: { rawMs: 2 * HOUR, rollup1mMs: 30 * 24 * HOUR },
      maintenanceIntervalMs: 0,
      now: () => now,
    });
    await store.write(threeHours().filter((v) => v.ts >= T0 + HOUR)); // the first hour is missing
    store.maintain();
    await store.write(threeHours().filter((v) => v.ts < T0 + HOUR)); // ... and replayed late
    now = T0 + 6 * HOUR;
    store.maintain();
    const hourly = await store.query({
      point: 'f1.power_kw',
      from: T0,
      to: T0 + 3 * HOUR,
      windowMs: HOUR,
      aggregate: 'mean',
    });
    expect(hourly.map((r) => [r.ts - T0, r.value, r.count])).toEqual([
      [0, 29.5, 60],
      [HOUR, 29.5, 60],
      [2 * HOUR, 29.5, 60],
    ]);
    await store.close();
  });
});

/**
 * The rollup contract every backend keeps, run unchanged against each: values that reach the
 * store after their minute or hour was rolled up (replayed from the spool after an outage, or
 * by a gateway restarted after `kill -9`) end up in the rollups. Every minute's rollup is then
 * the aggregate of its raw samples, and every hour's the aggregate of its minutes: what an
 * energy manager reads once raw samples have expired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PointValue } from '../../src/points/index.js';
import type { TimeSeriesStore } from '../../src/storage/index.js';

export const MIN = 60_000;
export const HOUR = 3_600_000;
const DAY = 86_400_000;

/** One rollup window as stored: mean, min, max, last and count of the samples behind it. */
export interface RollupRow {
  ts: number;
  mean: number;
  min: number;
  max: number;
  last: number;
  count: number;
}

export interface RollupBackend {
  store: TimeSeriesStore;
  /**
   * What the backend rolls up on its own once data time reaches `now`: influxd's continuous
   * queries (each over its latest closed interval), SQLite's maintenance.
   */
  scheduled(now: number): Promise<void>;
  /** The stored rollup rows of a point, oldest first. */
  rollups(every: '1m' | '1h', point: string, from: number, to: number): Promise<RollupRow[]>;
  close(): Promise<void>;
}

/** One row per window of `windowMs` from samples (or finer rows) in time order. */
function aggregate(
  samples: { ts: number; mean: number; min: number; max: number; last: number; count: number }[],
  windowMs: number,
): RollupRow[] {
  const windows = new Map<number, RollupRow & { sum: number }>();
  for (const s of samples) {
    const ts = Math.floor(s.ts / windowMs) * windowMs;
    const w = windows.get(ts);
    if (!w) {
      windows.set(ts, {
        ts,
        sum: s.mean * s.count,
        min: s.min,
        max: s.max,
        last: s.last,
        count: s.count,
        mean: 0,
      });
      continue;
    }
    w.sum += s.mean * s.count;
    w.min = Math.min(w.min, s.min);
    w.max = Math.max(w.max, s.max);
    w.last = s.last;
    w.count += s.count;
  }
  return [...windows.values()].map(({ sum, ...w }) => ({ ...w, mean: sum / w.count }));
}

/** Means compared to 9 significant digits: a mean of weighted means is exact but for rounding. */
const rounded = (rows: RollupRow[]) => rows.map((r) => ({ ...r, mean: Number(r.mean.toPrecision(9)) }));

/**
 * Every minute of [from, to) holds the aggregate of its raw samples (failed reads left out),
 * and every hour the aggregate of its minutes.
 */
export async function expectRollupsMatchRaw(
  backend: RollupBackend,
  points: readonly string[],
  from: number,
  to: number,
): Promise<void> {
  for (const point of points) {
    const raw = await backend.store.query({ point, from, to });
    const samples = raw.flatMap((r) =>
      r.value === null
        ? []
        : [{ ts: r.ts, mean: r.value, min: r.value, max: r.value, last: r.value, count: 1 }],
    );
    const minutes = await backend.rollups('1m', point, from, to);
    expect(rounded(minutes), `${point}: 1-minute rollups`).toEqual(rounded(aggregate(samples, MIN)));
    const hours = await backend.rollups('1h', point, from, to);
    expect(rounded(hours), `${point}: 1-hour rollups`).toEqual(rounded(aggregate(minutes, HOUR)));
  }
}

/**
 * Where data time starts: three days ago, midnight UTC. Inside every raw retention, and long past
 * for a real influxd's own continuous queries, which only ever roll up the interval that just ended.
 */
export const DATA_START = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;

/** Two points of two device profiles, so that rollups of more than one measurement are checked. */
export const ROLLUP_POINTS = ['dr1-incomer.power_kw', 'ch1.power_kw'] as const;

/** A reading every 10 s; now and then a failed one, which rollups leave out. */
export function readings(from: number, to: number): PointValue[] {
  const values: PointValue[] = [];
  for (let ts = from; ts < to; ts += 10_000) {
    const i = Math.floor(ts / 10_000);
    values.push({ id: 'dr1-incomer.power_kw', value: 100 + ((i * 7) % 23) + 0.25, quality: 'good', ts });
    values.push(
      i % 37 === 5
        ? { id: 'ch1.power_kw', value: null, quality: 'comm-error', ts }
        : { id: 'ch1.power_kw', value: 200 + (i % 11), quality: 'good', ts },
    );
  }
  return values;
}

/** The store as the writer uses it: a batch, then whatever the store derives from it settled. */
export async function writeSettled(store: TimeSeriesStore, batch: readonly PointValue[]): Promise<void> {
  await store.write(batch);
  await store.settle?.();
}

export function describeRollupContract(
  name: string,
  open: (now: () => number) => Promise<RollupBackend>,
): void {
  describe(`${name}: rollups of late values`, () => {
    const H0 = DATA_START;
    // Values from 00:19:30 to 01:10:30 reach the store only at the end: an outage over an hour's end.
    const outage = { from: H0 + 19.5 * MIN, to: H0 + 70.5 * MIN };
    let now = H0;
    let backend: RollupBackend;
    beforeAll(async () => {
      backend = await open(() => now);
    });
    afterAll(async () => backend?.close());

    it('puts values that arrive after their minute and hour were rolled up into those rollups', async () => {
      const late: PointValue[] = [];
      for (let minute = 0; minute < 120; minute++) {
        const values = readings(H0 + minute * MIN, H0 + (minute + 1) * MIN);
        const inOutage = (v: PointValue) => v.ts >= outage.from && v.ts < outage.to;
        late.push(...values.filter(inOutage));
        now = H0 + minute * MIN + 59_500;
        await writeSettled(
          backend.store,
          values.filter((v) => !inOutage(v)),
        );
        now = H0 + (minute + 1) * MIN + 1000;
        await backend.scheduled(now);
      }
      // The outage ends: the spool replays oldest first, a batch at a time.
      now = H0 + 120 * MIN + 30_000;
      for (let i = 0; i < late.length; i += 100) await writeSettled(backend.store, late.slice(i, i + 100));
      await backend.scheduled(now);
      await expectRollupsMatchRaw(backend, ROLLUP_POINTS, H0, H0 + 2 * HOUR);
    });
  });
}

/**
 * Properties of the consumption arithmetic on random meter histories (fast-check, replayable
 * with FUZZ_SEED as the fuzz tests are): a counter read every 10 minutes with rate changes,
 * register rollovers, resets to 0, recorded meter swaps and gaps in the readings, written to a
 * real SQLite store and read back through `consumption()` for random ranges [from, to) at
 * hour, day and month resolution, in zones with and without DST.
 *
 * The oracle is a plain reference written here from the history's ground truth (what was
 * really used between two readings): a bucket is the part of [from, to) inside one local hour,
 * day or month; an interval between readings counts in proportion to its time in the bucket,
 * and a gap (readings more than maxGap apart) only where it lies wholly inside one bucket. So
 * for any [from, to): the day buckets and the month buckets are those of the reference, and at
 * every resolution the buckets plus the gaps spanning buckets add up to the same range total.
 * A month bucket widened to the calendar month, or a range without readings summed to 0,
 * fails it.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resolution } from '../../src/energy/calendar.js';
import { type ConsumptionReport, consumption, sumKnown } from '../../src/energy/consumption.js';
import type { MeterChange } from '../../src/energy/counter.js';
import type { Meter } from '../../src/energy/meters.js';
import type { PointValue } from '../../src/points/index.js';
import { fuzz } from '../fuzz/fuzz.js';
import { DAY, emptyStore, HOUR, MINUTE, type TestStore, writeAll } from './simulated-store.js';

/** Readings every 10 minutes, written 1 ms before the store's 5-minute window ends (dated at its end). */
const STEP = 10 * MINUTE;
const MAX_GAP = 15 * MINUTE;
/** The fastest real rise; the meter's plausibility bound is 1.5 × that. */
const RATE = 100;
/** Ranges up to 35 days: the store is read in 5-minute windows, one reading each. */
const MAX_RANGE = 35 * DAY;
const ZONES = ['Europe/Berlin', 'Asia/Shanghai', 'America/New_York'] as const;

interface TrueInterval {
  from: number;
  to: number;
  consumption: number;
  gap: boolean;
}

interface History {
  readings: { ts: number; value: number }[];
  truth: TrueInterval[];
  changes: MeterChange[];
  rolloverAt?: number;
  maxRatePerHour?: number;
  start: number;
  end: number;
}

type EventKind = 'reset' | 'swap' | 'gap';

const historyArb = fc.record({
  /** Days after 2026-01-01, so some histories cross a DST change or a month's end. */
  day: fc.integer({ min: 0, max: 360 }),
  days: fc.integer({ min: 2, max: 30 }),
  /** Piecewise-constant rates, per hour, each for a number of hours. */
  rates: fc.array(
    fc.record({
      hours: fc.integer({ min: 1, max: 72 }),
      rate: fc.integer({ min: 0, max: 100 * RATE }).map((n) => n / 100),
    }),
    {
      minLength: 1,
      maxLength: 12,
    },
  ),
  events: fc.array(
    fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      kind: fc.constantFrom<EventKind>('reset', 'swap', 'gap'),
      /** Readings missing for a gap (1 to 36: 20 minutes to 6 hours 10 minutes between readings). */
      length: fc.integer({ min: 1, max: 36 }),
      newInitial: fc.integer({ min: 0, max: 100_000 }).map((n) => n / 100),
    }),
    { maxLength: 8 },
  ),
  rolloverAt: fc.constantFrom(undefined, 50_000, 100_000),
  /** How far below the rollover the register starts, so that some histories wrap. */
  headroom: fc.integer({ min: 1, max: 30_000 }),
  limited: fc.boolean(),
});

type HistorySpec = typeof historyArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * Builds readings and their ground truth. Events are only applied where a meter reader could
 * tell what happened (a reset from a high enough register, a swap that does not wrap either
 * meter); elsewhere the reading is an ordinary one.
 */
function buildHistory(spec: HistorySpec): History {
  const start = Date.UTC(2026, 0, 1) + spec.day * DAY;
  const count = (spec.days * DAY) / STEP;
  const rateAt = rateLookup(spec.rates);
  /** What step k (from reading k − 1 to reading k) really used. */
  const use = (k: number) => (rateAt(k) * STEP) / HOUR;
  const events = new Map(spec.events.map((e) => [Math.max(1, Math.floor(e.at * count)), e]));
  const top = spec.rolloverAt;
  let value = top === undefined ? 200_000 : Math.max(0, top - spec.headroom);
  const readings = [{ ts: start, value }];
  const truth: TrueInterval[] = [];
  const changes: MeterChange[] = [];
  let last = start;
  let used = 0;
  let missingUntil = 0;
  for (let k = 1; k <= count; k++) {
    const ts = start + k * STEP;
    used += use(k);
    const event = events.get(k);
    if (event?.kind === 'gap') missingUntil = Math.max(missingUntil, k + event.length - 1);
    if (k <= missingUntil && k < count) continue;
    // A swap is recorded halfway through the first step after the last reading.
    const beforeSwap = use((last - start) / STEP + 1) / 2;
    value = nextValue(value, used, event, top, { last, beforeSwap, changes });
    readings.push({ ts, value });
    truth.push({ from: last, to: ts, consumption: used, gap: ts - last > MAX_GAP });
    last = ts;
    used = 0;
  }
  return {
    readings,
    truth,
    changes,
    ...(top === undefined ? {} : { rolloverAt: top }),
    ...(spec.limited ? { maxRatePerHour: 1.5 * RATE } : {}),
    start,
    end: start + count * STEP,
  };
}

function rateLookup(rates: HistorySpec['rates']): (k: number) => number {
  const total = rates.reduce((s, r) => s + r.hours, 0);
  return (k) => {
    let hour = ((k * STEP) / HOUR) % total;
    for (const r of rates) {
      if (hour < r.hours) return r.rate;
      hour -= r.hours;
    }
    return rates[0]?.rate ?? 0;
  };
}

/** The register after `used` more units, with the event at this reading if it can be told apart. */
function nextValue(
  previous: number,
  used: number,
  event: HistorySpec['events'][number] | undefined,
  top: number | undefined,
  swap: { last: number; beforeSwap: number; changes: MeterChange[] },
): number {
  const wraps = (v: number) => top !== undefined && v >= top;
  // A reset right after the last reading: the register shows what was used since. Only from a
  // register well above what a few readings add and (with a rollover) below its half, or it
  // would read as a rollover or a glitch.
  if (event?.kind === 'reset' && previous >= 5000 && (top === undefined || previous < top / 2)) return used;
  const oldFinal = previous + swap.beforeSwap;
  const after = event ? event.newInitial + used - swap.beforeSwap : 0;
  if (event?.kind === 'swap' && !wraps(oldFinal) && !wraps(after)) {
    // 5 minutes after the last reading: on the store's window grid.
    swap.changes.push({ at: swap.last + STEP / 2, oldFinal, newInitial: event.newInitial });
    return after;
  }
  const next = previous + used;
  return top !== undefined && next >= top ? next - top : next;
}

// ---------------------------------------------------------------- the reference

interface RefBucket {
  start: number;
  end: number;
  value: number | null;
}

/** Local calendar periods cut to [from, to), found by walking the calendar with luxon. */
function refBuckets(from: number, to: number, resolution: Resolution, zone: string): RefBucket[] {
  const out: RefBucket[] = [];
  let at = DateTime.fromMillis(from, { zone }).startOf(resolution);
  while (at.toMillis() < to) {
    const next =
      resolution === 'hour' ? at.plus({ hours: 1 }) : at.plus({ [`${resolution}s`]: 1 }).startOf(resolution);
    out.push({ start: Math.max(from, at.toMillis()), end: Math.min(to, next.toMillis()), value: null });
    at = next;
  }
  return out;
}

const overlap = (i: TrueInterval, from: number, to: number) =>
  Math.max(0, Math.min(i.to, to) - Math.max(i.from, from));

/** What was used in [from, to): intervals by their share of its time; a gap wholly (for a bucket, only a gap wholly inside it). */
function refUse(
  truth: readonly TrueInterval[],
  from: number,
  to: number,
  insideOnly: boolean,
): number | null {
  let sum: number | null = null;
  for (const i of truth) {
    const ms = overlap(i, from, to);
    if (ms <= 0) continue;
    if (!i.gap) sum = (sum ?? 0) + (i.consumption * ms) / (i.to - i.from);
    else if (!insideOnly || (i.from >= from && i.to <= to)) sum = (sum ?? 0) + i.consumption;
  }
  return sum;
}

/** A range end inside a gap moves to the gap's end: what a gap crossing a range's edge counts is not this test's. */
function outsideGaps(ts: number, truth: readonly TrueInterval[]): number {
  const within = truth.find((i) => i.gap && i.from < ts && ts < i.to);
  return within ? within.to : ts;
}

const close = (actual: number | null | undefined, expected: number | null, what: string) => {
  if (expected === null) {
    expect(actual ?? null, what).toBeNull();
    return;
  }
  expect(actual, what).not.toBeNull();
  expect(Math.abs((actual as number) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    1e-6 + 1e-9 * Math.abs(expected),
  );
};

// ---------------------------------------------------------------- the property

let data: TestStore;
let meterCount = 0;

beforeAll(() => {
  data = emptyStore();
});
afterAll(async () => {
  await data?.close();
});

function meterOf(history: History): Meter {
  const device = `m${++meterCount}`;
  return {
    device,
    name: device,
    commodity: 'electricity',
    unit: 'kWh',
    counterPoint: `${device}.energy_kwh`,
    main: true,
    site: 'site',
    building: device,
    room: 'room',
    buildingName: device,
    roomName: 'room',
    ...(history.rolloverAt === undefined ? {} : { rolloverAt: history.rolloverAt }),
    ...(history.maxRatePerHour === undefined ? {} : { maxRatePerHour: history.maxRatePerHour }),
    changes: history.changes,
  };
}

async function store(meter: Meter, history: History): Promise<void> {
  const values: PointValue[] = history.readings.map((r) => ({
    id: meter.counterPoint,
    value: r.value,
    quality: 'good',
    ts: r.ts - 1,
  }));
  await writeAll(data, [values]);
}

const rangeArb = fc.record({
  from: fc.double({ min: -0.2, max: 1.1, noNaN: true }),
  length: fc.double({ min: 0.001, max: 1, noNaN: true }),
  midnight: fc.boolean(),
});

/** A range over the history (and up to a few days either side), at most 35 days long. */
function rangeOf(r: typeof rangeArb extends fc.Arbitrary<infer T> ? T : never, h: History, zone: string) {
  const span = h.end - h.start;
  let from = h.start + Math.round(r.from * span);
  let to = Math.min(from + Math.max(MINUTE, Math.round(r.length * span * 1.2)), from + MAX_RANGE);
  if (r.midnight) {
    from = DateTime.fromMillis(from, { zone }).startOf('day').toMillis();
    to = Math.max(from + DAY / 2, DateTime.fromMillis(to, { zone }).startOf('day').toMillis());
  }
  from = outsideGaps(from, h.truth);
  to = outsideGaps(to, h.truth);
  return to > from ? { from, to } : { from, to: from + HOUR };
}

async function check(
  meter: Meter,
  history: History,
  zone: string,
  range: { from: number; to: number },
  resolution: Resolution,
): Promise<ConsumptionReport> {
  const report = await consumption(
    data.store,
    [meter],
    { commodity: 'electricity', ...range, resolution, groupBy: 'building' },
    { timezone: zone, maxGapMs: MAX_GAP, now: history.end + DAY },
  );
  const what = `${resolution} ${new Date(range.from).toISOString()} → ${new Date(range.to).toISOString()} ${zone}`;
  const row = report.rows[0];
  const expected = refBuckets(range.from, range.to, resolution, zone);
  expect(
    report.buckets.map((b) => [b.start, b.end]),
    what,
  ).toEqual(expected.map((b) => [b.start, b.end]));
  for (const [i, b] of expected.entries())
    close(row?.buckets[i]?.value, refUse(history.truth, b.start, b.end, true), `${what} [${i}]`);
  close(row?.total, refUse(history.truth, range.from, range.to, false), `${what} total`);
  // The buckets and the gaps placed in none of them add up to the total.
  const unplaced = row?.gaps.filter((g) => g.allocatedTo === undefined).map((g) => g.consumption) ?? [];
  close(
    row?.total,
    sumKnown([...(row?.buckets.map((b) => b.value) ?? []), ...unplaced]),
    `${what} buckets + gaps`,
  );
  return report;
}

describe('consumption of random meter histories', () => {
  it('gives the reference buckets and the same range total at hour, day and month resolution', async () => {
    const property = fc.asyncProperty(
      historyArb,
      fc.constantFrom(...ZONES),
      fc.array(rangeArb, { minLength: 1, maxLength: 3 }),
      async (spec, zone, ranges) => {
        const history = buildHistory(spec);
        const meter = meterOf(history);
        await store(meter, history);
        for (const r of ranges) {
          const range = rangeOf(r, history, zone);
          const days = await check(meter, history, zone, range, 'day');
          for (const e of days.rows[0]?.events ?? []) seen[e.kind] = (seen[e.kind] ?? 0) + 1;
          seen.gap = (seen.gap ?? 0) + (days.rows[0]?.gaps.length ?? 0);
          const months = await check(meter, history, zone, range, 'month');
          close(months.rows[0]?.total, days.rows[0]?.total ?? null, 'month total against day total');
          if (range.to - range.from <= 3 * DAY) await check(meter, history, zone, range, 'hour');
        }
        return true;
      },
    );
    // What the ranges met, on the summary line: the histories must hold each kind of event.
    const seen: Record<string, number> = {};
    await fuzz('consumption: buckets and totals against a reference', property, 60, {
      extra: () =>
        Object.entries(seen)
          .map(([kind, n]) => `${n} ${kind}`)
          .join(', '),
    });
  }, 120_000);
});

/**
 * Consumption from cumulative counters, as an energy manager checks it: a wrap, a reset, a
 * replaced meter, a glitched read or an unrecorded meter swap never shows as negative or huge
 * consumption, and an outage is reported as a gap, not spread over the hours it hid.
 */
import { describe, expect, it } from 'vitest';
import { buckets, localDayStart } from '../../src/energy/calendar.js';
import {
  allocate,
  type CounterInterval,
  type CounterOptions,
  counterIntervals,
  type Reading,
} from '../../src/energy/counter.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 10, 25, 0, 0);
const BERLIN = 'Europe/Berlin';
const UINT32 = 4_294_967_296;

const options: CounterOptions = { maxGapMs: HOUR, maxRatePerHour: 500 };
/** Readings every 15 minutes from T0 with the given values. */
const quarterHourly = (values: number[]): Reading[] =>
  values.map((value, i) => ({ ts: T0 + i * 15 * MIN, value }));
const totalOf = (intervals: CounterInterval[]): number =>
  intervals.reduce((sum, i) => sum + i.consumption, 0);

describe('counterIntervals', () => {
  it('counts plausible rises as consumption', () => {
    const { intervals, events } = counterIntervals(quarterHourly([1000, 1010, 1025, 1025]), options);
    expect(intervals.map((i) => i.consumption)).toEqual([10, 15, 0]);
    expect(intervals.every((i) => !i.gap && i.flag === undefined)).toBe(true);
    expect(events).toEqual([]);
  });

  it('counts a 32-bit kWh register rolling over (4294967290 → 5) as 11 kWh, not −4294967285', () => {
    const readings = quarterHourly([4_294_967_280, 4_294_967_290, 5, 20]);
    const { intervals, events } = counterIntervals(readings, { ...options, rolloverAt: UINT32 });
    expect(intervals.map((i) => i.consumption)).toEqual([10, 11, 15]);
    expect(intervals[1]!.flag).toBe('rollover');
    expect(events).toMatchObject([
      { kind: 'rollover', before: 4_294_967_290, after: 5, ts: readings[2]!.ts },
    ]);
  });

  it('recognises a rollover without a rate limit from the top half to the bottom half of the range', () => {
    const { intervals } = counterIntervals(quarterHourly([4_294_967_290, 5]), {
      maxGapMs: HOUR,
      rolloverAt: UINT32,
    });
    expect(intervals[0]).toMatchObject({ consumption: 11, flag: 'rollover' });
  });

  it('takes a drop to near 0 mid-day as a reset and counts from 0', () => {
    const { intervals, events } = counterIntervals(quarterHourly([52_000, 52_040, 3, 30]), {
      ...options,
      rolloverAt: UINT32,
    });
    expect(intervals.map((i) => i.consumption)).toEqual([40, 3, 27]);
    expect(intervals[1]!.flag).toBe('reset');
    expect(events).toMatchObject([{ kind: 'reset', before: 52_040, after: 3 }]);
    expect(intervals.every((i) => i.consumption >= 0)).toBe(true);
  });

  it('counts a configured meter replacement: old meter to its final 98765.4, new meter from 12.0', () => {
    const readings: Reading[] = [
      { ts: T0, value: 98_750.4 },
      { ts: T0 + 15 * MIN, value: 98_760.4 },
      { ts: T0 + 30 * MIN, value: 15.5 }, // the new meter
      { ts: T0 + 45 * MIN, value: 25.5 },
    ];
    const changes = [
      { at: T0 + 20 * MIN, oldFinal: 98_765.4, newInitial: 12.0, note: 'meter swapped by Elektro Huber' },
    ];
    const { intervals, events } = counterIntervals(readings, { ...options, changes });
    // (98765.4 − 98760.4) + (15.5 − 12.0) = 5 + 3.5 = 8.5
    expect(intervals[1]!.consumption).toBeCloseTo(8.5, 9);
    expect(intervals[1]!.flag).toBe('replacement');
    expect(intervals[2]!.consumption).toBeCloseTo(10, 9);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'replacement' });
    expect(events[0]!.message).toContain('Elektro Huber');
  });

  it('takes the old meter last reading as final when the final was not noted', () => {
    const readings = quarterHourly([500, 510, 4]);
    const changes = [{ at: T0 + 30 * MIN, newInitial: 0 }];
    const { intervals } = counterIntervals(readings, { ...options, changes });
    expect(intervals[1]).toMatchObject({ consumption: 4, flag: 'replacement' });
  });

  it('clamps inconsistent replacement figures to 0 and says so', () => {
    const readings = quarterHourly([500, 510, 4]);
    const changes = [{ at: T0 + 30 * MIN, oldFinal: 505, newInitial: 10 }];
    const { intervals, events } = counterIntervals(readings, { ...options, changes });
    expect(intervals[1]!.consumption).toBe(0);
    expect(events[0]!.message).toMatch(/inconsistent.*below its reading 510.*below its initial 10/);
  });

  it('drops a one-reading glitch spike and counts across it', () => {
    const readings = quarterHourly([1000, 1010, 9_999_999, 1030, 1040]);
    const { intervals, events } = counterIntervals(readings, options);
    expect(intervals.map((i) => [i.from, i.to, i.consumption])).toEqual([
      [T0, T0 + 15 * MIN, 10],
      [T0 + 15 * MIN, T0 + 45 * MIN, 20],
      [T0 + 45 * MIN, T0 + 60 * MIN, 10],
    ]);
    expect(events).toMatchObject([{ kind: 'spike', before: 1010, after: 9_999_999, ts: readings[2]!.ts }]);
    expect(totalOf(intervals)).toBe(40);
  });

  it('drops a one-reading dip to 0 (a bad read) instead of taking it as a reset', () => {
    const { intervals, events } = counterIntervals(quarterHourly([1000, 1010, 0, 1030]), options);
    expect(intervals.map((i) => i.consumption)).toEqual([10, 20]);
    expect(events).toMatchObject([{ kind: 'spike', after: 0 }]);
  });

  it('drops a spike that is the very last reading', () => {
    const { intervals, events } = counterIntervals(quarterHourly([1000, 1010, 9_999_999]), options);
    expect(intervals.map((i) => i.consumption)).toEqual([10]);
    expect(events).toMatchObject([{ kind: 'spike', after: 9_999_999 }]);
    expect(events[0]!.message).toMatch(/latest reading/);
  });

  it('counts nothing for an unrecorded meter change (a jump the next readings continue from) and asks for it to be recorded', () => {
    const { intervals, events } = counterIntervals(
      quarterHourly([1000, 1010, 250_000, 250_010, 250_020]),
      options,
    );
    expect(intervals.map((i) => i.consumption)).toEqual([10, 0, 10, 10]);
    expect(intervals[1]!.flag).toBe('jump');
    expect(events).toMatchObject([{ kind: 'jump', before: 1010, after: 250_000 }]);
    expect(events[0]!.message).toMatch(/record the meter change/i);
  });

  it('marks intervals longer than maxGapMs as gaps and still counts them from the counter', () => {
    const readings: Reading[] = [
      { ts: T0, value: 100 },
      { ts: T0 + 6 * HOUR, value: 700 },
      { ts: T0 + 6 * HOUR + 15 * MIN, value: 725 },
    ];
    const { intervals } = counterIntervals(readings, options);
    expect(intervals).toEqual([
      { from: T0, to: T0 + 6 * HOUR, consumption: 600, gap: true },
      { from: T0 + 6 * HOUR, to: T0 + 6 * HOUR + 15 * MIN, consumption: 25, gap: false },
    ]);
  });

  it('ignores a repeated timestamp and returns nothing for fewer than two readings', () => {
    const readings: Reading[] = [
      { ts: T0, value: 1 },
      { ts: T0, value: 2 },
      { ts: T0 + 15 * MIN, value: 5 },
    ];
    expect(counterIntervals(readings, options).intervals).toEqual([
      { from: T0, to: T0 + 15 * MIN, consumption: 4, gap: false },
    ]);
    expect(counterIntervals([], options)).toEqual({ intervals: [], events: [] });
    expect(counterIntervals([{ ts: T0, value: 1 }], options).intervals).toEqual([]);
  });
});

/** Every 15 minutes from `from` to `to`, rising by a varying amount (a busy daytime, a quiet night). */
function steadyReadings(from: number, to: number): Reading[] {
  const readings: Reading[] = [];
  let value = 10_000;
  for (let ts = from; ts <= to; ts += 15 * MIN) {
    readings.push({ ts, value });
    value += 5 + (Math.floor(ts / HOUR) % 7);
  }
  return readings;
}

const sumOfValues = (list: { value: number | null }[]): number =>
  list.reduce((sum, b) => sum + (b.value ?? 0), 0);

describe('allocate', () => {
  it('makes hourly, daily and monthly sums equal the total when there are no gaps (across the DST change)', () => {
    const from = localDayStart('2026-10-20', BERLIN);
    const to = localDayStart('2026-11-03', BERLIN);
    const { intervals } = counterIntervals(steadyReadings(from, to), options);
    const total = totalOf(intervals);
    for (const resolution of ['hour', 'day', 'month'] as const) {
      const allocation = allocate(intervals, buckets(from, to, resolution, BERLIN));
      expect(allocation.total).toBeCloseTo(total, 6);
      expect(sumOfValues(allocation.buckets)).toBeCloseTo(total, 6);
      expect(allocation.gaps).toEqual([]);
      expect(allocation.buckets.every((b) => b.gapMs === 0 && !b.includesGap)).toBe(true);
      // The data covers whole days, not whole months.
      const fullyCovered = resolution !== 'month';
      expect(allocation.buckets.every((b) => b.coverage === 1)).toBe(fullyCovered);
    }
  });

  it('spreads an interval over the buckets it overlaps in proportion to time', () => {
    const interval: CounterInterval = { from: T0 + 30 * MIN, to: T0 + 90 * MIN, consumption: 12, gap: false };
    const hours = buckets(T0, T0 + 2 * HOUR, 'hour', 'UTC');
    const allocation = allocate([interval], hours);
    expect(allocation.buckets.map((b) => [b.value, b.coverage])).toEqual([
      [6, 0.5],
      [6, 0.5],
    ]);
  });

  it('reports a 6-hour outage over midnight as a gap with its consumption, not spread over the days', () => {
    // Berlin is UTC+1 in November: 21:00 local on the 25th is 20:00 UTC; 03:00 on the 26th is 02:00 UTC.
    const outageFrom = Date.UTC(2026, 10, 25, 20);
    const outageTo = Date.UTC(2026, 10, 26, 2);
    const from = localDayStart('2026-11-25', BERLIN);
    const to = localDayStart('2026-11-27', BERLIN);
    const readings = steadyReadings(from, to).filter((r) => r.ts <= outageFrom || r.ts >= outageTo);
    const { intervals } = counterIntervals(readings, options);
    const outage = intervals.find((i) => i.gap)!;
    expect([outage.from, outage.to]).toEqual([outageFrom, outageTo]);
    expect(outage.consumption).toBeGreaterThan(0);

    const days = allocate(intervals, buckets(from, to, 'day', BERLIN));
    expect(days.gaps).toEqual([{ from: outageFrom, to: outageTo, consumption: outage.consumption }]);
    const [day25, day26] = days.buckets;
    expect(day25).toMatchObject({
      label: '2026-11-25',
      gapMs: 3 * HOUR,
      includesGap: false,
      coverage: 21 / 24,
    });
    expect(day26).toMatchObject({
      label: '2026-11-26',
      gapMs: 3 * HOUR,
      includesGap: false,
      coverage: 21 / 24,
    });
    // Days plus the reported gap account for every kWh the counter moved.
    expect(days.total).toBeCloseTo(totalOf(intervals), 6);
    expect(sumOfValues(days.buckets) + outage.consumption).toBeCloseTo(days.total, 6);

    const hours = allocate(intervals, buckets(from, to, 'hour', BERLIN));
    const hidden = hours.buckets.filter((b) => b.start >= outageFrom && b.end <= outageTo);
    expect(hidden).toHaveLength(6);
    expect(hidden.every((b) => b.value === null && b.gapMs === HOUR && b.coverage === 0)).toBe(true);
  });

  it('adds a gap lying wholly inside one bucket to that bucket and says so', () => {
    const gap: CounterInterval = { from: T0 + 10 * HOUR, to: T0 + 12 * HOUR, consumption: 80, gap: true };
    const around: CounterInterval[] = [
      { from: T0, to: T0 + 10 * HOUR, consumption: 100, gap: false },
      gap,
      { from: T0 + 12 * HOUR, to: T0 + 24 * HOUR, consumption: 120, gap: false },
    ];
    const allocation = allocate(around, buckets(T0, T0 + 24 * HOUR, 'day', 'UTC'));
    expect(allocation.buckets[0]).toMatchObject({
      label: '2026-11-25',
      value: 300,
      includesGap: true,
      gapMs: 2 * HOUR,
      coverage: 22 / 24,
    });
    expect(allocation.gaps).toEqual([
      { from: gap.from, to: gap.to, consumption: 80, allocatedTo: '2026-11-25' },
    ]);
    expect(allocation.total).toBe(300);
  });

  it('leaves a bucket no interval touches at null (unknown, not zero)', () => {
    const interval: CounterInterval = { from: T0, to: T0 + HOUR, consumption: 7, gap: false };
    const allocation = allocate([interval], buckets(T0, T0 + 3 * HOUR, 'hour', 'UTC'));
    expect(allocation.buckets.map((b) => b.value)).toEqual([7, null, null]);
    expect(allocation.buckets[1]!.coverage).toBe(0);
  });

  it('counts in the total intervals that lie outside the buckets', () => {
    const intervals: CounterInterval[] = [
      { from: T0 - HOUR, to: T0, consumption: 5, gap: false },
      { from: T0, to: T0 + HOUR, consumption: 7, gap: false },
    ];
    const allocation = allocate(intervals, buckets(T0, T0 + HOUR, 'hour', 'UTC'));
    expect(allocation.buckets.map((b) => b.value)).toEqual([7]);
    expect(allocation.total).toBe(12);
  });
});

describe('a fall to a level no reset could reach', () => {
  it('counts nothing and flags a jump, rather than the whole new reading', () => {
    // 120 kW at most: a reset to 0 then 1,000,000 kWh ten minutes later is not a reset.
    const readings = [
      { ts: 0, value: 2_000_000 },
      { ts: 600_000, value: 2_000_020 },
      { ts: 1_200_000, value: 1_000_000 },
      { ts: 1_800_000, value: 1_000_020 },
    ];
    const { intervals, events } = counterIntervals(readings, { maxGapMs: 3_600_000, maxRatePerHour: 180 });
    expect(intervals.map((i) => i.consumption)).toEqual([20, 0, 20]);
    expect(events.map((e) => e.kind)).toEqual(['jump']);
  });
});

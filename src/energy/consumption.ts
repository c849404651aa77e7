/**
 * Consumption per meter, room, building or site over local hours, days or months: counter
 * readings from the store, turned into increments that survive rollovers, resets and meter
 * changes, then allocated to calendar buckets with their gaps shown, never filled.
 */
import type { TimeSeriesStore } from '../storage/index.js';
import { type Bucket, type RangeBucket, type Resolution, rangeBuckets } from './calendar.js';
import {
  allocate,
  type BucketConsumption,
  type CounterEvent,
  counterIntervals,
  type Gap,
  type Reading,
} from './counter.js';
import type { Equivalents } from './equivalents.js';
import { type Commodity, type Meter, topMeters } from './meters.js';

export const GROUPINGS = ['meter', 'room', 'building', 'site'] as const;
export type Grouping = (typeof GROUPINGS)[number];

export interface ConsumptionQuery {
  commodity: Commodity;
  from: number;
  to: number;
  resolution: Resolution;
  groupBy: Grouping;
  /** Only these meters (device ids); default: every meter for "meter", the mains otherwise. */
  meters?: readonly string[];
}

export interface MeterConsumption {
  meter: Meter;
  buckets: BucketConsumption[];
  /** Null when no reading tells anything of the range: no data, not 0. */
  total: number | null;
  gaps: Gap[];
  events: CounterEvent[];
}

export interface ConsumptionRow {
  key: string;
  name: string;
  /** The name in Chinese, when configured. */
  nameZh?: string;
  /** The meters summed into this row. */
  meters: string[];
  unit: string;
  buckets: BucketConsumption[];
  /** Null when none of its meters has data for the range. */
  total: number | null;
  gaps: (Gap & { meter: string })[];
  events: (CounterEvent & { meter: string })[];
}

export interface ConsumptionReport {
  commodity: Commodity;
  unit: string;
  from: number;
  to: number;
  resolution: Resolution;
  groupBy: Grouping;
  timezone: string;
  /** Cut to [from, to); flagged when cut (clipped) or still going on at `asOf` (partial). */
  buckets: RangeBucket[];
  rows: ConsumptionRow[];
  /** Null when no row has data. */
  total: number | null;
  /** The instant the report was made: buckets ending after it are partial. */
  asOf: number;
  /** The API's electricity and gas answers: the site's tce and gas CO₂ over the same periods. */
  equivalents?: Equivalents;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Counter readings are the last value of each window: 5 minutes up to a month, coarser for
 * longer ranges, so a year of a water meter read every 5 s stays a few thousand rows.
 */
export function readingWindow(rangeMs: number): number {
  if (rangeMs <= 35 * DAY) return 5 * MINUTE;
  if (rangeMs <= 100 * DAY) return 15 * MINUTE;
  return 60 * MINUTE;
}

export async function readCounter(
  store: TimeSeriesStore,
  point: string,
  from: number,
  to: number,
  changes: readonly number[] = [],
  /**
   * How far beyond the range to look for the readings either side of it (a meter reporting
   * every 15 minutes has none in the 5 minutes before midnight): the intervals across the
   * range's ends are then shared out by time instead of the range's edges going uncounted.
   */
  marginMs = 0,
): Promise<{ readings: Reading[]; windowMs: number }> {
  const windowMs = readingWindow(to - from);
  // At least one window before `from`: the reading the first interval starts from.
  const start = Math.floor((from - marginMs) / windowMs) * windowMs - windowMs;
  const end = Math.ceil((to + marginMs) / windowMs) * windowMs;
  const readings: Reading[] = [];
  for (const segment of segmentsOf(start, end, windowMs, changes)) {
    const rows = await store.query({
      point,
      from: segment.from,
      to: segment.to,
      windowMs,
      aggregate: 'last',
    });
    // A window's last value was read by the window's end: date it there. Before a meter change,
    // by the instant before it: a reading at the change is the new meter's (see counterIntervals).
    const latest = segment.beforeChange ? segment.to - 1 : segment.to;
    for (const r of rows)
      if (typeof r.value === 'number' && Number.isFinite(r.value))
        readings.push({ ts: Math.min(r.ts + windowMs, latest), value: r.value });
  }
  return { readings, windowMs };
}

/**
 * The store's windows, cut at each recorded meter change so that no window holds readings of
 * both meters (its last value would be dated after the change even when it is the old meter's,
 * and the change would be applied to the wrong interval); back on the window grid after it.
 */
function segmentsOf(
  start: number,
  to: number,
  windowMs: number,
  changes: readonly number[],
): { from: number; to: number; beforeChange: boolean }[] {
  const cuts = [...new Set(changes)].filter((at) => at > start && at < to).sort((a, b) => a - b);
  const bounds = new Map<number, boolean>([[to, false]]);
  for (const at of cuts) {
    bounds.set(at, true);
    const realign = Math.ceil(at / windowMs) * windowMs;
    if (realign < to && !bounds.has(realign)) bounds.set(realign, false);
  }
  const ends = [...bounds.keys()].sort((a, b) => a - b);
  return ends.map((end, i) => ({
    from: i === 0 ? start : (ends[i - 1] as number),
    to: end,
    beforeChange: bounds.get(end) === true,
  }));
}

export async function meterConsumption(
  store: TimeSeriesStore,
  meter: Meter,
  buckets: Bucket[],
  maxGapMs: number,
): Promise<MeterConsumption> {
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  if (!first || !last) return { meter, buckets: [], total: null, gaps: [], events: [] };
  const { readings, windowMs } = await readCounter(
    store,
    meter.counterPoint,
    first.start,
    last.end,
    meter.changes.map((c) => c.at),
    maxGapMs,
  );
  const { intervals, events } = counterIntervals(readings, {
    // Readings are a window apart at best: a gap is a missing window or more.
    maxGapMs: Math.max(maxGapMs, 2 * windowMs),
    ...(meter.rolloverAt === undefined ? {} : { rolloverAt: meter.rolloverAt }),
    ...(meter.maxRatePerHour === undefined ? {} : { maxRatePerHour: meter.maxRatePerHour }),
    changes: meter.changes,
  });
  const allocated = allocate(intervals, buckets);
  // The range's own consumption: what landed in its buckets, plus gaps spanning buckets
  // (known from the counter, not placed in any bucket). The reading before the range only
  // anchors the first interval.
  const gaps = allocated.gaps.filter((g) => g.to > first.start && g.from < last.end);
  const placed = sumKnown(allocated.buckets.map((b) => b.value));
  const unplaced = sumKnown(gaps.filter((g) => g.allocatedTo === undefined).map((g) => g.consumption));
  // An event is dated by the reading that ends its interval: the interval (and the event) is
  // the range's when that reading is in (start, end]. The range's last reading is dated at its
  // end; the next range only starts from it.
  const inRange = events.filter((e) => e.ts > first.start && e.ts <= last.end);
  const total = placed === null && unplaced === null ? null : (placed ?? 0) + (unplaced ?? 0);
  return { meter, buckets: allocated.buckets, total, gaps, events: inRange };
}

/** The sum of the known values; null when none is known (no data is not 0). */
export function sumKnown(values: readonly (number | null)[]): number | null {
  return values.reduce<number | null>((sum, v) => (v === null ? sum : (sum ?? 0) + v), null);
}

/** The group a meter's consumption is summed into. */
function groupOf(
  meter: Meter,
  groupBy: Grouping,
): { key: string; name: string; nameZh?: string | undefined } {
  switch (groupBy) {
    case 'meter':
      return { key: meter.device, name: meter.name, nameZh: meter.nameZh };
    case 'room':
      return {
        key: `${meter.site}/${meter.building}/${meter.room}`,
        name: meter.roomName,
        nameZh: meter.roomNameZh,
      };
    case 'building':
      return {
        key: `${meter.site}/${meter.building}`,
        name: meter.buildingName,
        nameZh: meter.buildingNameZh,
      };
    case 'site':
      return { key: meter.site, name: meter.site };
  }
}

export function selectMeters(
  all: readonly Meter[],
  query: Pick<ConsumptionQuery, 'commodity' | 'groupBy' | 'meters'>,
) {
  const ofKind = all.filter((m) => m.commodity === query.commodity);
  // Sub-meters measure part of what a meter above them already counts: summing both double
  // counts. By meter every one is listed, and only the top ones add up to the total.
  if (query.meters) {
    const picked = ofKind.filter((m) => query.meters?.includes(m.device));
    return query.groupBy === 'meter' ? picked : topMeters(picked, ofKind);
  }
  return query.groupBy === 'meter' ? ofKind : ofKind.filter((m) => m.main);
}

export async function consumption(
  store: TimeSeriesStore,
  meters: readonly Meter[],
  query: ConsumptionQuery,
  settings: {
    timezone: string;
    maxGapMs: number;
    siteNames?: ReadonlyMap<string, string>;
    siteNamesZh?: ReadonlyMap<string, string>;
    /** Buckets ending after this are partial; default: the clock. */
    now?: number;
  },
): Promise<ConsumptionReport> {
  const asOf = settings.now ?? Date.now();
  const buckets = rangeBuckets(query.from, query.to, query.resolution, settings.timezone, asOf);
  const chosen = selectMeters(meters, query);
  const perMeter = await Promise.all(
    chosen.map(async (m) =>
      elapsedCoverage(await meterConsumption(store, m, buckets, settings.maxGapMs), asOf),
    ),
  );
  const rows = new Map<string, ConsumptionRow>();
  for (const result of perMeter) {
    const group = groupOf(result.meter, query.groupBy);
    const name = query.groupBy === 'site' ? (settings.siteNames?.get(group.key) ?? group.name) : group.name;
    const nameZh = query.groupBy === 'site' ? settings.siteNamesZh?.get(group.key) : group.nameZh;
    const row = rows.get(group.key) ?? emptyRow(group.key, name, result.meter.unit, buckets);
    if (nameZh) row.nameZh = nameZh;
    addInto(row, result);
    rows.set(group.key, row);
  }
  const list = [...rows.values()];
  const top = new Set(topMeters(chosen, meters).map((m) => m.device));
  const counted = query.groupBy === 'meter' ? list.filter((r) => top.has(r.key)) : list;
  return {
    commodity: query.commodity,
    unit: chosen[0]?.unit ?? (query.commodity === 'electricity' ? 'kWh' : 'm³'),
    from: query.from,
    to: query.to,
    resolution: query.resolution,
    groupBy: query.groupBy,
    timezone: settings.timezone,
    buckets,
    rows: list,
    total: sumKnown(counted.map((r) => r.total)),
    asOf,
  };
}

/**
 * A bucket still going on is covered by readings up to now at best: its coverage is the share
 * of its time elapsed so far, so today's figure is not marked as short of readings.
 */
function elapsedCoverage(result: MeterConsumption, now: number): MeterConsumption {
  for (const b of result.buckets) {
    if (b.end <= now) continue;
    const elapsed = now - b.start;
    b.coverage = elapsed > 0 ? Math.min(1, (b.coverage * (b.end - b.start)) / elapsed) : 0;
  }
  return result;
}

function emptyRow(key: string, name: string, unit: string, buckets: Bucket[]): ConsumptionRow {
  return {
    key,
    name,
    meters: [],
    unit,
    buckets: buckets.map((b) => ({ ...b, value: null, coverage: 1, gapMs: 0, includesGap: false })),
    total: null,
    gaps: [],
    events: [],
  };
}

/** A group's bucket is the sum of its meters'; its coverage is the worst meter's. */
function addInto(row: ConsumptionRow, result: MeterConsumption): void {
  const first = row.meters.length === 0;
  row.meters.push(result.meter.device);
  result.buckets.forEach((b, i) => {
    const into = row.buckets[i];
    if (!into) return;
    if (b.value !== null) into.value = (into.value ?? 0) + b.value;
    into.coverage = first ? b.coverage : Math.min(into.coverage, b.coverage);
    into.gapMs = Math.max(into.gapMs, b.gapMs);
    into.includesGap ||= b.includesGap;
  });
  if (result.total !== null) row.total = (row.total ?? 0) + result.total;
  row.gaps.push(...result.gaps.map((g) => ({ ...g, meter: result.meter.device })));
  row.events.push(...result.events.map((e) => ({ ...e, meter: result.meter.device })));
}

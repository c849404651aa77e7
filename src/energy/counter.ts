/**
 * Consumption from cumulative counters (kWh, m³). A register that wraps, a meter reset by a
 * technician, a replaced meter or a glitched read must never show as negative or huge
 * consumption: each is recognised, counted sensibly and reported as an event the energy manager
 * can act on. Outages are kept as gaps and reported, never silently spread.
 */
import type { Bucket } from './calendar.js';

const HOUR_MS = 3_600_000;

/** A good-quality counter reading; readings are passed sorted by ts. */
export interface Reading {
  ts: number;
  value: number;
}

/** A meter replaced (or reset by a technician) at `at`, as recorded in config. */
export interface MeterChange {
  at: number;
  /** The old meter's final reading, when it was noted; otherwise its last reading is taken as final. */
  oldFinal?: number;
  /** The new meter's first reading. */
  newInitial: number;
  note?: string;
}

export interface CounterOptions {
  /** The register wraps to 0 after this value, e.g. 4294967296 for a uint32 kWh register with scale 1. */
  rolloverAt?: number;
  /** Readings further apart than this bound a gap. */
  maxGapMs: number;
  /**
   * The highest plausible rise per hour; a faster rise is a glitch or an unrecorded meter change.
   * Set it well above the real peak, and with a coarse register polled fast allow at least one
   * register step per poll interval.
   */
  maxRatePerHour?: number;
  changes?: readonly MeterChange[];
}

export type IntervalFlag = 'rollover' | 'reset' | 'replacement' | 'jump';

/** Consumption between two accepted readings. */
export interface CounterInterval {
  from: number;
  to: number;
  consumption: number;
  /** The readings are further apart than maxGapMs: consumption is known, its timing within is not. */
  gap: boolean;
  flag?: IntervalFlag;
}

export interface CounterEvent {
  /** Time of the reading that triggered the event. */
  ts: number;
  kind: 'rollover' | 'reset' | 'replacement' | 'spike' | 'jump';
  /** The previous accepted reading's value. */
  before: number;
  /** The reading's value. */
  after: number;
  message: string;
}

export interface CounterResult {
  intervals: CounterInterval[];
  events: CounterEvent[];
}

/**
 * Turns counter readings into consumption intervals.
 * - A plausible rise is consumption.
 * - A configured MeterChange between two readings counts the old meter to its final reading plus
 *   the new meter from its first reading (flag 'replacement').
 * - A single reading that leaves the line (too fast a rise, or a dip) while the next reading is
 *   back in line with the previous one is a glitch: dropped, event 'spike'. A glitch as the very
 *   last reading is dropped too. Only one-reading glitches are recognised.
 * - Too fast a rise that the following reading continues from is an unrecorded meter change:
 *   nothing is counted (flag 'jump') and the event asks for the change to be recorded in config.
 * - A decrease is a rollover when rolloverAt is set and the wrapped rise is plausible, otherwise a
 *   reset to 0 (consumption = the new reading).
 * Readings at the same ts as the previous accepted one are ignored.
 */
export function counterIntervals(readings: readonly Reading[], options: CounterOptions): CounterResult {
  const result: CounterResult = { intervals: [], events: [] };
  const first = readings[0];
  if (!first) return result;
  let previous = first;
  for (let i = 1; i < readings.length; i++) {
    const current = readings[i] as Reading;
    if (current.ts <= previous.ts) continue;
    const step = classifyStep(previous, current, readings[i + 1], options);
    if (step.event) result.events.push(step.event);
    if (step.kind === 'drop') continue;
    result.intervals.push(intervalOf(previous, current, step.consumption, step.flag, options));
    previous = current;
  }
  return result;
}

type Step =
  | { kind: 'drop'; event: CounterEvent }
  | { kind: 'count'; consumption: number; flag?: IntervalFlag; event?: CounterEvent };

function classifyStep(
  previous: Reading,
  current: Reading,
  next: Reading | undefined,
  options: CounterOptions,
): Step {
  const changes = changesBetween(previous.ts, current.ts, options.changes);
  if (changes.length > 0) return replacementStep(previous, current, changes);
  const rise = current.value - previous.value;
  if (rise >= 0 && isPlausibleRise(rise, current.ts - previous.ts, options))
    return { kind: 'count', consumption: rise };
  if (isGlitch(previous, current, next, options)) return spikeStep(previous, current, next === undefined);
  if (rise >= 0) return jumpStep(previous, current, 'jumped faster than plausible and kept the new level,');
  return rolloverOrResetStep(previous, current, options);
}

function intervalOf(
  previous: Reading,
  current: Reading,
  consumption: number,
  flag: IntervalFlag | undefined,
  options: CounterOptions,
): CounterInterval {
  const interval: CounterInterval = {
    from: previous.ts,
    to: current.ts,
    consumption,
    gap: current.ts - previous.ts > options.maxGapMs,
  };
  if (flag) interval.flag = flag;
  return interval;
}

function isPlausibleRise(rise: number, elapsedMs: number, options: CounterOptions): boolean {
  if (options.maxRatePerHour === undefined) return true;
  return rise <= (options.maxRatePerHour * elapsedMs) / HOUR_MS;
}

/**
 * The reading is out of line and the next one is back in line with the previous reading (no
 * configured change in between). A reading out of line at the very end cannot be confirmed either
 * way; a rise is then dropped (the next batch will tell), a decrease is left to rollover/reset.
 */
function isGlitch(
  previous: Reading,
  current: Reading,
  next: Reading | undefined,
  options: CounterOptions,
): boolean {
  if (!next) return current.value >= previous.value;
  if (changesBetween(previous.ts, next.ts, options.changes).length > 0) return false;
  const riseToNext = next.value - previous.value;
  return riseToNext >= 0 && isPlausibleRise(riseToNext, next.ts - previous.ts, options);
}

function spikeStep(previous: Reading, current: Reading, isLast: boolean): Step {
  const where = isLast ? 'is the latest reading and is' : 'is';
  return {
    kind: 'drop',
    event: {
      ts: current.ts,
      kind: 'spike',
      before: previous.value,
      after: current.value,
      message: `Reading ${current.value} ${where} out of line with ${previous.value} (a glitch): dropped, nothing counted`,
    },
  };
}

const UNRECORDED_CHANGE =
  'probably an unrecorded meter change. Nothing was counted for this interval; ' +
  'record the meter change (old final and new initial reading) in the config to recover it';

/** An unexplained step to another level: nothing counted, and the energy manager told why. */
function jumpStep(previous: Reading, current: Reading, what: string): Step {
  return {
    kind: 'count',
    consumption: 0,
    flag: 'jump',
    event: {
      ts: current.ts,
      kind: 'jump',
      before: previous.value,
      after: current.value,
      message: `Counter ${what} from ${previous.value} to ${current.value}: ${UNRECORDED_CHANGE}`,
    },
  };
}

function rolloverOrResetStep(previous: Reading, current: Reading, options: CounterOptions): Step {
  const wrapped = wrappedRise(previous, current, options);
  if (wrapped !== null) {
    return {
      kind: 'count',
      consumption: wrapped,
      flag: 'rollover',
      event: {
        ts: current.ts,
        kind: 'rollover',
        before: previous.value,
        after: current.value,
        message: `Counter rolled over at ${options.rolloverAt} (${previous.value} → ${current.value}): counted ${wrapped}`,
      },
    };
  }
  // A fall to a reading that could not have been reached from 0 in the time: not a reset to 0
  // but a meter that went back to some other level (swapped, or restored from a backup).
  if (!isPlausibleRise(current.value, current.ts - previous.ts, options))
    return jumpStep(previous, current, 'fell, too high for a reset to 0 in the time,');
  return {
    kind: 'count',
    consumption: current.value,
    flag: 'reset',
    event: {
      ts: current.ts,
      kind: 'reset',
      before: previous.value,
      after: current.value,
      message: `Counter fell from ${previous.value} to ${current.value}: taken as a reset to 0, counted ${current.value}`,
    },
  };
}

/** The rise across a wrap of the register, or null when a wrap does not explain the decrease. */
function wrappedRise(previous: Reading, current: Reading, options: CounterOptions): number | null {
  const { rolloverAt } = options;
  if (rolloverAt === undefined) return null;
  const rise = rolloverAt - previous.value + current.value;
  if (rise < 0) return null;
  if (options.maxRatePerHour !== undefined) {
    return isPlausibleRise(rise, current.ts - previous.ts, options) ? rise : null;
  }
  // Without a rate limit, a wrap must go from the top half of the range to the bottom half.
  const half = rolloverAt / 2;
  return previous.value >= half && current.value < half ? rise : null;
}

/** Configured changes with previous.ts < at <= current.ts: a reading at `at` is the new meter's. */
function changesBetween(from: number, to: number, changes: readonly MeterChange[] = []): MeterChange[] {
  return changes.filter((change) => change.at > from && change.at <= to).sort((a, b) => a.at - b.at);
}

/**
 * Old meter up to its final reading, then each new meter from its first reading. A negative
 * part means the recorded figures disagree with the readings: it is counted as 0 and said so.
 */
function replacementStep(previous: Reading, current: Reading, changes: readonly MeterChange[]): Step {
  const problems: string[] = [];
  let consumption = 0;
  let from = previous.value;
  for (const [index, change] of changes.entries()) {
    const until = change.oldFinal ?? from;
    consumption += nonNegativePart(
      until - from,
      `old meter final ${until} is below its reading ${from}`,
      problems,
    );
    from = change.newInitial;
    const nextChange = changes[index + 1];
    if (!nextChange) {
      const part = current.value - from;
      consumption += nonNegativePart(
        part,
        `new meter reading ${current.value} is below its initial ${from}`,
        problems,
      );
    }
  }
  const notes = changes.map((change) => change.note).filter(Boolean);
  const message =
    `Meter change recorded in config (${notes.length > 0 ? notes.join('; ') : 'no note'}): counted ${consumption}` +
    (problems.length > 0 ? `; inconsistent figures counted as 0: ${problems.join('; ')}` : '');
  return {
    kind: 'count',
    consumption,
    flag: 'replacement',
    event: { ts: current.ts, kind: 'replacement', before: previous.value, after: current.value, message },
  };
}

function nonNegativePart(part: number, problem: string, problems: string[]): number {
  if (part >= 0) return part;
  problems.push(problem);
  return 0;
}

/** Consumption of one calendar bucket. */
export interface BucketConsumption {
  start: number;
  end: number;
  label: string;
  /**
   * Consumption counted into the bucket; null when nothing was (no interval overlaps it, or only
   * a gap that spans several buckets and so was not allocated: unknown, not zero).
   */
  value: number | null;
  /** 0..1: share of the bucket's time (up to now, for a bucket still going on) covered by non-gap intervals. */
  coverage: number;
  /** Time of the bucket covered by gap intervals. */
  gapMs: number;
  /** A gap lying wholly inside this bucket was added to its value. */
  includesGap: boolean;
}

/** A gap interval: consumption known from the counter, timing within unknown. */
export interface Gap {
  from: number;
  to: number;
  consumption: number;
  /** Label of the bucket the gap lies wholly inside and was added to; absent when it spans several. */
  allocatedTo?: string;
}

export interface Allocation {
  buckets: BucketConsumption[];
  gaps: Gap[];
  /** Sum of all interval consumption, including gaps not allocated and intervals outside the buckets. */
  total: number;
}

/**
 * Spreads intervals over sorted, contiguous buckets: a non-gap interval in proportion to time, a
 * gap only when it lies wholly inside one bucket. Gaps are reported, never silently spread.
 */
export function allocate(intervals: readonly CounterInterval[], buckets: readonly Bucket[]): Allocation {
  const result: BucketConsumption[] = buckets.map((bucket) => ({
    start: bucket.start,
    end: bucket.end,
    label: bucket.label,
    value: null,
    coverage: 0,
    gapMs: 0,
    includesGap: false,
  }));
  const gaps: Gap[] = [];
  let total = 0;
  for (const interval of intervals) {
    total += interval.consumption;
    if (interval.gap) gaps.push(allocateGap(interval, result));
    else spread(interval, result);
  }
  for (const bucket of result) bucket.coverage = Math.min(1, bucket.coverage / (bucket.end - bucket.start));
  return { buckets: result, gaps, total };
}

/** Coverage holds covered ms until allocate turns it into a share. */
function spread(interval: CounterInterval, buckets: BucketConsumption[]): void {
  const duration = interval.to - interval.from;
  for (const [bucket, overlapMs] of overlapping(interval, buckets)) {
    bucket.value = (bucket.value ?? 0) + (interval.consumption * overlapMs) / duration;
    bucket.coverage += overlapMs;
  }
}

function allocateGap(interval: CounterInterval, buckets: BucketConsumption[]): Gap {
  const gap: Gap = { from: interval.from, to: interval.to, consumption: interval.consumption };
  const overlaps = overlapping(interval, buckets);
  for (const [bucket, overlapMs] of overlaps) bucket.gapMs += overlapMs;
  const [only] = overlaps;
  if (overlaps.length === 1 && only && interval.from >= only[0].start && interval.to <= only[0].end) {
    only[0].value = (only[0].value ?? 0) + interval.consumption;
    only[0].includesGap = true;
    gap.allocatedTo = only[0].label;
  }
  return gap;
}

/** Buckets the interval overlaps for a positive time, with the overlap in ms. */
function overlapping(interval: CounterInterval, buckets: BucketConsumption[]): [BucketConsumption, number][] {
  const found: [BucketConsumption, number][] = [];
  for (let i = firstBucketEndingAfter(interval.from, buckets); i < buckets.length; i++) {
    const bucket = buckets[i] as BucketConsumption;
    if (bucket.start >= interval.to) break;
    const overlapMs = Math.min(bucket.end, interval.to) - Math.max(bucket.start, interval.from);
    if (overlapMs > 0) found.push([bucket, overlapMs]);
  }
  return found;
}

/** Binary search: buckets are sorted, so intervals find their first bucket in log time. */
function firstBucketEndingAfter(ts: number, buckets: readonly BucketConsumption[]): number {
  let low = 0;
  let high = buckets.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((buckets[middle] as BucketConsumption).end <= ts) low = middle + 1;
    else high = middle;
  }
  return low;
}

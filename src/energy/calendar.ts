/**
 * Local calendar periods for energy reports: an hour, day or month is the plant's local one, so
 * a day can last 23 or 25 hours and a month starts at local midnight, whatever zone the
 * gateway's machine runs in. Pure: every function takes the IANA zone it works in.
 */
import { DateTime, IANAZone } from 'luxon';
import { minutesOf } from '../clock/index.js';

export type Resolution = 'hour' | 'day' | 'month';

/** One local calendar period. */
export interface Bucket {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  /**
   * Local name of the period: "2026-11-25 14:00", "2026-11-25" or "2026-11".
   * The hour that repeats when clocks go back carries its UTC offset, "2026-10-25 02:00+02:00"
   * then "2026-10-25 02:00+01:00", so every label is unique; all other labels have none.
   */
  label: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const RELATIVE_DAYS = /^-(\d+)d$/;

/** Throws a clear error for a zone the runtime does not know (a typo would otherwise read as UTC). */
export function assertZone(zone: string): void {
  if (!IANAZone.isValidZone(zone))
    throw new RangeError(`Unknown time zone "${zone}" (expected an IANA zone such as "Europe/Berlin")`);
}

/** Local calendar periods that overlap [from, to), from the period holding `from` to the one holding `to - 1`. */
export function buckets(from: number, to: number, resolution: Resolution, zone: string): Bucket[] {
  assertZone(zone);
  if (to < from) throw new RangeError(`Period ends (${to}) before it starts (${from})`);
  if (resolution === 'hour') return hourBuckets(from, to, zone);
  const result: Bucket[] = [];
  let start: DateTime = DateTime.fromMillis(from, { zone }).startOf(resolution);
  while (start.toMillis() < to) {
    const end = nextPeriodStart(start, resolution);
    result.push({ start: start.toMillis(), end: end.toMillis(), label: labelOf(start, resolution) });
    start = end;
  }
  return result;
}

const HOUR_MS = 3_600_000;

/**
 * Hours are elapsed time, so they are made by adding an hour, and named from the zone's offset
 * at each: a year of hours (a cost report prices every one) in a few ms, where a luxon DateTime
 * per hour took half a second. A wall-clock hour that occurs twice (clocks going back) carries
 * its offset in the label, as labelOf says.
 */
function hourBuckets(from: number, to: number, zone: string): Bucket[] {
  const tz = IANAZone.create(zone);
  const first = DateTime.fromMillis(from, { zone }).startOf('hour').toMillis();
  const wallClock = (at: number, offset: number) => {
    const iso = new Date(at + offset * 60_000).toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  };
  const starts: number[] = [];
  for (let at = first; at < to; at += HOUR_MS) starts.push(at);
  // One more hour either side: a change of offset (at most one within an hour) shows there.
  const offsets = [first - HOUR_MS, ...starts, first + starts.length * HOUR_MS].map((at) => tz.offset(at));
  return starts.map((start, i) => {
    const offset = offsets[i + 1] as number;
    const label = wallClock(start, offset);
    const neighbours = [offsets[i] as number, offsets[i + 2] as number];
    // The wall clock repeats when the same reading under a neighbour's offset is a real instant
    // too: Berlin's 02:00 on a night clocks go back, Lord Howe's 01:30 (they go back 30 minutes).
    const repeated = neighbours.some(
      (other) => other !== offset && tz.offset(start + (offset - other) * 60_000) === other,
    );
    return { start, end: start + HOUR_MS, label: repeated ? `${label}${offsetText(offset)}` : label };
  });
}

/** "+02:00" for an offset of 120 minutes, as luxon's "ZZ". */
function offsetText(minutes: number): string {
  const abs = Math.abs(minutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A local calendar period cut to a report's range [from, to). */
export interface RangeBucket extends Bucket {
  /**
   * The range starts or ends inside the period, so start, end and label are the part of it in
   * the range ("2026-11-01–07" of November; "2026-11-25 06:30–24:00" of a day).
   */
  clipped: boolean;
  /** The bucket ends after now: its figure is so far, not the period's. */
  partial: boolean;
}

/**
 * The periods of `buckets` cut to [from, to): a report over 1–7 November by month has one
 * bucket, 1–7 November, never the whole month. `now` marks the buckets still going on.
 */
export function rangeBuckets(
  from: number,
  to: number,
  resolution: Resolution,
  zone: string,
  now: number,
): RangeBucket[] {
  return buckets(from, to, resolution, zone).map((period) => {
    const start = Math.max(period.start, from);
    const end = Math.min(period.end, to);
    const clipped = start !== period.start || end !== period.end;
    const label = clipped ? spanLabel(start, end, zone) : period.label;
    return { start, end, label, clipped, partial: end > now };
  });
}

/**
 * The local name of a span within one period: whole days as "2026-11-01–07" (the last day
 * inclusive, as a calendar reads), otherwise minutes with the end exclusive,
 * "2026-11-25 06:30–07:00" or "2026-11-25 06:30–24:00".
 */
export function spanLabel(start: number, end: number, zone: string): string {
  const first = DateTime.fromMillis(start, { zone });
  const after = DateTime.fromMillis(end, { zone });
  const midnight = (t: DateTime) => t.toMillis() === t.startOf('day').toMillis();
  if (midnight(first) && midnight(after)) {
    const last = after.minus({ days: 1 });
    const from = first.toFormat('yyyy-MM-dd');
    if (last.hasSame(first, 'day')) return from;
    return `${from}–${last.toFormat(last.hasSame(first, 'month') ? 'dd' : 'yyyy-MM-dd')}`;
  }
  const endOfFirstDay = midnight(after) && after.minus({ days: 1 }).hasSame(first, 'day');
  const until = endOfFirstDay
    ? '24:00'
    : after.toFormat(after.hasSame(first, 'day') ? 'HH:mm' : 'yyyy-MM-dd HH:mm');
  return `${first.toFormat('yyyy-MM-dd HH:mm')}–${until}`;
}

/**
 * The share of its local month a span within it covers, by days: a month bucket clipped to
 * 1–15 November is 15/30 of it. Counted in calendar days, so a day of 23 or 25 hours when the
 * clocks change is still one day; a part of a day counts as that part.
 */
export function monthShare(span: Bucket, zone: string): number {
  assertZone(zone);
  const start = DateTime.fromMillis(span.start, { zone });
  const end = DateTime.fromMillis(span.end, { zone });
  return end.diff(start, 'days').days / (start.daysInMonth ?? 30);
}

/** Days and months are calendar steps (a day can last 23 or 25 hours); hours: see hourBuckets. */
function nextPeriodStart(start: DateTime, resolution: 'day' | 'month'): DateTime {
  return start.plus({ [`${resolution}s`]: 1 }).startOf(resolution);
}

function labelOf(start: DateTime, resolution: 'day' | 'month'): string {
  return start.toFormat(resolution === 'month' ? 'yyyy-MM' : 'yyyy-MM-dd');
}

/** Epoch ms of local midnight starting a "YYYY-MM-DD" day (its first instant if midnight is skipped). */
export function localDayStart(date: string, zone: string): number {
  return localDate(date, zone).toMillis();
}

/** Local "YYYY-MM-DD" of an instant. */
export function dayOf(ts: number, zone: string): string {
  assertZone(zone);
  return DateTime.fromMillis(ts, { zone }).toFormat('yyyy-MM-dd');
}

/** Local "YYYY-MM" of an instant. */
export function monthOf(ts: number, zone: string): string {
  assertZone(zone);
  return DateTime.fromMillis(ts, { zone }).toFormat('yyyy-MM');
}

/**
 * The night window that begins on the evening of `date`. A start time before noon is read as
 * the small hours after that evening, so it falls on the next calendar day:
 * - 23:00–05:00 for D: D 23:00 → D+1 05:00
 * - 01:00–05:00 for D: D+1 01:00 → D+1 05:00
 * - 18:00–22:00 for D: D 18:00 → D 22:00
 * The end is on the day after the start when `to <= from` (equal times give 24 hours).
 * A wall time skipped by a DST change moves forward to the first valid instant.
 */
export function nightWindow(
  date: string,
  from: string,
  to: string,
  zone: string,
): { start: number; end: number } {
  assertTime(from);
  assertTime(to);
  const evening = localDate(date, zone);
  const startDay = minutesOf(from) < 12 * 60 ? evening.plus({ days: 1 }) : evening;
  const endDay = minutesOf(to) <= minutesOf(from) ? startDay.plus({ days: 1 }) : startDay;
  return { start: atWallTime(startDay, from).toMillis(), end: atWallTime(endDay, to).toMillis() };
}

/**
 * One end of a report period: "YYYY-MM-DD" (local midnight), an ISO date-time (local to the zone
 * unless it carries an offset or Z) or "-30d" (local midnight 30 calendar days before today).
 */
export function parsePeriodBound(raw: string, zone: string, now: number): number {
  assertZone(zone);
  const text = raw.trim();
  if (DATE.test(text)) return localDayStart(text, zone);
  const relative = RELATIVE_DAYS.exec(text);
  if (relative) {
    const today = DateTime.fromMillis(now, { zone }).startOf('day');
    return today.minus({ days: Number(relative[1]) }).toMillis();
  }
  if (text.includes('T')) {
    const parsed = DateTime.fromISO(text, { zone, setZone: false });
    if (parsed.isValid) return parsed.toMillis();
  }
  throw new RangeError(
    `Cannot read period bound "${raw}": expected "YYYY-MM-DD", an ISO date-time such as "2026-11-25T06:00" or "-30d"`,
  );
}

function localDate(date: string, zone: string): DateTime {
  assertZone(zone);
  const parsed = DATE.test(date) ? DateTime.fromISO(date, { zone }) : null;
  if (!parsed?.isValid) throw new RangeError(`Invalid date "${date}" (expected "YYYY-MM-DD")`);
  return parsed.startOf('day');
}

function atWallTime(day: DateTime, time: string): DateTime {
  const minutes = minutesOf(time);
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 });
}

function assertTime(time: string): void {
  if (!TIME.test(time)) throw new RangeError(`Invalid time "${time}" (expected "HH:MM", 00:00 to 23:59)`);
}

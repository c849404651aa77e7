/**
 * Prices and emission factors applied to consumption: time-of-use electricity (sharp-peak,
 * peak, flat, valley periods by local time, per season), flat prices (water) and carbon
 * factors, each entry in effect from its local date until the next. Pure: consumption comes
 * in as intervals with their amount, money and kg CO₂e go out.
 *
 * An interval that straddles a period boundary (a 11:30 cut in an hourly bucket) is shared
 * out by time, as if its consumption were even across it: what the meter's hourly readings
 * can tell, and what the utility's own interval meter would bill within a few tenths of a
 * percent.
 */
import { IANAZone } from 'luxon';
import { localClockOf } from '../clock/index.js';
import type { Band, EmissionFactor, FlatTariff, TouTariff } from '../config/tariff-schema.js';
import { BANDS } from '../config/tariff-schema.js';
import { localDayStart } from './calendar.js';

export interface Consumed {
  start: number;
  end: number;
  /** Consumption in the interval; null where it is not known (a gap): never priced. */
  value: number | null;
}

export interface BandShare {
  band: Band;
  consumption: number;
  cost: number;
}

export interface Priced {
  /** Consumption a price or factor was in effect for, and what it came to. */
  consumption: number;
  amount: number;
  /** Consumption before the first entry took effect: not priced, never guessed. */
  unpriced: number;
}

export interface TouCost extends Priced {
  currency: string | null;
  /** Per period, in BANDS order, only those with consumption. */
  bands: BandShare[];
}

/** What applies from `at` on, and until when (the next instant anything may change). */
interface Rate {
  key: Band | 'flat' | null;
  rate: number;
  until: number;
}

const MINUTES_PER_DAY = 1440;

/** Local midnights on which the entries take effect, in order. */
function effectiveStarts(list: readonly { from: string }[], zone: string): number[] {
  return list.map((entry) => localDayStart(entry.from, zone));
}

/** Index of the entry in effect at `at`: the last that started at or before it; -1 for none. */
function entryAt(starts: readonly number[], at: number): number {
  let found = -1;
  for (let i = 0; i < starts.length && (starts[i] as number) <= at; i++) found = i;
  return found;
}

/** The entries of a dated list in effect at some time in [from, to) (one instant: to = from + 1). */
export function inEffect<T extends { from: string }>(
  list: readonly T[],
  from: number,
  to: number,
  zone: string,
): T[] {
  const starts = effectiveStarts(list, zone);
  return list.filter(
    (_, i) => (starts[i] as number) < to && (starts[i + 1] ?? Number.POSITIVE_INFINITY) > from,
  );
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * A function of time for one kind of entry: where each applies from its date, and within a
 * day `inDay` says the key, rate and the local minute of the next change.
 */
function rater<T extends { from: string }>(
  list: readonly T[],
  zone: string,
  inDay: (
    entry: T,
    month: number,
    minute: number,
  ) => { key: Band | 'flat'; rate: number; nextMinute: number },
): (at: number) => Rate {
  const starts = effectiveStarts(list, zone);
  const clock = localClockOf(zone);
  const tz = IANAZone.create(zone);
  return (at) => {
    const local = clock(at);
    const intoDayMs = (local.minutes * 60 + local.seconds) * 1000 + (((at % 1000) + 1000) % 1000);
    // The instant the wall clock shows `minute` today: counted from now in wall-clock time, then
    // moved by the change of offset on the way (a day when the clocks go forward or back).
    const untilMinute = (minute: number) => {
      const naive = at - intoDayMs + minute * 60_000;
      return Math.max(at + 1, naive + (tz.offset(at) - tz.offset(naive)) * 60_000);
    };
    const index = entryAt(starts, at);
    const entry = list[index];
    if (!entry) {
      const next = starts[0];
      return {
        key: null,
        rate: 0,
        until: next !== undefined && next > at ? next : untilMinute(MINUTES_PER_DAY),
      };
    }
    const { key, rate, nextMinute } = inDay(entry, Number(local.date.slice(5, 7)), local.minutes);
    return { key, rate, until: untilMinute(nextMinute) };
  };
}

/** The time-of-use period at a local month and minute of the day. */
function touInDay(tariff: TouTariff, month: number, minute: number) {
  const season = tariff.seasons.find((s) => s.months.includes(month)) ?? tariff.seasons[0];
  const schedule = season?.schedule ?? [];
  let band: Band = 'flat';
  let nextMinute = MINUTES_PER_DAY;
  for (const entry of schedule) {
    const from = minutesOf(entry.from);
    if (from <= minute) band = entry.band;
    else {
      nextMinute = from;
      break;
    }
  }
  return { key: band, rate: tariff.prices[band] ?? 0, nextMinute };
}

/** Walks every interval through the rates, sharing its consumption out by time. */
function walk(
  intervals: readonly Consumed[],
  rateAt: (at: number) => Rate,
): Map<Band | 'flat' | null, Priced> {
  const totals = new Map<Band | 'flat' | null, Priced>();
  // A rate holds from where it was read until its `until`: hours inside one period reuse it
  // instead of reading the local clock again (the clock read was a quarter of a year's costing).
  let current: (Rate & { from: number }) | undefined;
  for (const { start, end, value } of intervals) {
    if (value === null || !(end > start)) continue;
    for (let at = start; at < end; ) {
      if (!current || at < current.from || at >= current.until) current = { ...rateAt(at), from: at };
      const { key, rate, until } = current;
      const to = Math.min(end, until);
      const share = (value * (to - at)) / (end - start);
      const sum = totals.get(key) ?? { consumption: 0, amount: 0, unpriced: 0 };
      if (key === null) sum.unpriced += share;
      else {
        sum.consumption += share;
        sum.amount += share * rate;
      }
      totals.set(key, sum);
      at = to;
    }
  }
  return totals;
}

/** Electricity under its time-of-use tariffs: kWh and cost per period. */
export function touCost(
  intervals: readonly Consumed[],
  tariffs: readonly TouTariff[],
  zone: string,
): TouCost {
  const totals = walk(intervals, rater(tariffs, zone, touInDay));
  const bands = BANDS.flatMap((band) => {
    const sum = totals.get(band);
    return sum ? [{ band, consumption: sum.consumption, cost: sum.amount }] : [];
  });
  return {
    currency: tariffs[0]?.currency ?? null,
    bands,
    consumption: bands.reduce((s, b) => s + b.consumption, 0),
    amount: bands.reduce((s, b) => s + b.cost, 0),
    unpriced: totals.get(null)?.unpriced ?? 0,
  };
}

const flatInDay = (rate: number) => ({ key: 'flat' as const, rate, nextMinute: MINUTES_PER_DAY });

/** A commodity at a flat price per unit (water), with its price changes by date. */
export function flatCost(
  intervals: readonly Consumed[],
  tariffs: readonly FlatTariff[],
  zone: string,
): Priced {
  return summed(
    walk(
      intervals,
      rater(tariffs, zone, (t) => flatInDay(t.price)),
    ),
  );
}

/** kg CO₂e of the consumption, at the factor in effect when it was consumed. */
export function carbon(
  intervals: readonly Consumed[],
  factors: readonly EmissionFactor[],
  zone: string,
): Priced {
  return summed(
    walk(
      intervals,
      rater(factors, zone, (f) => flatInDay(f.kgCo2ePerUnit)),
    ),
  );
}

function summed(totals: Map<Band | 'flat' | null, Priced>): Priced {
  const priced = totals.get('flat');
  return {
    consumption: priced?.consumption ?? 0,
    amount: priced?.amount ?? 0,
    unpriced: totals.get(null)?.unpriced ?? 0,
  };
}

/** The share of consumption in peak and sharp-peak periods: what moving load could save. */
export function peakShare(cost: TouCost): number | null {
  if (cost.consumption <= 0) return null;
  const peak = cost.bands.filter((b) => b.band === 'peak' || b.band === 'sharp');
  return peak.reduce((s, b) => s + b.consumption, 0) / cost.consumption;
}

/**
 * What consumption cost and emitted, per group (meter, room, building, site) and period:
 * electricity under its time-of-use tariffs (kWh and cost per period, the share in peak
 * periods: the load-shift hint) plus the demand charge on the month's maximum demand; water at
 * its price; kg CO₂e at the factor in effect. Built on the consumption report at hour
 * resolution, so every hour is priced at its own period and its own date's tariff.
 *
 * Nothing is guessed: an hour without data is not priced (its period's figures say so by
 * `unknownHours`), consumption before the first tariff is `unpriced`, and a figure with nothing
 * to go on is null, never 0.
 */
import type { EnergySettings } from '../config/energy-schema.js';
import type { TouTariff } from '../config/tariff-schema.js';
import { type Bucket, buckets as calendarBuckets, localDayStart, type Resolution } from './calendar.js';
import type { ConsumptionReport, ConsumptionRow, Grouping } from './consumption.js';
import type { Commodity } from './meters.js';
import type { DemandReport } from './peaks.js';
import {
  type BandShare,
  type Consumed,
  carbon,
  flatCost,
  type Priced,
  peakShare,
  touCost,
} from './tariffs.js';

export interface CostQuery {
  commodity: Commodity;
  from: number;
  to: number;
  resolution: Resolution;
  groupBy: Grouping;
}

export interface CostFigures {
  /** Known consumption in the period (priced or not). */
  consumption: number | null;
  /** Consumption before any tariff took effect: not in the cost. */
  unpriced: number;
  /** Hours of the period without data: not in any figure. */
  unknownHours: number;
  /** Electricity: per time-of-use period. */
  bands: BandShare[];
  /** Electricity: share of consumption in peak and sharp-peak periods. */
  peakShare: number | null;
  energyCost: number | null;
  /** Month resolution, electricity: the sum of the group's main meters' maximum demands. */
  maxDemandKw: number | null;
  demandCharge: number | null;
  /** energyCost + demandCharge. */
  cost: number | null;
  carbonKg: number | null;
}

export interface CostRow {
  key: string;
  name: string;
  meters: string[];
  periods: (Bucket & CostFigures)[];
  total: CostFigures;
}

export interface CostReport {
  commodity: Commodity;
  unit: string;
  currency: string | null;
  from: number;
  to: number;
  resolution: Resolution;
  groupBy: Grouping;
  timezone: string;
  periods: Bucket[];
  rows: CostRow[];
  total: CostFigures;
}

export interface CostSources {
  /** The consumption report for the query at hour resolution. */
  hourly: ConsumptionReport;
  /** Month resolution with a demand charge: the peak demand report for the same range. */
  demand?: DemandReport;
  settings: Pick<EnergySettings, 'tariffs' | 'carbon' | 'timezone'>;
  /** Device ids of the main meters. */
  mains: ReadonlySet<string>;
}

/** Whether the query needs the demand report (month resolution, electricity, a demand charge). */
export function needsDemand(query: CostQuery, settings: Pick<EnergySettings, 'tariffs'>): boolean {
  return (
    query.resolution === 'month' &&
    query.commodity === 'electricity' &&
    settings.tariffs.electricity.some((t) => t.demandCharge !== undefined)
  );
}

export function costReport(query: CostQuery, sources: CostSources): CostReport {
  const { hourly, settings } = sources;
  const zone = settings.timezone;
  const periods = calendarBuckets(query.from, query.to, query.resolution, zone);
  const price = pricer(query.commodity, settings);
  const rows = hourly.rows.map((row): CostRow => {
    const hours = row.buckets;
    return {
      key: row.key,
      name: row.name,
      meters: row.meters,
      periods: periods.map((period) => ({
        ...period,
        ...figures(
          hoursIn(hours, period),
          price,
          demandOf(row, period, sources.demand, settings.tariffs.electricity, zone),
        ),
      })),
      total: figures(hours, price, sumDemands(rowDemands(row, periods, sources, zone))),
    };
  });
  // Sub-meters (groupBy meter) measure part of what their main meter counts: the total adds mains only.
  const counted = rows.filter((r) => r.meters.every((m) => sources.mains.has(m)));
  const everyHour = hourly.rows.filter((r) => counted.some((c) => c.key === r.key)).flatMap((r) => r.buckets);
  return {
    commodity: query.commodity,
    unit: hourly.unit,
    currency: currencyOf(query.commodity, settings),
    from: query.from,
    to: query.to,
    resolution: query.resolution,
    groupBy: query.groupBy,
    timezone: zone,
    periods,
    rows,
    total: figures(everyHour, price, totalDemand(counted)),
  };
}

interface Pricer {
  energy(intervals: Consumed[]): Priced & { bands: BandShare[] };
  carbon(intervals: Consumed[]): Priced;
}

function pricer(commodity: Commodity, settings: CostSources['settings']): Pricer {
  const zone = settings.timezone;
  const factors = settings.carbon[commodity];
  return {
    energy:
      commodity === 'electricity'
        ? (intervals) => touCost(intervals, settings.tariffs.electricity, zone)
        : (intervals) => ({ ...flatCost(intervals, settings.tariffs.water, zone), bands: [] }),
    carbon: (intervals) => carbon(intervals, factors, zone),
  };
}

function currencyOf(commodity: Commodity, settings: CostSources['settings']): string | null {
  const list = commodity === 'electricity' ? settings.tariffs.electricity : settings.tariffs.water;
  return list[0]?.currency ?? null;
}

const hoursIn = (hours: readonly Consumed[], period: Bucket) =>
  hours.filter((h) => h.start >= period.start && h.start < period.end);

interface Demand {
  maxDemandKw: number | null;
  demandCharge: number | null;
}

function figures(hours: readonly Consumed[], price: Pricer, demand: Demand | undefined): CostFigures {
  const known = hours.filter((h) => h.value !== null);
  const energy = price.energy(known);
  const kg = price.carbon(known);
  const consumption = known.length === 0 ? null : energy.consumption + energy.unpriced;
  const energyCost =
    energy.consumption > 0 || (known.length > 0 && energy.unpriced === 0) ? energy.amount : null;
  const demandCharge = demand?.demandCharge ?? null;
  return {
    consumption,
    unpriced: energy.unpriced,
    unknownHours: hours.reduce((n, h) => n + (h.value === null ? (h.end - h.start) / 3_600_000 : 0), 0),
    bands: energy.bands,
    peakShare: energy.bands.length > 0 ? peakShare({ ...energy, currency: null }) : null,
    energyCost,
    maxDemandKw: demand?.maxDemandKw ?? null,
    demandCharge,
    cost: energyCost === null && demandCharge === null ? null : (energyCost ?? 0) + (demandCharge ?? 0),
    carbonKg: kg.consumption > 0 || (known.length > 0 && kg.unpriced === 0) ? kg.amount : null,
  };
}

/** The tariff in effect at `at`: the last whose date (local midnight) is not after it. */
function tariffAt(tariffs: readonly TouTariff[], at: number, zone: string): TouTariff | undefined {
  let found: TouTariff | undefined;
  for (const tariff of tariffs) if (localDayStart(tariff.from, zone) <= at) found = tariff;
  return found;
}

/**
 * The demand charge of a month: each of the group's main meters is billed on its own maximum
 * 15-minute demand (one billing meter per incomer), at the charge in effect at the month's start.
 */
function demandOf(
  row: ConsumptionRow,
  period: Bucket,
  report: DemandReport | undefined,
  tariffs: readonly TouTariff[],
  zone: string,
): Demand | undefined {
  if (!report) return undefined;
  const perKw = tariffAt(tariffs, period.start, zone)?.demandCharge?.perKw;
  const peaks = report.meters
    .filter((m) => row.meters.includes(m.device))
    .map((m) => m.periods.find((p) => p.start === period.start)?.peakKw ?? null);
  if (peaks.length === 0 || peaks.some((kw) => kw === null)) return { maxDemandKw: null, demandCharge: null };
  const maxDemandKw = peaks.reduce((s: number, kw) => s + (kw ?? 0), 0);
  return { maxDemandKw, demandCharge: perKw === undefined ? null : maxDemandKw * perKw };
}

function rowDemands(
  row: ConsumptionRow,
  periods: Bucket[],
  sources: CostSources,
  zone: string,
): (Demand | null)[] {
  if (!sources.demand) return [];
  return periods.map(
    (p) => demandOf(row, p, sources.demand, sources.settings.tariffs.electricity, zone) ?? null,
  );
}

/** Charges add up over months and groups; the total's maximum demand is the largest month's. */
function sumDemands(demands: readonly (Demand | null)[]): Demand | undefined {
  if (demands.length === 0) return undefined;
  if (demands.some((d) => d === null || d.demandCharge === null))
    return { maxDemandKw: null, demandCharge: null };
  const known = demands as Demand[];
  return {
    maxDemandKw: Math.max(...known.map((d) => d.maxDemandKw ?? 0)),
    demandCharge: known.reduce((s, d) => s + (d.demandCharge ?? 0), 0),
  };
}

/** Over several groups the charges add up; one maximum demand is only meaningful for one group. */
function totalDemand(rows: readonly CostRow[]): Demand | undefined {
  const charges = rows.map((r) => r.total.demandCharge);
  if (rows.length === 0 || rows.every((r) => r.total.maxDemandKw === null && r.total.demandCharge === null))
    return undefined;
  return {
    maxDemandKw: rows.length === 1 ? (rows[0]?.total.maxDemandKw ?? null) : null,
    demandCharge: charges.some((c) => c === null) ? null : charges.reduce((s: number, c) => s + (c ?? 0), 0),
  };
}

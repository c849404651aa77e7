/**
 * What consumption cost and emitted, per group (meter, room, building, site) and period:
 * electricity under its time-of-use tariffs (kWh and cost per period, the share in peak
 * periods: the load-shift hint) plus the two-part tariff's monthly charge, on the month's maximum
 * demand or on the transformers' installed capacity; water at
 * its price; kg CO₂e at the factor in effect. Built on the consumption report at hour
 * resolution, so every hour is priced at its own period and its own date's tariff.
 *
 * Nothing is guessed: an hour without data is not priced (its period's figures say so by
 * `unknownHours`), consumption before the first tariff is `unpriced`, and a figure with nothing
 * to go on is null, never 0.
 *
 * By meter, the rows are the metering tree's: a sub-meter sum and an unmetered remainder are
 * priced hour by hour like a meter, so the remainder costs its parent minus its sub-meters.
 */
import type { EnergySettings } from '../config/energy-schema.js';
import type { TouTariff } from '../config/tariff-schema.js';
import { type Bucket, monthShare, type RangeBucket, type Resolution, rangeBuckets } from './calendar.js';
import type { ConsumptionReport, ConsumptionRow, Grouping } from './consumption.js';
import type { Commodity } from './meters.js';
import type { DemandReport } from './peaks.js';
import {
  type BandShare,
  type Consumed,
  carbon,
  flatCost,
  inEffect,
  type Priced,
  peakShare,
  touCost,
} from './tariffs.js';
import type { TreeReport, TreeRow } from './tree.js';

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
  /** Month resolution, electricity: the rated kVA of the rooms the group's main meters are in. */
  capacityKva: number | null;
  capacityCharge: number | null;
  /** energyCost + demandCharge + capacityCharge. */
  cost: number | null;
  carbonKg: number | null;
}

/** By meter, where the row sits in the metering tree (as the consumption API's tree rows). */
type TreePlace = Partial<Pick<TreeRow, 'kind' | 'depth' | 'parent' | 'negative'>>;

export interface CostRow extends TreePlace {
  key: string;
  name: string;
  nameZh?: string;
  meters: string[];
  periods: (RangeBucket & CostFigures)[];
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
  /** Cut to [from, to) and marked partial as the consumption report's buckets are. */
  periods: RangeBucket[];
  rows: CostRow[];
  /** The top-level rows': by meter the tree's roots alone, never two levels added. */
  total: CostFigures;
  /** A peak share from which moving load is worth a look (the pages and the report highlight it). */
  highPeakShare: number;
}

/**
 * Peak and sharp-peak periods hold about 7 of the day's 24 hours in most provincial schedules,
 * so an even load puts some 30 % of its energy there; 40 % and more is load worth moving.
 */
export const HIGH_PEAK_SHARE = 0.4;

export interface CostSources {
  /** The consumption report for the query at hour resolution; by meter, as the metering tree. */
  hourly: ConsumptionReport | TreeReport;
  /** Month resolution with a demand charge: the peak demand report for the same range. */
  demand?: DemandReport;
  /** Month resolution with a capacity charge: the rooms with main electricity meters. */
  capacity?: readonly InstalledRoom[];
  settings: Pick<EnergySettings, 'tariffs' | 'carbon' | 'timezone'>;
}

/** A room's transformers, as the capacity charge bills them, and the main meters it feeds. */
export interface InstalledRoom {
  /** Main electricity meters in the room. */
  meters: string[];
  /** site.yaml's `ratedKva`; null where the room does not say. */
  ratedKva: number | null;
}

/** Whether the query needs the demand report (month resolution, electricity, a demand charge). */
export function needsDemand(query: CostQuery, settings: Pick<EnergySettings, 'tariffs'>): boolean {
  return monthlyCharged(query, settings, 'demandCharge');
}

/** Whether the query needs the rooms' installed capacity (as needsDemand, for a capacity charge). */
export function needsCapacity(query: CostQuery, settings: Pick<EnergySettings, 'tariffs'>): boolean {
  return monthlyCharged(query, settings, 'capacityCharge');
}

function monthlyCharged(
  query: CostQuery,
  settings: Pick<EnergySettings, 'tariffs'>,
  charge: 'demandCharge' | 'capacityCharge',
): boolean {
  return (
    query.resolution === 'month' &&
    query.commodity === 'electricity' &&
    settings.tariffs.electricity.some((t) => t[charge] !== undefined)
  );
}

export function costReport(query: CostQuery, sources: CostSources): CostReport {
  const { hourly, settings } = sources;
  const zone = settings.timezone;
  const periods = rangeBuckets(query.from, query.to, query.resolution, zone, hourly.asOf);
  const price = pricer(query.commodity, settings);
  const rows = (hourly.rows as readonly (ConsumptionRow & TreePlace)[]).map((row): CostRow => {
    const hours = row.buckets;
    // A sub-meter sum or a remainder is no meter the utility bills on.
    const billed = row.kind === undefined || row.kind === 'meter';
    const demand = billed ? sources.demand : undefined;
    const capacity = billed ? sources.capacity : undefined;
    const monthly = periods.map((period) => ({
      demand: demandOf(row, period, demand, settings.tariffs.electricity, zone),
      capacity: capacityOf(row, period, capacity, settings.tariffs.electricity, zone),
    }));
    return {
      key: row.key,
      name: row.name,
      ...(row.nameZh ? { nameZh: row.nameZh } : {}),
      meters: row.meters,
      ...treePlace(row),
      periods: periods.map((period, i) => ({
        ...period,
        ...figures(hoursIn(hours, period), price, monthly[i]?.demand, monthly[i]?.capacity),
      })),
      total: figures(
        hours,
        price,
        demand && sumCharges(monthly.map((m) => m.demand)),
        capacity && sumCharges(monthly.map((m) => m.capacity)),
      ),
    };
  });
  const counted = rows.filter((r) => r.depth === undefined || r.depth === 0);
  const top = new Set(counted.map((r) => r.key));
  const everyHour = hourly.rows.filter((r) => top.has(r.key)).flatMap((r) => r.buckets);
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
    total: figures(
      everyHour,
      price,
      totalCharge(counted, 'maxDemandKw', 'demandCharge'),
      totalCharge(counted, 'capacityKva', 'capacityCharge'),
    ),
    highPeakShare: HIGH_PEAK_SHARE,
  };
}

/** A tree row's place, without the consumption figures of the row it came from. */
function treePlace({ kind, depth, parent, negative }: TreePlace): TreePlace {
  return kind === undefined ? {} : { kind, depth, parent, negative };
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
        : // No gas tariff is configured: gas is left unpriced.
          (intervals) => ({ ...flatCost(intervals, flatTariffs(commodity, settings), zone), bands: [] }),
    carbon: (intervals) => carbon(intervals, factors, zone),
  };
}

const flatTariffs = (commodity: Commodity, settings: CostSources['settings']) =>
  commodity === 'water' ? settings.tariffs.water : [];

function currencyOf(commodity: Commodity, settings: CostSources['settings']): string | null {
  const list = commodity === 'electricity' ? settings.tariffs.electricity : flatTariffs(commodity, settings);
  return list[0]?.currency ?? null;
}

const hoursIn = (hours: readonly Consumed[], period: Bucket) =>
  hours.filter((h) => h.start >= period.start && h.start < period.end);

/** A monthly charge of the two-part tariff and what it is charged on (kW of demand, kVA installed). */
interface Charge {
  quantity: number | null;
  charge: number | null;
}

function figures(
  hours: readonly Consumed[],
  price: Pricer,
  demand: Charge | undefined,
  capacity: Charge | undefined,
): CostFigures {
  const known = hours.filter((h) => h.value !== null);
  const energy = price.energy(known);
  const kg = price.carbon(known);
  const consumption = known.length === 0 ? null : energy.consumption + energy.unpriced;
  const energyCost =
    energy.consumption > 0 || (known.length > 0 && energy.unpriced === 0) ? energy.amount : null;
  const demandCharge = demand?.charge ?? null;
  const capacityCharge = capacity?.charge ?? null;
  const charges = [energyCost, demandCharge, capacityCharge];
  return {
    consumption,
    unpriced: energy.unpriced,
    unknownHours: hours.reduce((n, h) => n + (h.value === null ? (h.end - h.start) / 3_600_000 : 0), 0),
    bands: energy.bands,
    peakShare: energy.bands.length > 0 ? peakShare({ ...energy, currency: null }) : null,
    energyCost,
    maxDemandKw: demand?.quantity ?? null,
    demandCharge,
    capacityKva: capacity?.quantity ?? null,
    capacityCharge,
    cost: charges.every((c) => c === null) ? null : charges.reduce((s: number, c) => s + (c ?? 0), 0),
    carbonKg: kg.consumption > 0 || (known.length > 0 && kg.unpriced === 0) ? kg.amount : null,
  };
}

/** The tariff in effect at `at`. */
const tariffAt = (tariffs: readonly TouTariff[], at: number, zone: string): TouTariff | undefined =>
  inEffect(tariffs, at, at + 1, zone)[0];

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
): Charge | undefined {
  if (!report) return undefined;
  const perKw = tariffAt(tariffs, period.start, zone)?.demandCharge?.perKw;
  const peaks = report.meters
    .filter((m) => row.meters.includes(m.device))
    .map((m) => m.periods.find((p) => p.start === period.start)?.peakKw ?? null);
  if (peaks.length === 0 || peaks.some((kw) => kw === null)) return { quantity: null, charge: null };
  const maxDemandKw = peaks.reduce((s: number, kw) => s + (kw ?? 0), 0);
  return { quantity: maxDemandKw, charge: perKw === undefined ? null : maxDemandKw * perKw };
}

/**
 * The capacity charge of a month: the rated kVA of every room one of the group's main meters is
 * in (a room once, however many incomers it has), at the charge in effect at the month's start.
 * A month bucket clipped by the range is charged pro rata by its days in range, as the utility
 * bills a connection that starts or ends mid-month; a room without `ratedKva` leaves it unknown.
 */
function capacityOf(
  row: ConsumptionRow,
  period: Bucket,
  rooms: readonly InstalledRoom[] | undefined,
  tariffs: readonly TouTariff[],
  zone: string,
): Charge | undefined {
  if (!rooms) return undefined;
  const perKva = tariffAt(tariffs, period.start, zone)?.capacityCharge?.perKva;
  const mine = rooms.filter((r) => r.meters.some((m) => row.meters.includes(m)));
  if (mine.length === 0 || mine.some((r) => r.ratedKva === null)) return { quantity: null, charge: null };
  const kva = mine.reduce((s, r) => s + (r.ratedKva ?? 0), 0);
  return { quantity: kva, charge: perKva === undefined ? null : kva * perKva * monthShare(period, zone) };
}

/** Charges add up over months; the total's kW or kVA is the largest month's. */
function sumCharges(charges: readonly (Charge | undefined)[]): Charge | undefined {
  if (charges.length === 0) return undefined;
  if (charges.some((c) => c === undefined || c.charge === null)) return { quantity: null, charge: null };
  const known = charges as Charge[];
  return {
    quantity: Math.max(...known.map((c) => c.quantity ?? 0)),
    charge: known.reduce((s, c) => s + (c.charge ?? 0), 0),
  };
}

/**
 * Over several groups the charges add up, and so does installed capacity; one maximum demand is
 * only meaningful for one group (the groups peak at different times).
 */
function totalCharge(
  rows: readonly CostRow[],
  quantity: 'maxDemandKw' | 'capacityKva',
  charge: 'demandCharge' | 'capacityCharge',
): Charge | undefined {
  const totals = rows.map((r) => r.total);
  if (totals.length === 0 || totals.every((t) => t[quantity] === null && t[charge] === null))
    return undefined;
  const sum = (values: (number | null)[]) =>
    values.some((v) => v === null) ? null : values.reduce((s: number, v) => s + (v ?? 0), 0);
  const additive = quantity === 'capacityKva' || rows.length === 1;
  return {
    quantity: additive ? sum(totals.map((t) => t[quantity])) : null,
    charge: sum(totals.map((t) => t[charge])),
  };
}

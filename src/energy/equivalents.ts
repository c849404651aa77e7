/**
 * The site's energy as tonnes of standard coal equivalent (tce): electricity and natural gas
 * from their main meters, each day's consumption at the conversion factor in force that local
 * day (energy.yaml `standardCoal`); and the gas's kg CO₂e at its emission factor of the day
 * (`carbon.gas`). Months are summed from their days, so a factor changed mid-month applies
 * from its date. Consumption on a day with no factor in force is reported, not converted.
 */
import { DateTime } from 'luxon';
import type { CoalFactor, EnergySettings } from '../config/energy-schema.js';
import { type RangeBucket, type Resolution, rangeBuckets } from './calendar.js';
import { type ConsumptionReport, sumKnown } from './consumption.js';

export interface EquivalentPeriod {
  start: number;
  end: number;
  label: string;
  /** Null: no readings, or no factor in force (unknown, not 0). */
  electricityTce: number | null;
  gasTce: number | null;
  /** Electricity + gas, of what is known. */
  tce: number | null;
  gasCo2Kg: number | null;
}

export interface Equivalents {
  unit: 'tce';
  periods: EquivalentPeriod[];
  electricityTce: number | null;
  gasTce: number | null;
  tce: number | null;
  gasCo2Kg: number | null;
  /** Consumption on days with no factor in force: kWh and m³ left out of the tce, m³ out of the CO₂. */
  unconverted: { electricityKwh: number; gasM3: number; gasM3NoCo2: number };
}

interface DatedFactor {
  from: string;
}

/** The entry in force on a local date ("YYYY-MM-DD"): the last one from on or before it. */
export function inForce<F extends DatedFactor>(factors: readonly F[], date: string): F | undefined {
  let found: F | undefined;
  for (const f of factors) if (f.from <= date) found = f;
  return found;
}

/** The site total of each fine period (hour or day) of a consumption report, summed over its rows. */
function perPeriod(report: ConsumptionReport): (number | null)[] {
  return report.buckets.map((_, i) => sumKnown(report.rows.map((r) => r.buckets[i]?.value ?? null)));
}

/** The resolution to convert at: hours stay hours, months are converted day by day. */
export const fineResolution = (resolution: Resolution): Resolution =>
  resolution === 'hour' ? 'hour' : 'day';

export function equivalents(
  electricity: ConsumptionReport,
  gas: ConsumptionReport,
  range: { from: number; to: number; resolution: Resolution },
  settings: Pick<EnergySettings, 'standardCoal' | 'carbon' | 'timezone'>,
  asOf: number,
): Equivalents {
  const zone = settings.timezone;
  const periods: EquivalentPeriod[] = rangeBuckets(range.from, range.to, range.resolution, zone, asOf).map(
    (b: RangeBucket) => ({
      start: b.start,
      end: b.end,
      label: b.label,
      electricityTce: null,
      gasTce: null,
      tce: null,
      gasCo2Kg: null,
    }),
  );
  const unconverted = { electricityKwh: 0, gasM3: 0, gasM3NoCo2: 0 };
  const add = (start: number, field: 'electricityTce' | 'gasTce' | 'gasCo2Kg', value: number) => {
    const period = periods.find((p) => start >= p.start && start < p.end);
    if (period) period[field] = (period[field] ?? 0) + value;
  };
  const convert = (
    report: ConsumptionReport,
    factors: readonly CoalFactor[],
    field: 'electricityTce' | 'gasTce',
  ) =>
    perPeriod(report).forEach((value, i) => {
      const bucket = report.buckets[i];
      if (value === null || !bucket) return;
      const factor = inForce(factors, localDate(bucket.start, zone));
      if (factor) add(bucket.start, field, (value * factor.kgcePerUnit) / 1000);
      else if (field === 'electricityTce') unconverted.electricityKwh += value;
      else unconverted.gasM3 += value;
    });
  convert(electricity, settings.standardCoal.electricity, 'electricityTce');
  convert(gas, settings.standardCoal.gas, 'gasTce');
  perPeriod(gas).forEach((value, i) => {
    const bucket = gas.buckets[i];
    if (value === null || !bucket) return;
    const factor = inForce(settings.carbon.gas, localDate(bucket.start, zone));
    if (factor) add(bucket.start, 'gasCo2Kg', value * factor.kgCo2ePerUnit);
    else unconverted.gasM3NoCo2 += value;
  });
  for (const p of periods) p.tce = sumKnown([p.electricityTce, p.gasTce]);
  const total = (field: keyof Pick<EquivalentPeriod, 'electricityTce' | 'gasTce' | 'tce' | 'gasCo2Kg'>) =>
    sumKnown(periods.map((p) => p[field]));
  return {
    unit: 'tce',
    periods,
    electricityTce: total('electricityTce'),
    gasTce: total('gasTce'),
    tce: total('tce'),
    gasCo2Kg: total('gasCo2Kg'),
    unconverted,
  };
}

function localDate(ts: number, zone: string): string {
  return DateTime.fromMillis(ts, { zone }).toISODate() ?? '';
}

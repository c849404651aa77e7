/**
 * energy.yaml's prices and emission factors. Each entry takes effect on its local date and holds
 * until the next one, so last year is costed at last year's prices:
 *
 * - electricity: time-of-use, as Chinese provincial grids bill hospitals. A day is cut into
 *   sharp-peak / peak / flat / valley periods by local time, the cut differs by season (a
 *   season is a set of months), and each period has its price per kWh; optionally a demand
 *   charge per kW of the month's maximum demand or a capacity charge per kVA of transformers.
 * - water (and any commodity billed flat): one price per unit.
 * - carbon: kg CO₂e per unit (the grid emission factor per kWh the ministry publishes; per m³
 *   for water), each with the date it takes effect.
 */
import { z } from 'zod';
import { bilingual, lift } from './names.js';
import { localTime } from './schema.js';

export const BANDS = ['sharp', 'peak', 'flat', 'valley'] as const;
export type Band = (typeof BANDS)[number];

export const effectiveDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'the local date it takes effect, "YYYY-MM-DD"')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'a real calendar date');

const price = z.number().nonnegative();

const season = z.strictObject({
  /** Months (1–12) this cut of the day applies in. */
  months: z.array(z.number().int().min(1).max(12)).min(1),
  /** Where each period starts; it lasts until the next one starts (the last until midnight). */
  schedule: z.array(z.strictObject({ from: localTime, band: z.enum(BANDS) })).min(1),
});

const touTariff = z
  .strictObject({
    from: effectiveDate,
    currency: z.string().min(1).default('CNY'),
    /** Price per kWh of each period the schedules use. */
    prices: z.strictObject({
      sharp: price.optional(),
      peak: price.optional(),
      flat: price,
      valley: price.optional(),
    }),
    seasons: z.array(season).min(1),
    /** Two-part tariff: a monthly charge per kW of the month's maximum demand. */
    demandCharge: z.strictObject({ perKw: price }).optional(),
    /**
     * The other two-part tariff: a monthly charge per kVA of installed transformer capacity
     * (the rooms' `ratedKva` in site.yaml). The utility bills one or the other, never both.
     */
    capacityCharge: z.strictObject({ perKva: price }).optional(),
    /** Where the prices come from (the provincial decree), for the report. */
    source: bilingual(z.string().min(1), 'a source').optional(),
  })
  .superRefine((tariff, ctx) => {
    if (tariff.demandCharge && tariff.capacityCharge)
      ctx.addIssue({
        code: 'custom',
        path: ['capacityCharge'],
        message:
          'a two-part tariff charges on maximum demand or on capacity: give demandCharge or capacityCharge, not both',
      });
    const seen = new Map<number, number>();
    tariff.seasons.forEach((s, i) => {
      for (const month of s.months) {
        if (seen.has(month))
          ctx.addIssue({
            code: 'custom',
            path: ['seasons', i, 'months'],
            message: `month ${month} is already in seasons[${seen.get(month)}]`,
          });
        else seen.set(month, i);
      }
      for (const { at, message } of scheduleIssues(s.schedule, tariff.prices))
        ctx.addIssue({ code: 'custom', path: ['seasons', i, 'schedule', ...at], message });
    });
    const missing = [...Array(12).keys()].map((m) => m + 1).filter((m) => !seen.has(m));
    if (missing.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['seasons'],
        message: `no season covers month(s) ${missing.join(', ')}`,
      });
  })
  .transform(lift('source'));

/** A schedule starts at midnight, runs forward, and uses only priced periods. */
function scheduleIssues(
  schedule: { from: string; band: Band }[],
  prices: Partial<Record<Band, number>>,
): { at: (string | number)[]; message: string }[] {
  const issues: { at: (string | number)[]; message: string }[] = [];
  if (schedule[0]?.from !== '00:00')
    issues.push({ at: [0, 'from'], message: 'the first period starts at "00:00"' });
  schedule.forEach((entry, j) => {
    const previous = schedule[j - 1];
    if (previous && entry.from <= previous.from)
      issues.push({
        at: [j, 'from'],
        message: `"${entry.from}" is not after the period before it ("${previous.from}")`,
      });
    if (prices[entry.band] === undefined)
      issues.push({ at: [j, 'band'], message: `no price for "${entry.band}" in prices` });
  });
  return issues;
}

const flatTariff = z
  .strictObject({
    from: effectiveDate,
    currency: z.string().min(1).default('CNY'),
    /** Price per unit (m³). */
    price,
    /** Where the price comes from, for the report. */
    source: bilingual(z.string().min(1), 'a source').optional(),
  })
  .transform(lift('source'));

const emissionFactor = z
  .strictObject({
    from: effectiveDate,
    /** kg CO₂e per unit: per kWh for electricity, per m³ for water. */
    kgCo2ePerUnit: z.number().nonnegative(),
    /** Where the figure comes from (the ministry's notice), for the report. */
    source: bilingual(z.string().min(1), 'a source').optional(),
  })
  .transform(lift('source'));

/** Entries in date order, none on the same date: which one applies is then never ambiguous. */
export const dated = <T extends z.ZodType<{ from: string }>>(entry: T) =>
  z
    .array(entry)
    .default([])
    .superRefine((list, ctx) => {
      list.forEach((item, i) => {
        const previous = list[i - 1];
        if (previous && item.from <= previous.from)
          ctx.addIssue({
            code: 'custom',
            path: [i, 'from'],
            message: `${item.from} is not after the entry before it (${previous.from}): list them in date order`,
          });
      });
    });

export const tariffsSection = z
  .strictObject({ electricity: dated(touTariff), water: dated(flatTariff) })
  .prefault({});

export const carbonSection = z
  .strictObject({ electricity: dated(emissionFactor), water: dated(emissionFactor) })
  .prefault({});

export type TouTariff = z.infer<typeof touTariff>;
export type FlatTariff = z.infer<typeof flatTariff>;
export type EmissionFactor = z.infer<typeof emissionFactor>;
export type TariffSettings = z.infer<typeof tariffsSection>;
export type CarbonSettings = z.infer<typeof carbonSection>;

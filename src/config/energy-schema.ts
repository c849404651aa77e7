/**
 * config/energy.yaml: which meters make up the consumption of rooms, buildings and the site,
 * meter changes to bridge, night-flow leak detection, retrofits whose savings are verified,
 * the monthly report, prices, emission factors and standard-coal conversion factors. Absent
 * file: every meter of the three kinds counts, with defaults.
 */
import { z } from 'zod';
import { PRIORITIES } from '../vocabulary/alarms.js';
import { bilingual, lift } from './names.js';
import { duration, id, localTime, timeZone } from './schema.js';
import { carbonSection, dated, effectiveDate, tariffsSection } from './tariff-schema.js';

/** "2026-03-01" (local midnight), an ISO date-time, or "-30d" (local midnight 30 days ago). */
export const periodBound = z
  .string()
  .regex(
    /^(-\d+d|\d{4}-\d{2}-\d{2}(T.+)?)$/,
    'a date "YYYY-MM-DD", an ISO date-time, or days before today such as "-30d"',
  );

const period = z.strictObject({
  from: periodBound,
  /** Exclusive: a reporting period "to: 2026-08-01" ends at the end of 31 July. */
  to: periodBound,
});

/** A "<device>.<point>" reference. */
const pointRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*\.[A-Za-z0-9][A-Za-z0-9_-]*$/, {
  message: 'a point as "<device>.<point>", e.g. "weather.outdoor_temp_c"',
});

const commodity = (defaults: { counter: string; rate: string }) =>
  z
    .strictObject({
      /** The cumulative counter point's name in the meters' profiles (kWh, m³). */
      counter: id.default(defaults.counter),
      /** The instantaneous rate point (kW, m³/h): its range bounds a plausible counter rise. */
      rate: id.default(defaults.rate),
      /**
       * Main meters: a room's, building's and site's consumption is the sum of its main meters;
       * every other meter is a sub-meter shown under them. Default: all meters of the kind.
       */
      mains: z.array(id).min(1).optional(),
      /**
       * The metering tree, sub-meter: the meter it sits below (a feeder: its incomer). Default:
       * the one main meter of the sub-meter's room, else of its building, else of its site.
       * Without `mains`, the meters given no parent are the mains (metering-tree.ts).
       */
      parents: z.record(id, id).optional(),
    })
    .default({ counter: defaults.counter, rate: defaults.rate });

/**
 * Gas meters (m³): recognised by their counter point (a boiler's own gas counter too), with
 * mains and parents as electricity's: a boiler's counter sits below its boiler house's meter.
 */
const gasCommodity = commodity({ counter: 'gas_volume_m3', rate: 'gas_flow_m3h' });

/** kg of standard coal equivalent per unit (kWh, m³), from its local date until the next entry. */
const coalFactor = z
  .strictObject({
    from: effectiveDate,
    /** kgce per kWh for electricity, per m³ for natural gas. */
    kgcePerUnit: z.number().positive('a conversion factor above 0, in kgce per unit'),
    source: bilingual(z.string().min(1), 'a source').optional(),
  })
  .transform(lift('source'));

/** Standard coal equivalent (tce) of electricity and gas, by the date a factor takes effect. */
const standardCoal = z.strictObject({ electricity: dated(coalFactor), gas: dated(coalFactor) }).prefault({});

/** energy.yaml's emission factors: tariff-schema.ts's electricity and water, and gas per m³. */
const carbonFactors = carbonSection.unwrap();
const carbon = carbonFactors.extend({ gas: carbonFactors.shape.electricity }).prefault({});

const meterChange = z.strictObject({
  device: id,
  /** Counter point name; default the commodity's counter. */
  point: id.optional(),
  /** When the old meter was removed (ISO date-time with its offset, or local "YYYY-MM-DDTHH:MM"). */
  at: z.string().min(1),
  /** The old meter's last reading, if it was noted. */
  oldFinal: z.number().nonnegative().optional(),
  /** The new meter's first reading. */
  newInitial: z.number().nonnegative().default(0),
  note: z.string().optional(),
});

const leaks = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** The quiet hours whose minimum flow is watched (the night that starts on each date). */
    window: z.strictObject({ from: localTime, to: localTime }).default({ from: '01:00', to: '05:00' }),
    /** Minimum night flow above this (m³/h) counts as a wet night. */
    threshold: z.number().nonnegative().default(0.5),
    /** A meter's own threshold where its building's normal night minimum differs. */
    thresholdFor: z.record(id, z.number().nonnegative()).default({}),
    /** Consecutive wet nights before a leak is suspected (and its alarm raised). */
    nights: z.number().int().min(1).max(60).default(3),
    /** Meters watched; default the water mains. */
    meters: z.array(id).min(1).optional(),
    priority: z.enum(PRIORITIES).default('medium'),
    /** How often the detector looks at last night again. */
    checkEvery: duration.default(15 * 60_000),
  })
  .default({
    enabled: true,
    window: { from: '01:00', to: '05:00' },
    threshold: 0.5,
    thresholdFor: {},
    nights: 3,
    priority: 'medium',
    checkEvery: 15 * 60_000,
  });

const normalisation = z.discriminatedUnion('by', [
  /** Consumption per day only (the reporting period's days at the baseline's daily mean). */
  z.strictObject({ by: z.literal('day') }),
  /** Regression on cooling (or heating) degree-days from the weather station's daily mean. */
  z.strictObject({
    by: z.literal('degree-days'),
    kind: z.enum(['cooling', 'heating']).default('cooling'),
    baseC: z.number().default(18),
    /** Outdoor temperature point; default energy.yaml's weather.temperature. */
    temperature: pointRef.optional(),
  }),
  /** Regression on a daily driver: the daily mean of a point (occupied beds, visits...). */
  z.strictObject({ by: z.literal('point'), point: pointRef }),
]);

const retrofitFields = z.strictObject({
  id,
  /** In English, Chinese or both (names.ts): `name`/`nameZh`, `description`/`descriptionZh`. */
  name: bilingual(),
  description: bilingual(z.string().min(1), 'a description').optional(),
  /** Meters whose summed consumption shows the effect (a feeder, or a room's incomers). */
  meters: z.array(id).min(1),
  baseline: period,
  reporting: period,
  normalise: normalisation.default({ by: 'day' }),
  confidence: z.union([z.literal(0.68), z.literal(0.8), z.literal(0.9), z.literal(0.95)]).default(0.9),
  /** What was promised, for the report ("30 % less"). */
  promisedPct: z.number().min(0).max(100).optional(),
});
const retrofit = retrofitFields.transform(lift('name', 'description'));

const monthlyReport = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** Day of the month and local time the previous month's report is sent. */
    day: z.number().int().min(1).max(28).default(1),
    at: localTime.default('07:00'),
    /** People (notify.yaml ids) who get it by e-mail. */
    to: z.array(id).default([]),
    /** Also attached as PDF, one per language (chromium and a CJK font: docs/deployment.md); [] for none. */
    pdf: z.array(z.enum(['en', 'zh'])).default(['en', 'zh']),
  })
  .default({ enabled: false, day: 1, at: '07:00', to: [], pdf: ['en', 'zh'] });

export const energyFile = z.strictObject({
  /** Days and months are local to this zone; default notify.yaml's. */
  timezone: timeZone.optional(),
  electricity: commodity({ counter: 'energy_kwh', rate: 'power_kw' }),
  water: commodity({ counter: 'volume_m3', rate: 'flow_m3h' }),
  gas: gasCommodity,
  /** Peak demand: the mean of this point over 15-minute blocks, per main electricity meter. */
  demand: z
    .strictObject({
      point: id.default('power_kw'),
      reactive: id.optional(),
      block: duration.default(900_000),
    })
    .default({ point: 'power_kw', block: 900_000 }),
  /** Readings further apart than this leave a gap that reports mark (not filled). */
  maxGap: duration.default(15 * 60_000),
  meterChanges: z.array(meterChange).default([]),
  leaks,
  weather: z.strictObject({ temperature: pointRef.optional() }).default({}),
  retrofits: z.array(retrofit).default([]),
  monthlyReport,
  /** Prices by date: time-of-use electricity, water (tariff-schema.ts). */
  tariffs: tariffsSection,
  /** Emission factors by date, kg CO₂e per kWh and per m³ (water, gas). */
  carbon,
  /** Standard coal equivalent conversion factors by date, kgce per kWh and per m³ of gas. */
  standardCoal,
});

export type EnergySettings = z.infer<typeof energyFile> & { timezone: string };
export type RetrofitSettings = EnergySettings['retrofits'][number];
export type MeterChangeSettings = EnergySettings['meterChanges'][number];
export type CoalFactor = z.infer<typeof coalFactor>;

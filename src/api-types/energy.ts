// Energy reports (GET /api/energy/*): consumption by group or as the metering tree, cost and
// carbon, peak demand and headroom, intensity, night-flow leaks, retrofit savings, each also a
// CSV download (?format=csv); the monthly report as HTML and PDF, and mailing it now.
// The shapes are the energy service's (src/energy): src/web/energy.ts checks both ways at compile
// time that its reports and these schemas agree, so neither side can rename a field alone.
import { z } from 'zod';
import { route } from './route.js';

export const COMMODITIES = ['electricity', 'water', 'gas'] as const;
export const RESOLUTIONS = ['hour', 'day', 'month'] as const;
export const GROUPINGS = ['meter', 'room', 'building', 'site'] as const;
export const BANDS = ['sharp', 'peak', 'flat', 'valley'] as const;
export type Commodity = (typeof COMMODITIES)[number];
export type Resolution = (typeof RESOLUTIONS)[number];
export type Grouping = (typeof GROUPINGS)[number];
export type Band = (typeof BANDS)[number];

const commodity = z.enum(COMMODITIES).meta({ id: 'Commodity' });
const resolution = z.enum(RESOLUTIONS).meta({ id: 'EnergyResolution' });
const grouping = z.enum(GROUPINGS).meta({ id: 'EnergyGrouping' });
const ms = z.number().describe('epoch ms');
/** A configured name's Chinese variant, when the configuration gives one. */
const zh = z.string().optional().describe('the name in Chinese, when configured');

// ---- Queries ----

const bound = z
  .string()
  .describe(
    'plant-local "YYYY-MM", "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM"; "-7d" (days back from local ' +
      'midnight); an ISO instant with Z or an offset; epoch ms; "now"',
  );
const range = {
  from: bound.optional().describe('start (inclusive); default 30 days before `to`'),
  to: bound.optional().describe('end (exclusive); default now'),
};
const csv = { format: z.enum(['csv']).optional().describe('csv: the same table as a download') };
const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
  .optional()
  .describe('"YYYY-MM"; default last month');

// ---- Pieces ----

export const meter = z
  .object({
    device: z.string(),
    name: z.string(),
    nameZh: zh,
    commodity,
    unit: z.string(),
    /** Summed into room, building and site figures (a sub-meter is not). */
    main: z.boolean(),
    /** The meter it sits below in the metering tree. */
    parent: z.string().optional(),
    site: z.string(),
    building: z.string(),
    room: z.string(),
    buildingName: z.string(),
    buildingNameZh: zh,
    roomName: z.string(),
    roomNameZh: zh,
  })
  .meta({ id: 'EnergyMeter', description: 'A meter the energy reports read' });
export type Meter = z.infer<typeof meter>;

/** A local calendar period cut to the report's range. */
export const rangeBucket = z
  .object({
    start: ms,
    end: ms.describe('epoch ms, exclusive'),
    /** "2026-11-25 14:00", "2026-11-25", "2026-11" (cut: "2026-11-01–07"). */
    label: z.string(),
    clipped: z.boolean().describe('the range starts or ends inside the period'),
    partial: z.boolean().describe('the period ends after now: its figure is so far'),
  })
  .meta({
    id: 'EnergyPeriod',
    description: "A local calendar period of a report, cut to the report's range",
  });
export type RangeBucket = z.infer<typeof rangeBucket>;

export const bucketConsumption = z
  .object({
    start: ms,
    end: ms,
    label: z.string(),
    value: z.number().nullable().describe('null: no readings (unknown, not 0)'),
    coverage: z.number().describe("0..1: share of the period's time covered by readings"),
    gapMs: z.number(),
    includesGap: z.boolean().describe('a gap lying wholly inside the period was added to it'),
    // A row's periods are copies of the report's (src/energy/consumption.ts emptyRow), flags included.
    clipped: z.boolean().optional().describe("as the report's period"),
    partial: z.boolean().optional().describe("as the report's period"),
  })
  .meta({ id: 'PeriodConsumption' });
export type BucketConsumption = z.infer<typeof bucketConsumption>;

export const gap = z
  .object({
    meter: z.string(),
    from: ms,
    to: ms,
    consumption: z.number(),
    allocatedTo: z.string().optional().describe('the period the gap lies wholly inside and was added to'),
  })
  .meta({ id: 'CounterGap', description: 'Readings too far apart: consumption known, its timing not' });
export type Gap = z.infer<typeof gap>;

export const COUNTER_EVENTS = ['rollover', 'reset', 'replacement', 'spike', 'jump'] as const;
export const counterEvent = z
  .object({
    meter: z.string(),
    ts: ms,
    kind: z.enum(COUNTER_EVENTS),
    before: z.number(),
    after: z.number(),
    message: z.string(),
  })
  .meta({ id: 'CounterEvent' });
export type CounterEvent = z.infer<typeof counterEvent>;

export const consumptionRow = z.object({
  key: z.string(),
  name: z.string(),
  nameZh: zh,
  meters: z.array(z.string()).describe('the meters summed into the row'),
  unit: z.string(),
  buckets: z.array(bucketConsumption),
  total: z.number().nullable(),
  gaps: z.array(gap),
  events: z.array(counterEvent),
});
export type ConsumptionRow = z.infer<typeof consumptionRow>;

const reportHead = {
  commodity,
  unit: z.string(),
  from: ms,
  to: ms,
  resolution,
  groupBy: grouping,
  timezone: z.string().describe("the plant's IANA time zone"),
};

const tce = z.number().nullable().describe('tonnes of standard coal equivalent; null: unknown, not 0');
export const equivalentPeriod = z
  .object({
    start: ms,
    end: ms.describe('epoch ms, exclusive'),
    label: z.string(),
    electricityTce: tce,
    gasTce: tce,
    tce: tce.describe('electricity + gas, of what is known'),
    gasCo2Kg: z.number().nullable().describe('kg CO₂e of the gas burnt'),
  })
  .meta({ id: 'EquivalentPeriod' });
export const equivalents = z
  .object({
    unit: z.literal('tce'),
    periods: z.array(equivalentPeriod),
    electricityTce: tce,
    gasTce: tce,
    tce,
    gasCo2Kg: z.number().nullable(),
    unconverted: z
      .object({ electricityKwh: z.number(), gasM3: z.number(), gasM3NoCo2: z.number() })
      .describe('consumption on days no conversion (gasM3NoCo2: emission) factor was in force'),
  })
  .meta({
    id: 'EnergyEquivalents',
    description:
      "The site's electricity and gas mains as standard coal equivalent, each day at the factor in force that day (energy.yaml standardCoal), and the gas's CO₂ (carbon.gas)",
  });
export type Equivalents = z.infer<typeof equivalents>;

export const consumptionReport = z
  .object({
    ...reportHead,
    buckets: z.array(rangeBucket),
    rows: z.array(consumptionRow),
    total: z.number().nullable(),
    asOf: ms.describe('when the report was made'),
    equivalents: equivalents
      .optional()
      .describe('electricity and gas answers grouped by room, building or site'),
  })
  .meta({ id: 'ConsumptionReport' });
export type ConsumptionReport = z.infer<typeof consumptionReport>;

export const TREE_ROW_KINDS = ['meter', 'submeters', 'unmetered'] as const;
export type TreeRowKind = (typeof TREE_ROW_KINDS)[number];
export const treeRow = consumptionRow.extend({
  kind: z.enum(TREE_ROW_KINDS).describe("a meter's own figures, its sub-meters' sum, or the rest"),
  depth: z.number().int(),
  parent: z.string().nullable(),
  negative: z.boolean().describe('an unmetered remainder below zero: a meter is wrong'),
});
export type TreeRow = z.infer<typeof treeRow>;

export const treeReport = consumptionReport
  .extend({ rows: z.array(treeRow) })
  .meta({ id: 'MeteringTreeReport', description: 'Consumption by meter as the metering tree' });
export type TreeReport = z.infer<typeof treeReport>;

const bandShare = z.object({ band: z.enum(BANDS), consumption: z.number(), cost: z.number() });
export type BandShare = z.infer<typeof bandShare>;

export const costFigures = z
  .object({
    consumption: z.number().nullable(),
    unpriced: z.number().describe('consumption before any tariff took effect'),
    unknownHours: z.number().describe('hours without data: in no figure'),
    bands: z.array(bandShare),
    peakShare: z.number().nullable(),
    energyCost: z.number().nullable(),
    maxDemandKw: z.number().nullable(),
    demandCharge: z.number().nullable(),
    capacityKva: z.number().nullable(),
    capacityCharge: z.number().nullable(),
    cost: z.number().nullable(),
    carbonKg: z.number().nullable(),
  })
  .meta({ id: 'CostFigures' });
export type CostFigures = z.infer<typeof costFigures>;

export const costRow = z.object({
  key: z.string(),
  name: z.string(),
  nameZh: zh,
  meters: z.array(z.string()),
  periods: z.array(rangeBucket.extend(costFigures.shape)),
  total: costFigures,
  // By meter, where the row sits in the metering tree.
  kind: z.enum(TREE_ROW_KINDS).optional(),
  depth: z.number().int().optional(),
  parent: z.string().nullable().optional(),
  negative: z.boolean().optional(),
});
export type CostRow = z.infer<typeof costRow>;

export const costReport = z
  .object({
    ...reportHead,
    currency: z.string().nullable().describe('null: no tariff for the commodity'),
    periods: z.array(rangeBucket),
    rows: z.array(costRow),
    total: costFigures,
    highPeakShare: z.number().describe('a peak share from which moving load is worth a look'),
  })
  .meta({ id: 'CostReport' });
export type CostReport = z.infer<typeof costReport>;

export const demandSummary = z.object({
  label: z.string(),
  start: ms,
  end: ms,
  clipped: z.boolean().optional(),
  partial: z.boolean().optional(),
  peakKw: z.number().nullable(),
  peakAt: ms.nullable(),
  meanKw: z.number().nullable(),
  loadFactor: z.number().nullable(),
  peakKva: z.number().nullable(),
  peakKvaAt: ms.nullable(),
  blocks: z.number().int(),
});
export type DemandSummary = z.infer<typeof demandSummary>;

export const meterDemand = z.object({
  device: z.string(),
  name: z.string(),
  nameZh: zh,
  room: z.string(),
  roomName: z.string(),
  roomNameZh: zh,
  periods: z.array(demandSummary),
});
export type MeterDemand = z.infer<typeof meterDemand>;

export const roomHeadroom = z.object({
  room: z.string(),
  roomName: z.string(),
  roomNameZh: zh,
  buildingName: z.string(),
  buildingNameZh: zh,
  meters: z.array(z.string()),
  ratedKva: z.number(),
  peakKva: z.number().nullable(),
  peakAt: ms.nullable(),
  utilisation: z.number().nullable(),
  headroomKva: z.number().nullable(),
});
export type RoomHeadroom = z.infer<typeof roomHeadroom>;

export const demandReport = z
  .object({
    from: ms,
    to: ms,
    resolution,
    timezone: z.string(),
    blockMs: z.number().describe('the demand block, ms (15 minutes)'),
    meters: z.array(meterDemand),
    rooms: z.array(roomHeadroom),
  })
  .meta({ id: 'DemandReport' });
export type DemandReport = z.infer<typeof demandReport>;

export const intensityRow = z.object({
  key: z.string().describe('"<site>/<building>", or "<site>" for the site'),
  name: z.string(),
  nameZh: zh,
  areaM2: z.number().nullable(),
  beds: z.number().nullable(),
  kwh: z.number().nullable(),
  m3: z.number().nullable(),
  kwhPerM2: z.number().nullable(),
  kwhPerBed: z.number().nullable(),
  m3PerM2: z.number().nullable(),
  m3PerBed: z.number().nullable(),
});
export type IntensityRow = z.infer<typeof intensityRow>;

export const intensityReport = z
  .object({ from: ms, to: ms, rows: z.array(intensityRow) })
  .meta({ id: 'IntensityReport' });
export type IntensityReport = z.infer<typeof intensityReport>;

export const night = z.object({
  date: z.string().describe('the date the night starts on'),
  start: ms,
  end: ms,
  minimumFlow: z.number().nullable().describe('lowest 15-minute mean flow; null without enough readings'),
  coverage: z.number(),
  wet: z.boolean().nullable(),
});
export type Night = z.infer<typeof night>;

export const meterNights = z.object({
  device: z.string(),
  threshold: z.number(),
  nights: z.array(night),
  wetNights: z.number().int().describe('wet nights in a row up to the last complete one'),
  suspected: z.boolean(),
});
export type MeterNights = z.infer<typeof meterNights>;

export const leakStatus = z
  .object({
    window: z.object({ from: z.string(), to: z.string() }).describe('the night window, local "HH:MM"'),
    nights: z.number().int().describe('wet nights in a row that make a leak suspected'),
    checkedAt: ms.nullable(),
    meters: z.array(meterNights),
  })
  .meta({ id: 'LeakStatus' });
export type LeakStatus = z.infer<typeof leakStatus>;

export const normalisation = z.discriminatedUnion('by', [
  z.object({ by: z.literal('day') }),
  z.object({
    by: z.literal('degree-days'),
    kind: z.enum(['cooling', 'heating']),
    baseC: z.number(),
    temperature: z.string().optional(),
  }),
  z.object({ by: z.literal('point'), point: z.string() }),
]);
export type Normalisation = z.infer<typeof normalisation>;

const dailyValue = z.object({ day: z.string(), consumption: z.number(), driver: z.number().optional() });
export const periodDays = z.object({
  from: ms,
  to: ms,
  days: z.array(dailyValue),
  excluded: z.array(z.string()).describe('days left out for missing readings'),
});
export type PeriodDays = z.infer<typeof periodDays>;

export const baselineFit = z.object({
  model: z.enum(['mean', 'linear']),
  intercept: z.number(),
  slope: z.number(),
  n: z.number().int(),
  parameters: z.number().int(),
  r2: z.number(),
  rmse: z.number(),
  cvRmse: z.number(),
  meanConsumption: z.number(),
  lag1Autocorrelation: z.number(),
});

export const savingsResult = z.object({
  fit: baselineFit,
  adjustedBaseline: z.number(),
  actual: z.number(),
  savings: z.number(),
  savingsPct: z.number(),
  uncertainty: z.number(),
  uncertaintyPct: z.number().nullable(),
  perDay: z.object({ baseline: z.number(), reporting: z.number() }),
  reportingDays: z.number().int(),
  t: z.number(),
  effectiveN: z.number(),
  meetsGuideline14: z.boolean(),
});
export type SavingsResult = z.infer<typeof savingsResult>;

export const retrofitReport = z
  .object({
    id: z.string(),
    name: z.string(),
    nameZh: zh,
    description: z.string().optional(),
    descriptionZh: zh,
    meters: z.array(z.string()),
    unit: z.string(),
    normalise: normalisation,
    confidence: z.number(),
    promisedPct: z.number().optional(),
    baseline: periodDays,
    reporting: periodDays,
    result: savingsResult.nullable(),
    problem: z.string().optional().describe('why there is no result'),
    problemZh: z.string().optional().describe('the same in Chinese, for the reasons the gateway knows'),
  })
  .meta({ id: 'RetrofitReport', description: "A retrofit's verified savings (IPMVP, ASHRAE Guideline 14)" });
export type RetrofitReport = z.infer<typeof retrofitReport>;

// ---- Routes ----

export const metersRoute = route({
  method: 'get',
  path: '/api/energy/meters',
  summary: 'The meters the energy reports read',
  access: 'signed-in',
  response: z.array(meter),
});

export const consumptionRoute = route({
  method: 'get',
  path: '/api/energy/consumption',
  summary: 'Consumption per site, building, room or meter (as the metering tree) per hour, day or month',
  access: 'signed-in',
  query: z.object({
    commodity: commodity.optional().describe('default electricity'),
    resolution: resolution.optional().describe('default day; hourly for at most 62 days'),
    groupBy: grouping.optional().describe('default building; meter: the metering tree'),
    ...range,
    meters: z.string().optional().describe('only these meters (device ids separated by commas)'),
    ...csv,
  }),
  response: z.union([treeReport, consumptionReport]),
  produces: ['text/csv'],
});
export type ConsumptionAnswer = ConsumptionReport | TreeReport;

export const costRoute = route({
  method: 'get',
  path: '/api/energy/cost',
  summary: 'What the consumption cost (time-of-use, demand or capacity charge) and emitted (kg CO₂e)',
  access: 'signed-in',
  query: z.object({
    commodity: commodity.optional(),
    resolution: z.enum(['day', 'month']).optional().describe('default month'),
    groupBy: grouping.optional(),
    ...range,
    ...csv,
  }),
  response: costReport,
  produces: ['text/csv'],
});

export const demandRoute = route({
  method: 'get',
  path: '/api/energy/demand',
  summary: "Each incomer's peak 15-minute demand per day or month, and each distribution room's headroom",
  access: 'signed-in',
  query: z.object({
    resolution: z.enum(['day', 'month']).optional().describe('default day'),
    ...range,
    table: z.enum(['rooms']).optional().describe('with format=csv: the headroom table instead of the peaks'),
    ...csv,
  }),
  response: demandReport,
  produces: ['text/csv'],
});

export const intensityRoute = route({
  method: 'get',
  path: '/api/energy/intensity',
  summary: 'kWh and m³ per m² of floor and per bed, by building and for the site',
  access: 'signed-in',
  query: z.object({ ...range, ...csv }),
  response: intensityReport,
  produces: ['text/csv'],
});

export const leaksRoute = route({
  method: 'get',
  path: '/api/energy/leaks',
  summary: "Each watched water meter's minimum night flow over the last 14 nights, and suspected leaks",
  access: 'signed-in',
  query: z.object(csv),
  response: leakStatus,
  produces: ['text/csv'],
});

export const retrofitsRoute = route({
  method: 'get',
  path: '/api/energy/retrofits',
  summary: "Each retrofit's verified savings with their uncertainty",
  access: 'signed-in',
  query: z.object(csv),
  response: z.array(retrofitReport),
  produces: ['text/csv'],
});

export const reportRoute = route({
  method: 'get',
  path: '/api/energy/report',
  summary: "A month's energy report as an HTML page",
  access: 'signed-in',
  query: z.object({ month }),
  response: z.string().describe('the HTML page'),
  produces: ['text/html'],
});

export const REPORT_LANGUAGES = ['en', 'zh'] as const;
export const reportPdfRoute = route({
  method: 'get',
  path: '/api/energy/report.pdf',
  summary: "A month's energy report as PDF",
  access: 'signed-in',
  query: z.object({ month, lang: z.enum(REPORT_LANGUAGES).optional().describe('default en') }),
  response: z.string().describe('the PDF'),
  produces: ['application/pdf'],
});

export const reportSendRoute = route({
  method: 'post',
  path: '/api/energy/report/send',
  summary: "Mail a month's energy report now to its recipients",
  access: 'reports',
  query: z.object({ month }),
  response: z.object({ sent: z.string().describe('the month sent, "YYYY-MM"') }),
});
export type ReportSent = z.infer<typeof reportSendRoute.response>;

export const energyRoutes = [
  metersRoute,
  consumptionRoute,
  costRoute,
  demandRoute,
  intensityRoute,
  leaksRoute,
  retrofitsRoute,
  reportRoute,
  reportPdfRoute,
  reportSendRoute,
];

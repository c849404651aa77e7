// Point history: one point's (GET /api/points/:id/history, trends and energy reports) and several
// points' over one range at once (GET /api/history, the equipment page's trend).
import { z } from 'zod';
import { quality } from './points.js';
import { route } from './route.js';

export const AGGREGATES = ['raw', 'mean', 'min', 'max', 'last', 'delta'] as const;
export type HistoryAggregate = (typeof AGGREGATES)[number];

/** Most points one GET /api/history may ask for. */
export const MAX_HISTORY_POINTS = 8;

const time = z
  .string()
  .describe('ISO 8601, epoch milliseconds, "now", or relative to now: "-24h", "-7d", "-30m"');

const rangeQuery = {
  from: time.optional().describe('start (inclusive); default one hour before `to`'),
  to: time.optional().describe('end (exclusive); default now'),
  window: z
    .string()
    .optional()
    .describe('aggregate per window, e.g. "1m", "15m", "1h", "1d"; chosen automatically for a long range'),
  agg: z.enum(AGGREGATES).optional().describe('aggregate; default raw, or the natural one with a window'),
};

export const historySample = z
  .object({
    ts: z.number().describe('Sample time, or the start of its window, epoch ms'),
    value: z.number().nullable().describe('null: the read failed (a gap)'),
    quality: quality.optional(),
    count: z.number().optional().describe('Samples behind an aggregate'),
  })
  .meta({ id: 'HistorySample', description: 'A stored value, or one window of them' });
export type HistorySample = z.infer<typeof historySample>;

/** One point's values over the range, raw or aggregated per window. */
export const historySeries = z
  .object({
    point: z.string(),
    unit: z.string(),
    aggregate: z.enum(AGGREGATES),
    windowMs: z.number().nullable().describe('The window of an aggregate, ms; null for raw samples'),
    downsampled: z
      .boolean()
      .describe('True when the store aggregated because the raw samples were too many for one answer'),
    values: z.array(historySample),
  })
  .meta({ id: 'HistorySeries', description: "One point's values over a range" });
export type HistorySeries = z.infer<typeof historySeries>;

export const pointHistoryRoute = route({
  method: 'get',
  path: '/api/points/:id/history',
  summary: "A point's stored values over a range; a long range aggregated in the store",
  access: 'signed-in',
  query: z.object(rangeQuery),
  response: historySeries.extend({ from: z.number(), to: z.number() }),
});
export type PointHistory = z.infer<typeof pointHistoryRoute.response>;

export const historyRoute = route({
  method: 'get',
  path: '/api/history',
  summary:
    'Several points over one range (a trend): raw samples, or per window for a long range — a ' +
    "counter's last reading, other points' mean",
  access: 'signed-in',
  query: z.object({
    points: z.string().describe(`point ids separated by commas, at most ${MAX_HISTORY_POINTS}`),
    ...rangeQuery,
  }),
  response: z.object({ from: z.number(), to: z.number(), series: z.array(historySeries) }),
});
export type History = z.infer<typeof historyRoute.response>;

export const historyRoutes = [pointHistoryRoute, historyRoute];

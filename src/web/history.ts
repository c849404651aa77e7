/**
 * Point history. GET /api/points/:id/history?from=&to=&window=&agg= — one point, for trends and
 * energy reports; GET /api/history?points=a,b&from=&to= — several points over one range, for the
 * equipment page's trend. Huge ranges are aggregated in the store, never loaded whole.
 */
import { type Request, type Response, Router } from 'express';
import {
  AGGREGATES,
  type History,
  type HistorySeries,
  MAX_HISTORY_POINTS,
  type PointHistory,
} from '../api-types/history.js';
import type { PointInfo, PointTable } from '../points/index.js';
import type { Aggregate, TimeSeriesStore } from '../storage/index.js';

/** Above this many raw samples a request is answered with windows instead. */
export const MAX_RAW_SAMPLES = 10_000;
/** Windows an automatic downsample aims at: plenty for a chart, small for a phone. */
const TARGET_WINDOWS = 1000;
const MAX_RANGE_MS = 400 * 86_400_000;
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export class BadRequest extends Error {}
class NotFound extends Error {}

/** ISO 8601, epoch ms, "now", or relative to now: "-24h", "-7d". */
export function parseTime(raw: unknown, name: string, now: number, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw !== 'string') throw new BadRequest(`${name}: give one value`);
  if (raw === 'now') return now;
  const relative = /^-(\d+)(s|m|h|d)$/.exec(raw);
  if (relative) return now - Number(relative[1]) * (UNITS[relative[2] as string] as number);
  if (/^\d+$/.test(raw)) return Number(raw);
  const parsed = Date.parse(raw);
  if (Number.isNaN(parsed))
    throw new BadRequest(
      `${name}: expected an ISO 8601 time, epoch milliseconds, "now" or "-24h" (got "${raw}")`,
    );
  return parsed;
}

export function parseWindow(raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const match = typeof raw === 'string' ? /^(\d+)(s|m|h|d)$/.exec(raw) : null;
  if (!match)
    throw new BadRequest(
      `window: expected a duration such as "1m", "15m", "1h", "1d" (got "${String(raw)}")`,
    );
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

/** A round window (1 s, 1 min, 15 min, 1 h, 1 d ...) giving at most TARGET_WINDOWS windows. */
function autoWindow(rangeMs: number): number {
  const steps = [1, 5, 10, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400].map(
    (s) => s * 1000,
  );
  return steps.find((s) => rangeMs / s <= TARGET_WINDOWS) ?? Math.ceil(rangeMs / TARGET_WINDOWS);
}

/** What one request asks of each of its points. */
interface RangeAsk {
  from: number;
  to: number;
  windowMs: number | undefined;
  aggregate: Aggregate | undefined;
}

function parseRange(query: Request['query']): RangeAsk {
  const now = Date.now();
  const to = parseTime(query.to, 'to', now, now);
  const from = parseTime(query.from, 'from', now, to - 3_600_000);
  if (from >= to) throw new BadRequest('from must be before to');
  if (to - from > MAX_RANGE_MS) throw new BadRequest('the range may span at most 400 days');
  const windowMs = parseWindow(query.window);
  const requested = query.agg;
  if (requested !== undefined && !AGGREGATES.includes(requested as Aggregate)) {
    throw new BadRequest(`agg: expected one of ${AGGREGATES.join(', ')} (got "${String(requested)}")`);
  }
  return { from, to, windowMs, aggregate: requested as Aggregate | undefined };
}

/**
 * One point's values: raw when asked (or by default) and not too many, else per window with
 * `natural` (the aggregate a window of this point means: consumption, mean, last reading).
 */
async function series(
  store: TimeSeriesStore,
  info: PointInfo,
  ask: RangeAsk,
  natural: Aggregate,
): Promise<HistorySeries> {
  const { from, to } = ask;
  const base = { point: info.id, unit: info.unit };
  let windowMs = ask.windowMs;
  let aggregate = ask.aggregate ?? (windowMs ? natural : 'raw');
  let downsampled = false;
  if (aggregate === 'raw') {
    const values = await store.query({ point: info.id, from, to, limit: MAX_RAW_SAMPLES + 1 });
    if (values.length <= MAX_RAW_SAMPLES) return { ...base, aggregate, windowMs: null, downsampled, values };
    // Too many samples for one answer: the store aggregates instead.
    aggregate = natural;
    downsampled = true;
  }
  windowMs ??= autoWindow(to - from);
  if ((to - from) / windowMs > MAX_RAW_SAMPLES) {
    windowMs = autoWindow(to - from);
    downsampled = true;
  }
  const values = await store.query({ point: info.id, from, to, windowMs, aggregate });
  return { ...base, aggregate, windowMs, downsampled, values };
}

/** The points of `?points=a,b`: known, at most MAX_HISTORY_POINTS, each once. */
function askedPoints(table: PointTable, raw: unknown): PointInfo[] {
  if (typeof raw !== 'string' || raw.trim() === '')
    throw new BadRequest(
      'points: give point ids separated by commas, e.g. points=ch1.chw_supply_temp,ch1.chw_return_temp',
    );
  const ids = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (ids.length > MAX_HISTORY_POINTS)
    throw new BadRequest(`points: at most ${MAX_HISTORY_POINTS} points at once (got ${ids.length})`);
  return ids.map((id) => {
    const info = table.info.get(id);
    if (!info) throw new NotFound(`no point "${id}"`);
    return info;
  });
}

function sendError(res: Response, err: unknown): void {
  if (err instanceof BadRequest) res.status(400).json({ error: err.message });
  else if (err instanceof NotFound) res.status(404).json({ error: err.message });
  else res.status(503).json({ error: `the time-series store did not answer: ${(err as Error).message}` });
}

export function historyRouter(table: PointTable, store: TimeSeriesStore): Router {
  const router = Router();
  router.get('/points/:id/history', async (req: Request<{ id: string }>, res: Response) => {
    const info = table.info.get(req.params.id);
    if (!info) {
      res.status(404).json({ error: `no point "${req.params.id}"` });
      return;
    }
    try {
      const ask = parseRange(req.query);
      // A counter's window is its consumption: what energy reports add up.
      const body: PointHistory = {
        from: ask.from,
        to: ask.to,
        ...(await series(store, info, ask, info.counter ? 'delta' : 'mean')),
      };
      res.json(body);
    } catch (err) {
      sendError(res, err);
    }
  });

  router.get('/history', async (req: Request, res: Response) => {
    try {
      const infos = askedPoints(table, req.query.points);
      const ask = parseRange(req.query);
      // A trend draws readings: a counter's window is its last reading, not its consumption.
      const body: History = {
        from: ask.from,
        to: ask.to,
        series: await Promise.all(
          infos.map((info) => series(store, info, ask, info.counter ? 'last' : 'mean')),
        ),
      };
      res.json(body);
    } catch (err) {
      sendError(res, err);
    }
  });
  return router;
}

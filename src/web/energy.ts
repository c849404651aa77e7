/**
 * /api/energy/*: consumption, peak demand and headroom, intensity, night-flow leaks and
 * retrofit savings, each as JSON or a CSV download; the monthly report as HTML and PDF.
 */
import { type Request, type RequestHandler, type Response, Router } from 'express';
import type * as Api from '../api-types/energy.js';
import type { Describes } from '../api-types/route.js';
import {
  COMMODITIES,
  type Commodity,
  type ConsumptionReport,
  type CostReport,
  type DemandReport,
  type EnergyService,
  GROUPINGS,
  type Grouping,
  type LeakStatus,
  type Meter,
  parsePeriodBound,
  type Resolution,
  type RetrofitReport,
  type TreeReport,
} from '../energy/index.js';
import { costTable } from '../reports/cost-table.js';
import {
  consumptionTable,
  demandTable,
  headroomTable,
  intensityTable,
  leaksTable,
  retrofitTable,
  treeTable,
} from '../reports/energy-tables.js';
import { pdfFilename } from '../reports/monthly-pdf.js';
import { PdfUnavailable, REPORT_LANGUAGES, type ReportLanguage } from '../reports/pdf.js';
import { BadRequest, parseTime } from './history.js';
import { sendTable } from './tables.js';

/** What /api/energy/meters leaves out of a meter: how its counter is read. */
type MeterInternals =
  | 'changes'
  | 'rolloverAt'
  | 'resolution'
  | 'maxRatePerHour'
  | 'counterPoint'
  | 'ratePoint';

type Intensity = Awaited<ReturnType<EnergyService['intensity']>>;
/**
 * The service's reports are what the API's schemas (api-types/energy.ts) describe, and the
 * dashboard takes its types from those: a field renamed, retyped or added on one side alone
 * fails the typecheck here.
 */
const shapesAgree: [
  Describes<Omit<Meter, MeterInternals>, Api.Meter>,
  Describes<ConsumptionReport, Api.ConsumptionReport>,
  Describes<TreeReport, Api.TreeReport>,
  Describes<CostReport, Api.CostReport>,
  Describes<DemandReport, Api.DemandReport>,
  Describes<Intensity, Api.IntensityReport>,
  Describes<LeakStatus, Api.LeakStatus>,
  Describes<RetrofitReport, Api.RetrofitReport>,
] = [true, true, true, true, true, true, true, true];
void shapesAgree;

const RESOLUTIONS: readonly Resolution[] = ['hour', 'day', 'month'];
const MAX_RANGE_MS = 400 * 86_400_000;
/** Hourly figures for at most this long (a month and a bit). */
const MAX_HOURLY_MS = 62 * 86_400_000;

function oneOf<T extends string>(raw: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw !== 'string' || !allowed.includes(raw as T))
    throw new BadRequest(`${name}: expected one of ${allowed.join(', ')} (got "${String(raw)}")`);
  return raw as T;
}

/**
 * "2026-11", "2026-11-25" and "2026-11-25T06:30" are local to the plant (a date-time with Z or
 * an offset is that instant); anything else as the history API reads it.
 */
function bound(raw: unknown, name: string, zone: string, now: number, fallback: number): number {
  const local = (text: string) => {
    try {
      return parsePeriodBound(text, zone, now);
    } catch (err) {
      // "2026-02-30" or "2026-13" look like dates and are none: the caller's mistake, not the store's.
      if (err instanceof RangeError) throw new BadRequest(`${name}: no such date "${String(raw)}"`);
      throw err;
    }
  };
  if (typeof raw === 'string' && /^\d{4}-\d{2}$/.test(raw)) return local(`${raw}-01`);
  if (typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(raw)) return local(raw);
  if (typeof raw === 'string' && /^-\d+d$/.test(raw)) return local(raw);
  if (typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(raw)) return local(raw);
  return parseTime(raw, name, now, fallback);
}

export function rangeOf(req: Request, zone: string, defaultDays = 30): { from: number; to: number } {
  const now = Date.now();
  const to = bound(req.query.to, 'to', zone, now, now);
  const from = bound(req.query.from, 'from', zone, now, to - defaultDays * 86_400_000);
  if (from >= to) throw new BadRequest('from must be before to');
  if (to - from > MAX_RANGE_MS) throw new BadRequest('the range may span at most 400 days');
  return { from, to };
}

function fail(res: Response, err: unknown): void {
  if (err instanceof BadRequest) res.status(400).json({ error: err.message });
  else res.status(503).json({ error: `the time-series store did not answer: ${(err as Error).message}` });
}

type Handler = (req: Request, res: Response) => Promise<void>;
const guarded =
  (handler: Handler) =>
  (req: Request, res: Response): void => {
    handler(req, res).catch((err: unknown) => fail(res, err));
  };

export interface EnergyRouterOptions {
  monthlyReport?: MonthlyReportPage;
  monthlyReportPdf?: MonthlyReportPdf;
  /** Mail the monthly report now; answers the month sent. */
  sendReport?: (month?: string) => Promise<string>;
  /** Who may send it (login on: energy managers). */
  reportGuard?: RequestHandler;
}

function monthParam(raw: unknown): string | undefined {
  const month = typeof raw === 'string' && raw !== '' ? raw : undefined;
  if (month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
    throw new BadRequest(`month: expected "YYYY-MM" (got "${month}")`);
  return month;
}

export function energyRouter(energy: EnergyService, options: EnergyRouterOptions = {}): Router {
  const router = Router();
  const zone = energy.timezone;

  router.get('/energy/meters', (_req, res) => {
    const meters: Api.Meter[] = energy.meters.map(
      ({
        changes: _changes,
        rolloverAt: _r,
        resolution: _s,
        maxRatePerHour: _m,
        counterPoint: _c,
        ratePoint: _p,
        ...m
      }) => m,
    );
    res.json(meters);
  });

  router.get(
    '/energy/consumption',
    guarded(async (req, res) => {
      const commodity = oneOf<Commodity>(req.query.commodity, 'commodity', COMMODITIES, 'electricity');
      const resolution = oneOf<Resolution>(req.query.resolution, 'resolution', RESOLUTIONS, 'day');
      const groupBy = oneOf<Grouping>(req.query.groupBy, 'groupBy', GROUPINGS, 'building');
      const range = rangeOf(req, zone);
      if (resolution === 'hour' && range.to - range.from > MAX_HOURLY_MS)
        throw new BadRequest('hourly figures cover at most 62 days: choose day or month for longer ranges');
      const meters =
        typeof req.query.meters === 'string' ? req.query.meters.split(',').filter(Boolean) : undefined;
      const query = { commodity, resolution, ...range, ...(meters ? { meters } : {}) };
      const name = `${commodity}-${groupBy}-${resolution}`;
      // By meter, the metering tree: each meter under its parent, never added to it.
      if (groupBy === 'meter')
        sendTable(req, res, name, (await energy.tree(query)) satisfies Api.TreeReport, (r) =>
          treeTable(r, zone),
        );
      else {
        const [report, equivalents] = await Promise.all([
          energy.consumption({ ...query, groupBy }),
          // Beside electricity and gas: the site's total in tce, and the gas's CO₂.
          commodity === 'water' ? undefined : energy.equivalents?.({ resolution, ...range }),
        ]);
        sendTable(
          req,
          res,
          name,
          (equivalents ? { ...report, equivalents } : report) satisfies Api.ConsumptionReport,
          (r) => consumptionTable(r, zone),
        );
      }
    }),
  );

  router.get(
    '/energy/cost',
    guarded(async (req, res) => {
      const commodity = oneOf<Commodity>(req.query.commodity, 'commodity', COMMODITIES, 'electricity');
      const resolution = oneOf<Resolution>(req.query.resolution, 'resolution', ['day', 'month'], 'month');
      const groupBy = oneOf<Grouping>(req.query.groupBy, 'groupBy', GROUPINGS, 'building');
      const query = { commodity, resolution, groupBy, ...rangeOf(req, zone) };
      const report = (await energy.cost(query)) satisfies Api.CostReport;
      sendTable(req, res, `${commodity}-cost-${groupBy}-${resolution}`, report, (r) => costTable(r, zone));
    }),
  );

  router.get(
    '/energy/demand',
    guarded(async (req, res) => {
      const resolution = oneOf<Resolution>(req.query.resolution, 'resolution', ['day', 'month'], 'day');
      const report = (await energy.demand({ ...rangeOf(req, zone), resolution })) satisfies Api.DemandReport;
      const rooms = req.query.table === 'rooms';
      sendTable(req, res, rooms ? 'headroom' : `peak-demand-${resolution}`, report, (r) =>
        rooms ? headroomTable(r, zone) : demandTable(r, zone),
      );
    }),
  );

  router.get(
    '/energy/intensity',
    guarded(async (req, res) => {
      const report = (await energy.intensity(rangeOf(req, zone))) satisfies Api.IntensityReport;
      sendTable(req, res, 'intensity', report, intensityTable);
    }),
  );

  router.get(
    '/energy/leaks',
    guarded(async (req, res) => {
      sendTable(req, res, 'night-flow', (await energy.leaks()) satisfies Api.LeakStatus, leaksTable);
    }),
  );

  router.get(
    '/energy/retrofits',
    guarded(async (req, res) => {
      const retrofits = (await energy.retrofits()) satisfies Api.RetrofitReport[];
      sendTable(req, res, 'retrofit-savings', retrofits, (r) => retrofitTable(r, zone));
    }),
  );

  const page = options.monthlyReport;
  if (page)
    router.get(
      '/energy/report',
      guarded(async (req, res) => {
        res.type('html').send(await page(monthParam(req.query.month)));
      }),
    );
  const pdf = options.monthlyReportPdf;
  if (pdf)
    router.get('/energy/report.pdf', (req: Request, res: Response) => {
      Promise.resolve()
        .then(async () => {
          const lang = oneOf<ReportLanguage>(req.query.lang, 'lang', REPORT_LANGUAGES, 'en');
          const { month, content } = await pdf(monthParam(req.query.month), lang);
          res.type('application/pdf').attachment(pdfFilename(month, lang)).send(content);
        })
        .catch((err: unknown) =>
          err instanceof BadRequest
            ? res.status(400).json({ error: err.message })
            : res.status(503).json({
                error: `${err instanceof PdfUnavailable ? 'no PDF on this gateway' : 'the PDF was not made'}: ${(err as Error).message}`,
              }),
        );
    });
  const send = options.sendReport;
  if (send)
    router.post(
      '/energy/report/send',
      ...(options.reportGuard ? [options.reportGuard] : []),
      (req: Request, res: Response) => {
        Promise.resolve()
          .then(() => send(monthParam(req.query.month)))
          .then((month) => res.json({ sent: month } satisfies Api.ReportSent))
          .catch((err: unknown) =>
            err instanceof BadRequest
              ? res.status(400).json({ error: err.message })
              : res.status(503).json({ error: `the report was not sent: ${(err as Error).message}` }),
          );
      },
    );
  return router;
}

/** Renders the monthly report of "YYYY-MM" (default: last month) as an HTML page. */
export type MonthlyReportPage = (month?: string) => Promise<string>;
/** The monthly report of "YYYY-MM" (default: last month) as PDF, and the month it is of. */
export type MonthlyReportPdf = (
  month: string | undefined,
  lang: ReportLanguage,
) => Promise<{ month: string; content: Buffer }>;

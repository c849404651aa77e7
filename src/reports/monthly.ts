/**
 * The monthly energy report: electricity and water by building against the month before,
 * intensity per m² and bed, peak demand and headroom, night-flow leaks and retrofit savings,
 * as one HTML page (served by the API and mailed) with every table attached as CSV. Sent on
 * the configured day and time to the people named in energy.yaml; a month is sent once,
 * even across restarts (the sent months are kept in a small state file).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DateTime } from 'luxon';
import type { PlantConfig } from '../config/index.js';
import { spanLabel } from '../energy/calendar.js';
import type {
  Commodity,
  ConsumptionReport,
  DemandReport,
  EnergyService,
  LeakStatus,
  RetrofitReport,
} from '../energy/index.js';
import type { Logger } from '../log/index.js';
import { createSmtpTransport } from '../notify/channels/email.js';
import { costTable } from './cost-table.js';
import { localTime, toCsv } from './csv.js';
import {
  consumptionTable,
  demandTable,
  headroomTable,
  intensityTable,
  leaksTable,
  retrofitTable,
} from './energy-tables.js';
import { changeOf, escapeHtml, number, percent, section, table, totalText } from './html.js';
import { electricityCostHtml, type MonthCosts, tariffsHtml, waterCostHtml } from './monthly-cost.js';
import { chineseNames, reportInChinese, textInChinese } from './monthly-zh.js';

export interface MonthlyReport {
  month: string;
  subject: string;
  html: string;
  attachments: { filename: string; content: string }[];
  /** Each day's consumption by building: the PDF's charts (src/reports/monthly-pdf.ts). */
  daily: { electricity: ConsumptionReport; water: ConsumptionReport };
  /** The configuration's names in Chinese, for the report in Chinese (monthly-zh.ts). */
  namesZh: Record<string, string>;
}

/** The month before the one `now` falls in, as "YYYY-MM". */
export function previousMonth(now: number, zone: string): string {
  return DateTime.fromMillis(now, { zone }).startOf('month').minus({ months: 1 }).toFormat('yyyy-MM');
}

/**
 * The month and the one before it. A month still going on is taken up to now and compared
 * with the same days and hours of the month before (cut at its end when shorter): a week of
 * November against all of October would read as −75 %.
 */
function monthRange(month: string, zone: string, now: number) {
  const start = DateTime.fromISO(`${month}-01`, { zone });
  if (!start.isValid) throw new Error(`month: expected "YYYY-MM" (got "${month}")`);
  const end = start.plus({ months: 1 });
  const previous = start.minus({ months: 1 });
  const sofar = now > start.toMillis() && now < end.toMillis();
  const elapsed = DateTime.fromMillis(now, { zone }).diff(start, ['days', 'milliseconds']);
  return {
    from: start.toMillis(),
    to: sofar ? now : end.toMillis(),
    sofar,
    before: {
      from: previous.toMillis(),
      to: sofar ? Math.min(previous.plus(elapsed).toMillis(), start.toMillis()) : start.toMillis(),
    },
  };
}

/** Gaps in a row's readings: gaps between readings, and days without any (none when it has no data at all). */
const gapsOf = (row: ConsumptionReport['rows'][number] | undefined) =>
  row && row.total !== null ? row.gaps.length + row.buckets.filter((b) => b.value === null).length : 0;

function comparison(current: ConsumptionReport, before: ConsumptionReport): string[][] {
  return current.rows.map((row) => {
    const earlierRow = before.rows.find((r) => r.key === row.key);
    const earlier = earlierRow?.total;
    const change = changeOf(row.total, earlier);
    const gaps = gapsOf(row);
    // The change is only as good as both months: say when the one before has gaps too.
    const gapsBefore = gapsOf(earlierRow);
    const notes = [
      gaps ? `${gaps} gap(s)` : '',
      gapsBefore ? `month before: ${gapsBefore} gap(s)` : '',
    ].filter(Boolean);
    return [row.name, totalText(row.total), totalText(earlier), percent(change), notes.join('; ')];
  });
}

export async function buildMonthlyReport(
  energy: EnergyService,
  config: PlantConfig,
  month: string,
  now = Date.now(),
): Promise<MonthlyReport> {
  const zone = energy.timezone;
  const range = monthRange(month, zone, now);
  const span = { from: range.from, to: range.to };
  const query = { resolution: 'day' as const, groupBy: 'building' as const };
  const [
    electricity,
    electricityBefore,
    water,
    waterBefore,
    demand,
    intensity,
    leaks,
    retrofits,
    electricityCost,
    waterCost,
  ] = await Promise.all([
    energy.consumption({ commodity: 'electricity', ...span, ...query }),
    energy.consumption({ commodity: 'electricity', ...range.before, ...query }),
    energy.consumption({ commodity: 'water', ...span, ...query }),
    energy.consumption({ commodity: 'water', ...range.before, ...query }),
    energy.demand({ ...span, resolution: 'month' }),
    energy.intensity(span),
    energy.leaks(),
    energy.retrofits(),
    monthCosts(energy, 'electricity', range),
    monthCosts(energy, 'water', range),
  ]);
  const site = config.sites.map((s) => s.name).join(', ');
  const subject = `Plantwatch energy report ${month}${range.sofar ? ' (so far)' : ''} — ${site}`;
  const head = comparisonHead(month, range, zone);
  const html = page(subject, [
    section(
      'Electricity by building (kWh, main meters)',
      table(head, comparison(electricity, electricityBefore)),
    ),
    section('Water by building (m³, main meters)', table(head, comparison(water, waterBefore))),
    section(
      `Electricity cost by building (${electricityCost.current.currency ?? 'no tariff'}, main meters)`,
      electricityCostHtml(electricityCost),
    ),
    section(
      `Water cost by building (${waterCost.current.currency ?? 'no tariff'}, main meters)`,
      waterCostHtml(waterCost),
    ),
    section(
      'Intensity',
      table(
        ['', 'kWh/m²', 'kWh/bed', 'm³/m²', 'm³/bed'],
        intensity.rows.map((r) => [
          r.name,
          number(r.kwhPerM2, 2),
          number(r.kwhPerBed, 1),
          number(r.m3PerM2, 3),
          number(r.m3PerBed, 2),
        ]),
      ),
    ),
    section('Peak demand (15-minute mean)', demandHtml(demand, zone)),
    section('Night flow (leaks)', leaksHtml(leaks)),
    section('Retrofit savings', retrofitsHtml(retrofits)),
    section(
      'Tariffs and emission factors used',
      tariffsHtml(config.energy, { from: range.before.from, to: range.to }, zone),
    ),
  ]);
  const csv = (name: string, content: string) => ({ filename: `${name}-${month}.csv`, content });
  return {
    month,
    subject,
    html,
    attachments: [
      csv('electricity-daily-by-building', toCsv(consumptionTable(electricity, zone))),
      csv('water-daily-by-building', toCsv(consumptionTable(water, zone))),
      csv('peak-demand', toCsv(demandTable(demand, zone))),
      csv('headroom', toCsv(headroomTable(demand, zone))),
      csv('intensity', toCsv(intensityTable(intensity))),
      csv('night-flow', toCsv(leaksTable(leaks))),
      csv('retrofit-savings', toCsv(retrofitTable(retrofits, zone))),
      csv('electricity-cost-by-building', toCsv(costTable(electricityCost.current, zone))),
      csv('water-cost-by-building', toCsv(costTable(waterCost.current, zone))),
    ],
    daily: { electricity, water },
    namesZh: chineseNames(config),
  };
}

/** A commodity's cost by building, of the month (so far) and of the month before (as far). */
async function monthCosts(
  energy: EnergyService,
  commodity: Commodity,
  range: ReturnType<typeof monthRange>,
): Promise<MonthCosts> {
  const query = { commodity, resolution: 'month', groupBy: 'building' } as const;
  const [current, before] = await Promise.all([
    energy.cost({ ...query, from: range.from, to: range.to }),
    energy.cost({ ...query, ...range.before }),
  ]);
  return { current, before };
}

/** The comparison's columns: a month so far names the days and hours compared. */
function comparisonHead(month: string, range: ReturnType<typeof monthRange>, zone: string): string[] {
  const [current, before] = range.sofar
    ? [
        `${spanLabel(range.from, range.to, zone)} (so far)`,
        spanLabel(range.before.from, range.before.to, zone),
      ]
    : [month, 'month before'];
  return ['building', current, before, 'change', 'notes'];
}

function demandHtml(demand: DemandReport, zone: string): string {
  const meters = table(
    ['incomer', 'peak kW', 'at', 'mean kW', 'load factor'],
    demand.meters.flatMap((m) =>
      m.periods.map((p) => [
        m.name,
        number(p.peakKw),
        localTime(p.peakAt, zone),
        number(p.meanKw),
        number(p.loadFactor, 2),
      ]),
    ),
  );
  const rooms = table(
    ['room', 'rated kVA', 'peak kVA', 'utilisation', 'headroom kVA'],
    demand.rooms.map((r) => [
      r.roomName,
      number(r.ratedKva),
      number(r.peakKva),
      percent(r.utilisation === null ? null : r.utilisation * 100),
      number(r.headroomKva),
    ]),
  );
  return meters + rooms;
}

function leaksHtml(leaks: LeakStatus): string {
  const suspected = leaks.meters.filter((m) => m.suspected);
  const intro = suspected.length
    ? `<p class="alert">Leak suspected: ${escapeHtml(suspected.map((m) => m.device).join(', '))}</p>`
    : '<p>No meter has had a wet night run long enough to suspect a leak.</p>';
  return (
    intro +
    table(
      ['meter', 'threshold m³/h', 'last night m³/h', 'wet nights in a row'],
      leaks.meters.map((m) => [
        m.device,
        number(m.threshold, 2),
        number(m.nights.at(-1)?.minimumFlow, 2),
        String(m.wetNights),
      ]),
    )
  );
}

function retrofitsHtml(retrofits: RetrofitReport[]): string {
  if (retrofits.length === 0) return '<p>No retrofit is being verified.</p>';
  return table(
    ['retrofit', 'baseline/day', 'now/day', 'savings', 'savings %', `uncertainty`, 'Guideline 14'],
    retrofits.map((r) =>
      r.result
        ? [
            r.name,
            `${number(r.result.perDay.baseline)} ${r.unit}`,
            `${number(r.result.perDay.reporting)} ${r.unit}`,
            `${number(r.result.savings)} ${r.unit}`,
            percent(r.result.savingsPct),
            `± ${number(r.result.uncertainty)} ${r.unit} (${Math.round(r.confidence * 100)} %)`,
            r.result.meetsGuideline14 ? 'meets' : 'does not meet',
          ]
        : [r.name, '—', '—', '—', '—', '—', r.problem ?? ''],
    ),
  );
}

function page(title: string, sections: string[]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;color:#1d1f22;max-width:60em;margin:1em auto;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1em;width:100%}th,td{border:1px solid #b7babe;padding:.2em .5em;text-align:right}
th:first-child,td:first-child{text-align:left}h2{font-size:1.05em;margin-top:1.5em}.alert{color:#d0201b;font-weight:600}
@page{size:A4;margin:14mm 12mm}@media print{body{font-size:10pt;max-width:none;margin:0;padding:0}thead{display:table-header-group}tr{break-inside:avoid}h2{break-after:avoid}}</style>
</head><body><h1>${escapeHtml(title)}</h1>${sections.join('\n')}
<p style="color:#5d6166">Consumption is the sum of main meters; gaps in the readings are reported, not filled; "no data" is a period without readings, not 0 (an empty cell in the CSV). The CSV files attached hold every table by day.</p></body></html>`;
}

export interface MonthlyReportSender {
  /** Build and mail the report of `month` now (default: last month). */
  send(month?: string): Promise<MonthlyReport>;
  stop(): void;
}

/** Sends last month's report once it is due (day and time in energy.yaml), checked every 10 minutes. */
export function startMonthlyReports(options: {
  energy: EnergyService;
  config: PlantConfig;
  log: Logger;
  /** Where the months already sent are remembered. */
  statePath: string;
  now?: () => number;
  checkEveryMs?: number;
  /** The report's PDFs to attach (reportPdfs in src/reports/monthly-pdf.ts); it logs what it leaves out. */
  pdfs?: (report: MonthlyReport, log: Logger) => Promise<{ filename: string; content: Buffer }[]>;
}): MonthlyReportSender {
  const { energy, config, statePath } = options;
  const now = options.now ?? Date.now;
  const log = options.log.child({ component: 'monthly-report' });
  const settings = config.energy.monthlyReport;
  const people = new Map(config.notify.people.map((p) => [p.id, p]));
  const recipients = settings.to.flatMap((id) => people.get(id)?.email ?? []);
  // Each reads the mail in their language (notify.yaml: the person's lang, else the file's).
  const languageOf = (email: string) =>
    config.notify.people.find((p) => p.email === email)?.lang ?? config.notify.lang;
  const email = config.notify.channels.email;
  const transport = email ? createSmtpTransport(email) : undefined;
  const sent = readSent(statePath);

  // Every failure is logged here, asked for from the page or due by the schedule.
  const send = async (month = previousMonth(now(), energy.timezone)) => {
    try {
      return await sendNow(month);
    } catch (err) {
      log.error(
        { err: err instanceof Error ? err.message : String(err), month },
        'monthly energy report not sent',
      );
      throw err;
    }
  };
  const sendNow = async (month: string) => {
    const report = await buildMonthlyReport(energy, config, month, now());
    if (!transport || !email)
      throw new Error('no e-mail channel in notify.yaml to send the monthly report with');
    if (recipients.length === 0) throw new Error('monthlyReport.to names nobody with an e-mail address');
    const pdfs = (await options.pdfs?.(report, log)) ?? [];
    for (const lang of ['zh', 'en'] as const) {
      const to = recipients.filter((r) => languageOf(r) === lang);
      if (to.length === 0) continue;
      await transport.sendMail({
        from: email.from,
        to,
        subject: lang === 'zh' ? textInChinese(report.subject, report.namesZh) : report.subject,
        html: lang === 'zh' ? reportInChinese(report.html, report.namesZh) : report.html,
        attachments: [
          ...pdfs.map((a) => ({ ...a, contentType: 'application/pdf' })),
          ...report.attachments.map((a) => ({ ...a, contentType: 'text/csv; charset=utf-8' })),
        ],
      });
    }
    sent.add(month);
    writeSent(statePath, sent);
    log.info({ month, to: recipients.length }, 'monthly energy report sent');
    return report;
  };

  let running = false;
  const check = () => {
    const local = DateTime.fromMillis(now(), { zone: energy.timezone });
    const month = previousMonth(now(), energy.timezone);
    const [hour, minute] = settings.at.split(':').map(Number) as [number, number];
    const due =
      local.day > settings.day ||
      (local.day === settings.day && local.hour * 60 + local.minute >= hour * 60 + minute);
    if (!due || sent.has(month) || running) return;
    running = true;
    send(month)
      .catch(() => log.info({ month }, 'monthly energy report: trying again at the next check'))
      .finally(() => {
        running = false;
      });
  };

  let timer: NodeJS.Timeout | undefined;
  if (settings.enabled) {
    if (!email || recipients.length === 0)
      log.warn('monthly energy report enabled but there is no e-mail channel or recipient: it is not sent');
    else {
      timer = setInterval(check, options.checkEveryMs ?? 10 * 60_000);
      timer.unref();
      check();
    }
  }
  return {
    send,
    stop() {
      clearInterval(timer);
      transport?.close();
    },
  };
}

function readSent(path: string): Set<string> {
  try {
    if (!existsSync(path)) return new Set();
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return new Set(Array.isArray(parsed) ? parsed.filter((m): m is string => typeof m === 'string') : []);
  } catch {
    return new Set();
  }
}

function writeSent(path: string, sent: Set<string>): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify([...sent].sort()));
}

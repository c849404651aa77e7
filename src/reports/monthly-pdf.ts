/**
 * The monthly report as PDF, in English and Chinese: the report's own HTML page with its
 * charts (each day's electricity and water by building, drawn by uPlot as on the energy page)
 * printed by Chromium (src/reports/pdf.ts). Mailed beside the HTML; where this machine cannot
 * make it (no chromium, no font, a hung browser), the HTML goes alone and one line says why.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { ConsumptionReport } from '../energy/index.js';
import type { Logger } from '../log/index.js';
import { dashboardBuildDir } from '../repo-root.js';
import { escapeHtml } from './html.js';
import type { MonthlyReport } from './monthly.js';
import { reportInChinese } from './monthly-zh.js';
import { type PdfRenderer, PdfUnavailable, type ReportLanguage } from './pdf.js';

/** energy-report-2026-10.pdf; another language's carries its code (energy-report-2026-10-zh.pdf). */
export const pdfFilename = (month: string, lang: ReportLanguage) =>
  `energy-report-${month}${lang === 'en' ? '' : `-${lang}`}.pdf`;

const CHARTS = {
  electricity: { en: 'Electricity per day by building (kWh)', zh: '各楼栋每日用电量（kWh）' },
  water: { en: 'Water per day by building (m³)', zh: '各楼栋每日用水量（m³）' },
} as const;

/** What the page's script (dashboards/report/charts.ts, bundled into dist/dashboard/report/) draws: day of the month, kWh per building. */
function chartData(report: ConsumptionReport) {
  return {
    unit: report.unit,
    labels: report.buckets.map((b) => String(DateTime.fromMillis(b.start, { zone: report.timezone }).day)),
    series: report.rows.map((r) => ({ name: r.name, values: r.buckets.map((b) => b.value) })),
  };
}

/*
 * The chart is drawn once, before printing, at its box's width: the box is as wide as A4's
 * print area (210 mm less the @page margins in monthly.ts), whatever the window's width.
 */
const PRINT_CSS = `.chart{margin:.5em 0 1.2em;break-inside:avoid}.chart figcaption{font-weight:600;margin-bottom:.3em}
.chart [data-chart]{width:186mm}
/* The report's table borders are not for uPlot's legend (a table too). */
.u-legend{font-size:9pt}.u-legend th,.u-legend td{border:0;padding:0 .4em}`;

let assets: { uplot: string; css: string; charts: string } | undefined;
/** uPlot and the chart script, inlined: the page needs nothing from outside its file. */
function printAssets() {
  if (!assets) {
    const uplot = createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js');
    assets = {
      uplot: readFileSync(uplot, 'utf8'),
      css: readFileSync(uplot.replace(/uPlot\.iife\.min\.js$/, 'uPlot.min.css'), 'utf8'),
      charts: readFileSync(join(dashboardBuildDir(), 'report', 'charts.js'), 'utf8'),
    };
  }
  return assets;
}

/** The page Chromium prints: the report in `lang`, its charts under the title. */
export function printPage(report: MonthlyReport, lang: ReportLanguage): string {
  const { uplot, css, charts } = printAssets();
  const html =
    lang === 'zh'
      ? reportInChinese(report.html, report.namesZh)
      : report.html.replace('<html>', '<html lang="en">');
  const figures = (['electricity', 'water'] as const)
    .map(
      (commodity) =>
        `<figure class="chart"><figcaption>${escapeHtml(CHARTS[commodity][lang])}</figcaption>` +
        `<div data-chart="${escapeHtml(JSON.stringify(chartData(report.daily[commodity])))}"></div></figure>`,
    )
    .join('\n');
  // Replaced by functions: a "$" in uPlot's code must not be read as a replacement pattern.
  return html
    .replace('</head>', () => `<style>${css}\n${PRINT_CSS}</style></head>`)
    .replace('</h1>', () => `</h1>\n${figures}`)
    .replace('</body>', () => `<script>${uplot}</script><script>${charts}</script></body>`);
}

/** The report in `lang` as PDF. */
export const reportPdf = (report: MonthlyReport, lang: ReportLanguage, renderer: PdfRenderer) =>
  renderer.print(printPage(report, lang), lang);

export interface PdfAttachment {
  filename: string;
  content: Buffer;
  contentType: 'application/pdf';
}

/**
 * The report's PDF in each language, for startMonthlyReports' mail. What cannot be made is
 * left out, with one warning for the lot: a missing font costs its language, anything else
 * (no browser, a browser that hangs or fails) every language still to come, as it would fail
 * the same way.
 */
export function reportPdfs(renderer: PdfRenderer, languages: readonly ReportLanguage[]) {
  return async (report: MonthlyReport, log: Logger): Promise<PdfAttachment[]> => {
    const made: PdfAttachment[] = [];
    const leftOut: string[] = [];
    const reasons = new Set<string>();
    for (const [i, lang] of languages.entries()) {
      const filename = pdfFilename(report.month, lang);
      try {
        const content = await reportPdf(report, lang, renderer);
        made.push({ filename, content, contentType: 'application/pdf' });
      } catch (err) {
        reasons.add(err instanceof Error ? err.message : String(err));
        if (err instanceof PdfUnavailable && err.missing === 'font') leftOut.push(filename);
        else {
          leftOut.push(...languages.slice(i).map((l) => pdfFilename(report.month, l)));
          break;
        }
      }
    }
    if (leftOut.length) {
      const reason = [...reasons].join('; ');
      log.warn(
        { month: report.month, leftOut, reason },
        `monthly energy report mailed without ${leftOut.join(', ')}: ${reason}`,
      );
    }
    return made;
  };
}

/**
 * The monthly report as PDF, read back as the energy manager reads it: October 2026 of the
 * demo plant's simulated history printed by the real Chromium in English and Chinese (its text
 * with pdftotext, its pages, its charts as pixels, the font its Chinese is set in); mailed on
 * schedule through a real SMTP server with the PDFs attached; and a gateway that cannot print
 * it (no chromium, no Chinese font, a browser that hangs) mails the HTML anyway, saying why in
 * one log line. GET /api/energy/report.pdf with login on.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PlantConfig } from '../../src/config/index.js';
import type { EnergyService } from '../../src/energy/index.js';
import {
  buildMonthlyReport,
  type MonthlyReport,
  type MonthlyReportSender,
  startMonthlyReports,
} from '../../src/reports/monthly.js';
import { reportPdf, reportPdfs } from '../../src/reports/monthly-pdf.js';
import { reportInChinese } from '../../src/reports/monthly-zh.js';
import { chromiumPdf, type PdfRenderer, type ReportLanguage } from '../../src/reports/pdf.js';
import type { MonthlyReportPdf } from '../../src/web/energy.js';
import { capturingLogger, demoWebServer, type LogLine, login } from '../auth/harness.js';
import { demoEnergy, MINUTE, type TestStore } from '../energy/simulated-store.js';
import { CHROMIUM } from '../helpers/browser.js';
import { pdfFonts, pdfInfo, pdfPage, pdfText, pixelsOf } from '../helpers/pdf.js';
import { plantTime } from '../helpers/plant-time.js';
import { requireTool, TOOLS } from '../helpers/tools.js';
import { until } from '../helpers/wait.js';
import { leaves, type MailSink, type MimePart, mailingTo, startMailSink } from './mail.js';

const ZONE = 'Asia/Shanghai';
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const HISTORY_FROM = local('2026-09-16T00:00');
const HISTORY_TO = local('2026-11-01T07:00');
const WARN = 40;
/** The first building's colour in the charts (dashboards/report/charts.js). */
const FIRST_SERIES = '#3f4a56';

let config: PlantConfig;
let data: TestStore;
let energy: EnergyService;
let october: MonthlyReport;
const renderer = chromiumPdf({ executable: CHROMIUM, timeoutMs: 30_000 });

/** Whitespace squeezed: a title or a cell may wrap in the PDF. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

/** A figure of a table row as the HTML report prints it ("784,902"), for the PDF to match. */
function cellOf(html: string, row: string, column: number): string {
  const match = new RegExp(`<tr><td>${row}</td>((?:<td[^>]*>[^<]*</td>){${column}})`).exec(html);
  const cells = [...(match?.[1] ?? '').matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
  if (!cells[column - 1]) throw new Error(`no row "${row}" in the report`);
  return cells[column - 1] as string;
}

/** Stands in for chromium: notes its process id, then never finishes. */
function hungBrowser() {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-hung-'));
  const path = join(dir, 'chromium');
  writeFileSync(path, `#!/bin/sh\necho $$ > ${join(dir, 'pid')}\nexec sleep 600\n`);
  chmodSync(path, 0o755);
  const pid = () => {
    const text = existsSync(join(dir, 'pid')) ? readFileSync(join(dir, 'pid'), 'utf8').trim() : '';
    return text ? Number(text) : undefined;
  };
  return { path, pid, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describe.skipIf(requireTool(TOOLS.chromium, TOOLS.pdftotext, TOOLS.fcList) !== undefined)(
  'the monthly report as PDF',
  () => {
    beforeAll(async () => {
      ({ config, data, energy } = await demoEnergy(
        { from: HISTORY_FROM, to: HISTORY_TO, stepMs: 15 * MINUTE },
        HISTORY_TO,
      ));
      october = await buildMonthlyReport(energy, config, '2026-10');
    });
    afterAll(async () => {
      await data?.close();
    });

    describe('printed', () => {
      it('in English: A4, every section and figure of the HTML, and the charts drawn', async () => {
        const pdf = await reportPdf(october, 'en', renderer);
        const info = await pdfInfo(pdf);
        expect(Math.round(info.widthPt)).toBe(595);
        expect(Math.round(info.heightPt)).toBe(842);
        expect(info.pages).toBeGreaterThanOrEqual(2);
        expect(info.pages).toBeLessThanOrEqual(6);
        const text = flat(await pdfText(pdf));
        expect(text).toContain('Plantwatch energy report 2026-10 — Main Hospital');
        for (const heading of [
          'Electricity per day by building (kWh)',
          'Water per day by building (m³)',
          'Electricity by building (kWh, main meters)',
          'Water by building (m³, main meters)',
          'Intensity',
          'Peak demand (15-minute mean)',
          'Night flow (leaks)',
          'Retrofit savings',
        ])
          expect(text).toContain(heading);
        // October's figures as the HTML report gives them.
        expect(text).toContain(`Inpatient Building ${cellOf(october.html, 'Inpatient Building', 1)}`);
        expect(text).toContain(`DR1 Incomer ${cellOf(october.html, 'DR1 Incomer', 1)}`);
        // The charts: every building in the legend, and the first one's bars on page 1.
        for (const row of october.daily.water.rows) expect(text).toContain(row.name);
        const page = await pdfPage(pdf, 1);
        expect(pixelsOf(page, FIRST_SERIES) / (page.width * page.height)).toBeGreaterThan(0.02);
      });

      it('in Chinese: the title, headings and notes in Chinese, set in a Chinese font', async () => {
        const pdf = await reportPdf(october, 'zh', renderer);
        const text = flat(await pdfText(pdf));
        expect(text).toContain('Plantwatch 能源月报 2026-10 — 总院');
        for (const heading of [
          '各楼栋每日用电量（kWh）',
          '各楼栋每日用水量（m³）',
          '各楼栋用电量（kWh，总表）',
          '各楼栋用水量（m³，总表）',
          '能耗强度',
          '最大需量（15 分钟平均）',
          '夜间流量（漏水）',
          '节能改造',
        ])
          expect(text).toContain(heading);
        expect(text).toMatch(/楼栋 2026-10 上月 变化 备注/);
        // "month before: 15 gap(s)"
        expect(text).toContain('上月：读数中断 15 处');
        expect(text).toContain(`住院楼 ${cellOf(october.html, 'Inpatient Building', 1)}`);
        expect(text).not.toContain('Electricity by building');
        // Glyphs, not boxes: a font fontconfig lists for Chinese is the one embedded, by name
        // (WenQuanYi), or as unnamed Type 3 glyphs: how Chromium embeds Noto CJK's CFF outlines.
        const chinese = execFileSync('fc-list', [':lang=zh-cn', 'family'], { encoding: 'utf8' })
          .split('\n')
          .flatMap((line) => line.split(','))
          .map((family) => family.replace(/\s+/g, ''))
          .filter(Boolean);
        const embedded = await pdfFonts(pdf);
        const notoFirst = chinese.some((family) => family.startsWith('NotoSansCJK'));
        const byName = (font: string) => chinese.some((c) => font.startsWith(c));
        expect(embedded.filter((font) => byName(font) || (notoFirst && font === '[none]'))).not.toEqual([]);
        expect(pixelsOf(await pdfPage(pdf, 1), FIRST_SERIES)).toBeGreaterThan(1000);
      });
    });

    // --- mailed ----------------------------------------------------------------------------

    let stateDir: string;
    const senders: MonthlyReportSender[] = [];
    const sinks: MailSink[] = [];
    afterEach(async () => {
      for (const s of senders.splice(0)) s.stop();
      await Promise.all(sinks.splice(0).map((s) => s.close()));
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    });

    /** A sender due at once (07:05 on 1 November, plant time), mailing to a fresh SMTP sink. */
    async function sendOctober(pdf: PdfRenderer, languages: readonly ReportLanguage[] = ['en', 'zh']) {
      stateDir = mkdtempSync(join(tmpdir(), 'plantwatch-monthly-pdf-'));
      const smtp = await startMailSink();
      sinks.push(smtp);
      const { log, lines } = capturingLogger();
      const statePath = join(stateDir, 'monthly-reports-sent.json');
      senders.push(
        startMonthlyReports({
          energy,
          config: mailingTo(config, smtp.port),
          log,
          statePath,
          now: () => plantTime(config, '2026-11-01T07:05'),
          checkEveryMs: 50,
          pdfs: reportPdfs(pdf, languages),
        }),
      );
      await until('the October report', () => smtp.received.length > 0, 20_000);
      await until('the sent month remembered', () =>
        lines.some((l) => l.msg === 'monthly energy report sent'),
      );
      const mail = smtp.received[0]?.mail as MimePart;
      const parts = leaves(mail);
      return {
        html: parts.filter((p) => p.type === 'text/html' && !p.filename).map((p) => p.text),
        files: parts.filter((p) => p.filename),
        sent: JSON.parse(readFileSync(statePath, 'utf8')) as unknown,
        warnings: lines.filter((l: LogLine) => l.level >= WARN),
        received: () => smtp.received.length,
      };
    }

    const csvFiles = (report: MonthlyReport) => report.attachments.map((a) => [a.filename, 'text/csv']);
    const crlf = (text: string) => text.replace(/\r\n/g, '\n');

    describe('mailed on schedule', () => {
      it('with the PDF in English and Chinese attached beside the HTML and the CSV files', async () => {
        const mail = await sendOctober(renderer);
        expect(mail.warnings).toEqual([]);
        // Liu Fang reads Chinese (notify.yaml lang: zh): the mail is the report in Chinese.
        expect(mail.html.map(crlf)).toEqual([crlf(reportInChinese(october.html, october.namesZh))]);
        expect(mail.files.map((f) => [f.filename, f.type])).toEqual([
          ['energy-report-2026-10.pdf', 'application/pdf'],
          ['energy-report-2026-10-zh.pdf', 'application/pdf'],
          ...csvFiles(october),
        ]);
        const [english, chinese] = mail.files;
        expect(flat(await pdfText(english?.content as Buffer))).toContain(
          'Plantwatch energy report 2026-10 — Main Hospital',
        );
        expect(flat(await pdfText(chinese?.content as Buffer))).toContain(
          'Plantwatch 能源月报 2026-10 — 总院',
        );
        expect(mail.sent).toEqual(['2026-10']);
      });

      it('without chromium: the HTML and CSV files all the same, and one line saying what to install', async () => {
        const missing = chromiumPdf({ executable: '/nonexistent/chromium' });
        const mail = await sendOctober(missing);
        // Liu Fang reads Chinese (notify.yaml lang: zh): the mail is the report in Chinese.
        expect(mail.html.map(crlf)).toEqual([crlf(reportInChinese(october.html, october.namesZh))]);
        expect(mail.files.map((f) => [f.filename, f.type])).toEqual(csvFiles(october));
        expect(mail.warnings).toHaveLength(1);
        expect(mail.warnings[0]).toMatchObject({
          component: 'monthly-report',
          month: '2026-10',
          leftOut: ['energy-report-2026-10.pdf', 'energy-report-2026-10-zh.pdf'],
        });
        expect(mail.warnings[0]?.msg).toContain('/nonexistent/chromium not found');
        expect(mail.warnings[0]?.msg).toContain('apt-get install chromium fonts-wqy-microhei');
        expect(mail.sent).toEqual(['2026-10']);
      });

      it('without a Chinese font: the English PDF only, and one line saying which font package', async () => {
        // A fontconfig that knows one Latin font and none for Chinese, as on a bare gateway.
        const fonts = mkdtempSync(join(tmpdir(), 'plantwatch-fonts-'));
        try {
          const listed = (lang: string) =>
            execFileSync('fc-list', [`:lang=${lang}`, 'file'], { encoding: 'utf8' })
              .split('\n')
              .map((l) => l.replace(/:\s*$/, '').trim())
              .filter(Boolean);
          const cjk = new Set(listed('zh-cn'));
          const latin = listed('en').find((file) => !cjk.has(file) && /\.(ttf|otf)$/.test(file));
          if (!latin) throw new Error('no Latin-only font on this machine to test with');
          mkdirSync(join(fonts, 'dir'));
          symlinkSync(latin, join(fonts, 'dir', latin.split('/').at(-1) as string));
          writeFileSync(
            join(fonts, 'fonts.conf'),
            `<?xml version="1.0"?><fontconfig><dir>${join(fonts, 'dir')}</dir><cachedir>${join(fonts, 'cache')}</cachedir></fontconfig>`,
          );
          const latinOnly = chromiumPdf({
            executable: CHROMIUM,
            env: { FONTCONFIG_FILE: join(fonts, 'fonts.conf') },
          });
          const mail = await sendOctober(latinOnly);
          expect(mail.files.map((f) => [f.filename, f.type])).toEqual([
            ['energy-report-2026-10.pdf', 'application/pdf'],
            ...csvFiles(october),
          ]);
          expect(mail.warnings).toHaveLength(1);
          expect(mail.warnings[0]).toMatchObject({ leftOut: ['energy-report-2026-10-zh.pdf'] });
          expect(mail.warnings[0]?.msg).toContain('no font for Chinese text');
          expect(mail.warnings[0]?.msg).toContain('fonts-wqy-microhei');
        } finally {
          rmSync(fonts, { recursive: true, force: true });
        }
      });

      it('with a browser that hangs: killed at its time limit, the HTML mailed without the PDF', async () => {
        const hung = hungBrowser();
        try {
          const started = Date.now();
          const mail = await sendOctober(chromiumPdf({ executable: hung.path, timeoutMs: 1500 }));
          // One print tried (the second would hang the same way), killed after 1.5 s.
          expect(Date.now() - started).toBeLessThan(15_000);
          expect(mail.files.map((f) => [f.filename, f.type])).toEqual(csvFiles(october));
          expect(mail.warnings).toHaveLength(1);
          expect(mail.warnings[0]?.msg).toContain('did not finish the PDF within 1500 ms: killed');
          expect(() => process.kill(hung.pid() as number, 0)).toThrow(/ESRCH/);
        } finally {
          hung.remove();
        }
      });

      it('a print under way is killed when the gateway stops (close), not left running', async () => {
        const hung = hungBrowser();
        try {
          const pdf = chromiumPdf({ executable: hung.path, timeoutMs: 60_000 });
          const printing = reportPdf(october, 'en', pdf);
          const pid = await until('the browser started', hung.pid);
          pdf.close();
          await expect(printing).rejects.toThrow(/exited with SIGKILL/);
          expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
        } finally {
          hung.remove();
        }
      });

      it('refuses a print at once while one is under way and two wait, and takes prints again after', async () => {
        const hung = hungBrowser();
        try {
          const pdf = chromiumPdf({ executable: hung.path, timeoutMs: 1500 });
          const page = '<!doctype html><p>October</p>';
          const queued = [1, 2, 3].map(() => pdf.print(page, 'en').catch((err: Error) => err));
          await until('the browser started', hung.pid);
          const asked = Date.now();
          await expect(pdf.print(page, 'en')).rejects.toThrow(
            '3 report PDFs are being printed or waiting: try again in a minute',
          );
          expect(Date.now() - asked).toBeLessThan(1000); // not held behind three 1.5 s prints
          // The three run in turn, each killed at its limit; then a new one is taken, not refused.
          for (const outcome of await Promise.all(queued))
            expect(String(outcome)).toContain('did not finish the PDF within 1500 ms');
          await expect(pdf.print(page, 'en')).rejects.toThrow('did not finish the PDF within 1500 ms');
        } finally {
          hung.remove();
        }
      }, 20_000);
    });

    describe('GET /api/energy/report.pdf', () => {
      it('downloads the month in the language asked for, to a signed-in user only', async () => {
        const monthlyReportPdf: MonthlyReportPdf = async (month = '2026-10', lang) => ({
          month,
          content: await reportPdf(await buildMonthlyReport(energy, config, month), lang, renderer),
        });
        const server = await demoWebServer({ energy, monthlyReportPdf });
        try {
          const url = `${server.web.url}/api/energy/report.pdf?month=2026-10&lang=zh`;
          expect((await fetch(url)).status).toBe(401);
          const { cookie } = await login(server.web.url, 'manager', 'manager-demo');
          const res = await fetch(url, { headers: { cookie: cookie as string } });
          expect(res.status).toBe(200);
          expect(res.headers.get('content-type')).toBe('application/pdf');
          expect(res.headers.get('content-disposition')).toBe(
            'attachment; filename=energy-report-2026-10-zh.pdf',
          );
          const text = flat(await pdfText(Buffer.from(await res.arrayBuffer())));
          expect(text).toContain('Plantwatch 能源月报 2026-10 — 总院');
          const bad = await fetch(`${server.web.url}/api/energy/report.pdf?lang=fr`, {
            headers: { cookie: cookie as string },
          });
          expect(bad.status).toBe(400);
          expect(await bad.json()).toEqual({ error: 'lang: expected one of en, zh (got "fr")' });
        } finally {
          await server.stop();
        }
      });

      it('answers 503 saying what to install where chromium is missing', async () => {
        const missing = chromiumPdf({ executable: '/nonexistent/chromium' });
        const server = await demoWebServer({
          energy,
          monthlyReportPdf: async (month = '2026-10', lang) => ({
            month,
            content: await reportPdf(october, lang, missing),
          }),
        });
        try {
          const { cookie } = await login(server.web.url, 'electrician', 'electrician-demo');
          const res = await fetch(`${server.web.url}/api/energy/report.pdf`, {
            headers: { cookie: cookie as string },
          });
          expect(res.status).toBe(503);
          expect(await res.json()).toEqual({
            error:
              'no PDF on this gateway: /nonexistent/chromium not found (install: apt-get install chromium fonts-wqy-microhei)',
          });
        } finally {
          await server.stop();
        }
      });
    });
  },
);

/**
 * The monthly report in Chinese, as the department head reads it: the fixed texts and the
 * configuration's names (site, buildings, meters, retrofits, tariff sources) in Chinese; only
 * units, currencies, file formats and standards' names stay in Latin letters.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMonthlyReport, type MonthlyReport } from '../../src/reports/monthly.js';
import { reportInChinese, textInChinese } from '../../src/reports/monthly-zh.js';
import { demoEnergy, MINUTE } from '../energy/simulated-store.js';

const FROM = Date.parse('2026-08-25T00:00:00+08:00');
const TO = Date.parse('2026-11-01T07:00:00+08:00');
/** Latin words a Chinese report keeps: units, currency, formats, standards, the product. */
const LATIN = new Set(['kWh', 'kVA', 'CNY', 'CSV', 'ASHRAE', 'ICU', 'LED', 'Plantwatch']);

let report: MonthlyReport;
beforeAll(async () => {
  const { config, energy } = await demoEnergy({ from: FROM, to: TO, stepMs: 15 * MINUTE }, TO);
  report = await buildMonthlyReport(energy, config, '2026-10');
}, 120_000);

describe('the monthly report in Chinese', () => {
  it('names the site, buildings, meters and retrofits in Chinese and leaves no English words', () => {
    const html = reportInChinese(report.html, report.namesZh);
    expect(textInChinese(report.subject, report.namesZh)).toBe('Plantwatch 能源月报 2026-10 — 总院');
    for (const name of [
      '住院楼',
      '门诊医技楼',
      '1号配电房进线柜',
      '住院楼LED灯具改造（800盏）',
      '生态环境部 2024 年公告',
    ])
      expect(html).toContain(name);
    const texts = [...html.replace(/<style[\s\S]*?<\/style>/g, '').matchAll(/>([^<]+)</g)].map(
      (m) => m[1] ?? '',
    );
    const english = texts
      .flatMap((text) => text.match(/[A-Za-z]{3,}/g) ?? [])
      .filter((word) => !LATIN.has(word));
    expect([...new Set(english)]).toEqual([]);
  });
});

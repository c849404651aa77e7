/**
 * Cost and carbon on the Energy page's consumption tab, in a real browser (Debian's chromium
 * via playwright-core) against the gateway's web server with login on, over four days of the
 * demo plant's simulated meter history in a real SQLite store, priced with the demo's
 * energy.yaml. Checked as an energy manager checks a bill: every building's day shows its cost
 * and kg CO₂e beside its kWh, as /api/energy/cost gives them; a day without readings shows "—",
 * never ¥0; the section by month splits each building's kWh and money by tariff period, shows
 * the demand charge and the peak share, highlighted where it is high; the metering tree is
 * costed too; and the Chinese page names it all in Chinese.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, pageFetch } from '../helpers/browser.js';
import type { Json } from '../helpers/web.js';
import { type ConsumptionPage, chooseDays, consumptionPage, date, unexpected } from './energy-harness.js';

/** The day the Outpatient Building's incomer meter does not answer at all. */
const SILENT = -2;
const RANGE = `from=${date(-4)}&to=${date(0)}`;
/** "¥12,345", "12,345 kg", "39.1 %" (en-GB or zh-CN) as a number. */
const shown = (text: string | null | undefined) => Number((text ?? '').replace(/[^\d.-]/g, ''));

let opened: ConsumptionPage;
let page: Page;

/** A table cell as shown: its kWh, and the cost and kg CO₂e beside it. */
interface ShownCell {
  kwh: string;
  money: string | null;
  co2: string | null;
}

/** The consumption table's body and footer cells by row (period) and column (building key). */
function readTable(p: Page): Promise<{ keys: string[]; rows: { bucket: string; cells: ShownCell[] }[] }> {
  return p.$eval('table.e-consumption', (table) => ({
    keys: [...table.querySelectorAll('thead th[data-key]')].map((th) => th.getAttribute('data-key') ?? ''),
    rows: [...table.querySelectorAll('tbody tr, tfoot tr')].map((tr) => ({
      bucket: tr.getAttribute('data-bucket') ?? '',
      cells: [...tr.querySelectorAll('td')].map((td) => ({
        kwh: td.querySelector('.v')?.textContent ?? td.textContent ?? '',
        money: td.querySelector('.e-money')?.textContent ?? null,
        co2: td.querySelector('.e-co2')?.textContent ?? null,
      })),
    })),
  }));
}

/** The cost section's rows: key, period, and each column's text and classes by its data-col. */
function readCost(p: Page): Promise<
  {
    key: string;
    period: string;
    name: string;
    cols: Record<string, { text: string; cls: string; title: string }>;
  }[]
> {
  return p.$$eval('table.e-cost tbody tr', (trs) =>
    trs.map((tr) => ({
      key: tr.getAttribute('data-key') ?? '',
      period: tr.getAttribute('data-period') ?? '',
      name: tr.querySelector('th')?.firstChild?.textContent ?? '',
      cols: Object.fromEntries(
        [...tr.querySelectorAll('td[data-col]')].map((td) => [
          td.getAttribute('data-col') ?? '',
          { text: td.textContent ?? '', cls: td.className, title: td.getAttribute('title') ?? '' },
        ]),
      ),
    })),
  );
}

/** Shown and API figures agree to the digit shown: whole yuan and kg, or cents below 10. */
function expectShown(text: string | null | undefined, value: number, what: string) {
  expect(text, what).toBeTruthy();
  expect(Math.abs(shown(text) - value), `${what}: ${text} vs ${value}`).toBeLessThanOrEqual(
    Math.abs(value) >= 10 ? 0.5 : 0.005,
  );
}

describe.skipIf(!hasChromium())('cost and carbon on the consumption tab', () => {
  beforeAll(async () => {
    opened = await consumptionPage({ device: 'dr2-incomer', day: SILENT });
    page = opened.page;
    await page.waitForSelector('#e-consumption-table[data-state="ready"]');
  }, 40_000);

  afterAll(async () => {
    await opened?.close();
  });

  it("shows each building's cost and kg CO2e beside its kWh, day by day and in total; a day without readings '—', never ¥0", async () => {
    await chooseDays(page, 'day', 'building');
    await page.waitForSelector(
      `#e-consumption-table[data-state="ready"] tr[data-bucket="${date(-4)}"] .e-money`,
    );
    const cost = (await pageFetch(page, `/api/energy/cost?${RANGE}&resolution=day&groupBy=building`)).body;
    const table = await readTable(page);
    expect(table.keys).toEqual(cost.rows.map((r: Json) => r.key));
    const outpatient = table.keys.indexOf('main/outpatient');
    for (const [i, period] of cost.periods.entries()) {
      const row = table.rows.find((r) => r.bucket === period.label);
      if (!row) throw new Error(`no table row for ${period.label}`);
      cost.rows.forEach((r: Json, j: number) => {
        const figures = r.periods[i];
        const cell = row.cells[j];
        if (period.label === date(SILENT) && j === outpatient) {
          // No readings: no kWh, no cost, no carbon: "—", not ¥0.
          expect(figures.cost).toBeNull();
          expect(cell).toEqual({ kwh: '—', money: null, co2: null });
          return;
        }
        expect(cell?.money, `${r.name} ${period.label}`).toMatch(/^¥[\d,.]+$/);
        expectShown(cell?.money, figures.cost, `${r.name} ${period.label} cost`);
        expect(cell?.co2).toMatch(/^[\d,.]+ kg$/);
        expectShown(cell?.co2, figures.carbonKg, `${r.name} ${period.label} kg CO2e`);
      });
      // The period's total: the buildings' costs together.
      const known = cost.rows.map((r: Json) => r.periods[i].cost).filter((c: number | null) => c !== null);
      expectShown(
        row.cells.at(-1)?.money,
        known.reduce((a: number, b: number) => a + b, 0),
        `${period.label} total`,
      );
    }
    // The footer: each building's and the site's cost over the days.
    const totals = table.rows.find((r) => r.bucket === 'total');
    cost.rows.forEach((r: Json, j: number) => {
      expectShown(totals?.cells[j]?.money, r.total.cost, `${r.name} total cost`);
    });
    expectShown(totals?.cells.at(-1)?.money, cost.total.cost, 'total cost');
    expectShown(totals?.cells.at(-1)?.co2, cost.total.carbonKg, 'total kg CO2e');
    expect(unexpected(opened.errors)).toEqual([]);
  }, 30_000);

  it('splits each building and month by tariff period, with the demand charge and the peak share, highlighted where high', async () => {
    await page.waitForSelector('#e-cost[data-state="ready"] table.e-cost');
    const month = (await pageFetch(page, `/api/energy/cost?${RANGE}&resolution=month&groupBy=building`)).body;
    const rows = await readCost(page);
    const expected = month.rows.flatMap((r: Json) => r.periods.map((p: Json) => [r.key, p.label, r.name]));
    expect(rows.map((r) => [r.key, r.period, r.name])).toEqual(expected);
    let high = 0;
    for (const row of rows) {
      const figures = month.rows
        .find((r: Json) => r.key === row.key)
        .periods.find((p: Json) => p.label === row.period);
      const what = `${row.name} ${row.period}`;
      expectShown(row.cols.consumption?.text, figures.consumption, `${what} kWh`);
      for (const band of figures.bands) {
        expect(row.cols[band.band]?.text, `${what} ${band.band}`).toMatch(/^[\d,]+ kWh¥[\d,.]+$/);
        const [kwh, yuan] = (row.cols[band.band]?.text ?? '').split(' kWh');
        expectShown(kwh, band.consumption, `${what} ${band.band} kWh`);
        expectShown(yuan, band.cost, `${what} ${band.band} cost`);
      }
      expectShown(row.cols.demandCharge?.text, figures.demandCharge, `${what} demand charge`);
      expect(figures.demandCharge).toBeGreaterThan(0);
      expectShown(row.cols.maxDemandKw?.text, figures.maxDemandKw, `${what} max demand`);
      expectShown(row.cols.cost?.text, figures.cost, `${what} cost`);
      expectShown(row.cols.carbonKg?.text, figures.carbonKg, `${what} kg CO2e`);
      // The load-shift hint: the share in peak periods, highlighted from the threshold the API gives.
      expect(row.cols.peakShare?.text).toBe(`${(figures.peakShare * 100).toFixed(1)} %`);
      const isHigh = figures.peakShare >= month.highPeakShare;
      expect(row.cols.peakShare?.cls.split(' ').includes('high'), `${what} highlighted`).toBe(isHigh);
      if (isHigh) {
        high++;
        expect(row.cols.peakShare?.title).toMatch(/peak periods/);
      }
    }
    expect(month.highPeakShare).toBe(0.4);
    // The demo's outpatient building keeps a little over 40 % of its energy in peak hours.
    expect(high).toBeGreaterThan(0);
    const footer = await page.$$eval('table.e-cost tfoot td[data-col="cost"]', (tds) =>
      tds.map((td) => td.textContent),
    );
    expectShown(footer[0], month.total.cost, 'total cost');
  }, 20_000);

  it('costs the metering tree: each incomer, its feeders and its unmetered remainder', async () => {
    await chooseDays(page, 'month', 'meter');
    await page.waitForSelector(
      '#e-cost[data-state="ready"] table.e-cost tr[data-key="dr1-incomer/unmetered"]',
    );
    const month = (await pageFetch(page, `/api/energy/cost?${RANGE}&resolution=month&groupBy=meter`)).body;
    const rows = await readCost(page);
    expect(rows.map((r) => r.key)).toEqual(month.rows.flatMap((r: Json) => r.periods.map(() => r.key)));
    const rest = rows.find((r) => r.key === 'dr1-incomer/unmetered');
    expect(rest?.name).toBe('Unmetered / losses');
    const api = month.rows.find((r: Json) => r.key === 'dr1-incomer/unmetered').periods[0];
    expectShown(rest?.cols.cost?.text, api.cost, 'remainder cost');
    // Not billed a demand charge of its own: that is the incomer's.
    expect(rest?.cols.demandCharge?.text).toBe('—');
    // The table's cells carry each node's cost too.
    const cell = await page.textContent(
      'table.e-tree tr[data-key="dr1-incomer/unmetered"] td:last-child .e-money',
    );
    expectShown(
      cell,
      month.rows.find((r: Json) => r.key === 'dr1-incomer/unmetered').total.cost,
      'tree cell',
    );
  }, 20_000);

  it('names cost, tariff periods, demand charge, carbon and peak share in Chinese', async () => {
    await chooseDays(page, 'month', 'building');
    await page.waitForSelector('#e-cost[data-state="ready"] table.e-cost tr[data-key="main/inpatient"]');
    await page.click('#lang');
    const heads = page.locator('table.e-cost thead th');
    await heads.filter({ hasText: '需量电费' }).waitFor();
    const texts = await heads.allTextContents();
    for (const word of ['峰', '平', '谷', '峰时占比', '电量电费', '需量电费', '电费', '碳排放 kg CO₂e'])
      expect(texts, word).toContain(word);
    expect(await page.textContent('#e-cost h2')).toBe('电费与碳排放（按月）');
    expect(await page.getAttribute('table.e-cost td.high', 'title')).toMatch(/峰时段/);
    await page.click('#lang');
    expect(unexpected(opened.errors)).toEqual([]);
  }, 20_000);
});

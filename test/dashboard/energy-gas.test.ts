/**
 * Gas on the Energy page's consumption tab, and the site's tonnes of standard coal (tce), in a
 * real browser (Debian's chromium via playwright-core) against the gateway's web server with
 * login on, over four days of the demo plant's simulated meter history (the boiler house's gas
 * meter and the boilers' own gas counters included) in a real SQLite store. Checked as an
 * energy manager reads the figures for the energy audit: the boiler house's gas by day in m³
 * as /api/energy/consumption?commodity=gas gives it, with its CSV; the boilers' counters under
 * the gas main by meter; electricity tce + gas tce = the site's tce and the gas's CO₂ as the
 * API's `equivalents` give them, on the gas and the electricity page alike; and in Chinese.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENERGY_POINTS } from '../energy/simulated-store.js';
import { hasChromium, pageFetch } from '../helpers/browser.js';
import type { Json } from '../helpers/web.js';
import { parseCsv } from '../web/records-harness.js';
import { type ConsumptionPage, chooseDays, consumptionPage, date, unexpected } from './energy-harness.js';

const RANGE = `from=${date(-4)}&to=${date(0)}&resolution=day`;
/** "2,122" (en-GB) as a number. */
const shown = (text: string | null | undefined) => Number((text ?? '').replace(/[^\d.-]/g, ''));
/** As the page writes a figure in English: `digits` decimals, thousands separated. */
const en = (value: number, digits: number) =>
  value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** tce as the page writes it: 3 decimals, 2 from 100 t. */
const tce = (value: number) => `${en(value, Math.abs(value) >= 100 ? 2 : 3)} tce`;

let opened: ConsumptionPage;
let page: Page;

const text = (selector: string) => page.textContent(selector);

/** The commodity toggle's button. */
const commodity = (value: string) => `.e-toggle[data-name="commodity"] button[data-value="${value}"]`;

/** The tce panel's headline: electricity, gas and the site's tce, and the gas CO₂ when shown. */
async function readTce(p: Page) {
  return p.$eval('#e-tce', (box) => {
    const figure = (name: string) => box.querySelector(`[data-figure="${name}"] .v`)?.textContent ?? null;
    return {
      electricityTce: figure('electricityTce'),
      gasTce: figure('gasTce'),
      tce: figure('tce'),
      gasCo2Kg: figure('gasCo2Kg'),
      periods: [...box.querySelectorAll('table.e-tce tbody tr')].map((tr) => ({
        bucket: tr.getAttribute('data-bucket') ?? '',
        tce: tr.querySelector('td[data-col="tce"]')?.textContent ?? '',
      })),
    };
  });
}

describe.skipIf(!hasChromium())('gas and the tonnes of standard coal on the consumption tab', () => {
  beforeAll(async () => {
    // The gas meters' counters (gas_volume_m3) beside the electricity and water ones.
    opened = await consumptionPage(
      { device: 'wm-canteen', day: -2 },
      (id) => ENERGY_POINTS.test(id) || id.endsWith('.gas_volume_m3'),
    );
    page = opened.page;
    await page.waitForSelector('#e-consumption-table[data-state="ready"]');
  }, 40_000);

  afterAll(async () => {
    await opened?.close();
  });

  it("shows the boiler house's gas main by day in m³ as the API gives it, with its CSV", async () => {
    expect(await text(commodity('gas'))).toBe('Gas (m³)');
    await page.click(commodity('gas'));
    await chooseDays(page, 'day', 'building');
    await page.waitForSelector(
      `#e-consumption-table[data-state="ready"] table.e-consumption tr[data-bucket="${date(-4)}"]`,
    );
    const api = (await pageFetch(page, `/api/energy/consumption?commodity=gas&${RANGE}&groupBy=building`))
      .body;
    expect(api.unit).toBe('m³');
    // The boiler house's gas main alone makes the Energy Centre's gas.
    expect(api.rows.map((r: Json) => [r.key, r.meters])).toEqual([['main/energy-centre', ['gm-boilers']]]);
    expect(api.total).toBeGreaterThan(1000);
    expect(await text('#e-consumption-table h2')).toBe('Consumption (m³)');
    const table = await page.$eval('table.e-consumption', (el) => ({
      keys: [...el.querySelectorAll('thead th[data-key]')].map((th) => th.getAttribute('data-key')),
      rows: [...el.querySelectorAll('tbody tr, tfoot tr')].map((tr) => ({
        bucket: tr.getAttribute('data-bucket') ?? '',
        cells: [...tr.querySelectorAll('td')].map(
          (td) => td.querySelector('.v')?.textContent ?? td.textContent,
        ),
      })),
    }));
    expect(table.keys).toEqual(['main/energy-centre']);
    expect(table.rows.map((r) => r.bucket)).toEqual([...api.buckets.map((b: Json) => b.label), 'total']);
    api.buckets.forEach((b: Json, i: number) => {
      const [cell, total] = table.rows[i]?.cells ?? [];
      const value = api.rows[0].buckets[i].value;
      expect(Math.abs(shown(cell) - value), `${b.label}: ${cell} vs ${value}`).toBeLessThanOrEqual(0.5);
      expect(total).toBe(cell);
    });
    expect(Math.abs(shown(table.rows.at(-1)?.cells.at(-1)) - api.total)).toBeLessThanOrEqual(0.5);
    // The share and the cost section speak of gas: m³, its kg CO₂e, no money (no gas tariff).
    expect(await text('#e-share tr[data-key="main/energy-centre"]')).toContain('m³');
    await page.waitForSelector('#e-cost[data-state="ready"] table.e-cost');
    expect(await text('#e-cost h2')).toBe('Gas and its carbon by month');
    expect(await text('table.e-cost')).not.toContain('¥');
    const cost = (await pageFetch(page, `/api/energy/cost?commodity=gas&${RANGE}&groupBy=building`)).body;
    const carbon = await text('table.e-cost tfoot td[data-col="carbonKg"]');
    expect(Math.abs(shown(carbon) - cost.total.carbonKg)).toBeLessThanOrEqual(0.5);

    // The CSV: the API's own table of the same figures.
    expect(await page.getAttribute('#e-consumption-csv', 'href')).toMatch(/commodity=gas.*&format=csv$/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#e-consumption-csv')]);
    const csv = parseCsv(readFileSync(await download.path(), 'utf8')).filter((r) => r.some(Boolean));
    expect(csv[0]?.some((c) => c.endsWith('(m³)'))).toBe(true);
    expect(csv.slice(1, 5).map((r) => r[0])).toEqual(api.buckets.map((b: Json) => b.label));
  }, 20_000);

  it("adds electricity tce and gas tce to the site's tce, with the gas's CO₂, as the API's equivalents", async () => {
    await page.waitForSelector('#e-tce[data-state="ready"] [data-figure="tce"]');
    const { equivalents: eq } = (
      await pageFetch(page, `/api/energy/consumption?commodity=gas&${RANGE}&groupBy=building`)
    ).body;
    expect(eq.tce).toBeGreaterThan(0);
    expect(eq.gasTce).toBeGreaterThan(0);
    expect(eq.electricityTce).toBeGreaterThan(0);
    const panel = await readTce(page);
    expect(panel.tce).toBe(tce(eq.tce));
    expect(panel.electricityTce).toBe(tce(eq.electricityTce));
    expect(panel.gasTce).toBe(tce(eq.gasTce));
    expect(panel.gasCo2Kg).toBe(`${en(eq.gasCo2Kg, 0)} kg (${en(eq.gasCo2Kg / 1000, 2)} t)`);
    expect(panel.periods).toEqual(
      eq.periods.map((p: Json) => ({ bucket: p.label, tce: tce(p.tce).replace(' tce', '') })),
    );
    // Every day had a factor: nothing left unconverted, and no such note.
    expect(eq.unconverted).toEqual({ electricityKwh: 0, gasM3: 0, gasM3NoCo2: 0 });
    expect(await page.$$('#e-tce [data-unconverted]')).toHaveLength(0);
    expect(await text('#e-tce')).toContain('energy.yaml standardCoal');

    // The electricity page shows the same site tce (the gas CO₂ is the gas page's).
    await page.click(commodity('electricity'));
    await page.waitForSelector(
      '#e-consumption-table[data-state="ready"] table.e-consumption th[data-key="main/inpatient"]',
    );
    await page.waitForSelector('#e-tce[data-state="ready"] [data-figure="tce"]');
    const electricity = await readTce(page);
    expect(electricity.tce).toBe(tce(eq.tce));
    expect(electricity.gasCo2Kg).toBeNull();

    // Water has no tce.
    await page.click(commodity('water'));
    await page.waitForSelector('#e-consumption-table[data-state="ready"] table.e-consumption');
    await page.waitForSelector('#e-tce[data-state="none"]', { state: 'attached' });
    expect(await page.isHidden('#e-tce')).toBe(true);
  }, 20_000);

  it("puts the boilers' own gas counters under the gas main by meter, the site's tce beside them, and says it in Chinese", async () => {
    await page.click(commodity('gas'));
    await page.selectOption('#e-group', 'meter');
    await page.waitForSelector(
      '#e-consumption-table[data-state="ready"] table.e-tree tr[data-key="gm-boilers"]',
    );
    const keys = await page.$$eval('table.e-tree tbody tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-key'), tr.getAttribute('data-parent')]),
    );
    expect(keys.slice(0, 3)).toEqual([
      ['gm-boilers', ''],
      ['b1', 'gm-boilers'],
      ['b2', 'gm-boilers'],
    ]);
    // The tree's answer carries no tce: the panel has the site's, the same as grouped.
    await page.waitForSelector('#e-tce[data-state="ready"] [data-figure="tce"]');
    const { equivalents: eq } = (
      await pageFetch(page, `/api/energy/consumption?commodity=gas&${RANGE}&groupBy=site`)
    ).body;
    expect((await readTce(page)).tce).toBe(tce(eq.tce));

    await page.click('#lang');
    try {
      await page.waitForSelector('#e-tce[data-state="ready"] h3');
      expect(await text(commodity('gas'))).toBe('燃气（m³）');
      expect(await text('#e-tce h3')).toBe('全院区能耗折标准煤');
      expect(await text('#e-tce [data-figure="tce"] .v')).toBe(tce(eq.tce).replace('tce', '吨标准煤'));
      expect(await text('#e-tce')).toContain('按每日适用的国家标准折标系数');
      expect(await text('#e-tce [data-figure="gasCo2Kg"]')).toMatch(/^燃气碳排放 [\d,]+ kg（[\d.]+ 吨）$/);
    } finally {
      await page.click('#lang');
    }
    expect(unexpected(opened.errors)).toEqual([]);
  }, 20_000);
});

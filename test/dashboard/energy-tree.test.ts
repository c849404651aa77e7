/**
 * Consumption by meter on the Energy page, in a real browser (Debian's chromium via
 * playwright-core) against the gateway's web server with login on, over four days of the demo
 * plant's simulated meter history in a real SQLite store: checked as an energy manager checks
 * a distribution board. Each feeder sits under its incomer, indented; below them their sum and
 * the unmetered remainder (transformer and cable losses) as a row of its own; the total is the
 * incomers' (the site's), never incomers plus feeders; a day a feeder's meter was silent gives
 * no remainder rather than a made-up one; the CSV and the Chinese page say the same.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium } from '../helpers/browser.js';
import { parseCsv } from '../web/records-harness.js';
import { type ConsumptionPage, chooseDays, consumptionPage, date, unexpected } from './energy-harness.js';

/** The day DR2's imaging feeder meter does not answer at all. */
const SILENT = -2;
/** "25,074" (en-GB) or "25,074" (zh-CN) as a number. */
const shown = (text: string | null | undefined) => Number((text ?? '').replace(/,/g, ''));

let opened: ConsumptionPage;
let page: Page;

interface ShownRow {
  key: string;
  kind: string;
  depth: string;
  name: string;
  cells: { text: string; title: string }[];
}

/** The tree table as the manager sees it: each row's name, indentation and cells. */
function readTree(p: Page): Promise<{ columns: string[]; rows: ShownRow[]; totals: string[] }> {
  return p.$eval('table.e-tree', (table) => ({
    columns: [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? ''),
    rows: [...table.querySelectorAll('tbody tr')].map((tr) => {
      return {
        key: tr.getAttribute('data-key') ?? '',
        kind: tr.getAttribute('data-kind') ?? '',
        depth: tr.getAttribute('data-depth') ?? '',
        name: tr.querySelector('th')?.firstChild?.textContent ?? '',
        cells: [...tr.querySelectorAll('td')].map((td) => ({
          text: td.querySelector('.v')?.textContent ?? td.textContent ?? '',
          title: td.getAttribute('title') ?? '',
        })),
      };
    }),
    // The kWh figure: a cost and kg CO₂e line stands under it.
    totals: [...table.querySelectorAll('tfoot td')].map(
      (td) => td.querySelector('.v')?.textContent ?? td.textContent ?? '',
    ),
  }));
}

/** How far in a tree row's name is drawn, in px. */
async function indent(key: string): Promise<number> {
  const th = `document.querySelector('table.e-tree tr[data-key="${key}"] th')`;
  return Number.parseFloat(String(await page.evaluate(`getComputedStyle(${th}).paddingLeft`)));
}

describe.skipIf(!hasChromium())('consumption by meter as the metering tree', () => {
  beforeAll(async () => {
    opened = await consumptionPage({ device: 'dr2-f2', day: SILENT });
    page = opened.page;
  }, 40_000);

  afterAll(async () => {
    await opened?.close();
  });

  it('shows each incomer over its feeders, their sum and the unmetered rest; the total is the incomers alone', async () => {
    await page.waitForSelector('#e-consumption-table[data-state="ready"]');
    await chooseDays(page, 'day', 'meter');
    await page.waitForSelector(
      `#e-consumption-table[data-state="ready"] table.e-tree th[data-bucket="${date(-4)}"]`,
    );
    const tree = await readTree(page);
    expect(tree.columns).toEqual(['Meter', date(-4), date(-3), date(-2), date(-1), 'Total']);
    const level = (incomer: string, name: string, feeders: number) => [
      [incomer, 'meter', '0', name],
      ...Array.from({ length: feeders }, (_, i) => [`${incomer.slice(0, 3)}-f${i + 1}`, 'meter', '1']),
      [`${incomer}/submeters`, 'submeters', '1', 'Sub-meters together'],
      [`${incomer}/unmetered`, 'unmetered', '1', 'Unmetered / losses'],
    ];
    expect(
      tree.rows.map((r) => [
        r.key,
        r.kind,
        r.depth,
        ...(r.kind === 'meter' && r.depth === '1' ? [] : [r.name]),
      ]),
    ).toEqual([...level('dr1-incomer', 'DR1 Incomer', 4), ...level('dr2-incomer', 'DR2 Incomer', 3)]);
    const row = (key: string) => tree.rows.find((r) => r.key === key) as ShownRow;
    // Indented by level: the feeders and their incomer's level rows further in than the incomer.
    expect(await indent('dr1-f1')).toBeGreaterThan(await indent('dr1-incomer'));
    expect(await indent('dr1-incomer/unmetered')).toBe(await indent('dr1-f1'));
    expect(row('dr1-f1').name).toBe('DR1 Feeder 1 — Chiller plant');

    // DR1, every day and in all: the incomer = its feeders together + the rest, about 1.5 % of them.
    const dr1 = [row('dr1-incomer'), row('dr1-incomer/submeters'), row('dr1-incomer/unmetered')];
    for (let c = 0; c < 5; c++) {
      const [top, metered, rest] = dr1.map((r) => shown(r.cells[c]?.text));
      expect(Math.abs((metered ?? 0) + (rest ?? 0) - (top ?? 0)), `column ${c}`).toBeLessThanOrEqual(1);
      expect((rest ?? 0) / (metered ?? 1)).toBeGreaterThan(0.01);
      expect((rest ?? 0) / (metered ?? 1)).toBeLessThan(0.02);
    }
    // The day DR2's imaging feeder was silent: no figure for it, for DR2's feeders together or for
    // its rest, never a made-up one; nor a total for the rest over the period.
    const silent = tree.columns.indexOf(date(SILENT)) - 1;
    expect(row('dr2-f2').cells[silent]?.text).toBe('—');
    expect(row('dr2-incomer/submeters').cells[silent]?.text).toBe('—');
    expect(row('dr2-incomer/unmetered').cells[silent]).toEqual({
      text: '—',
      title: 'not known: a meter of this level has no readings here',
    });
    expect(row('dr2-incomer/unmetered').cells[4]?.text).toBe('—');
    expect(shown(row('dr2-incomer/unmetered').cells[silent + 1]?.text)).toBeGreaterThan(0);

    // The total is the two incomers' (the site's): adding the feeders would nearly double it.
    const total = shown(tree.totals.at(-1));
    const incomers = shown(row('dr1-incomer').cells[4]?.text) + shown(row('dr2-incomer').cells[4]?.text);
    expect(Math.abs(total - incomers)).toBeLessThanOrEqual(1);
    const site = (await page.evaluate(
      `fetch('/api/energy/consumption?groupBy=site&from=${date(-4)}&to=${date(0)}').then((r) => r.json())`,
    )) as { total: number };
    expect(Math.abs(total - site.total)).toBeLessThanOrEqual(1);

    // The shares: the feeders and the two rests, which add up to the whole.
    await page.waitForSelector('#e-share tr[data-key="dr1-incomer/unmetered"]');
    const share = await page.textContent('#e-share tr[data-key="dr1-incomer/unmetered"] th');
    expect(share).toBe('DR1 Incomer: Unmetered / losses');
    expect(unexpected(opened.errors)).toEqual([]);
  }, 30_000);

  it('downloads the same tree as CSV, its last line the total of the top-level meters', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#e-consumption-csv')]);
    expect(download.suggestedFilename()).toBe('electricity-meter-day.csv');
    const lines = parseCsv(readFileSync(await download.path(), 'utf8'));
    const tree = await readTree(page);
    expect(lines.slice(1, -1).map((l) => l[1])).toEqual(tree.rows.map((r) => r.key));
    const last = lines.at(-1) ?? [];
    expect(last[0]).toBe('Total (top-level meters)');
    expect(Math.abs(Number(last.at(-2)) - shown(tree.totals.at(-1)))).toBeLessThanOrEqual(0.5);
  }, 20_000);

  it('names the remainder in Chinese too', async () => {
    await page.click('#lang');
    const rest = page.locator('table.e-tree tr[data-key="dr1-incomer/unmetered"] th');
    await rest.filter({ hasText: '未计量/损耗' }).waitFor();
    expect(await page.textContent('table.e-tree tr[data-key="dr1-incomer/submeters"] th')).toBe('分表合计');
    expect(await page.textContent('table.e-tree tfoot th')).toBe('合计（仅一级表）');
    await page.click('#lang');
  }, 20_000);
});

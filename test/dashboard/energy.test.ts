/**
 * The Energy page in a real browser (Debian's chromium via playwright-core) against the demo
 * gateway and simulators, login on, over two months of simulated meter history written into
 * the gateway's SQLite store before it starts: checked as an energy manager checks the monthly
 * figures (one row per building, totals that add up, a gap marked, a CSV that matches the
 * table), the leak watch of the five water meters (one of them leaking), the LED retrofit's
 * savings, and a phone-sized screen.
 * Takes a screenshot of each tab (docs/screenshots/energy-*.png under PLANTWATCH_SCREENSHOTS=1).
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { simulateHistory } from '../../simulators/history.js';
import { type PlantSimulator, simulatorMqttLogin, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { PointValue } from '../../src/points/index.js';
import { SqliteStore } from '../../src/storage/index.js';
import { hasChromium, launchBrowser, openPage, pageFetch, signIn } from '../helpers/browser.js';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';
import { screenshot } from '../helpers/screenshots.js';

const ZONE = 'Asia/Shanghai';
const DAY = 86_400_000;
/** Enough for the LED retrofit's baseline (60 to 31 days ago) and reporting period. */
const HISTORY_DAYS = 61;
/** The points the energy pages read. */
const ENERGY_POINTS = /\.(energy_kwh|power_kw|reactive_kvar|volume_m3|flow_m3h)$/;

let demo: DemoConfig;
let config: PlantConfig;
let gateway: Gateway;
let simulator: PlantSimulator;
let browser: Browser;
let page: Page;
let pageErrors: string[];

/** Page errors but the 401 of /api/auth/me that a browser not yet signed in gets by design. */
const unexpected = (errors: string[]) =>
  errors.filter((e) => !/status of 401|Failed to load resource|WebSocket|socket\.io/i.test(e));

async function go(hash: string, p: Page = page) {
  await p.evaluate(`location.hash = ${JSON.stringify(hash)}`);
}

/** "YYYY-MM-DD" in the plant's zone, `days` from today. */
function plantDate(days: number): string {
  return new Date(Date.now() + days * DAY).toLocaleDateString('en-CA', { timeZone: ZONE });
}

/** Epoch ms of a local time in the plant's zone (+08:00, no DST), `days` from today. */
const plantTime = (days: number, time: string) => Date.parse(`${plantDate(days)}T${time}:00+08:00`);

/** The day (four days ago, inside the period the first test shows) DR2's meter stops answering. */
const GAP_DAY = -4;
const GAP = { from: plantTime(GAP_DAY, '10:00'), to: plantTime(GAP_DAY, '13:00') };

/** Local midnight starting the month `months` from this one (+08:00). */
function monthStart(months: number): number {
  const [year, month] = plantDate(0).split('-').map(Number) as [number, number];
  const first = new Date(Date.UTC(year, month - 1 + months, 1)).toISOString().slice(0, 10);
  return Date.parse(`${first}T00:00:00+08:00`);
}

/** "YYYY-MM" of the month `months` from this one. */
const plantMonth = (months: number) =>
  new Date(monthStart(months)).toLocaleDateString('en-CA', { timeZone: ZONE }).slice(0, 7);

/** "25,074" or "1,234.5" (en-GB) as a number. */
const parseShown = (text: string) => Number(text.replace(/,/g, ''));

/** Meter counters: the live simulator starts them where the history started them. */
const COUNTERS = /\.(energy_kwh|volume_m3)$/;

/**
 * Writes the simulated history's energy points into the demo copy's store, before the gateway
 * opens it. The live simulator then starts its counters afresh, at the values the history
 * started from; so each counter's history is lowered by its rise over the history, to end
 * where the live readings go on (otherwise the first live reading is a counter reset).
 */
async function writeHistory(): Promise<number> {
  const to = Date.now();
  const values: PointValue[] = [];
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const history = simulateHistory(config, {
    from: to - HISTORY_DAYS * DAY,
    to,
    stepMs: 15 * 60_000,
    faults: [
      // DR2's incomer meter silent for three hours: a gap in that day's figure.
      { device: 'dr2-incomer', fault: { type: 'offline' }, from: GAP.from, to: GAP.to },
      // The Energy Centre's water meter silent all of last month: a month without data.
      { device: 'wm-energy-centre', fault: { type: 'offline' }, from: monthStart(-1), to: monthStart(0) },
      // A pipe leaking 1.5 m³/h under the Administration Building for the last five days.
      { device: 'wm-admin', fault: { type: 'leak', flowM3h: 1.5 }, from: plantTime(-5, '12:00') },
    ],
  });
  for (const batch of history)
    for (const v of batch) {
      if (!ENERGY_POINTS.test(v.id)) continue;
      values.push(v);
      if (COUNTERS.test(v.id) && typeof v.value === 'number') {
        if (!first.has(v.id)) first.set(v.id, v.value);
        last.set(v.id, v.value);
      }
    }
  const store = new SqliteStore({ path: config.gateway.storage.sqlite.path, maintenanceIntervalMs: 0 });
  const shifted = values.map((v) =>
    typeof v.value === 'number' && first.has(v.id)
      ? { ...v, value: v.value - ((last.get(v.id) ?? 0) - (first.get(v.id) ?? 0)) }
      : v,
  );
  for (let i = 0; i < shifted.length; i += 50_000) await store.write(shifted.slice(i, i + 50_000));
  await store.close();
  return shifted.length;
}

describe.skipIf(!hasChromium())('the Energy page in a real browser', () => {
  beforeAll(async () => {
    // The simulated hospital's day follows the process's clock: put it on the hospital's.
    vi.stubEnv('TZ', ZONE);
    demo = await demoConfigCopy({ auth: true });
    config = loadConfig(demo.dir);
    expect(config.energy.timezone).toBe(ZONE);
    const started = Date.now();
    const rows = await writeHistory();
    console.log(`history: ${rows} rows over ${HISTORY_DAYS} days in ${Date.now() - started} ms`);
    [gateway, browser] = await Promise.all([startGateway({ config, log: silentLogger() }), launchBrowser()]);
    simulator = await startPlantSimulator(config, {
      log: silentLogger(),
      mqtt: simulatorMqttLogin(config, gateway.mqtt.brokerUrl),
    });
    const opened = await openPage(browser, { locale: 'en-GB' });
    page = opened.page;
    pageErrors = opened.errors;
    await page.goto(`${gateway.web.url}/#/energy`);
    await signIn(page, 'manager', 'manager-demo');
  }, 50_000);

  afterAll(async () => {
    await browser?.close();
    await simulator?.stop();
    await gateway?.stop();
    demo?.cleanup();
    vi.unstubAllEnvs();
  });

  it('shows daily electricity per building over the chosen days, each total the sum of its days', async () => {
    expect(await page.evaluate('location.hash')).toBe('#/energy');
    // Ten whole days before today (today is still going on).
    const from = plantDate(-10);
    const to = plantDate(0);
    await go('#/energy/consumption');
    await page.waitForSelector('#e-consumption-table[data-state="ready"]');
    await page.selectOption('#e-period', 'custom');
    await page.fill('#e-from', from);
    await page.fill('#e-to', to);
    await page.dispatchEvent('#e-to', 'change');
    await page.waitForSelector(`#e-consumption-table[data-state="ready"] tr[data-bucket="${from}"]`);

    // One column per building with an electricity main, one row per day of the period.
    const buildings = [
      ...new Set(
        (config.energy.electricity.mains ?? []).map((id) => {
          const device = config.devices.find((d) => d.id === id);
          const site = config.sites.find((s) => s.id === device?.site);
          return site?.buildings.find((b) => b.id === device?.building)?.name;
        }),
      ),
    ].sort();
    const table = await page.$eval('table.e-consumption', (el) => ({
      columns: [...el.querySelectorAll('thead th')].map((th) => th.textContent ?? ''),
      rows: [...el.querySelectorAll('tbody tr')].map((tr) => ({
        period: tr.querySelector('th')?.textContent ?? '',
        cells: [...tr.querySelectorAll('td')].map(
          (td) => td.querySelector('.v')?.textContent ?? td.textContent,
        ),
      })),
      totals: [...el.querySelectorAll('tfoot td')].map((td) => td.querySelector('.v')?.textContent ?? ''),
    }));
    expect(table.columns.slice(1, -1).sort()).toEqual(buildings);
    expect(table.columns.at(-1)).toBe('Total');
    const days = Array.from({ length: 10 }, (_, i) => plantDate(i - 10));
    expect(table.rows.map((r) => r.period)).toEqual(days);
    // The day DR2's meter was silent is counted, marked as partly estimated across the gap,
    // and the gap is listed under the table; the other days of DR2 are not marked.
    // nth-child of DR2's building in each row (the period's th is the first child, as in the head).
    const outpatient = table.columns.indexOf('Outpatient & Medical Technology Building') + 1;
    expect(outpatient).toBeGreaterThan(1);
    const dr2Cells = page.locator(`table.e-consumption tbody td:nth-child(${outpatient})`);
    const gapCell = page.locator(
      `table.e-consumption tr[data-bucket="${plantDate(GAP_DAY)}"] td:nth-child(${outpatient})`,
    );
    expect(await gapCell.getAttribute('title')).toMatch(
      /^partly estimated across a gap · readings cover 8\d\.\d %$/,
    );
    expect(await gapCell.locator('.mark').textContent()).toBe('≈');
    // The gap day alone is estimated; the first and last day may read "*" (readings cover a
    // little less than the day when none falls exactly on midnight), never "≈".
    expect((await dr2Cells.locator('.mark').allTextContents()).filter((m) => m === '≈')).toHaveLength(1);
    expect(await page.textContent('#e-events li[data-kind="gap"][data-meter="dr2-incomer"]')).toContain(
      `counted in ${plantDate(GAP_DAY)}`,
    );
    // Every day has readings: a number, never "—"; a hospital uses thousands of kWh a day.
    for (const row of table.rows)
      for (const cell of row.cells) expect(parseShown(cell ?? '')).toBeGreaterThan(1000);
    // Each building's total is the sum of its shown days (whole kWh: ±0.5 a day), and the
    // grand total the sum of the buildings.
    table.columns.slice(1).forEach((_, c) => {
      const shown = table.rows.reduce((s, r) => s + parseShown(r.cells[c] ?? ''), 0);
      expect(Math.abs(parseShown(table.totals[c] ?? '') - shown)).toBeLessThanOrEqual(
        0.5 * table.rows.length + 1,
      );
    });
    const grand = table.totals.slice(0, -1).reduce((s, v) => s + parseShown(v), 0);
    expect(Math.abs(parseShown(table.totals.at(-1) ?? '') - grand)).toBeLessThanOrEqual(buildings.length);
    // The live readings go on from the history's counters: no reset or jump today, whose
    // consumption the month comparison and the load profile below show.
    const today = (await page.evaluate(
      `fetch('/api/energy/consumption?groupBy=meter&from=${plantDate(0)}&to=${plantDate(1)}').then((r) => r.json())`,
    )) as { rows: { events: { kind: string }[] }[] };
    expect(today.rows.flatMap((r) => r.events.map((e) => e.kind))).toEqual([]);
    await page.waitForSelector('#e-consumption-chart[data-state="ready"] canvas');
    await page.waitForSelector('#e-compare[data-state="ready"] tr[data-key]');
    await page.waitForSelector('#e-profile[data-state="ready"] canvas');
    await screenshot(page, 'energy-consumption.png');
  }, 30_000);

  it('downloads the consumption table as a CSV with the same columns, days and values', async () => {
    const shown = await page.$eval('table.e-consumption', (el) => ({
      columns: [...el.querySelectorAll('thead th')].map((th) => th.textContent ?? ''),
      rows: [...el.querySelectorAll('tbody tr')].map((tr) => [
        tr.querySelector('th')?.textContent ?? '',
        ...[...tr.querySelectorAll('td')].map((td) => td.querySelector('.v')?.textContent ?? ''),
      ]),
    }));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#e-consumption-csv')]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const text = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    const lines = text.trim().split(/\r?\n/);
    const split = (line: string) => line.split(',').map((c) => c.replace(/^"|"$/g, ''));
    const header = split(lines[0] ?? '');
    // period, start, one column per building "(kWh)", total — as the table shows them — then the
    // site's tce (the page shows it in the panel below the table) and notes.
    expect(header.slice(2, -1)).toEqual([
      ...shown.columns.slice(1, -1).map((c) => `${c} (kWh)`),
      'total (kWh)',
      'site tce (electricity and gas)',
    ]);
    const rows = lines.slice(1).map(split);
    expect(rows.map((r) => r[0])).toEqual(shown.rows.map((r) => r[0]));
    rows.forEach((row, i) => {
      const onPage = shown.rows[i] ?? [];
      for (let c = 1; c < onPage.length; c++)
        expect(Math.abs(Number(row[c + 1]) - parseShown(onPage[c] ?? ''))).toBeLessThanOrEqual(0.5);
    });
  }, 20_000);

  it('prints the figures alone (no header, menus or pickers, tables full width) and links the monthly report', async () => {
    await page.emulateMedia({ media: 'print' });
    try {
      expect(await page.isHidden('header.top')).toBe(true);
      expect(await page.isHidden('.e-tabs')).toBe(true);
      expect(await page.isHidden('.e-tools')).toBe(true);
      expect(await page.isHidden('#e-consumption-csv')).toBe(true);
      expect(await page.isVisible('table.e-consumption')).toBe(true);
      const widths = (await page.evaluate(
        `({ table: document.querySelector('table.e-consumption').getBoundingClientRect().width,
            main: document.querySelector('main').clientWidth })`,
      )) as { table: number; main: number };
      expect(widths.table).toBeGreaterThanOrEqual(widths.main - 2);
      await screenshot(page, 'energy-print.png');
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
    // The monthly report of the month chosen (last month by default), in a new tab.
    const link = page.locator('#e-report');
    expect(await link.getAttribute('target')).toBe('_blank');
    const lastMonth = new Date(Date.now()).toLocaleDateString('en-CA', { timeZone: ZONE }).slice(0, 7);
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toMatch(/^\/api\/energy\/report\?month=\d{4}-\d{2}$/);
    expect(href.slice(-7) < lastMonth).toBe(true);
    const report = (await page.evaluate(
      `fetch(${JSON.stringify(href)}).then(async (r) => ({ status: r.status, type: r.headers.get('content-type') }))`,
    )) as { status: number; type: string };
    expect(report).toMatchObject({ status: 200, type: expect.stringContaining('text/html') });
  }, 20_000);

  it('compares this month so far with the same days and hours of last month, not with all of it', async () => {
    // The comparison's two questions, as the page asks them when the tab opens.
    const asked: URLSearchParams[] = [];
    const listen = (request: { url(): string }) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/energy/consumption' && url.searchParams.get('resolution') === 'month')
        asked.push(url.searchParams);
    };
    page.on('request', listen);
    try {
      await go('#/energy/leaks');
      await page.waitForSelector('#e-leaks[data-state="ready"]');
      await go('#/energy/consumption');
      await page.waitForSelector('#e-compare[data-state="ready"] tr[data-key]');
    } finally {
      page.off('request', listen);
    }
    const current = asked.find((q) => q.get('from') === `${plantMonth(0)}-01`);
    const previous = asked.find((q) => q.get('from') === `${plantMonth(-1)}-01`);
    // This month up to now (to the minute), last month to the same day and time, or to its end
    // when it is shorter.
    const now = current?.get('to') ?? '';
    expect(now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    const day = Number(now.slice(8, 10));
    const lastMonthDays = new Date(monthStart(0) - DAY)
      .toLocaleDateString('en-CA', { timeZone: ZONE })
      .slice(8);
    expect(previous?.get('to')).toBe(
      day > Number(lastMonthDays)
        ? `${plantMonth(0)}-01`
        : `${plantMonth(-1)}-${now.slice(8, 10)}T${now.slice(11)}`,
    );
    // The panel shows what those days add up to, day by day, and the change between them.
    const perBuilding = async (q: URLSearchParams | undefined) => {
      const { body } = await pageFetch(
        page,
        `/api/energy/consumption?from=${q?.get('from')}&to=${q?.get('to')}&resolution=day&groupBy=building`,
      );
      return new Map<string, number>(
        body.rows.map((r: { key: string; buckets: { value: number | null }[] }) => [
          r.key,
          r.buckets.reduce((s, b) => s + (b.value ?? 0), 0),
        ]),
      );
    };
    const [thisMonth, lastMonth] = await Promise.all([perBuilding(current), perBuilding(previous)]);
    const shown = await page.$$eval('#e-compare tbody tr', (trs) =>
      trs.map((tr) => [
        tr.getAttribute('data-key') ?? '',
        ...[...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
      ]),
    );
    expect(shown.map((r) => r[0]).sort()).toEqual([...thisMonth.keys()].sort());
    for (const [key, before, after, change] of shown) {
      const [b, a] = [lastMonth.get(key ?? '') ?? Number.NaN, thisMonth.get(key ?? '') ?? Number.NaN];
      expect(Math.abs(parseShown(before ?? '') - b), `${key}: last month`).toBeLessThanOrEqual(
        0.5 + 1e-6 * b,
      );
      expect(Math.abs(parseShown(after ?? '') - a), `${key}: this month`).toBeLessThanOrEqual(0.5 + 1e-6 * a);
      const pct = Number((change ?? '').replace(/[▲▼+ %]/g, ''));
      expect(Math.abs(pct - ((a - b) / b) * 100), `${key}: ${change}`).toBeLessThanOrEqual(0.1);
      // The same days of a hospital's two months: nothing like −80 %.
      expect(pct, `${key}: ${change}`).toBeGreaterThan(-50);
    }
  }, 30_000);

  it('marks this month and today as still going on, in the table and under the chart, in English and Chinese', async () => {
    await page.selectOption('#e-period', 'this-month');
    await page.waitForSelector('#e-consumption-table[data-state="ready"]');
    await page.selectOption('#e-resolution', 'month');
    await page.waitForSelector('#e-consumption-table[data-state="ready"] table.e-consumption');
    const today = plantDate(0);
    const [year, month, day] = [today.slice(0, 4), today.slice(0, 7), Number(today.slice(8))];
    const monthRow = await page.$$eval('table.e-consumption tbody th', (ths) =>
      ths.map((th) => th.textContent),
    );
    // This month so far: "1 – 6 Dec 2026", the month itself on its last day; either way partial.
    expect(monthRow).toHaveLength(1);
    expect(monthRow[0]).toMatch(new RegExp(`^(${month}|(1\\s*–\\s*)?${day} \\S+ ${year}) \\(partial\\)$`));

    await page.selectOption('#e-resolution', 'day');
    await page.waitForSelector(`#e-consumption-table[data-state="ready"] tr[data-bucket="${today}"]`);
    const days = await page.$$eval('table.e-consumption tbody th', (ths) => ths.map((th) => th.textContent));
    expect(days.at(-1)).toBe(`${today} (partial)`);
    expect(days.slice(0, -1).filter((d) => d?.includes('partial'))).toEqual([]);
    await page.waitForSelector('#e-consumption-chart[data-state="ready"] canvas');
    const note = await page.textContent('#e-partial-note');
    expect(note).toContain('Hatched: still going on');
    expect(note).toContain(today);

    await page.click('#lang');
    try {
      await page.waitForSelector(`#e-consumption-table[data-state="ready"] tr[data-bucket="${today}"]`);
      expect(await page.textContent(`tr[data-bucket="${today}"] th`)).toBe(`${today}（进行中）`);
      expect(await page.textContent('#e-partial-note')).toMatch(new RegExp(`^斜线：尚未结束——${today}`));
    } finally {
      await page.click('#lang');
    }
  }, 30_000);

  it('says "no data" for a month without readings, never 0 or −100 %', async () => {
    await page.click('.e-toggle[data-name="commodity"] button[data-value="water"]');
    // The Energy Centre's meter was silent all of last month.
    const row = page.locator('#e-compare[data-state="ready"] tr[data-key="main/energy-centre"]');
    await row.waitFor();
    const [before, after, change] = await row.locator('td').allTextContents();
    expect(before).toBe('no data');
    expect(parseShown(after ?? '')).toBeGreaterThan(0);
    expect(change).toBe('—');

    // Months before the history, by month: every figure says there is none, not 0.
    await page.selectOption('#e-period', 'custom');
    await page.fill('#e-from', `${plantMonth(-5)}-01`);
    await page.fill('#e-to', `${plantMonth(-3)}-01`);
    await page.dispatchEvent('#e-to', 'change');
    await page.selectOption('#e-resolution', 'month');
    await page.waitForSelector(
      `#e-consumption-table[data-state="ready"] tr[data-bucket="${plantMonth(-4)}"]`,
    );
    const cells = await page.$$eval('table.e-consumption tbody td, table.e-consumption tfoot td', (tds) =>
      tds.map((td) => [td.textContent, td.getAttribute('title')]),
    );
    expect(cells.length).toBeGreaterThan(4);
    for (const [text] of cells) expect(text).toBe('—');
    expect(cells[0]?.[1]).toBe('no data: no readings in this period');

    await page.click('#lang');
    try {
      await page.waitForSelector('#e-compare[data-state="ready"] tr[data-key="main/energy-centre"]');
      expect(await page.textContent('#e-compare tr[data-key="main/energy-centre"] td')).toBe('无数据');
    } finally {
      await page.click('#lang');
      await page.click('.e-toggle[data-name="commodity"] button[data-value="electricity"]');
    }
  }, 30_000);

  it('lists the five watched water meters on the leaks tab, and shows peak demand and intensity', async () => {
    await go('#/energy/leaks');
    await page.waitForSelector('#e-leaks[data-state="ready"]');
    const devices = await page.$$eval('.e-leak[data-device]', (els) =>
      els.map((el) => el.getAttribute('data-device')),
    );
    expect(devices).toHaveLength(5);
    expect(devices.sort()).toEqual([...(config.energy.leaks.meters ?? [])].sort());
    // 14 nights each; the leaking Administration meter alone is suspected, its last nights wet.
    expect(await page.locator('.e-leak').first().locator('.e-night').count()).toBe(14);
    const suspected = await page.$$eval('.e-leak[data-suspected="true"]', (els) =>
      els.map((el) => el.getAttribute('data-device')),
    );
    expect(suspected).toEqual(['wm-admin']);
    const admin = page.locator('.e-leak[data-device="wm-admin"]');
    expect(await admin.locator('.e-badge').textContent()).toBe('LEAK SUSPECTED');
    expect(await admin.locator('.e-night').last().getAttribute('class')).toContain('wet');
    expect(
      Number((await admin.locator('.e-wet-run').textContent())?.match(/^\d+/)?.[0]),
    ).toBeGreaterThanOrEqual(3);
    expect(await page.locator('.e-leak[data-device="wm-canteen"] .e-night.wet').count()).toBe(0);
    expect(await page.textContent('#e-leak-summary')).toBe('Leak suspected at 1 meter(s).');
    await screenshot(page, 'energy-leaks.png');

    await go('#/energy/demand');
    await page.waitForSelector('#e-headroom[data-state="ready"] tr[data-room]');
    const dr1 = await page.textContent('.e-headroom tr[data-room="dr1"] .e-util .num');
    expect(dr1).toMatch(/^\d+ %$/);
    expect(await page.locator('#e-demand .e-meter').count()).toBe(
      (config.energy.electricity.mains ?? []).length,
    );
    await screenshot(page, 'energy-demand.png');

    await go('#/energy/intensity');
    await page.selectOption('#e-period', 'last-7');
    await page.waitForSelector('#e-intensity[data-state="ready"] tr[data-key="main/inpatient"]');
    const kwhPerM2 = await page.textContent('.e-intensity tr[data-key="main/inpatient"] td:nth-child(6)');
    expect(parseShown(kwhPerM2 ?? '')).toBeGreaterThan(0);
    await screenshot(page, 'energy-intensity.png');
  }, 30_000);

  it('shows the LED retrofit with its verified savings', async () => {
    await go('#/energy/savings');
    const card = page.locator('#e-savings[data-state="ready"] [data-retrofit="led-inpatient"]');
    await card.waitFor();
    expect(await card.locator('h2').textContent()).toContain('LED lamps');
    // Two months of history hold the baseline and the reporting period: a figure, not a problem.
    const figure = (await card.locator('.e-savings-figure').textContent()) ?? '';
    const match = figure.match(/^Saved ([\d,]+) kWh \(([\d.]+) %\)$/);
    expect(match, figure).not.toBeNull();
    // The lamps draw 0.55 of what they did: about 45 % of the feeder saved, as promised (40 %).
    expect(Number(match?.[2])).toBeGreaterThan(35);
    expect(Number(match?.[2])).toBeLessThan(55);
    expect(await card.textContent()).toContain('40 % — met');
    await card.locator('.e-savings-chart canvas').waitFor();
    await screenshot(page, 'energy-savings.png');
    expect(unexpected(pageErrors)).toEqual([]);
  }, 20_000);

  it('fits a phone-sized screen without horizontal scrolling, in Chinese too', async () => {
    const phone = await openPage(browser, { viewport: { width: 390, height: 844 } });
    try {
      await phone.page.goto(`${gateway.web.url}/#/energy/consumption`);
      await signIn(phone.page, 'manager', 'manager-demo');
      await phone.page.waitForSelector('#e-consumption-table[data-state="ready"] table');
      await phone.page.waitForSelector('#e-profile[data-state="ready"] canvas');
      const width = () =>
        phone.page.evaluate(
          '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
        ) as Promise<{ scroll: number; client: number }>;
      const english = await width();
      expect(english.scroll).toBeLessThanOrEqual(english.client);
      await screenshot(phone.page, 'energy-phone.png');
      await phone.page.click('#lang');
      await phone.page.waitForSelector('#e-consumption-table[data-state="ready"] table');
      expect(await phone.page.textContent('.e-tabs a[data-tab="consumption"]')).toBe('用量');
      // site.yaml's Chinese names, through the API's nameZh, in the table's columns.
      expect(await phone.page.textContent('#e-consumption-table th[data-key="main/inpatient"]')).toBe(
        '住院楼',
      );
      const chinese = await width();
      expect(chinese.scroll).toBeLessThanOrEqual(chinese.client);
      expect(unexpected(phone.errors)).toEqual([]);
    } finally {
      await phone.context.close();
    }
  }, 30_000);
});

/**
 * The equipment page's trend in a real browser (Debian's chromium via playwright-core) against
 * the gateway's web server with login on, two days of the demo plant's simulated history in a
 * real SQLite store, and a chiller trip journaled yesterday at 10:00 in the plant (Asia/Shanghai):
 * several points on one chart, a range picked on the plant's calendar, zoom, pan and reset, the
 * CSV of what is shown, the alarm mark, and hour labels on the plant's 24-hour clock whatever
 * the browser's zone.
 */
import { readFile } from 'node:fs/promises';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlarmService, startAlarms } from '../../src/alarms/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { buildCatalog, PointBus, PointTable } from '../../src/points/index.js';
import { siteSettings } from '../../src/web/site.js';
import { demoWebServer, tempDir } from '../auth/harness.js';
import { HOUR, MINUTE, simulatedStore, type TestStore } from '../energy/simulated-store.js';
import { hasChromium, launchBrowser, PAGE_TIMEOUT_MS, signIn } from '../helpers/browser.js';
import { screenshot } from '../helpers/screenshots.js';
import { until } from '../helpers/wait.js';

const ZONE = 'Asia/Shanghai';
const DAY = DateTime.now().setZone(ZONE).minus({ days: 1 }).toISODate() ?? '';
/** An instant given as the plant's wall clock yesterday, e.g. at('10:00'). */
const at = (clock: string) => DateTime.fromISO(`${DAY}T${clock}`, { zone: ZONE }).toMillis();
const TRIPPED_AT = at('10:00');
const SUPPLY = 'Chilled water supply temperature';
const RETURN = 'Chilled water return temperature';

let config: PlantConfig;
let data: TestStore;
let alarms: AlarmService;
let server: Awaited<ReturnType<typeof demoWebServer>>;
let browser: Browser;
const journalDir = tempDir();

/** Chiller 1 trips at TRIPPED_AT and is back ten minutes later, on a clock the test moves. */
async function journalTrip(): Promise<AlarmService> {
  const bus = new PointBus();
  const table = new PointTable(buildCatalog(config));
  bus.subscribe((values) => table.update(values));
  let clock: number | null = TRIPPED_AT;
  const rules = config.alarms.rules.filter((r) => r.id === 'chiller-trip');
  const service = startAlarms({
    config: { ...config, alarms: { ...config.alarms, rules } },
    bus,
    read: (id) => table.get(id),
    log: silentLogger(),
    journalPath: `${journalDir.dir}/alarms.db`,
    now: () => clock ?? Date.now(),
  });
  const trip = async (value: boolean, ts: number) => {
    clock = ts;
    bus.publish([{ id: 'ch1.tripped', value, quality: 'good', ts }]);
    await until(
      `the trip ${value ? 'raised' : 'cleared'}`,
      () => service.get('chiller-trip@ch1')?.conditionActive === value,
    );
  };
  await trip(true, TRIPPED_AT);
  await trip(false, TRIPPED_AT + 10 * MINUTE);
  clock = null;
  return service;
}

beforeAll(async () => {
  config = loadConfig('config');
  const now = Date.now();
  data = await simulatedStore(config, { from: now - 2 * 24 * HOUR, to: now, stepMs: 2 * MINUTE }, (id) =>
    /^(ch1|dr1-incomer)\./.test(id),
  );
  alarms = await journalTrip();
  [server, browser] = await Promise.all([
    demoWebServer({
      table: new PointTable(buildCatalog(config)),
      store: data.store,
      alarms,
      site: siteSettings(config),
    }),
    launchBrowser(),
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await alarms?.stop();
  await data?.close();
  journalDir.remove();
});

interface TrendPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
  /** Every GET /api/history the page made. */
  requests: URL[];
  /** Texts drawn on the chart's canvas (axis labels), with where each starts. */
  drawn(): Promise<{ text: string; left: number }[]>;
  /** Forget what was drawn so far. */
  clearDrawn(): Promise<void>;
}

/** A signed-in page on `#/device/<device>`, its trend drawn; the browser in `timezoneId` if given. */
async function trendPage(
  device: string,
  options: { timezoneId?: string; locale?: string; width?: number; lang?: string } = {},
): Promise<TrendPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1440, height: 900 },
    locale: options.locale ?? 'en-GB',
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
  });
  // Axis labels are drawn on a canvas: record each drawn text with where it starts.
  await context.addInitScript(`
    ${options.lang ? `localStorage.setItem('plantwatch.lang', ${JSON.stringify(options.lang)});` : ''}
    window.drawnTexts = [];
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, x, y, maxWidth) {
      const width = this.measureText(String(text)).width;
      const left = this.textAlign === 'right' ? x - width : this.textAlign === 'center' ? x - width / 2 : x;
      window.drawnTexts.push({ text: String(text), left, x });
      return fillText.call(this, text, x, y, maxWidth);
    };`);
  const page = await context.newPage();
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const requests: URL[] = [];
  page.on('request', (r: Request) => {
    const url = new URL(r.url());
    if (url.pathname === '/api/history') requests.push(url);
  });
  await page.goto(`${server.web.url}/#/device/${device}`);
  await signIn(page, 'electrician', 'electrician-demo');
  await page.waitForSelector('.chart[data-state="ready"]');
  return {
    page,
    context,
    errors,
    requests,
    drawn: async () => (await page.evaluate('window.drawnTexts')) as { text: string; left: number }[],
    clearDrawn: async () => {
      await page.evaluate('window.drawnTexts = []');
    },
  };
}

/** The plant's yesterday from–to in the picker, shown. */
async function pick(p: Page, from: string, to: string) {
  await p.fill('#trend-from-date', DAY);
  await p.fill('#trend-from-time', from);
  await p.fill('#trend-to-date', DAY);
  await p.fill('#trend-to-time', to);
  await p.click('#trend-show');
  await p.waitForSelector('.chart[data-state="ready"] canvas');
}

/** The range of the last history request. */
function lastRange(requests: URL[]): { from: number; to: number } {
  const last = requests[requests.length - 1];
  if (!last) throw new Error('no history request');
  return { from: Number(last.searchParams.get('from')), to: Number(last.searchParams.get('to')) };
}

const legend = (p: Page) =>
  p.$$eval('.chart .u-legend .u-series .u-label', (ls) => ls.map((l) => l.textContent));
const checked = (p: Page) =>
  p.$$eval('.trend-series input:checked', (boxes) => boxes.map((b) => b.getAttribute('value')));
/** Labels of the time axis: "14:05" (or with seconds); a date line is drawn apart. */
const clockLabels = (texts: { text: string }[]) => texts.filter((t) => /^\d{1,2}:\d{2}/.test(t.text));

describe.skipIf(!hasChromium())('trends on the equipment page', () => {
  it("shows a chiller's supply and return together, adds a second unit on its own axis, refuses a third", async () => {
    const t = await trendPage('ch1');
    try {
      expect(await checked(t.page)).toEqual(['ch1.chw_supply_temp', 'ch1.chw_return_temp']);
      await t.page.waitForSelector('.chart[data-state="ready"] canvas');
      expect(await legend(t.page)).toEqual(['Time', SUPPLY, RETURN]);
      expect(t.requests.at(-1)?.searchParams.get('points')).toBe('ch1.chw_supply_temp,ch1.chw_return_temp');

      await t.clearDrawn();
      await t.page.check('.trend-series input[value="ch1.load_pct"]');
      await t.page.waitForFunction(
        () => document.querySelectorAll('.chart .u-legend .u-series').length === 4,
      );
      await t.page.waitForSelector('.chart[data-state="ready"] canvas');
      expect(await legend(t.page)).toEqual(['Time', SUPPLY, RETURN, 'Compressor load']);
      // Two value axes, each named by its unit.
      const texts = (await t.drawn()).map((d) => d.text);
      expect(texts).toContain('°C');
      expect(texts).toContain('%');

      // A third unit would need a third axis: refused, with the reason.
      await t.page.click('.trend-series label[data-point="ch1.power_kw"]');
      await t.page.locator('.trend-note', { hasText: 'At most two units' }).waitFor();
      expect(await t.page.isChecked('.trend-series input[value="ch1.power_kw"]')).toBe(false);
      expect(await legend(t.page)).toEqual(['Time', SUPPLY, RETURN, 'Compressor load']);
      expect(t.errors).toEqual([]);
      await screenshot(t.page, 'trend-chiller.png');
    } finally {
      await t.context.close();
    }
  });

  it('opens each kind of equipment on the point that matters for it', async () => {
    const t = await trendPage('dr1-incomer');
    try {
      expect(await checked(t.page)).toEqual(['dr1-incomer.power_kw']);
      for (const [device, points] of [
        ['wm-inpatient', ['wm-inpatient.flow_m3h']],
        ['pchw1', ['pchw1.flow_m3h']],
        ['o2-station', ['o2-station.supply_pressure_bar']],
      ] as const) {
        await t.page.evaluate(`location.hash = '#/device/${device}'`);
        await t.page.waitForSelector(`.trend-series input[value="${points[0]}"]`);
        expect(await checked(t.page), device).toEqual(points);
      }
    } finally {
      await t.context.close();
    }
  });

  it("fetches and shows the range picked on the plant's calendar and 24-hour clock", async () => {
    const t = await trendPage('ch1');
    try {
      await t.clearDrawn();
      await pick(t.page, '08:00', '12:00');
      expect(lastRange(t.requests)).toEqual({ from: at('08:00'), to: at('12:00') });
      const labels = clockLabels(await t.drawn()).map((l) => l.text);
      expect(labels).toContain('08:00');
      expect(labels).toContain('10:00');
      for (const label of labels) expect(label >= '08:00' && label <= '12:00', label).toBe(true);
      // A 24-hour clock typed without a colon, and a range that ends before it starts.
      await t.page.fill('#trend-to-time', '0700');
      await t.page.click('#trend-show');
      await t.page.locator('.trend-note', { hasText: 'The end must be after the start.' }).waitFor();
      expect(lastRange(t.requests)).toEqual({ from: at('08:00'), to: at('12:00') });
    } finally {
      await t.context.close();
    }
  });

  it('zooms into the stretch dragged across, moves it earlier, resets to the range picked, and zooms by buttons', async () => {
    const t = await trendPage('ch1');
    try {
      await pick(t.page, '08:00', '12:00');
      const over = await t.page.locator('.chart .u-over').boundingBox();
      if (!over) throw new Error('no plot area');
      const y = over.y + over.height / 2;
      await t.page.mouse.move(over.x + over.width * 0.25, y);
      await t.page.mouse.down();
      await t.page.mouse.move(over.x + over.width * 0.5, y, { steps: 5 });
      await t.page.mouse.move(over.x + over.width * 0.75, y, { steps: 5 });
      await t.page.mouse.up();
      await expect.poll(() => lastRange(t.requests).from).not.toBe(at('08:00'));
      await t.page.waitForSelector('.chart[data-state="ready"] canvas');
      const zoomed = lastRange(t.requests);
      expect(Math.abs(zoomed.from - at('09:00'))).toBeLessThan(2 * MINUTE);
      expect(Math.abs(zoomed.to - at('11:00'))).toBeLessThan(2 * MINUTE);
      expect(await t.page.inputValue('#trend-from-time')).toMatch(/^(08:59|09:0[01])$/);
      expect(await t.page.isEnabled('#trend-reset')).toBe(true);

      await t.page.click('#trend-earlier');
      await expect.poll(() => lastRange(t.requests).from).toBe(zoomed.from - HOUR);
      expect(lastRange(t.requests).to).toBe(zoomed.to - HOUR);

      await t.page.click('#trend-reset');
      await expect.poll(() => lastRange(t.requests)).toEqual({ from: at('08:00'), to: at('12:00') });
      await t.page.waitForSelector('.chart[data-state="ready"] canvas');
      expect(await t.page.inputValue('#trend-from-time')).toBe('08:00');
      expect(await t.page.isEnabled('#trend-reset')).toBe(false);

      // Without a mouse (a phone): + halves the view about its middle, − doubles it.
      await t.page.click('#trend-zoom-in');
      await expect.poll(() => lastRange(t.requests)).toEqual({ from: at('09:00'), to: at('11:00') });
      await t.page.click('#trend-zoom-out');
      await expect.poll(() => lastRange(t.requests)).toEqual({ from: at('08:00'), to: at('12:00') });
    } finally {
      await t.context.close();
    }
  });

  it('downloads as CSV exactly the points and the range the chart shows', async () => {
    const t = await trendPage('ch1');
    try {
      await pick(t.page, '08:00', '12:00');
      const [download] = await Promise.all([t.page.waitForEvent('download'), t.page.click('#trend-csv')]);
      expect(download.suggestedFilename()).toBe(
        `ch1_${DAY.replaceAll('-', '')}-0800_${DAY.replaceAll('-', '')}-1200.csv`,
      );
      const text = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
      const [header, ...rows] = text
        .trimEnd()
        .split('\r\n')
        .map((line) => line.split(','));
      expect(header).toEqual([`Time (${ZONE})`, 'UTC (ISO 8601)', `${SUPPLY} (°C)`, `${RETURN} (°C)`]);
      // Two-minute samples over four hours, each with both points, all in the range.
      expect(rows).toHaveLength(120);
      for (const row of rows) {
        const [local = '', utc = '', supply, ret] = row;
        const ts = Date.parse(utc);
        expect(ts).toBeGreaterThanOrEqual(at('08:00'));
        expect(ts).toBeLessThan(at('12:00'));
        expect(local).toBe(DateTime.fromMillis(ts, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm:ss'));
        expect(Number(supply)).toBeLessThan(Number(ret));
      }
    } finally {
      await t.context.close();
    }
  });

  it("marks the equipment's alarm activation on the time axis in its priority's colour", async () => {
    const t = await trendPage('ch1');
    try {
      // Yesterday's trip is not in the last hour.
      expect(await t.page.locator('.trend-mark').count()).toBe(0);
      await pick(t.page, '08:00', '12:00');
      const mark = t.page.locator('.trend-mark[data-alarm="chiller-trip@ch1"]');
      await mark.waitFor();
      expect(await t.page.locator('.trend-mark').count()).toBe(1);
      expect(await mark.getAttribute('class')).toContain('p-critical');
      expect(await mark.locator('.trend-flag').textContent()).toBe('critical');
      // At 10:00, halfway through 08:00–12:00.
      const over = await t.page.locator('.chart .u-over').boundingBox();
      const line = await mark.boundingBox();
      if (!over || !line) throw new Error('not drawn');
      expect(Math.abs(line.x - (over.x + over.width / 2))).toBeLessThan(4);
      // The line and the flag in the colour of a critical alarm everywhere else on the page.
      const colours = (await t.page.evaluate(`(() => {
        const mark = document.querySelector('.trend-mark');
        const probe = document.body.appendChild(document.createElement('span'));
        probe.style.color = 'var(--critical)';
        const critical = getComputedStyle(probe).color;
        probe.remove();
        return [getComputedStyle(mark).borderLeftColor, getComputedStyle(mark.querySelector('.trend-flag')).backgroundColor, critical];
      })()`)) as string[];
      expect(colours[0]).toBe(colours[2]);
      expect(colours[0]).toBe(colours[1]);
      await mark.locator('.trend-flag').click();
      expect(await t.page.textContent('.trend-mark-detail')).toBe(
        `${DAY} 10:00 · critical · Chiller 1 TRIPPED (Chiller Plant, Energy Centre)`,
      );
      await screenshot(t.page, 'trend-alarm.png');
    } finally {
      await t.context.close();
    }
  });

  it("labels hours on the plant's 24-hour clock when the browser is in another zone", async () => {
    // New York: 13 hours behind the plant; en-US: a 12-hour clock by default.
    const t = await trendPage('ch1', { timezoneId: 'America/New_York', locale: 'en-US' });
    try {
      await t.clearDrawn();
      await t.page.click('button.range[data-range="24h"]');
      await t.page.waitForSelector('button.range.on[data-range="24h"]');
      await t.page.waitForSelector('.chart[data-state="ready"] canvas');
      const plot = (await t.page.evaluate(`(() => {
        const over = document.querySelector('.chart .u-over');
        const canvas = document.querySelector('.chart canvas');
        const o = over.getBoundingClientRect(), c = canvas.getBoundingClientRect();
        return { left: (o.left - c.left) * devicePixelRatio, width: o.width * devicePixelRatio };
      })()`)) as { left: number; width: number };
      const texts = await t.drawn();
      expect(texts.filter((d) => /am|pm/i.test(d.text))).toEqual([]);
      const labels = clockLabels(texts) as { text: string; left: number; x: number }[];
      expect(labels.length).toBeGreaterThan(3);
      // Each hour label sits where that hour of the plant's day is on the axis.
      const { from, to } = lastRange(t.requests);
      for (const label of labels) {
        const ts = from + ((label.x - plot.left) / plot.width) * (to - from);
        const plantClock = DateTime.fromMillis(ts, { zone: ZONE });
        const [hours, minutes] = label.text.split(':').map(Number);
        const labelled = plantClock.set({ hour: hours ?? 0, minute: minutes ?? 0, second: 0 });
        const off = Math.min(...[-1, 0, 1].map((d) => Math.abs(labelled.plus({ days: d }).toMillis() - ts)));
        expect(off, `${label.text} drawn at ${plantClock.toFormat('HH:mm')} in the plant`).toBeLessThan(
          10 * MINUTE,
        );
      }
      expect(labels.some((l) => Number(l.text.slice(0, 2)) >= 13)).toBe(true);
    } finally {
      await t.context.close();
    }
  });

  it('fits a phone and speaks Chinese', async () => {
    const t = await trendPage('ch1', { width: 390, lang: 'zh' });
    try {
      const { scroll, client } = (await t.page.evaluate(
        '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
      )) as { scroll: number; client: number };
      expect(scroll).toBeLessThanOrEqual(client);
      expect(await t.page.textContent('button.range[data-range="24h"]')).toBe('24 小时');
      expect(await t.page.textContent('#trend-csv')).toBe('导出 CSV');
      await screenshot(t.page, 'trend-phone.png');
    } finally {
      await t.context.close();
    }
  });
});

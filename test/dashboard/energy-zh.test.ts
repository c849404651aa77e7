/**
 * The Energy pages as a Chinese-speaking energy manager reads them, and at night: configured
 * names in their Chinese variant wherever the API gives one (tables, chart legends, shares,
 * demand, intensity, leaks, retrofits), counter events and the savings model in Chinese, and
 * the night palette on screen but the day one on paper. The gateway's real web server and
 * dashboard, with an energy service that answers small fixed reports (typed with the API's
 * own types, src/api-types/energy.ts).
 */
import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Api from '../../src/api-types/energy.js';
import type { EnergyService, Meter } from '../../src/energy/index.js';
import { verifySavings } from '../../src/energy/savings.js';
import { demoWebServer } from '../auth/harness.js';
import { hasChromium, launchBrowser, openPage, signIn } from '../helpers/browser.js';
import { unexpected, ZONE } from './energy-harness.js';

const DAY = 86_400_000;
const midnight = (days: number) => DateTime.now().setZone(ZONE).startOf('day').plus({ days });
const dateOf = (days: number) => midnight(days).toISODate() ?? '';
const start = midnight(-2).toMillis();
const end = midnight(0).toMillis();
const days = [0, 1].map((i) => ({
  start: start + i * DAY,
  end: start + (i + 1) * DAY,
  label: dateOf(i - 2),
}));

const rollover: Api.CounterEvent = {
  meter: 'dr1-incomer',
  ts: start + 3_600_000,
  kind: 'rollover',
  before: 4_294_967_290,
  after: 5,
  message: 'Counter rolled over at 4294967296 (4294967290 → 5): counted 11',
};

const consumption: Api.ConsumptionReport = {
  commodity: 'electricity',
  unit: 'kWh',
  from: start,
  to: end,
  resolution: 'day',
  groupBy: 'building',
  timezone: ZONE,
  buckets: days.map((d) => ({ ...d, clipped: false, partial: false })),
  rows: [
    {
      key: 'main/inpatient',
      name: 'Inpatient Building',
      nameZh: '住院楼',
      meters: ['dr1-incomer'],
      unit: 'kWh',
      buckets: days.map((d, i) => ({ ...d, value: 100 + 20 * i, coverage: 1, gapMs: 0, includesGap: false })),
      total: 220,
      gaps: [],
      events: [rollover],
    },
  ],
  total: 220,
  asOf: Date.now(),
};

const noCost: Api.CostFigures = {
  consumption: null,
  unpriced: 0,
  unknownHours: 0,
  bands: [],
  peakShare: null,
  energyCost: null,
  maxDemandKw: null,
  demandCharge: null,
  capacityKva: null,
  capacityCharge: null,
  cost: null,
  carbonKg: null,
};

const demand: Api.DemandReport = {
  from: start,
  to: end,
  resolution: 'day',
  timezone: ZONE,
  blockMs: 900_000,
  meters: [
    {
      device: 'dr1-incomer',
      name: 'DR1 Incomer',
      nameZh: '1号配电房进线柜',
      room: 'dr1',
      roomName: 'Distribution Room 1 (LV)',
      roomNameZh: '1号低压配电房',
      periods: days.map((d) => ({
        ...d,
        peakKw: 900,
        peakAt: d.start + 10 * 3_600_000,
        meanKw: 600,
        loadFactor: 0.67,
        peakKva: 950,
        peakKvaAt: d.start + 10 * 3_600_000,
        blocks: 96,
      })),
    },
  ],
  rooms: [
    {
      room: 'dr1',
      roomName: 'Distribution Room 1 (LV)',
      roomNameZh: '1号低压配电房',
      buildingName: 'Inpatient Building',
      buildingNameZh: '住院楼',
      meters: ['dr1-incomer'],
      ratedKva: 2500,
      peakKva: 950,
      peakAt: start + 10 * 3_600_000,
      utilisation: 0.38,
      headroomKva: 1550,
    },
  ],
};

const figures = { kwh: 220, m3: null, kwhPerM2: null, kwhPerBed: null, m3PerM2: null, m3PerBed: null };
const intensity: Api.IntensityReport = {
  from: start,
  to: end,
  rows: [
    {
      key: 'main/inpatient',
      name: 'Inpatient Building',
      nameZh: '住院楼',
      areaM2: null,
      beds: null,
      ...figures,
    },
    { key: 'main', name: 'Main Hospital', nameZh: '总院', areaM2: null, beds: null, ...figures },
  ],
};

const leaks: Api.LeakStatus = {
  window: { from: '01:00', to: '04:00' },
  nights: 3,
  checkedAt: Date.now(),
  meters: [
    {
      device: 'wm-admin',
      threshold: 0.5,
      nights: [
        { date: dateOf(-2), start, end: start + 3 * 3_600_000, minimumFlow: 1.5, coverage: 1, wet: true },
      ],
      wetNights: 1,
      suspected: false,
    },
  ],
};

const dailyUse = (from: number, n: number, perDay: number) =>
  Array.from({ length: n }, (_, i) => ({
    day: DateTime.fromMillis(from + i * DAY, { zone: ZONE }).toISODate() ?? '',
    consumption: perDay + (i % 3),
  }));
const baselineDays = dailyUse(start - 40 * DAY, 20, 100);
const reportingDays = dailyUse(start - 10 * DAY, 10, 60);
const retrofit: Api.RetrofitReport = {
  id: 'led',
  name: 'LED lamps, Inpatient Building',
  nameZh: '住院楼LED灯具改造',
  description: '800 T8 lamps replaced with LED tubes',
  descriptionZh: '800支T8荧光灯管更换为LED灯管',
  meters: ['dr1-f2'],
  unit: 'kWh',
  normalise: { by: 'day' },
  confidence: 0.9,
  promisedPct: 40,
  baseline: { from: start - 40 * DAY, to: start - 20 * DAY, days: baselineDays, excluded: [] },
  reporting: { from: start - 10 * DAY, to: start, days: reportingDays, excluded: [] },
  result: verifySavings({ baseline: baselineDays, reporting: reportingDays, model: 'mean', confidence: 0.9 }),
};

/** A meter as the service holds it, with the Chinese names the API carries. */
function meter(device: string, name: string, nameZh: string, commodity: Meter['commodity']) {
  return {
    device,
    name,
    nameZh,
    commodity,
    unit: commodity === 'electricity' ? 'kWh' : 'm³',
    counterPoint: `${device}.energy_kwh`,
    main: device === 'dr1-incomer',
    site: 'main',
    building: 'inpatient',
    room: 'dr1',
    buildingName: 'Inpatient Building',
    buildingNameZh: '住院楼',
    roomName: 'Distribution Room 1 (LV)',
    roomNameZh: '1号低压配电房',
    changes: [],
  };
}

const fixedEnergy: EnergyService = {
  meters: [
    meter('dr1-incomer', 'DR1 Incomer', '1号配电房进线柜', 'electricity'),
    meter('dr1-f2', 'DR1 Feeder 2 — Lighting', '1号配电房2号馈线—照明', 'electricity'),
    meter('wm-admin', 'Administration Building water meter', '行政楼水表', 'water'),
  ],
  timezone: ZONE,
  consumption: async () => consumption,
  tree: async () => ({ ...consumption, groupBy: 'meter', rows: [] }),
  demand: async () => demand,
  cost: async () => ({
    ...consumption,
    currency: null,
    periods: consumption.buckets,
    rows: [],
    total: noCost,
    highPeakShare: 0.4,
  }),
  intensity: async () => intensity,
  leaks: async () => leaks,
  retrofits: async () => [retrofit],
  start: () => {},
  stats: () => ({ leakSuspected: 0, leakChecks: 0, leakCheckErrors: 0 }),
  stop: () => {},
};

let server: Awaited<ReturnType<typeof demoWebServer>>;
let browser: Browser;

/** A signed-in page of the energy tab `tab`, in `locale`, with localStorage `storage`. */
async function energyPage(tab: string, locale: string, storage: Record<string, string> = {}) {
  const { page, errors, context } = await openPage(browser, { locale, storage });
  await page.goto(`${server.web.url}/#/energy/${tab}`);
  await signIn(page, 'manager', 'manager-demo');
  return { page, errors, close: () => context.close() };
}

const text = (page: Page, selector: string) => page.textContent(selector);

/**
 * Until the page-side expression is true (or 5 s): evaluated from outside, as the page's CSP
 * refuses the string evaluation waitForFunction polls with.
 */
async function until(page: Page, expression: string): Promise<void> {
  for (const stop = Date.now() + 5_000; Date.now() < stop; await new Promise((r) => setTimeout(r, 50)))
    if (await page.evaluate(expression)) return;
  throw new Error(`not true within 5 s: ${expression}`);
}

describe.skipIf(!hasChromium())('the Energy pages in Chinese, and at night', () => {
  beforeAll(async () => {
    [server, browser] = await Promise.all([demoWebServer({ energy: fixedEnergy }), launchBrowser()]);
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('names buildings in Chinese in the table, the chart legend and the shares, and says what a counter did in Chinese', async () => {
    const { page, errors, close } = await energyPage('consumption', 'zh-CN');
    try {
      await page.waitForSelector('#e-consumption-table[data-state="ready"]');
      await page.waitForSelector('#e-consumption-chart[data-state="ready"] .u-legend');
      expect(await text(page, '#e-consumption-table th[data-key="main/inpatient"]')).toBe('住院楼');
      expect(await text(page, '#e-consumption-chart .u-legend')).toContain('住院楼');
      expect(await text(page, '#e-share tr[data-key="main/inpatient"] th')).toBe('住院楼');
      const event = await text(page, '#e-events li[data-kind="rollover"]');
      expect(event).toContain('1号配电房进线柜');
      expect(event).toContain('计数器翻转（4,294,967,290 → 5）');
      expect(event).not.toContain('Counter rolled over');
      expect(unexpected(errors)).toEqual([]);
    } finally {
      await close();
    }
  }, 30_000);

  it('names meters, rooms, buildings and retrofits in Chinese on the other tabs, and the savings model too', async () => {
    const { page, errors, close } = await energyPage('demand', 'zh-CN');
    try {
      await page.waitForSelector('#e-demand[data-state="ready"]');
      expect(await text(page, '#e-demand .e-meter h3')).toBe('1号配电房进线柜 1号低压配电房');
      expect(await text(page, '#e-headroom tr[data-room="dr1"] th')).toBe('1号低压配电房');
      expect(await text(page, '#e-headroom tr[data-room="dr1"] td')).toBe('住院楼');

      await page.click('.e-tabs a[data-tab="intensity"]');
      await page.waitForSelector('#e-intensity[data-state="ready"]');
      expect(await text(page, '#e-intensity tr[data-key="main/inpatient"] th')).toBe('住院楼');
      expect(await text(page, '#e-intensity tr[data-key="main"] th')).toBe('总院');

      await page.click('.e-tabs a[data-tab="leaks"]');
      await page.waitForSelector('#e-leaks[data-state="ready"]');
      expect(await text(page, '.e-leak[data-device="wm-admin"] h3')).toContain('行政楼水表');

      await page.click('.e-tabs a[data-tab="savings"]');
      await page.waitForSelector('#e-savings[data-state="ready"]');
      const card = page.locator('.e-retrofit[data-retrofit="led"]');
      expect(await card.locator('h2').textContent()).toBe('住院楼LED灯具改造');
      expect(await card.locator('p.note').first().textContent()).toBe('800支T8荧光灯管更换为LED灯管');
      const facts = (await card.locator('.e-retrofit-facts').textContent()) ?? '';
      expect(facts).toContain('1号配电房2号馈线—照明');
      expect(facts).toContain('均值模型');
      expect(facts).not.toMatch(/mean/);
      expect(unexpected(errors)).toEqual([]);
    } finally {
      await close();
    }
  }, 30_000);

  it("labels the savings chart's days as the rest of the dashboard does (11-25), not 11/25 or 12pm", async () => {
    const { page, errors, context } = await openPage(browser, { locale: 'en-US' });
    try {
      // uPlot draws its axes on the canvas: note every text drawn.
      await context.addInitScript(`{
        window.drawnTexts = [];
        const fillText = CanvasRenderingContext2D.prototype.fillText;
        CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
          window.drawnTexts.push(String(text));
          return fillText.call(this, text, ...rest);
        };
      }`);
      await page.goto(`${server.web.url}/#/energy/savings`);
      await signIn(page, 'manager', 'manager-demo');
      await page.waitForSelector('.e-savings-chart canvas');
      await until(page, 'window.drawnTexts.some((t) => /^\\d{2}-\\d{2}$/.test(t))');
      const drawn = (await page.evaluate('window.drawnTexts')) as string[];
      expect(drawn.filter((t) => /\d+\/\d+|[ap]m$/i.test(t))).toEqual([]);
      expect(unexpected(errors)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 30_000);

  // Page-side code as strings: this tsconfig has no DOM types.
  const MARKERS = `[...document.querySelectorAll('#e-consumption-chart .u-legend .u-marker')]
    .map((el) => getComputedStyle(el).backgroundColor)`;
  /** The colours of the consumption chart's legend markers, as the page computes them. */
  const markerColours = (page: Page) => page.evaluate(MARKERS) as Promise<string[]>;
  /** A computed colour of the first element `selector` finds. */
  const colour = (page: Page, selector: string, property: 'color' | 'backgroundColor') =>
    page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`);
  /** The theme's variable `name` as the page computes a colour: "rgb(…)". */
  const variable = (page: Page, name: string) =>
    page.evaluate(`(() => {
      const probe = document.createElement('i');
      probe.style.color = getComputedStyle(document.documentElement).getPropertyValue(${JSON.stringify(name)});
      document.body.append(probe);
      const rgb = getComputedStyle(probe).color;
      probe.remove();
      return rgb;
    })()`);
  const setTheme = (page: Page, theme: string) =>
    page.evaluate(`document.documentElement.dataset.theme = ${JSON.stringify(theme)}`);

  it('draws in the night palette at night, redraws the chart when day comes, and prints on white', async () => {
    const { page, errors, close } = await energyPage('consumption', 'en-GB', { 'plantwatch.theme': 'dark' });
    try {
      await page.waitForSelector('#e-consumption-chart[data-state="ready"] .u-legend');
      // No white field on the dark panel: the CSV link and the selected tab take the theme's colours.
      expect(await colour(page, '#e-consumption-csv', 'backgroundColor')).toBe(
        await variable(page, '--panel-2'),
      );
      expect(await colour(page, '.e-tabs a.on', 'backgroundColor')).toBe(await variable(page, '--accent'));
      // The bars in the night series colours (energy.css), then the day ones once day comes.
      expect(await markerColours(page)).toContain('rgb(195, 204, 214)');
      await setTheme(page, 'light');
      await until(page, `${MARKERS}.includes('rgb(63, 74, 86)')`);
      expect(await markerColours(page)).not.toContain('rgb(195, 204, 214)');
      // Printed at night: dark figures on white paper, not the screen's light-on-dark.
      await setTheme(page, 'dark');
      await page.emulateMedia({ media: 'print' });
      expect(await colour(page, 'body', 'backgroundColor')).toBe('rgb(255, 255, 255)');
      expect(await colour(page, 'table.e-consumption tbody td', 'color')).toBe('rgb(29, 31, 34)');
      expect(unexpected(errors)).toEqual([]);
    } finally {
      await close();
    }
  }, 30_000);
});

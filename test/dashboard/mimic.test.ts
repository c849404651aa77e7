/**
 * The room mimics in a real browser (Debian's chromium via playwright-core) against the
 * simulated demo plant and an in-process gateway, login on: each room kind's SVG mimic has the
 * symbols the configuration gives it; a chiller tripped (and a breaker opened) at its simulator
 * is drawn so within a poll or two; a symbol links to its equipment page; no label is cut; on a
 * phone the mimic scrolls inside its own box; in Chinese the mimic speaks Chinese.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlantSimulator } from '../../simulators/index.js';
import type { PlantConfig } from '../../src/config/index.js';
import type { Gateway } from '../../src/gateway/index.js';
import { hasChromium, openPage, signIn } from '../helpers/browser.js';
import { editYaml } from '../helpers/demo-config.js';
import { screenshot } from '../helpers/screenshots.js';
import {
  symbolCounts as countSymbols,
  cutLabels as labelsCut,
  type MimicPlant,
  startMimicPlant,
} from './mimic-page.js';

let plant: MimicPlant | undefined;
let config: PlantConfig;
let gateway: Gateway;
let simulator: PlantSimulator;
let browser: Browser;
let page: Page;
let pageErrors: string[];

const ROOMS = {
  chiller: '#/room/main/energy-centre/chiller-plant',
  dr1: '#/room/main/inpatient/dr1',
  pumps: '#/room/main/energy-centre/pump-room',
  oxygen: '#/room/main/energy-centre/oxygen-station',
  water: '#/room/main/inpatient/water-inpatient',
} as const;

/** Open a room and wait for its mimic and the first live values. */
async function room(hash: string, p: Page = page) {
  await p.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await p.waitForSelector('#conn.ok');
  await p.waitForSelector('.mimic-box svg.mimic-svg');
  await p.waitForSelector('.mimic-svg .value.q-good');
}

/** This file's page, unless another is named. */
const symbolCounts = (p: Page = page) => countSymbols(p);
const cutLabels = (p: Page = page) => labelsCut(p);

describe.skipIf(!hasChromium())('the plant mimics in a real browser', () => {
  beforeAll(async () => {
    plant = await startMimicPlant(async (dir) => {
      // A device no symbol knows (a weather sensor in the boiler room): a generic box beside the room's own drawing.
      await editYaml(join(dir, 'devices', 'weather.yaml'), (doc) => {
        const devices = doc.get('devices') as { add(v: unknown): void };
        devices.add(
          doc.createNode({
            id: 'boiler-sensor',
            name: 'Boiler room outdoor air sensor on the north wall beside the flue',
            profile: 'weather-station',
            site: 'main',
            building: 'energy-centre',
            room: 'boiler-room',
            mqtt: { topic: 'meters/weather/boiler' },
          }),
        );
      })();
    });
    ({ config, gateway, simulator, browser, page, pageErrors } = plant);
  }, 40_000);

  afterAll(() => plant?.stop());

  it('draws the chiller plant: chillers, pumps by loop, cooling towers, headers with temperatures and flow', async () => {
    await room(ROOMS.chiller);
    const counts = await symbolCounts();
    expect(counts.chiller).toBe(2);
    expect(counts.pump).toBe(4);
    expect(counts['cooling-tower']).toBe(2);
    // Four headers (condenser and chilled water, supply and return), each with its temperature.
    const headers = page.locator('.mimic-svg .header-caption .figure');
    expect(await headers.count()).toBe(4);
    await page
      .locator('.mimic-svg .header-caption', { hasText: /Chilled water supply \d+(\.\d+)? °C/ })
      .waitFor();
    expect(await page.locator('.mimic-svg .pipe.header .flow-arrow').count()).toBeGreaterThan(4);
    expect(await page.getAttribute('[data-symbol="chiller"][data-device="ch1"]', 'data-state')).toBe(
      'running',
    );
    await screenshot(page, 'mimic-chiller-plant.png');
  }, 20_000);

  it('draws a chiller tripped at its simulator as tripped within a poll or two, with its alarm on the symbol', async () => {
    await room(ROOMS.chiller);
    const ch1 = '.mimic-svg [data-symbol="chiller"][data-device="ch1"]';
    const started = Date.now();
    simulator.faults.inject('ch1', { type: 'trip' });
    try {
      await page.waitForSelector(`${ch1}[data-state="tripped"]`, { timeout: 6000 });
      const elapsed = Date.now() - started;
      console.log(`chiller trip at the simulator → drawn tripped: ${elapsed} ms`);
      expect(elapsed).toBeLessThan(6000); // the chiller is polled every 2 s
      expect(await page.textContent(`${ch1} .state`)).toBe('TRIPPED');
      expect(await page.isVisible(`${ch1} .trip-cross`)).toBe(true);
      await page.waitForSelector(`${ch1} .alarm-mark[data-priority="critical"]`, { timeout: 10_000 });
      // The other chiller is untouched.
      expect(await page.getAttribute('[data-symbol="chiller"][data-device="ch2"]', 'data-state')).toBe(
        'running',
      );
    } finally {
      simulator.faults.clear('ch1');
    }
    await page.waitForSelector(`${ch1}[data-state="running"]`, { timeout: 10_000 });
  }, 30_000);

  it('draws the distribution room as a single line: transformer, incomer, busbar with headroom, feeders with loading', async () => {
    await room(ROOMS.dr1);
    const counts = await symbolCounts();
    expect(counts).toMatchObject({ transformer: 1, incomer: 1, feeder: 4 });
    expect(await page.locator('.mimic-svg .busbar').count()).toBe(1);
    await page.locator('.mimic-svg .headroom', { hasText: /of 2,500 kVA · headroom [\d,.]+ kVA/ }).waitFor();
    // Each feeder: its breaker, kW, current and loading against its rating.
    const feeder = '.mimic-svg [data-symbol="feeder"][data-device="dr1-f1"]';
    await page.locator(`${feeder} [data-point="dr1-f1.power_kw"] .v`, { hasText: /kW$/ }).waitFor();
    await page.locator(`${feeder} [data-point="dr1-f1.current_max"]`, { hasText: /^I [\d,.]+ A$/ }).waitFor();
    await page.locator(`${feeder} .load-text`, { hasText: /^[\d.]+ % of \d+ A$/ }).waitFor();
    expect(await page.getAttribute(feeder, 'data-state')).toBe('closed');
    await screenshot(page, 'mimic-dr1.png');
  }, 20_000);

  it('draws a feeder breaker that trips open at its simulator as open', async () => {
    await room(ROOMS.dr1);
    const f2 = '.mimic-svg [data-symbol="feeder"][data-device="dr1-f2"]';
    simulator.faults.inject('dr1-f2', { type: 'trip' });
    try {
      await page.waitForSelector(`${f2}[data-state="open"]`, { timeout: 6000 });
      expect(await page.textContent(`${f2} .state`)).toBe('OPEN');
    } finally {
      simulator.faults.clear('dr1-f2');
    }
  }, 20_000);

  it('draws the pump room: booster pumps, pressure vessel, outlet pressure against its setpoint', async () => {
    await room(ROOMS.pumps);
    expect(await symbolCounts()).toMatchObject({ pump: 2, 'pressure-vessel': 1 });
    await page
      .locator('.mimic-svg .header-caption', { hasText: /Outlet pressure [\d.]+ bar · setpoint [\d.]+ bar/ })
      .waitFor();
    await page.locator('[data-point="pbw1.outlet_pressure_bar"] .v', { hasText: /bar$/ }).waitFor();
  }, 20_000);

  it('draws the oxygen station: the tank with its level, vaporisers, the manifold pressure and its alarm', async () => {
    await room(ROOMS.oxygen);
    expect(await symbolCounts()).toMatchObject({ 'oxygen-station': 1, vaporiser: 2, manifold: 1 });
    await page.locator('[data-point="o2-station.supply_pressure_bar"] .v', { hasText: /bar$/ }).waitFor();
    // The level drawn moves with the value.
    simulator.setValue('o2-station', 'tank_level_pct', 42.5);
    await page
      .locator('[data-point="o2-station.tank_level_pct"] .v', { hasText: /^42\.5 %$/ })
      .waitFor({ timeout: 6000 });
    const height = Number(await page.getAttribute('.mimic-svg rect.liquid', 'height'));
    expect(height).toBeCloseTo(116 * 0.425, 0);
    await screenshot(page, 'mimic-oxygen-station.png');
  }, 20_000);

  it('draws the oxygen supply failing on the symbols: LOW PRESSURE on the manifold, the critical alarm on both', async () => {
    await room(ROOMS.oxygen);
    const manifold = '.mimic-svg .sym-manifold';
    simulator.faults.inject('o2-station', { type: 'trip' });
    try {
      await page.waitForSelector(`${manifold}[data-state="alarm"]`, { timeout: 6000 });
      expect(await page.textContent(`${manifold} .state`)).toBe('LOW PRESSURE');
      await page.waitForSelector(`${manifold} .alarm-mark[data-priority="critical"]`, { timeout: 10_000 });
      await page.waitForSelector(
        '.mimic-svg [data-symbol="oxygen-station"] .alarm-mark[data-priority="critical"]',
      );
    } finally {
      simulator.faults.clear('o2-station');
    }
    await page.waitForSelector(`${manifold}[data-state="normal"]`, { timeout: 10_000 });
  }, 30_000);

  it('draws a water meter pit as the site meter tree, its own meter marked, with flows', async () => {
    await room(ROOMS.water);
    const meters = config.devices.filter((d) => config.profiles.get(d.profile)?.equipment === 'water-meter');
    expect((await symbolCounts()).meter).toBe(meters.length);
    expect(await page.getAttribute('.mimic-svg .sym.here', 'data-device')).toBe('wm-inpatient');
    await page.locator('.mimic-svg .figure', { hasText: /Total flow [\d.]+ m³\/h/ }).waitFor();
  }, 20_000);

  it('draws a kind of room it has no layout for: each device a box with its values, its name wrapped', async () => {
    await page.evaluate(`location.hash = '#/room/main/energy-centre/boiler-room'`);
    const sensor = '.mimic-svg [data-symbol="device"][data-device="boiler-sensor"]';
    await page.waitForSelector(sensor);
    expect(await page.getAttribute(sensor, 'href')).toBe('#/device/boiler-sensor');
    expect(await page.locator(`${sensor} [data-point="boiler-sensor.outdoor_temp_c"]`).count()).toBe(1);
    expect(await cutLabels()).toEqual([]);
  }, 20_000);

  it('links each symbol to its equipment page', async () => {
    await room(ROOMS.chiller);
    await page.click('.mimic-svg [data-symbol="pump"][data-device="pchw1"]');
    await page.waitForFunction(() => location.hash === '#/device/pchw1');
  }, 20_000);

  it('never cuts a label: each fits its width, or wraps, or names itself in full in a tooltip', async () => {
    for (const hash of Object.values(ROOMS)) {
      await room(hash);
      expect(await cutLabels(), hash).toEqual([]);
    }
    // A long name wraps onto a second line rather than running into its neighbour.
    await room(ROOMS.dr1);
    const lines = await page.$$eval(
      '.mimic-svg [data-device="dr1-f3"] text.label tspan',
      (spans) => spans.length,
    );
    expect(lines).toBeGreaterThan(1);
  }, 40_000);

  it('fits a 390 px phone: the mimic scrolls inside its own box, the page does not', async () => {
    const phone = await openPage(browser, { viewport: { width: 390, height: 844 } });
    try {
      await phone.page.goto(`${gateway.web.url}/#/`);
      await signIn(phone.page, 'electrician', 'electrician-demo');
      for (const hash of [ROOMS.chiller, ROOMS.dr1]) {
        await room(hash, phone.page);
        const sizes = (await phone.page.evaluate(`(() => {
          const box = document.querySelector('.mimic-box');
          return {
            page: document.documentElement.scrollWidth,
            box: box.getBoundingClientRect().right,
            scrolls: box.scrollWidth > box.clientWidth,
            overflow: getComputedStyle(box).overflowX,
          };
        })()`)) as { page: number; box: number; scrolls: boolean; overflow: string };
        expect(sizes.page, hash).toBeLessThanOrEqual(390);
        expect(sizes.box, hash).toBeLessThanOrEqual(390);
        if (sizes.scrolls) expect(sizes.overflow).toBe('auto');
      }
      await screenshot(phone.page, 'mimic-dr1-phone.png');
    } finally {
      await phone.context.close();
    }
  }, 40_000);

  it('speaks Chinese: captions, states and configured names in their Chinese variant', async () => {
    const zh = await openPage(browser, { storage: { 'plantwatch.lang': 'zh' } });
    try {
      await zh.page.goto(`${gateway.web.url}/#/`);
      await signIn(zh.page, 'electrician', 'electrician-demo');
      await room(ROOMS.chiller, zh.page);
      await zh.page.locator('.mimic-svg .header-caption', { hasText: '冷冻水供水' }).waitFor();
      expect(await zh.page.textContent('[data-symbol="chiller"][data-device="ch1"] .state')).toBe('运行');
      const nameZh = config.devices.find((d) => d.id === 'ch1')?.nameZh;
      if (nameZh)
        expect(
          await zh.page.getAttribute('[data-symbol="chiller"][data-device="ch1"] text.label', 'data-full'),
        ).toBe(nameZh);
    } finally {
      await zh.context.close();
    }
  }, 30_000);

  it('raised no page errors', () => {
    expect(
      pageErrors.filter((e) => !/status of 401|Failed to load resource|WebSocket|socket\.io/i.test(e)),
    ).toEqual([]);
  });
});

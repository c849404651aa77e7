/**
 * The boiler room, heat station and lift machine room mimics in a real browser (Debian's
 * chromium via playwright-core) against the simulated demo plant and an in-process gateway,
 * login on: each boiler drawn with its live values (the supply temperature as /api/points has
 * it), a burner lockout at the simulator drawn as a fault with its alarm on the symbol, a boiler
 * gone silent greyed; each plate exchanger with its circulation pump under it; each lift's car at
 * the floor its point says, and a trapped passenger as the critical band across its shaft.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlantSimulator } from '../../simulators/index.js';
import type { PlantConfig } from '../../src/config/index.js';
import type { Gateway } from '../../src/gateway/index.js';
import { hasChromium, openPage, pageFetch, signIn } from '../helpers/browser.js';
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
  boilers: '#/room/main/energy-centre/boiler-room',
  heat: '#/room/main/energy-centre/heat-station',
  liftsInpatient: '#/room/main/inpatient/lifts-inpatient',
  liftsOutpatient: '#/room/main/outpatient/lifts-outpatient',
} as const;

/** The demo's devices of a room, by their profile's equipment. */
const devicesOf = (room: string, equipment: string) =>
  config.devices
    .filter((d) => d.room === room && config.profiles.get(d.profile)?.equipment === equipment)
    .map((d) => d.id);

/** Open a room and wait for its mimic (with this device's symbol) and the first live values. */
async function room(hash: string, device: string, p: Page = page) {
  await p.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await p.waitForSelector('#conn.ok');
  await p.waitForSelector(`.mimic-box svg.mimic-svg .sym[data-device="${device}"]`);
  await p.waitForSelector('.mimic-svg .value.q-good');
}

/** This file's page, unless another is named. */
const symbolCounts = (p: Page = page) => countSymbols(p);
const cutLabels = (p: Page = page) => labelsCut(p);

/** The point's value from /api/points, formatted in the page as the dashboard formats it. */
async function apiFormatted(id: string, unit = ''): Promise<string | null> {
  const device = id.slice(0, id.indexOf('.'));
  const { body } = await pageFetch(page, `/api/points?device=${encodeURIComponent(device)}`);
  const point = (body as { id: string; value: unknown; quality: string }[]).find((p) => p.id === id);
  if (point?.quality !== 'good' || typeof point.value !== 'number') return null;
  return page.evaluate(
    ([value, unit]) => {
      // dashboards/app/format.ts formatValue, in the browser's locale as the page runs it.
      const v = value as number;
      const abs = Math.abs(v);
      const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : 2;
      const text = Number(v.toFixed(digits)).toLocaleString(undefined, { maximumFractionDigits: digits });
      return unit ? `${text} ${unit}` : text;
    },
    [point.value, unit] as const,
  );
}

/** Waits until the mimic's text for a point equals /api/points' value (both move with the plant). */
async function shownAsApi(selector: string, id: string, unit: string, timeout = 10_000) {
  const until = Date.now() + timeout;
  let last = { shown: null as string | null, api: null as string | null };
  while (Date.now() < until) {
    const shown = await page.textContent(selector);
    const api = await apiFormatted(id, unit);
    const again = await page.textContent(selector);
    last = { shown, api };
    if (api !== null && shown === api && again === shown) return last;
    await page.waitForTimeout(150);
  }
  throw new Error(`${selector} shows ${last.shown}, /api/points says ${last.api}`);
}

describe.skipIf(!hasChromium())('the heating and lift mimics in a real browser', () => {
  beforeAll(async () => {
    plant = await startMimicPlant();
    ({ config, gateway, simulator, browser, page, pageErrors } = plant);
  }, 40_000);

  afterAll(() => plant?.stop());

  it('draws the boiler room: each boiler with its live supply temperature as /api/points has it, gas meter, make-up water, headers', async () => {
    await room(ROOMS.boilers, 'b1');
    const boilers = devicesOf('boiler-room', 'boiler');
    expect(boilers).toEqual(['b1', 'b2']);
    expect(await symbolCounts()).toMatchObject({ boiler: 2, 'gas-meter': 1, 'water-treatment': 1 });
    for (const id of boilers) {
      const sym = `.mimic-svg [data-symbol="boiler"][data-device="${id}"]`;
      expect(await page.getAttribute(sym, 'href')).toBe(`#/device/${id}`);
      const { shown } = await shownAsApi(
        `${sym} [data-point="${id}.supply_temp"] .v`,
        `${id}.supply_temp`,
        '°C',
      );
      expect(shown).toMatch(/^\d+(\.\d+)? °C$/);
      // Its other values are on it too.
      for (const point of [
        'return_temp',
        'shell_pressure_bar',
        'water_level_pct',
        'firing_rate_pct',
        'flue_temp',
      ])
        expect(await page.locator(`${sym} [data-point="${id}.${point}"]`).count(), point).toBe(1);
      expect(await page.getAttribute(sym, 'data-state')).toMatch(/^(running|stopped)$/);
    }
    // The lead boiler of a summer's day fires or waits, burner on or off, in words.
    expect(await page.textContent('[data-symbol="boiler"][data-device="b1"] .state')).toMatch(
      /^(burner on|burner off|not in sequence)$/,
    );
    // The gas meter on the gas line with its flow; the two primary headers with their temperatures.
    await page
      .locator('.mimic-svg [data-symbol="gas-meter"] [data-point="gm-boilers.gas_flow_m3h"] .v', {
        hasText: /m³\/h$/,
      })
      .waitFor();
    expect(await page.locator('.mimic-svg .pipe.fuel').count()).toBeGreaterThan(2);
    await page.locator('.mimic-svg .header-caption', { hasText: /Primary supply \d+(\.\d+)? °C/ }).waitFor();
    await page.locator('.mimic-svg .header-caption', { hasText: /Primary return \d+(\.\d+)? °C/ }).waitFor();
    await page
      .locator('.mimic-svg [data-symbol="water-treatment"] [data-point="mw1.hardness_mmol_l"] .v', {
        hasText: /mmol\/L$/,
      })
      .waitFor();
    expect(await cutLabels()).toEqual([]);
    await screenshot(page, 'mimic-boiler-room.png');
  }, 30_000);

  it('draws a burner lockout at the simulator as the boiler in fault, with its alarm on the symbol', async () => {
    await room(ROOMS.boilers, 'b1');
    const b1 = '.mimic-svg [data-symbol="boiler"][data-device="b1"]';
    simulator.faults.inject('b1', { type: 'burner-lockout' });
    try {
      await page.waitForSelector(`${b1}[data-state="fault"]`, { timeout: 6000 });
      expect(await page.textContent(`${b1} .state`)).toBe('LOCKOUT');
      expect(await page.isVisible(`${b1} .trip-cross`)).toBe(true);
      // Locked out, it does not fire.
      expect(await page.isVisible(`${b1} .flame`)).toBe(false);
      await page.waitForSelector(`${b1} .alarm-mark[data-priority="high"]`, { timeout: 10_000 });
      expect(await page.getAttribute('[data-symbol="boiler"][data-device="b2"]', 'data-state')).not.toBe(
        'fault',
      );
    } finally {
      simulator.faults.clear('b1');
    }
    await page.waitForSelector(`${b1}:not([data-state="fault"])`, { timeout: 10_000 });
  }, 30_000);

  it('greys a boiler whose gateway link is lost: its state and values comm error, with their age', async () => {
    await room(ROOMS.boilers, 'b1');
    const b2 = '.mimic-svg [data-symbol="boiler"][data-device="b2"]';
    simulator.faults.inject('b2', { type: 'offline' });
    try {
      await page.waitForSelector(`${b2}[data-state="comm"]`, { timeout: 20_000 });
      await page.waitForSelector(`${b2} [data-point="b2.supply_temp"].q-comm-error`);
      expect(await page.textContent(`${b2} [data-point="b2.supply_temp"] .q`)).toMatch(
        /^comm error · \d+ s$/,
      );
      expect(await page.getAttribute('[data-symbol="boiler"][data-device="b1"]', 'data-state')).not.toBe(
        'comm',
      );
    } finally {
      simulator.faults.clear('b2');
    }
    await page.waitForSelector(`${b2}:not([data-state="comm"])`, { timeout: 20_000 });
  }, 50_000);

  it('draws the heat station: each plate exchanger with its temperatures, its circulation pump under it', async () => {
    await room(ROOMS.heat, 'hx1');
    const exchangers = devicesOf('heat-station', 'heat-exchanger');
    const pumps = devicesOf('heat-station', 'pump');
    expect(exchangers).toEqual(['hx1', 'hx2']);
    expect(await symbolCounts()).toMatchObject({ 'heat-exchanger': 2, pump: 2 });
    for (const id of exchangers)
      for (const point of [
        'primary_supply_temp',
        'primary_return_temp',
        'secondary_supply_temp',
        'secondary_return_temp',
      ])
        await page
          .locator(
            `.mimic-svg [data-symbol="heat-exchanger"][data-device="${id}"] [data-point="${id}.${point}"] .v`,
            {
              hasText: /°C$/,
            },
          )
          .waitFor();
    await page
      .locator(
        '.mimic-svg [data-symbol="heat-exchanger"][data-device="hx1"] [data-point="hx1.primary_dp_kpa"] .v',
        {
          hasText: /kPa$/,
        },
      )
      .waitFor();
    // Each pump under its exchanger, in the configuration's order, running with its speed.
    const box = async (sel: string) => {
      const b = await page.locator(sel).boundingBox();
      if (!b) throw new Error(`${sel} not drawn`);
      return b;
    };
    for (const [i, hx] of exchangers.entries()) {
      const pump = pumps[i] ?? '';
      const h = await box(`.mimic-svg [data-symbol="heat-exchanger"][data-device="${hx}"] rect.body`);
      const p = await box(`.mimic-svg [data-symbol="pump"][data-device="${pump}"] circle.body`);
      expect(p.y, pump).toBeGreaterThan(h.y + h.height);
      expect(p.x + p.width / 2, pump).toBeGreaterThan(h.x);
      expect(p.x + p.width / 2, pump).toBeLessThan(h.x + h.width + 10);
      await page
        .locator(
          `.mimic-svg [data-symbol="pump"][data-device="${pump}"] [data-point="${pump}.speed_hz"] .v`,
          {
            hasText: /Hz$/,
          },
        )
        .waitFor();
    }
    expect(await page.getAttribute('[data-symbol="pump"][data-device="phc1"]', 'data-state')).toBe('running');
    expect(await cutLabels()).toEqual([]);
    await screenshot(page, 'mimic-heat-station.png');
  }, 30_000);

  it("draws each lift's car at the floor its point says, with its doors and state", async () => {
    for (const [hash, roomId] of [
      [ROOMS.liftsInpatient, 'lifts-inpatient'],
      [ROOMS.liftsOutpatient, 'lifts-outpatient'],
    ] as const) {
      const lifts = devicesOf(roomId, 'elevator');
      await room(hash, lifts[0] ?? '');
      expect(lifts.length).toBe(2);
      expect((await symbolCounts()).lift).toBe(lifts.length);
      for (const id of lifts) {
        const sym = `.mimic-svg [data-symbol="lift"][data-device="${id}"]`;
        const { shown } = await shownAsApi(
          `${sym} .lift-floor [data-point="${id}.floor"] .v`,
          `${id}.floor`,
          '',
        );
        expect(shown).toMatch(/^-?\d+$/);
        // The car's landing in the shaft is numbered with the same floor (both drawn in one pass).
        const [panel, landing] = await page.$eval(sym, (el) => [
          el.querySelector('.lift-floor .v')?.textContent,
          el.querySelector('.landing')?.textContent,
        ]);
        expect(landing).toBe(panel);
        expect(await page.textContent(`${sym} [data-point="${id}.door_open"] .v`)).toMatch(
          /^doors (open|closed)$/,
        );
        expect(await page.textContent(`${sym} [data-point="${id}.fault_code"]`)).toMatch(/^Fault code 0/);
        expect(await page.getAttribute(sym, 'data-state')).toMatch(/^(running|stopped)$/);
        expect(await page.isVisible(`${sym} .trapped-mark`)).toBe(false);
      }
      await page
        .locator('.mimic-svg .in-service', { hasText: `Lifts in service ${lifts.length} / ${lifts.length}` })
        .waitFor();
      expect(await cutLabels()).toEqual([]);
    }
    await room(ROOMS.liftsInpatient, 'lift-ip1');
    await screenshot(page, 'mimic-lifts.png');
  }, 40_000);

  it('draws a trapped passenger as the critical band across the shaft, with the critical alarm on the lift', async () => {
    await room(ROOMS.liftsInpatient, 'lift-ip1');
    const lift = '.mimic-svg [data-symbol="lift"][data-device="lift-ip1"]';
    simulator.faults.inject('lift-ip1', { type: 'trapped' });
    try {
      await page.waitForSelector(`${lift} .trapped-mark.on`, { timeout: 6000 });
      expect(await page.isVisible(`${lift} .trapped-mark`)).toBe(true);
      expect(await page.textContent(`${lift} .trapped-mark .word`)).toBe('TRAPPED');
      await page.waitForSelector(`${lift}[data-state="trapped"]`);
      expect(await page.textContent(`${lift} .state`)).toBe('TRAPPED');
      await page.waitForSelector(`${lift} .alarm-mark[data-priority="critical"]`, { timeout: 10_000 });
      // Stopped outside the door zone: the fault code shows, the doors stay closed.
      await page
        .locator(`${lift} [data-point="lift-ip1.fault_code"]`, { hasText: /^Fault code [1-9]/ })
        .waitFor();
      expect(await page.textContent(`${lift} [data-point="lift-ip1.door_open"] .v`)).toBe('doors closed');
      // The other lift is untouched.
      expect(await page.isVisible('[data-symbol="lift"][data-device="lift-ip2"] .trapped-mark')).toBe(false);
    } finally {
      simulator.faults.clear('lift-ip1');
    }
    await page.waitForSelector(`${lift} .trapped-mark:not(.on)`, { state: 'attached', timeout: 10_000 });
  }, 30_000);

  it('speaks Chinese: the boiler room and the lifts in their Chinese words', async () => {
    const zh = await openPage(browser, { storage: { 'plantwatch.lang': 'zh' } });
    try {
      await zh.page.goto(`${gateway.web.url}/#/`);
      await signIn(zh.page, 'electrician', 'electrician-demo');
      await room(ROOMS.boilers, 'b1', zh.page);
      await zh.page.locator('.mimic-svg .header-caption', { hasText: '一次供水' }).waitFor();
      expect(await zh.page.textContent('[data-symbol="boiler"][data-device="b1"] .state')).toMatch(
        /^(燃烧器运行|燃烧器停止|未投入运行)$/,
      );
      const nameZh = config.devices.find((d) => d.id === 'b1')?.nameZh;
      expect(
        await zh.page.getAttribute('[data-symbol="boiler"][data-device="b1"] text.label', 'data-full'),
      ).toBe(nameZh);
      await room(ROOMS.liftsInpatient, 'lift-ip1', zh.page);
      expect(
        await zh.page.textContent(
          '[data-symbol="lift"][data-device="lift-ip1"] [data-point="lift-ip1.door_open"] .v',
        ),
      ).toMatch(/^门(开|关)$/);
      expect(await cutLabels(zh.page)).toEqual([]);
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

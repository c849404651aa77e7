/**
 * Alarm salience on the overview and in the header (ISA-18.2 / ISA-101), in a real browser:
 * a normal room is grey; a room in alarm carries its most urgent unacknowledged alarm's
 * priority — as a colour, a shape and a word — and that alarm's text, so a tripped chiller
 * (critical) does not look like a low-pressure pump (high); the header's counts are labelled
 * and split unacknowledged / acknowledged.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openPage, pageFetch } from '../helpers/browser.js';
import { styleOf } from './shell-browser.js';
import { CHILLER_ROOM, PUMP_ROOM, type ShellRig, startShellRig } from './shell-rig.js';

/** A computed colour as [r, g, b]. */
function rgb(css: string): [number, number, number] {
  const [r = 0, g = 0, b = 0] = (css.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return [r, g, b];
}
/** A grey has no hue: its channels stay within a few steps of each other. */
const isGrey = (css: string) => {
  const c = rgb(css);
  return Math.max(...c) - Math.min(...c) < 24;
};
const isRed = (css: string) => {
  const [r, g, b] = rgb(css);
  return r > 180 && g < 90 && b < 90;
};

const tile = (room: string) => `.tile[data-room="${room}"]`;
const edge = (p: Page, room: string) => styleOf(p.locator(tile(room)), 'borderLeftColor');
/** The header's count of one priority in one group ("unack" | "ack"). */
const count = (p: Page, which: string, priority: string) =>
  p.textContent(`#alarm-summary .pill[data-which="${which}"][data-priority="${priority}"]`);

describe.skipIf(!hasChromium())('alarm salience', () => {
  let rig: ShellRig;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [rig, browser] = await Promise.all([startShellRig(), launchBrowser()]);
    ({ page, errors } = await openPage(browser, { storage: { 'plantwatch.duty': 'Li Wei' } }));
    await page.goto(`${rig.url}/#/`);
    await page.waitForSelector('#conn.ok');
    await page.waitForSelector(`${tile(CHILLER_ROOM)}[data-status="running"]`);
  });
  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
  });

  it('shows a normal plant in greys, the header counts labelled and zero', async () => {
    for (const room of [CHILLER_ROOM, PUMP_ROOM]) {
      expect(await page.getAttribute(tile(room), 'data-priority')).toBeNull();
      expect(isGrey(await edge(page, room)), await edge(page, room)).toBe(true);
      expect(isGrey(await styleOf(page.locator(tile(room)), 'backgroundColor'))).toBe(true);
    }
    expect(await page.textContent('#alarm-summary .sum-group.unack .sum-label')).toBe('Unack.');
    expect(await page.textContent('#alarm-summary .sum-group.ack .sum-label')).toBe('Ack.');
    for (const p of ['critical', 'high', 'medium', 'low']) {
      expect(await count(page, 'unack', p)).toMatch(/0$/);
      expect(await count(page, 'ack', p)).toMatch(/0$/);
    }
  });

  it("gives each room its most urgent unacknowledged alarm's priority, shape, word and text", async () => {
    rig.set('ch2.chw_return_temp', 15); // low, in the chiller plant
    rig.set('p1.outlet_pressure_bar', 2.1); // high, in the pump room
    rig.set('ch1.tripped', true); // critical, in the chiller plant
    const chillers = page.locator(`${tile(CHILLER_ROOM)}[data-priority="critical"]`);
    await chillers.waitFor();
    expect(await chillers.locator('.tile-alarm .prio').textContent()).toBe('◆critical');
    expect(await chillers.locator('.tile-alarm-text').textContent()).toBe('Chiller 1 tripped');
    expect(await chillers.locator('.tile-more').textContent()).toContain('+1 more');
    const pumps = page.locator(`${tile(PUMP_ROOM)}[data-priority="high"]`);
    await pumps.waitFor();
    expect(await pumps.locator('.tile-alarm .prio').textContent()).toBe('▲high');
    expect(await pumps.locator('.tile-alarm-text').textContent()).toBe('Booster pump 1: outlet pressure low');
    // Colour tells them apart too: the trip red, the pump not red (orange).
    expect(isRed(await edge(page, CHILLER_ROOM)), await edge(page, CHILLER_ROOM)).toBe(true);
    expect(isRed(await edge(page, PUMP_ROOM)), await edge(page, PUMP_ROOM)).toBe(false);
    expect(isGrey(await edge(page, PUMP_ROOM))).toBe(false);
    await page
      .locator('#alarm-summary .pill[data-which="unack"][data-priority="critical"]', { hasText: '1' })
      .waitFor();
    expect(await count(page, 'unack', 'high')).toMatch(/1$/);
    expect(await count(page, 'unack', 'low')).toMatch(/1$/);
    expect(await count(page, 'unack', 'medium')).toMatch(/0$/);
    expect(
      await page.getAttribute('#alarm-summary .pill[data-which="unack"][data-priority="critical"]', 'title'),
    ).toBe('1 critical alarms not acknowledged');
  });

  it('moves an acknowledged alarm to the acknowledged count; the tile then shows what still awaits an ack', async () => {
    expect((await pageFetch(page, '/api/alarms/trip@ch1/ack', { user: 'Li Wei' })).status).toBe(200);
    await page
      .locator('#alarm-summary .pill[data-which="ack"][data-priority="critical"]', { hasText: '1' })
      .waitFor();
    expect(await count(page, 'unack', 'critical')).toMatch(/0$/);
    const chillers = page.locator(`${tile(CHILLER_ROOM)}[data-priority="low"]`);
    await chillers.waitFor();
    expect(await chillers.locator('.tile-alarm-text').textContent()).toBe('Chiller 2: return water warm');
    expect(await chillers.locator('.tile-alarm .prio').textContent()).toBe('●low');
    // The tripped chiller is still running on: the room's edge stays red.
    expect(isRed(await edge(page, CHILLER_ROOM))).toBe(true);
    // The same in Chinese.
    await page.click('#lang');
    await page.locator('#alarm-summary .sum-group.unack .sum-label', { hasText: '未确认' }).waitFor();
    expect(await page.textContent('#alarm-summary .sum-group.ack .sum-label')).toBe('已确认');
    expect(await page.textContent(`${tile(PUMP_ROOM)} .tile-alarm .prio`)).toBe('▲高');
    expect(
      await page.getAttribute('#alarm-summary .pill[data-which="ack"][data-priority="critical"]', 'title'),
    ).toBe('紧急报警 1 条，已确认');
    await page.click('#lang');
    // 404: /api/auth/me with login off, by design.
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});

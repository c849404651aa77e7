/**
 * Day and night colours in a real browser: the dashboard follows the system's setting
 * (prefers-color-scheme), the header's toggle switches and is remembered over a reload, and
 * at night too a normal room is grey while a critical alarm is red with its shape and word.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { screenshot } from '../helpers/screenshots.js';
import { styleOf } from './shell-browser.js';
import { CHILLER_ROOM, PUMP_ROOM, type ShellRig, startShellRig } from './shell-rig.js';

/** Relative luminance (WCAG) of a computed "rgb(r, g, b)". */
function luminance(css: string): number {
  const [r = 0, g = 0, b = 0] = (css.match(/\d+(\.\d+)?/g) ?? []).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const background = async (p: Page, selector = 'body') =>
  luminance(await styleOf(p.locator(selector).first(), 'backgroundColor'));
const colour = (p: Page, selector: string, property: 'borderLeftColor' | 'color') =>
  styleOf(p.locator(selector).first(), property);
const channels = (css: string) => (css.match(/\d+/g) ?? []).slice(0, 3).map(Number);

describe.skipIf(!hasChromium())('day and night colours', () => {
  let rig: ShellRig;
  let browser: Browser;
  beforeAll(async () => {
    [rig, browser] = await Promise.all([startShellRig(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
  });

  async function open(colorScheme: 'dark' | 'light') {
    const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${rig.url}/#/`);
    await page.waitForSelector('#conn.ok');
    await page.waitForSelector(`.tile[data-room="${PUMP_ROOM}"][data-status="running"]`);
    return { context, page };
  }

  it('follows a dark system setting, and the toggle switches to day and is remembered', async () => {
    const { context, page } = await open('dark');
    try {
      expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
      expect(await background(page)).toBeLessThan(0.05);
      expect(await background(page, '.tile')).toBeLessThan(0.1);
      // Text stays readable: light on dark.
      expect(luminance(await colour(page, 'body', 'color'))).toBeGreaterThan(0.5);
      expect(await page.textContent('#theme')).toContain('Day');
      await page.click('#theme');
      expect(await page.getAttribute('html', 'data-theme')).toBe('light');
      expect(await background(page)).toBeGreaterThan(0.5);
      await page.reload();
      await page.waitForSelector('#conn.ok');
      expect(await page.getAttribute('html', 'data-theme')).toBe('light');
      expect(await background(page)).toBeGreaterThan(0.5);
      // Back to night: that is the system's setting again, so the page follows it from now on.
      await page.click('#theme');
      expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
      expect(await page.evaluate("localStorage.getItem('plantwatch.theme')")).toBeNull();
    } finally {
      await context.close();
    }
  });

  it('keeps a normal room grey and a critical alarm red with its shape and word, at night', async () => {
    const { context, page } = await open('dark');
    try {
      rig.set('ch1.tripped', true);
      const tile = `.tile[data-room="${CHILLER_ROOM}"][data-priority="critical"]`;
      await page.waitForSelector(tile);
      const [r = 0, g = 0, b = 0] = channels(await colour(page, tile, 'borderLeftColor'));
      expect(r).toBeGreaterThan(180);
      expect(Math.max(g, b)).toBeLessThan(90);
      expect(await page.textContent(`${tile} .tile-alarm .prio`)).toBe('◆critical');
      const grey = channels(await colour(page, `.tile[data-room="${PUMP_ROOM}"]`, 'borderLeftColor'));
      expect(Math.max(...grey) - Math.min(...grey)).toBeLessThan(24);
      await screenshot(page, 'overview-night.png');
    } finally {
      rig.set('ch1.tripped', false);
      await context.close();
    }
  });

  it('starts in day colours on a light system, and the toggle turns the night on', async () => {
    const { context, page } = await open('light');
    try {
      expect(await page.getAttribute('html', 'data-theme')).toBe('light');
      expect(await background(page)).toBeGreaterThan(0.5);
      await page.click('#theme');
      expect(await background(page)).toBeLessThan(0.05);
      expect(await page.evaluate("localStorage.getItem('plantwatch.theme')")).toBe('dark');
    } finally {
      await context.close();
    }
  });
});

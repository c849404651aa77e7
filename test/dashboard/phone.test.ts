/**
 * The dashboard on a phone (390 × 844, the size of a common phone held upright), in a real
 * browser: the active alarms are cards whose Acknowledge and Shelve buttons lie inside the
 * screen, finger-sized, without sideways scrolling; the menu sits at the bottom, under the
 * thumb; acknowledging works from there; the overview needs no sideways scrolling either.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openPage } from '../helpers/browser.js';
import { screenshot } from '../helpers/screenshots.js';
import { isTappable, parentScroll, scrollToMiddle } from './shell-browser.js';
import { type ShellRig, startShellRig } from './shell-rig.js';

const PHONE = { width: 390, height: 844 };
/** Apple's and Google's smallest comfortable touch target, in CSS pixels. */
const FINGER = 44;

async function noSidewaysScroll(p: Page) {
  const { scroll, client } = (await p.evaluate(
    '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
  )) as { scroll: number; client: number };
  expect(scroll).toBeLessThanOrEqual(client);
}

describe.skipIf(!hasChromium())('the dashboard on a phone', () => {
  let rig: ShellRig;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [rig, browser] = await Promise.all([startShellRig(), launchBrowser()]);
    ({ page, errors } = await openPage(browser, {
      viewport: PHONE,
      storage: { 'plantwatch.duty': 'Li Wei' },
    }));
    rig.set('ch1.tripped', true);
    rig.set('p1.outlet_pressure_bar', 2.1);
    rig.set('ch2.chw_return_temp', 15);
  });
  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
  });

  it('shows the active alarms as cards with Acknowledge and Shelve inside the screen', async () => {
    await page.goto(`${rig.url}/#/alarms`);
    await page.waitForSelector('#conn.ok');
    await page.waitForSelector('.alarms-active tr[data-alarm="trip@ch1"] button.ack');
    const rows = page.locator('.alarms-active tbody tr');
    expect(await rows.count()).toBe(3);
    for (const row of await rows.all()) {
      for (const button of ['button.ack', 'button.shelve']) {
        const el = row.locator(button);
        // Scrolled up or down to it, never sideways (scrollIntoView would scroll the table too).
        await scrollToMiddle(el);
        const box = await el.boundingBox();
        expect(box, button).not.toBeNull();
        if (!box) continue;
        expect(box.x, `${button} starts off screen`).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, `${button} ends off screen`).toBeLessThanOrEqual(PHONE.width);
        expect(box.y).toBeGreaterThanOrEqual(0);
        expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height);
        expect(box.height, `${button} is too small for a finger`).toBeGreaterThanOrEqual(FINGER);
        // Not hidden under the bottom menu or anything else: a tap there lands on the button.
        expect(await isTappable(el), `${button} is covered`).toBe(true);
      }
      // A card, not a table row: the message has the card's width.
      const card = await row.boundingBox();
      expect(card?.width).toBeGreaterThan(PHONE.width * 0.85);
    }
    await noSidewaysScroll(page);
    // Nor does the list scroll sideways inside the page.
    const list = await parentScroll(page.locator('.alarms-active'));
    expect(list.scroll).toBeLessThanOrEqual(list.client);
    await page.evaluate('window.scrollTo(0, 0)');
  });

  it('keeps the menu at the bottom of the screen, under the thumb, and acknowledges from a card', async () => {
    const nav = await page.locator('header nav').boundingBox();
    expect(nav).not.toBeNull();
    expect(Math.round((nav?.y ?? 0) + (nav?.height ?? 0))).toBe(PHONE.height);
    for (const link of await page.locator('header nav a:visible').all())
      expect((await link.boundingBox())?.height).toBeGreaterThanOrEqual(FINGER);
    const row = page.locator('.alarms-active tr[data-alarm="trip@ch1"]');
    await row.locator('button.ack').click();
    await page.locator('dialog.action[open]').waitFor();
    const dialog = await page.locator('dialog.action').boundingBox();
    expect((dialog?.x ?? -1) >= 0 && (dialog?.x ?? 0) + (dialog?.width ?? 0) <= PHONE.width).toBe(true);
    await page.click('#action-submit');
    await page.waitForSelector('.alarms-active tr[data-alarm="trip@ch1"][data-state="active-acknowledged"]');
  });

  it('shows the overview without sideways scrolling', async () => {
    await page.click('header nav a[href="#/"]');
    await page.waitForSelector('.tile[data-room]');
    await noSidewaysScroll(page);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    // Last: a full-page screenshot resizes the page for a moment, which a click right after
    // it could miss.
    await page.click('header nav a[href="#/alarms"]');
    await page.waitForSelector('.alarms-active tr[data-alarm="pressure-low@p1"] button.ack');
    await screenshot(page, 'alarms-phone.png');
  });
});

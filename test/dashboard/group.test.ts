/**
 * The group page in a real Chromium, over two real campus gateways on a real Mosquitto
 * (test/helpers/group-rig.ts): a group energy manager sees every campus and follows an alarm
 * into its campus; a cut link turns a campus unknown on the page; a branch electrician signed
 * in at the group's address sees their own campus only, and nothing of the main hospital.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openPage, pageFetch } from '../helpers/browser.js';
import { type GroupRig, startGroupRig } from '../helpers/group-rig.js';
import { screenshot } from '../helpers/screenshots.js';
import { until } from '../helpers/wait.js';

let rig: GroupRig;
let browser: Browser;

beforeAll(async () => {
  [rig, browser] = await Promise.all([startGroupRig(), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
}, 60_000);

/** Sign in on the page the group's address shows, as a user of the given campuses or of all. */
async function signInAtGroup(page: Page, username: string): Promise<void> {
  await page.goto(`${rig.main.gateway.web.url}/group`);
  await page.waitForSelector('#login-user');
  await page.fill('#login-user', username);
  await page.fill('#login-password', `${username}-demo`);
  await page.click('#login-submit');
  await page.waitForURL(/#\/group/);
}

const campusCard = (site: string) => `article.g-campus[data-site="${site}"]`;

describe.skipIf(!hasChromium())('the group page', { timeout: 90_000 }, () => {
  it('shows a group manager every campus, heard and named, with a way into each', async () => {
    const { context, page, errors } = await openPage(browser, { storage: { 'plantwatch.lang': 'zh' } });
    try {
      await signInAtGroup(page, 'manager');
      await page.waitForSelector(`${campusCard('main')}:not([data-state="unknown"])`, { timeout: 20_000 });
      await page.waitForSelector(`${campusCard('east')}:not([data-state="unknown"])`, { timeout: 20_000 });
      expect(await page.locator(`${campusCard('east')} .g-campus-name`).textContent()).toContain('东院区');
      expect(await page.locator(`${campusCard('main')} .g-campus-name`).textContent()).toContain('总院');
      const into = page.locator(`${campusCard('east')} a[href^="${rig.east.gateway.web.url}"]`);
      expect(await into.count()).toBeGreaterThan(0);
      await screenshot(page, 'group.png');
      // Script errors only: a resource's 401 before sign-in and the favicon's 404 are no fault of the page.
      expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('turns a campus whose link is cut unknown, and back once the link returns', async () => {
    const { context, page } = await openPage(browser);
    try {
      await signInAtGroup(page, 'manager');
      await page.waitForSelector(`${campusCard('east')}:not([data-state="unknown"])`, { timeout: 20_000 });
      for (const link of rig.eastLinks) link.cut();
      // The page refreshes every 10 s.
      await page.waitForSelector(`${campusCard('east')}[data-state="unknown"]`, { timeout: 25_000 });
      expect(await page.locator(`${campusCard('east')} .g-link`).getAttribute('data-link')).toBe('down');
      expect(await page.locator(`${campusCard('main')}`).getAttribute('data-state')).not.toBe('unknown');
    } finally {
      for (const link of rig.eastLinks) link.restore();
      await context.close();
    }
    await until('east on the broker again', () => rig.east.gateway.mqtt.stats().connected, 20_000, 200);
  });

  it('shows a branch electrician their campus only, on a phone, and refuses them the main hospital', async () => {
    const { context, page } = await openPage(browser, { viewport: { width: 375, height: 812 } });
    try {
      await signInAtGroup(page, 'east-electrician');
      await page.waitForSelector(campusCard('east'), { timeout: 20_000 });
      expect(await page.locator('article.g-campus').count()).toBe(1);
      expect(await page.locator(campusCard('main')).count()).toBe(0);
      expect(await page.content()).not.toContain('总院');
      // Any page of the main hospital leads back to the group page.
      await page.goto(`${rig.main.gateway.web.url}/#/alarms`);
      await page.waitForURL(/#\/group/);
      expect((await pageFetch(page, '/api/points')).status).toBe(403);
      expect(
        (await pageFetch(page, '/api/group')).body.campuses.map((c: { site: string }) => c.site),
      ).toEqual(['east']);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(375);
    } finally {
      await context.close();
    }
  });
});

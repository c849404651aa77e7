/**
 * The link in an alarm's e-mail or chat post, `#/alarms/<alarm id>`, in a real browser: it opens
 * the alarms page with that alarm highlighted and its journal alone below; an alarm that is back
 * to normal by the time the link is opened says so, with its journal; an unknown id says that.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openPage, pageFetch } from '../helpers/browser.js';
import { type ShellRig, startShellRig } from './shell-rig.js';

describe.skipIf(!hasChromium())('a link to one alarm', () => {
  let rig: ShellRig;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [rig, browser] = await Promise.all([startShellRig(), launchBrowser()]);
    ({ page } = await openPage(browser, { storage: { 'plantwatch.duty': 'Li Wei' } }));
    rig.set('ch1.tripped', true);
    rig.set('p1.outlet_pressure_bar', 2.1);
  });
  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
  });

  it('highlights the linked alarm among the active ones and shows its journal alone', async () => {
    await page.goto(`${rig.url}/#/alarms/${encodeURIComponent('pressure-low@p1')}`);
    await page.waitForSelector('#conn.ok');
    const row = page.locator('.alarms-active tr.target');
    await row.waitFor();
    expect(await row.getAttribute('data-alarm')).toBe('pressure-low@p1');
    expect(await row.getAttribute('aria-current')).toBe('true');
    expect(
      await page.locator('.alarms-active tr[data-alarm="trip@ch1"]').getAttribute('class'),
    ).not.toContain('target');
    await page.waitForSelector('.alarms-history tr[data-alarm="pressure-low@p1"]');
    const journal = await page.$$eval('.alarms-history tbody tr', (rows) =>
      rows.map((r) => r.getAttribute('data-alarm')),
    );
    expect(new Set(journal)).toEqual(new Set(['pressure-low@p1']));
    expect(await page.textContent('.journal-title')).toContain('History of this alarm: pressure-low@p1');
    // One click back to every alarm.
    await page.click('.journal-title a.show-all');
    await page.waitForSelector('.alarms-history tr[data-alarm="trip@ch1"]');
    expect(await page.locator('.alarms-active tr.target').count()).toBe(0);
  });

  it('says when the linked alarm is back to normal, and still shows its journal', async () => {
    rig.set('ch1.tripped', false);
    expect((await pageFetch(page, '/api/alarms/trip@ch1/ack', { user: 'Li Wei' })).status).toBe(200);
    await page.evaluate(`location.hash = '#/alarms/trip@ch1'`);
    await page
      .locator('.link-note', { hasText: 'This alarm is normal now; its history is below.' })
      .waitFor();
    await page.waitForSelector('.alarms-history tr[data-alarm="trip@ch1"][data-kind="acknowledged"]');
    await page.evaluate(`location.hash = '#/alarms/no-such-alarm'`);
    await page.locator('.link-note', { hasText: 'No alarm "no-such-alarm" on this gateway.' }).waitFor();
  });
});

/**
 * The alarms page in a real browser (chromium via playwright-core), login off: a chiller fault
 * that has returned but is not acknowledged still shows the fault code that raised it, when it
 * returned and what it reads now, in the active list and in the journal below it.
 */
import { describe, expect, it } from 'vitest';
import { alarmHarness, FAULT_CODE_RULE as FAULT } from '../alarms/harness.js';
import { hasChromium, launchBrowser, openPage } from '../helpers/browser.js';
import { startBareWebServer } from '../helpers/web.js';

describe.skipIf(!hasChromium())('alarm texts on the alarms page', () => {
  it('a returned fault shows the code that raised it, when it returned and the reading now', async () => {
    const h = alarmHarness([FAULT]);
    const web = await startBareWebServer({ alarms: h.service });
    const browser = await launchBrowser();
    try {
      h.set('ch1.fault_code', 207);
      h.set('ch1.fault_code', 0);
      const { page, errors } = await openPage(browser);
      await page.goto(`${web.url}/#/alarms`);
      await page.waitForSelector('#conn.ok');
      const row = page.locator(
        '.alarms-active tr[data-alarm="fault@ch1"][data-state="returned-unacknowledged"]',
      );
      const returned = /^Chiller 1: fault code 207 \(returned to normal \d\d:\d\d, now 0\)$/;
      expect(await row.locator('td').nth(3).textContent()).toMatch(returned);
      const journal = page.locator('.alarms-history tr[data-alarm="fault@ch1"][data-kind="returned"] td');
      expect(await journal.nth(3).textContent()).toMatch(returned);
      expect(await page.locator('.alarms-history tr[data-kind="activated"] td').nth(3).textContent()).toBe(
        'Chiller 1: fault code 207',
      );
      // The bare server has no energy or records API: only script errors count here.
      expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    } finally {
      await browser.close();
      await web.stop();
      await h.stop();
    }
  }, 30_000);
});

/**
 * What the typed core changed for a user, in a real browser set to Chinese and to a zone that is
 * not the plant's (a control-room PC or phone may be set to anything):
 * - the /live/ diagnostic page speaks Chinese and stamps a comm-error reading with its age and
 *   the plant's time;
 * - the Admin page shows when each user last changed on the plant's calendar and 24-hour clock.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog, PointTable } from '../../src/points/index.js';
import { DEFAULT_SITE } from '../../src/web/site.js';
import { demoWebServer } from '../auth/harness.js';
import { hasChromium, launchBrowser, PAGE_TIMEOUT_MS, signIn } from '../helpers/browser.js';
import { plantConfig } from '../helpers/plant-config.js';
import { startBareWebServer } from '../helpers/web.js';

const PLANT_ZONE = 'Asia/Shanghai';
const BROWSER_ZONE = 'America/New_York';
const site = { ...DEFAULT_SITE, timezone: PLANT_ZONE };

/** "HH:MM:SS" / "YYYY-MM-DD HH:MM" of an instant in the plant's zone. */
function plantClock(ts: number, withDate = false): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: PLANT_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(ts)
      .map((p) => [p.type, p.value]),
  );
  return withDate
    ? `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`
    : `${parts.hour}:${parts.minute}:${parts.second}`;
}

let browser: Browser;
async function chinesePage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: BROWSER_ZONE });
  const page = await context.newPage();
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  return page;
}

describe.skipIf(!hasChromium())('in Chinese, in a zone that is not the plant’s', () => {
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the /live/ page names a comm-error reading, its age and the plant’s time of it', async () => {
    const config = plantConfig({
      lines: [{ id: 'gw', transport: 'tcp', host: '127.0.0.1', port: 1502 }],
      profiles: [
        {
          id: 'meter',
          name: 'Meter',
          equipment: 'power-meter',
          protocol: 'modbus',
          points: [{ name: 'power_kw', table: 'holding', address: 0, unit: 'kW' }],
        },
      ],
      devices: [{ id: 'm1', name: 'Meter 1', profile: 'meter', modbus: { line: 'gw', unitId: 1 } }],
    });
    const table = new PointTable(buildCatalog(config));
    const ts = Date.now() - 30_000;
    table.update([{ id: 'm1.power_kw', value: null, quality: 'comm-error', ts }]);
    const web = await startBareWebServer({ table, site });
    try {
      const page = await chinesePage();
      await page.goto(`${web.url}/live/`);
      const quality = page.locator('tr[data-point="m1.power_kw"] td').nth(2);
      await expect.poll(() => quality.textContent()).toContain(plantClock(ts));
      expect(await quality.textContent()).toMatch(/^通讯故障 3\d 秒前，\d\d:\d\d:\d\d$/);
      expect(await page.textContent('h1 small')).toBe('实时测点');
      await expect.poll(() => page.textContent('#connection')).toBe('实时');
    } finally {
      await web.stop();
    }
  });

  it('the Admin page shows when a user last changed on the plant’s calendar and clock', async () => {
    const demo = await demoWebServer({ site });
    try {
      const page = await chinesePage();
      await page.goto(`${demo.web.url}/#/`);
      await signIn(page, 'admin', 'admin-demo');
      await page.evaluate('location.hash = "#/admin"');
      const row = page.locator('table.users tr[data-user="electrician"]');
      await row.waitFor();
      const users = (await page.evaluate(() => fetch('/api/users').then((r) => r.json()))) as {
        username: string;
        updated: string;
      }[];
      const updated = Date.parse(users.find((u) => u.username === 'electrician')?.updated ?? '');
      expect(await row.locator('td').nth(4).textContent()).toBe(plantClock(updated, true));
      expect(await row.locator('td').nth(2).textContent()).toBe('电工');
    } finally {
      await demo.stop();
    }
  });
});

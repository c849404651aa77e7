/**
 * The Energy page's consumption tab in a real browser (Debian's chromium via playwright-core)
 * against the gateway's web server with login on, over the last four days of the demo plant's
 * simulated meter history in a real SQLite store, one meter silent for a whole day, an energy
 * manager signed in: what the metering-tree and cost tests check.
 */
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { vi } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createEnergy } from '../../src/energy/index.js';
import { silentLogger } from '../../src/log/index.js';
import { PointBus } from '../../src/points/index.js';
import { demoWebServer } from '../auth/harness.js';
import { HOUR, MINUTE, simulatedStore } from '../energy/simulated-store.js';
import { launchBrowser, openPage, signIn } from '../helpers/browser.js';

export const ZONE = 'Asia/Shanghai';
/** Local midnight in the plant's zone, `days` from today. */
export const midnight = (days: number) => DateTime.now().setZone(ZONE).startOf('day').plus({ days });
export const date = (days: number) => midnight(days).toISODate() ?? '';

/**
 * Page errors but the 401 before signing in, and the live view's alarm list that this web
 * server, serving energy alone, answers 404 (the shell logs "resync failed").
 */
export const unexpected = (errors: string[]) =>
  errors.filter(
    (e) =>
      !/status of 40[14]|Failed to load resource|WebSocket|socket\.io|^resync failed (Api)?Error: not found/i.test(
        e,
      ),
  );

export interface ConsumptionPage {
  page: Page;
  /** Page errors and console errors so far. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * The tab with `silent.device` answering nothing on the day `silent.day` days from today;
 * `keep`: the points stored (default the electricity and water meters').
 */
export async function consumptionPage(
  silent: { device: string; day: number },
  keep?: (id: string) => boolean,
): Promise<ConsumptionPage> {
  // The simulated hospital's day follows the process's clock: put it on the hospital's.
  vi.stubEnv('TZ', ZONE);
  const config = loadConfig('config');
  const data = await simulatedStore(
    config,
    {
      from: midnight(-4).toMillis() - HOUR,
      to: Date.now(),
      stepMs: 15 * MINUTE,
      faults: [
        {
          device: silent.device,
          fault: { type: 'offline' },
          from: midnight(silent.day).toMillis(),
          to: midnight(silent.day + 1).toMillis(),
        },
      ],
    },
    keep,
  );
  const energy = createEnergy({ config, store: data.store, bus: new PointBus(), log: silentLogger() });
  const [server, browser] = await Promise.all([demoWebServer({ energy }), launchBrowser()]);
  const close = async () => {
    await browser.close();
    await server.stop();
    await data.close();
    vi.unstubAllEnvs();
  };
  try {
    const { page, errors } = await openPage(browser, { locale: 'en-GB' });
    await page.goto(`${server.web.url}/#/energy/consumption`);
    await signIn(page, 'manager', 'manager-demo');
    return { page, errors, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The last four whole days, at `resolution`, grouped by `groupBy`. */
export async function chooseDays(page: Page, resolution: string, groupBy: string): Promise<void> {
  await page.selectOption('#e-period', 'custom');
  await page.fill('#e-from', date(-4));
  await page.fill('#e-to', date(0));
  await page.dispatchEvent('#e-to', 'change');
  await page.selectOption('#e-resolution', resolution);
  await page.selectOption('#e-group', groupBy);
}

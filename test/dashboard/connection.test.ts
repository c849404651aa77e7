/**
 * A network link that dies silently (no FIN, no RST: a cable pulled, a switch rebooting, Wi-Fi
 * gone on a patrol) must show as lost within 5 s, not after socket.io's default 45 s; values
 * that stop arriving fade once older than their poll period. The gateway runs in a child
 * process (shell-rig-child.ts) frozen with SIGSTOP, which from the browser looks exactly like
 * that: the socket stays open and nothing more comes. SIGCONT brings it back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openPage } from '../helpers/browser.js';
import { styleOf } from './shell-browser.js';

/** Starts the rig in its own process; resolves with its URL. */
function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/dashboard/shell-rig-child.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the rig did not start within 20 s')), 20_000);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening (\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.once('exit', (code) => reject(new Error(`the rig exited (${code})`)));
  });
}

const VALUE = '.tile[data-room="main/b1/pumps"] [data-point="p1.outlet_pressure_bar"]';

describe.skipIf(!hasChromium())('a silently dropped connection', () => {
  let rig: { child: ChildProcess; url: string };
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [rig, browser] = await Promise.all([startChild(), launchBrowser()]);
    ({ page } = await openPage(browser));
    await page.goto(`${rig.url}/#/`);
    await page.waitForSelector('#conn.ok');
    await page.waitForSelector(`${VALUE}[data-quality="good"]`);
  }, 40_000);
  afterAll(async () => {
    await browser?.close();
    if (rig && rig.child.exitCode === null) {
      rig.child.kill('SIGCONT');
      rig.child.kill('SIGTERM');
    }
  });

  it('shows the banner within 5 s and fades values older than their poll period', async () => {
    expect(await page.getAttribute(VALUE, 'data-old')).toBeNull();
    const frozen = Date.now();
    rig.child.kill('SIGSTOP');
    // Read every second, the pressure is old after two periods and a second (3 s).
    await page.waitForSelector(`${VALUE}[data-old]`, { timeout: 5000 });
    const faded = Date.now() - frozen;
    await page.waitForSelector('#banner:not([hidden])', { timeout: 6000 });
    const noticed = Date.now() - frozen;
    console.log(`silent drop: value faded after ${faded} ms, banner after ${noticed} ms`);
    expect(noticed).toBeLessThan(5000);
    expect(await page.textContent('#banner')).toMatch(/Connection to the gateway lost since \d\d:\d\d:\d\d/);
    expect(await page.textContent('#conn')).toBe('connection lost');
    const opacity = Number(await styleOf(page.locator(`${VALUE} .v`), 'opacity'));
    expect(opacity).toBeLessThan(0.6);
  }, 20_000);

  it('reconnects by itself when the link comes back, values fresh again', async () => {
    rig.child.kill('SIGCONT');
    await page.waitForSelector('#conn.ok', { timeout: 15_000 });
    expect(await page.isHidden('#banner')).toBe(true);
    await page.waitForSelector(`${VALUE}:not([data-old])`, { timeout: 5000 });
  }, 20_000);

  it('fades the values on the room mimic too, and brings them back', async () => {
    const onMimic = '.mimic-svg [data-point="ch1.chw_supply_temp"]';
    await page.goto(`${rig.url}/#/room/main/b1/chillers`);
    await page.waitForSelector(`${onMimic}[data-quality="good"]:not([data-old])`, { state: 'attached' });
    rig.child.kill('SIGSTOP');
    try {
      await page.waitForSelector(`${onMimic}[data-old]`, { state: 'attached', timeout: 5000 });
      expect(Number(await styleOf(page.locator(`${onMimic} .v`), 'fill-opacity'))).toBeLessThan(0.6);
    } finally {
      rig.child.kill('SIGCONT');
    }
    await page.waitForSelector(`${onMimic}:not([data-old])`, { state: 'attached', timeout: 15_000 });
  }, 40_000);
});

/**
 * The admin page's "Scan a line" in a real browser (Debian's chromium via playwright-core): a
 * gateway on the demo configuration (login on) and the simulator's Modbus TCP gateway on a
 * loopback port. The admin fills the form with the simulator's address, sees the progress and
 * the units found while the scan runs, downloads the draft's files, stops a second scan, and
 * finds the last scan again after a reload, in Chinese. The demo's serial line is offered but
 * not selectable: the gateway polls it.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { identitiesOf } from '../../simulators/modbus/responder.js';
import { devicesOn, serveTcpGateway } from '../discovery/harness.js';
import { hasChromium, launchBrowser, openPage, signIn } from '../helpers/browser.js';
import { type GatewayRig, startGatewayRig } from '../security/gateway-rig.js';

let simulated: Awaited<ReturnType<typeof serveTcpGateway>>;
let rig: GatewayRig;
let browser: Browser;
let page: Page;
let pageErrors: string[];

const address = () => {
  if (simulated.line.transport !== 'tcp') throw new Error('the simulated gateway is Modbus TCP');
  return `${simulated.line.host}:${simulated.line.port}`;
};

/** The refusals the page shows as messages, logged by the browser as failed loads. */
const unexpected = (errors: string[]) =>
  errors.filter((e) => !/status of 40[19]|Failed to load resource|WebSocket|socket\.io/i.test(e));

/** Fills the form for the simulator's address and starts the scan. */
async function startScan(units: string, delayMs: number): Promise<void> {
  await page.selectOption('#scan-line', '');
  await page.fill('#scan-where', address());
  await page.fill('#scan-units', units);
  await page.fill('#scan-delay', String(delayMs));
  await page.fill('#scan-timeout', '300');
  await page.click('#scan-start');
}

const stateIs = (state: string) =>
  page.waitForSelector(`#scan-state[data-state="${state}"]`, { timeout: 20_000 });

describe.skipIf(!hasChromium())('scanning a line from the admin page', () => {
  beforeAll(async () => {
    [simulated, rig, browser] = await Promise.all([serveTcpGateway(), startGatewayRig(), launchBrowser()]);
    const opened = await openPage(browser);
    page = opened.page;
    pageErrors = opened.errors;
    await page.goto(`${rig.url}/#/admin`);
    await signIn(page, 'admin', 'admin-demo');
    await page.waitForSelector('#scan-form');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
    await simulated?.stop();
  });

  it('offers the configured lines, a serial line the gateway polls disabled', async () => {
    await page.waitForFunction(() => document.querySelectorAll('#scan-line option').length > 1);
    const options = await page.$$eval('#scan-line option', (els) =>
      els.map((el) => ({
        value: (el as HTMLOptionElement).value,
        disabled: (el as HTMLOptionElement).disabled,
      })),
    );
    const serial = rig.config.lines.filter((l) => l.transport === 'rtu').map((l) => l.id);
    expect(serial.length).toBeGreaterThan(0);
    for (const id of serial) expect(options).toContainEqual({ value: id, disabled: true });
    for (const line of rig.config.lines.filter((l) => l.transport === 'tcp'))
      expect(options).toContainEqual({ value: line.id, disabled: false });
    // The address field is for "the address below" only.
    expect(await page.isVisible('#scan-where')).toBe(true);
    await page.selectOption('#scan-line', rig.config.lines.find((l) => l.transport === 'tcp')?.id ?? '');
    expect(await page.isVisible('#scan-where')).toBe(false);
  });

  it('shows the progress and the units found while it runs, then the draft to download', async () => {
    await startScan('1-16', 120);
    // Live: the scan still running, some units probed and already one found in the table.
    await page.waitForFunction(
      () =>
        (document.querySelector('#scan-state') as HTMLElement | null)?.dataset.state === 'running' &&
        document.querySelectorAll('#scan-found tbody tr').length > 0 &&
        Number((document.querySelector('#scan-progress') as HTMLProgressElement | null)?.value) < 16,
      undefined,
      { timeout: 15_000 },
    );
    expect(await page.isVisible('#scan-cancel')).toBe(true);
    await stateIs('done');
    expect(await page.textContent('#scan-count')).toBe('16 of 16 unit ids probed, 3 found');
    const identities = identitiesOf(simulated.config);
    const devices = devicesOn(simulated.config, 'gw-tcp');
    const rows = await page.$$eval('#scan-found tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    expect(rows.map((row) => Number(row[0]))).toEqual(devices.map((d) => d.unitId));
    for (const [i, device] of devices.entries()) {
      const objects = identities.get(device.id);
      if (objects) expect(rows[i]?.slice(1, 4)).toEqual([objects[0], objects[1], objects[2]]);
      else expect(rows[i]?.[1]).toBe('no identification');
    }
    expect(await page.isVisible('#scan-cancel')).toBe(false);

    const links = page.locator('#scan-drafts a');
    expect(await links.allTextContents()).toEqual([
      expect.stringMatching(/^Download draft: devices\/scan-127-0-0-1-\d+\.yaml$/),
      expect.stringMatching(/^Download draft: lines\.scan-127-0-0-1-\d+\.yaml$/),
    ]);
    const [devicesDownload] = await Promise.all([page.waitForEvent('download'), links.nth(0).click()]);
    expect(devicesDownload.suggestedFilename()).toMatch(/^scan-127-0-0-1-\d+\.yaml$/);
    const draft = parse(readFileSync(await devicesDownload.path(), 'utf8')) as {
      devices: { modbus: { unitId: number }; profile: string }[];
    };
    expect(draft.devices.map((d) => d.modbus.unitId)).toEqual(devices.map((d) => d.unitId));
    expect(draft.devices.every((d) => d.profile === 'FILL IN')).toBe(true);
    const [lineDownload] = await Promise.all([page.waitForEvent('download'), links.nth(1).click()]);
    const line = parse(readFileSync(await lineDownload.path(), 'utf8')) as {
      lines: { transport: string; port: number }[];
    };
    expect(line.lines).toMatchObject([
      { transport: 'tcp', port: simulated.line.transport === 'tcp' ? simulated.line.port : 0 },
    ]);
  });

  it('stops a scan with its button, keeping the units it found', async () => {
    await startScan('1-247', 60);
    await page.waitForSelector('#scan-found tbody tr[data-unit="2"]', { timeout: 15_000 });
    await page.click('#scan-cancel');
    await stateIs('cancelled');
    expect(await page.locator('#scan-found tbody tr[data-unit="2"]').count()).toBe(1);
    expect(Number(await page.getAttribute('#scan-progress', 'value'))).toBeLessThan(247);
  });

  it('shows the last scan again after a reload, in Chinese', async () => {
    await page.evaluate(() => localStorage.setItem('plantwatch.lang', 'zh'));
    await page.reload();
    await stateIs('cancelled');
    expect(await page.textContent('#scan h2')).toBe('扫描总线');
    expect(await page.textContent('#scan-state')).toBe('已停止');
    expect(await page.textContent('#scan-start')).toBe('开始扫描');
    expect(await page.getAttribute('#scan-where', 'placeholder')).toBe('主机:端口 或 /dev/ttyUSB0');
    expect(await page.textContent('#scan-found tbody tr[data-unit="2"] td:last-child')).toBe('读寄存器成功');
    expect(unexpected(pageErrors)).toEqual([]);
  });
});

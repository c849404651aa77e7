/**
 * The admin page's "Scan a line" in a real browser (Debian's chromium via playwright-core): a
 * gateway on the demo configuration (login on) and the simulator's Modbus TCP gateway on a
 * loopback port. The admin fills the form with the simulator's address, sees the progress and
 * the units found while the scan runs, downloads the draft's files, stops a second scan, and
 * finds the last scan again after a reload, in Chinese. The demo's serial line is offered but
 * not selectable: the gateway polls it. BACnet/IP: the plant simulator serves the demo's theatre
 * AHUs (BACnet only) on their loopback addresses; the admin scans two of them by address on the
 * gateway's port "bms", sees them read one by one, downloads the devices and profile drafts, and
 * finds the BACnet form and scan in Chinese after a reload.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { identitiesOf } from '../../simulators/modbus/responder.js';
import type { BacnetDeviceConfig, DeviceConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/index.js';
import { devicesOn, serveTcpGateway } from '../discovery/harness.js';
import { hasChromium, launchBrowser, openPage, signIn } from '../helpers/browser.js';
import { type GatewayRig, startGatewayRig } from '../security/gateway-rig.js';

let simulated: Awaited<ReturnType<typeof serveTcpGateway>>;
let rig: GatewayRig;
let plant: PlantSimulator;
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
    // The theatres' AHUs on BACnet/IP, where the copy of the demo configuration puts them.
    plant = await startPlantSimulator(rig.config, { log: silentLogger(), only: ['bacnet'] });
    const opened = await openPage(browser);
    page = opened.page;
    pageErrors = opened.errors;
    await page.goto(`${rig.url}/#/admin`);
    await signIn(page, 'admin', 'admin-demo');
    await page.waitForSelector('#scan-form');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await plant?.stop();
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
    // The new scan's table, not the last one's (which also found unit 2) before the page redraws.
    await stateIs('running');
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

  it('scans BACnet/IP devices by address on a port the gateway has open, then the drafts to download', async () => {
    const ahus = rig.config.devices
      .filter((d: DeviceConfig): d is BacnetDeviceConfig => 'bacnet' in d && d.bacnet.port === 'bms')
      .filter((d) => d.bacnet.instance === 3001 || d.bacnet.instance === 3002);
    expect(ahus.map((d) => d.id)).toEqual(['ahu-or1', 'ahu-or2']);
    const addresses = ahus.map((d) => d.bacnet.address ?? '');
    const profile = rig.config.profiles.get(ahus[0]?.profile ?? '');
    const objectNames = profile?.points.map((p) => p.name) ?? [];
    expect(objectNames.length).toBeGreaterThan(0);

    await page.evaluate(() => localStorage.setItem('plantwatch.lang', 'en'));
    await page.reload();
    await page.waitForFunction(() => {
      const option = document.querySelector<HTMLOptionElement>('#scan-protocol option[value="bacnet"]');
      return option !== null && !option.disabled && document.querySelector('#scan-port option') !== null;
    });
    // Modbus first: the BACnet fields hidden until BACnet/IP is picked, then the Modbus ones hidden.
    expect(await page.isVisible('#scan-port')).toBe(false);
    await page.selectOption('#scan-protocol', 'bacnet');
    expect(await page.isVisible('#scan-port')).toBe(true);
    expect(await page.isVisible('#scan-addresses')).toBe(true);
    expect(await page.isVisible('#scan-line')).toBe(false);
    expect(await page.isVisible('#scan-units')).toBe(false);
    const port = await page.$eval('#scan-port option[value="bms"]', (el) => ({
      disabled: (el as HTMLOptionElement).disabled,
      text: el.textContent,
    }));
    expect(port).toEqual({
      disabled: false,
      text: `bms · BACnet/IP · 127.0.0.1:${rig.config.gateway.bacnet?.ports[0]?.udpPort}`,
    });
    await page.selectOption('#scan-port', 'bms');
    await page.fill('#scan-addresses', addresses.join(', '));
    await page.fill('#scan-wait', '1500');
    await page.fill('#scan-delay', '0');

    // The second AHU answers late: the first is listed while the scan still reads the second.
    const [first, second] = ahus as [BacnetDeviceConfig, BacnetDeviceConfig];
    plant.faults.inject(second.id, { type: 'slow', delayMs: 700 });
    try {
      await page.click('#scan-start');
      // One look at the page while it runs with a device listed (a poll may redraw it any second).
      const live = await page.waitForFunction(
        () => {
          const state = (document.querySelector('#scan-state') as HTMLElement | null)?.dataset.state;
          const rows = [...document.querySelectorAll<HTMLElement>('#scan-found tbody tr')];
          if (state !== 'running' || rows.length === 0) return null;
          return {
            units: rows.map((tr) => tr.dataset.unit),
            count: document.querySelector('#scan-count')?.textContent,
            progress: (document.querySelector('#scan-progress') as HTMLProgressElement | null)?.value,
            cancel: document.querySelector('#scan-cancel') !== null,
          };
        },
        undefined,
        { timeout: 15_000 },
      );
      expect(await live.jsonValue()).toEqual({
        units: [String(first.bacnet.instance)],
        count: '1 of 2 devices that answered read, 1 with their objects',
        progress: 1,
        cancel: true,
      });
      await stateIs('done');
    } finally {
      plant.faults.clear(second.id, 'slow');
    }
    const heading = await page.textContent('#scan-job h3');
    expect(heading).toContain('bms');
    for (const address of addresses) expect(heading).toContain(address);
    expect(await page.textContent('#scan-count')).toBe(
      '2 of 2 devices that answered read, 2 with their objects',
    );
    expect(await page.isVisible('#scan-cancel')).toBe(false);
    expect(await page.$$eval('#scan-found thead th', (ths) => ths.map((th) => th.textContent))).toEqual([
      'Instance',
      'Address',
      'Name',
      'Vendor',
      'Model',
      'Point objects',
    ]);
    const rows = await page.$$eval('#scan-found tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    expect(rows).toEqual(
      ahus.map((d) => [
        String(d.bacnet.instance),
        d.bacnet.address,
        d.name,
        profile?.maker,
        profile?.model,
        String(objectNames.length),
      ]),
    );
    expect(await page.getAttribute('#scan-found tbody tr td.objects', 'title')).toBe(
      `${objectNames.length} point objects read of ${objectNames.length + 1} in its object list`,
    );

    const links = page.locator('#scan-drafts a');
    const texts = await links.allTextContents();
    expect(texts[0]).toBe('Download draft: devices/bms-scanned.yaml');
    const profileLink = texts.findIndex((text) => /^Download draft: profiles\/[\w-]+\.yaml$/.test(text));
    expect(profileLink).toBeGreaterThan(0);
    const [devicesDownload] = await Promise.all([page.waitForEvent('download'), links.nth(0).click()]);
    expect(devicesDownload.suggestedFilename()).toBe('bms-scanned.yaml');
    const devicesText = readFileSync(await devicesDownload.path(), 'utf8');
    const draft = parse(devicesText) as {
      devices: { id: string; profile: string; bacnet: { port: string; instance: number; address: string } }[];
    };
    expect(draft.devices.map((d) => d.bacnet)).toEqual(
      ahus.map((d) =>
        expect.objectContaining({ port: 'bms', instance: d.bacnet.instance, address: d.bacnet.address }),
      ),
    );
    // The configured devices' ids are taken: the draft's are others.
    for (const d of draft.devices) expect(ahus.map((a) => a.id)).not.toContain(d.id);
    const [profileDownload] = await Promise.all([
      page.waitForEvent('download'),
      links.nth(profileLink).click(),
    ]);
    const profileText = readFileSync(await profileDownload.path(), 'utf8');
    const drafted = parse(profileText) as { id: string; protocol: string; points: { name: string }[] };
    expect(draft.devices.every((d) => d.profile === drafted.id)).toBe(true);
    expect(drafted.protocol).toBe('bacnet');
    expect(drafted.points.map((p) => p.name).sort()).toEqual([...objectNames].sort());
  });

  it('shows the BACnet/IP form and scan in Chinese', async () => {
    await page.evaluate(() => localStorage.setItem('plantwatch.lang', 'zh'));
    await page.reload();
    await stateIs('done');
    await page.waitForFunction(
      () => !document.querySelector<HTMLOptionElement>('#scan-protocol option[value="bacnet"]')?.disabled,
    );
    await page.selectOption('#scan-protocol', 'bacnet');
    const label = (field: string) =>
      page.$eval(field, (el) => el.closest('label')?.firstChild?.textContent ?? '');
    expect(await label('#scan-protocol')).toBe('协议');
    expect(await label('#scan-port')).toBe('BACnet/IP 端口');
    expect(await label('#scan-addresses')).toBe('设备地址（可选）');
    expect(await label('#scan-instances')).toBe('设备实例号范围（可选）');
    expect(await label('#scan-wait')).toBe('等待 I-Am 应答（毫秒）');
    expect(await page.getAttribute('#scan-addresses', 'placeholder')).toBe(
      '10.1.0.21, 10.1.0.30-40:47809；留空则广播',
    );
    expect(await page.textContent('#scan-state')).toBe('已完成');
    expect(await page.textContent('#scan-count')).toBe('已读取 2 / 2 台应答设备，2 台读出对象');
    expect(await page.$$eval('#scan-found thead th', (ths) => ths.map((th) => th.textContent))).toEqual([
      '实例号',
      '地址',
      '名称',
      '厂商',
      '型号',
      '点位对象',
    ]);
    expect(await page.locator('#scan-drafts a').first().textContent()).toBe(
      '下载配置草稿：devices/bms-scanned.yaml',
    );
    expect(unexpected(pageErrors)).toEqual([]);
  });
});

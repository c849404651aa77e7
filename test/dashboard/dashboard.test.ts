/**
 * The electricians' dashboard in a real browser (Debian's chromium via playwright-core)
 * against the simulated demo plant and a gateway started in-process, login on with the demo
 * accounts: login, overview, room mimics, equipment trends, alarms with acknowledgement, a
 * role that may not acknowledge, logout, connection loss, a phone-sized screen; and, with
 * login off, the on-duty name. Takes a screenshot of each main page (docs/screenshots/ under PLANTWATCH_SCREENSHOTS=1).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlantSimulator, simulatorMqttLogin, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { alarmHarness } from '../alarms/harness.js';
import { hasChromium, launchBrowser, openPage, pageFetch, signIn } from '../helpers/browser.js';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';
import { screenshot } from '../helpers/screenshots.js';
import { startBareWebServer } from '../helpers/web.js';

/** The demo electrician: the journal names the signed-in user. */
const USER = 'electrician';

let demo: DemoConfig;
let config: PlantConfig;
let gateway: Gateway;
let gatewayStopped = false;
let simulator: PlantSimulator;
let browser: Browser;
let page: Page;
let pageErrors: string[];

const simulatorLogin = () => simulatorMqttLogin(config, gateway.mqtt.brokerUrl);

/** A full-page screenshot once the new-alarm flash is over. */
async function shot(name: string, p: Page = page) {
  await p.waitForSelector('body:not(.flash)', { timeout: 5000 });
  await screenshot(p, name);
}

/** Page errors but the 401 of /api/auth/me that a browser not yet signed in gets by design. */
const unexpected = (errors: string[]) =>
  errors.filter((e) => !/status of 401|Failed to load resource|WebSocket|socket\.io/i.test(e));

/** Go to a hash route and wait until the live state has loaded (first resync done). */
async function go(hash: string, p: Page = page) {
  await p.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await p.waitForSelector('#conn.ok');
}

describe.skipIf(!hasChromium())('the dashboard in a real browser', () => {
  beforeAll(async () => {
    demo = await demoConfigCopy({ auth: true });
    config = loadConfig(demo.dir);
    [gateway, browser] = await Promise.all([startGateway({ config, log: silentLogger() }), launchBrowser()]);
    simulator = await startPlantSimulator(config, { log: silentLogger(), mqtt: simulatorLogin() });
    const opened = await openPage(browser);
    page = opened.page;
    pageErrors = opened.errors;
    await page.goto(`${gateway.web.url}/#/`);
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await simulator?.stop();
    if (!gatewayStopped) await gateway?.stop();
    demo?.cleanup();
  });

  it('asks for a login first, refuses a wrong password, and signs in through the page', async () => {
    await page.waitForSelector('#login-user');
    expect(await page.evaluate('location.hash')).toBe('#/login');
    expect(await page.isHidden('header nav')).toBe(true);
    await shot('login.png');
    await page.fill('#login-user', 'electrician');
    await page.fill('#login-password', 'not-the-password');
    await page.click('#login-submit');
    await page.locator('#login-error', { hasText: 'Wrong user name or password.' }).waitFor();
    await signIn(page, 'electrician', 'electrician-demo');
    expect(await page.evaluate('location.hash')).toBe('#/');
    expect(await page.textContent('#who-name')).toBe('Demo electrician');
    expect(await page.textContent('#who-role')).toBe('electrician');
    expect(await page.isHidden('#duty-field')).toBe(true);
    expect(await page.isVisible('#logout')).toBe(true);
  }, 20_000);

  it('shows every room of the plant on the overview, with its status', async () => {
    const rooms = [...new Set(config.devices.map((d) => `${d.site}/${d.building}/${d.room}`))].sort();
    await page.waitForSelector('.tile[data-room]');
    const shown = await page.$$eval('.tile[data-room]', (tiles) =>
      tiles.map((t) => t.getAttribute('data-room')),
    );
    expect(shown.sort()).toEqual(rooms);
    // Once the plant answers, the rooms run: no tile left without data or in comm loss.
    // Polled from here (the page's CSP forbids the eval a string predicate needs), so a tile
    // that never runs is named in the failure.
    await expect
      .poll(
        () =>
          page.$$eval('.tile', (tiles) =>
            tiles
              .filter((t) => !['running', 'stopped'].includes((t as HTMLElement).dataset.status ?? ''))
              .map((t) => `${t.getAttribute('data-room')}: ${(t as HTMLElement).dataset.status}`),
          ),
        { timeout: 20_000, interval: 250 },
      )
      .toEqual([]);
    // The incomers' figure may lag the tiles by a poll: wait for it, do not read it once.
    await page
      .locator('[data-figure="kw"] .fig-value', { hasText: /^[\d,.]+ kW$/ })
      .waitFor({ timeout: 10_000 });
    await shot('overview.png');
  }, 30_000);

  it('shows a value changed at the simulator on the room mimic within a poll period or two', async () => {
    await go('#/room/main/energy-centre/oxygen-station');
    const cell = '[data-point="o2-station.tank_level_pct"] .v';
    await page.waitForSelector(cell);
    const started = Date.now();
    simulator.setValue('o2-station', 'tank_level_pct', 42.5);
    await page.locator(cell, { hasText: /^42\.5 %$/ }).waitFor({ timeout: 6000 });
    const elapsed = Date.now() - started;
    console.log(`simulator change → page: ${elapsed} ms`);
    expect(elapsed).toBeLessThan(6000);
    await shot('room-oxygen-station.png');
    await go('#/room/main/inpatient/dr1');
    await page.waitForSelector('.mimic-svg [data-symbol="incomer"][data-device="dr1-incomer"]');
    expect(await page.locator('.mimic-svg [data-symbol="feeder"]').count()).toBe(4);
    await shot('room-dr1.png');
  }, 20_000);

  it('marks a meter that stops answering as comm error, with its age', async () => {
    simulator.faults.inject('dr1-f2', { type: 'offline' });
    try {
      await page.waitForSelector('[data-point="dr1-f2.power_kw"].q-comm-error', { timeout: 15_000 });
      expect(await page.textContent('[data-point="dr1-f2.power_kw"] .q')).toMatch(/comm error · \d+ s/);
    } finally {
      simulator.faults.clear('dr1-f2');
    }
  }, 20_000);

  it('raises a chiller trip on the alarms page, flashes, and lets the signed-in electrician acknowledge it', async () => {
    await go('#/alarms');
    const cueBefore = await page.evaluate("document.body.dataset.lastCue ?? ''");
    simulator.faults.inject('ch1', { type: 'trip' });
    const row = page.locator('.alarms-active tr[data-alarm="chiller-trip@ch1"]');
    await row.and(page.locator('[data-state="active-unacknowledged"]')).waitFor({ timeout: 15_000 });
    expect(await row.getAttribute('data-priority')).toBe('critical');
    expect(await page.evaluate("document.body.dataset.lastCue ?? ''")).not.toBe(cueBefore);
    // The overview's chiller plant turns to alarm, with one critical alarm counted.
    await shot('alarms.png');
    await row.locator('button.ack').click();
    await page.fill('#action-comment', 'reset on site, checking the oil pressure switch');
    await page.click('#action-submit');
    await page
      .locator('.alarms-active tr[data-alarm="chiller-trip@ch1"][data-state="active-acknowledged"]')
      .waitFor({ timeout: 5000 });
    // The journal names who acknowledged, on the page and in the API.
    await page
      .locator('.alarms-history tr[data-alarm="chiller-trip@ch1"][data-kind="acknowledged"] td.user', {
        hasText: USER,
      })
      .waitFor({ timeout: 5000 });
    const { body: events } = await pageFetch(
      page,
      '/api/alarms/history?alarm=chiller-trip@ch1&kind=acknowledged&from=-1h',
    );
    expect(events.at(-1)).toMatchObject({ user: USER, comment: expect.stringContaining('oil pressure') });
    // The API itself wants a session: without the page's cookie, nothing.
    expect((await fetch(`${gateway.web.url}/api/alarms`)).status).toBe(401);
    await go('#/');
    await page.waitForSelector('.tile[data-room="main/energy-centre/chiller-plant"][data-status="alarm"]');
    await go('#/room/main/energy-centre/chiller-plant');
    await page.waitForSelector('.mimic-svg [data-symbol="chiller"][data-device="ch1"][data-state="tripped"]');
    await shot('room-chiller-plant.png');
  }, 30_000);

  it('shows an energy manager the alarms without acting on them (refused if tried), and signs out to the login', async () => {
    const manager = await openPage(browser);
    try {
      await manager.page.goto(`${gateway.web.url}/#/alarms`);
      await signIn(manager.page, 'manager', 'manager-demo');
      // Back on the page asked for, named with the role.
      expect(await manager.page.evaluate('location.hash')).toBe('#/alarms');
      expect(await manager.page.textContent('#who-role')).toBe('energy manager');
      const row = '.alarms-active tr[data-alarm="chiller-trip@ch1"]';
      await manager.page.waitForSelector(row);
      // The electrician's page offers shelving this acknowledged alarm; the manager's nothing.
      await go('#/alarms');
      await page.waitForSelector(`${row} button.shelve`);
      expect(await manager.page.locator('.alarms-active button').count()).toBe(0);
      expect(await manager.page.isVisible('.view-only')).toBe(true);
      expect(
        await pageFetch(manager.page, '/api/alarms/chiller-trip@ch1/shelve', { reason: 'x', duration: '1h' }),
      ).toEqual({ status: 403, body: { error: 'forbidden' } });
      await manager.page.click('#logout');
      await manager.page.waitForSelector('#login-user');
      expect(await manager.page.evaluate('location.hash')).toBe('#/login');
      expect(await manager.page.isHidden('#banner')).toBe(true);
      expect((await pageFetch(manager.page, '/api/points')).status).toBe(401);
      // The electrician's own session is untouched.
      expect((await pageFetch(page, '/api/points')).status).toBe(200);
      expect(unexpected(manager.errors)).toEqual([]);
    } finally {
      await manager.context.close();
    }
  }, 20_000);

  it("labels a seven-digit counter's trend in full, never cut at the chart's edge", async () => {
    // Axis labels are drawn on a canvas: record each drawn text with where it starts.
    const { context, page: p } = await openPage(browser);
    await context.addInitScript(`
      window.drawnTexts = [];
      const fillText = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text, x, y, maxWidth) {
        const width = this.measureText(String(text)).width;
        const left = this.textAlign === 'right' ? x - width : this.textAlign === 'center' ? x - width / 2 : x;
        window.drawnTexts.push({ text: String(text), left });
        return fillText.call(this, text, x, y, maxWidth);
      };`);
    try {
      await p.goto(`${gateway.web.url}/#/`);
      await signIn(p, 'electrician', 'electrician-demo');
      await go('#/device/dr1-incomer', p);
      await p.waitForSelector('.chart[data-state="ready"] canvas');
      // The meter's counter alone on the chart (its trend opens on its power).
      await p.check('.trend-series input[value="dr1-incomer.energy_kwh"]');
      await p.waitForSelector('.chart[data-state="ready"] canvas');
      await p.uncheck('.trend-series input[value="dr1-incomer.power_kw"]');
      await p.waitForSelector('.chart[data-state="ready"][data-points="dr1-incomer.energy_kwh"] canvas');
      const counter = Number(
        await p
          .textContent('tr[data-point="dr1-incomer.energy_kwh"] td:nth-child(2)')
          .then((t) => t?.replace(/[^\d.]/g, '')),
      );
      expect(counter).toBeGreaterThanOrEqual(1_000_000);
      const labels = (await p.evaluate('window.drawnTexts')) as { text: string; left: number }[];
      // The y axis's tick labels: numbers with a digit group or an SI prefix (the x axis has times).
      const yLabels = labels.filter((l) => /^-?[\d,.]+M?$/.test(l.text) && /\d{3}|M/.test(l.text));
      expect(yLabels.length).toBeGreaterThan(1);
      for (const label of yLabels)
        expect(label.left, `"${label.text}" starts off the canvas`).toBeGreaterThanOrEqual(0);
      // And what they say is the counter's magnitude, not its last digits.
      const read = (text: string) => Number(text.replace(/[,M]/g, '')) * (text.endsWith('M') ? 1e6 : 1);
      expect(Math.max(...yLabels.map((l) => read(l.text)))).toBeGreaterThanOrEqual(counter * 0.5);
    } finally {
      await context.close();
    }
  });

  it('shows an equipment page with current values and a trend over a chosen range', async () => {
    await go('#/device/ch1');
    await page.waitForSelector('table.points tr[data-point="ch1.chw_supply_temp"]');
    await page.waitForSelector('.chart[data-state="ready"] canvas', { timeout: 10_000 });
    await page.click('button.range[data-range="24h"]');
    await page.waitForSelector('button.range.on[data-range="24h"]');
    await page.waitForSelector('.chart[data-state="ready"] canvas');
    await shot('device.png');
    simulator.faults.clear('ch1', 'trip');

    // Live push for this page only: reloaded on the equipment page, the socket (read frame by
    // frame) gets everything until the page's watch, then a snapshot and deltas of ch1 alone.
    const events: [string, { id?: string; info?: { device: string } }[]][] = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        if (typeof payload === 'string' && payload.startsWith('42'))
          events.push(JSON.parse(payload.slice(2)));
      }),
    );
    await page.reload();
    await page.waitForSelector('table.points tr[data-point="ch1.chw_supply_temp"]');
    const isCh1 = (e: (typeof events)[number]) =>
      e[1].every((p) => (p.info?.device ?? p.id?.split('.')[0]) === 'ch1');
    const watched = () => events.findIndex((e) => e[0] === 'snapshot' && e[1].length > 0 && isCh1(e));
    await expect
      .poll(() => events.slice(watched() + 1).filter((e) => e[0] === 'points').length, { timeout: 8000 })
      .toBeGreaterThanOrEqual(2);
    const after = events.slice(watched() + 1).filter((e) => e[0] === 'points' || e[0] === 'snapshot');
    expect(watched()).toBeGreaterThan(0);
    expect(after.filter((e) => !isCh1(e))).toEqual([]);
  }, 20_000);

  it('renders the overview on a phone-sized screen without horizontal scrolling', async () => {
    const phone = await openPage(browser, { viewport: { width: 390, height: 844 } });
    try {
      await phone.page.goto(`${gateway.web.url}/#/`);
      await signIn(phone.page, 'electrician', 'electrician-demo');
      await phone.page.waitForSelector('.tile[data-room]');
      await phone.page.waitForSelector('#conn.ok');
      const { scroll, client } = (await phone.page.evaluate(
        '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
      )) as { scroll: number; client: number };
      expect(scroll).toBeLessThanOrEqual(client);
      await shot('overview-phone.png', phone.page);
      // Bilingual: the toggle switches the labels to Chinese (and is remembered).
      await phone.page.click('#lang');
      expect(await phone.page.textContent('header nav a[href="#/alarms"]')).toBe('报警');
      expect(await phone.page.evaluate("localStorage.getItem('plantwatch.lang')")).toBe('zh');
      expect(unexpected(phone.errors)).toEqual([]);
    } finally {
      await phone.context.close();
    }
  }, 20_000);

  it('shows "connection lost" when the gateway stops', async () => {
    await go('#/');
    const stopping = Date.now();
    await gateway.stop();
    console.log(`gateway stopped in ${Date.now() - stopping} ms`);
    gatewayStopped = true;
    await page.waitForSelector('#banner:not([hidden])', { timeout: 10_000 });
    expect(await page.textContent('#banner')).toMatch(/Connection to the gateway lost/);
    expect(await page.textContent('#conn')).toBe('connection lost');
    expect(unexpected(pageErrors)).toEqual([]);
  }, 15_000);
});

describe.skipIf(!hasChromium())('the dashboard with login off', () => {
  it('has no login page and names the person on duty in the journal', async () => {
    const h = alarmHarness([
      { id: 'trip', profile: 'chiller', type: 'state', point: 'tripped', equals: true, priority: 'critical' },
    ]);
    const web = await startBareWebServer({ alarms: h.service });

    const offBrowser = await launchBrowser();
    try {
      const { page: p, errors } = await openPage(offBrowser);
      await p.goto(`${web.url}/#/alarms`);
      await p.waitForSelector('#conn.ok');
      expect(await p.evaluate('location.hash')).toBe('#/alarms');
      expect(await p.isVisible('#duty-field')).toBe(true);
      expect(await p.isHidden('#who')).toBe(true);
      expect(await p.isHidden('#logout')).toBe(true);
      await p.fill('#duty', 'Li Wei');
      await p.press('#duty', 'Tab');
      h.set('ch2.tripped', true);
      await p.locator('.alarms-active tr[data-alarm="trip@ch2"] button.ack').click();
      await p.click('#action-submit');
      await p.waitForSelector('.alarms-active tr[data-alarm="trip@ch2"][data-state="active-acknowledged"]');
      const events = (await (
        await fetch(`${web.url}/api/alarms/history?alarm=trip@ch2&kind=acknowledged`)
      ).json()) as {
        user: string;
      }[];
      expect(events.map((e) => e.user)).toEqual(['Li Wei']);
      expect(unexpected(errors)).toEqual([]);
    } finally {
      await offBrowser.close();
      await web.stop();
      await h.stop();
    }
  }, 30_000);
});

describe.skipIf(!hasChromium())('the admin page', () => {
  it('shows an admin the users and configuration, adds a user who can then sign in; no Admin link for an electrician', async () => {
    const { DutyRoster } = await import('../../src/notify/index.js');
    const { summarizeConfig } = await import('../../src/web/admin.js');
    const { demoAuth, tempDir } = await import('../auth/harness.js');
    const dir = tempDir();
    const plant = loadConfig('config');
    const roster = new DutyRoster(plant.notify);
    const auth = await demoAuth(dir.dir, silentLogger());
    const alarms = alarmHarness([]);
    const web = await startBareWebServer({
      alarms: alarms.service,
      auth,
      configSummary: () => summarizeConfig(plant, roster.summary(Date.now())),
    });

    const adminBrowser = await launchBrowser();
    try {
      const admin = await openPage(adminBrowser);
      await admin.page.goto(`${web.url}/#/`);
      await signIn(admin.page, 'admin', 'admin-demo');
      await admin.page.click('header nav a[href="#/admin"]');
      await admin.page.waitForSelector('table.users tr[data-user="electrician"]');
      await admin.page.waitForSelector('#config-summary table.cfg-devices td');
      expect(await admin.page.textContent('#config-summary')).toContain('o2-station');
      await admin.page.fill('#new-username', 'li-wei');
      await admin.page.fill('#new-name', 'Li Wei');
      await admin.page.selectOption('#new-role', 'electrician');
      await admin.page.fill('#new-password', 'night-shift-2026');
      await admin.page.click('#add-user-submit');
      await admin.page.waitForSelector('table.users tr[data-user="li-wei"]');
      expect(unexpected(admin.errors)).toEqual([]);

      const li = await openPage(adminBrowser);
      await li.page.goto(`${web.url}/#/`);
      await signIn(li.page, 'li-wei', 'night-shift-2026');
      expect(await li.page.textContent('#who-name')).toBe('Li Wei');
      expect(unexpected(li.errors)).toEqual([]);

      const electrician = await openPage(adminBrowser);
      await electrician.page.goto(`${web.url}/#/`);
      await signIn(electrician.page, 'electrician', 'electrician-demo');
      expect(await electrician.page.isHidden('header nav a[href="#/admin"]')).toBe(true);
      await electrician.page.evaluate('location.hash = "#/admin"');
      await electrician.page.locator('main p.none', { hasText: 'Only an administrator' }).waitFor();
      expect(await electrician.page.locator('table.users').count()).toBe(0);
    } finally {
      await adminBrowser.close();
      await web.stop();
      await alarms.stop();
      auth.close();
      dir.remove();
    }
  }, 45_000);
});

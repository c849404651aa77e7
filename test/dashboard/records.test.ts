/**
 * The Records pages in a real browser (Debian's chromium via playwright-core) against the
 * simulated demo plant and a gateway started in-process, login on, the demo maintenance plan
 * kept: a hotline work order through accept → on site → complete with its times, history and
 * the team's KPIs; a work order from a chiller trip; a shift handover accepted by another
 * user (and refused to its author); maintenance recorded done; a role that may only read; the
 * printed operation log. Takes a screenshot of each tab (docs/screenshots/records-*.png under PLANTWATCH_SCREENSHOTS=1).
 */
import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlantSimulator, simulatorMqttLogin, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { hasChromium, launchBrowser, openPage, pageFetch, signIn } from '../helpers/browser.js';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';
import { screenshot } from '../helpers/screenshots.js';

/** A date and time as the records print them. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/;
/** A time the same day: "14:05" (or with its date when the day changed in between). */
const TIME = /^(\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}$/;

let demo: DemoConfig;
let config: PlantConfig;
let gateway: Gateway;
let simulator: PlantSimulator;
let browser: Browser;
let page: Page;
let pageErrors: string[];

async function shot(name: string, p: Page = page) {
  await p.waitForSelector('body:not(.flash)', { timeout: 5000 });
  await p.evaluate(
    "window.scrollTo(0, 0); for (const el of document.querySelectorAll('.scroll')) el.scrollLeft = 0;",
  );
  await screenshot(p, name);
}

/** A new signed-in page of its own (own cookies). */
async function pageAs(username: string, password: string, hash: string) {
  const opened = await openPage(browser);
  await opened.page.goto(`${gateway.web.url}/${hash}`);
  await signIn(opened.page, username, password);
  await opened.page.waitForFunction((wanted) => location.hash === wanted, hash);
  return opened;
}

/** notify.yaml's zone: the plant's clocks. */
const PLANT_ZONE = 'Asia/Shanghai';
/** An instant as a record prints it, on the plant's clock. */
const plantDateTime = (ts: number) =>
  DateTime.fromMillis(ts, { zone: PLANT_ZONE }).toFormat('yyyy-MM-dd HH:mm');

const unexpected = (errors: string[]) =>
  errors.filter(
    (e) => !/status of 40[19]|status of 400|Failed to load resource|WebSocket|socket\.io/i.test(e),
  );

async function go(hash: string, p: Page = page) {
  await p.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await p.waitForSelector(`.records-tabs a.on[href="${hash}"]`);
  await p.waitForSelector('#conn.ok');
}

describe.skipIf(!hasChromium())('the records pages in a real browser', () => {
  beforeAll(async () => {
    demo = await demoConfigCopy({ auth: true, maintenance: true });
    config = loadConfig(demo.dir);
    [gateway, browser] = await Promise.all([startGateway({ config, log: silentLogger() }), launchBrowser()]);
    simulator = await startPlantSimulator(config, {
      log: silentLogger(),
      mqtt: simulatorMqttLogin(config, gateway.mqtt.brokerUrl),
    });
    const opened = await openPage(browser);
    page = opened.page;
    pageErrors = opened.errors;
    await page.goto(`${gateway.web.url}/#/records/work-orders`);
    await signIn(page, 'electrician', 'electrician-demo');
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await simulator?.stop();
    await gateway?.stop();
    demo?.cleanup();
  });

  it('takes a hotline call through accept, on site and complete, with its times, history and team KPIs', async () => {
    await go('#/records/work-orders');
    await page.click('details.wo-new > summary');
    await page.fill('#wo-new-title', 'Booster pump 1 noisy bearing');
    await page.fill('#wo-new-description', 'Ward 5 reports a grinding noise from the pump room');
    await page.fill('#wo-new-reporter', 'Nurse Chen, ward 5, ext. 3305');
    await page.selectOption('#wo-new-device', 'pbw1');
    await page.selectOption('#wo-new-priority', 'high');
    await page.click('#wo-new-submit');
    const order = page.locator('tbody.wo-order', { hasText: 'Booster pump 1 noisy bearing' });
    await order.and(page.locator('[data-status="open"]')).waitFor();
    const number = (await order.locator('.wo-number').textContent())?.trim() ?? '';
    expect(number).toMatch(/^WO-\d{4}-\d{6}$/);
    // Each step as the electrician takes it; the buttons follow the status.
    await order.locator('button.wo-accept').click();
    await order.and(page.locator('[data-status="accepted"]')).waitFor();
    expect(await order.locator('button.wo-accept').count()).toBe(0);
    await order.locator('button.wo-arrive').click();
    await order.and(page.locator('[data-status="on-site"]')).waitFor();
    await order.locator('button.wo-complete').click();
    // The resolution is required: an empty one is not sent.
    await page.click('#records-dialog-submit');
    expect(await page.evaluate("document.querySelector('#rd-resolution').validity.valueMissing")).toBe(true);
    expect(await page.isVisible('dialog.records-dialog')).toBe(true);
    expect(await order.getAttribute('data-status')).toBe('on-site');
    await page.fill('#rd-resolution', 'Bearing greased, noise gone; replacement ordered');
    await page.click('#records-dialog-submit');
    await order.and(page.locator('[data-status="completed"]')).waitFor();
    // Each step's time: the full date and time created, the later ones the same day as a time.
    expect(await order.locator('td.t-created').textContent()).toMatch(DATE_TIME);
    const steps = ['t-created', 't-accepted', 't-arrived', 't-completed'];
    for (const cell of steps.slice(1)) expect(await order.locator(`td.${cell}`).textContent()).toMatch(TIME);
    const times = await Promise.all(
      steps.map(async (c) =>
        Date.parse((await order.locator(`td.${c} time`).getAttribute('datetime')) ?? ''),
      ),
    );
    expect(times.every((t, i) => Number.isFinite(t) && (i === 0 || t >= (times[i - 1] as number)))).toBe(
      true,
    );
    expect(await order.locator('button.wo-complete').count()).toBe(0);
    const history = order.locator('table.wo-history tbody tr');
    expect(await history.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))).toEqual([
      'created',
      'accepted',
      'arrived',
      'completed',
    ]);
    expect(await order.locator('table.wo-history tr[data-action="completed"] td.user').textContent()).toBe(
      'electrician',
    );
    expect(await order.locator('.wo-facts').textContent()).toContain('Bearing greased');
    // The order's team (pumps: water and air-conditioning), this month: one completed.
    const { body: saved } = await pageFetch(page, `/api/work-orders?limit=5`);
    expect(saved.find((o: { number: string }) => o.number === number)).toMatchObject({
      status: 'completed',
      completedBy: 'electrician',
      team: 'water-ac',
    });
    // The only order of that team so far: one row (its month in the plant's calendar).
    const kpi = page.locator('table.wo-kpis tr[data-team="water-ac"]');
    await kpi.locator('td[data-kpi="completed"]', { hasText: /^1$/ }).waitFor();
    expect(await kpi.count()).toBe(1);
    expect(await kpi.locator('td[data-kpi="open"]').textContent()).toBe('0');
    expect(await page.getAttribute('#wo-kpi-csv a.csv', 'href')).toMatch(
      /^\/api\/work-orders\/kpis\?.*format=csv/,
    );
    await shot('records-work-orders.png');
  }, 30_000);

  it('opens a work order from a chiller trip, carrying the alarm message; a second one is refused', async () => {
    await go('#/records/work-orders');
    simulator.faults.inject('ch1', { type: 'trip' });
    try {
      await page.waitForSelector('#wo-alarm option[value="chiller-trip@ch1"]', {
        state: 'attached',
        timeout: 15_000,
      });
      const { body: alarm } = await pageFetch(page, '/api/alarms/chiller-trip@ch1');
      expect(alarm.message).toBeTruthy();
      await page.click('details.wo-from-alarm > summary');
      await page.selectOption('#wo-alarm', 'chiller-trip@ch1');
      await page.click('#wo-alarm-submit');
      const order = page.locator('tbody.wo-order', { hasText: alarm.message });
      await order.first().waitFor();
      expect(await order.count()).toBe(1);
      expect(await order.locator('td.wo-title > span').textContent()).toBe(alarm.message);
      expect(await order.locator('.wo-facts').textContent()).toContain('chiller-trip@ch1');
      expect(await order.locator('.pill').textContent()).toBe('critical');
      // One alarm opens one order.
      await page.click('details.wo-from-alarm > summary');
      await page.selectOption('#wo-alarm', 'chiller-trip@ch1');
      await page.click('#wo-alarm-submit');
      await page
        .locator('details.wo-from-alarm .action-error', { hasText: /already has work order WO-/ })
        .waitFor();
      expect(await order.count()).toBe(1);
    } finally {
      simulator.faults.clear('ch1', 'trip');
    }
  }, 30_000);

  it('hands the shift over: its author may not accept it, another user does', async () => {
    await go('#/records/handover');
    await page.waitForSelector('#ho-team option', { state: 'attached' });
    const team = await page.inputValue('#ho-team');
    await page.waitForSelector('.ho-status[data-state="none"]');
    await page.fill(
      '#ho-notes',
      'Chiller 1 tripped at the start of the shift; reset, oil pressure switch to check.',
    );
    await page.click('#ho-submit');
    await page.waitForSelector('.ho-status[data-state="submitted"]');
    expect(await page.textContent('.ho-status')).toContain('electrician');
    // The author's own handover waits, and the server refuses that they accept it.
    const own = page.locator('.ho-card[data-outgoing="electrician"]');
    await own.locator('button.ho-accept-button').click();
    await own.locator('.action-error', { hasText: /cannot also accept it/ }).waitFor();
    await shot('records-handover.png');

    const admin = await pageAs('admin', 'admin-demo', '#/records/handover');
    try {
      await admin.page.waitForSelector('#ho-team option', { state: 'attached' });
      expect(await admin.page.inputValue('#ho-team')).toBe(team);
      const card = admin.page.locator('.ho-card[data-outgoing="electrician"]');
      expect(await card.locator('.ho-notes').textContent()).toContain('oil pressure switch');
      await card.locator('input.ho-accept-comment').fill('Read and taken over');
      await card.locator('button.ho-accept-button').click();
      await admin.page.waitForSelector('.ho-status[data-state="accepted"]');
      expect(await admin.page.textContent('.ho-accepted-by')).toMatch(/^accepted by admin at /);
      expect(await admin.page.locator('.ho-card').count()).toBe(0);
      const row = admin.page.locator('table.ho-past tr[data-state="accepted"]').first();
      expect(await row.locator('td.user').textContent()).toBe('electrician');
      expect(await row.locator('td.incoming').textContent()).toBe('admin');
      expect(await row.textContent()).toContain('Read and taken over');
      // Accepted is final: no more submitting for this shift.
      expect(await admin.page.isHidden('form.ho-form')).toBe(true);
      expect(unexpected(admin.errors)).toEqual([]);
    } finally {
      await admin.context.close();
    }
  }, 30_000);

  it('lists an overdue task and records it done: then ok, and the record names who did it', async () => {
    // Booster pump 1: every 3000 run hours from 0; its counter is in the tens of thousands.
    await expect
      .poll(
        async () =>
          (await pageFetch(page, '/api/maintenance')).body.find(
            (s: { task: { id: string } }) => s.task.id === 'pbw1-service',
          )?.state,
        { timeout: 15_000 },
      )
      .toBe('overdue');
    await go('#/records/maintenance');
    const row = page.locator('table.mt-tasks tr[data-task="pbw1-service"]');
    await row.and(page.locator('[data-state="overdue"]')).waitFor();
    expect(await row.locator('.mt-badge').textContent()).toBe('OVERDUE');
    // Colour for overdue only: an ok task's badge is plain.
    const colours = await page.evaluate(`(() => {
      const bg = (sel) => getComputedStyle(document.querySelector(sel)).backgroundColor;
      return { overdue: bg('tr[data-state="overdue"] .mt-badge'), ok: document.querySelector('tr[data-state="ok"] .mt-badge') ? bg('tr[data-state="ok"] .mt-badge') : null };
    })()`);
    expect(colours).toMatchObject({ overdue: 'rgb(208, 32, 27)' });
    if ((colours as { ok: string | null }).ok !== null)
      expect((colours as { ok: string }).ok).toBe('rgba(0, 0, 0, 0)');
    await shot('records-maintenance.png');
    await row.locator('button.mt-done').click();
    const hours = Number(await page.inputValue('#rd-runHours'));
    expect(hours).toBeGreaterThan(3000);
    await page.fill('#rd-notes', 'Bearings greased, seal checked');
    await page.click('#records-dialog-submit');
    await row.and(page.locator('[data-state="ok"]')).waitFor();
    const record = page.locator('table.mt-history tr[data-task="pbw1-service"]').first();
    await record.waitFor();
    expect(await record.locator('td.user').textContent()).toBe('electrician');
    expect(await record.textContent()).toContain('Bearings greased');
  }, 30_000);

  it('shows an energy manager the records without any action, and the server refuses one', async () => {
    const manager = await pageAs('manager', 'manager-demo', '#/records/work-orders');
    try {
      const p = manager.page;
      await p.waitForSelector('tbody.wo-order');
      expect(await p.isVisible('.view-only')).toBe(true);
      expect(await p.locator('.records-forms, td.actions button').count()).toBe(0);
      // Where the forms would be, nothing: no stray text such as "null" either.
      expect(
        await p.evaluate(
          "[...document.querySelector('.records-body').childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent)",
        ),
      ).toEqual([]);
      await go('#/records/handover', p);
      await p.waitForSelector('.ho-status');
      expect(await p.locator('#ho-submit, button.ho-accept-button').count()).toBe(0);
      await go('#/records/maintenance', p);
      await p.waitForSelector('table.mt-tasks tr[data-task]');
      expect(await p.locator('button.mt-done').count()).toBe(0);
      // The same rights as the electrician's page would offer are refused by the server.
      expect((await pageFetch(p, '/api/work-orders', { title: 'x' })).status).toBe(403);
      // 简体中文 too.
      await p.click('#lang');
      await p.locator('.records-tabs a.on', { hasText: '维护保养' }).waitFor();
      await p.locator('table.mt-tasks th', { hasText: '项目' }).waitFor();
      // Configured names in their Chinese variant: the task, its equipment, the team, the room.
      const task = p.locator('table.mt-tasks tr[data-task="ch1-annual-service"]');
      await task.waitFor();
      expect(await task.locator('td').nth(1).textContent()).toMatch(/^1号冷水机组年度保养/);
      expect(await task.locator('a[href="#/device/ch1"]').textContent()).toBe('1号冷水机组');
      await go('#/records/handover', p);
      await p.locator('#ho-team option', { hasText: '值班电工' }).waitFor({ state: 'attached' });
      await go('#/records/assets', p);
      const asset = p.locator('table.assets tr[data-device="ch1"]');
      await asset.waitFor();
      expect(await asset.textContent()).toContain('1号冷水机组');
      expect(await asset.textContent()).toContain('冷冻站');
      // Its class too ("chiller" is the profile's identifier, not a word to show).
      expect(await asset.locator('td').nth(2).textContent()).toBe('冷水机组');
      expect(unexpected(manager.errors)).toEqual([]);
    } finally {
      await manager.context.close();
    }
  }, 30_000);

  it('prints the operation log one equipment per page, with header and signature lines and no menu', async () => {
    await go('#/records/log');
    await page.selectOption('#log-scope', 'room:main/energy-centre/chiller-plant');
    await page.click('#log-show');
    await page.waitForSelector('article.oplog[data-device="ch1"] table.oplog-values tbody tr');
    const devices = config.devices.filter((d) => d.room === 'chiller-plant' && d.enabled).map((d) => d.id);
    expect(
      await page.locator('article.oplog').evaluateAll((els) => els.map((e) => e.getAttribute('data-device'))),
    ).toEqual(expect.arrayContaining(devices));
    const ch1 = page.locator('article.oplog[data-device="ch1"]');
    expect(await ch1.locator('.oplog-site').textContent()).toContain('Main Hospital');
    expect(await ch1.locator('table.oplog-alarms tr[data-alarm="chiller-trip@ch1"]').count()).toBe(1);
    // On screen: the menu, no signature lines.
    expect(await page.isVisible('header.top nav')).toBe(true);
    expect(await ch1.locator('.oplog-signatures').isVisible()).toBe(false);
    await shot('records-log.png');

    await page.emulateMedia({ media: 'print' });
    try {
      expect(await page.isVisible('header.top nav')).toBe(false);
      expect(await page.isVisible('.records-tabs')).toBe(false);
      expect(await page.isVisible('#log-print')).toBe(false);
      expect(await ch1.locator('.oplog-head').isVisible()).toBe(true);
      expect(await ch1.locator('.oplog-shift').textContent()).toMatch(/shift|holiday/);
      expect((await ch1.locator('.printed-at').textContent())?.trim()).toMatch(DATE_TIME);
      expect(await ch1.locator('.oplog-signatures').isVisible()).toBe(true);
      expect(await ch1.locator('.oplog-signatures .sig-label').allTextContents()).toEqual([
        'Operator',
        'Shift lead',
      ]);
      // A page per equipment.
      expect(
        await page.evaluate(
          `getComputedStyle(document.querySelector('article.oplog[data-device="ch1"]')).breakAfter`,
        ),
      ).toBe('page');
      await screenshot(page, 'records-log-print.png');
      // Printed at night from the dark theme: still black on white paper.
      await page.evaluate("document.documentElement.dataset.theme = 'dark'");
      const colours = await page.evaluate(`(() => {
        const style = (sel) => getComputedStyle(document.querySelector(sel));
        const cell = 'article.oplog[data-device="ch1"] table.oplog-values td';
        return {
          title: style('article.oplog[data-device="ch1"] .oplog-title').color,
          cell: style(cell).color,
          table: style('article.oplog[data-device="ch1"] table.oplog-values').backgroundColor,
          page: style('body').backgroundColor,
        };
      })()`);
      expect(colours).toEqual({
        title: 'rgb(0, 0, 0)',
        cell: 'rgb(0, 0, 0)',
        table: 'rgb(255, 255, 255)',
        page: 'rgb(255, 255, 255)',
      });
    } finally {
      await page.evaluate('delete document.documentElement.dataset.theme');
      await page.emulateMedia({ media: 'screen' });
    }
  }, 30_000);

  it("prints the plant's times on a PC whose clock is set to another zone", async () => {
    // A control-room PC left on New York time: the records are read by the plant's clocks.
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'en-GB',
      timezoneId: 'America/New_York',
    });
    try {
      const p = await context.newPage();
      p.setDefaultTimeout(10_000);
      await p.goto(`${gateway.web.url}/#/records/handover`);
      await signIn(p, 'electrician', 'electrician-demo');
      await p.waitForSelector('.ho-shift-times');
      const { body: current } = await pageFetch(p, '/api/handovers/current');
      expect(await p.textContent('.ho-shift-times')).toBe(
        `${plantDateTime(current.shift.from)} – ${plantDateTime(current.shift.to)}`,
      );
      const { body: order } = await pageFetch(p, '/api/work-orders', {
        title: 'Lift 3 door sensor',
        device: 'ch1',
      });
      await go('#/records/work-orders', p);
      const row = p.locator(`tbody.wo-order[data-order="${order.id}"]`);
      expect(await row.locator('td.t-created').textContent()).toBe(plantDateTime(order.createdAt));
      // Dates are the plant's calendar: done on 2 November there (config lastDone), not on the 1st.
      await go('#/records/maintenance', p);
      const task = p.locator('table.mt-tasks tr[data-task="ch2-annual-service"]');
      expect(await task.locator('td').nth(4).textContent()).toMatch(/^2025-11-02/);
      // A time typed in is the plant's wall clock too.
      await p.locator('table.mt-tasks tr[data-task="dr2-thermography"] button.mt-done').click();
      await p.fill('#rd-at', '2026-12-01T09:30');
      await p.click('#records-dialog-submit');
      const done = p.locator('table.mt-history tr[data-task="dr2-thermography"]').first();
      await done.waitFor();
      const { body: history } = await pageFetch(p, '/api/maintenance/history?task=dr2-thermography');
      expect(plantDateTime(history[0].doneAt)).toBe('2026-12-01 09:30');
      expect(await done.locator('td').first().textContent()).toBe('2026-12-01 09:30');
      // The equipment by its name, as in the task list (not its id).
      expect(await done.locator('td').nth(2).textContent()).toBe('DR2 Incomer');
    } finally {
      await context.close();
    }
  }, 30_000);

  it('fits every tab to a phone: no sideways scrolling of the page, wide tables scroll in place', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      locale: 'zh-CN',
      isMobile: true,
    });
    try {
      const p = await phone.newPage();
      p.setDefaultTimeout(10_000);
      await p.goto(`${gateway.web.url}/#/records/work-orders`);
      await signIn(p, 'electrician', 'electrician-demo');
      const wide: string[] = [];
      for (const tab of ['work-orders', 'handover', 'maintenance', 'log', 'assets']) {
        await go(`#/records/${tab}`, p);
        await p.waitForSelector('.records-body > *');
        await p.waitForTimeout(300);
        const overflow = await p.evaluate(
          '(() => { const e = document.scrollingElement; return e.scrollWidth - e.clientWidth; })()',
        );
        if ((overflow as number) > 0) wide.push(`${tab}: ${overflow} px`);
      }
      expect(wide).toEqual([]);
    } finally {
      await phone.close();
    }
  }, 30_000);

  it('lists the asset ledger with its CSV and a sheet of QR labels that link to each equipment', async () => {
    await go('#/records/assets');
    await page.waitForSelector('table.assets tr[data-device="ch1"]');
    expect(await page.textContent('table.assets tr[data-device="ch1"] td.asset-number')).toBe('EC-CH-001');
    expect(await page.getAttribute('.ledger a.csv', 'href')).toBe('/api/assets?format=csv');
    await shot('records-assets.png');
    // Printing is stubbed: the sheet is what is checked here.
    await page.evaluate('window.print = () => { document.body.dataset.printed = "yes"; }');
    await page.click('#labels-open');
    const label = page.locator('.asset-label[data-device="ch1"]');
    await label.waitFor();
    expect(await label.textContent()).toContain('EC-CH-001');
    expect(await label.locator('a.qr').getAttribute('href')).toMatch(/\/#\/device\/ch1$/);
    await page.waitForFunction(
      `document.querySelector('.asset-label[data-device="ch1"] img').naturalWidth > 0`,
    );
    await page.waitForSelector('body[data-printed="yes"]');
    expect(await page.isHidden('table.assets')).toBe(true);
    await shot('records-labels.png');
    // On paper: the labels alone (their image carries the text), no menu.
    await page.emulateMedia({ media: 'print' });
    try {
      expect(await label.locator('img').isVisible()).toBe(true);
      expect(await label.locator('figcaption').isVisible()).toBe(false);
      expect(await page.isVisible('header.top')).toBe(false);
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
    expect(unexpected(pageErrors)).toEqual([]);
  }, 30_000);
});

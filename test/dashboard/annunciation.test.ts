/**
 * Audible annunciation in a real browser (ISA-18.2): an unacknowledged alarm of a sounding
 * priority repeats its priority's tone until acknowledged or silenced; a new alarm sounds again
 * after a silence; priorities not configured to sound stay quiet; and a browser that blocks
 * sound (Chromium's autoplay policy: no sound before the page is clicked, so none after a
 * reload) is announced in the header, where one click enables it. The tests that need sound
 * allowed from the start launch chromium with --autoplay-policy=no-user-gesture-required. Tones are counted by wrapping AudioContext.prototype.createOscillator: one
 * oscillator per pulse, with the pulse's frequency (critical 960 Hz × 3, high 740 Hz × 2).
 */
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, launchBrowser, openPage } from '../helpers/browser.js';
import { styleOf } from './shell-browser.js';
import { type ShellRig, startShellRig } from './shell-rig.js';

/** Every oscillator the page creates, with when and at what pitch. */
const RECORD_TONES = `
  window.tones = [];
  const create = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    const osc = create.call(this);
    const tone = { at: Date.now(), osc };
    window.tones.push(tone);
    return osc;
  };`;

type Tone = { at: number; hz: number };
const tones = (p: Page) =>
  p.evaluate('window.tones.map((t) => ({ at: t.at, hz: t.osc.frequency.value }))') as Promise<Tone[]>;
/** Pulses of one pitch since a moment. */
const pulses = async (p: Page, hz: number, since = 0) =>
  (await tones(p)).filter((t) => t.hz === hz && t.at >= since).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CRITICAL = 960;
const HIGH = 740;

describe.skipIf(!hasChromium())('audible annunciation', () => {
  let rig: ShellRig;
  /** Sound allowed without a click. */
  let allowed: Browser;
  /** Chromium's own autoplay policy. */
  let strict: Browser;
  beforeAll(async () => {
    [rig, strict, allowed] = await Promise.all([
      startShellRig(),
      launchBrowser(),
      chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
      }),
    ]);
  });
  afterAll(async () => {
    await allowed?.close();
    await strict?.close();
    await rig?.stop();
  });
  afterEach(() => {
    for (const id of ['ch1.tripped', 'ch2.tripped']) rig.set(id, false);
    rig.set('p1.outlet_pressure_bar', 4.2);
    rig.set('ch1.chw_supply_temp', 7);
  });

  async function open(browser: Browser) {
    const opened = await openPage(browser, { storage: { 'plantwatch.duty': 'Li Wei' } });
    await opened.context.addInitScript(RECORD_TONES);
    await opened.page.goto(`${rig.url}/#/alarms`);
    await opened.page.waitForSelector('#conn.ok');
    return opened;
  }

  it('repeats the critical tone until the alarm is acknowledged', async () => {
    const { page, context } = await open(allowed);
    try {
      expect(await page.textContent('#mute')).toBe('Sound on');
      rig.set('ch1.tripped', true);
      await expect.poll(() => pulses(page, CRITICAL), { timeout: 3000 }).toBeGreaterThanOrEqual(3);
      expect(await page.isVisible('#silence')).toBe(true);
      // The rig repeats every 1.5 s: three tones (nine pulses) within about 3.5 s.
      await expect.poll(() => pulses(page, CRITICAL), { timeout: 5000 }).toBeGreaterThanOrEqual(9);
      await page.locator('.alarms-active tr[data-alarm="trip@ch1"] button.ack').click();
      await page.click('#action-submit');
      await page.waitForSelector(
        '.alarms-active tr[data-alarm="trip@ch1"][data-state="active-acknowledged"]',
      );
      const acknowledged = Date.now();
      await sleep(3500);
      expect(await pulses(page, CRITICAL, acknowledged + 300)).toBe(0);
      expect(await page.isHidden('#silence')).toBe(true);
    } finally {
      await context.close();
    }
  }, 30_000);

  it("sounds each priority's own tone, stops on Silence, sounds again for a new alarm, never for a quiet priority", async () => {
    const { page, context } = await open(allowed);
    try {
      rig.set('p1.outlet_pressure_bar', 2); // high
      await expect.poll(() => pulses(page, HIGH), { timeout: 3000 }).toBeGreaterThanOrEqual(2);
      expect(await pulses(page, CRITICAL)).toBe(0);
      await page.click('#silence');
      const silenced = Date.now();
      await sleep(3500);
      expect(await pulses(page, HIGH, silenced + 300)).toBe(0);
      // Medium does not sound in this configuration (critical and high do).
      rig.set('ch1.chw_supply_temp', 12);
      await page.waitForSelector('.alarms-active tr[data-alarm="chw-warm@ch1"]');
      await sleep(2000);
      expect((await tones(page)).filter((t) => t.at > silenced + 300)).toEqual([]);
      // A new critical alarm after the silence sounds at once.
      rig.set('ch2.tripped', true);
      await expect.poll(() => pulses(page, CRITICAL, silenced), { timeout: 3000 }).toBeGreaterThanOrEqual(3);
    } finally {
      await context.close();
    }
  }, 30_000);

  it('says so when the browser blocks sound after a reload, and one click enables it', async () => {
    const { page, context } = await open(strict);
    try {
      // Clicked once, sound works; then the page is reloaded with a critical alarm standing.
      await page.click('h1');
      await page.locator('#mute', { hasText: 'Sound on' }).waitFor();
      rig.set('ch1.tripped', true);
      await page.waitForSelector('.alarms-active tr[data-alarm="trip@ch1"]');
      await page.reload();
      await page.waitForSelector(
        '.alarms-active tr[data-alarm="trip@ch1"][data-state="active-unacknowledged"]',
      );
      const mute = page.locator('#mute');
      await mute.and(page.locator('[data-state="blocked"]')).waitFor();
      expect(await mute.textContent()).toBe('Sound blocked — click to enable');
      // Red, like the alarm it cannot sound.
      const background = await styleOf(mute, 'backgroundColor');
      expect(background).toMatch(/^rgb\((2\d\d|1[89]\d), \d{1,2}, \d{1,2}\)$/);
      await sleep(2000);
      expect(await pulses(page, CRITICAL)).toBe(0);
      await mute.click();
      await page.locator('#mute', { hasText: 'Sound on' }).waitFor();
      await expect.poll(() => pulses(page, CRITICAL), { timeout: 3000 }).toBeGreaterThanOrEqual(3);
    } finally {
      await context.close();
    }
  }, 30_000);
});

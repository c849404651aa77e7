/**
 * 中文 throughout: a Chromium page set to Chinese visits every page of the dashboard — sign-in,
 * overview, each room, equipment pages, alarms, each records and energy tab, admin — with the
 * simulated demo plant behind it, and lists every visible text with an English word in it.
 * Allowed: the words of the short ALLOWED list below (units, protocol and brand names, file
 * formats) and the configuration's identifiers (device, point, rule ids, asset numbers: what a
 * technician types or reads off a label). Anything else fails the test, named with its page.
 * PENDING lists, apart, what is known to be left to translate: it must shrink, never grow, and
 * an entry that no longer shows fails too, so the list stays true.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlantSimulator, simulatorMqttLogin, startPlantSimulator } from '../../simulators/index.js';
import { DEMO_ACCOUNTS } from '../../src/auth/seed.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { roomKinds } from '../../src/config/schema.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { WEBHOOK_FORMATS } from '../../src/notify/channels/webhook.js';
import { alarmLink } from '../../src/notify/compose.js';
import { hasChromium, launchBrowser, openPage, signIn } from '../helpers/browser.js';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';
import { screenshot } from '../helpers/screenshots.js';

/**
 * English that belongs on a Chinese page: units, protocols and standards, brands, file formats.
 * Compared case-sensitively, word by word.
 */
const ALLOWED = new Set([
  // the product
  'Plantwatch',
  // units (kWh, kvar, kVA, bar, m³/h, °C ... are what the meters and nameplates say)
  'kWh',
  'MWh',
  'kvar',
  'kVA',
  'kWh/m²',
  'bar',
  'kPa',
  'mmol/L',
  'CO2e',
  'COP',
  // protocols, buses, standards and equipment abbreviations used as such in Chinese
  'Modbus',
  'BACnet',
  'BACnet/IP',
  'MQTT',
  'TCP',
  'RTU',
  'PLC',
  'LED',
  'ICU',
  'MRI',
  'ISA',
  // file formats and labels
  'CSV',
  'PDF',
  'QR',
  'JSON',
  // the stores' product names
  'SQLite',
  'InfluxDB',
  // the language toggle offers English in English
  'English',
  // an expression rule's condition is shown as written in alarms.yaml (a formula, not prose)
  'max',
  'min',
  'abs',
  'and',
  'not',
]);

/** Texts shown whole as people typed them: the demo accounts' own display names. */
const PEOPLES_OWN = new Set(DEMO_ACCOUNTS.map((a) => a.name));

/**
 * Left to translate when this test was written, by page and word ("<page>: <word>"): each entry
 * is a string someone still has to put through t() or a configured Chinese name.
 */
const PENDING = new Set<string>([]);

let demo: DemoConfig;
let config: PlantConfig;
let gateway: Gateway;
let simulator: PlantSimulator;
let browser: Browser;
let page: Page;

/** The configuration's identifiers: shown as they are (ids, point names, asset numbers). */
function identifiers(c: PlantConfig): Set<string> {
  const ids = new Set<string>([...roomKinds]);
  for (const site of c.sites) {
    ids.add(site.id);
    for (const b of site.buildings) {
      ids.add(b.id);
      for (const r of b.rooms) ids.add(r.id);
    }
  }
  for (const d of c.devices) {
    ids.add(d.id);
    ids.add(d.profile);
    for (const v of Object.values(d.asset ?? {})) if (typeof v === 'string') ids.add(v);
  }
  for (const p of c.profiles.values()) {
    ids.add(p.id);
    ids.add(p.equipment);
    for (const pt of p.points) ids.add(pt.name);
    if (p.maker) ids.add(p.maker);
    if (p.model) ids.add(p.model);
  }
  for (const l of c.lines) ids.add(l.id);
  for (const port of c.gateway.bacnet?.ports ?? []) ids.add(port.id);
  for (const r of c.alarms.rules) {
    ids.add(r.id);
    // An expression's input names: the variables of its formula.
    if (r.type === 'expression') for (const input of Object.keys(r.inputs)) ids.add(input);
  }
  for (const d of c.derived) ids.add(d.name);
  for (const t of c.notify.teams) ids.add(t.id);
  for (const p of c.notify.people) ids.add(p.id);
  for (const level of Object.keys(c.notify.levels)) ids.add(level);
  for (const hook of c.notify.channels.webhooks) ids.add(hook.id);
  const broker = c.gateway.mqtt?.broker;
  if (broker?.mode === 'embedded') for (const u of broker.users) ids.add(u.username);
  for (const a of DEMO_ACCOUNTS) ids.add(a.username);
  // Values of the configuration's keys shown as written: webhook formats, transports, protocols.
  for (const value of [
    ...WEBHOOK_FORMATS,
    'tcp',
    'rtu',
    'rtu-over-tcp',
    'modbus',
    'mqtt',
    'bacnet',
    'bacnet-ip',
  ])
    ids.add(value);
  for (const t of c.maintenance.tasks) ids.add(t.id);
  ids.add(c.gateway.gateway.name);
  return ids;
}

/** Every visible text on the page (and placeholders), with where it is. */
async function visibleTexts(p: Page): Promise<{ text: string; where: string }[]> {
  return p.evaluate(() => {
    const whereOf = (el: Element): string => {
      const parts: string[] = [];
      for (let e: Element | null = el; e && parts.length < 3 && e !== document.body; e = e.parentElement) {
        const cls = [...e.classList]
          .slice(0, 2)
          .map((c) => `.${c}`)
          .join('');
        parts.unshift(`${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${cls}`);
        if (e.id) break;
      }
      return parts.join(' > ');
    };
    const shown = (el: Element): boolean => {
      const select = el.closest('select');
      return (select ?? el).checkVisibility({ checkVisibilityCSS: true });
    };
    const out: { text: string; where: string }[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim() ?? '';
      const el = node.parentElement;
      if (!text || !el || el.closest('script, style, noscript, template')) continue;
      if (shown(el)) out.push({ text, where: whereOf(el) });
    }
    for (const el of document.querySelectorAll('[placeholder]'))
      if (shown(el)) out.push({ text: el.getAttribute('placeholder') ?? '', where: whereOf(el) });
    return out;
  });
}

/**
 * The English words of a text: runs of three or more Latin letters that are not an identifier,
 * an allowed word, an e-mail address, a web address or a time zone name.
 */
function englishWords(text: string, ids: ReadonlySet<string>): string[] {
  if (PEOPLES_OWN.has(text)) return [];
  // Web and e-mail addresses, file paths: shown as they are.
  const prose = text.replace(/https?:\/\/\S+|\S+@\S+\.\S+|(^|\s)\/\S+|\S*\{\w+\}\S*/g, ' ');
  const words: string[] = [];
  for (const raw of prose.match(/[A-Za-z0-9][A-Za-z0-9_@./-]*/g) ?? []) {
    const token = raw.replace(/[.\-/]+$/, '');
    if (!/[A-Za-z]{3,}/.test(token) || ids.has(token) || ALLOWED.has(token)) continue;
    // Identifiers: with a digit, an underscore or an @; MQTT topics and place keys; zone names.
    if (/\d|_|@/.test(token) || /^[a-z-]+(\/[a-z-]+)+$/.test(token)) continue;
    if (/^[A-Z][a-z]+\/[A-Z][A-Za-z_]+$/.test(token)) continue;
    // Words joined to allowed ones or ids ("CT/MRI", "kWh/m"): each part on its own.
    const parts = token.split(/[/.-]/).filter((part) => /[A-Za-z]{3,}/.test(part));
    if (parts.length > 1 && parts.every((part) => ids.has(part) || ALLOWED.has(part))) continue;
    if (
      parts.length === 1 &&
      token !== parts[0] &&
      (ids.has(parts[0] as string) || ALLOWED.has(parts[0] as string))
    )
      continue;
    words.push(token);
  }
  return words;
}

/** Go to a page and let it load what it shows (REST answers, charts). */
async function visit(hash: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await page.waitForSelector('#conn.ok');
  await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => undefined);
  await page.waitForTimeout(400);
}

/** The sub-tabs a page offers (records, energy), from its own links. */
async function tabsOf(prefix: string): Promise<string[]> {
  return page.evaluate(
    (p) => [...document.querySelectorAll<HTMLAnchorElement>(`a[href^="${p}"]`)].map((a) => a.hash),
    prefix,
  );
}

describe.skipIf(!hasChromium())('the dashboard in 中文', () => {
  beforeAll(async () => {
    demo = await demoConfigCopy({ auth: true, maintenance: true });
    config = loadConfig(demo.dir);
    [gateway, browser] = await Promise.all([startGateway({ config, log: silentLogger() }), launchBrowser()]);
    simulator = await startPlantSimulator(config, {
      log: silentLogger(),
      mqtt: simulatorMqttLogin(config, gateway.mqtt.brokerUrl),
    });
    ({ page } = await openPage(browser, { locale: 'zh-CN', storage: { 'plantwatch.lang': 'zh' } }));
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await simulator?.stop();
    await gateway?.stop();
    demo?.cleanup();
  });

  it('shows no English word outside units, brands and identifiers, on any page', async () => {
    const ids = identifiers(config);
    const found = new Map<string, string>();
    const look = async (name: string) => {
      for (const { text, where } of await visibleTexts(page))
        for (const word of englishWords(text, ids)) {
          const key = `${name}: ${word}`;
          if (!found.has(key)) found.set(key, `${key}    (${where}: "${text.slice(0, 80)}")`);
        }
    };
    await page.goto(`${gateway.web.url}/#/`);
    await page.waitForSelector('#login-user');
    await look('login');
    await signIn(page, 'admin', 'admin-demo');
    // A live alarm or two, so the alarm list, banners and tiles show their words too.
    simulator.faults.inject('ch1', { type: 'trip' });
    simulator.faults.inject('dr1-f2', { type: 'offline' });

    const pages: [string, string][] = [
      ['overview', '#/'],
      ...config.sites.flatMap((s) =>
        s.buildings.flatMap((b) =>
          b.rooms.map((r): [string, string] => [`room ${r.id}`, `#/room/${s.id}/${b.id}/${r.id}`]),
        ),
      ),
      ['device ch1', '#/device/ch1'],
      ['device dr1-incomer', '#/device/dr1-incomer'],
      ['device wm-inpatient', '#/device/wm-inpatient'],
      ['alarms', '#/alarms'],
      ['admin', '#/admin'],
    ];
    /** The pages docs/screenshots shows in Chinese too (written under PLANTWATCH_SCREENSHOTS=1). */
    const pictures: Record<string, string> = { overview: 'overview-zh.png', alarms: 'alarms-zh.png' };
    for (const [name, hash] of pages) {
      await visit(hash);
      await look(name);
      const picture = pictures[name];
      if (picture) {
        await page.waitForSelector('body:not(.flash)', { timeout: 5000 });
        await screenshot(page, picture);
      }
    }
    for (const area of ['records', 'energy']) {
      await visit(`#/${area}`);
      for (const hash of await tabsOf(`#/${area}/`)) {
        await visit(hash);
        await look(hash.slice(2));
      }
    }
    simulator.faults.clear('ch1', 'trip');
    simulator.faults.clear('dr1-f2', 'offline');

    const left = [...found.keys()].filter((key) => !PENDING.has(key)).map((key) => found.get(key));
    const done = [...PENDING].filter((key) => !found.has(key));
    expect({ english: left, noLongerEnglish: done }).toEqual({ english: [], noLongerEnglish: [] });
  }, 240_000);

  it('opens the alarm a notification links to, in Chinese', async () => {
    simulator.faults.inject('ch1', { type: 'trip' });
    // The very link an e-mail or a chat post carries (src/notify/compose.ts).
    await page.goto(alarmLink(gateway.web.url, 'chiller-trip@ch1'));
    // Signed out, the link goes through the sign-in and on to the alarm.
    await page.waitForSelector('#login-user, #conn.ok');
    if (await page.isVisible('#login-user')) await signIn(page, 'electrician', 'electrician-demo');
    const row = page.locator('tr.target[data-alarm="chiller-trip@ch1"]');
    await row.waitFor();
    expect(await row.locator('td.message').textContent()).toContain('1号冷水机组跳闸');
    simulator.faults.clear('ch1', 'trip');
  }, 30_000);
});

/**
 * The mimic tests' plant and page (the demo, its simulator, a signed-in Chromium), and what they
 * read off a room page: its symbols by kind, and cut labels.
 */
import type { Browser, Page } from 'playwright-core';
import { type PlantSimulator, simulatorMqttLogin, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { launchBrowser, openPage, signIn } from '../helpers/browser.js';
import { demoConfigCopy } from '../helpers/demo-config.js';

/** How many symbols of each kind the mimic shows. */
export const symbolCounts = (p: Page) =>
  p.$$eval('.mimic-svg .sym', (els) => {
    const counts: Record<string, number> = {};
    for (const el of els) {
      const kind = el.getAttribute('data-symbol') ?? '?';
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    return counts;
  });

/** Labels wider than their room, or on more lines than allowed, without a tooltip naming them in full. */
export const cutLabels = (p: Page) =>
  p.$$eval('.mimic-svg text[data-width]', (els) =>
    els
      .map((el) => {
        // Runs in the page: an SVG <text> (this tsconfig has no DOM types to name it).
        const text = el as unknown as {
          getBBox(): { width: number };
          getAttribute(name: string): string | null;
          querySelector(s: string): { textContent: string | null } | null;
          textContent: string | null;
        };
        const width = Number(text.getAttribute('data-width'));
        const full = text.getAttribute('data-full') ?? '';
        const title = text.querySelector('title')?.textContent ?? '';
        const fits = text.getBBox().width <= width + 1;
        const whole = text.textContent?.replace(title, '').replace(/\s+/g, '') === full.replace(/\s+/g, '');
        return fits && (whole || title === full) ? null : `${full} (${text.getBBox().width} > ${width})`;
      })
      .filter((x) => x !== null),
  );

/** The demo plant with login on, its simulator, and a Chromium page signed in as the electrician. */
export interface MimicPlant {
  config: PlantConfig;
  gateway: Gateway;
  simulator: PlantSimulator;
  browser: Browser;
  page: Page;
  pageErrors: string[];
  stop(): Promise<void>;
}

/** `prepare` edits the demo copy (its directory) before it loads. */
export async function startMimicPlant(prepare?: (dir: string) => Promise<void>): Promise<MimicPlant> {
  const demo = await demoConfigCopy({ auth: true });
  await prepare?.(demo.dir);
  const config = loadConfig(demo.dir);
  const [gateway, browser] = await Promise.all([
    startGateway({ config, log: silentLogger() }),
    launchBrowser(),
  ]);
  const simulator = await startPlantSimulator(config, {
    log: silentLogger(),
    mqtt: simulatorMqttLogin(config, gateway.mqtt.brokerUrl),
  });
  const { page, errors } = await openPage(browser);
  await page.goto(`${gateway.web.url}/#/`);
  await signIn(page, 'electrician', 'electrician-demo');
  return {
    config,
    gateway,
    simulator,
    browser,
    page,
    pageErrors: errors,
    async stop() {
      await browser.close();
      await simulator.stop();
      await gateway.stop();
      demo.cleanup();
    },
  };
}

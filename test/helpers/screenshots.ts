/**
 * The dashboard's pictures in docs/screenshots: taken on every run (a page that cannot be
 * drawn fails its test), written only under PLANTWATCH_SCREENSHOTS=1 (`npm run screenshots`),
 * so that `npm test` leaves the checkout as it found it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const SCREENSHOT_DIR = join('docs', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  const image = await page.screenshot({ fullPage: true });
  if (process.env.PLANTWATCH_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  writeFileSync(join(SCREENSHOT_DIR, name), image);
}

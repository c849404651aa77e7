/**
 * A real browser for the dashboard tests: Debian's chromium, headless, driven by
 * playwright-core (no browser download). Every wait is bounded; close it in afterAll.
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { requireTool, TOOLS } from './tools.js';

export const CHROMIUM: string = TOOLS.chromium.binary;
/** Default bound for any page action or expectation. */
export const PAGE_TIMEOUT_MS = 10_000;

/** Whether chromium is here to test with; see requireTool for what its absence does. */
export const hasChromium = () => requireTool(TOOLS.chromium) === undefined;

/** `executablePath`: another way to start chromium (test/helpers/netns.ts runs it in a namespace). */
export async function launchBrowser(executablePath = CHROMIUM): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    timeout: 20_000,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  locale?: string;
  /** localStorage entries set before any page script runs. */
  storage?: Record<string, string>;
}

/** A fresh context and page, with bounded timeouts and page errors collected. */
export async function openPage(
  browser: Browser,
  options: PageOptions = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1440, height: 900 },
    locale: options.locale ?? 'en-GB',
  });
  if (options.storage)
    await context.addInitScript(
      `for (const [k, v] of Object.entries(${JSON.stringify(options.storage)}))
         if (localStorage.getItem(k) === null) localStorage.setItem(k, v);`,
    );
  const page = await context.newPage();
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return { context, page, errors };
}

/** Sign in on the login page the dashboard shows, and wait for its live connection. */
export async function signIn(p: Page, username: string, password: string): Promise<void> {
  await p.waitForSelector('#login-user');
  await p.fill('#login-user', username);
  await p.fill('#login-password', password);
  await p.click('#login-submit');
  await p.waitForSelector('#conn.ok');
}

// biome-ignore lint/suspicious/noExplicitAny: JSON of several shapes; each test asserts the one it expects.
type PageJson = any;

/** A fetch from inside the page, with its session cookie. */
export async function pageFetch(
  p: Page,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: PageJson }> {
  return p.evaluate(
    async ([path, body]) => {
      const res = await fetch(path as string, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
    [path, body],
  );
}

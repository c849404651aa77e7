/**
 * A gateway web server without a plant (empty point table, healthy status) for tests of the
 * API around alarms, login and admin, and a JSON request helper with an optional session.
 */
import { Registry } from 'prom-client';
import { silentLogger } from '../../src/log/index.js';
import { PointBus, PointTable } from '../../src/points/index.js';
import { startWebServer, type WebServer, type WebServerOptions } from '../../src/web/index.js';

export function startBareWebServer(options: Partial<WebServerOptions> = {}): Promise<WebServer> {
  return startWebServer({
    host: '127.0.0.1',
    port: 0,
    table: new PointTable([]),
    bus: new PointBus(),
    metrics: new Registry(),
    log: silentLogger(),
    status: { startedAt: Date.now(), lines: () => [], devices: () => [], mqtt: () => ({ connected: true }) },
    ...options,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: JSON of several shapes; each test asserts the one it expects.
export type Json = any;

/** GET, or POST when there is a body (or `post`); the body parsed as JSON when it is JSON. */
export async function jsonRequest(
  url: string,
  init: { cookie?: string; body?: unknown; post?: boolean } = {},
): Promise<{ status: number; body: Json; text: string }> {
  const post = init.post ?? init.body !== undefined;
  const res = await fetch(url, {
    method: post ? 'POST' : 'GET',
    headers: {
      ...(init.cookie ? { cookie: init.cookie } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: Json = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (a page, a script): the text is the body.
  }
  return { status: res.status, body, text };
}

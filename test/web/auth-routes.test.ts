/**
 * Login wired into the web server, over real HTTP and socket.io: what is public, what needs a
 * signed-in user, who may act on alarms, and that the journal names the signed-in user only.
 */

import { io as connectSocket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Auth } from '../../src/auth/index.js';
import type { WebServer } from '../../src/web/index.js';
import { type AlarmHarness, alarmHarness } from '../alarms/harness.js';
import { capturingLogger, demoAuth, type LogLine, login, tempDir } from '../auth/harness.js';
import { type Json, jsonRequest, startBareWebServer } from '../helpers/web.js';

const RULES = [
  { id: 'trip', profile: 'chiller', type: 'state', point: 'tripped', equals: true, priority: 'critical' },
];

let dir: ReturnType<typeof tempDir>;
let auth: Auth;
let lines: LogLine[];
/** Session cookies of the demo accounts, one login each for the whole file. */
const cookies: Record<'admin' | 'electrician' | 'manager', string> = {
  admin: '',
  electrician: '',
  manager: '',
};

let h: AlarmHarness;
let web: WebServer;

function startWeb(extra: Parameters<typeof startBareWebServer>[0] = {}) {
  return startBareWebServer({ alarms: h.service, auth, ...extra });
}

beforeAll(async () => {
  dir = tempDir();
  const captured = capturingLogger();
  lines = captured.lines;
  auth = await demoAuth(dir.dir, captured.log);
  h = alarmHarness(RULES);
  web = await startWeb();
  for (const [username, password] of [
    ['admin', 'admin-demo'],
    ['electrician', 'electrician-demo'],
    ['manager', 'manager-demo'],
  ] as const) {
    const { cookie } = await login(web.url, username, password);
    if (!cookie) throw new Error(`demo account ${username} could not log in`);
    cookies[username] = cookie;
  }
  await web.stop();
  await h.stop();
});
afterAll(() => {
  auth?.close();
  dir?.remove();
});
beforeEach(async () => {
  h = alarmHarness(RULES);
  web = await startWeb();
  lines.length = 0;
});
afterEach(async () => {
  await web.stop();
  await h.stop();
});

const request = async (path: string, init: { cookie?: string; body?: unknown } = {}) => {
  const { status, body } = await jsonRequest(`${web.url}${path}`, init);
  return { status, body };
};
const denials = () => lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('access denied'));

describe('without a session', () => {
  it('answers 401 on the API and /metrics, but serves health, login and the static dashboard', async () => {
    for (const path of ['/api/points', '/api/alarms', '/api/alarms/history', '/api/lines', '/metrics'])
      expect(await request(path), path).toEqual({ status: 401, body: { error: 'login required' } });
    expect((await request('/api/alarms/trip@ch2/ack', { body: { comment: 'x' } })).status).toBe(401);
    // An unknown /api path says nothing about what exists.
    expect((await request('/api/nope')).status).toBe(401);
    expect(denials().map((l) => [l.method, l.path, l.status, l.user])).toContainEqual([
      'GET',
      '/api/points',
      401,
      null,
    ]);

    expect((await request('/api/health')).body).toMatchObject({ status: 'ok' });
    expect(await request('/api/auth/me')).toEqual({ status: 401, body: { error: 'login required' } });
    const page = await request('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Plantwatch</title>');
    expect((await request('/main.js')).status).toBe(200);
    // The pages bundle socket.io's client: its file is not served at all.
    expect((await request('/socket.io/socket.io.js')).status).not.toBe(200);
    expect((await request('/vendor/uplot/uPlot.min.css')).status).toBe(200);
  });

  it('serves /metrics to anyone when web.metricsPublic says so', async () => {
    await web.stop();
    web = await startWeb({ metricsPublic: true });
    expect((await request('/metrics')).status).toBe(200);
    expect((await request('/api/points')).status).toBe(401);
  });
});

describe('signed in', () => {
  it('lets any role read the API and /metrics, and /api/auth/me tells the dashboard what it may do', async () => {
    for (const cookie of Object.values(cookies)) {
      expect((await request('/api/points', { cookie })).status).toBe(200);
      expect((await request('/api/alarms', { cookie })).status).toBe(200);
      expect((await request('/metrics', { cookie })).status).toBe(200);
    }
    expect((await request('/api/auth/me', { cookie: cookies.manager })).body).toEqual({
      username: 'manager',
      name: 'Demo energy manager',
      role: 'energy-manager',
      permissions: ['view', 'reports'],
    });
    expect((await request('/api/auth/me', { cookie: cookies.electrician })).body.permissions).toEqual([
      'view',
      'alarms.acknowledge',
      'alarms.shelve',
      'records',
    ]);
  });

  it('lets an electrician acknowledge, and the journal names the signed-in user', async () => {
    h.set('ch2.tripped', true);
    const acked = await request('/api/alarms/trip@ch2/ack', {
      cookie: cookies.electrician,
      body: { comment: 'on my way' },
    });
    expect(acked.status).toBe(200);
    expect(acked.body.alarm).toMatchObject({
      state: 'active-acknowledged',
      acknowledgedBy: 'electrician',
    });
    const journal = await request('/api/alarms/history?alarm=trip@ch2&kind=acknowledged', {
      cookie: cookies.manager,
    });
    expect(journal.body.map((e: Json) => [e.user, e.comment])).toEqual([['electrician', 'on my way']]);
  });

  it('refuses a `user` in the body with 400: nobody acts under another name', async () => {
    h.set('ch2.tripped', true);
    expect(
      await request('/api/alarms/trip@ch2/ack', { cookie: cookies.electrician, body: { user: 'li-na' } }),
    ).toEqual({ status: 400, body: { error: 'the user is the one signed in' } });
    expect(
      await request('/api/alarms/trip@ch2/ack', {
        cookie: cookies.electrician,
        body: { user: 'electrician' },
      }),
    ).toEqual({ status: 400, body: { error: 'the user is the one signed in' } });
    expect(h.state('trip@ch2')).toBe('active-unacknowledged');
    // Other checks of the body still apply.
    expect(
      (
        await request('/api/alarms/trip@ch2/shelve', {
          cookie: cookies.electrician,
          body: { duration: '1h' },
        })
      ).body.error,
    ).toMatch(/reason/);
    expect(
      (
        await request('/api/alarms/trip@ch2/shelve', {
          cookie: cookies.admin,
          body: { reason: 'noisy', duration: '1h' },
        })
      ).body.alarm,
    ).toMatchObject({ state: 'shelved', shelvedBy: 'admin' });
    const journal = await request('/api/alarms/history?alarm=trip@ch2', { cookie: cookies.admin });
    expect(journal.body.map((e: Json) => [e.kind, e.user])).toEqual([
      ['shelved', 'admin'],
      ['activated', undefined],
    ]);
  });

  it('answers 403 to an energy manager acting on an alarm, and logs the denial', async () => {
    h.set('ch2.tripped', true);
    for (const action of ['ack', 'shelve', 'unshelve', 'out-of-service', 'return-to-service'])
      expect(
        await request(`/api/alarms/trip@ch2/${action}`, {
          cookie: cookies.manager,
          body: { comment: 'x', reason: 'x', duration: '1h' },
        }),
      ).toEqual({ status: 403, body: { error: 'forbidden' } });
    expect(h.state('trip@ch2')).toBe('active-unacknowledged');
    const denied = denials().filter((l) => l.status === 403);
    expect(denied).toHaveLength(5);
    expect(denied[0]).toMatchObject({
      method: 'POST',
      path: '/api/alarms/trip@ch2/ack',
      user: 'manager',
      role: 'energy-manager',
      ip: '127.0.0.1',
      msg: 'access denied: needs role electrician',
    });
  });
});

describe('socket.io', () => {
  function connect(cookie?: string) {
    const socket = connectSocket(web.url, {
      reconnection: false,
      transports: ['websocket'],
      extraHeaders: cookie ? { cookie } : {},
    });
    const opened = new Promise<{ ok: true } | { ok: false; error: string }>((resolve) => {
      socket.on('snapshot', () => resolve({ ok: true }));
      socket.on('connect_error', (err) => resolve({ ok: false, error: err.message }));
    });
    return { socket, opened };
  }

  it('refuses a browser without a session, admits one with, and drops it when the session ends', async () => {
    await web.stop();
    web = await startWeb({ sessionRecheckMs: 50 });
    const refused = connect();
    expect(await refused.opened).toEqual({ ok: false, error: 'unauthorized' });
    refused.socket.close();
    expect(lines.some((l) => l.transport === 'socket.io' && l.status === 401)).toBe(true);

    // A session of its own, ended by logging out while the socket is open.
    const { cookie } = await login(web.url, 'electrician', 'electrician-demo');
    const admitted = connect(cookie);
    try {
      expect(await admitted.opened).toEqual({ ok: true });
      const ended = new Promise<string[]>((resolve) => {
        const seen: string[] = [];
        admitted.socket.on('session-ended', () => seen.push('session-ended'));
        admitted.socket.on('disconnect', (reason) => resolve([...seen, reason]));
      });
      await fetch(`${web.url}/api/auth/logout`, { method: 'POST', headers: { cookie: cookie ?? '' } });
      expect(await ended).toEqual(['session-ended', 'io server disconnect']);
    } finally {
      admitted.socket.close();
    }
  });
});

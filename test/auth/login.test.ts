/** Login, sessions and guards against a real express server, with real fetch and cookies. */

import { io as connectSocket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, HOUR, login, manualClock, startAuthServer, type TestServer, tempDir } from './harness.js';

const ALICE = {
  username: 'alice',
  password: 'correct horse battery',
  role: 'electrician' as const,
  name: 'Alice',
};

let dir: ReturnType<typeof tempDir>;
let server: TestServer | undefined;
beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  dir.remove();
});

async function withAlice(options: Parameters<typeof startAuthServer>[1] = {}) {
  server = await startAuthServer(`${dir.dir}/users.db`, options);
  await server.auth.users.add(ALICE);
  return server;
}

describe('login', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie on path / and answers who logged in', async () => {
    const { url } = await withAlice();
    const { res, setCookie, cookie } = await login(url, 'alice', ALICE.password);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      username: 'alice',
      name: 'Alice',
      role: 'electrician',
      permissions: ['view', 'alarms.acknowledge', 'alarms.shelve', 'records'],
    });
    expect(setCookie).toMatch(/^pw_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure');
    const me = await get(url, '/api/auth/me', cookie);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'alice', role: 'electrician' });
  });

  it('marks the cookie Secure when the site is served over https', async () => {
    const { url } = await withAlice({ settings: { secureCookies: true } });
    const { setCookie } = await login(url, 'alice', ALICE.password);
    expect(setCookie).toContain('Secure');
  });

  it('takes the username in any case', async () => {
    const { url } = await withAlice();
    expect((await login(url, '  Alice ', ALICE.password)).res.status).toBe(200);
  });

  it('answers a wrong password and an unknown user alike, with no hint, and logs both without the password', async () => {
    const srv = await withAlice();
    const wrong = await login(srv.url, 'alice', 'not the password');
    const unknown = await login(srv.url, 'mallory', 'not the password');
    for (const attempt of [wrong, unknown]) {
      expect(attempt.res.status).toBe(401);
      expect(attempt.setCookie).toBeUndefined();
      expect(await attempt.res.json()).toEqual({ error: 'invalid username or password' });
    }
    const failures = srv.lines.filter((l) => l.msg === 'login failed');
    expect(failures.map((l) => [l.username, l.ip])).toEqual([
      ['alice', '127.0.0.1'],
      ['mallory', '127.0.0.1'],
    ]);
    expect(JSON.stringify(srv.lines)).not.toContain('not the password');
    expect(JSON.stringify(srv.lines)).not.toContain(ALICE.password);
  });

  it('spends as long on an unknown user as on a known one (a dummy hash is verified)', async () => {
    const { url } = await withAlice();
    const took = async (username: string, attempt: number) => {
      const start = performance.now();
      const { res } = await login(url, username, `wrong-${attempt}`);
      const ms = performance.now() - start;
      expect(res.status, 'a refusal after checking the password, not the backoff').toBe(401);
      return ms;
    };
    // Taken in turns, so that a busy moment of the machine weighs on both alike; medians of 3.
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await took('alice', i));
      unknown.push(await took('nobody', i));
    }
    const median = (times: number[]) => times.sort((a, b) => a - b)[1] as number;
    // Without the dummy hash an unknown user answers in ~1 ms against tens for argon2id:
    // a ratio of the two, not a duration, is what is asserted.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.4);
  });

  it('refuses a disabled user like a wrong password', async () => {
    const { url, auth } = await withAlice();
    auth.users.disable('alice');
    const { res } = await login(url, 'alice', ALICE.password);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid username or password' });
  });

  it('answers 400 to a body without username or password', async () => {
    const { url } = await withAlice();
    const res = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice' }),
    });
    expect(res.status).toBe(400);
  });
});

describe('login rate limits', () => {
  it('answers 429 JSON once an address has failed the limit, even with the right password', async () => {
    const { url } = await withAlice();
    for (let i = 0; i < 10; i++) {
      // A different name each time: this is the per-address limit, not the per-name backoff.
      expect((await login(url, `guess${i}`, 'wrong password')).res.status).toBe(401);
    }
    const { res } = await login(url, 'alice', ALICE.password);
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ error: 'too many login attempts; try again later' });
  });

  it('does not count successful logins against the address', async () => {
    const { url } = await withAlice({ loginLimit: { max: 3, windowMs: 60_000 } });
    for (let i = 0; i < 6; i++) expect((await login(url, 'alice', ALICE.password)).res.status).toBe(200);
  });

  it('makes one username wait after repeated failures, known or not', async () => {
    const clock = manualClock();
    // A generous address limit, so only the per-username backoff is at work here.
    const { url } = await withAlice({ now: clock.now, loginLimit: { max: 100, windowMs: 60_000 } });
    for (let i = 0; i < 5; i++) expect((await login(url, 'alice', 'wrong password')).res.status).toBe(401);
    const locked = await login(url, 'alice', ALICE.password);
    expect(locked.res.status).toBe(429);
    expect(Number(locked.res.headers.get('retry-after'))).toBeGreaterThan(0);
    // An unknown name is held back the same way: the answer says nothing about existence.
    for (let i = 0; i < 5; i++) await login(url, 'ghost', 'wrong password');
    expect((await login(url, 'ghost', 'wrong password')).res.status).toBe(429);
    clock.advance(2000);
    expect((await login(url, 'alice', ALICE.password)).res.status).toBe(200);
  });
});

describe('requireRole', () => {
  it('answers 401 without a session and 403 with the wrong role, and logs each denial', async () => {
    const srv = await withAlice();
    await srv.auth.users.add({ username: 'erin', password: 'energy-manager-pw', role: 'energy-manager' });
    expect((await fetch(`${srv.url}/api/alarms/a1/ack`, { method: 'POST' })).status).toBe(401);
    const erin = (await login(srv.url, 'erin', 'energy-manager-pw')).cookie;
    const denied = await fetch(`${srv.url}/api/alarms/a1/ack`, {
      method: 'POST',
      headers: { cookie: erin ?? '' },
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ error: 'forbidden' });
    const denials = srv.lines.filter((l) => String(l.msg).startsWith('access denied'));
    expect(denials).toMatchObject([
      { method: 'POST', path: '/api/alarms/a1/ack', user: null, ip: '127.0.0.1', status: 401 },
      { method: 'POST', path: '/api/alarms/a1/ack', user: 'erin', ip: '127.0.0.1', status: 403 },
    ]);
    expect(denials.every((l) => l.level === 40)).toBe(true);
  });

  it('admits the role, admin everywhere, and any signed-in user where no role is named', async () => {
    const srv = await withAlice();
    await srv.auth.users.add({ username: 'root', password: 'administrator-pw', role: 'admin' });
    const alice = (await login(srv.url, 'alice', ALICE.password)).cookie ?? '';
    const root = (await login(srv.url, 'root', 'administrator-pw')).cookie ?? '';
    const ack = (cookie: string) =>
      fetch(`${srv.url}/api/alarms/a1/ack`, { method: 'POST', headers: { cookie } });
    expect(await (await ack(alice)).json()).toEqual({ acknowledgedBy: 'alice' });
    expect((await ack(root)).status).toBe(200);
    expect((await get(srv.url, '/api/points', alice)).status).toBe(200);
    expect((await get(srv.url, '/api/reports', alice)).status).toBe(403);
    expect((await get(srv.url, '/api/users', alice)).status).toBe(403);
    expect(await (await get(srv.url, '/api/users', root)).json()).toEqual(['alice', 'root']);
  });

  it('authenticate sets req.user or leaves it unset, refusing nothing', async () => {
    const { url } = await withAlice();
    expect(await (await get(url, '/api/open')).json()).toEqual({ user: null });
    expect(await (await get(url, '/api/open', 'pw_session=forged')).json()).toEqual({ user: null });
    const { cookie } = await login(url, 'alice', ALICE.password);
    expect(await (await get(url, '/api/open', cookie)).json()).toEqual({ user: 'alice' });
  });
});

describe('sessions', () => {
  it('end after the idle time without use, and last while used', async () => {
    const clock = manualClock();
    const { url } = await withAlice({ now: clock.now, settings: { sessionIdle: '12h', sessionMax: '7d' } });
    const { cookie } = await login(url, 'alice', ALICE.password);
    for (let i = 0; i < 4; i++) {
      clock.advance(11 * HOUR);
      expect((await get(url, '/api/auth/me', cookie)).status).toBe(200);
    }
    clock.advance(12 * HOUR);
    expect((await get(url, '/api/auth/me', cookie)).status).toBe(401);
  });

  it('end at the absolute maximum however busy', async () => {
    const clock = manualClock();
    const { url } = await withAlice({ now: clock.now, settings: { sessionIdle: '12h', sessionMax: '2d' } });
    const { cookie } = await login(url, 'alice', ALICE.password);
    for (let hours = 6; hours < 48; hours += 6) {
      clock.advance(6 * HOUR);
      expect((await get(url, '/api/auth/me', cookie)).status).toBe(200);
    }
    clock.advance(6 * HOUR);
    expect((await get(url, '/api/auth/me', cookie)).status).toBe(401);
  });

  it('end at logout: the cookie is cleared and the old id no longer works', async () => {
    const { url } = await withAlice();
    const { cookie } = await login(url, 'alice', ALICE.password);
    const out = await fetch(`${url}/api/auth/logout`, { method: 'POST', headers: { cookie: cookie ?? '' } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join()).toMatch(/pw_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await get(url, '/api/auth/me', cookie)).status).toBe(401);
  });

  it('end when the password changes or the user is disabled', async () => {
    const { url, auth } = await withAlice();
    const first = (await login(url, 'alice', ALICE.password)).cookie;
    await auth.users.setPassword('alice', 'a brand new password');
    expect((await get(url, '/api/auth/me', first)).status).toBe(401);
    const second = (await login(url, 'alice', 'a brand new password')).cookie;
    auth.users.disable('alice');
    expect((await get(url, '/api/auth/me', second)).status).toBe(401);
  });

  it('get a new id at each login (a planted id is worth nothing)', async () => {
    const { url } = await withAlice();
    const first = (await login(url, 'alice', ALICE.password)).cookie;
    const second = (await login(url, 'alice', ALICE.password, first)).cookie;
    expect(second).not.toBe(first);
    expect((await get(url, '/api/auth/me', first)).status).toBe(401);
    expect((await get(url, '/api/auth/me', second)).status).toBe(200);
  });

  it('survive a restart of the gateway', async () => {
    const srv = await withAlice();
    const { cookie } = await login(srv.url, 'alice', ALICE.password);
    await srv.stop();
    server = await startAuthServer(`${dir.dir}/users.db`);
    const me = await get(server.url, '/api/auth/me', cookie);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'alice' });
  });
});

describe('socket.io', () => {
  function connect(url: string, cookie?: string) {
    const socket = connectSocket(url, {
      reconnection: false,
      transports: ['websocket'],
      extraHeaders: cookie ? { cookie } : {},
    });
    return new Promise<{ ok: true; user: unknown } | { ok: false; error: string }>((resolve) => {
      socket.on('hello', (user: unknown) => {
        socket.close();
        resolve({ ok: true, user });
      });
      socket.on('connect_error', (err) => {
        socket.close();
        resolve({ ok: false, error: err.message });
      });
    });
  }

  it('refuses a socket without a session cookie and admits one with', async () => {
    const srv = await withAlice();
    expect(await connect(srv.url)).toEqual({ ok: false, error: 'unauthorized' });
    expect(await connect(srv.url, 'pw_session=forged')).toEqual({ ok: false, error: 'unauthorized' });
    expect(srv.lines.filter((l) => l.transport === 'socket.io' && l.status === 401)).toHaveLength(2);
    const { cookie } = await login(srv.url, 'alice', ALICE.password);
    expect(await connect(srv.url, cookie)).toEqual({
      ok: true,
      user: { username: 'alice', name: 'Alice', role: 'electrician' },
    });
  });
});

/**
 * Every HTTP route a real gateway serves (login on, every router mounted: admin, history,
 * alarms, energy with the monthly report, records, the API), found by walking the express
 * router stack rather than listed by hand: a route added later without a guard fails here.
 *
 * - without a session each answers 401, and each refusal is logged (method, path, status);
 * - every mutating route (POST/PUT/PATCH/DELETE) answers 403 to the roles it is not for:
 *   an energy manager on electrician routes, an electrician on admin routes and on sending
 *   the monthly report; the role it is for gets past the guard;
 * - admin reads (users, configuration summary) answer 403 to the other roles;
 * - every mutating route, login and logout included, refuses a cross-site post (403) and a
 *   body that is not JSON (415), even for the role it is for (src/web/csrf.ts);
 * - socket.io without a session (or with a forged one) is refused and logged.
 *
 * Public by design: /api/health, /api/openapi.json, the login routes, the page files (static mounts).
 */
import { get as httpGet } from 'node:http';
import express from 'express';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../auth/harness.js';
import { type Account, type GatewayRig, startGatewayRig } from './gateway-rig.js';
import { type RouteEntry, registeredRoutes } from './routes.js';

/** Routes anyone may call. GET /api/auth/me answers 401 itself without a session. */
const PUBLIC = new Set([
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'GET /api/auth/me',
  'GET /api/health',
  'GET /api/openapi.json',
  // A page's address (the group view), like / itself: a redirect to the dashboard's #/group.
  'GET /group',
]);
/** Static file mounts (middleware, not routes): the dashboard's page files. */
const PUBLIC_MOUNTS = new Set(['/vendor/uplot', '/live']);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'ALL']);

type Role = 'admin' | 'energy-manager' | 'electrician';

/**
 * Who each route is for. Admin: users and the configuration; energy manager: sending the
 * monthly report; every other mutating route acts on the plant's records: electricians.
 * A new route meant for another role must be named here, or the 403 checks fail for it.
 */
function roleFor(route: RouteEntry): Role | 'signed-in' {
  if (/^\/api\/(users|config)(\/|$)/.test(route.path)) return 'admin';
  if (route.method === 'POST' && route.path === '/api/energy/report/send') return 'energy-manager';
  return MUTATING.has(route.method) ? 'electrician' : 'signed-in';
}

/** Demo accounts that must be refused (403) on a route for `role`, and the one that must pass. */
const REFUSED: Record<Role, Account[]> = {
  admin: ['electrician', 'manager'],
  'energy-manager': ['electrician'],
  electrician: ['manager'],
};
const ADMITTED: Record<Role, Account> = {
  admin: 'admin',
  'energy-manager': 'manager',
  electrician: 'electrician',
};

/**
 * A concrete URL for a registered path: every parameter filled with a value that names
 * nothing; for a middleware mount, a path below it.
 */
function concrete(route: RouteEntry): string {
  if (route.method === 'USE') return `${route.path}/no-such-file`;
  return route.path
    .replace(/\{([^}]*)\}/g, '$1') // optional segments: present
    .replace(/[:*]([A-Za-z_][A-Za-z0-9_]*)/g, 'no-such-$1');
}

async function call(url: string, route: RouteEntry, cookie?: string) {
  const method = route.method === 'ALL' ? 'POST' : route.method === 'USE' ? 'GET' : route.method;
  const path = concrete(route);
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(cookie ? { cookie } : {}),
      ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
    },
    body: method === 'GET' ? undefined : '{}',
    redirect: 'manual',
  });
  await res.arrayBuffer();
  return { status: res.status, method, url: path };
}

const denials = (lines: LogLine[]) =>
  lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('access denied'));

/**
 * What is wrong with the guards of `routes` at `url`: each problem as one line. Used on the
 * gateway (expect none) and on a deliberately unguarded app (expect its route named).
 */
async function unguardedRoutes(url: string, routes: RouteEntry[], lines: LogLine[]): Promise<string[]> {
  const problems: string[] = [];
  for (const route of routes) {
    const name = `${route.method} ${route.path}`;
    if (PUBLIC.has(name) || (route.method === 'USE' && PUBLIC_MOUNTS.has(route.path))) continue;
    lines.length = 0;
    const { status, method, url: path } = await call(url, route);
    if (status !== 401) problems.push(`${name}: ${status} without a session (expected 401)`);
    else if (!denials(lines).some((l) => l.status === 401 && l.method === method && l.path === path))
      problems.push(`${name}: the 401 was not logged`);
  }
  return problems;
}

let rig: GatewayRig;
let routes: RouteEntry[];
beforeAll(async () => {
  rig = await startGatewayRig();
  routes = registeredRoutes(rig.gateway.web.app);
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});
beforeEach(() => {
  rig.lines.length = 0;
});

describe('the routes the gateway registered', () => {
  it('are every router the gateway mounts (the walk found them all)', () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    // One route of each router, so a walk that silently found nothing cannot pass the rest.
    for (const expected of [
      'POST /api/auth/login',
      'GET /api/health',
      'GET /metrics',
      'POST /api/users',
      'GET /api/config/summary',
      'GET /api/points/:id/history',
      'POST /api/alarms/:id/ack',
      'GET /api/energy/consumption',
      'POST /api/energy/report/send',
      'POST /api/work-orders',
      'POST /api/handovers',
      'POST /api/maintenance/:task/complete',
      'GET /api/points',
      'USE /live',
    ])
      expect(names).toContain(expected);
    expect(routes.length).toBeGreaterThan(40);
  });

  it('answer 401 without a session, each refusal logged; only health, login and page files are public', async () => {
    expect(await unguardedRoutes(rig.url, routes, rig.lines)).toEqual([]);
    // A forged or ended session is no session.
    const forged = 'pw_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    for (const route of routes.filter(
      (r) => !PUBLIC.has(`${r.method} ${r.path}`) && !PUBLIC_MOUNTS.has(r.path),
    ))
      expect((await call(rig.url, route, forged)).status, `${route.method} ${route.path}`).toBe(401);
    // The public ones answer without a session.
    expect((await fetch(`${rig.url}/api/health`)).status).toBe(200);
    expect((await fetch(`${rig.url}/`)).status).toBe(200);
    expect((await fetch(`${rig.url}/live/`)).status).toBe(200);
    const group = await fetch(`${rig.url}/group`, { redirect: 'manual' });
    expect([group.status, group.headers.get('location')]).toEqual([302, '/#/group']);
  });

  it('refuse a path with a .. segment (only probes send one) before any handler echoes it', async () => {
    // Sent raw: fetch would resolve the dot segments itself, as browsers do.
    for (const path of [
      '/live/node_modules/..?',
      // Found by the HTTP fuzz (seed 829924782): an encoded slash after the dots was redirected, echoed.
      '/live/node_modules/..%2f?',
      '/live/%2e%2e%5capp.js',
      '/live/..',
      '/%2e%2e/src/web/index.ts',
      '/live/.%2E/app.js',
    ]) {
      const { status, body } = await rawGet(rig.url, path);
      expect(status, path).toBe(400);
      expect(body, path).toBe('{"error":"bad path"}');
    }
    expect((await fetch(`${rig.url}/live/app.js`)).status).toBe(200);
  });

  it('answer 403 to the wrong role on every mutating route and admin read, each logged; the right role passes', async () => {
    const checked: string[] = [];
    for (const route of routes) {
      if (route.method === 'USE' || PUBLIC.has(`${route.method} ${route.path}`)) continue;
      const role = roleFor(route);
      if (role === 'signed-in') continue;
      const name = `${route.method} ${route.path}`;
      for (const account of REFUSED[role]) {
        rig.lines.length = 0;
        const { status, method, url } = await call(rig.url, route, rig.cookies[account]);
        expect(status, `${name} as ${account}`).toBe(403);
        expect(
          denials(rig.lines).some(
            (l) => l.status === 403 && l.method === method && l.path === url && l.user === account,
          ),
          `${name} as ${account}: the 403 is logged`,
        ).toBe(true);
      }
      // The role it is for, and admin, get past the guard (to a 400/404/409 for these made-up ids).
      for (const account of new Set<Account>([ADMITTED[role], 'admin'])) {
        const { status } = await call(rig.url, route, rig.cookies[account]);
        expect([401, 403], `${name} as ${account} (got ${status})`).not.toContain(status);
      }
      checked.push(name);
    }
    // Every mutating route was checked.
    const mutating = routes.filter((r) => MUTATING.has(r.method) && !PUBLIC.has(`${r.method} ${r.path}`));
    expect(mutating.length).toBeGreaterThan(15);
    for (const r of mutating) expect(checked).toContain(`${r.method} ${r.path}`);
    expect(checked).toContain('GET /api/users');
    expect(checked).toContain('GET /api/config/summary');
  }, 60_000);

  it('refuse a cross-site post (403) and a body that is not JSON (415) on every mutating route, login and logout included', async () => {
    const mutating = routes.filter((r) => MUTATING.has(r.method));
    expect(mutating.map((r) => `${r.method} ${r.path}`)).toContain('POST /api/auth/logout');
    for (const route of mutating) {
      const name = `${route.method} ${route.path}`;
      // The role the route is for, so only the cross-site defence stands in the way.
      const role = roleFor(route);
      const cookie = rig.cookies[role === 'signed-in' ? 'admin' : ADMITTED[role]];
      const send = (headers: Record<string, string>) =>
        fetch(`${rig.url}${concrete(route)}`, {
          method: route.method === 'ALL' ? 'POST' : route.method,
          headers: { cookie, ...headers },
          body: '{}',
        }).then(async (res) => ({ status: res.status, body: await res.json() }));
      expect(await send({ origin: 'http://192.0.2.7', 'content-type': 'text/plain' }), name).toEqual({
        status: 403,
        body: { error: 'cross-site request refused: Origin http://192.0.2.7 is not this gateway' },
      });
      expect((await send({ 'content-type': 'text/plain' })).status, name).toBe(415);
    }
  });

  it('any signed-in role may read the rest (no read route is stricter than documented)', async () => {
    for (const route of routes) {
      if (route.method !== 'GET' || roleFor(route) !== 'signed-in') continue;
      if (PUBLIC.has(`${route.method} ${route.path}`)) continue;
      const { status } = await call(rig.url, route, rig.cookies.manager);
      expect([401, 403], `${route.method} ${route.path} (got ${status})`).not.toContain(status);
    }
  });
});

describe('the check itself', () => {
  it('catches a route registered without a guard, and a stray middleware mount', async () => {
    // The mistake this file guards against: a route mounted ahead of the /api guard.
    const app = express();
    app.get('/api/export', (_req, res) => {
      res.json({ everything: true });
    });
    app.use('/downloads', (_req, res) => {
      res.send('files');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      const found = registeredRoutes(app);
      expect(found).toEqual([
        { method: 'GET', path: '/api/export' },
        { method: 'USE', path: '/downloads' },
      ]);
      const problems = await unguardedRoutes(`http://127.0.0.1:${port}`, found, []);
      expect(problems).toEqual([
        'GET /api/export: 200 without a session (expected 401)',
        'USE /downloads: 200 without a session (expected 401)',
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('socket.io', () => {
  function attempt(cookie?: string) {
    const socket = connectSocket(rig.url, {
      reconnection: false,
      transports: ['websocket'],
      extraHeaders: cookie ? { cookie } : {},
    });
    return new Promise<string>((resolve) => {
      socket.on('connect', () => resolve('connected'));
      socket.on('connect_error', (err) => resolve(err.message));
    }).finally(() => socket.close());
  }

  it('refuses a connection without a session or with a forged one, logged; admits a signed-in user', async () => {
    expect(await attempt()).toBe('unauthorized');
    expect(await attempt('pw_session=forged')).toBe('unauthorized');
    expect(denials(rig.lines).filter((l) => l.transport === 'socket.io' && l.status === 401)).toHaveLength(2);
    // Long polling too (the transport a browser starts with).
    const polling = await fetch(`${rig.url}/socket.io/?EIO=4&transport=polling`);
    const opened = await polling.text();
    expect(polling.status).toBe(200);
    const sid = (JSON.parse(opened.slice(1)) as { sid: string }).sid;
    const join = await fetch(`${rig.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
      method: 'POST',
      body: '40',
    });
    expect(join.status).toBe(200);
    const answer = await (await fetch(`${rig.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`)).text();
    expect(answer).toMatch(/^44\{"message":"unauthorized"\}/);
    expect(await attempt(rig.cookies.manager)).toBe('connected');
  });
});

/** A GET sent exactly as written (no URL normalisation), for probes a browser never sends. */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: hostname, port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`GET ${path} timed out`)));
  });
}

/**
 * Users scoped by campus (AuthUser.sites): the users file's `sites` column and its migration, the
 * campus guard of a campus's gateway (HTTP and socket.io), the admin API and the CLI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openUserStore, UserError } from '../../src/auth/index.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { DEMO_ACCOUNTS } from '../../src/auth/seed.js';
import { isPublishedDemoPassword } from '../../src/vocabulary/demo-passwords.js';
import type { GroupView } from '../../src/web/group.js';
import { DEFAULT_SITE } from '../../src/web/site.js';
import { type Json, jsonRequest } from '../helpers/web.js';
import { type GatewayRig, startGatewayRig } from '../security/gateway-rig.js';
import { demoWebServer, type LogLine, login, runCli, startAuthServer, tempDir } from './harness.js';

/** The users table as the version before campuses wrote it (no `sites` column). */
const PREVIOUS_SCHEMA = `
  CREATE TABLE users (
    username TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('electrician', 'energy-manager', 'admin')),
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username),
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
  );
  CREATE INDEX sessions_by_user ON sessions(username);
  CREATE TABLE known_addresses (
    username TEXT NOT NULL REFERENCES users(username),
    address TEXT NOT NULL,
    last_login INTEGER NOT NULL,
    PRIMARY KEY (username, address)
  );
`;

const FORBIDDEN = { error: 'forbidden', why: 'not your campus' };

async function previousUsersDb(file: string): Promise<void> {
  const db = new Database(file);
  db.exec(PREVIOUS_SCHEMA);
  const at = Date.parse('2025-11-03T08:00:00Z');
  const insert = db.prepare(
    'INSERT INTO users (username, name, role, password_hash, created_at, updated_at, disabled) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  insert.run('chief', 'Chief engineer', 'admin', await hashPassword('chief password 1'), at, at, 0);
  insert.run('wang', 'Wang Wei', 'electrician', await hashPassword('wang password 1'), at, at, 1);
  db.close();
}

const columnsOf = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare<[], { name: string }>('PRAGMA table_info(users)')
      .all()
      .map((c) => c.name);
  } finally {
    db.close();
  }
};

describe('the users file', () => {
  const temp = tempDir();
  afterAll(() => temp.remove());

  it('from the previous version opens with its users kept, gains the sites column (every campus) once', async () => {
    const file = join(temp.dir, 'previous.db');
    await previousUsersDb(file);
    expect(columnsOf(file)).not.toContain('sites');

    const first = openUserStore(file);
    try {
      expect(first.users.list().map((u) => [u.username, u.role, u.disabled, u.sites])).toEqual([
        ['chief', 'admin', false, undefined],
        ['wang', 'electrician', true, undefined],
      ]);
      expect(await first.users.verify('chief', 'chief password 1')).toMatchObject({ name: 'Chief engineer' });
      expect(first.users.setSites('wang', ['east']).sites).toEqual(['east']);
    } finally {
      first.close();
    }
    expect(columnsOf(file).filter((c) => c === 'sites')).toEqual(['sites']);

    // Opened again (the migration has nothing left to do), and by the gateway: the old admin signs in.
    const server = await startAuthServer(file);
    try {
      expect(server.auth.users.get('wang')?.sites).toEqual(['east']);
      expect(server.auth.users.get('chief')?.sites).toBeUndefined();
      const { res, cookie } = await login(server.url, 'chief', 'chief password 1');
      expect(res.status).toBe(200);
      expect((await fetch(`${server.url}/api/points`, { headers: { cookie: cookie ?? '' } })).status).toBe(
        200,
      );
    } finally {
      await server.stop();
    }
  });

  it('stores campuses checked: site ids only, at least one, duplicates dropped; null for every campus', async () => {
    const file = join(temp.dir, 'checked.db');
    const store = openUserStore(file);
    try {
      const base = { password: 'long enough password', role: 'electrician' as const };
      const li = await store.users.add({ ...base, username: 'li', sites: [' east', 'main', 'east'] });
      expect(li.sites).toEqual(['east', 'main']);
      expect((await store.users.add({ ...base, username: 'zhao', sites: null })).sites).toBeUndefined();
      expect((await store.users.add({ ...base, username: 'sun' })).sites).toBeUndefined();

      const empty = store.users.add({ ...base, username: 'nobody', sites: [] });
      await expect(empty).rejects.toBeInstanceOf(UserError);
      await expect(empty).rejects.toThrow(/at least one campus/);
      await expect(store.users.add({ ...base, username: 'x1', sites: ['East Campus'] })).rejects.toThrow(
        /invalid site id "East Campus"/,
      );
      await expect(store.users.add({ ...base, username: 'x2', sites: ['-east'] })).rejects.toThrow(
        /invalid site id/,
      );
      expect(store.users.get('nobody')).toBeUndefined();

      expect(() => store.users.setSites('li', [])).toThrow(/at least one campus/);
      expect(() => store.users.setSites('li', ['east/1'])).toThrow(/invalid site id/);
      expect(store.users.get('li')?.sites).toEqual(['east', 'main']);
      expect(store.users.setSites('li', null).sites).toBeUndefined();
      expect(store.users.setSites('LI', ['north_2']).sites).toEqual(['north_2']);
    } finally {
      store.close();
    }
    // A hand edit that is not a list of ids admits no campus rather than every one.
    const db = new Database(file);
    db.prepare("UPDATE users SET sites = 'east' WHERE username = 'li'").run();
    db.close();
    const again = openUserStore(file);
    try {
      expect(again.users.get('li')?.sites).toEqual([]);
    } finally {
      again.close();
    }
  });

  it('has the east campus demo account, whose password is a published one', () => {
    expect(DEMO_ACCOUNTS.find((a) => a.username === 'east-electrician')).toEqual({
      username: 'east-electrician',
      password: 'east-electrician-demo',
      role: 'electrician',
      name: 'Demo electrician (East Campus)',
      sites: ['east'],
    });
    expect(isPublishedDemoPassword('east-electrician-demo')).toBe(true);
  });
});

/** The 'access denied: not your campus' lines logged since `from`. */
const campusDenials = (lines: LogLine[], from = 0) =>
  lines.slice(from).filter((l) => l.msg === 'access denied: not your campus');

function handshake(url: string, cookie: string): Promise<string> {
  const socket = connectSocket(url, {
    reconnection: false,
    transports: ['websocket'],
    extraHeaders: { cookie },
  });
  return new Promise<string>((resolve) => {
    socket.on('connect', () => resolve('connected'));
    socket.on('connect_error', (err) => resolve(err.message));
  }).finally(() => socket.close());
}

describe('on the main hospital gateway (gateway.site main, the demo configuration)', () => {
  let rig: GatewayRig;
  let east: string;
  let mainOnly: string;
  beforeAll(async () => {
    rig = await startGatewayRig();
    const eastLogin = await login(rig.url, 'east-electrician', 'east-electrician-demo');
    expect(eastLogin.res.status).toBe(200);
    east = eastLogin.cookie ?? '';
    // A user of the main campus, added through the admin API.
    const added = await jsonRequest(`${rig.url}/api/users`, {
      cookie: rig.cookies.admin,
      body: {
        username: 'main-electrician',
        role: 'electrician',
        password: 'main electrician 1',
        sites: ['main'],
      },
    });
    expect(added).toMatchObject({ status: 201, body: { username: 'main-electrician', sites: ['main'] } });
    mainOnly = (await login(rig.url, 'main-electrician', 'main electrician 1')).cookie ?? '';
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
  });

  const as = (cookie: string, path: string, body?: unknown) =>
    jsonRequest(`${rig.url}${path}`, { cookie, body });

  it("refuses an east campus user this campus's data and actions (403 not your campus), each refusal logged", async () => {
    const from = rig.lines.length;
    const refused = [
      await as(east, '/api/points'),
      await as(east, '/api/alarms'),
      await as(east, '/api/alarms/no-such-alarm/ack', {}),
      await as(east, '/api/energy/meters'),
      await as(east, '/api/points/no-such-point/history'),
      await as(east, '/api/work-orders'),
    ];
    for (const answer of refused) expect(answer).toMatchObject({ status: 403, body: FORBIDDEN });
    const metrics = await fetch(`${rig.url}/metrics`, { headers: { cookie: east } });
    expect(metrics.status).toBe(403);
    expect(await metrics.json()).toEqual(FORBIDDEN);
    const denials = campusDenials(rig.lines, from);
    expect(denials.map((l) => [l.method, l.path, l.user, l.status, l.site, l.sites])).toEqual([
      ['GET', '/api/points', 'east-electrician', 403, 'main', ['east']],
      ['GET', '/api/alarms', 'east-electrician', 403, 'main', ['east']],
      ['POST', '/api/alarms/no-such-alarm/ack', 'east-electrician', 403, 'main', ['east']],
      ['GET', '/api/energy/meters', 'east-electrician', 403, 'main', ['east']],
      ['GET', '/api/points/no-such-point/history', 'east-electrician', 403, 'main', ['east']],
      ['GET', '/api/work-orders', 'east-electrician', 403, 'main', ['east']],
      ['GET', '/metrics', 'east-electrician', 403, 'main', ['east']],
    ]);
    expect(denials.every((l) => l.level === 40)).toBe(true);
  });

  it('lets the east campus user sign in, ask who they are and which campus this is, and sign out', async () => {
    expect(await as(east, '/api/auth/me')).toMatchObject({
      status: 200,
      body: { username: 'east-electrician', role: 'electrician' },
    });
    expect(await as(east, '/api/site')).toMatchObject({ status: 200, body: { site: 'main' } });
    expect((await as(east, '/api/health')).status).toBe(200);
    expect((await as(east, '/api/openapi.json')).status).toBe(200);
    const again = await login(rig.url, 'east-electrician', 'east-electrician-demo');
    const out = await jsonRequest(`${rig.url}/api/auth/logout`, { cookie: again.cookie ?? '', post: true });
    expect(out.status).toBe(204);
  });

  it("refuses the east campus user's live socket (forbidden), logged; admits the main campus user's", async () => {
    const from = rig.lines.length;
    expect(await handshake(rig.url, east)).toBe('forbidden');
    const denial = campusDenials(rig.lines, from);
    expect(denial.map((l) => [l.transport, l.user, l.status, l.site])).toEqual([
      ['socket.io', 'east-electrician', 403, 'main'],
    ]);
    expect(await handshake(rig.url, mainOnly)).toBe('connected');
    expect(await handshake(rig.url, rig.cookies.electrician)).toBe('connected');
  });

  it('serves a main campus user as any other: data, actions, metrics', async () => {
    expect((await as(mainOnly, '/api/points')).status).toBe(200);
    expect((await as(mainOnly, '/api/alarms')).status).toBe(200);
    expect((await as(mainOnly, '/api/energy/meters')).status).toBe(200);
    // Past the campus guard: the alarm itself is what is missing.
    expect((await as(mainOnly, '/api/alarms/no-such-alarm/ack', {})).status).toBe(404);
    expect((await fetch(`${rig.url}/metrics`, { headers: { cookie: mainOnly } })).status).toBe(200);
  });

  it('lists, sets and clears campuses through the admin API, checked', async () => {
    const admin = rig.cookies.admin;
    const list = (await as(admin, '/api/users')).body as Json[];
    const byName = new Map(list.map((u) => [u.username, u]));
    expect(byName.get('east-electrician').sites).toEqual(['east']);
    expect(byName.get('main-electrician').sites).toEqual(['main']);
    expect('sites' in byName.get('electrician')).toBe(false);

    expect(await as(admin, '/api/users/main-electrician/sites', { sites: ['east'] })).toMatchObject({
      status: 200,
      body: { username: 'main-electrician', sites: ['east'] },
    });
    // At once, the session going on: now another campus's user here.
    expect(await as(mainOnly, '/api/points')).toMatchObject({ status: 403, body: FORBIDDEN });
    const cleared = await as(admin, '/api/users/main-electrician/sites', { sites: null });
    expect(cleared.status).toBe(200);
    expect('sites' in cleared.body).toBe(false);
    expect((await as(mainOnly, '/api/points')).status).toBe(200);
    expect((await as(admin, '/api/users/main-electrician/sites', { sites: ['main'] })).status).toBe(200);

    expect(await as(admin, '/api/users/main-electrician/sites', { sites: [] })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^sites: at least one campus/) },
    });
    expect(await as(admin, '/api/users/main-electrician/sites', { sites: ['East Campus'] })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^sites\.0: a site id/) },
    });
    expect(await as(admin, '/api/users/main-electrician/sites', {})).toMatchObject({ status: 400 });
    expect((await as(admin, '/api/users/nobody/sites', { sites: ['main'] })).status).toBe(404);
    expect(
      await as(admin, '/api/users', {
        username: 'x1',
        role: 'electrician',
        password: 'long enough 1',
        sites: [],
      }),
    ).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^sites: at least one campus/) } });
    expect(
      (await as(rig.cookies.electrician, '/api/users/main-electrician/sites', { sites: null })).status,
    ).toBe(403);
    const audit = rig.lines.filter((l) => l.component === 'admin' && l.action === 'campuses set');
    expect(audit.map((l) => [l.actor, l.target, l.sites])).toEqual([
      ['admin', 'main-electrician', ['east']],
      ['admin', 'main-electrician', 'every campus'],
      ['admin', 'main-electrician', ['main']],
    ]);
  });

  it('scopes an admin like anyone: one of east administers nothing here; one of main only main', async () => {
    const admin = rig.cookies.admin;
    for (const [username, sites] of [
      ['east-admin', ['east']],
      ['main-admin', ['main']],
    ] as const)
      expect(
        (await as(admin, '/api/users', { username, role: 'admin', password: `${username} password`, sites }))
          .status,
      ).toBe(201);
    const eastAdmin = (await login(rig.url, 'east-admin', 'east-admin password')).cookie ?? '';
    const mainAdmin = (await login(rig.url, 'main-admin', 'main-admin password')).cookie ?? '';

    expect(await as(eastAdmin, '/api/users')).toMatchObject({ status: 403, body: FORBIDDEN });
    expect(await as(eastAdmin, '/api/config/summary')).toMatchObject({ status: 403, body: FORBIDDEN });
    expect((await as(eastAdmin, '/api/users/electrician/disable', {})).status).toBe(403);
    const electrician = (await as(admin, '/api/users')).body.find((u: Json) => u.username === 'electrician');
    expect(electrician).toMatchObject({ disabled: false });

    expect((await as(mainAdmin, '/api/users')).status).toBe(200);
    // Nobody of every campus, nor of another campus, from an admin of main only.
    const beyond = {
      status: 403,
      body: { error: 'sites: you administer main only', why: 'not your campus' },
    };
    expect(
      await as(mainAdmin, '/api/users', { username: 'x2', role: 'admin', password: 'long enough 2' }),
    ).toMatchObject(beyond);
    expect(
      await as(mainAdmin, '/api/users', {
        username: 'x3',
        role: 'admin',
        password: 'long enough 3',
        sites: ['east'],
      }),
    ).toMatchObject(beyond);
    expect(
      await as(mainAdmin, '/api/users/electrician/password', { password: 'taken over 123' }),
    ).toMatchObject(beyond);
    expect(await as(mainAdmin, '/api/users/main-electrician/sites', { sites: null })).toMatchObject(beyond);
    expect(await as(mainAdmin, '/api/users/main-admin/sites', { sites: ['main'] })).toMatchObject({
      status: 409,
    });
    expect(
      (
        await as(mainAdmin, '/api/users', {
          username: 'x4',
          role: 'electrician',
          password: 'long enough 4',
          sites: ['main'],
        })
      ).status,
    ).toBe(201);
    expect((await as(mainAdmin, '/api/users/x4/disable', {})).status).toBe(200);
  });
});

/** A group view that remembers which campuses it was asked for. */
function recordingGroup() {
  const asked: (readonly string[] | undefined)[] = [];
  const view: GroupView = {
    status(sites) {
      asked.push(sites);
      return { campuses: [] } as unknown as ReturnType<GroupView['status']>;
    },
    energy(_year, sites) {
      asked.push(sites);
      return { campuses: [] } as unknown as ReturnType<GroupView['energy']>;
    },
    currentYear: () => 2026,
  };
  return { view, asked };
}

describe('a campus web server', () => {
  it("gives a user of another campus the group view, cut to their campuses by the group's router", async () => {
    const group = recordingGroup();
    const server = await demoWebServer({ site: { ...DEFAULT_SITE, site: 'main' }, group: group.view });
    try {
      await server.auth.users.add({
        username: 'ma',
        role: 'energy-manager',
        password: 'east manager 1',
        sites: ['east', 'north'],
      });
      const { cookie } = await login(server.web.url, 'ma', 'east manager 1');
      const get = (path: string) => jsonRequest(`${server.web.url}${path}`, { cookie: cookie ?? '' });
      expect((await get('/api/group')).status).toBe(200);
      expect((await get('/api/group/energy?year=2026')).status).toBe(200);
      expect(group.asked).toEqual([
        ['east', 'north'],
        ['east', 'north'],
      ]);
      expect(await get('/api/points')).toMatchObject({ status: 403, body: FORBIDDEN });
    } finally {
      await server.stop();
    }
  });

  it('refuses every scoped user when it names no campus of its own; users of every campus are unaffected', async () => {
    const server = await demoWebServer();
    try {
      await server.auth.users.add({
        username: 'li',
        role: 'admin',
        password: 'main admin 12',
        sites: ['main'],
      });
      const scoped = (await login(server.web.url, 'li', 'main admin 12')).cookie ?? '';
      expect(await jsonRequest(`${server.web.url}/api/points`, { cookie: scoped })).toMatchObject({
        status: 403,
        body: FORBIDDEN,
      });
      const admin = (await login(server.web.url, 'admin', 'admin-demo')).cookie ?? '';
      expect((await jsonRequest(`${server.web.url}/api/points`, { cookie: admin })).status).toBe(200);
      expect((await jsonRequest(`${server.web.url}/api/users`, { cookie: admin })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('drops the open socket of a user moved to another campus at the re-check, without ending the session', async () => {
    const server = await demoWebServer({ site: { ...DEFAULT_SITE, site: 'main' }, sessionRecheckMs: 50 });
    try {
      await server.auth.users.add({
        username: 'li',
        role: 'electrician',
        password: 'main electrician',
        sites: ['main'],
      });
      const cookie = (await login(server.web.url, 'li', 'main electrician')).cookie ?? '';
      const socket = connectSocket(server.web.url, {
        reconnection: false,
        transports: ['websocket'],
        extraHeaders: { cookie },
      });
      let sessionEnded = false;
      socket.on('session-ended', () => {
        sessionEnded = true;
      });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.on('connect', () => resolve());
          socket.on('connect_error', reject);
        });
        const dropped = new Promise<string>((resolve) =>
          socket.on('disconnect', (reason) => resolve(reason)),
        );
        server.auth.users.setSites('li', ['east']);
        expect(await dropped).toBe('io server disconnect');
        expect(sessionEnded).toBe(false);
        expect((await jsonRequest(`${server.web.url}/api/auth/me`, { cookie })).status).toBe(200);
      } finally {
        socket.close();
      }
    } finally {
      await server.stop();
    }
  });
});

// ---------------------------------------------------------------- the command line

const run = runCli;

describe('plantwatch user … --sites', () => {
  const temp = tempDir();
  afterAll(() => temp.remove());
  const usersFile = join(temp.dir, 'data', 'users.db');
  mkdirSync(join(temp.dir, 'data'), { recursive: true });
  writeFileSync(join(temp.dir, 'plantwatch.yaml'), `auth:\n  users: ${usersFile}\n`);
  writeFileSync(
    join(temp.dir, 'site.yaml'),
    'sites:\n  - id: main\n    name: Main hospital\n    buildings:\n      - id: a\n        name: Block A\n',
  );
  const config = ['-c', temp.dir];
  const password = { PLANTWATCH_PASSWORD: 'long enough password' };

  it('adds a user scoped to campuses, lists them, changes and clears the campuses, refuses bad ones', async () => {
    const added = await run(
      ['user', 'add', 'li', '--role', 'electrician', '--sites', 'east', ...config],
      password,
    );
    expect(added).toMatchObject({ code: 0, stdout: 'added li (electrician, campuses east)\n' });
    expect((await run(['user', 'add', 'chief', '--role', 'admin', ...config], password)).code).toBe(0);

    const list = await run(['user', 'list', ...config]);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^USERNAME\s+ROLE\s+STATE\s+CREATED\s+SITES\s+NAME$/);
    expect(lines[1]).toMatch(/^chief\s+admin\s+active\s+\d{4}-\d\d-\d\d\s+all\s+chief$/);
    expect(lines[2]).toMatch(/^li\s+electrician\s+active\s+\d{4}-\d\d-\d\d\s+east\s+li$/);

    expect(await run(['user', 'set', 'LI', '--sites', 'east, main', ...config])).toMatchObject({
      code: 0,
      stdout: 'li now works for campuses east,main\n',
    });
    expect((await run(['user', 'list', ...config])).stdout).toMatch(
      /^li\s+electrician\s+active\s+\S+\s+east,main\s+li$/m,
    );

    const empty = await run(['user', 'set', 'li', '--sites', '', ...config]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/at least one campus/);
    const bad = await run(
      ['user', 'add', 'wu', '--role', 'electrician', '--sites', 'East Campus', ...config],
      password,
    );
    expect(bad).toMatchObject({ code: 1 });
    expect(bad.stderr).toContain('invalid site id "East Campus"');
    const neither = await run(['user', 'set', 'li', ...config]);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('--sites <id,id,…> or --all-sites');

    expect(await run(['user', 'set', 'li', '--all-sites', ...config])).toMatchObject({
      code: 0,
      stdout: 'li now works for every campus\n',
    });
    const store = openUserStore(usersFile);
    try {
      expect(store.users.get('li')?.sites).toBeUndefined();
      expect(store.users.get('wu')).toBeUndefined();
    } finally {
      store.close();
    }
  }, 120_000);
});

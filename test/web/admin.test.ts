import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Auth } from '../../src/auth/index.js';
import { DutyRoster } from '../../src/notify/index.js';
import { redactUrl, summarizeConfig } from '../../src/web/admin.js';
import type { WebServer } from '../../src/web/index.js';
import { capturingLogger, demoAuth, type LogLine, login, tempDir } from '../auth/harness.js';
import { plantConfig } from '../helpers/plant-config.js';
import { type Json, jsonRequest, startBareWebServer } from '../helpers/web.js';

const SECRETS = {
  mqtt: 'mqtt-Secret-1234',
  smtp: 'smtp-Secret-5678',
  influx: 'influx-Secret-9012',
  webhookKey: 'hookKey-3456-abcdef',
  webhookHeader: 'Bearer header-Secret-7890',
};

const config = plantConfig({
  gateway: {
    mqtt: {
      broker: {
        mode: 'embedded',
        users: [{ username: 'meters', password: SECRETS.mqtt, publish: ['meters/#'] }],
      },
    },
    storage: {
      backend: 'influxdb',
      influxdb: { host: 'influx.local', username: 'plantwatch', password: SECRETS.influx },
    },
    auth: { enabled: true },
  },
  lines: [{ id: 'line1', transport: 'tcp', host: '10.0.0.5' }],
  profiles: [
    {
      id: 'chiller',
      name: 'Chiller',
      equipment: 'chiller',
      protocol: 'modbus',
      points: [
        { name: 'tripped', table: 'coil', address: 0, type: 'bool' },
        { name: 'chw_supply_temp', table: 'input', address: 1, scale: 0.1, unit: '°C' },
      ],
    },
  ],
  devices: [{ id: 'ch1', name: 'Chiller 1', profile: 'chiller', modbus: { line: 'line1', unitId: 3 } }],
  alarms: {
    rules: [
      { id: 'trip', profile: 'chiller', type: 'state', point: 'tripped', equals: true, priority: 'critical' },
      {
        id: 'chw-high',
        device: 'ch1',
        type: 'high',
        point: 'chw_supply_temp',
        limit: 12,
        deadband: 0.5,
        onDelay: '2m',
        priority: 'high',
      },
    ],
  },
  notify: {
    timezone: 'Asia/Shanghai',
    channels: {
      email: {
        host: 'smtp.hospital.example',
        from: 'plantwatch@hospital.example',
        auth: { user: 'plantwatch', pass: SECRETS.smtp },
      },
      webhooks: [
        {
          id: 'electricians-group',
          url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${SECRETS.webhookKey}`,
          format: 'wecom',
          headers: { authorization: SECRETS.webhookHeader },
        },
      ],
    },
    people: [{ id: 'wang', name: 'Wang Wei', email: 'wang@hospital.example' }],
    teams: [{ id: 'electricians', name: 'Electricians', equipment: ['chiller'], always: ['wang'] }],
    routing: {
      critical: { channels: ['email', 'webhooks'] },
      high: { channels: ['webhooks'] },
      medium: {},
      low: {},
    },
  },
});
const roster = new DutyRoster(config.notify);

let dir: ReturnType<typeof tempDir>;
let auth: Auth;
let lines: LogLine[];
let web: WebServer;
const cookies = { admin: '', electrician: '' };

beforeAll(async () => {
  dir = tempDir();
  const captured = capturingLogger();
  lines = captured.lines;
  auth = await demoAuth(dir.dir, captured.log);
  web = await startBareWebServer({
    log: captured.log,
    auth,
    configSummary: () => summarizeConfig(config, roster.summary(Date.now())),
  });

  for (const [username, password] of [
    ['admin', 'admin-demo'],
    ['electrician', 'electrician-demo'],
  ] as const) {
    const { cookie } = await login(web.url, username, password);
    if (!cookie) throw new Error(`demo account ${username} could not log in`);
    cookies[username] = cookie;
  }
});
afterAll(async () => {
  await web?.stop();
  auth?.close();
  dir?.remove();
});
beforeEach(() => {
  lines.length = 0;
});

const request = (path: string, init: { cookie?: string; body?: unknown; post?: boolean } = {}) =>
  jsonRequest(`${web.url}${path}`, init);
const asAdmin = (path: string, body?: unknown, post = body !== undefined) =>
  request(path, { cookie: cookies.admin, body, post });

const ROUTES: [string, unknown?][] = [
  ['GET /api/users'],
  ['POST /api/users', { username: 'x1', role: 'admin', password: 'long-enough-1' }],
  ['POST /api/users/electrician/password', { password: 'long-enough-1' }],
  ['POST /api/users/admin/disable'],
  ['POST /api/users/electrician/enable'],
  ['GET /api/config/summary'],
];

describe('who may use the admin API', () => {
  it('refuses every admin route to an electrician (403) and to nobody (401)', async () => {
    for (const [route, body] of ROUTES) {
      const [method, path] = route.split(' ') as [string, string];
      const post = method === 'POST';
      expect(await request(path, { cookie: cookies.electrician, body, post }), route).toMatchObject({
        status: 403,
        body: { error: 'forbidden' },
      });
      expect((await request(path, { body, post })).status, route).toBe(401);
    }
    // Nothing changed: no user x1, the admin still enabled.
    expect(auth.users.get('x1')).toBeUndefined();
    expect(auth.users.get('admin')?.disabled).toBe(false);
    // The electrician's other routes are not caught by the admin guard.
    expect((await request('/api/points', { cookie: cookies.electrician })).status).toBe(200);
  });
});

describe('users', () => {
  it('lists users without their hashes', async () => {
    const { status, body, text } = await asAdmin('/api/users');
    expect(status).toBe(200);
    expect(body.map((u: Json) => u.username)).toEqual(expect.arrayContaining(['admin', 'electrician']));
    expect(Object.keys(body[0]).sort()).toEqual([
      'created',
      'disabled',
      'name',
      'role',
      'updated',
      'username',
    ]);
    expect(text).not.toMatch(/argon2|hash/i);
  });

  it('adds a user who can sign in, resets the password, disables and enables them; each change logged', async () => {
    const added = await asAdmin('/api/users', {
      username: 'Zhao',
      name: 'Zhao Lei',
      role: 'electrician',
      password: 'first-password-1',
    });
    expect(added).toMatchObject({
      status: 201,
      body: { username: 'zhao', name: 'Zhao Lei', role: 'electrician', disabled: false },
    });
    expect((await login(web.url, 'zhao', 'first-password-1')).res.status).toBe(200);
    const session = (await login(web.url, 'zhao', 'first-password-1')).cookie;

    // 409: taken (case-insensitively).
    expect(
      await asAdmin('/api/users', { username: 'ZHAO', role: 'admin', password: 'another-password' }),
    ).toMatchObject({ status: 409, body: { error: expect.stringMatching(/^username: .*already exists/) } });

    expect((await asAdmin('/api/users/zhao/password', { password: 'second-password-2' })).status).toBe(200);
    expect((await login(web.url, 'zhao', 'first-password-1')).res.status).toBe(401);
    expect((await login(web.url, 'zhao', 'second-password-2')).res.status).toBe(200);
    // The reset ended the old session.
    expect((await request('/api/points', { cookie: session })).status).toBe(401);

    expect(await asAdmin('/api/users/zhao/disable', undefined, true)).toMatchObject({
      status: 200,
      body: { username: 'zhao', disabled: true },
    });
    expect((await login(web.url, 'zhao', 'second-password-2')).res.status).toBe(401);
    expect(await asAdmin('/api/users/zhao/enable', undefined, true)).toMatchObject({
      status: 200,
      body: { disabled: false },
    });
    expect((await login(web.url, 'zhao', 'second-password-2')).res.status).toBe(200);

    const audit = lines.filter((l) => l.component === 'admin');
    expect(audit.map((l) => [l.actor, l.action, l.target])).toEqual([
      ['admin', 'user added', 'zhao'],
      ['admin', 'password reset (sessions ended)', 'zhao'],
      ['admin', 'user disabled (sessions ended)', 'zhao'],
      ['admin', 'user enabled', 'zhao'],
    ]);
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain('first-password-1');
    expect(logged).not.toContain('second-password-2');
  });

  it('refuses an admin disabling themself (409), and unknown users (404)', async () => {
    expect(await asAdmin('/api/users/admin/disable', undefined, true)).toMatchObject({ status: 409 });
    expect(await asAdmin('/api/users/ADMIN/disable', undefined, true)).toMatchObject({ status: 409 });
    expect(auth.users.get('admin')?.disabled).toBe(false);
    expect((await asAdmin('/api/users/nobody/enable', undefined, true)).status).toBe(404);
    expect((await asAdmin('/api/users/nobody/password', { password: 'long-enough-1' })).status).toBe(404);
  });

  it('answers 400 naming the key for a bad body', async () => {
    const bad = async (body: unknown, key: RegExp) => {
      const res = await asAdmin('/api/users', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error, JSON.stringify(body)).toMatch(key);
    };
    await bad({ name: 'x', role: 'electrician', password: 'long-enough-1' }, /^username: /);
    await bad({ username: 'li', role: 'boss', password: 'long-enough-1' }, /^role: one of electrician/);
    await bad(
      { username: 'li', role: 'electrician', password: 'short' },
      /^password: at least 10 characters/,
    );
    await bad({ username: 'li', role: 'electrician' }, /^password: /);
    await bad({ username: 'li', role: 'electrician', password: 'long-enough-1', admin: true }, /admin/);
    await bad({ username: 'li wei', role: 'electrician', password: 'long-enough-1' }, /^username: invalid/);
    expect(auth.users.get('li')).toBeUndefined();
    expect(await asAdmin('/api/users/electrician/password', { password: 'short' })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^password: at least 10/) },
    });
    expect((await asAdmin('/api/users/electrician/password', {}, true)).body.error).toMatch(/^password: /);
  });
});

describe('the configuration summary', () => {
  it('shows the plant, rules and duty roster without any secret', async () => {
    const { status, body, text } = await asAdmin('/api/config/summary');
    expect(status).toBe(200);
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    expect(text).not.toContain('key=');
    expect(text).not.toMatch(/"pass(word)?":"(?!set|none)/);
    expect(body.sites[0]).toMatchObject({ id: 'main', buildings: [{ id: 'b1', rooms: [{ id: 'r1' }] }] });
    expect(body.lines).toEqual([
      { id: 'line1', name: null, transport: 'tcp', address: '10.0.0.5:502', timeout: '1s', retries: 1 },
    ]);
    expect(body.profiles).toEqual([
      expect.objectContaining({ id: 'chiller', equipment: 'chiller', points: 2 }),
    ]);
    expect(body.devices[0]).toMatchObject({
      id: 'ch1',
      profile: 'chiller',
      site: 'main',
      room: 'r1',
      connection: { protocol: 'modbus', line: 'line1', unitId: 3 },
    });
    expect(body.alarms.rules).toEqual([
      expect.objectContaining({
        id: 'trip',
        priority: 'critical',
        applies: 'profile chiller',
        condition: 'tripped = true',
      }),
      expect.objectContaining({ id: 'chw-high', condition: 'chw_supply_temp > 12, deadband 0.5 (for 2m)' }),
    ]);
    expect(body.gateway.mqtt.broker.users).toEqual([
      { username: 'meters', publish: ['meters/#'], subscribe: [] },
    ]);
    expect(body.gateway.storage.influxdb).toMatchObject({ host: 'influx.local', password: 'set' });
    expect(body.notify.channels.email).toMatchObject({ host: 'smtp.hospital.example', login: 'set' });
    expect(body.notify.channels.webhooks).toEqual([
      {
        id: 'electricians-group',
        format: 'wecom',
        url: 'https://qyapi.weixin.qq.com/…',
        headers: ['authorization'],
      },
    ]);
    expect(body.duty.teams).toEqual([
      {
        id: 'electricians',
        name: 'Electricians',
        equipment: ['chiller'],
        onDuty: [{ id: 'wang', name: 'Wang Wei' }],
      },
    ]);
    expect(text).not.toContain('wang@hospital.example');
  });

  it('hides credentials in an external broker URL and a webhook path token', () => {
    const external = plantConfig({
      gateway: {
        mqtt: {
          broker: {
            mode: 'external',
            url: 'mqtts://gw:broker-Secret@broker.local:8883',
            password: 'p-Secret',
          },
        },
      },
    });
    const text = JSON.stringify(summarizeConfig(external));
    expect(text).not.toContain('broker-Secret');
    expect(text).not.toContain('p-Secret');
    expect(text).toContain('mqtts://broker.local:8883/…');
    expect(redactUrl('https://open.feishu.cn/open-apis/bot/v2/hook/tok-123')).toBe(
      'https://open.feishu.cn/…',
    );
    expect(redactUrl('http://127.0.0.1:8090')).toBe('http://127.0.0.1:8090');
  });
});

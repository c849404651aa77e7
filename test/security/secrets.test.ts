// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${NAME}" and "${file:…}" are the configuration's own syntax here, not templates.
/**
 * Secrets: taken from the environment ("${NAME}") or from a file ("${file:path}", as Docker
 * secrets and systemd credentials provide them), used where they are meant for, and never
 * written to the log nor shown in the configuration summary.
 *
 * A real gateway starts with every kind of secret set: MQTT users' passwords (one from the
 * environment, one from a file), the SMTP login (from a file, through a systemd-style
 * credentials directory), the InfluxDB password (environment) and the bootstrap admin's
 * password. InfluxDB and SMTP are fakes that record the credentials they were sent and refuse
 * them, so the error paths (the ones that tend to log URLs and commands) run too. The captured
 * log is then scanned for every secret, also base64- and URL-encoded.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { summarizeConfig } from '../../src/web/admin.js';
import { demoConfigCopy, editYaml } from '../helpers/demo-config.js';
import { plantConfig } from '../helpers/plant-config.js';
import { until } from '../helpers/wait.js';
import { type GatewayRig, startGatewayRig } from './gateway-rig.js';

const SECRETS = {
  viewerMqtt: 'viewer-Mqtt-Secret-4711',
  simulatorMqtt: 'sim-Mqtt-Secret-0815',
  smtp: 'smtp-Pass-Secret-2342',
  influx: 'influx-Pass-Secret-1337',
  bootstrapAdmin: 'chief-Admin-Secret-9876',
};

/** A secret as it could show up in a log: plain, URL-encoded, base64 alone or in AUTH PLAIN. */
function forms(secret: string, user?: string): string[] {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [
    secret,
    encodeURIComponent(secret),
    b64(secret),
    ...(user ? [b64(`\0${user}\0${secret}`), b64(`${user}:${secret}`)] : []),
  ];
}

describe('secrets from files', () => {
  it('reads ${file:…} (absolute, relative to the YAML file, via ${NAME} in the path), drops one trailing newline, expands nothing inside', async () => {
    const demo = await demoConfigCopy();
    try {
      const creds = join(demo.dir, 'credentials');
      mkdirSync(creds);
      writeFileSync(join(creds, 'viewer'), 'from-a-file\n');
      writeFileSync(join(demo.dir, 'sim-password'), 'relative-${HOME}\r\n');
      writeFileSync(join(creds, 'smtp'), 'smtp-from-credentials');
      await editYaml(join(demo.dir, 'plantwatch.yaml'), (doc) => {
        doc.setIn(['mqtt', 'broker', 'users', 1, 'password'], `\${file:${join(creds, 'viewer')}}`);
        doc.setIn(['mqtt', 'broker', 'users', 0, 'password'], '${file:sim-password}');
      })();
      await editYaml(join(demo.dir, 'notify.yaml'), (doc) => {
        doc.setIn(
          ['channels', 'email', 'auth'],
          doc.createNode({ user: 'plantwatch', pass: '${file:${CREDENTIALS_DIRECTORY}/smtp}' }),
        );
      })();
      const config = loadConfig(demo.dir, { env: { CREDENTIALS_DIRECTORY: creds } });
      const broker = config.gateway.mqtt?.broker;
      if (broker?.mode !== 'embedded') throw new Error('the demo runs the embedded broker');
      expect(broker.users.map((u) => u.password)).toEqual(['relative-${HOME}', 'from-a-file', 'east-demo']);
      expect(config.notify.channels.email?.auth?.pass).toBe('smtp-from-credentials');
    } finally {
      demo.cleanup();
    }
  });

  it('names the file and the key, never a content, when a secret file is missing or its variable unset', async () => {
    const demo = await demoConfigCopy();
    try {
      await editYaml(join(demo.dir, 'plantwatch.yaml'), (doc) => {
        doc.setIn(['mqtt', 'broker', 'users', 1, 'password'], '${file:/run/secrets/no-such-secret}');
        doc.setIn(['mqtt', 'broker', 'users', 0, 'password'], '${file:${NO_SUCH_DIR}/x}');
      })();
      let error: unknown;
      try {
        loadConfig(demo.dir, { env: {} });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const messages = (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      expect(messages).toEqual([
        "mqtt.broker.users[0].password: environment variable NO_SUCH_DIR (in a secret file's path) is not set",
        'mqtt.broker.users[1].password: secret file /run/secrets/no-such-secret cannot be read (no such file)',
      ]);
    } finally {
      demo.cleanup();
    }
  });
});

describe('a gateway running with every secret set', () => {
  let rig: GatewayRig;
  let influx: Server;
  let smtp: SMTPServer;
  const influxRequests: IncomingMessage[] = [];
  const smtpLogins: { username: string; password: string }[] = [];

  beforeAll(async () => {
    // InfluxDB that answers queries (with nothing) but refuses writes as unauthorised.
    influx = createServer((req, res) => {
      influxRequests.push(req);
      const write = req.url?.startsWith('/write');
      res.writeHead(write ? 401 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(write ? { error: 'authorization failed' } : { results: [{ statement_id: 0 }] }));
    });
    await new Promise<void>((resolve) => influx.listen(0, '127.0.0.1', resolve));
    // An SMTP server that refuses the login it is given.
    smtp = new SMTPServer({
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, callback) {
        smtpLogins.push({ username: auth.username ?? '', password: auth.password ?? '' });
        callback(new Error('Invalid username or password'));
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    const influxPort = (influx.address() as AddressInfo).port;

    vi.stubEnv('PW_TEST_CHIEF_PASSWORD', SECRETS.bootstrapAdmin);
    rig = await startGatewayRig({
      env: {
        ...process.env,
        PW_TEST_VIEWER_MQTT: SECRETS.viewerMqtt,
        PW_TEST_INFLUX: SECRETS.influx,
        PW_TEST_CREDENTIALS: 'credentials',
      },
      plantwatch: (doc, dir) => {
        writeFileSync(join(dir, 'simulator-mqtt-password'), `${SECRETS.simulatorMqtt}\n`);
        doc.setIn(['mqtt', 'broker', 'users', 0, 'password'], '${file:simulator-mqtt-password}');
        doc.setIn(['mqtt', 'broker', 'users', 1, 'password'], '${PW_TEST_VIEWER_MQTT}');
        doc.setIn(['storage', 'backend'], 'influxdb');
        doc.setIn(
          ['storage', 'influxdb'],
          doc.createNode({
            host: '127.0.0.1',
            port: influxPort,
            database: 'plant',
            username: 'plantwatch',
            password: '${PW_TEST_INFLUX}',
          }),
        );
        doc.setIn(['storage', 'batch'], doc.createNode({ maxPoints: 5000, maxDelay: '100ms' }));
        doc.setIn(
          ['auth', 'bootstrapAdmin'],
          doc.createNode({ username: 'chief', passwordEnv: 'PW_TEST_CHIEF_PASSWORD' }),
        );
      },
      notify: (doc, dir) => {
        mkdirSync(join(dir, 'credentials'));
        writeFileSync(join(dir, 'credentials', 'smtp'), SECRETS.smtp);
        doc.setIn(['channels', 'email', 'port'], smtpPort);
        doc.setIn(
          ['channels', 'email', 'auth'],
          doc.createNode({ user: 'plantwatch', pass: '${file:${PW_TEST_CREDENTIALS}/smtp}' }),
        );
      },
    });
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
    vi.unstubAllEnvs();
    await new Promise((resolve) => influx?.close(resolve));
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  it('uses each secret where it belongs, and logs none of them (nor their encodings)', async () => {
    // MQTT: the file's and the environment's passwords let their users in; a wrong one is refused.
    for (const [username, password] of [
      ['simulator', SECRETS.simulatorMqtt],
      ['viewer', SECRETS.viewerMqtt],
    ] as const) {
      const c = await mqtt.connectAsync(rig.gateway.mqtt.brokerUrl, {
        username,
        password,
        reconnectPeriod: 0,
      });
      await c.endAsync(true);
    }
    await expect(
      mqtt.connectAsync(rig.gateway.mqtt.brokerUrl, {
        username: 'viewer',
        password: `${SECRETS.viewerMqtt}-typo`,
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow();

    // InfluxDB was sent its password (and refused a write): the store is down, values spool.
    const influxBasic = Buffer.from(`plantwatch:${SECRETS.influx}`).toString('base64');
    await until(
      'InfluxDB sent its password',
      () =>
        influxRequests.some(
          (r) => r.url?.includes(SECRETS.influx) || r.headers.authorization === `Basic ${influxBasic}`,
        ),
      10_000,
    );
    rig.gateway.bus.publish([
      { id: rig.gateway.table.all()[0]?.info.id ?? '', value: 1, quality: 'good', ts: Date.now() },
    ]);
    await until('a write refused', () => rig.gateway.storage.stats().storeUp === false, 10_000);

    // SMTP: the monthly report's mail logs in with the file's password, refused.
    const report = await fetch(`${rig.url}/api/energy/report/send`, {
      method: 'POST',
      headers: { cookie: rig.cookies.manager },
    });
    expect(report.status).toBe(503);
    expect(smtpLogins).toContainEqual({ username: 'plantwatch', password: SECRETS.smtp });

    // The bootstrap admin signs in with the environment's password.
    const chief = await fetch(`${rig.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'chief', password: SECRETS.bootstrapAdmin }),
    });
    expect(chief.status).toBe(200);

    // The errors were logged (so the scan below looked at them) ...
    const text = JSON.stringify(rig.lines);
    expect(rig.lines.some((l) => l.level >= 40 && /influx|store/i.test(JSON.stringify(l)))).toBe(true);
    expect(rig.lines.some((l) => l.level >= 40 && /report|mail|smtp/i.test(JSON.stringify(l)))).toBe(true);
    expect(rig.lines.length).toBeGreaterThan(5);
    // ... and no secret in any form.
    for (const [name, secret] of Object.entries(SECRETS))
      for (const form of forms(secret, name === 'influx' || name === 'smtp' ? 'plantwatch' : undefined))
        expect(text.includes(form), `${name} (${form}) in the log`).toBe(false);
  });

  it('keeps every secret out of /api/config/summary', async () => {
    const res = await fetch(`${rig.url}/api/config/summary`, { headers: { cookie: rig.cookies.admin } });
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const [name, secret] of Object.entries(SECRETS))
      for (const form of forms(secret)) expect(text.includes(form), `${name} in the summary`).toBe(false);
    expect(text).not.toContain('PW_TEST_CHIEF_PASSWORD');
    expect(text).not.toContain('credentials/smtp');
  });
});

describe('the configuration summary', () => {
  /** Every string under a key that names a secret, anywhere in a configuration object. */
  function secretValues(value: unknown, key = ''): string[] {
    if (typeof value === 'string')
      return /pass|secret|token|key|auth|header|cookie|credential/i.test(key) && value.length > 0
        ? [value]
        : [];
    if (Array.isArray(value)) return value.flatMap((v) => secretValues(v, key));
    if (value instanceof Map) return [...value.values()].flatMap((v) => secretValues(v, key));
    if (value && typeof value === 'object')
      return Object.entries(value).flatMap(([k, v]) => secretValues(v, /header/i.test(key) ? key : k));
    return [];
  }

  it('leaves out the value of every secret-named field of a configuration that sets them all', () => {
    const everySecret = (broker: object) =>
      plantConfig({
        gateway: {
          mqtt: { broker },
          storage: { backend: 'influxdb', influxdb: { username: 'pw', password: 'S-influx-pass' } },
          auth: { enabled: true, bootstrapAdmin: { username: 'chief', passwordEnv: 'S_CHIEF_PASSWORD_ENV' } },
        },
        notify: {
          timezone: 'UTC',
          channels: {
            email: {
              host: 'smtp.example',
              from: 'pw@example.org',
              auth: { user: 'pw', pass: 'S-smtp-pass' },
            },
            webhooks: [
              {
                id: 'hook',
                url: 'https://hooks.example/S-path-token?key=S-query-key',
                headers: { authorization: 'Bearer S-header-token', 'x-api-key': 'S-api-key' },
              },
            ],
          },
          people: [{ id: 'p', name: 'P', email: 'S-someone@example.org' }],
          teams: [{ id: 't', name: 'T', always: ['p'] }],
          routing: { critical: { channels: ['email', 'webhooks'] }, high: {}, medium: {}, low: {} },
        },
      });
    const embedded = everySecret({
      mode: 'embedded',
      users: [
        { username: 'a', password: 'S-mqtt-user-a', publish: ['meters/a'] },
        { username: 'b', password: 'S-mqtt-user-b', subscribe: ['plantwatch/#'] },
      ],
    });
    const external = everySecret({
      mode: 'external',
      url: 'mqtts://gw:S-url-password@broker.example:8883/S-url-path',
      username: 'gw',
      password: 'S-external-pass',
    });
    for (const config of [embedded, external]) {
      const found = secretValues(config);
      // The walk does find the secrets it is meant to (so an empty list cannot pass).
      expect(found.length).toBeGreaterThanOrEqual(6);
      const text = JSON.stringify(summarizeConfig(config));
      for (const secret of found) expect(text.includes(secret), secret).toBe(false);
      // And nothing marked S- anywhere: URL parts, e-mail addresses, the variable's name.
      expect(text.match(/S[-_][A-Za-z-_]+/g)).toBeNull();
    }
  });
});

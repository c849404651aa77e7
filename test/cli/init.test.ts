/**
 * `plantwatch init`: the production starting point it writes loads with its variables set,
 * names every one that is missing, carries no demo account or published password, and starts
 * a gateway (real Modbus meter, real login) on which the demo's admin cannot sign in.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runInit } from '../../src/cli/init.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { PUBLISHED_DEMO_PASSWORDS } from '../../src/vocabulary/demo-passwords.js';
import { login } from '../auth/harness.js';
import { editYaml } from '../helpers/demo-config.js';
import { startTcpDevice } from '../helpers/modbus-tcp-device.js';
import { until } from '../helpers/wait.js';

const VARIABLES = {
  PLANTWATCH_ADMIN_PASSWORD: 'chief-first-password-1',
  PLANTWATCH_MQTT_VIEWER_PASSWORD: 'viewer-from-env-2',
  PLANTWATCH_SMTP_HOST: 'smtp.hospital.test',
  PLANTWATCH_SMTP_USER: 'plantwatch',
  PLANTWATCH_SMTP_PASSWORD: 'smtp-from-env-3',
};
/** The variables the files name as ${VAR} (the admin's is read at start, by auth). */
const IN_FILES = Object.keys(VARIABLES).filter((name) => name !== 'PLANTWATCH_ADMIN_PASSWORD');

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-init-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** runInit's exit code and what it printed. */
async function init(dir: string, force?: boolean) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
  try {
    const code = await runInit(dir, force === undefined ? {} : { force });
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    vi.restoreAllMocks();
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('plantwatch init', () => {
  it('writes a site that loads once its variables are set, and says which they are', async () => {
    const dir = join(tmp(), 'site');
    const { code, stdout } = await init(dir);
    expect(code).toBe(0);
    for (const name of ['plantwatch.yaml', 'site.yaml', 'lines.yaml', 'alarms.yaml', 'notify.yaml'])
      expect(stdout).toContain(name);
    for (const name of Object.keys(VARIABLES)) expect(stdout).toContain(name);

    const config = loadConfig(dir, { env: { ...VARIABLES, NODE_ENV: 'production' } });
    expect(config.sites.map((s) => s.buildings.map((b) => b.rooms.length))).toEqual([[1]]);
    expect(config.lines).toHaveLength(1);
    expect(config.devices.map((d) => [d.profile, 'modbus' in d])).toEqual([['power-meter', true]]);
    expect(config.alarms.rules.length).toBeGreaterThan(0);
    expect(config.notify.channels.email).toMatchObject({
      host: VARIABLES.PLANTWATCH_SMTP_HOST,
      auth: { user: VARIABLES.PLANTWATCH_SMTP_USER, pass: VARIABLES.PLANTWATCH_SMTP_PASSWORD },
    });
    const { auth, web, mqtt, storage } = config.gateway;
    expect(auth).toMatchObject({
      enabled: true,
      demoAccounts: false,
      bootstrapAdmin: { passwordEnv: 'PLANTWATCH_ADMIN_PASSWORD' },
    });
    expect(web.host).toBe('127.0.0.1');
    expect(readFileSync(join(dir, 'plantwatch.yaml'), 'utf8')).toMatch(
      /^web:\n(?: {2}#.*\n)* {2}host: 127\.0\.0\.1/m,
    );
    expect(mqtt?.broker).toMatchObject({ mode: 'embedded', host: '127.0.0.1' });
    expect(mqtt?.broker.mode === 'embedded' && mqtt.broker.users.map((u) => u.password)).toEqual([
      VARIABLES.PLANTWATCH_MQTT_VIEWER_PASSWORD,
    ]);
    expect(storage.backend).toBe('sqlite');
  });

  it('holds no demo account, published password or default for a secret', async () => {
    const dir = join(tmp(), 'site');
    expect((await init(dir)).code).toBe(0);
    for (const file of filesUnder(dir)) {
      const text = readFileSync(file, 'utf8');
      for (const password of PUBLISHED_DEMO_PASSWORDS)
        expect(text, relative(dir, file)).not.toContain(password);
      expect(text, relative(dir, file)).not.toMatch(/\$\{[A-Za-z_][A-Za-z0-9_]*:-/);
      expect(text, relative(dir, file)).not.toMatch(/demoAccounts:\s*true/);
    }
  });

  it('names each missing variable with its file and key', async () => {
    const dir = join(tmp(), 'site');
    expect((await init(dir)).code).toBe(0);
    let error: unknown;
    try {
      loadConfig(dir, { env: {} });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.map((i) => ({
      file: relative(dir, i.file.startsWith('/') ? i.file : join(process.cwd(), i.file)),
      path: i.path,
      message: i.message,
    }));
    for (const name of IN_FILES) {
      expect(
        issues.some((i) => i.message.includes(`environment variable ${name} is not set`)),
        name,
      ).toBe(true);
    }
    expect(issues).toContainEqual(
      expect.objectContaining({ file: 'plantwatch.yaml', path: 'mqtt.broker.users[0].password' }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({ file: 'notify.yaml', path: 'channels.email.host' }),
    );
  });

  it('is the command `plantwatch init <dir>`, which then checks with its variables set', async () => {
    const dir = join(tmp(), 'site');
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
        env: { ...process.env, ...env },
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stderr }),
      );
    const written = await cli(['init', dir]);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain('PLANTWATCH_ADMIN_PASSWORD');
    const checked = await cli(['check-config', dir], VARIABLES);
    expect(checked).toMatchObject({ code: 0, stdout: expect.stringContaining('1 device(s)') });
    expect(checked.stdout).toContain('dashboard and API on 127.0.0.1:8080, login on');
    expect((await cli(['init', dir])).code).toBe(1);
  });

  it('refuses a directory that has files, unless forced', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const refused = await init(dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not empty');
    expect(readdirSync(dir)).toEqual(['notes.txt']);

    const forced = await init(dir, true);
    expect(forced.code).toBe(0);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['notes.txt', 'plantwatch.yaml', 'profiles']));
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('starts a gateway: health answers, the first admin signs in, the demo admin does not', async () => {
    const dir = join(tmp(), 'site');
    expect((await init(dir)).code).toBe(0);
    // The meter's registers: 230 V on L1 (float32 0x4366_0000), 50.00 Hz, the rest zero.
    const holding: Record<number, number> = {};
    for (let a = 0; a <= 41; a++) holding[a] = 0;
    holding[0] = 0x4366;
    holding[17] = 5000;
    const meter = await startTcpDevice({ 1: { holding, coil: { 0: true } } });
    cleanup.push(() => meter.stop());
    const data = (name: string) => join(dir, 'data', name);
    await editYaml(join(dir, 'plantwatch.yaml'), (doc) => {
      doc.setIn(['web', 'port'], 0);
      doc.setIn(['mqtt', 'broker', 'port'], 0);
      doc.setIn(['auth', 'users'], data('users.db'));
      doc.setIn(['storage', 'sqlite', 'path'], data('plantwatch.db'));
      doc.setIn(['storage', 'spool', 'path'], data('spool.db'));
      doc.setIn(['records', 'path'], data('records.db'));
    })();
    await editYaml(join(dir, 'alarms.yaml'), (doc) =>
      doc.setIn(['settings', 'journal'], data('alarms.db')),
    )();
    await editYaml(join(dir, 'lines.yaml'), (doc) => {
      doc.setIn(['lines', 0, 'host'], '127.0.0.1');
      doc.setIn(['lines', 0, 'port'], meter.port);
    })();
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('PLANTWATCH_ADMIN_PASSWORD', VARIABLES.PLANTWATCH_ADMIN_PASSWORD);
    const config = loadConfig(dir, { env: { ...VARIABLES, NODE_ENV: 'production' } });
    const gateway = await startGateway({ config, log: silentLogger() });
    cleanup.push(() => gateway.stop());

    const health = await fetch(`${gateway.web.url}/api/health`);
    expect(health.status).toBe(200);
    expect((await login(gateway.web.url, 'admin', 'admin-demo')).res.status).toBe(401);
    expect((await login(gateway.web.url, 'chief', VARIABLES.PLANTWATCH_ADMIN_PASSWORD)).res.status).toBe(200);
    const voltage = await until('the meter read', () => {
      const value = gateway.table.get('dr1-incomer.voltage_l1');
      return value?.quality === 'good' ? value : undefined;
    });
    expect(voltage.value).toBe(230);
  });

  it("will not start the gateway without the first admin's password, naming the variable", async () => {
    const dir = join(tmp(), 'site');
    expect((await init(dir)).code).toBe(0);
    await editYaml(join(dir, 'plantwatch.yaml'), (doc) => {
      doc.setIn(['web', 'port'], 0);
      doc.deleteIn(['mqtt']);
      doc.setIn(['auth', 'users'], join(dir, 'data', 'users.db'));
      doc.setIn(['storage', 'sqlite', 'path'], join(dir, 'data', 'plantwatch.db'));
      doc.setIn(['storage', 'spool', 'path'], join(dir, 'data', 'spool.db'));
      doc.setIn(['records', 'path'], join(dir, 'data', 'records.db'));
    })();
    await editYaml(join(dir, 'alarms.yaml'), (doc) =>
      doc.setIn(['settings', 'journal'], join(dir, 'data', 'alarms.db')),
    )();
    vi.stubEnv('PLANTWATCH_ADMIN_PASSWORD', undefined);
    const config = loadConfig(dir, { env: VARIABLES });
    await expect(startGateway({ config, log: silentLogger() })).rejects.toThrow(/PLANTWATCH_ADMIN_PASSWORD/);
  });
});

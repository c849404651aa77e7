/**
 * Scans from the admin page, over HTTP: an admin starts one against a Modbus TCP gateway (the
 * simulator's, on a loopback port), follows it to done, downloads the draft, and the draft
 * passes check-config once filled, as the CLI's does. Only admins; bounded input (400 with the
 * field named); one scan at a time per target, however it is named (409); a serial line the
 * gateway polls is refused (409); a cancelled scan keeps what it found; each start and finish
 * logged with who started it.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { identitiesOf } from '../../simulators/modbus/responder.js';
import type { ScanJobJson, ScansAnswer } from '../../src/api-types/scan.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { type ModbusLineConfig, modbusLine } from '../../src/config/schema.js';
import { repoRoot } from '../../src/repo-root.js';
import { demoWebServer, type LogLine, login } from '../auth/harness.js';
import { devicesOn, fillDraft, serveTcpGateway } from '../discovery/harness.js';
import { until } from '../helpers/wait.js';

type Gateway = Awaited<ReturnType<typeof serveTcpGateway>>;
type Server = Awaited<ReturnType<typeof demoWebServer>>;

/** A serial line in lines.yaml that the gateway does not poll (no enabled device), on no port. */
const spare = modbusLine.parse({ id: 'spare', transport: 'rtu', path: '/dev/plantwatch-no-such-port' });

const dir = mkdtempSync(join(tmpdir(), 'plantwatch-scan-api-'));
let gateway: Gateway;
let server: Server;
let logLines: LogLine[];
const cookies = { admin: '', electrician: '' };

beforeAll(async () => {
  gateway = await serveTcpGateway();
  // Every line of the plant is polled (its devices are enabled) but the spare one.
  const lines: ModbusLineConfig[] = [...gateway.config.lines, spare];
  server = await demoWebServer({
    scans: { lines, polledLines: () => gateway.config.lines.map((line) => line.id) },
  });
  logLines = server.lines;
  for (const [username, password] of [
    ['admin', 'admin-demo'],
    ['electrician', 'electrician-demo'],
  ] as const) {
    const { cookie } = await login(server.web.url, username, password);
    if (!cookie) throw new Error(`demo account ${username} could not log in`);
    cookies[username] = cookie;
  }
});
afterAll(async () => {
  await server?.stop();
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  logLines.length = 0;
});

// biome-ignore lint/suspicious/noExplicitAny: JSON of several shapes; each test asserts the one it expects.
type Json = any;

/** A call to the API as `who` (the admin unless said), its body parsed when it is JSON. */
async function api(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  who: keyof typeof cookies | 'nobody' = 'admin',
): Promise<{ status: number; body: Json; text: string; headers: Headers }> {
  const res = await fetch(`${server.web.url}${path}`, {
    method,
    headers: {
      ...(who === 'nobody' ? {} : { cookie: cookies[who] }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Json = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // A draft file: YAML, kept as text.
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

const address = () => {
  if (gateway.line.transport !== 'tcp') throw new Error('the gateway is Modbus TCP');
  return `${gateway.line.host}:${gateway.line.port}`;
};

/** Polls the scan (as the page does) until it is no longer running. */
async function finished(id: string, timeoutMs = 15_000): Promise<ScanJobJson> {
  return until(
    `scan ${id} to end`,
    async () => {
      const { body } = await api('GET', `/api/config/scans/${id}`);
      return (body as ScanJobJson).state === 'running' ? undefined : (body as ScanJobJson);
    },
    timeoutMs,
    100,
  );
}

describe('a scan from the admin page', () => {
  let job: ScanJobJson;
  const seen: ScanJobJson[] = [];

  it('starts (202), shows its progress while it runs, and ends done with the units that answered', async () => {
    const started = await api('POST', '/api/config/scans', {
      where: address(),
      units: '1-12',
      delayMs: 60,
      timeoutMs: 300,
      name: 'boiler-gw',
    });
    expect(started.status).toBe(202);
    job = started.body;
    expect(started.headers.get('location')).toBe(`/api/config/scans/${job.id}`);
    expect(job).toMatchObject({
      protocol: 'modbus',
      where: address(),
      transport: 'tcp',
      line: null,
      units: { from: 1, to: 12 },
      state: 'running',
      total: 12,
      startedBy: 'admin',
    });
    const done = await until(
      'the scan to end',
      async () => {
        const { body } = await api('GET', `/api/config/scans/${job.id}`);
        seen.push(body);
        return body.state === 'running' ? undefined : (body as ScanJobJson);
      },
      15_000,
      50,
    );
    expect(done.state).toBe('done');
    // Seen part-way: some units probed, fewer than all.
    expect(seen.some((s) => s.state === 'running' && s.probed > 0 && s.probed < 12)).toBe(true);
    const identities = identitiesOf(gateway.config);
    const expected = devicesOn(gateway.config, 'gw-tcp').map((device) => {
      const objects = identities.get(device.id);
      return {
        unit: device.unitId,
        vendor: objects?.[0] ?? null,
        product: objects?.[1] ?? null,
        revision: objects?.[2] ?? null,
        missing: objects ? null : 'function 43 refused, exception 1 (illegal function)',
      };
    });
    expect(done.found).toMatchObject(expected);
    expect(done).toMatchObject({ probed: 12, error: null, warning: null });
    expect(done.files).toEqual(['devices/boiler-gw.yaml', 'lines.boiler-gw.yaml']);
    expect(Date.parse(done.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.startedAt));
    // Its start and its end are logged, with who started it.
    const logged = logLines.filter((l) => l.scan === job.id);
    expect(logged.map((l) => [l.actor, l.msg])).toEqual([
      ['admin', `admin: scan ${job.id} of ${address()} (tcp) started, units 1-12`],
      ['admin', `scan ${job.id} of ${address()} (tcp) (started by admin) done: 3 unit(s) found of 12 probed`],
    ]);
    job = done;
  });

  it('gives each draft file to download, which check-config accepts once filled', async () => {
    const configDir = join(dir, 'config');
    cpSync(join(repoRoot(), 'config'), configDir, { recursive: true });
    const before: PlantConfig = loadConfig(configDir);
    for (const file of job.files) {
      const res = await api('GET', `/api/config/scans/${job.id}/draft?file=${encodeURIComponent(file)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/yaml/);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename=${file.split('/').at(-1)}`);
      mkdirSync(dirname(join(configDir, file)), { recursive: true });
      writeFileSync(join(configDir, file), res.text);
    }
    expect(() => loadConfig(configDir)).toThrow(/devices\/boiler-gw\.yaml:\d+: devices\[0\]\.profile/);
    fillDraft(configDir, before, { devices: 'devices/boiler-gw.yaml', lines: 'lines.boiler-gw.yaml' });
    const after = loadConfig(configDir);
    const drafted = after.devices.filter((d) => 'modbus' in d && d.modbus.line === 'boiler-gw');
    expect(drafted.map((d) => ('modbus' in d ? d.modbus.unitId : 0))).toEqual(job.found.map((u) => u.unit));
    expect(after.lines.find((l) => l.id === 'boiler-gw')).toMatchObject({ transport: 'tcp' });
  });

  it('answers 404 for a file the draft does not have, and for a scan it does not know', async () => {
    const noFile = await api('GET', `/api/config/scans/${job.id}/draft?file=..%2Fplantwatch.yaml`);
    expect(noFile.status).toBe(404);
    expect(noFile.body.error).toBe('file: one of devices/boiler-gw.yaml, lines.boiler-gw.yaml');
    expect((await api('GET', '/api/config/scans/nope')).status).toBe(404);
    expect((await api('GET', '/api/config/scans/nope/draft')).status).toBe(404);
    expect((await api('DELETE', '/api/config/scans/nope')).status).toBe(404);
  });
});

describe('one scan at a time per target, and not the poller’s serial lines', () => {
  it('refuses a second scan of the same gateway (409), by its line id too; a cancelled one keeps its units', async () => {
    const first = await api('POST', '/api/config/scans', { where: address(), delayMs: 50, timeoutMs: 200 });
    expect(first.status).toBe(202);
    const again = await api('POST', '/api/config/scans', { where: address(), units: '1-3' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(
      new RegExp(`^${address()} is being scanned already \\(scan ${first.body.id}`),
    );
    // The configured line at the same address is the same target.
    const byLine = await api('POST', '/api/config/scans', { where: 'gw-tcp', units: '1-3' });
    expect(byLine.status).toBe(409);
    const noDraftYet = await api('GET', `/api/config/scans/${first.body.id}/draft`);
    expect(noDraftYet.status).toBe(409);
    expect(noDraftYet.body.error).toMatch(/still running/);
    await until('unit 2 to be found', async () => {
      const { body } = await api('GET', `/api/config/scans/${first.body.id}`);
      return body.found.length > 0;
    });
    const cancelled = await api('DELETE', `/api/config/scans/${first.body.id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    expect(cancelled.body.probed).toBeLessThan(247);
    expect(cancelled.body.found.map((u: { unit: number }) => u.unit)).toContain(2);
    // What it found so far is a draft as well; and the target is free again.
    const id = address().replace(/[.:]/g, '-');
    expect(cancelled.body.files).toEqual([`devices/scan-${id}.yaml`, `lines.scan-${id}.yaml`]);
    const next = await api('POST', '/api/config/scans', { where: 'gw-tcp', units: '2-2' });
    expect(next.status).toBe(202);
    const done = await finished(next.body.id);
    // A configured line's draft: its devices only, beside the line's own file.
    expect(done).toMatchObject({ state: 'done', line: 'gw-tcp', files: ['devices/gw-tcp-scanned.yaml'] });
  });

  it('refuses a serial line the gateway polls (409), named by its id or by its port', async () => {
    for (const where of ['rs485', '/dev/null/unused']) {
      const res = await api('POST', '/api/config/scans', { where, units: '1-3' });
      expect(res.status, where).toBe(409);
      expect(res.body.error).toMatch(
        /^line rs485 is polled by the gateway: its serial port \/dev\/null\/unused is open/,
      );
    }
    const rtuOverTcp = await api('POST', '/api/config/scans', { where: 'gw-rtu' });
    expect(rtuOverTcp.status).toBe(409);
    expect(rtuOverTcp.body.error).toMatch(
      /^line gw-rtu is polled by the gateway: .*second master on its RS-485 bus/,
    );
  });

  it('lists the configured lines with why one cannot be scanned, and the scans kept', async () => {
    const { status, body } = await api('GET', '/api/config/scans');
    expect(status).toBe(200);
    const lines = (body as ScansAnswer).lines;
    expect(lines.map((l) => [l.id, l.refused === null])).toEqual([
      ['gw-tcp', true],
      ['gw-rtu', false],
      ['rs485', false],
      ['spare', true],
    ]);
    expect((body as ScansAnswer).scans.length).toBeGreaterThanOrEqual(3);
  });

  it('scans a serial line the gateway does not poll, and says why it failed when the port is not there', async () => {
    const res = await api('POST', '/api/config/scans', { where: 'spare', units: '1-2' });
    expect(res.status).toBe(202);
    const done = await finished(res.body.id);
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(/^cannot scan \/dev\/plantwatch-no-such-port \(9600 baud\): /);
    expect(done.files).toEqual([]);
  });
});

describe('what the scan API refuses', () => {
  it('is for admins only: 403 to an electrician, 401 to nobody', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/config/scans'],
      ['POST', '/api/config/scans', { where: address() }],
      ['GET', '/api/config/scans/x'],
      ['DELETE', '/api/config/scans/x'],
      ['GET', '/api/config/scans/x/draft'],
    ] as const) {
      expect((await api(method, path, body, 'electrician')).status, `${method} ${path}`).toBe(403);
      expect((await api(method, path, body, 'nobody')).status, `${method} ${path}`).toBe(401);
    }
  });

  it('answers 400 naming the field to bad or hostile input', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /^where: /],
      [{ where: address(), units: '0-300' }, /^units: 0-300: a range of unit ids within 1-247/],
      [{ where: address(), units: '9-3' }, /^units: 9-3: a range/],
      [{ where: address(), units: '1-2-3' }, /^units: a range of unit ids such as 1-32/],
      [{ where: address(), delayMs: -1 }, /^delayMs: ms: at least 0/],
      [{ where: address(), delayMs: 1e9 }, /^delayMs: ms: at most 5000/],
      [{ where: address(), timeoutMs: 'soon' }, /^timeoutMs: ms: a whole number from 50 to 5000/],
      [{ where: address(), retries: 2.5 }, /^retries: retries: a whole number/],
      [{ where: address(), protocol: 'bacnet' }, /^protocol: /],
      [{ where: address(), admin: true }, /Unrecognized key: "admin"/],
      [JSON.parse(`{"where":"${address()}","__proto__":{"units":"1-2"}}`), /Unrecognized key: "__proto__"/],
      [
        { where: '../../etc/passwd' },
        /^where: "..\/..\/etc\/passwd" is no configured line, host:port or serial port/,
      ],
      [{ where: '/dev/../etc/passwd' }, /is no configured line/],
      [{ where: 'http://127.0.0.1:80/' }, /is no configured line/],
      [{ where: address(), transport: 'rtu' }, /^transport: rtu is for a serial port/],
      [{ where: '/dev/ttyUSB9', transport: 'tcp' }, /^transport: tcp is for host:port/],
      [{ where: `127.0.0.1:${70_000}` }, /^port: /],
      [{ where: 'x'.repeat(201) }, /^where: at most 200 characters/],
      [[address()], /expected object/],
      ['1-247', /./], // a JSON string: express.json takes objects and arrays only
    ];
    for (const [body, error] of cases) {
      const res = await api('POST', '/api/config/scans', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error, JSON.stringify(body)).toMatch(error);
    }
  });
});

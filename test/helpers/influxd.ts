/**
 * A real InfluxDB 1.x server (Debian package `influxdb`) on a temp directory and free
 * loopback ports, started and stopped by the test itself. By default as a fresh install
 * leaves it (no login, plain HTTP); on request with logins (`auth-enabled`, an admin created
 * at start), over https with a self-signed certificate made by openssl, and with its query
 * log kept so a test can see which statements the server executed.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './modbus-tcp-device.js';
import { assertTool, TOOLS } from './tools.js';

export interface InfluxLogin {
  username: string;
  password: string;
}

export interface InfluxdOptions {
  /** `auth-enabled = true`, with the admin `admin` created at start. */
  auth?: boolean;
  /** `https-enabled = true`, with a self-signed certificate for 127.0.0.1. */
  https?: boolean;
  /** Keep the query log: `executed()` lists every statement the server ran. */
  queryLog?: boolean;
}

export interface InfluxAnswer {
  status: number;
  /** The JSON answer: `{ results: [...] }`, or `{ error }` for a refused request. */
  body: {
    error?: string;
    results?: { error?: string; series?: { name?: string; columns: string[]; values?: unknown[][] }[] }[];
  };
}

export interface Influxd {
  host: string;
  port: number;
  url: string;
  /** With `auth`: the admin's login, which `query` uses unless told otherwise. */
  admin: InfluxLogin | undefined;
  /** With `https`: the server's certificate (PEM), the CA a client must trust. */
  certificate: string | undefined;
  /** One InfluxQL statement (POSTed), as the admin or as `login`, on `db` if given. */
  query(statement: string, options?: { db?: string; login?: InfluxLogin }): Promise<InfluxAnswer>;
  /** With `queryLog`: the statements the server executed so far (refused ones are not). */
  executed(): string[];
  /**
   * With `queryLog`: where `executed()` stands now. The log arrives through a pipe, late:
   * this runs a marker statement and waits until the log has reached it.
   */
  mark(): Promise<number>;
  stop(): Promise<void>;
  /** Stop without deleting the data (an outage), then `start` again. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

const INFLUXD = TOOLS.influxd.binary;
const ADMIN: InfluxLogin = { username: 'admin', password: 'admin-Pass-1' };

/** A self-signed certificate for 127.0.0.1 (its own CA), valid for a day. */
function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    assertTool(TOOLS.openssl),
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-keyout', key, '-out', cert, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

function configuration(
  dir: string,
  ports: { http: number; rpc: number },
  options: InfluxdOptions,
  tls: { cert: string; key: string } | undefined,
): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${ports.rpc}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = ${options.queryLog === true}
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${ports.http}"
  log-enabled = false
  auth-enabled = ${options.auth === true}
  https-enabled = ${tls !== undefined}
  https-certificate = "${tls?.cert ?? ''}"
  https-private-key = "${tls?.key ?? ''}"
[continuous_queries]
  log-enabled = false
`;
}

/** An HTTP(S) request to influxd, trusting its own certificate. */
function send(
  url: string,
  path: string,
  options: { method?: string; form?: Record<string, string>; login?: InfluxLogin; ca?: string },
): Promise<{ status: number; text: string }> {
  const target = new URL(path, url);
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method ?? 'GET',
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.login ? { auth: `${options.login.username}:${options.login.password}` } : {}),
        headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from influxd ${target} within 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function ping(url: string, ca: string | undefined, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await send(url, '/ping', { ca })).status === 204) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`influxd did not answer /ping at ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The statement of each "Executing query" line of influxd's log. */
function collectQueries(proc: ChildProcess, into: string[]): void {
  if (!proc.stderr) return;
  createInterface({ input: proc.stderr }).on('line', (line) => {
    const match = /msg="Executing query" .* query="(.*)"$/.exec(line);
    if (match?.[1]) into.push(match[1].replace(/\\"/g, '"'));
  });
}

/**
 * As the admin: a user, with `privilege` on `database` if given (READ and WRITE is `ALL`, the
 * least-privilege account the deployment guide gives a gateway). Its login.
 */
export async function createUser(
  influxd: Influxd,
  name: string,
  database?: string,
  privilege = 'ALL',
): Promise<InfluxLogin> {
  const login = { username: name, password: `${name}-Pass-1` };
  const statements = [`CREATE USER "${name}" WITH PASSWORD '${login.password}'`];
  if (database) statements.push(`GRANT ${privilege} ON "${database}" TO "${name}"`);
  for (const statement of statements) {
    const answer = await influxd.query(statement);
    const error = answer.body.error ?? answer.body.results?.[0]?.error;
    if (error) throw new Error(`${statement}: ${error}`);
  }
  return login;
}

/**
 * A configuration directory of this plantwatch.yaml (and other files by name) beside a
 * one-room site, for the CLI and config tests of the InfluxDB settings.
 */
export function influxConfigDir(
  plantwatchYaml: string,
  files: Record<string, string> = {},
): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-influx-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'plantwatch.yaml'), plantwatchYaml);
  writeFileSync(
    join(dir, 'site.yaml'),
    'sites: [{ id: main, name: Main, buildings: [{ id: b1, name: B1, rooms: [{ id: r1, name: R1, kind: other }] }] }]\n',
  );
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startInfluxd(options: InfluxdOptions = {}): Promise<Influxd> {
  assertTool(TOOLS.influxd);
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-influxd-'));
  const ports = { http: await freePort(), rpc: await freePort() };
  const tls = options.https ? selfSignedCertificate(dir) : undefined;
  const certificate = tls ? readFileSync(tls.cert, 'utf8') : undefined;
  const conf = join(dir, 'influxdb.conf');
  writeFileSync(conf, configuration(dir, ports, options, tls));
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${ports.http}`;
  const executed: string[] = [];
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn(INFLUXD, ['-config', conf], {
      stdio: ['ignore', 'ignore', options.queryLog ? 'pipe' : 'ignore'],
    });
    collectQueries(proc, executed);
    await ping(url, certificate, 15_000);
  };
  const kill = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGTERM');
    await exited;
  };
  const query: Influxd['query'] = async (statement, queryOptions = {}) => {
    const login = queryOptions.login ?? (options.auth ? ADMIN : undefined);
    const form = { q: statement, ...(queryOptions.db ? { db: queryOptions.db } : {}) };
    const res = await send(url, '/query', {
      method: 'POST',
      form,
      ca: certificate,
      ...(login ? { login } : {}),
    });
    return { status: res.status, body: JSON.parse(res.text) as InfluxAnswer['body'] };
  };
  let marks = 0;
  const mark = async () => {
    const marker = `plantwatch_mark_${++marks}`;
    await query(`SHOW MEASUREMENTS ON "${marker}"`);
    const end = Date.now() + 5000;
    for (;;) {
      const at = executed.findIndex((statement) => statement.includes(marker));
      if (at >= 0) return at + 1;
      if (Date.now() > end) throw new Error(`influxd's query log did not show ${marker} within 5 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await start();
  if (options.auth) {
    // influxd takes CREATE USER without a login only while it has no user at all.
    const q = `CREATE USER "${ADMIN.username}" WITH PASSWORD '${ADMIN.password}' WITH ALL PRIVILEGES`;
    const created = await send(url, '/query', { method: 'POST', form: { q }, ca: certificate });
    if (created.status !== 200) throw new Error(`influxd refused the admin: ${created.text}`);
  }
  return {
    host: '127.0.0.1',
    port: ports.http,
    url,
    admin: options.auth ? ADMIN : undefined,
    certificate,
    query,
    executed: () => [...executed],
    mark,
    start,
    kill,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

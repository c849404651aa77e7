/**
 * Fuzz: hostile HTTP against the real gateway web server (startGateway on a copy of the demo
 * configuration, login on, every router mounted, no simulator), over raw TCP so nothing
 * normalises the request: random methods and paths to every route and to the static files
 * (`..%2f` traversal, encoded NULs, very long URLs, odd queries), bad JSON, bodies over the
 * limit, wrong content types, huge and many headers, garbage cookies, with and without a
 * signed-in session. Properties: every request gets an answer; no 5xx but a clean JSON one
 * without a stack trace; nothing but a dashboard or uPlot file is ever served as a file;
 * /api/health still answers after the run.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { login } from '../auth/harness.js';
import { type DemoConfig, demoConfigCopy, editYaml } from '../helpers/demo-config.js';
import { fuzz, SEED } from './fuzz.js';

const REQUESTS = 1_500;

let demo: DemoConfig;
let gateway: Gateway;
/** Where requests go: the gateway, or (once) a deliberately broken server. */
const target = { host: '127.0.0.1', port: 0 };
const cookies: Record<string, string> = {};
const ids = { points: ['ch1.load_pct'], alarms: ['x'], devices: ['ch1'] };

/** Hashes of every file the server may serve as a file: the dashboards and uPlot's dist. */
const servable = new Set<string>();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
function addFiles(dir: string) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) addFiles(path);
    else servable.add(sha(readFileSync(path)));
  }
}

beforeAll(async () => {
  addFiles('dashboards');
  addFiles(join('dist', 'dashboard')); // the pages' bundles (test/global-setup.ts builds them)
  addFiles(join('node_modules', 'uplot', 'dist'));
  demo = await demoConfigCopy({ auth: true });
  // The report's mail goes out without its PDFs: a send that printed two (one after the other,
  // behind any download's print) could take longer than the 5 s a request is given on a loaded
  // machine. The PDF route still prints, and a print that does not finish is a clean 503.
  await editYaml(join(demo.dir, 'energy.yaml'), (doc) => {
    doc.setIn(['monthlyReport', 'pdf'], doc.createNode([]));
  })();
  gateway = await startGateway({ config: loadConfig(demo.dir, { env: {} }), log: silentLogger() });
  const url = new URL(gateway.web.url);
  target.host = url.hostname;
  target.port = Number(url.port);
  for (const [user, password] of [
    ['admin', 'admin-demo'],
    ['electrician', 'electrician-demo'],
    ['manager', 'manager-demo'],
  ] as const) {
    const { cookie } = await login(gateway.web.url, user, password);
    if (!cookie) throw new Error(`demo login ${user} failed`);
    cookies[user] = cookie;
  }
  ids.points = [...gateway.table.info.keys()].slice(0, 20);
  ids.devices = [...new Set([...gateway.table.info.values()].map((p) => p.device))];
  ids.alarms = gateway.alarms
    .list()
    .map((a) => a.id)
    .slice(0, 20);
  if (ids.alarms.length === 0) ids.alarms = ['none'];
}, 30_000);

afterAll(async () => {
  await gateway?.stop();
  demo?.cleanup();
});

// ---------------------------------------------------------------- requests

/** Every route the gateway mounts (src/web/*.ts, src/auth/router.ts), params as {p}, {id}, {dev}, {alarm}. */
const ROUTES = [
  '/api/health',
  '/api/points',
  '/api/points/{p}',
  '/api/points/{p}/history',
  '/api/history',
  '/api/lines',
  '/api/devices',
  '/api/storage',
  '/api/notifications',
  '/api/mqtt',
  '/api/alarms',
  '/api/alarms/history',
  '/api/alarms/{alarm}',
  '/api/alarms/{alarm}/ack',
  '/api/alarms/{alarm}/shelve',
  '/api/alarms/{alarm}/unshelve',
  '/api/alarms/{alarm}/out-of-service',
  '/api/alarms/{alarm}/return-to-service',
  '/api/energy/meters',
  '/api/energy/consumption',
  '/api/energy/demand',
  '/api/energy/intensity',
  '/api/energy/leaks',
  '/api/energy/retrofits',
  '/api/energy/report',
  '/api/energy/report/send',
  '/api/work-orders',
  '/api/work-orders/kpis',
  '/api/work-orders/{id}',
  '/api/work-orders/{id}/accept',
  '/api/work-orders/{id}/arrive',
  '/api/work-orders/{id}/complete',
  '/api/work-orders/{id}/cancel',
  '/api/work-orders/{id}/comment',
  '/api/handovers',
  '/api/handovers/current',
  '/api/handovers/{id}/accept',
  '/api/maintenance',
  '/api/maintenance/history',
  '/api/maintenance/{id}/complete',
  '/api/operation-log',
  '/api/assets',
  '/api/assets/{dev}/label.svg',
  '/api/users',
  '/api/users/{user}/password',
  '/api/users/{user}/enable',
  '/api/users/{user}/disable',
  '/api/config/summary',
  '/api/auth/login',
  '/api/auth/me',
  '/api/auth/logout',
  '/metrics',
  '/',
  '/index.html',
  '/main.js',
  '/i18n/en.json',
  '/live/',
  '/vendor/uplot/uPlot.iife.min.js',
  '/socket.io/?EIO=4&transport=polling',
  '/nothing-here',
];

const segment = fc.oneof(
  fc.constantFrom(
    '..',
    '%2e%2e',
    '..%2f',
    '..%2F..%2F..%2Fpackage.json',
    '%2e%2e%2f%2e%2e%2fREADME.md',
    '..\\..\\',
    '%5c..%5c',
  ),
  fc.constantFrom(
    '%00',
    '%2500',
    'a%00.html',
    '%',
    '%zz',
    '%E0%A4%A',
    '%C0%AE%C0%AE',
    '.git',
    '.env',
    '~',
    '*',
  ),
  fc.constantFrom(
    '..%2f..%2f..%2f..%2fetc%2fpasswd',
    '....//....//package.json',
    '%252e%252e%252f',
    'node_modules',
  ),
  fc.string({ unit: 'grapheme', maxLength: 8 }).map(encodeURIComponent),
  fc.constantFrom('1', '-1', '0', '99999999999999999999', '1e309', 'NaN', 'null', '__proto__', 'constructor'),
);

const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?limit=-1',
    '?limit=1e309',
    '?limit=abc&limit=2',
    '?from=yesterday&to=0',
    '?from=-8640000000000001',
    '?__proto__[polluted]=1',
    '?constructor[prototype][polluted]=1',
    '?a[b][c][d][e][f]=1',
    '?range=1h&step=0',
    '?quality=good&quality[]=bad',
    '?month=2026-13',
    '?month=99999-01',
    '?format=csv',
    '?site=%00',
    '?q=%',
  ),
  fc
    .array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 10 })), { maxLength: 4 })
    .map((kv) => `?${kv.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`),
);

const pathArb = fc
  .record({
    route: fc.constantFrom(...ROUTES),
    id: fc.oneof(fc.constantFrom('1', '2', '0', '-1', 'abc', '1.5', '9007199254740993'), segment),
    user: fc.constantFrom('admin', 'electrician', 'manager', 'nobody', '__proto__', '%00'),
    // Half the paths reach a handler as written; the others are bent in one or more ways.
    extra: fc.oneof(fc.constant([]), fc.array(segment, { minLength: 1, maxLength: 3 })),
    prefixTraversal: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    doubleSlash: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    upper: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    query,
    long: fc.oneof(
      { weight: 12, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 70_000 }) },
    ),
  })
  .map((r) => {
    let [path, q = ''] = r.route.split('?') as [string, string?];
    path = path
      .replace('{p}', encodeURIComponent(ids.points[r.id.length % ids.points.length] ?? 'x'))
      .replace('{alarm}', encodeURIComponent(ids.alarms[r.id.length % ids.alarms.length] ?? 'x'))
      .replace('{dev}', r.id.length % 2 ? r.id : (ids.devices[0] ?? 'x'))
      .replace('{id}', r.id)
      // A valid random password for admin would end the session the whole run signs in with.
      .replace('{user}', r.user === 'admin' && r.route.endsWith('/password') ? 'manager' : r.user);
    if (r.extra.length) path = `${path.replace(/\/$/, '')}/${r.extra.join('/')}`;
    if (r.prefixTraversal) path = `/${r.extra.join('/') || '..%2f'}${path}`;
    if (r.doubleSlash) path = path.replace('/', '//');
    if (r.upper) path = path.toUpperCase();
    if (r.long) path = `${path}${path.includes('?') ? '&' : '?'}x=${'a'.repeat(r.long)}`;
    const qs = q ? `?${q}${r.query.replace('?', '&')}` : r.query;
    return `${path}${qs}`;
  });

const bodyArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.json({ maxDepth: 3 }).map((t) => ({ type: 'application/json', text: t })) },
  {
    weight: 3,
    // Bodies shaped like the ones the routes expect, with wrong or hostile values.
    arbitrary: fc
      .dictionary(
        fc.constantFrom(
          'user',
          'comment',
          'reason',
          'duration',
          'password',
          'username',
          'role',
          'team',
          'notes',
          'text',
          'resolution',
          'runHours',
          '__proto__',
          'constructor',
          'month',
        ),
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.double(),
          fc.boolean(),
          fc.constant(null),
          fc.constant('x'.repeat(5000)),
          fc.array(fc.integer(), { maxLength: 2 }),
        ),
        { maxKeys: 5 },
      )
      .map((o) => ({ type: 'application/json', text: JSON.stringify(o) })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '{',
        '{"user":',
        'null',
        '"x"',
        '[]',
        '{"__proto__":{"polluted":1}}',
        '{"a":1}{"b":2}',
        '\u0000',
        '{"user":"\ud800"}',
        'NaN',
      )
      .map((text) => ({ type: 'application/json', text })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(150_000, 101 * 1024, 5_000)
      .map((n) => ({ type: 'application/json', text: `{"notes":"${'n'.repeat(n)}"}` })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=utf-16',
          'application/json; charset=klingon',
          'application/xml',
          '',
          'application/json, text/html',
        ),
        fc.oneof(
          fc.string({ maxLength: 100 }),
          fc.constant('user=admin&role=admin'),
          fc.constant('{"user":"a"}'),
        ),
      )
      .map(([type, text]) => ({ type, text })),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 200 })
      .map((b) => ({ type: 'application/json', text: Buffer.from(b).toString('latin1') })),
  },
);

const headersArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string[]>([]) },
  { weight: 1, arbitrary: fc.integer({ min: 9_000, max: 40_000 }).map((n) => [`X-Big: ${'h'.repeat(n)}`]) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 50, max: 3_000 })
      .map((n) => Array.from({ length: n }, (_, i) => `X-H${i}: ${i}`)),
  },
  {
    weight: 2,
    arbitrary: fc.array(
      fc.constantFrom(
        'Accept: */*',
        'Accept-Encoding: gzip, deflate, br',
        'Range: bytes=0-10',
        'If-None-Match: *',
        'X-Forwarded-For: 1.2.3.4, ::1',
        'Origin: http://evil.example',
        'Transfer-Encoding: identity',
        'Expect: 100-continue',
        'Accept-Language: zh-CN,zh;q=0.9',
        'Content-Encoding: gzip',
      ),
      { maxLength: 3 },
    ),
  },
);

const cookieArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('admin', 'admin', 'electrician', 'manager') },
  { weight: 1, arbitrary: fc.constant('none') },
  fc.constantFrom(
    'pw_session=',
    'pw_session=%E0%A4%A',
    'pw_session=a;pw_session=b',
    'pw_session=\u00ff\u00fe',
    '=;=;;',
  ),
  fc.string({ maxLength: 40 }).map((s) => `pw_session=${s.replace(/[\r\n]/g, '')}`),
);

const methodArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant('GET') },
  { weight: 4, arbitrary: fc.constant('POST') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'PUT',
      'DELETE',
      'PATCH',
      'HEAD',
      'OPTIONS',
      'TRACE',
      'PROPFIND',
      'get',
      'G\u0000T',
      'CONNECT',
    ),
  },
);

const requestArb = fc.record({
  method: methodArb,
  path: pathArb,
  body: bodyArb,
  headers: headersArb,
  cookie: cookieArb,
});
type Req = typeof requestArb extends fc.Arbitrary<infer R> ? R : never;

interface Res {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/** One request on its own connection, bytes exactly as built here: the response, or how none came. */
function send(req: Req, timeoutMs = 5_000): Promise<Res | 'timeout' | 'closed'> {
  const body = req.body ? Buffer.from(req.body.text, 'latin1') : undefined;
  const cookie = req.cookie === 'none' ? undefined : (cookies[req.cookie] ?? req.cookie);
  // A signed-in logout would end the session the rest of the run uses: sent without it.
  const signedOut = /logout/i.test(req.path) && cookie && cookies[req.cookie] !== undefined;
  const lines = [
    `${req.method} ${req.path} HTTP/1.1`,
    `Host: ${target.host}:${target.port}`,
    'Connection: close',
    ...(cookie && !signedOut ? [`Cookie: ${cookie}`] : []),
    ...(body ? [`Content-Type: ${req.body?.type}`, `Content-Length: ${body.length}`] : []),
    ...req.headers,
  ];
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(target.port, target.host, () => {
      socket.write(body ? Buffer.concat([head, body]) : head);
    });
    socket.setTimeout(timeoutMs, () => {
      resolve('timeout');
      socket.destroy();
    });
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => resolve(parse(Buffer.concat(chunks), req.method) ?? 'closed'));
  });
}

function parse(raw: Buffer, method: string): Res | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  if (!status) return undefined;
  // "100 Continue" (Expect: 100-continue) is interim: the answer follows it.
  if (status < 200) return parse(raw.subarray(end + 4), method);
  const headers = new Map(
    headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  let body = raw.subarray(end + 4);
  if (method === 'HEAD') body = Buffer.alloc(0);
  else if (headers.get('transfer-encoding') === 'chunked') body = dechunk(body);
  return { status, headers, body };
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(b.subarray(at, eol).toString('latin1'), 16);
    if (!size) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Files the property would catch if served: a traversal out of dashboards/ shows one of these. */
const LEAKS = [
  /"name": "plantwatch"/,
  /SQLite format 3/,
  /root:x:0:0/,
  /^# Plantwatch/m,
  /\bimport .* from '\.\.?\//,
  /\[core\]/,
];

// ---------------------------------------------------------------- the property

type Tally = { answered: number; byStatus: Map<number, number>; files: number; fiveHundreds: number };
const newTally = (): Tally => ({ answered: 0, byStatus: new Map(), files: 0, fiveHundreds: 0 });

function hostileProperty(tally: Tally) {
  return fc.asyncProperty(requestArb, async (req) => {
    const res = await send(req);
    if (res === 'timeout') throw new Error(`no answer within 5 s to ${req.method} ${req.path.slice(0, 200)}`);
    // Node's HTTP server closes a CONNECT (a proxy tunnel request) it has no handler for: fine.
    if (res === 'closed' && req.method === 'CONNECT') return true;
    if (res === 'closed')
      throw new Error(`connection closed without an answer: ${req.method} ${req.path.slice(0, 200)}`);
    tally.answered++;
    tally.byStatus.set(res.status, (tally.byStatus.get(res.status) ?? 0) + 1);
    const text = res.body.toString('utf8');
    const where = `${req.method} ${req.path.slice(0, 200)} → ${res.status}`;
    if (res.status >= 500) {
      // A 5xx is only acceptable as the error handler's clean JSON: no stack, no internals.
      tally.fiveHundreds++;
      const json = /application\/json/.test(res.headers.get('content-type') ?? '');
      if (!json || /\n\s+at |node_modules|\/src\//.test(text))
        throw new Error(`unclean ${where}: ${text.slice(0, 300)}`);
      // Deliberately down here: the mail server (notify.yaml's SMTP points at port 9), so sending
      // the monthly report answers 503; and a PDF print that Chromium does not finish (prints
      // queue one at a time, and a loaded machine is slow) answers 503 by design. Any other 5xx
      // is a bug.
      if (!/^\/api\/energy\/report(\/send\/?|\.pdf)(\?|$)/i.test(req.path))
        throw new Error(`${where}: ${text.slice(0, 300)}`);
    }
    if (
      /\n\s+at .*\(|node_modules\/|\/work\//.test(text) &&
      !res.headers.get('content-type')?.includes('javascript')
    )
      throw new Error(`internals in ${where}: ${text.slice(0, 300)}`);
    // Anything served that is not JSON, metrics, socket.io or a label must be a known file.
    const type = res.headers.get('content-type') ?? '';
    const isApi =
      /^\/api\//i.test(req.path) || /^\/metrics/i.test(req.path) || /^\/socket\.io\//i.test(req.path);
    if ((res.status === 200 || res.status === 206) && res.body.length > 0 && !/json/.test(type) && !isApi) {
      tally.files++;
      if (res.status === 200 && !servable.has(sha(res.body)))
        throw new Error(`unknown file served for ${where} (${type})`);
    }
    for (const leak of LEAKS)
      if (leak.test(text) && !/javascript/.test(type)) throw new Error(`${leak} in ${where}`);
    return true;
  });
}

it('answers every hostile request below 500 (or clean JSON), serves no file outside dashboards/, and stays up', async () => {
  const tally = newTally();
  const property = hostileProperty(tally);
  const summary = await fuzz('http hostile requests', property, REQUESTS, {
    extra: () =>
      `statuses ${[...tally.byStatus.entries()]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}; ${tally.files} files served`,
  });
  expect(summary.failures).toBe(0);

  const health = await fetch(`${gateway.web.url}/api/health`);
  expect(health.status).toBeLessThan(500);
  expect(((await health.json()) as { status?: string }).status).toBeDefined();
  const me = await fetch(`${gateway.web.url}/api/auth/me`, { headers: { cookie: cookies.admin ?? '' } });
  expect(me.status).toBe(200); // the admin session survived the run
}, 55_000);

it('the property catches a server that serves files naively', async () => {
  // A static handler that joins the decoded path to dashboards/app (no traversal guard) and
  // answers errors with their stack: the same property fails on it within a few hundred cases.
  const root = join('dashboards', 'app');
  const naive = createServer((req, res) => {
    try {
      const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
      res.end(readFileSync(join(root, path === '/' ? 'index.html' : path)));
    } catch (err) {
      res.statusCode = existsSync(root) ? 500 : 404;
      res.end(String((err as Error).stack));
    }
  });
  await new Promise<void>((resolve) => naive.listen(0, '127.0.0.1', resolve));
  const saved = { ...target };
  target.port = (naive.address() as AddressInfo).port;
  try {
    const details = await fc.check(hostileProperty(newTally()), { seed: SEED, numRuns: 1_000 });
    expect(details.failed).toBe(true);
  } finally {
    Object.assign(target, saved);
    naive.closeAllConnections();
    await new Promise((resolve) => naive.close(resolve));
  }
});

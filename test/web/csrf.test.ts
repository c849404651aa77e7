/**
 * Cross-site request forgery against a real gateway with the demo accounts signed in. The
 * session cookie's SameSite does not stop a page on the same host at another port (the same
 * site), nor anything that is no browser; the API itself refuses a state-changing request
 * from another origin, and any body that is not JSON (what HTML forms send).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../auth/harness.js';
import { hasChromium, launchBrowser, openPage, pageFetch, signIn } from '../helpers/browser.js';
import { until } from '../helpers/wait.js';
import { type Json, jsonRequest, startBareWebServer } from '../helpers/web.js';
import { type MailSink, startMailSink } from '../reports/mail.js';
import { type Account, type GatewayRig, startGatewayRig } from '../security/gateway-rig.js';

const FOREIGN = 'http://192.0.2.7:9999';

let rig: GatewayRig;
let mail: MailSink;
beforeAll(async () => {
  mail = await startMailSink();
  rig = await startGatewayRig({
    plantwatch: (doc) => {
      doc.setIn(['web', 'allowedOrigins'], doc.createNode(['https://plant.example.cn']));
      doc.setIn(['web', 'trustProxy'], 'loopback');
    },
    notify: (doc) => doc.setIn(['channels', 'email', 'port'], mail.port),
  });
}, 60_000);
afterAll(async () => {
  await rig?.stop();
  await mail?.close();
});

/** A POST as `account` with the headers given (a body as text, sent as is). */
async function post(path: string, account: Account, headers: Record<string, string>, body?: string) {
  const res = await fetch(`${rig.url}${path}`, {
    method: 'POST',
    headers: { cookie: rig.cookies[account], ...headers },
    body,
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as Json };
}

/** What a form on a foreign page sends: text/plain that happens to parse as JSON. */
const forged = (path: string, account: Account, body: unknown = {}) =>
  post(path, account, { origin: FOREIGN, 'content-type': 'text/plain' }, JSON.stringify(body));

/** What the dashboard itself sends. */
const own = (path: string, account: Account, body?: unknown) =>
  post(
    path,
    account,
    {
      origin: rig.url,
      'sec-fetch-site': 'same-origin',
      'content-type': 'application/json',
    },
    body === undefined ? undefined : JSON.stringify(body),
  );

const read = async (path: string) =>
  (await jsonRequest(`${rig.url}${path}`, { cookie: rig.cookies.admin })).body;

/** Alarms of the demo's state rules, each raised by one point: one per test, none reused once acknowledged. */
const ALARMS = {
  ch1: { id: 'chiller-trip@ch1', point: 'ch1.tripped', value: true },
  ch2: { id: 'chiller-trip@ch2', point: 'ch2.tripped', value: true },
  o2: { id: 'oxygen-station-alarm@o2-station', point: 'o2-station.low_pressure_alarm', value: true },
  dr1: { id: 'incomer-breaker-open@dr1-incomer', point: 'dr1-incomer.breaker_closed', value: false },
};

/** Raise the alarm, so it waits for acknowledgement. */
async function raised(which: keyof typeof ALARMS): Promise<string> {
  const { id, point, value } = ALARMS[which];
  rig.gateway.bus.publish([{ id: point, value, quality: 'good', ts: Date.now() }]);
  await until(
    `${id} active`,
    async () => (await read(`/api/alarms/${id}`)).state === 'active-unacknowledged',
  );
  return id;
}

async function openWorkOrder(title: string): Promise<number> {
  const created = await own('/api/work-orders', 'electrician', { title });
  expect(created.status).toBe(201);
  return created.body.id;
}

/**
 * Monthly energy reports of `month` mailed. Months long past: the gateway may send last
 * month's by itself at start, and alarm notifications go to the same mail server.
 */
const reportsMailed = (month: string) =>
  // In each recipient's language: "Plantwatch energy report 2025-07 — …" or "Plantwatch 能耗月报 2025-07 — …".
  mail.received.filter(
    (m) =>
      /^Plantwatch \S+ /.test(`${m.mail.headers.get('subject')}`) &&
      `${m.mail.headers.get('subject')}`.includes(` ${month}`),
  ).length;

const refusals = () =>
  rig.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('request refused'));

async function refusedCount(reason: string): Promise<number> {
  const text = (await jsonRequest(`${rig.url}/metrics`, { cookie: rig.cookies.admin })).text;
  const match = new RegExp(
    `^plantwatch_http_requests_refused_total\\{reason="${reason}"\\} (\\d+)`,
    'm',
  ).exec(text);
  return Number(match?.[1] ?? 0);
}

describe('a foreign Origin posting text/plain with a signed-in user’s cookie', () => {
  it('is refused (403, a JSON reason) for each action, and nothing changes', async () => {
    const alarm = await raised('ch1');
    const order = await openWorkOrder('Forged accept target');
    const before = { crossSite: await refusedCount('cross-site'), logged: refusals().length };
    const reason = `cross-site request refused: Origin ${FOREIGN} is not this gateway`;

    expect(await forged('/api/users/manager/disable', 'admin')).toEqual({
      status: 403,
      body: { error: reason },
    });
    expect(await forged('/api/energy/report/send?month=2025-06', 'manager')).toEqual({
      status: 403,
      body: { error: reason },
    });
    expect(await forged(`/api/work-orders/${order}/accept`, 'electrician')).toEqual({
      status: 403,
      body: { error: reason },
    });
    expect(await forged(`/api/alarms/${alarm}/ack`, 'electrician', { comment: 'forged' })).toEqual({
      status: 403,
      body: { error: reason },
    });

    expect((await read('/api/users')).find((u: Json) => u.username === 'manager').disabled).toBe(false);
    expect(reportsMailed('2025-06')).toBe(0);
    expect((await read(`/api/work-orders/${order}`)).status).toBe('open');
    expect((await read(`/api/alarms/${alarm}`)).state).toBe('active-unacknowledged');

    // Each refusal logged with where it came from, and counted.
    expect(refusals().slice(before.logged)).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/api/users/manager/disable',
        ip: '127.0.0.1',
        origin: FOREIGN,
      }),
      expect.objectContaining({ path: '/api/energy/report/send?month=2025-06', ip: '127.0.0.1' }),
      expect.objectContaining({ path: `/api/work-orders/${order}/accept` }),
      expect.objectContaining({ path: `/api/alarms/${alarm}/ack` }),
    ]);
    expect(await refusedCount('cross-site')).toBe(before.crossSite + 4);
  });

  it('while the same actions from the gateway’s own pages go through', async () => {
    const alarm = await raised('ch2');
    const order = await openWorkOrder('Own accept target');
    expect((await own(`/api/alarms/${alarm}/ack`, 'electrician', { comment: 'seen' })).status).toBe(200);
    expect((await read(`/api/alarms/${alarm}`)).state).toBe('active-acknowledged');
    expect((await own(`/api/work-orders/${order}/accept`, 'electrician', {})).status).toBe(200);
    expect((await read(`/api/work-orders/${order}`)).status).toBe('accepted');
    // The dashboard sends the report with no body at all.
    expect((await own('/api/energy/report/send?month=2025-07', 'manager')).status).toBe(200);
    expect(reportsMailed('2025-07')).toBe(1);
    expect((await own('/api/users/manager/disable', 'admin', {})).status).toBe(200);
    expect((await own('/api/users/manager/enable', 'admin', {})).status).toBe(200);
  });
});

describe('every way a page elsewhere can post', () => {
  it('is refused: another port of this host, Sec-Fetch-Site same-site or cross-site, Origin null', async () => {
    const alarm = await raised('ch1');
    const other = `http://127.0.0.1:${rig.gateway.web.port + 1}`;
    const cases: [Record<string, string>, string][] = [
      [{ origin: other, 'content-type': 'text/plain' }, `Origin ${other} is not this gateway`],
      [{ origin: FOREIGN, 'content-type': 'application/json' }, `Origin ${FOREIGN} is not this gateway`],
      [{ origin: 'null', 'content-type': 'application/json' }, 'Origin null is not this gateway'],
      [{ 'sec-fetch-site': 'same-site', 'content-type': 'text/plain' }, 'Sec-Fetch-Site same-site'],
      [{ 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, 'Sec-Fetch-Site cross-site'],
      [
        { origin: rig.url, 'sec-fetch-site': 'same-site', 'content-type': 'application/json' },
        'Sec-Fetch-Site same-site',
      ],
    ];
    for (const [headers, why] of cases)
      expect(
        await post(`/api/alarms/${alarm}/ack`, 'electrician', headers, '{}'),
        JSON.stringify(headers),
      ).toEqual({
        status: 403,
        body: { error: `cross-site request refused: ${why}` },
      });
    expect((await read(`/api/alarms/${alarm}`)).state).toBe('active-unacknowledged');
  });

  it('cannot sign a user out, nor sign the browser in to another account (login CSRF)', async () => {
    const logout = await post('/api/auth/logout', 'electrician', { origin: FOREIGN });
    expect(logout.status).toBe(403);
    expect((await jsonRequest(`${rig.url}/api/auth/me`, { cookie: rig.cookies.electrician })).status).toBe(
      200,
    );
    const foreignLogin = await fetch(`${rig.url}/api/auth/login`, {
      method: 'POST',
      headers: { origin: FOREIGN, 'content-type': 'text/plain' },
      body: JSON.stringify({ username: 'manager', password: 'manager-demo' }),
    });
    expect(foreignLogin.status).toBe(403);
    expect(foreignLogin.headers.getSetCookie()).toEqual([]);
  });
});

describe('a client that is no browser (no Origin, no Sec-Fetch-Site: curl, scripts)', () => {
  it('may act with JSON, or with no body at all, but not with any other body', async () => {
    const alarm = await raised('dr1');
    const before = await refusedCount('content-type');
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await post(`/api/alarms/${alarm}/ack`, 'electrician', { 'content-type': type }, '{}');
      expect(res, type).toEqual({
        status: 415,
        body: { error: `request body must be application/json (got ${type.split(';')[0]})` },
      });
    }
    // A body without any content-type is not JSON either.
    const untyped = await fetch(`${rig.url}/api/alarms/${alarm}/ack`, {
      method: 'POST',
      headers: { cookie: rig.cookies.electrician },
      body: new Uint8Array(Buffer.from('{}')),
    });
    expect(untyped.status).toBe(415);
    expect((await read(`/api/alarms/${alarm}`)).state).toBe('active-unacknowledged');
    expect(await refusedCount('content-type')).toBe(before + 4);

    const ack = await post(
      `/api/alarms/${alarm}/ack`,
      'electrician',
      { 'content-type': 'application/json' },
      '{}',
    );
    expect(ack.status).toBe(200);
    // No body, no content-type: what the dashboard's sign-out sends.
    const { cookie } = await login(rig.url, 'electrician', 'electrician-demo');
    const out = await fetch(`${rig.url}/api/auth/logout`, {
      method: 'POST',
      headers: { cookie: cookie ?? '' },
    });
    expect(out.status).toBe(204);
  });
});

describe.skipIf(!hasChromium())('a same-site page at another port, in a real browser', () => {
  let attacker: Server;
  let attackerUrl: string;
  beforeAll(async () => {
    // A page on this host at another port: the same site, so SameSite=Strict cookies go along.
    attacker = createServer((req, res) => {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? '';
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><form method="POST" enctype="text/plain" action="${target}">
        <input name='{"comment":"forged","x":"' value='"}'></form>
        <script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => attacker?.close(resolve));
  });

  it('does not acknowledge an alarm with the electrician’s session; the dashboard still does', async () => {
    const alarm = await raised('o2');
    const browser = await launchBrowser();
    try {
      const { page } = await openPage(browser);
      await page.goto(`${rig.url}/#/`);
      await signIn(page, 'electrician', 'electrician-demo');
      const target = `${rig.url}/api/alarms/${encodeURIComponent(alarm)}/ack`;
      const evil = await page.context().newPage();
      const answered = evil.waitForResponse((r) => r.url() === target, { timeout: 10_000 });
      await evil.goto(`${attackerUrl}/?target=${encodeURIComponent(target)}`);
      const answer = await answered;
      expect(answer.status()).toBe(403);
      expect((await read(`/api/alarms/${alarm}`)).state).toBe('active-unacknowledged');
      // The dashboard's own request, from its page, with the same session.
      const ack = await pageFetch(page, `/api/alarms/${encodeURIComponent(alarm)}/ack`, {
        comment: 'seen',
      });
      expect(ack.status).toBe(200);
      expect((await read(`/api/alarms/${alarm}`)).state).toBe('active-acknowledged');
    } finally {
      await browser.close();
    }
  }, 45_000);
});

describe('behind a reverse proxy (web.allowedOrigins, web.trustProxy in plantwatch.yaml)', () => {
  /** An electrician's ack with these headers: 404 (no such alarm) means it got past the defence. */
  const ack = (url: string, headers: Record<string, string>) =>
    fetch(`${url}/api/alarms/none/ack`, {
      method: 'POST',
      headers: { cookie: rig.cookies.electrician, 'content-type': 'application/json', ...headers },
      body: '{}',
    }).then((r) => r.status);
  const viaProxy = (origin: string) => ({
    origin,
    'x-forwarded-host': 'gw.plant.lan',
    'x-forwarded-proto': 'https',
  });

  it('admits the configured origins, and its own origin as the trusted proxy reports it', async () => {
    expect(await ack(rig.url, { origin: 'https://plant.example.cn', 'sec-fetch-site': 'same-origin' })).toBe(
      404,
    );
    expect(await ack(rig.url, { origin: 'https://evil.example.cn' })).toBe(403);
    expect(await ack(rig.url, viaProxy('https://gw.plant.lan'))).toBe(404);
    expect(await ack(rig.url, viaProxy('http://gw.plant.lan'))).toBe(403);
  });

  it('believes no X-Forwarded-* without a trusted proxy', async () => {
    const direct = await startBareWebServer();
    try {
      expect(await ack(direct.url, viaProxy('https://gw.plant.lan'))).toBe(403);
      expect(await ack(direct.url, { origin: 'https://plant.example.cn' })).toBe(403);
    } finally {
      await direct.stop();
    }
  });
});

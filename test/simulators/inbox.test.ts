/**
 * The demo inbox: real mail from nodemailer (Chinese names, °C, base64 and quoted-printable
 * bodies, multipart) read back as sent; the notifier's own e-mail and webhook channels
 * delivering into a running simulator; bad webhook bodies refused with a reason; the bound.
 */
import { Writable } from 'node:stream';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DemoInbox, readMail, startDemoInbox } from '../../simulators/inbox.js';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { createEmailChannel, createWebhookChannel } from '../../src/notify/channels/index.js';
import type { OutgoingMessage, Recipient } from '../../src/notify/types.js';
import { chillerTripEvent, T0 } from '../helpers/alarm-event.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';
import { freePort } from '../helpers/modbus-tcp-device.js';
import { plantConfig } from '../helpers/plant-config.js';

const SUBJECT = '[CRITICAL] 冷水机组 1 跳闸 — 制冷站, 能源中心 (供水 11.4 °C)';
const CHINESE_TEXT = '李娜、王芳：冷水机组 1 于 03:12 跳闸。\n冷冻水供水温度 11.4 °C（限值 9 °C）。';
const MOSTLY_ASCII_TEXT =
  'Chiller 1 tripped at 03:12 — on duty: Li Na (李娜).\nChilled water supply 11.4 °C (limit 9 °C).\n' +
  'A long line so that quoted-printable has to break it with a soft line break somewhere past column seventy-six.';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  return { log, lines };
}

/** What nodemailer writes for these options, to check which transfer encoding a body got. */
async function rawMail(options: SendMailOptions): Promise<string> {
  const info = await nodemailer.createTransport({ streamTransport: true, buffer: true }).sendMail(options);
  return String(info.message);
}

describe('demo inbox, e-mail', () => {
  let inbox: DemoInbox;
  const captured = capturingLogger();
  const smtp = () =>
    nodemailer.createTransport({ host: '127.0.0.1', port: inbox.smtpPort, secure: false, ignoreTLS: true });

  beforeAll(async () => {
    inbox = await startDemoInbox({ host: '127.0.0.1', smtpPort: await freePort(), log: captured.log });
  });
  afterEach(() => {
    inbox.clear();
  });
  afterAll(async () => {
    await inbox?.close();
  });

  it('reads back a base64 body, encoded-word subject and names as sent', async () => {
    const mail = {
      from: '监控系统 Plantwatch <plantwatch@hospital.example>',
      to: ['李娜 <li.na@hospital.example>', 'wang.fang@hospital.example'],
      bcc: 'duty-log@hospital.example',
      subject: SUBJECT,
      text: CHINESE_TEXT,
    };
    const raw = await rawMail(mail);
    expect(raw).toMatch(/Content-Transfer-Encoding: base64/i);
    expect(raw).toMatch(/Subject: =\?UTF-8\?[BQ]\?/i);

    await smtp().sendMail(mail);
    const [got, ...rest] = inbox.messages();
    expect(rest).toEqual([]);
    expect(got).toMatchObject({
      channel: 'email',
      from: '监控系统 Plantwatch <plantwatch@hospital.example>',
      to: ['li.na@hospital.example', 'wang.fang@hospital.example', 'duty-log@hospital.example'],
      subject: SUBJECT,
      text: CHINESE_TEXT,
    });
    expect(new Date(got?.receivedAt ?? '').getTime()).toBeGreaterThan(Date.now() - 10_000);
    const logged = captured.lines.find((l) => l.channel === 'email');
    expect(logged?.msg).toBe(
      `demo inbox: e-mail to li.na@hospital.example, wang.fang@hospital.example, duty-log@hospital.example: ${SUBJECT}`,
    );
  });

  it('reads back a quoted-printable body with soft line breaks', async () => {
    const mail = {
      from: 'plantwatch@hospital.example',
      to: 'li.na@hospital.example',
      subject: 'Chiller 1: 11.4 °C',
      text: MOSTLY_ASCII_TEXT,
    };
    const raw = await rawMail(mail);
    expect(raw).toMatch(/Content-Transfer-Encoding: quoted-printable/i);
    expect(raw).toMatch(/=\r\n/); // a soft break the reader has to undo

    await smtp().sendMail(mail);
    expect(inbox.messages('email')).toMatchObject([
      { subject: 'Chiller 1: 11.4 °C', text: MOSTLY_ASCII_TEXT, to: ['li.na@hospital.example'] },
    ]);
  });

  it('takes the text part of a text + HTML mail, and accepts any login', async () => {
    const withLogin = nodemailer.createTransport({
      host: '127.0.0.1',
      port: inbox.smtpPort,
      secure: false,
      ignoreTLS: true,
      auth: { user: 'plantwatch', pass: 'whatever' },
    });
    await withLogin.sendMail({
      from: 'plantwatch@hospital.example',
      to: 'wang.fang@hospital.example',
      subject: '氧气站 低压',
      text: '王芳：氧气站供气压力 3.1 bar。',
      html: '<p>王芳：<b>氧气站</b>供气压力 3.1 bar。</p>',
    });
    expect(inbox.messages()).toMatchObject([
      { subject: '氧气站 低压', text: '王芳：氧气站供气压力 3.1 bar。' },
    ]);
  });

  it('says so when a mail has no text part', () => {
    const raw = Buffer.from(
      'From: a@b\r\nSubject: picture\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\n',
    );
    expect(readMail(raw)).toEqual({ from: 'a@b', subject: 'picture', text: '(no text part: image/png)' });
  });

  it('refuses a mail over the size limit', async () => {
    await expect(
      smtp().sendMail({ from: 'a@hospital.example', to: 'b@hospital.example', text: 'x'.repeat(1_200_000) }),
    ).rejects.toThrow(/552|size/i);
    expect(inbox.messages()).toEqual([]);
  });
});

describe('demo inbox, bound', () => {
  it('drops the oldest beyond maxMessages and lists newest first', async () => {
    const inbox = await startDemoInbox({
      host: '127.0.0.1',
      smtpPort: 0,
      log: silentLogger(),
      maxMessages: 3,
    });
    try {
      for (let i = 1; i <= 5; i++) inbox.recordWebhook('g', 'text/plain', `message ${i}`);
      expect(inbox.messages().map((m) => m.subject)).toEqual(['message 5', 'message 4', 'message 3']);
      expect(inbox.clear()).toBe(3);
      expect(inbox.messages()).toEqual([]);
    } finally {
      await inbox.close();
    }
  });
});

// ---------------------------------------------------------------- through a running simulator

const event = chillerTripEvent({ building: '能源中心', room: '制冷站', deviceName: '冷水机组 1' });
const alarm: OutgoingMessage = {
  kind: 'alarm',
  priority: 'critical',
  subject: SUBJECT,
  text: CHINESE_TEXT,
  events: [event],
  audience: 'electricians',
  ts: T0,
};
const onDuty: Recipient[] = [
  { id: 'li', name: '李娜', email: 'li.na@hospital.example' },
  { id: 'wang', name: '王芳' },
];

describe('demo inbox in the simulator', () => {
  let demo: DemoConfig;
  let sim: PlantSimulator;
  let base: string;
  const captured = capturingLogger();

  beforeAll(async () => {
    // The demo configuration's simulation part, on free ports: an inbox is configured there.
    demo = await demoConfigCopy();
    const { control, inbox } = loadConfig(demo.dir).simulation;
    expect(inbox).toMatchObject({ enabled: true });
    base = `http://${control.host}:${control.port}`;
    sim = await startPlantSimulator(plantConfig({ simulation: { control, inbox } }), {
      control: true,
      log: captured.log,
    });
  });
  afterEach(async () => {
    await fetch(`${base}/inbox`, { method: 'DELETE' });
  });
  afterAll(async () => {
    await sim?.stop();
    demo?.cleanup();
  });

  const inbox = async (query = ''): Promise<Record<string, unknown>[]> => {
    const res = await fetch(`${base}/inbox${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>[];
  };
  const post = (group: string, contentType: string, body: string) =>
    fetch(`${base}/inbox/webhook/${group}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });

  it('lists its endpoints', () => {
    const inboxEndpoints = sim.endpoints.filter((e) => e.line === 'inbox').map((e) => e.where);
    expect(inboxEndpoints).toEqual([
      `127.0.0.1:${sim.inbox?.smtpPort}`,
      `${base}/inbox/webhook/<group>`,
      `${base}/inbox`,
    ]);
  });

  it('receives what the notifier channels send: e-mail, WeCom robot, generic JSON', async () => {
    const email = createEmailChannel(
      { host: '127.0.0.1', port: sim.inbox?.smtpPort ?? 0, from: 'Plantwatch <plantwatch@hospital.example>' },
      silentLogger(),
    );
    const wecom = createWebhookChannel(
      { id: 'electricians-group', url: `${base}/inbox/webhook/electricians`, format: 'wecom' },
      silentLogger(),
    );
    const json = createWebhookChannel(
      { id: 'bms', url: `${base}/inbox/webhook/bms`, format: 'json' },
      silentLogger(),
    );
    // The WeCom channel checks errcode in the answer: resolving means the inbox answered {errcode: 0}.
    await email.send(alarm, onDuty);
    await wecom.send(alarm, onDuty);
    await json.send(alarm, onDuty);
    await email.close();

    const [generic, robot, mail] = await inbox();
    expect(mail).toMatchObject({
      channel: 'email',
      to: ['li.na@hospital.example'],
      subject: SUBJECT,
      text: CHINESE_TEXT,
    });
    expect(robot).toMatchObject({
      channel: 'webhook',
      group: 'electricians',
      format: 'wecom/dingtalk',
      subject: SUBJECT,
      text: `${SUBJECT}\n\n${CHINESE_TEXT}\n\nOn duty: 李娜, 王芳`,
    });
    expect(JSON.parse(String(robot?.raw))).toMatchObject({ msgtype: 'text' });
    expect(generic).toMatchObject({
      channel: 'webhook',
      group: 'bms',
      format: 'json',
      subject: SUBJECT,
      text: CHINESE_TEXT,
    });
    expect((await inbox('?channel=email')).map((m) => m.channel)).toEqual(['email']);
    expect((await inbox('?channel=webhook')).map((m) => m.group)).toEqual(['bms', 'electricians']);
    expect(captured.lines.map((l) => l.msg)).toContain(
      `demo inbox: webhook to group "electricians": ${SUBJECT}`,
    );
  });

  it('answers a WeCom-style post with errcode 0, and reads Feishu, Slack and plain text', async () => {
    const wecom = await post(
      'duty',
      'application/json',
      JSON.stringify({ msgtype: 'text', text: { content: '泵 2 故障\n详情' } }),
    );
    expect(wecom.status).toBe(200);
    expect(await wecom.json()).toEqual({ errcode: 0, errmsg: 'ok' });
    await post(
      'f',
      'application/json',
      JSON.stringify({ msg_type: 'text', content: { text: 'Feishu line\nmore' } }),
    );
    await post('s', 'application/json; charset=utf-8', JSON.stringify({ text: 'Slack line' }));
    await post('t', 'text/plain; charset=utf-8', 'Plain 11.4 °C\nbody');
    expect((await inbox()).map((m) => [m.format, m.subject])).toEqual([
      ['text', 'Plain 11.4 °C'],
      ['slack', 'Slack line'],
      ['feishu', 'Feishu line'],
      ['wecom/dingtalk', '泵 2 故障'],
    ]);
  });

  it('refuses malformed, empty or oversized bodies and bad queries with a reason', async () => {
    const bad = await post('duty', 'application/json', '{"msgtype": "text", "text": {');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(
      /^malformed JSON in the webhook body \(Content-Type application\/json\): /,
    );
    const empty = await post('duty', 'application/json', '');
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ error: 'empty webhook body: nothing to record' });
    const huge = await post('duty', 'text/plain', 'x'.repeat(150_000));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toHaveProperty('error');
    const query = await fetch(`${base}/inbox?channel=sms`);
    expect(query.status).toBe(400);
    expect(await query.json()).toEqual({ error: 'channel must be "email" or "webhook", not "sms"' });
    expect(await inbox()).toEqual([]);
  });

  it('shows a browser a page to read, escaped and without script; JSON stays for scripts', async () => {
    const hostile = '<img src=x onerror="window.pwned=1">泵 2 故障 & <b>trip</b>';
    await post('duty', 'text/plain; charset=utf-8', `${hostile}\n详情：出口压力 0.12 MPa`);
    await post(
      'bms',
      'application/json',
      JSON.stringify({ subject: '冷水机组 1 跳闸', text: '供水 11.4 °C' }),
    );
    const browser = await launchBrowser();
    try {
      const { page, errors } = await openPage(browser);
      const answer = await page.goto(`${base}/inbox`);
      expect(answer?.headers()['content-type']).toMatch(/^text\/html/);
      const headings = await page.locator('article h2').allInnerTexts();
      expect(headings).toEqual([
        expect.stringContaining('冷水机组 1 跳闸'),
        expect.stringContaining(hostile),
      ]);
      expect(await page.locator('article pre').first().textContent()).toBe('供水 11.4 °C');
      expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
      await page.getByRole('link', { name: /Webhook/ }).click();
      expect(page.url()).toBe(`${base}/inbox?channel=webhook`);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
    // curl (*/*) and scripts asking for JSON get the list as before.
    expect((await inbox()).map((m) => m.group)).toEqual(['bms', 'duty']);
    const json = await fetch(`${base}/inbox`, { headers: { accept: 'application/json' } });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
  }, 60_000);

  it('clears on DELETE', async () => {
    await post('g', 'text/plain', 'one');
    const res = await fetch(`${base}/inbox`, { method: 'DELETE' });
    expect(await res.json()).toEqual({ ok: true, cleared: 1 });
    expect(await inbox()).toEqual([]);
  });
});

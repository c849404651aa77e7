/**
 * The webhook channel against a real HTTP server on 127.0.0.1: the body each chat robot
 * accepts, and every way a robot says no (HTTP error, errcode/code in a 200 answer, silence).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { createWebhookChannel, type WebhookFormat } from '../../src/notify/channels/index.js';
import { composeAlarmMessage } from '../../src/notify/compose.js';
import type { Recipient } from '../../src/notify/types.js';
import { chillerTripEvent, chillerTripMessage, T0 } from '../helpers/alarm-event.js';

const event = chillerTripEvent();

const message = chillerTripMessage({ ts: T0 + 500 });

const onDuty: Recipient[] = [
  { id: 'li', name: 'Li Wei', email: 'li.wei@hospital.example' },
  { id: 'tom', name: 'Tom Berg' },
];

const chatContent = [
  '[CRITICAL] Chiller 1 tripped — Chiller plant, Energy centre',
  '',
  'Chiller 1 tripped at 03:12.',
  'Chilled water supply 11.4 °C (limit 9 °C).',
  '',
  'On duty: Li Wei, Tom Berg',
].join('\n');

interface Recorded {
  path: string;
  contentType: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

type Reply = (res: ServerResponse, request: Recorded) => void;

const requests: Recorded[] = [];
let reply: Reply = (res) => res.end('ok');
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: Recorded = {
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      reply(res, recorded);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  requests.length = 0;
  reply = (res) => res.end('ok');
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const jsonReply =
  (status: number, body: unknown): Reply =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

/** What each robot answers when it took the message. */
const accepted: Record<WebhookFormat, Reply> = {
  json: (res) => res.writeHead(204).end(),
  text: (res) => res.end('ok'),
  slack: (res) => res.end('ok'),
  wecom: jsonReply(200, { errcode: 0, errmsg: 'ok' }),
  dingtalk: jsonReply(200, { errcode: 0, errmsg: 'ok' }),
  feishu: jsonReply(200, { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' }),
};

const cases: { format: WebhookFormat; contentType: string; body: unknown }[] = [
  {
    format: 'json',
    contentType: 'application/json',
    body: {
      kind: 'alarm',
      priority: 'critical',
      subject: message.subject,
      text: message.text,
      audience: 'electricians',
      ts: '2025-01-15T03:12:00.500Z',
      recipients: [
        { id: 'li', name: 'Li Wei' },
        { id: 'tom', name: 'Tom Berg' },
      ],
      events: [{ ...event, ts: '2025-01-15T03:12:00.000Z' }],
    },
  },
  { format: 'text', contentType: 'text/plain', body: chatContent },
  { format: 'slack', contentType: 'application/json', body: { text: chatContent } },
  {
    format: 'wecom',
    contentType: 'application/json',
    body: { msgtype: 'text', text: { content: chatContent } },
  },
  {
    format: 'dingtalk',
    contentType: 'application/json',
    body: { msgtype: 'text', text: { content: chatContent } },
  },
  {
    format: 'feishu',
    contentType: 'application/json',
    body: { msg_type: 'text', content: { text: chatContent } },
  },
];

describe('webhook channel formats', () => {
  it.each(cases)('$format: the body its receiver accepts', async ({ format, contentType, body }) => {
    reply = accepted[format];
    const channel = createWebhookChannel(
      {
        id: `hook-${format}`,
        url: `${base}/hook/${format}?key=secret`,
        format,
        headers: { 'X-Site': 'north' },
      },
      silentLogger(),
    );
    await channel.send(message, onDuty);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.path).toBe(`/hook/${format}?key=secret`);
    expect(request?.contentType).toContain(contentType);
    expect(request?.contentType).toContain('charset=utf-8');
    expect(request?.headers['x-site']).toBe('north');
    const received = format === 'text' ? request?.body : JSON.parse(request?.body ?? '');
    expect(received).toEqual(body);
    // Recipients' e-mail addresses stay out of webhooks.
    expect(request?.body).not.toContain('hospital.example');
    await channel.close();
  });

  it('leaves out the on-duty line when nobody is on duty', async () => {
    const channel = createWebhookChannel({ id: 'hook', url: base, format: 'slack' }, silentLogger());
    await channel.send(message, []);
    expect(JSON.parse(requests[0]?.body ?? '').text).not.toContain('On duty');
  });

  it('cuts WeCom text to the 2048 bytes the robot takes, at a character boundary', async () => {
    reply = accepted.wecom;
    const channel = createWebhookChannel({ id: 'wecom', url: base, format: 'wecom' }, silentLogger());
    await channel.send({ ...message, text: '冷水机组跳闸。'.repeat(400) }, onDuty);
    const content: string = JSON.parse(requests[0]?.body ?? '').text.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(2048);
    expect(content.endsWith('…')).toBe(true);
    expect(content).not.toContain('\uFFFD');
  });
});

describe('webhook channel failures', () => {
  const refusals: { format: WebhookFormat; answer: unknown; error: RegExp }[] = [
    {
      format: 'wecom',
      answer: { errcode: 93000, errmsg: 'invalid webhook url, hint: [1736903520_1_x]' },
      error: /errcode 93000: invalid webhook url/,
    },
    {
      format: 'dingtalk',
      answer: { errcode: 310000, errmsg: '关键词不匹配' },
      error: /errcode 310000: 关键词不匹配/,
    },
    {
      format: 'feishu',
      answer: {
        code: 19021,
        data: {},
        msg: 'sign match fail or timestamp is not within one hour from current time',
      },
      error: /code 19021: sign match fail/,
    },
    {
      format: 'feishu',
      answer: { StatusCode: 9499, StatusMessage: 'Bad Request' },
      error: /StatusCode 9499/,
    },
  ];

  it.each(refusals)('$format: a 200 answer carrying $answer rejects', async ({ format, answer, error }) => {
    reply = jsonReply(200, answer);
    const channel = createWebhookChannel({ id: 'robot', url: base, format }, silentLogger());
    await expect(channel.send(message, onDuty)).rejects.toThrow(error);
  });

  it('a chat robot answering 200 with something that is not its JSON rejects', async () => {
    reply = (res) => res.end('<html>proxy login</html>');
    const channel = createWebhookChannel({ id: 'robot', url: base, format: 'dingtalk' }, silentLogger());
    await expect(channel.send(message, onDuty)).rejects.toThrow(/unexpected answer: <html>proxy login/);
  });

  it('HTTP 500 rejects with the status and an excerpt of the body, and without the secret', async () => {
    reply = (res) => res.writeHead(500).end(`internal error ${'x'.repeat(1000)}`);
    const channel = createWebhookChannel(
      { id: 'hook', url: `${base}/send?key=very-secret`, format: 'json' },
      silentLogger(),
    );
    const error = await channel.send(message, onDuty).catch((err: Error) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^webhook hook \(http:\/\/127\.0\.0\.1:\d+\): HTTP 500: internal error x+…$/,
    );
    expect((error as Error).message.length).toBeLessThan(300);
    expect((error as Error).message).not.toContain('very-secret');
  });

  it('Slack refusing the payload (HTTP 400 invalid_payload) rejects', async () => {
    reply = (res) => res.writeHead(400).end('invalid_payload');
    const channel = createWebhookChannel({ id: 'slack', url: base, format: 'slack' }, silentLogger());
    await expect(channel.send(message, onDuty)).rejects.toThrow(/HTTP 400: invalid_payload/);
  });

  it('a receiver that never answers rejects after the timeout', async () => {
    reply = () => {
      // never answer
    };
    const channel = createWebhookChannel(
      { id: 'slow', url: base, format: 'json', timeoutMs: 200 },
      silentLogger(),
    );
    const started = Date.now();
    await expect(channel.send(message, onDuty)).rejects.toThrow(/no answer within 200 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a receiver that is not listening rejects', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const channel = createWebhookChannel(
      { id: 'down', url: `http://127.0.0.1:${port}/`, format: 'json', timeoutMs: 2000 },
      silentLogger(),
    );
    await expect(channel.send(message, onDuty)).rejects.toThrow(/ECONNREFUSED/);
  });

  it.each(['ftp://127.0.0.1/hook', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url'])(
    'refuses %s at creation',
    (url) => {
      expect(() => createWebhookChannel({ id: 'bad', url, format: 'json' }, silentLogger())).toThrow(
        /webhook channel bad: (only http and https|not a valid URL)/,
      );
    },
  );
});

describe('a cleared alarm through a webhook', () => {
  const cleared = chillerTripEvent({
    kind: 'cleared',
    from: 'active-acknowledged',
    to: 'normal',
    ts: T0 + 7 * 60_000,
    value: false,
    message: 'Chiller 1 tripped (returned to normal 11:19)',
    raised: { value: true, limit: null, ts: T0 },
  });
  const composed = composeAlarmMessage(cleared, 'electricians', {
    timezone: 'Asia/Shanghai',
    now: cleared.ts,
  });
  const send = async (format: WebhookFormat) => {
    reply = accepted[format];
    const channel = createWebhookChannel({ id: format, url: `${base}/${format}`, format }, silentLogger());
    await channel.send(composed, onDuty);
    await channel.close();
    return JSON.parse(requests.at(-1)?.body ?? '{}');
  };

  it('tells the chat group what it was raised at and what it returned at', async () => {
    const { text } = await send('wecom');
    expect(text.content.split('\n')).toEqual(
      expect.arrayContaining(['Raised: on at 2025-01-15 11:12', 'Returned: off at 2025-01-15 11:19']),
    );
  });

  it('gives a JSON receiver the raising reading with its time as ISO 8601, like the event', async () => {
    const body = await send('json');
    expect(body.events[0]).toMatchObject({
      kind: 'cleared',
      value: false,
      ts: '2025-01-15T03:19:00.000Z',
      raised: { value: true, limit: null, ts: '2025-01-15T03:12:00.000Z' },
    });
  });
});

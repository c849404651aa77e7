/**
 * The e-mail channel against a real SMTP server (smtp-server) on 127.0.0.1: who receives the
 * mail, what it says and how urgent it is marked; refusals and dead servers reject in time.
 */

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AlarmEvent } from '../../src/alarms/types.js';
import { silentLogger } from '../../src/log/index.js';
import { createEmailChannel } from '../../src/notify/channels/index.js';
import { composeAlarmMessage } from '../../src/notify/compose.js';
import type { OutgoingMessage, Recipient } from '../../src/notify/types.js';
import { alarmHarness, FAULT_CODE_RULE } from '../alarms/harness.js';
import { chillerTripEvent, chillerTripMessage } from '../helpers/alarm-event.js';
import { freePort } from '../helpers/modbus-tcp-device.js';

const event = (alarmId: string, priority: AlarmEvent['priority'] = 'critical'): AlarmEvent =>
  chillerTripEvent({ alarmId, priority });

const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage =>
  chillerTripMessage({ events: [event('trip@ch1')], ...overrides });

const onDuty: Recipient[] = [
  { id: 'li', name: 'Li Wei', email: 'li.wei@hospital.example' },
  { id: 'tom', name: 'Tom Berg' },
  { id: 'ana', name: 'Ana Souza', email: 'ana.souza@hospital.example' },
];

// --- a minimal reading of the raw message: enough for what nodemailer writes --------------

interface ParsedMail {
  headers: Map<string, string>;
  text: string;
}

function decodeQuotedPrintable(input: string): string {
  const bytes = input.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => `%${hex}`);
  // Percent-decode byte by byte so multi-byte UTF-8 sequences come out whole.
  return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
}

/** RFC 2047 encoded words, as nodemailer writes non-ASCII subjects. */
function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, encoding: string, data: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

function parseMail(raw: string): ParsedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), decodeEncodedWords(line.slice(colon + 1).trim()));
  }
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  const text =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : encoding === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : body;
  return { headers, text: text.replace(/\r\n/g, '\n').replace(/\n$/, '') };
}

// --- the SMTP server --------------------------------------------------------------------

interface Received {
  envelopeTo: string[];
  mail: ParsedMail;
}

const received: Received[] = [];
/** Addresses the server answers 550 to; '*' for everyone. */
let refused = new Set<string>();
let smtp: SMTPServer;
let smtpPort: number;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!refused.has('*') && !refused.has(address.address)) return callback();
      callback(Object.assign(new Error(`${address.address}: mailbox unavailable`), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          mail: parseMail(Buffer.concat(chunks).toString('utf8')),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});

afterEach(() => {
  received.length = 0;
  refused = new Set();
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(resolve));
});

const channelFor = (port: number, timeoutMs = 2000) =>
  createEmailChannel(
    { host: '127.0.0.1', port, from: 'Plantwatch <plantwatch@hospital.example>', timeoutMs },
    silentLogger(),
  );

describe('e-mail channel', () => {
  it('mails the people on duty who have an address, with subject, text and urgency', async () => {
    const channel = channelFor(smtpPort);
    expect(channel.id).toBe('email');
    await channel.send(message(), onDuty);
    await channel.close();

    expect(received).toHaveLength(1);
    const [{ envelopeTo, mail }] = received as [Received];
    expect(envelopeTo).toEqual(['li.wei@hospital.example', 'ana.souza@hospital.example']);
    expect(mail.headers.get('to')).toBe('li.wei@hospital.example, ana.souza@hospital.example');
    expect(mail.headers.get('from')).toBe('Plantwatch <plantwatch@hospital.example>');
    expect(mail.headers.get('subject')).toBe('[CRITICAL] Chiller 1 tripped — Chiller plant, Energy centre');
    expect(mail.text).toBe('Chiller 1 tripped at 03:12.\nChilled water supply 11.4 °C (limit 9 °C).');
    expect(mail.headers.get('x-priority')).toMatch(/^1\b/);
    expect(mail.headers.get('importance')).toMatch(/high/i);
    expect(mail.headers.get('x-plantwatch-alarm')).toBe('trip@ch1');
  });

  it('marks high priority urgent too, and lower priorities not', async () => {
    const channel = channelFor(smtpPort);
    await channel.send(message({ priority: 'high' }), onDuty);
    await channel.send(message({ priority: 'medium' }), onDuty);
    await channel.send(message({ priority: 'low' }), onDuty);
    await channel.close();
    expect(received.map((r) => r.mail.headers.get('x-priority')?.charAt(0))).toEqual([
      '1',
      undefined,
      undefined,
    ]);
  });

  it('lists every alarm of a digest once in X-Plantwatch-Alarm', async () => {
    const channel = channelFor(smtpPort);
    const events = [event('trip@ch1'), event('low-flow@p2', 'high'), event('trip@ch1')];
    await channel.send(message({ kind: 'digest', events }), onDuty);
    await channel.close();
    expect(received[0]?.mail.headers.get('x-plantwatch-alarm')).toBe('trip@ch1, low-flow@p2');
  });

  it('sends nothing when nobody on duty has an address', async () => {
    const channel = channelFor(smtpPort);
    await channel.send(message(), [{ id: 'tom', name: 'Tom Berg' }]);
    await channel.send(message(), []);
    await channel.close();
    expect(received).toHaveLength(0);
  });

  it('rejects when the server refuses the recipients (550)', async () => {
    refused = new Set(['*']);
    const channel = channelFor(smtpPort);
    await expect(channel.send(message(), onDuty)).rejects.toThrow(/550|recipients were rejected/i);
    await channel.close();
    expect(received).toHaveLength(0);
  });

  it('still delivers to the others when one address is refused, rather than resend to all', async () => {
    refused = new Set(['li.wei@hospital.example']);
    const channel = channelFor(smtpPort);
    await channel.send(message(), onDuty);
    await channel.close();
    expect(received.map((r) => r.envelopeTo)).toEqual([['ana.souza@hospital.example']]);
  });

  it('leaves out X-Plantwatch-Alarm when the message carries no alarm', async () => {
    const channel = channelFor(smtpPort);
    await channel.send(message({ kind: 'digest', events: [] }), onDuty);
    await channel.close();
    expect(received[0]?.mail.headers.has('x-plantwatch-alarm')).toBe(false);
  });

  it('rejects at once when no server listens', async () => {
    const channel = channelFor(await freePort());
    await expect(channel.send(message(), onDuty)).rejects.toThrow(/ECONNREFUSED/);
    await channel.close();
  });

  it('rejects within the timeout when the server accepts the connection and never greets', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const channel = channelFor((silent.address() as AddressInfo).port, 300);
      const started = Date.now();
      await expect(channel.send(message(), onDuty)).rejects.toThrow(/greeting|timeout/i);
      expect(Date.now() - started).toBeLessThan(3000);
      await channel.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('the e-mail of an alarm that has returned', () => {
  const at = (time: string) => Date.parse(`2026-11-25T${time}:00+08:00`);

  it('says what it was raised at and what it returned at, in the subject and the text', async () => {
    // Only the clock is fake: the SMTP dialogue runs on real timers.
    vi.useFakeTimers({ now: at('03:05'), toFake: ['Date'] });
    const h = alarmHarness([FAULT_CODE_RULE], { timezone: 'Asia/Shanghai' });
    try {
      h.set('ch1.fault_code', 207);
      vi.setSystemTime(at('03:12'));
      h.set('ch1.fault_code', 0);
      const returned = h.events.find((e) => e.kind === 'returned') as AlarmEvent;
      const channel = channelFor(smtpPort);
      await channel.send(
        composeAlarmMessage(returned, 'water-ac', { timezone: 'Asia/Shanghai', now: Date.now() }),
        onDuty,
      );
      await channel.close();
      const mail = received[0]?.mail as ParsedMail;
      expect(mail.headers.get('subject')).toBe(
        '[CLEARED] Chiller 1: fault code 207 (returned to normal 03:12, now 0) — R1, B1',
      );
      expect(mail.text.split('\n')).toEqual(
        expect.arrayContaining(['Raised: 207 at 2026-11-25 03:05', 'Returned: 0 at 2026-11-25 03:12']),
      );
      expect(mail.text).not.toMatch(/^Value:/m);
    } finally {
      await h.stop();
      vi.useRealTimers();
    }
  });
});

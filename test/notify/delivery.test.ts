/**
 * The delivery queue over a real webhook channel to a local HTTP server that fails, stalls
 * or answers on command: retries with backoff, in order, once each; drops after the last
 * retry and on overflow, counted and logged; enqueue never waits; close drains, bounded.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookChannel } from '../../src/notify/channels/index.js';
import { Delivery, type DeliveryOptions } from '../../src/notify/delivery.js';
import type { OutgoingMessage, Recipient } from '../../src/notify/types.js';
import { sleep, until } from '../helpers/wait.js';

const T0 = Date.UTC(2025, 0, 15, 3, 12, 0);

const message = (n: number, priority: OutgoingMessage['priority'] = 'medium'): OutgoingMessage => ({
  kind: 'alarm',
  priority,
  subject: `[${priority.toUpperCase()}] alarm ${n}`,
  text: `Alarm number ${n}.`,
  events: [],
  audience: 'electricians',
  ts: T0 + n,
});

const onDuty: Recipient[] = [{ id: 'li', name: 'Li Wei' }];

// --- the receiving server: answers 500 to the first `failNext` requests, or holds them ----

/** Subjects of the requests the server accepted (answered 2xx), in order. */
const delivered: string[] = [];
/** Subjects of every request received, accepted or not. */
const attempts: string[] = [];
let requestCount = 0;
let failNext = 0;
let failAlways = false;
let hold = false;
const held: { res: ServerResponse; subject: string }[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requestCount++;
      const subject = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { subject: string }).subject;
      attempts.push(subject);
      if (failAlways || failNext > 0) {
        failNext = Math.max(0, failNext - 1);
        res.writeHead(500).end('receiver broken');
      } else if (hold) {
        held.push({ res, subject });
      } else {
        delivered.push(subject);
        res.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

function releaseHeld(): void {
  hold = false;
  for (const { res, subject } of held.splice(0)) {
    delivered.push(subject);
    res.writeHead(204).end();
  }
}

/** Every Delivery a test made, closed after it so none leaks requests into the next test. */
const deliveries: Delivery[] = [];

afterEach(async () => {
  failAlways = true;
  releaseHeld();
  await Promise.all(deliveries.splice(0).map((d) => d.close()));
  delivered.length = 0;
  attempts.length = 0;
  requestCount = 0;
  failNext = 0;
  failAlways = false;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

// --- a Delivery with captured logs ------------------------------------------------------

interface LogLine {
  level: number;
  msg: string;
  channel?: string;
  subject?: string;
  error?: string;
  err?: unknown;
  stack?: unknown;
}

const WARN = 40;
const ERROR = 50;

function deliveryFor(options: DeliveryOptions = {}) {
  const logs: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) });
  const channel = createWebhookChannel(
    { id: 'electricians-group', url, format: 'json', timeoutMs: 5000 },
    log,
  );
  const delivery = new Delivery(channel, log, {
    backoffInitialMs: 20,
    backoffMaxMs: 80,
    closeTimeoutMs: 1000,
    ...options,
  });
  deliveries.push(delivery);
  return { delivery, logs };
}

describe('Delivery', () => {
  it('retries a failing receiver and delivers every message once, in order', async () => {
    failNext = 3;
    const { delivery, logs } = deliveryFor();
    for (const n of [1, 2, 3]) delivery.enqueue(message(n), onDuty);

    await until('three messages delivered', () => delivery.stats().sent === 3);
    expect(delivered).toEqual(['[MEDIUM] alarm 1', '[MEDIUM] alarm 2', '[MEDIUM] alarm 3']);
    expect(requestCount).toBe(6);
    expect(delivery.stats()).toEqual({
      channel: 'electricians-group',
      sent: 3,
      failedAttempts: 3,
      dropped: 0,
      queued: 0,
      lastError: expect.stringContaining('HTTP 500: receiver broken'),
    });

    const warnings = logs.filter((l) => l.level === WARN);
    expect(warnings).toHaveLength(3);
    for (const warning of warnings) {
      expect(warning).toMatchObject({ channel: 'electricians-group', subject: '[MEDIUM] alarm 1' });
      expect(warning.error).toMatch(/HTTP 500: receiver broken/);
      expect(warning.err).toBeUndefined();
      expect(warning.stack).toBeUndefined();
    }
    await delivery.close();
  });

  it('waits longer before each retry: exponential backoff', async () => {
    failAlways = true;
    const { delivery } = deliveryFor({ retries: 3, backoffInitialMs: 60, backoffMaxMs: 1000 });
    const started = Date.now();
    delivery.enqueue(message(1), onDuty);
    await until('the message given up', () => delivery.stats().dropped === 1);
    // 60 + 120 + 240 ms between the four attempts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(requestCount).toBe(4);
    await delivery.close();
  });

  it('drops a message after the last retry, logs and counts it, and goes on with the next', async () => {
    failAlways = true;
    const { delivery, logs } = deliveryFor({ retries: 2 });
    delivery.enqueue(message(1), onDuty);
    delivery.enqueue(message(2), onDuty);

    await until('the first message given up', () => delivery.stats().dropped === 1);
    expect(attempts.filter((subject) => subject === '[MEDIUM] alarm 1')).toHaveLength(3);
    const dropped = logs.filter((l) => l.level === ERROR);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ channel: 'electricians-group', subject: '[MEDIUM] alarm 1' });
    expect(dropped[0]?.error).toMatch(/failed 3 times: .*HTTP 500/);

    failAlways = false;
    await until('the second message delivered', () => delivery.stats().sent === 1);
    expect(delivered).toEqual(['[MEDIUM] alarm 2']);
    // Message 2 may have failed once or twice itself before the receiver came back.
    expect(delivery.stats()).toMatchObject({
      sent: 1,
      failedAttempts: attempts.length - 1,
      dropped: 1,
      queued: 0,
    });
    await delivery.close();
  });

  it('keeps retrying a critical message well past the ordinary retries', async () => {
    failAlways = true;
    const { delivery } = deliveryFor({
      retries: 1,
      urgentRetries: 6,
      backoffInitialMs: 10,
      backoffMaxMs: 20,
    });
    delivery.enqueue(message(1, 'critical'), onDuty);
    await until('the critical message given up', () => delivery.stats().dropped === 1);
    expect(attempts.filter((subject) => subject === '[CRITICAL] alarm 1')).toHaveLength(7);
    await delivery.close();
  });

  it('when full, a low-priority message gives way to a critical one, not the other way round', async () => {
    hold = true;
    const { delivery } = deliveryFor({ maxQueued: 2 });
    delivery.enqueue(message(1), onDuty);
    await until('message 1 at the receiver', () => held.length === 1);
    delivery.enqueue(message(2, 'critical'), onDuty);
    delivery.enqueue(message(3, 'low'), onDuty);
    delivery.enqueue(message(4, 'critical'), onDuty);
    delivery.enqueue(message(5, 'low'), onDuty);
    releaseHeld();
    await until('the queue drained', () => delivery.stats().queued === 0);
    expect(delivered).toEqual(['[MEDIUM] alarm 1', '[CRITICAL] alarm 2', '[CRITICAL] alarm 4']);
    expect(delivery.stats().dropped).toBe(2);
    await delivery.close();
  });

  it('drops the oldest waiting message when the queue is full', async () => {
    hold = true;
    const { delivery, logs } = deliveryFor({ maxQueued: 2 });
    delivery.enqueue(message(1), onDuty);
    await until('message 1 at the receiver', () => held.length === 1);
    for (const n of [2, 3, 4]) delivery.enqueue(message(n), onDuty);
    // Message 1 in flight, 3 and 4 waiting: 2 was the oldest waiting when 4 came.
    expect(delivery.stats()).toMatchObject({ dropped: 1, queued: 3 });
    expect(logs.find((l) => l.level === ERROR)).toMatchObject({
      channel: 'electricians-group',
      subject: '[MEDIUM] alarm 2',
      error: expect.stringContaining('queue full'),
    });

    releaseHeld();
    await until('the rest delivered', () => delivery.stats().sent === 3);
    expect(delivered).toEqual(['[MEDIUM] alarm 1', '[MEDIUM] alarm 3', '[MEDIUM] alarm 4']);
    await delivery.close();
  });

  it('enqueue returns at once while the receiver is stalled', async () => {
    hold = true;
    const { delivery } = deliveryFor();
    // Nothing to await (what it costs is bench/delivery.bench.ts's figure, not a bound here):
    // all 200 wait in the queue while the receiver holds the first.
    const returned = Array.from({ length: 200 }, (_, i) => delivery.enqueue(message(i + 1), onDuty));
    expect(returned.filter((r) => r !== undefined)).toEqual([]);
    expect(delivery.stats().queued).toBe(200);

    await until('the first request held', () => held.length === 1);
    await sleep(50);
    // Still one at a time: nothing else went out while the first one waits.
    expect(requestCount).toBe(1);
    releaseHeld();
    await until('all delivered', () => delivery.stats().sent === 200);
    expect(delivered).toEqual(Array.from({ length: 200 }, (_, i) => `[MEDIUM] alarm ${i + 1}`));
    await delivery.close();
  });

  it('close waits for the queue to drain, and takes nothing afterwards', async () => {
    failNext = 1;
    const { delivery, logs } = deliveryFor();
    for (const n of [1, 2, 3]) delivery.enqueue(message(n), onDuty);
    await delivery.close();
    expect(delivered).toEqual(['[MEDIUM] alarm 1', '[MEDIUM] alarm 2', '[MEDIUM] alarm 3']);
    expect(delivery.stats()).toMatchObject({ sent: 3, dropped: 0, queued: 0 });

    expect(() => delivery.enqueue(message(4), onDuty)).not.toThrow();
    expect(delivery.stats()).toMatchObject({ sent: 3, dropped: 1, queued: 0 });
    expect(logs.at(-1)).toMatchObject({ level: ERROR, subject: '[MEDIUM] alarm 4' });
  });

  it('close does not sit out the backoff: a receiver that keeps refusing costs no wait', async () => {
    failAlways = true;
    const { delivery } = deliveryFor({ retries: 5, backoffInitialMs: 5000 });
    delivery.enqueue(message(1), onDuty);
    await until('a first failure', () => delivery.stats().failedAttempts > 0);
    const started = Date.now();
    await delivery.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(delivery.stats()).toMatchObject({ sent: 0, dropped: 1, failedAttempts: 6 });
  });

  it('close gives up after its bound when the receiver keeps failing, counting what is lost', async () => {
    failAlways = true;
    const { delivery } = deliveryFor({ retries: 100, backoffInitialMs: 50, closeTimeoutMs: 300 });
    for (const n of [1, 2, 3]) delivery.enqueue(message(n), onDuty);
    await until('a first failure', () => delivery.stats().failedAttempts > 0);
    const started = Date.now();
    await delivery.close();
    expect(Date.now() - started).toBeLessThan(1500);
    await until('every message accounted for', () => delivery.stats().dropped === 3, 2000);
    expect(delivery.stats()).toMatchObject({ sent: 0, queued: 0 });
  });
});

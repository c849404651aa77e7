/**
 * The notification queue's enqueue while the receiver is stalled: what the alarm engine pays per
 * message handed over (it must never wait for a chat server). A local HTTP server holds every
 * request; 200 messages (the test's batch) are enqueued, median of several rounds. Moved here
 * from test/notify/delivery.test.ts, whose "< 50 ms" flaked on a loaded machine.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createWebhookChannel } from '../src/notify/channels/index.js';
import { Delivery } from '../src/notify/delivery.js';
import type { OutgoingMessage, Recipient } from '../src/notify/types.js';
import type { Figure } from './figure.js';

const BATCH = 200;
const ROUNDS = 7;
const onDuty: Recipient[] = [{ id: 'li', name: 'Li Wei' }];

const message = (n: number): OutgoingMessage => ({
  kind: 'alarm',
  priority: 'medium',
  subject: `[MEDIUM] alarm ${n}`,
  text: `Alarm number ${n}.`,
  events: [],
  audience: 'electricians',
  ts: Date.UTC(2025, 0, 15, 3, 12, 0) + n,
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export async function run(): Promise<Figure[]> {
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const log = pino({ level: 'silent' });
  const batches: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const channel = createWebhookChannel({ id: 'bench', url, format: 'json', timeoutMs: 5000 }, log);
      const delivery = new Delivery(channel, log, { closeTimeoutMs: 100 });
      const started = performance.now();
      for (let n = 1; n <= BATCH; n++) delivery.enqueue(message(n), onDuty);
      batches.push(performance.now() - started);
      for (const res of held.splice(0)) res.writeHead(503).end();
      await delivery.close();
    }
  } finally {
    for (const res of held.splice(0)) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  const batchMs = median(batches);
  return [
    {
      name: `enqueue ${BATCH} messages, receiver stalled (median)`,
      value: Math.round(batchMs * 100) / 100,
      unit: 'ms',
    },
    {
      name: 'enqueue, one message (median batch / batch size)',
      value: Math.round((batchMs / BATCH) * 1000),
      unit: 'µs',
    },
  ];
}

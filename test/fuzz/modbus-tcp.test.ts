/**
 * Fuzz end to end: the gateway's Modbus poller (startModbus, a real TCP line) against a tiny
 * node:net server on 127.0.0.1 that answers each request, as fast-check picks, with random
 * bytes, a truncated frame, the wrong function code / transaction / unit, an exception code
 * (0..255), too few or too many registers, two frames at once, silence or a closed socket —
 * then turns sane. The poller must mark comm-error, keep polling, never crash, never publish
 * a value the device did not send, and read every point right again once the server is sane.
 */
import { createServer, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, expect, it } from 'vitest';
import { encodeRegisters } from '../../src/acquisition/modbus/codec.js';
import { startModbus } from '../../src/acquisition/modbus/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { PointValue } from '../../src/points/index.js';
import { plantConfig } from '../helpers/plant-config.js';
import { recordingBus } from '../helpers/recorder.js';
import { sleep, until } from '../helpers/wait.js';
import { reportScenario, SEED } from './fuzz.js';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const LINES = 4;
const UNITS = 3;
const HOSTILE_MS = 5_000;

const profile = {
  id: 'meter',
  name: 'Meter',
  equipment: 'power-meter',
  protocol: 'modbus',
  pollGroups: { fast: '100ms' },
  points: [
    {
      name: 'voltage',
      table: 'holding',
      address: 0,
      type: 'uint16',
      scale: 0.1,
      poll: 'fast',
      range: [0, 500],
    },
    { name: 'energy', table: 'holding', address: 1, type: 'uint32', order: 'CDAB', poll: 'fast' },
    // The device's own "no reading" marker: a NaN float, which must never be called good.
    { name: 'power', table: 'holding', address: 3, type: 'float32', poll: 'fast' },
    { name: 'running', table: 'input', address: 0, type: 'bool', bit: 2, poll: 'fast' },
    { name: 'temp', table: 'input', address: 1, type: 'int16', scale: 0.1, poll: 'fast' },
  ],
};

/** What the device holds: every good value on the bus must be one of these. */
const truth = { voltage: 231.4, energy: 3_000_000_123, running: true, temp: -12.5 };
const registers: Record<'holding' | 'input', number[]> = {
  holding: [
    ...encodeRegisters(
      { type: 'uint16', order: 'ABCD', table: 'holding', scale: 0.1, offset: 0 },
      truth.voltage,
    ),
    ...encodeRegisters(
      { type: 'uint32', order: 'CDAB', table: 'holding', scale: 1, offset: 0 },
      truth.energy,
    ),
    0x7fc0,
    0x0000, // float32 NaN
  ],
  input: [
    0b0100,
    ...encodeRegisters({ type: 'int16', order: 'ABCD', table: 'input', scale: 0.1, offset: 0 }, truth.temp),
  ],
};

const modes = [
  'sane',
  'random-bytes',
  'truncated',
  'wrong-function',
  'exception',
  'wrong-transaction',
  'wrong-unit',
  'too-few-registers',
  'too-many-registers',
  'byte-count-lies',
  'two-frames',
  'silent',
  'close',
] as const;
type Mode = (typeof modes)[number];

/** One hostile answer per request, drawn from the seed: the mode and the random bytes it needs. */
const answerArb = fc.record({
  mode: fc.constantFrom(...modes),
  bytes: fc.uint8Array({ maxLength: 300 }),
  cut: fc.nat(),
  code: fc.integer({ min: 0, max: 255 }),
});
type Answer = { mode: Mode; bytes: Uint8Array; cut: number; code: number };

function frame(tid: number, unit: number, pdu: Buffer): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt16BE(tid, 0);
  head.writeUInt16BE(0, 2);
  head.writeUInt16BE(pdu.length + 1, 4);
  head.writeUInt8(unit, 6);
  return Buffer.concat([head, pdu]);
}

function readPdu(fn: number, start: number, count: number, extra = 0, byteCountDelta = 0): Buffer {
  const table = fn === 3 ? registers.holding : registers.input;
  const n = Math.max(0, count + extra);
  const body = Buffer.alloc(2 + n * 2);
  body.writeUInt8(fn, 0);
  body.writeUInt8((n * 2 + byteCountDelta) & 0xff, 1);
  for (let i = 0; i < n; i++) body.writeUInt16BE(table[start + i] ?? 0, 2 + i * 2);
  return body;
}

/** Byte counts off by these (mostly too small: fewer values than asked), or by a random amount. */
const LIES = [-2, -4, -6, -1, 1, 2, 4];

/** Request counts by how they were answered. */
type Tally = Record<Mode, number>;

function startHostileServer(answers: Answer[]) {
  const tally = Object.fromEntries(modes.map((m) => [m, 0])) as Tally;
  const state = { sane: false, requests: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    socket.on('data', (data) => {
      buffer = Buffer.concat([buffer, data]);
      while (buffer.length >= 12) {
        const length = buffer.readUInt16BE(4);
        const request = buffer.subarray(0, 6 + length);
        buffer = buffer.subarray(6 + length);
        answer(socket, request);
      }
    });
  });
  const answer = (socket: Socket, req: Buffer) => {
    const tid = req.readUInt16BE(0);
    const unit = req.readUInt8(6);
    const fn = req.readUInt8(7);
    const start = req.readUInt16BE(8);
    const count = req.readUInt16BE(10);
    const a = state.sane
      ? ({ mode: 'sane', bytes: new Uint8Array(), cut: 0, code: 0 } as Answer)
      : (answers[state.requests % answers.length] as Answer);
    if (!state.sane) {
      state.requests++;
      tally[a.mode]++;
    }
    const good = frame(tid, unit, readPdu(fn, start, count));
    switch (a.mode) {
      case 'sane':
        return socket.write(good);
      case 'random-bytes':
        return socket.write(Buffer.from(a.bytes));
      case 'truncated':
        return socket.write(good.subarray(0, a.cut % good.length));
      case 'wrong-function':
        return socket.write(
          frame(tid, unit, Buffer.concat([Buffer.from([(fn + 1 + (a.code % 6)) & 0x7f]), good.subarray(8)])),
        );
      case 'exception':
        return socket.write(frame(tid, unit, Buffer.from([fn | 0x80, a.code])));
      case 'wrong-transaction':
        return socket.write(frame((tid + 1 + a.cut) & 0xffff, unit, readPdu(fn, start, count)));
      case 'wrong-unit':
        return socket.write(frame(tid, (unit + 1 + (a.code % 200)) & 0xff, readPdu(fn, start, count)));
      case 'too-few-registers':
        return socket.write(frame(tid, unit, readPdu(fn, start, count, -1 - (a.cut % count))));
      case 'too-many-registers':
        return socket.write(frame(tid, unit, readPdu(fn, start, count, 1 + (a.cut % 4))));
      case 'byte-count-lies':
        return socket.write(
          frame(tid, unit, readPdu(fn, start, count, 0, LIES[a.code % LIES.length] ?? a.code)),
        );
      case 'two-frames':
        return socket.write(Buffer.concat([good, good]));
      case 'silent':
        return;
      case 'close':
        return socket.destroy();
    }
  };
  return {
    tally,
    state,
    listen: () =>
      new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
      ),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A value the device did not send, called good: a substitute 0, a misparsed frame... */
function unsound(v: PointValue): string | undefined {
  const name = v.id.split('.')[1] as keyof typeof truth | 'power';
  if (v.quality === 'comm-error' || v.quality === 'stale')
    return v.value === null || v.quality === 'stale' ? undefined : `${v.quality} with value ${v.value}`;
  if (name === 'power')
    return Number.isNaN(v.value) && v.quality === 'out-of-range'
      ? undefined
      : `NaN float as ${v.value} ${v.quality}`;
  if (v.quality !== 'good') return `${name} ${v.value} ${v.quality}`;
  const expected = truth[name];
  const ok =
    typeof expected === 'number'
      ? typeof v.value === 'number' && Math.abs(v.value - expected) < 1e-6
      : v.value === expected;
  return ok ? undefined : `${name} = ${v.value} called good; the device holds ${expected}`;
}

it('survives hostile Modbus TCP answers: comm-error, still polling, no invented values, recovery', async () => {
  const started = Date.now();
  const answers = fc.sample(answerArb, { seed: SEED, numRuns: 2_000 }) as Answer[];
  const server = startHostileServer(answers);
  const port = await server.listen();
  cleanup.push(() => server.stop());

  // Several lines (one TCP session each) with several units each: more answers per second.
  const lineIds = Array.from({ length: LINES }, (_, i) => `gw${i}`);
  const config = plantConfig({
    lines: lineIds.map((id) => ({
      id,
      transport: 'tcp',
      host: '127.0.0.1',
      port,
      timeout: 100,
      retries: 0,
      backoff: { initial: 20, max: 100 },
    })),
    profiles: [profile],
    devices: lineIds.flatMap((line) =>
      Array.from({ length: UNITS }, (_, u) => ({
        id: `${line}-u${u + 1}`,
        name: `Meter ${u + 1} on ${line}`,
        profile: 'meter',
        modbus: { line, unitId: u + 1 },
      })),
    ),
  });
  const ids = config.devices.map((d) => d.id);
  const { bus, latest, history } = recordingBus();
  const modbus = startModbus({ config, bus, log: silentLogger() });
  cleanup.push(() => modbus.stop());

  // Hostile phase: every second must still see requests (the poller keeps polling).
  const perSecond: number[] = [];
  for (let s = 0; s < HOSTILE_MS / 1000; s++) {
    const before = server.state.requests;
    await sleep(1000);
    perSecond.push(server.state.requests - before);
  }
  const hostileRequests = server.state.requests;
  const badHistory = history.map(unsound).filter(Boolean);
  expect(badHistory).toEqual([]);
  expect(history.some((v) => v.quality === 'comm-error')).toBe(true);
  expect(perSecond.every((n) => n > 0)).toBe(true);

  // Sane again: every point read right within a few polls (backoff max 200 ms).
  server.state.sane = true;
  const saneFrom = history.length;
  await until(
    'every point of every device read right again',
    () =>
      ids.every(
        (id) =>
          ['voltage', 'energy', 'running', 'temp'].every(
            (p) => latest.get(`${id}.${p}`)?.quality === 'good',
          ) && latest.get(`${id}.power`)?.quality === 'out-of-range',
      ),
    5_000,
  );
  expect(history.slice(saneFrom).map(unsound).filter(Boolean)).toEqual([]);
  expect(modbus.devices().map((d) => d.state)).toEqual(ids.map(() => 'ok'));

  reportScenario(
    'modbus tcp hostile server',
    hostileRequests,
    started,
    `answers ${Object.entries(server.tally)
      .filter(([, n]) => n > 0)
      .map(([m, n]) => `${m} ${n}`)
      .join(', ')}; requests/s while hostile ${perSecond.join('/')}; ` +
      `${history.filter((v) => v.quality === 'comm-error').length} comm-error values, ` +
      `${modbus.lines().reduce((n, l) => n + l.reconnects, 0)} reconnects, ${LINES} lines x ${UNITS} units`,
  );
}, 20_000);

/**
 * MbapTransport against a real node:net server on 127.0.0.1 that records the raw request bytes
 * it receives and answers with raw MBAP bytes written out here by hand (not produced by the code
 * under test): the frame on the wire, the values decoded, reassembly of split answers, matching
 * by transaction id, every kind of bad answer, timeouts, a broken stream, lost connections and
 * the corking of pipelined requests.
 */
import { createServer, type Server, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BadResponseError,
  ModbusExceptionError,
  ShortResponseError,
  TimeoutError,
} from '../../../src/acquisition/modbus/errors.js';
import { MbapTransport } from '../../../src/acquisition/modbus/mbap-transport.js';
import type { ReadResult } from '../../../src/acquisition/modbus/transport.js';
import type { RegisterTable } from '../../../src/config/schema.js';
import { freePort } from '../../helpers/modbus-tcp-device.js';
import { watchCrashes } from '../../helpers/reliability.js';
import { settlesBefore, sleep, until } from '../../helpers/wait.js';

/** Answer timeout given to the transport in every test. */
const TIMEOUT = 200;

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** An MBAP frame: transaction id, protocol id 0, length = 1 + PDU length, unit id, PDU. */
function mbap(tid: number, unit: number, pdu: number[]): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt16BE(tid, 0);
  head.writeUInt16BE(0, 2);
  head.writeUInt16BE(pdu.length + 1, 4);
  head.writeUInt8(unit, 6);
  return Buffer.concat([head, Buffer.from(pdu)]);
}

/** The PDU of a register answer: function, byte count, the words big-endian. */
function wordsPdu(fc: number, words: number[]): number[] {
  return [fc, words.length * 2, ...words.flatMap((w) => [w >> 8, w & 0xff])];
}

interface Request {
  tid: number;
  protocol: number;
  length: number;
  unit: number;
  fc: number;
  start: number;
  count: number;
  raw: Buffer;
}

interface Device {
  port: number;
  /** Every 'data' event's bytes, as received. */
  chunks: Buffer[];
  /** The request frames, parsed from the stream (each 12 bytes). */
  requests: Request[];
  sockets: Socket[];
  /** Called for each request frame; answers nothing unless a test sets it. */
  onRequest: (req: Request, socket: Socket) => void;
  server: Server;
}

async function startDevice(): Promise<Device> {
  const sockets: Socket[] = [];
  const device: Device = {
    port: 0,
    chunks: [],
    requests: [],
    sockets,
    onRequest: () => {},
    server: createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => {});
      let buffer = Buffer.alloc(0);
      socket.on('data', (data) => {
        device.chunks.push(Buffer.from(data));
        buffer = Buffer.concat([buffer, data]);
        while (buffer.length >= 12) {
          const raw = Buffer.from(buffer.subarray(0, 12));
          buffer = buffer.subarray(12);
          const req: Request = {
            tid: raw.readUInt16BE(0),
            protocol: raw.readUInt16BE(2),
            length: raw.readUInt16BE(4),
            unit: raw.readUInt8(6),
            fc: raw.readUInt8(7),
            start: raw.readUInt16BE(8),
            count: raw.readUInt16BE(10),
            raw,
          };
          device.requests.push(req);
          device.onRequest(req, socket);
        }
      });
    }),
  };
  await new Promise<void>((resolve) => device.server.listen(0, '127.0.0.1', resolve));
  const address = device.server.address();
  device.port = typeof address === 'object' && address ? address.port : 0;
  cleanup.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => device.server.close(resolve));
  });
  return device;
}

/** A connected transport and a record of its onClose calls. */
async function open(device: Device, maxInFlight = 1, timeout = TIMEOUT) {
  const transport = new MbapTransport({
    host: '127.0.0.1',
    port: device.port,
    timeout,
    maxInFlight,
  });
  const closes: string[] = [];
  transport.onClose((reason) => closes.push(reason));
  await transport.connect(1000);
  cleanup.push(() => transport.close());
  return { transport, closes };
}

/** A server that answers every request sanely: words unit*1000 + start + i, or alternating bits. */
function answerSanely(req: Request, socket: Socket): void {
  if (req.fc === 3 || req.fc === 4) {
    const words = Array.from({ length: req.count }, (_, i) => (req.unit * 1000 + req.start + i) & 0xffff);
    socket.write(mbap(req.tid, req.unit, wordsPdu(req.fc, words)));
  } else {
    const bytes = Array.from({ length: (req.count + 7) >> 3 }, () => 0b0101_0101);
    socket.write(mbap(req.tid, req.unit, [req.fc, bytes.length, ...bytes]));
  }
}

/** What answerSanely sends for a register read. */
const saneWords = (unit: number, start: number, count: number) =>
  Array.from({ length: count }, (_, i) => unit * 1000 + start + i);

/** The rejection of `promise`, failing if it resolves. */
/**
 * One read as a promise. The values are copied: the transport lends its array for the reply
 * only, and fills it again with its next answer (a test of that is below).
 */
function read(
  transport: MbapTransport,
  unit: number,
  table: RegisterTable,
  start: number,
  count: number,
): Promise<ReadResult> {
  return new Promise((resolve, reject) => {
    let calledBack = false;
    let inRead = true;
    /** Whether this outcome keeps the contract: the first for the read, and not from inside read(). */
    const fair = () => {
      const error = calledBack ? 'two outcomes for one read' : inRead ? 'an outcome from inside read()' : '';
      calledBack = true;
      if (error) reject(new Error(error));
      return !error;
    };
    transport.read(unit, table, start, count, {
      answered: (result) => {
        if (fair()) resolve([...result] as ReadResult);
      },
      refused: (err) => {
        if (fair()) reject(err);
      },
    });
    inRead = false;
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (err) {
    return err as Error;
  }
}

describe('MbapTransport: the request on the wire', () => {
  it('sends correct MBAP frames for FC3, FC4, FC1 and FC2, with increasing transaction ids', async () => {
    const device = await startDevice();
    device.onRequest = answerSanely;
    const { transport } = await open(device);

    const asks: [number, RegisterTable, number, number][] = [
      [0x11, 'holding', 0x1234, 0x007d],
      [0x22, 'input', 0x0000, 0x0001],
      [0x33, 'coil', 0xabcd, 0x07d0],
      [0xf7, 'discrete', 0xffff, 0x0001],
    ];
    for (const [unit, table, start, count] of asks) await read(transport, unit, table, start, count);

    expect(device.requests).toHaveLength(4);
    // Everything after the transaction id, written out by hand: protocol 0, length 6, unit, PDU.
    expect(device.requests.map((r) => r.raw.subarray(2).toString('hex'))).toEqual([
      '0000000611031234007d',
      '00000006220400000001',
      '000000063301abcd07d0',
      '00000006f702ffff0001',
    ]);
    const tids = device.requests.map((r) => r.tid);
    for (let i = 1; i < tids.length; i++) expect(tids[i]).toBeGreaterThan(tids[i - 1] as number);
  });
});

describe('MbapTransport: decoding answers', () => {
  it('returns the exact holding and input register words', async () => {
    const device = await startDevice();
    const words = [0x0000, 0x1234, 0xffff, 0x8001, 0x00ff];
    device.onRequest = (req, socket) => socket.write(mbap(req.tid, req.unit, wordsPdu(req.fc, words)));
    const { transport } = await open(device);

    expect(await read(transport, 1, 'holding', 0, 5)).toEqual(words);
    expect(await read(transport, 1, 'input', 0, 5)).toEqual(words);
  });

  it('returns coils and discrete inputs in Modbus bit order (LSB of the first byte first)', async () => {
    const device = await startDevice();
    // 10 bits: first byte 1100_1101 → coils 0..7 = 1,0,1,1,0,0,1,1; second byte 0000_0010 → 8 = 0, 9 = 1.
    device.onRequest = (req, socket) => socket.write(mbap(req.tid, req.unit, [req.fc, 2, 0b1100_1101, 0b10]));
    const { transport } = await open(device);

    const expected = [true, false, true, true, false, false, true, true, false, true];
    expect(await read(transport, 1, 'coil', 0, 10)).toEqual(expected);
    expect(await read(transport, 1, 'discrete', 0, 10)).toEqual(expected);
  });
});

describe('MbapTransport: framing and matching', () => {
  it('reassembles an answer written one byte at a time', async () => {
    const device = await startDevice();
    device.onRequest = (req, socket) => {
      const answer = mbap(req.tid, req.unit, wordsPdu(3, [0xbeef, 0x0102, 0xcafe]));
      void (async () => {
        for (const byte of answer) {
          socket.write(Buffer.from([byte]));
          await sleep(3);
        }
      })();
    };
    // The transport's timeout is per request: room for 15 bytes written 3 ms apart on a busy machine.
    const { transport } = await open(device, 1, 5000);
    expect(await read(transport, 9, 'holding', 0, 3)).toEqual([0xbeef, 0x0102, 0xcafe]);
    // And the stream is still in step for the next answer.
    expect(await read(transport, 9, 'holding', 0, 3)).toEqual([0xbeef, 0x0102, 0xcafe]);
  });

  it('gives each of several requests in flight its own answer, answered in reverse in one write', async () => {
    const device = await startDevice();
    const held: Request[] = [];
    let socketOf: Socket | undefined;
    device.onRequest = (req, socket) => {
      held.push(req);
      socketOf = socket;
      if (held.length < 4) return;
      const answers = held
        .slice()
        .reverse()
        .map((r) => mbap(r.tid, r.unit, wordsPdu(3, [r.unit * 100, r.unit * 100 + 1])));
      socketOf.write(Buffer.concat(answers));
    };
    const { transport } = await open(device, 4);

    const reads = [1, 2, 3, 4].map((unit) => read(transport, unit, 'holding', 0, 2));
    expect(await Promise.all(reads)).toEqual([
      [100, 101],
      [200, 201],
      [300, 301],
      [400, 401],
    ]);
    expect(new Set(held.map((r) => r.tid)).size).toBe(4);
  });

  it('rejects an exception reply with its code, then serves the next read', async () => {
    const device = await startDevice();
    let first = true;
    device.onRequest = (req, socket) => {
      if (first) {
        first = false;
        socket.write(mbap(req.tid, req.unit, [req.fc | 0x80, 2]));
      } else answerSanely(req, socket);
    };
    const { transport, closes } = await open(device);

    const err = await rejection(read(transport, 5, 'holding', 100, 2));
    expect(err).toBeInstanceOf(ModbusExceptionError);
    expect((err as ModbusExceptionError).code).toBe(2);

    expect(await read(transport, 5, 'holding', 100, 2)).toEqual(saneWords(5, 100, 2));
    expect(transport.isOpen).toBe(true);
    expect(closes).toEqual([]);
  });
});

describe('MbapTransport: bad answers', () => {
  /** Each asks unit 7 for 3 holding registers at 0 (or 10 coils) and gets this answer instead. */
  const cases: {
    name: string;
    table: RegisterTable;
    count: number;
    answer: (tid: number) => Buffer;
    error: new (...args: never[]) => Error;
  }[] = [
    {
      name: 'an answer from the wrong unit id',
      table: 'holding',
      count: 3,
      answer: (tid) => mbap(tid, 8, wordsPdu(3, [1, 2, 3])),
      error: BadResponseError,
    },
    {
      name: 'an answer with the wrong function code',
      table: 'holding',
      count: 3,
      answer: (tid) => mbap(tid, 7, wordsPdu(4, [1, 2, 3])),
      error: BadResponseError,
    },
    {
      name: 'an exception reply to another function',
      table: 'holding',
      count: 3,
      answer: (tid) => mbap(tid, 7, [0x84, 2]),
      error: BadResponseError,
    },
    {
      name: 'fewer registers than asked (byte count 4, frame consistent)',
      table: 'holding',
      count: 3,
      answer: (tid) => mbap(tid, 7, wordsPdu(3, [1, 2])),
      error: ShortResponseError,
    },
    {
      name: 'fewer coils than asked (1 byte for 10 coils, frame consistent)',
      table: 'coil',
      count: 10,
      answer: (tid) => mbap(tid, 7, [1, 1, 0xff]),
      error: ShortResponseError,
    },
    {
      name: 'more registers than asked',
      table: 'holding',
      count: 3,
      answer: (tid) => mbap(tid, 7, wordsPdu(3, [1, 2, 3, 4])),
      error: BadResponseError,
    },
    {
      name: 'a byte count larger than the frame holds',
      table: 'holding',
      count: 3,
      answer: (tid) => mbap(tid, 7, [3, 8, 0, 1, 0, 2, 0, 3]),
      error: BadResponseError,
    },
    {
      name: 'a byte count smaller than the frame holds',
      table: 'holding',
      count: 3,
      answer: (tid) => mbap(tid, 7, [3, 4, 0, 1, 0, 2, 0, 3]),
      error: BadResponseError,
    },
  ];

  for (const c of cases) {
    it(`rejects ${c.name}, then serves a correct answer on the same connection`, async () => {
      const device = await startDevice();
      let bad = true;
      device.onRequest = (req, socket) => {
        if (bad) {
          bad = false;
          socket.write(c.answer(req.tid));
        } else answerSanely(req, socket);
      };
      const { transport, closes } = await open(device);

      const err = await rejection(read(transport, 7, c.table, 0, c.count));
      // Sorted at once, not left to time out: the answer's own error, no TimeoutError.
      expect(err).toBeInstanceOf(c.error);

      if (c.table === 'coil') {
        expect(await read(transport, 7, 'coil', 0, 10)).toEqual(
          Array.from({ length: 10 }, (_, i) => i % 2 === 0),
        );
      } else {
        expect(await read(transport, 7, 'holding', 0, 3)).toEqual(saneWords(7, 0, 3));
      }
      expect(device.sockets).toHaveLength(1); // the same connection, not a new one
      expect(transport.isOpen).toBe(true);
      expect(closes).toEqual([]);
    });
  }
});

describe('MbapTransport: timeouts', () => {
  it('times out an unanswered request, ignores its late answer and serves the next one', async () => {
    const device = await startDevice();
    const { transport, closes } = await open(device);

    const started = performance.now();
    const err = await rejection(read(transport, 3, 'holding', 0, 1));
    const elapsed = performance.now() - started;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT - 2);
    expect(elapsed).toBeLessThan(TIMEOUT + 300);

    const late = device.requests[0]!;
    // The next request: the late answer to the first arrives first, then its own.
    device.onRequest = (req, socket) => {
      socket.write(mbap(late.tid, late.unit, wordsPdu(3, [0xdead])));
      setTimeout(() => socket.write(mbap(req.tid, req.unit, wordsPdu(3, [0x0002]))), 20);
    };
    expect(await read(transport, 3, 'holding', 0, 1)).toEqual([0x0002]);
    expect(device.requests[1]!.tid).not.toBe(late.tid);
    expect(transport.isOpen).toBe(true);
    expect(closes).toEqual([]);
  });

  it('gives each request its own deadline, counted from when it was sent', async () => {
    const device = await startDevice();
    const { transport } = await open(device, 4);

    const settledAt = (err: Promise<Error>) => err.then((e) => ({ e, at: performance.now() }));
    const firstSent = performance.now();
    const first = settledAt(rejection(read(transport, 1, 'holding', 0, 1)));
    await sleep(100);
    const secondSent = performance.now();
    const second = settledAt(rejection(read(transport, 1, 'holding', 0, 1)));
    // Late is bounded by orders of events (settlesBefore), which a loaded machine keeps: the
    // first is not pushed back by the second's sending, and the second ends by its own deadline.
    const firstBeforeSecondsDeadline = settlesBefore(first, TIMEOUT - 10);
    const secondByItsDeadline = settlesBefore(second, TIMEOUT + TIMEOUT / 4);
    expect(await firstBeforeSecondsDeadline).toBe(true);
    expect(await secondByItsDeadline).toBe(true);
    // Early by the clock: no timer fires before its time, however busy the machine.
    const [a, b] = await Promise.all([first, second]);
    expect([a.e, b.e].map((e) => e instanceof TimeoutError)).toEqual([true, true]);
    expect(a.at - firstSent).toBeGreaterThanOrEqual(TIMEOUT - 2);
    expect(b.at - secondSent).toBeGreaterThanOrEqual(TIMEOUT - 2);
  });
});

describe('MbapTransport: a broken stream', () => {
  const malformed: { name: string; header: (tid: number) => Buffer }[] = [
    {
      name: 'protocol id 1',
      header: (tid) => {
        const f = mbap(tid, 1, wordsPdu(3, [1]));
        f.writeUInt16BE(1, 2);
        return f;
      },
    },
    {
      name: 'length field 0',
      header: (tid) => {
        const f = mbap(tid, 1, wordsPdu(3, [1]));
        f.writeUInt16BE(0, 4);
        return f;
      },
    },
    {
      name: 'length field 255',
      header: (tid) => {
        const f = mbap(tid, 1, wordsPdu(3, [1]));
        f.writeUInt16BE(255, 4);
        return f;
      },
    },
  ];

  for (const m of malformed) {
    it(`drops the connection on a malformed MBAP header (${m.name})`, async () => {
      const device = await startDevice();
      const held: Request[] = [];
      device.onRequest = (req, socket) => {
        held.push(req);
        if (held.length === 2) socket.write(m.header(held[0]!.tid));
      };
      const { transport, closes } = await open(device, 4);

      const errors = await Promise.all([
        rejection(read(transport, 1, 'holding', 0, 1)),
        rejection(read(transport, 1, 'holding', 1, 1)),
      ]);
      for (const err of errors) {
        expect(err).toBeInstanceOf(Error);
        expect(err).not.toBeInstanceOf(TimeoutError);
      }
      expect(transport.isOpen).toBe(false);
      await until('the server to see the connection closed', () => device.sockets[0]?.closed, 1000);
      await sleep(50); // room for a second, wrong, onClose from the socket's 'close'
      expect(closes).toHaveLength(1);
      expect(closes[0]).toMatch(/\S/);
      await expect(read(transport, 1, 'holding', 0, 1)).rejects.toThrow();
    });
  }
});

describe('MbapTransport: losing the connection', () => {
  it('rejects the pending read and calls onClose once when the server closes the socket', async () => {
    const device = await startDevice();
    device.onRequest = (_req, socket) => socket.end();
    const { transport, closes } = await open(device);

    const started = performance.now();
    const outcomes: string[] = [];
    const err = await new Promise<Error>((resolve) =>
      transport.read(1, 'holding', 0, 1, {
        answered: () => outcomes.push('answered'),
        refused: (e) => {
          outcomes.push(`refused after ${closes.length} close reported`);
          resolve(e);
        },
      }),
    );
    expect(err).not.toBeInstanceOf(TimeoutError);
    expect(performance.now() - started).toBeLessThan(TIMEOUT);
    expect(transport.isOpen).toBe(false);
    // The loss is reported before the reads on the connection fail: a line marks itself down
    // first, so that its devices take the failure for the line's, not their own.
    expect(outcomes).toEqual(['refused after 1 close reported']);
    await sleep(50);
    expect(closes).toHaveLength(1);
    expect(closes[0]).toMatch(/\S/);
  });

  it('reports the reason a reset gave (ECONNRESET) to onClose, not just "closed"', async () => {
    const device = await startDevice();
    device.onRequest = (_req, socket) => socket.resetAndDestroy();
    const { transport, closes } = await open(device);
    const err = await rejection(read(transport, 1, 'holding', 0, 1));
    expect(closes).toEqual([expect.stringMatching(/ECONNRESET/)]);
    expect(err.message).toMatch(/ECONNRESET/);
  });

  it('close() rejects pending reads and does not call onClose', async () => {
    const device = await startDevice();
    const { transport, closes } = await open(device, 4);

    const pending = [read(transport, 1, 'holding', 0, 1), read(transport, 2, 'coil', 0, 8)].map(rejection);
    await until('the requests to reach the server', () => device.requests.length === 2, 1000);
    await transport.close();
    const errors = await Promise.all(pending);
    for (const err of errors) expect(err).not.toBeInstanceOf(TimeoutError);
    expect(transport.isOpen).toBe(false);
    await until('the server to see the connection closed', () => device.sockets[0]?.closed, 1000);
    await sleep(50);
    expect(closes).toEqual([]);
  });

  it('rejects connect to a port where nothing listens, within the timeout', async () => {
    const port = await freePort();
    const transport = new MbapTransport({ host: '127.0.0.1', port, timeout: TIMEOUT, maxInFlight: 1 });
    const closes: string[] = [];
    transport.onClose((reason) => closes.push(reason));
    cleanup.push(() => transport.close());

    const started = performance.now();
    const err = await rejection(transport.connect(1000));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(err).not.toBeInstanceOf(TimeoutError);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(transport.isOpen).toBe(false);
    expect(closes).toEqual([]);
    await expect(read(transport, 1, 'holding', 0, 1)).rejects.toThrow(/port not open/);
  });
});

describe('MbapTransport: a consumer that throws', () => {
  it('reports what a reply throws to onFault, and still answers the other frames of the chunk', async () => {
    const crashes = watchCrashes();
    cleanup.push(() => crashes.stop());
    const device = await startDevice();
    const held: Request[] = [];
    device.onRequest = (req, socket) => {
      held.push(req);
      if (held.length === 2)
        socket.write(Buffer.concat(held.map((r) => mbap(r.tid, r.unit, wordsPdu(3, [r.unit * 100])))));
    };
    const { transport } = await open(device, 2);
    const faults: Error[] = [];
    transport.onFault((err) => faults.push(err));

    transport.read(1, 'holding', 0, 1, {
      answered: () => {
        throw new Error('a consumer failed on its answer');
      },
      refused: () => {},
    });
    const second = read(transport, 2, 'holding', 0, 1);
    expect(await second).toEqual([200]);
    expect(faults.map((f) => f.message)).toEqual(['a consumer failed on its answer']);
    // The connection is still good for the next read.
    device.onRequest = answerSanely;
    expect(await read(transport, 3, 'holding', 5, 2)).toEqual(saneWords(3, 5, 2));
    expect(crashes.errors).toEqual([]);
  });
});

describe('MbapTransport: pipelining', () => {
  it('sends 20 reads made in one tick in a single write, arriving in a single chunk', async () => {
    const device = await startDevice();
    device.onRequest = answerSanely;
    const { transport } = await open(device, 20);

    // The server shares this process, so it cannot read between writes made in one tick: its
    // single chunk would be seen with a write per frame too. The client socket's write path
    // tells: one write of all 20 frames (240 bytes), not a write of the first and then the rest.
    const write = vi.spyOn(Socket.prototype, '_write');
    const writev = vi.spyOn(Socket.prototype as Required<Socket>, '_writev');
    cleanup.push(() => {
      write.mockRestore();
      writev.mockRestore();
    });
    const toDevice = (contexts: unknown[]) =>
      contexts
        .map((socket, i) => ((socket as Socket).remotePort === device.port ? i : -1))
        .filter((i) => i >= 0);

    const reads = Array.from({ length: 20 }, (_, i) => read(transport, 1 + (i % 5), 'holding', i * 10, 2));
    const results = await Promise.all(reads);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => saneWords(1 + (i % 5), i * 10, 2)));
    expect(device.chunks.map((c) => c.length)).toEqual([20 * 12]);
    expect(new Set(device.requests.map((r) => r.tid)).size).toBe(20);

    const writes = toDevice(write.mock.contexts).map((i) => (write.mock.calls[i]![0] as Buffer).length);
    const writevs = toDevice(writev.mock.contexts).map((i) => writev.mock.calls[i]![0].length);
    expect({ writes, writevs }).toEqual({ writes: [20 * 12], writevs: [] });
  });
});

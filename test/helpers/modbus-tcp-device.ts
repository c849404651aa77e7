/**
 * A small real Modbus TCP server (modbus-serial's ServerTCP) with a register map per unit
 * id, for focused acquisition tests: it counts the request frames each unit receives,
 * answers exception 2 for unmapped addresses like real meters, and can go silent.
 */
import { createServer, type Socket } from 'node:net';
import modbusSerial from 'modbus-serial';

export interface UnitMap {
  holding?: Record<number, number>;
  input?: Record<number, number>;
  coil?: Record<number, boolean>;
  discrete?: Record<number, boolean>;
  /** Never answers (a dead unit behind a gateway). */
  silent?: boolean;
  /** Answers reads touching [from, to] with this exception code. */
  exception?: { code: number; from: number; to: number };
  /** Longest read the unit accepts; longer ones get exception 3 (some meters do this). */
  maxRead?: number;
  /** Answers this many ms late (a slow gateway or a busy RS-485 segment behind it). */
  delayMs?: number;
}

type Table = 'holding' | 'input' | 'coil' | 'discrete';
type Callback = (err: { modbusErrorCode: number } | null, value?: unknown) => void;

// modbus-serial's input-register path reads values[i] even on error: always pass an array.
const NONE: unknown[] = [];

/**
 * Below Linux's ephemeral range (32768–60999): a port the kernel hands out for ephemeral use
 * (listen(0), and every outgoing connection's own end) may be taken again by another test's
 * connection between our picking it and the server's listen; these ones are only ever taken by
 * a listen like ours. Random, so test files running side by side rarely try the same one.
 */
const PORT_FLOOR = 20_000;
const PORT_SPAN = 12_000;

/** Listens on a random port of the range, trying others while they are in use. */
async function holdPort(): Promise<ReturnType<typeof createServer>> {
  for (let attempt = 0; ; attempt++) {
    const server = createServer();
    const port = PORT_FLOOR + Math.floor(Math.random() * PORT_SPAN);
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) return server;
    if (attempt > 200) throw new Error(`no free port in ${PORT_FLOOR}–${PORT_FLOOR + PORT_SPAN}`);
  }
}

/**
 * Several distinct free ports: all held open together, then released, so one configuration
 * never gets the same port twice (single freePort calls may, once the previous one closed).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: ReturnType<typeof createServer>[] = [];
  for (let i = 0; i < count; i++) servers.push(await holdPort());
  const ports = servers.map((s) => {
    const address = s.address();
    return typeof address === 'object' && address ? address.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

export interface TcpDevice {
  port: number;
  units: Record<number, UnitMap>;
  /** Request frames received, in total or by unit id. */
  frames(unit?: number): number;
  /** Each request as [unit, function code, start, count]. */
  log: [number, number, number, number][];
  /** Request frames in each chunk the socket delivered (> 1: requests sent together). */
  framesPerChunk: number[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

// modbus-serial is CommonJS; ServerTCP hangs off its module object.
const { ServerTCP } = modbusSerial as unknown as {
  ServerTCP: new (
    vector: object,
    options: { host: string; port: number; unitID?: number },
  ) => {
    on(event: string, listener: (...args: unknown[]) => void): void;
    close(cb: () => void): void;
    _server: import('node:net').Server;
  };
};

/** The register maps as a modbus-serial server vector (callback style: a silent unit never calls back). */
export function unitVector(units: Record<number, UnitMap>) {
  const read = (table: Table, addr: number, len: number, unit: number, cb: Callback, single: boolean) => {
    const map = units[unit];
    if (!map || map.silent) return; // no answer at all
    if (map.exception && addr <= map.exception.to && addr + len - 1 >= map.exception.from) {
      return cb({ modbusErrorCode: map.exception.code }, single ? undefined : NONE);
    }
    if (map.maxRead !== undefined && len > map.maxRead)
      return cb({ modbusErrorCode: 3 }, single ? undefined : NONE);
    const values: unknown[] = [];
    for (let a = addr; a < addr + len; a++) {
      const value = map[table]?.[a];
      if (value === undefined) return cb({ modbusErrorCode: 2 }, single ? undefined : NONE);
      values.push(value);
    }
    if (map.delayMs) setTimeout(() => cb(null, single ? values[0] : values), map.delayMs);
    else cb(null, single ? values[0] : values);
  };

  const vector = {
    getMultipleHoldingRegisters: (a: number, l: number, u: number, cb: Callback) =>
      read('holding', a, l, u, cb, false),
    getMultipleInputRegisters: (a: number, l: number, u: number, cb: Callback) =>
      read('input', a, l, u, cb, false),
    getHoldingRegister: (a: number, u: number, cb: Callback) => read('holding', a, 1, u, cb, true),
    getInputRegister: (a: number, u: number, cb: Callback) => read('input', a, 1, u, cb, true),
    getCoil: (a: number, u: number, cb: Callback) => read('coil', a, 1, u, cb, true),
    getDiscreteInput: (a: number, u: number, cb: Callback) => read('discrete', a, 1, u, cb, true),
  };

  return vector;
}

export async function startTcpDevice(units: Record<number, UnitMap>, fixedPort?: number): Promise<TcpDevice> {
  const port = fixedPort ?? (await freePort());
  const log: [number, number, number, number][] = [];
  const framesPerChunk: number[] = [];
  let server: InstanceType<typeof ServerTCP> | undefined;

  const vector = unitVector(units);

  const countFrames = (sock: Socket) => {
    let buffer = Buffer.alloc(0);
    sock.on('data', (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      const before = log.length;
      while (buffer.length >= 12) {
        const length = buffer.readUInt16BE(4);
        if (buffer.length < 6 + length) break;
        log.push([buffer.readUInt8(6), buffer.readUInt8(7), buffer.readUInt16BE(8), buffer.readUInt16BE(10)]);
        buffer = buffer.subarray(6 + length);
      }
      framesPerChunk.push(log.length - before);
    });
  };

  const device: TcpDevice = {
    port,
    units,
    log,
    framesPerChunk,
    frames: (unit) => (unit === undefined ? log.length : log.filter(([u]) => u === unit).length),
    async start() {
      const s = new ServerTCP(vector, { host: '127.0.0.1', port });
      s.on('error', () => {});
      s.on('socketError', () => {});
      s._server.on('connection', countFrames);
      await new Promise<void>((resolve, reject) => {
        s.on('initialized', () => resolve());
        s.on('serverError', (err) => reject(err));
      });
      server = s;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await device.start();
  return device;
}

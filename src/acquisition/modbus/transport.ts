/**
 * How bytes travel: one connection to a Modbus TCP device/gateway, an RS-485 serial port,
 * or an RTU-over-TCP gateway, through modbus-serial. Everything about *which* registers
 * to read lives elsewhere; a new transport touches this file only.
 */
import { connect as connectSocket, type Socket } from 'node:net';
import modbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import type { ModbusLineConfig, RegisterTable } from '../../config/schema.js';

// modbus-serial is CommonJS: its module object is the client class itself.
const ModbusClient = modbusSerial as unknown as new () => ModbusRTU;

export type ReadResult = number[] | boolean[];

export interface Transport {
  readonly isOpen: boolean;
  /** Resolves when connected; rejects on failure within `timeoutMs`. */
  connect(timeoutMs: number): Promise<void>;
  read(unitId: number, table: RegisterTable, start: number, count: number): Promise<ReadResult>;
  close(): Promise<void>;
  /** Called once when an open connection is lost (socket closed, serial port vanished). */
  onClose(listener: (reason: string) => void): void;
}

/** Errors as the poller sorts them: the device answered "no", or did not answer at all. */
export class ModbusExceptionError extends Error {
  constructor(readonly code: number) {
    super(`Modbus exception ${code} (${EXCEPTION_NAMES[code] ?? 'unknown'})`);
    this.name = 'ModbusExceptionError';
  }
}

export const EXCEPTION_NAMES: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** The device answered with fewer values than were asked for (a byte count that lies). */
export class ShortResponseError extends Error {
  constructor(table: RegisterTable, asked: number, got: number) {
    super(
      `short response: ${got} of ${asked} ${table === 'coil' || table === 'discrete' ? 'bits' : 'registers'}`,
    );
    this.name = 'ShortResponseError';
  }
}

export class TimeoutError extends Error {
  constructor(what: string) {
    super(`${what} timed out`);
    this.name = 'TimeoutError';
  }
}

/** modbus-serial reports exceptions as errors carrying `modbusCode`, timeouts by message. */
function classify(err: unknown): Error {
  const e = err as { modbusCode?: number; message?: string; errno?: string };
  if (typeof e?.modbusCode === 'number') return new ModbusExceptionError(e.modbusCode);
  if (e?.errno === 'ETIMEDOUT' || /timed out/i.test(e?.message ?? '')) return new TimeoutError('response');
  return err instanceof Error ? err : new Error(String(err));
}

export function createTransport(line: ModbusLineConfig): Transport {
  return new ModbusSerialTransport(line);
}

class ModbusSerialTransport implements Transport {
  private client: ModbusRTU | undefined;
  private closeListener: ((reason: string) => void) | undefined;
  /** The TCP socket under modbus-serial (ours, so that pipelined requests can share a write). */
  private socket: Socket | undefined;
  private corked = false;
  private readonly pipelined: boolean;

  constructor(private readonly line: ModbusLineConfig) {
    this.pipelined = line.transport === 'tcp' && line.maxInFlight > 1;
  }

  get isOpen(): boolean {
    return this.client?.isOpen === true;
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }

  async connect(timeoutMs: number): Promise<void> {
    await this.close();
    // A fresh client per connection: modbus-serial's ports drop their listeners on close.
    const client = new ModbusClient();
    this.client = client;
    // Port errors are surfaced through requests and the close event; an unhandled 'error' would crash.
    client.on('error', () => {});
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError('connect')), timeoutMs);
    });
    try {
      await Promise.race([this.open(client), timeout]);
    } catch (err) {
      this.client = undefined;
      destroyQuietly(client);
      this.socket?.destroy();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    client.setTimeout(this.line.timeout);
    client.on('close', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.closeListener?.('connection closed by peer');
    });
  }

  private open(client: ModbusRTU): Promise<void> {
    const line = this.line;
    switch (line.transport) {
      case 'tcp':
        return this.openSocket(line.host, line.port).then((socket) =>
          client.connectTCP(line.host, { port: line.port, socket }),
        );
      case 'rtu-over-tcp':
        // Raw RTU frames over TCP (a transparent serial server) is modbus-serial's TelnetPort;
        // its "TcpRTUBuffered" port, despite the name, speaks MBAP framing.
        return client.connectTelnet(line.host, { port: line.port });
      case 'rtu':
        return client.connectRTUBuffered(line.path, {
          baudRate: line.baudRate,
          dataBits: line.dataBits,
          parity: line.parity,
          stopBits: line.stopBits,
        });
    }
  }

  /** Connected socket for modbus-serial to use (it takes an open one as `socket`). */
  private openSocket(host: string, port: number): Promise<Socket> {
    const socket = connectSocket({ host, port, noDelay: true });
    this.socket = socket;
    return new Promise((resolve, reject) => {
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    });
  }

  /**
   * Requests made in one turn of the event loop leave in one write (one syscall, often one
   * TCP segment) instead of one each: modbus-serial writes each frame in a promise callback,
   * so the socket is corked until the loop's check phase.
   */
  private batchWrites(): void {
    const socket = this.socket;
    if (!this.pipelined || this.corked || !socket) return;
    this.corked = true;
    socket.cork();
    setImmediate(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  read(unitId: number, table: RegisterTable, start: number, count: number): Promise<ReadResult> {
    const client = this.client;
    if (!client?.isOpen) return Promise.reject(new Error('port not open'));
    this.batchWrites();
    // modbus-serial's callback API: its promise API wraps the same call in one more promise
    // and closure per request, which a gateway reading a thousand devices a second feels.
    return new Promise((resolve, reject) => {
      const done = (err: unknown, result?: { data: ReadResult }) => {
        if (err || !result) return reject(classify(err ?? new Error('no response')));
        // modbus-serial checks the frame's length but reads as many values as the frame's byte
        // count says: a byte count too small yields fewer values than asked, and the missing
        // ones would be decoded as 0 (or false). A short answer is a bad answer. (Rejected,
        // not thrown: this runs inside modbus-serial's receive handler.)
        const data = result.data;
        if (data.length < count) reject(new ShortResponseError(table, count, data.length));
        else resolve(data.length === count ? data : (data.slice(0, count) as ReadResult));
      };
      switch (table) {
        case 'holding':
          return client.writeFC3(unitId, start, count, done);
        case 'input':
          return client.writeFC4(unitId, start, count, done);
        case 'coil':
          return client.writeFC1(unitId, start, count, done);
        case 'discrete':
          return client.writeFC2(unitId, start, count, done);
      }
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (!client) {
      socket?.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      try {
        client.close(() => resolve());
      } catch {
        resolve();
      }
      // A half-open serial port may never call back.
      setTimeout(resolve, 500).unref();
    });
    destroyQuietly(client);
    socket?.destroy();
  }
}

function destroyQuietly(client: ModbusRTU): void {
  try {
    client.destroy(() => {});
  } catch {
    // already gone
  }
}

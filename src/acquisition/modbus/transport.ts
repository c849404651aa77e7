/**
 * How bytes travel: one connection to a Modbus TCP device/gateway, an RS-485 serial port,
 * or an RTU-over-TCP gateway, through modbus-serial. Everything about *which* registers
 * to read lives elsewhere; a new transport touches this file only.
 */
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

  constructor(private readonly line: ModbusLineConfig) {}

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
        return client.connectTCP(line.host, { port: line.port });
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

  async read(unitId: number, table: RegisterTable, start: number, count: number): Promise<ReadResult> {
    const client = this.client;
    if (!client?.isOpen) throw new Error('port not open');
    client.setID(unitId);
    let data: ReadResult;
    try {
      switch (table) {
        case 'holding':
          data = (await client.readHoldingRegisters(start, count)).data;
          break;
        case 'input':
          data = (await client.readInputRegisters(start, count)).data;
          break;
        case 'coil':
          data = (await client.readCoils(start, count)).data;
          break;
        case 'discrete':
          data = (await client.readDiscreteInputs(start, count)).data;
          break;
      }
    } catch (err) {
      throw classify(err);
    }
    // modbus-serial checks the frame's length but reads as many values as the frame's byte
    // count says: a response whose byte count is too small yields fewer values than asked,
    // and the missing ones would be decoded as 0 (or false). A short answer is a bad answer.
    if (data.length < count) throw new ShortResponseError(table, count, data.length);
    return data.length === count ? data : (data.slice(0, count) as ReadResult);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
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
  }
}

function destroyQuietly(client: ModbusRTU): void {
  try {
    client.destroy(() => {});
  } catch {
    // already gone
  }
}

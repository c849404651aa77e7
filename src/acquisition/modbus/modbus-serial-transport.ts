/**
 * The serial lines through modbus-serial: RTU on an RS-485 port, and raw RTU frames over TCP
 * (a transparent serial server). It owns the RTU framing: CRCs, silent intervals, port settings.
 */
import type { EventEmitter } from 'node:events';
import modbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import type { ModbusLineConfig, RegisterTable } from '../../config/schema.js';
import { ModbusExceptionError, ShortResponseError, TimeoutError } from './errors.js';
import type { ReadReply, ReadResult, Transport } from './transport.js';

// modbus-serial is CommonJS: its module object is the client class itself.
const ModbusClient = modbusSerial as unknown as new () => ModbusRTU;

export type SerialLineConfig = Exclude<ModbusLineConfig, { transport: 'tcp' }>;

/** modbus-serial reports exceptions as errors carrying `modbusCode`, timeouts by message. */
function classify(err: unknown): Error {
  const e = err as { modbusCode?: number; message?: string; errno?: string };
  if (typeof e?.modbusCode === 'number') return new ModbusExceptionError(e.modbusCode);
  if (e?.errno === 'ETIMEDOUT' || /timed out/i.test(e?.message ?? '')) return new TimeoutError('response');
  return err instanceof Error ? err : new Error(String(err));
}

export class ModbusSerialTransport implements Transport {
  private client: ModbusRTU | undefined;
  private closeListener: ((reason: string) => void) | undefined;
  private faultListener: ((err: Error) => void) | undefined;

  constructor(private readonly line: SerialLineConfig) {}

  get isOpen(): boolean {
    return this.client?.isOpen === true;
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }

  onFault(listener: (err: Error) => void): void {
    this.faultListener = listener;
  }

  /** A consumer called from a port's event or a microtask: what it throws is reported, not thrown. */
  private guarded(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.faultListener?.(err instanceof Error ? err : new Error(String(err)));
    }
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
    keepPortErrorsHeard(client);
    client.on('close', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.guarded(() => this.closeListener?.('connection closed by peer'));
    });
  }

  private open(client: ModbusRTU): Promise<void> {
    const line = this.line;
    switch (line.transport) {
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

  read(unitId: number, table: RegisterTable, start: number, count: number, reply: ReadReply): void {
    const client = this.client;
    if (!client?.isOpen) {
      queueMicrotask(() => this.guarded(() => reply.refused(new Error('port not open'))));
      return;
    }
    // modbus-serial's callback API (its promise API wraps the same call in one more promise).
    // The outcome is put off to a microtask: modbus-serial calls back from inside its receive
    // handler, and its RTU-over-TCP port resets what answer it expects after that handler
    // returns, so a request made from the callback would never see its answer; and it may call
    // back at once for a port that just closed, which ReadReply rules out. Only its first call
    // counts, as a promise's.
    let settled = false;
    const done = (err: unknown, result?: { data: ReadResult }) => {
      if (settled) return;
      settled = true;
      queueMicrotask(() => this.guarded(() => settle(err, result)));
    };
    const settle = (err: unknown, result?: { data: ReadResult }) => {
      if (err || !result) return reply.refused(classify(err ?? new Error('no response')));
      // modbus-serial checks the frame's length but reads as many values as the frame's byte
      // count says: a byte count too small yields fewer values than asked, and the missing
      // ones would be decoded as 0 (or false). A short answer is a bad answer.
      const data = result.data;
      if (data.length < count) reply.refused(new ShortResponseError(table, count, data.length));
      else reply.answered(data.length === count ? data : (data.slice(0, count) as ReadResult));
    };
    try {
      switch (table) {
        case 'holding':
          client.writeFC3(unitId, start, count, done);
          break;
        case 'input':
          client.writeFC4(unitId, start, count, done);
          break;
        case 'coil':
          client.writeFC1(unitId, start, count, done);
          break;
        case 'discrete':
          client.writeFC2(unitId, start, count, done);
          break;
      }
    } catch (err) {
      done(err);
    }
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

/**
 * modbus-serial takes its error listener off the port on close and destroy, yet a write still
 * under way fails afterwards (EIO once the far end of a pty or a USB adapter is gone) and the
 * port re-emits it to nobody: an uncaught exception, seen once in a full test run under load
 * (e2e alarm-notifications, the simulated RS-485 line unplugged at teardown; not reproduced in a
 * focused test). The port stays heard for good; what failed shows as the request's timeout or
 * the close. `_port` is the port its connect functions make (index.js), absent from its types.
 */
function keepPortErrorsHeard(client: ModbusRTU): void {
  const port = (client as unknown as { _port?: EventEmitter })._port;
  port?.on('error', () => {});
}

function destroyQuietly(client: ModbusRTU): void {
  try {
    client.destroy(() => {});
  } catch {
    // already gone
  }
}

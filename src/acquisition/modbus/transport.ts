/**
 * How bytes travel: one connection to a Modbus TCP device/gateway (MBAP, `mbap-transport.ts`),
 * an RS-485 serial port or an RTU-over-TCP gateway (modbus-serial, `modbus-serial-transport.ts`).
 * Everything about *which* registers to read lives elsewhere; a new transport is one new file
 * and one line here.
 */
import type { ModbusLineConfig, RegisterTable } from '../../config/schema.js';
import { MbapTransport } from './mbap-transport.js';
import { ModbusSerialTransport } from './modbus-serial-transport.js';

export {
  BadResponseError,
  EXCEPTION_NAMES,
  ModbusExceptionError,
  ShortResponseError,
  TimeoutError,
} from './errors.js';

export type ReadResult = number[] | boolean[];

/**
 * Where a read's outcome goes: one object made once by whoever reads, not a promise and its
 * closures per request (a gateway makes a thousand requests a second). Exactly one of the two
 * is called per read, and never from inside `read` itself. `result` is lent for the call only:
 * a transport may fill the same array with its next answer.
 */
export interface ReadReply {
  answered(result: ReadResult): void;
  refused(err: Error): void;
}

export interface Transport {
  readonly isOpen: boolean;
  /** Resolves when connected; rejects on failure within `timeoutMs`. */
  connect(timeoutMs: number): Promise<void>;
  read(unitId: number, table: RegisterTable, start: number, count: number, reply: ReadReply): void;
  close(): Promise<void>;
  /**
   * Called once when an open connection is lost (socket closed, serial port vanished), with
   * why: the socket's own error when it had one ("read ECONNRESET").
   */
  onClose(listener: (reason: string) => void): void;
  /**
   * A consumer (a reply, the close listener) threw while the transport called it: reported
   * here rather than thrown into the socket's or the port's callback, where it would take the
   * process down. The transport goes on with its next frame.
   */
  onFault(listener: (err: Error) => void): void;
}

export function createTransport(line: ModbusLineConfig): Transport {
  return line.transport === 'tcp' ? new MbapTransport(line) : new ModbusSerialTransport(line);
}

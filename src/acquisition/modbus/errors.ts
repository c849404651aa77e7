/** What can go wrong with one request, as the line and the poller sort it, whatever the transport. */
import type { RegisterTable } from '../../config/schema.js';

/** The device answered "no": a Modbus exception code. */
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

/** The answer broke the protocol (wrong unit, function or length): not a timeout, not an exception. */
export class BadResponseError extends Error {
  constructor(message: string) {
    super(`bad response: ${message}`);
    this.name = 'BadResponseError';
  }
}

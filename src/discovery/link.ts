/**
 * The scan's own link to a Modbus line: one request at a time, any function code, answers
 * framed whatever their length. Why not the gateway's transports (acquisition/modbus): they
 * carry reads of the four register tables only, and modbus-serial's RTU-over-TCP port frames
 * answers by a length known in advance, which a Read Device Identification answer does not
 * have (it waits for ever). The errors are the gateway's own, so that a scan and a poll tell
 * "exception", "timeout" and "bad answer" apart the same way.
 */
import { createRequire } from 'node:module';
import { connect as connectSocket, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SerialPort } from 'serialport';
import { BadResponseError, ModbusExceptionError, TimeoutError } from '../acquisition/modbus/errors.js';
import { socketConnected } from '../acquisition/modbus/mbap-transport.js';
import type { ModbusLineConfig } from '../config/schema.js';

/** One request at a time to the units of a line: a request PDU out, the answer's PDU back. */
export interface ProbeLink {
  /**
   * Resolves with the answer's PDU (function code first); rejects with ModbusExceptionError,
   * TimeoutError after the line's timeout, or BadResponseError.
   */
  request(unitId: number, pdu: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

export interface LinkOptions {
  /** Least time from the end of one exchange (answer or timeout) to the next request, ms. */
  gapMs: number;
}

const MBAP_HEADER = 7;
const requireHere = createRequire(import.meta.url);
/** modbus-serial's CRC, the one the gateway's RTU frames carry (the package has no types for it). */
const crc16 = requireHere('modbus-serial/utils/crc16.js') as (bytes: Buffer) => number;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RS-485's silent interval: 3.5 characters of the line's framing, at its baud rate. */
export function silentIntervalMs(line: ModbusLineConfig): number {
  if (line.transport === 'tcp' || !line.baudRate) return 0;
  const bitsPerChar =
    line.transport === 'rtu' ? 1 + line.dataBits + (line.parity === 'none' ? 0 : 1) + line.stopBits : 10;
  return (3.5 * bitsPerChar * 1000) / line.baudRate;
}

export async function openLink(line: ModbusLineConfig, options: LinkOptions): Promise<ProbeLink> {
  const connectTimeout = Math.max(line.timeout * 3, 2000);
  if (line.transport === 'rtu')
    return new FramedLink(await openSerial(line), new RtuFraming(), line, options);
  const socket = await openSocket(line.host, line.port, connectTimeout);
  const framing = line.transport === 'tcp' ? new MbapFraming() : new RtuFraming();
  return new FramedLink(socket, framing, line, options);
}

async function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  const socket = connectSocket({ host, port, noDelay: true });
  await socketConnected(socket, timeoutMs, `connecting to ${host}:${port}`);
  return socket;
}

async function openSerial(line: Extract<ModbusLineConfig, { transport: 'rtu' }>): Promise<Duplex> {
  // serialport comes with modbus-serial (a dependency), resolved from there, not hoisting.
  const fromModbusSerial = createRequire(requireHere.resolve('modbus-serial'));
  const { SerialPort: Port } = fromModbusSerial('serialport') as { SerialPort: typeof SerialPort };
  const port = new Port({
    path: line.path,
    baudRate: line.baudRate,
    dataBits: line.dataBits,
    parity: line.parity,
    stopBits: line.stopBits,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  return port;
}

/** How frames look on a transport: built from a PDU, and found in the bytes received. */
interface Framing {
  frame(unitId: number, pdu: Buffer): Buffer;
  /** The answer at the start of `bytes`: its PDU and length, or undefined until all of it is in. */
  answer(bytes: Buffer, unitId: number): { pdu: Buffer; length: number } | undefined;
}

class MbapFraming implements Framing {
  private transactionId = 0;

  frame(unitId: number, pdu: Buffer): Buffer {
    this.transactionId = (this.transactionId + 1) & 0xffff;
    const header = Buffer.alloc(MBAP_HEADER);
    header.writeUInt16BE(this.transactionId, 0);
    header.writeUInt16BE(pdu.length + 1, 4);
    header[6] = unitId;
    return Buffer.concat([header, pdu]);
  }

  answer(bytes: Buffer, unitId: number): { pdu: Buffer; length: number } | undefined {
    if (bytes.length < MBAP_HEADER) return undefined;
    const length = 6 + bytes.readUInt16BE(4);
    if (bytes.length < length) return undefined;
    // A late answer to an earlier (timed-out) request is skipped by its transaction id.
    if (bytes.readUInt16BE(0) !== this.transactionId) return { pdu: Buffer.alloc(0), length };
    if (bytes[6] !== unitId) throw new BadResponseError(`from unit ${bytes[6]}, asked unit ${unitId}`);
    return { pdu: Buffer.from(bytes.subarray(MBAP_HEADER, length)), length };
  }
}

class RtuFraming implements Framing {
  frame(unitId: number, pdu: Buffer): Buffer {
    const body = Buffer.concat([Buffer.from([unitId]), pdu]);
    const crc = Buffer.alloc(2);
    crc.writeUInt16LE(crc16(body));
    return Buffer.concat([body, crc]);
  }

  answer(bytes: Buffer, unitId: number): { pdu: Buffer; length: number } | undefined {
    const pduLength = rtuPduLength(bytes.subarray(1));
    if (pduLength === undefined || bytes.length < pduLength + 3) return undefined;
    const length = pduLength + 3;
    if (bytes.readUInt16LE(length - 2) !== crc16(bytes.subarray(0, length - 2)))
      throw new BadResponseError('CRC mismatch');
    // Another unit's late answer (to a request that timed out) is skipped, as on TCP.
    if (bytes[0] !== unitId) return { pdu: Buffer.alloc(0), length };
    return { pdu: Buffer.from(bytes.subarray(1, 1 + pduLength)), length };
  }
}

/**
 * Length of the answer PDU at the start of `pdu`, from what is in so far (RTU has no length
 * field): undefined until it can tell. Only the functions a scan sends: 3 and 43/14.
 */
function rtuPduLength(pdu: Buffer): number | undefined {
  const functionCode = pdu[0];
  if (functionCode === undefined) return undefined;
  if (functionCode & 0x80) return 2;
  if (functionCode === 3) return pdu.length < 2 ? undefined : 2 + (pdu[1] as number);
  if (functionCode !== 43) throw new BadResponseError(`function ${functionCode} in an answer`);
  // 43, 14, code, conformity, more follows, next object id, number of objects, then objects.
  if (pdu.length < 7) return undefined;
  let at = 7;
  for (let i = 0; i < (pdu[6] as number); i++) {
    if (pdu.length < at + 2) return undefined;
    at += 2 + (pdu[at + 1] as number);
  }
  return at;
}

class FramedLink implements ProbeLink {
  private received: Buffer = Buffer.alloc(0);
  private waiting: ((bytes: Buffer) => void) | undefined;
  /** When the last exchange ended (performance.now()): the next request waits for the gap. */
  private lastEnd = Number.NEGATIVE_INFINITY;
  private closedBecause: string | undefined;

  constructor(
    private readonly stream: Duplex,
    private readonly framing: Framing,
    private readonly line: ModbusLineConfig,
    private readonly options: LinkOptions,
  ) {
    stream.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.waiting?.(this.received);
    });
    stream.on('error', (err: Error) => {
      this.closedBecause ??= err.message;
    });
    stream.on('close', () => {
      this.closedBecause ??= 'connection closed by peer';
      this.waiting?.(this.received);
    });
  }

  async request(unitId: number, pdu: Buffer): Promise<Buffer> {
    const wait = this.lastEnd + this.options.gapMs - performance.now();
    if (wait > 0) await sleep(wait);
    // Whatever came in since (a late answer to a timed-out request) belongs to no one now.
    this.received = Buffer.alloc(0);
    try {
      return await this.exchange(unitId, pdu);
    } finally {
      this.lastEnd = performance.now();
    }
  }

  private exchange(unitId: number, pdu: Buffer): Promise<Buffer> {
    if (this.closedBecause) return Promise.reject(new Error(`${this.closedBecause}`));
    return new Promise<Buffer>((resolve, reject) => {
      const end = (outcome: () => void) => {
        clearTimeout(timer);
        this.waiting = undefined;
        outcome();
      };
      const timer = setTimeout(() => end(() => reject(new TimeoutError('response'))), this.line.timeout);
      this.waiting = (bytes) => {
        try {
          for (
            let found = this.framing.answer(bytes, unitId);
            found;
            found = this.framing.answer(bytes, unitId)
          ) {
            this.received = bytes = bytes.subarray(found.length);
            if (found.pdu.length === 0) continue; // an answer to an earlier request
            const answer = found.pdu;
            const functionCode = answer[0] as number;
            if (functionCode === ((pdu[0] as number) | 0x80))
              return end(() => reject(new ModbusExceptionError(answer[1] as number)));
            if (functionCode !== pdu[0])
              throw new BadResponseError(`function ${functionCode}, asked function ${pdu[0]}`);
            return end(() => resolve(answer));
          }
          if (this.closedBecause) end(() => reject(new Error(this.closedBecause)));
        } catch (err) {
          this.received = Buffer.alloc(0);
          end(() => reject(err));
        }
      };
      this.stream.write(this.framing.frame(unitId, pdu));
    });
  }

  async close(): Promise<void> {
    if (this.stream.destroyed) return;
    await new Promise<void>((resolve) => {
      this.stream.once('close', () => resolve());
      this.stream.destroy();
    });
  }
}

/**
 * Modbus TCP as a client speaks it: MBAP frames (a 7-byte header and the PDU) on one socket,
 * answers matched to requests by transaction id, so that up to `maxInFlight` requests can be
 * on the wire at once.
 *
 * Why not modbus-serial here, as on the serial lines: its TCP port wraps every answer into an
 * RTU frame with a CRC it computes, then checks that CRC again, copies each chunk into a new
 * Buffer, chains a promise per write and arms a timer per request. At a thousand requests a
 * second that was most of the gateway's cost beyond the kernel's (bench/README.md, large
 * plant). MBAP itself is small: the header, four function codes and the exception reply.
 * RTU framing (CRC, silent intervals, serial ports) stays with modbus-serial.
 */
import { connect as connectSocket, type Socket } from 'node:net';
import type { RegisterTable } from '../../config/schema.js';
import { BadResponseError, ModbusExceptionError, ShortResponseError, TimeoutError } from './errors.js';
import type { ReadReply, ReadResult, Transport } from './transport.js';

export interface MbapEndpoint {
  host: string;
  port: number;
  /** Answer timeout per request, ms. */
  timeout: number;
  /** More than 1: requests made in one run of JavaScript (a timer's, a read's) leave in one write. */
  maxInFlight: number;
}

const HEADER = 7; // transaction id, protocol id, length (unit id and PDU), unit id
/** Every read request: the header, the function code, start and count. */
const REQUEST_LENGTH = HEADER + 5;
/** The longest PDU is 253 bytes; with the unit id, the length field never exceeds 254. */
const MAX_LENGTH = 254;

/** Where every MBAP socket reads into: parsing is synchronous, so one buffer serves them all. */
const READ_BUFFER = Buffer.alloc(64 * 1024);

const FUNCTION_CODES: Record<RegisterTable, number> = { coil: 1, discrete: 2, holding: 3, input: 4 };

interface Pending {
  id: number;
  unitId: number;
  functionCode: number;
  count: number;
  table: RegisterTable;
  deadline: number;
  reply: ReadReply;
}

/** Arrays an answer's values are parsed into, by length: lent to the reply, then reused. */
type Scratch<T> = T[][];

function arrayOf<T>(scratch: Scratch<T>, length: number): T[] {
  let values = scratch[length];
  if (!values) {
    values = new Array<T>(length);
    scratch[length] = values;
  }
  return values;
}

/**
 * Resolves once `socket` (just made by net.connect) is connected; a socket error, or no
 * connection within `timeoutMs` (a TimeoutError saying `what`), destroys it and rejects.
 */
export function socketConnected(socket: Socket, timeoutMs: number, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new TimeoutError(what)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve();
    });
  });
}

export class MbapTransport implements Transport {
  private socket: Socket | undefined;
  private closeListener: ((reason: string) => void) | undefined;
  private faultListener: ((err: Error) => void) | undefined;
  /**
   * Requests on the wire, in send order (so deadline order). A few dozen at most, answered
   * mostly in order: the first entry is nearly always the one, and a map's hashing and
   * rehashing after every delete cost more than that search.
   */
  private readonly pending: Pending[] = [];
  /** Finished requests' records, for the next ones. */
  private readonly spare: Pending[] = [];
  private readonly words: Scratch<number> = [];
  private readonly bits: Scratch<boolean> = [];
  private transactionId = 0;
  /** Bytes of a frame split across chunks. */
  private partial: Buffer | undefined;
  /** One timer for every request on the wire, armed for the oldest one's deadline. */
  private timeoutTimer: NodeJS.Timeout | undefined;
  /** Frames made in this run of JavaScript, written together when it is over (pipelining). */
  private outgoing: Buffer | undefined;
  private outgoingLength = 0;

  constructor(private readonly endpoint: MbapEndpoint) {}

  get isOpen(): boolean {
    return this.socket !== undefined;
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }

  onFault(listener: (err: Error) => void): void {
    this.faultListener = listener;
  }

  async connect(timeoutMs: number): Promise<void> {
    await this.close();
    const socket: Socket = connectSocket({
      host: this.endpoint.host,
      port: this.endpoint.port,
      noDelay: true,
      // Reads land in one shared buffer and are parsed at once, without a stream and a new
      // Buffer per chunk: at a thousand answers a second that machinery cost more than parsing.
      onread: {
        buffer: READ_BUFFER,
        callback: (length, buffer) => {
          // Thrown out of here, an error would be uncaught: the process would end.
          try {
            this.receive(socket, buffer as Buffer, length);
          } catch (err) {
            this.fault(err);
          }
          return true;
        },
      },
    });
    await socketConnected(socket, timeoutMs, 'connect');
    // A gateway that vanished without a FIN (power cut) is found by keepalive, not left half-open.
    socket.setKeepAlive(true, 10_000);
    // Errors end in 'close', which reports the loss with the error's reason ("read
    // ECONNRESET"); an unhandled 'error' would crash.
    let error: Error | undefined;
    socket.on('error', (err) => {
      error ??= err;
    });
    socket.on('close', () => this.closed(socket, error?.message ?? 'connection closed by peer'));
    this.socket = socket;
  }

  read(unitId: number, table: RegisterTable, start: number, count: number, reply: ReadReply): void {
    const socket = this.socket;
    if (!socket) {
      queueMicrotask(() => this.refuse(reply, new Error('port not open')));
      return;
    }
    const id = this.nextTransactionId();
    const functionCode = FUNCTION_CODES[table];
    const request = this.spare.pop() ?? ({} as Pending);
    request.id = id;
    request.unitId = unitId;
    request.functionCode = functionCode;
    request.count = count;
    request.table = table;
    request.deadline = performance.now() + this.endpoint.timeout;
    request.reply = reply;
    this.pending.push(request);
    if (!this.timeoutTimer) this.armTimeout(this.endpoint.timeout);
    if (this.endpoint.maxInFlight <= 1) {
      const frame = Buffer.allocUnsafe(REQUEST_LENGTH);
      encodeRead(frame, 0, id, unitId, functionCode, start, count);
      socket.write(frame);
    } else {
      const at = this.reserve(socket);
      encodeRead(this.outgoing as Buffer, at, id, unitId, functionCode, start, count);
    }
  }

  /**
   * Room for one more request frame in this run's buffer (its offset): on a pipelining
   * connection the requests made in one run of JavaScript (the polls a timer starts, the
   * next reads a chunk of answers lets go) leave in one write (one syscall, often one TCP
   * segment) in a microtask once it is over. (At the end of the event loop's turn instead,
   * by setImmediate, each write cost the loop one more round through epoll.)
   */
  private reserve(socket: Socket): number {
    if (this.outgoing && this.outgoingLength + REQUEST_LENGTH > this.outgoing.length) this.flush(socket);
    if (!this.outgoing) {
      this.outgoing = Buffer.allocUnsafe(REQUEST_LENGTH * this.endpoint.maxInFlight);
      this.outgoingLength = 0;
      queueMicrotask(() => this.flush(socket));
    }
    const at = this.outgoingLength;
    this.outgoingLength += REQUEST_LENGTH;
    return at;
  }

  private flush(socket: Socket): void {
    const frames = this.outgoing;
    if (!frames) return;
    this.outgoing = undefined;
    if (this.socket === socket) socket.write(frames.subarray(0, this.outgoingLength));
  }

  async close(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    this.failPending(new Error('connection closed'));
    if (socket.closed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private nextTransactionId(): number {
    // 16 bits; an id still waiting (a very late answer's) is skipped, not reused.
    do this.transactionId = (this.transactionId + 1) & 0xffff;
    while (this.waiting(this.transactionId) >= 0);
    return this.transactionId;
  }

  /** Where the request with transaction id `id` is in `pending`, or -1. */
  private waiting(id: number): number {
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) if ((pending[i] as Pending).id === id) return i;
    return -1;
  }

  /** Take the request at `index` off the wire; its record goes back to the spares. */
  private take(index: number): Pending {
    const request = (index === 0 ? this.pending.shift() : this.pending.splice(index, 1)[0]) as Pending;
    this.spare.push(request);
    return request;
  }

  /** `length` bytes read into `chunk` (the shared read buffer: nothing may keep it). */
  private receive(socket: Socket, chunk: Buffer, length: number): void {
    let data = chunk;
    let size = length;
    if (this.partial) {
      data = Buffer.concat([this.partial, chunk.subarray(0, length)]);
      size = data.length;
      this.partial = undefined;
    }
    let offset = 0;
    while (size - offset >= HEADER) {
      const frameLength = data.readUInt16BE(offset + 4);
      if (data.readUInt16BE(offset + 2) !== 0 || frameLength < 2 || frameLength > MAX_LENGTH) {
        // Not MBAP, or out of step with it: nothing later in the stream can be trusted.
        this.drop(socket, 'malformed MBAP header: reopening the connection');
        return;
      }
      const end = offset + 6 + frameLength;
      if (size < end) break;
      this.answer(data, offset, end);
      offset = end;
    }
    // Copied: the read buffer is overwritten by the next read. (Not if a reply closed the
    // connection meanwhile: the rest belonged to it.)
    if (offset < size && this.socket === socket) this.partial = Buffer.from(data.subarray(offset, size));
  }

  /** One whole frame, data[offset, end): parsed and handed to its request's reply at once. */
  private answer(data: Buffer, offset: number, end: number): void {
    const index = this.waiting(data.readUInt16BE(offset));
    if (index < 0) return; // an answer after its timeout, or to nobody
    const request = this.take(index);
    const reply = request.reply;
    const result = parse(request, data, offset, end, this.words, this.bits);
    // A reply that throws fails alone: the frames after it in this chunk are still answered.
    try {
      if (result instanceof Error) reply.refused(result);
      else reply.answered(result);
    } catch (err) {
      this.fault(err);
    }
  }

  /** `reply` told of `err`, from a timer or a microtask: what it throws is reported, not thrown. */
  private refuse(reply: ReadReply, err: Error): void {
    try {
      reply.refused(err);
    } catch (thrown) {
      this.fault(thrown);
    }
  }

  private fault(err: unknown): void {
    this.faultListener?.(err instanceof Error ? err : new Error(String(err)));
  }

  private armTimeout(ms: number): void {
    this.timeoutTimer = setTimeout(() => this.expire(), Math.max(1, ms));
    this.timeoutTimer.unref();
  }

  private expire(): void {
    this.timeoutTimer = undefined;
    const now = performance.now();
    const expired: ReadReply[] = [];
    while (this.pending.length > 0 && (this.pending[0] as Pending).deadline <= now)
      expired.push(this.take(0).reply);
    const oldest = this.pending[0];
    if (oldest) this.armTimeout(oldest.deadline - now);
    for (const reply of expired) this.refuse(reply, new TimeoutError('response'));
  }

  /** Every request on the wire fails with `err`, in a microtask: the connection's loss is reported first. */
  private failPending(err: Error): void {
    this.outgoing = undefined;
    clearTimeout(this.timeoutTimer);
    this.timeoutTimer = undefined;
    this.partial = undefined;
    const replies = this.pending.map((request) => request.reply);
    this.pending.length = 0;
    if (replies.length > 0)
      queueMicrotask(() => {
        for (const reply of replies) this.refuse(reply, err);
      });
  }

  private drop(socket: Socket, reason: string): void {
    socket.destroy();
    this.closed(socket, reason);
  }

  private closed(socket: Socket, reason: string): void {
    if (this.socket !== socket) return; // closed by us, or an older connection
    this.socket = undefined;
    this.failPending(new Error(reason));
    try {
      this.closeListener?.(reason);
    } catch (err) {
      this.fault(err);
    }
  }
}

/** A read request (function 1–4) as an MBAP frame at buffer[at, at + REQUEST_LENGTH). */
function encodeRead(
  buffer: Buffer,
  at: number,
  id: number,
  unitId: number,
  functionCode: number,
  start: number,
  count: number,
): void {
  buffer.writeUInt16BE(id, at);
  buffer.writeUInt16BE(0, at + 2);
  buffer.writeUInt16BE(6, at + 4);
  buffer[at + 6] = unitId;
  buffer[at + 7] = functionCode;
  buffer.writeUInt16BE(start, at + 8);
  buffer.writeUInt16BE(count, at + 10);
}

/**
 * The values of a whole answer frame (data[offset, end)), in an array of `words` or `bits`
 * (by length, reused), or why it is no answer to `request`.
 */
function parse(
  request: Pending,
  data: Buffer,
  offset: number,
  end: number,
  words: Scratch<number>,
  bits: Scratch<boolean>,
): ReadResult | Error {
  const unitId = data[offset + 6];
  const functionCode = data[offset + 7] as number;
  if (unitId !== request.unitId)
    return new BadResponseError(`from unit ${unitId}, asked unit ${request.unitId}`);
  if (functionCode === (request.functionCode | 0x80)) {
    if (end - offset !== HEADER + 2) return new BadResponseError('exception reply of the wrong length');
    return new ModbusExceptionError(data[offset + 8] as number);
  }
  if (functionCode !== request.functionCode)
    return new BadResponseError(`function ${functionCode}, asked function ${request.functionCode}`);
  const byteCount = data[offset + 8] as number;
  if (end - offset !== HEADER + 2 + byteCount)
    return new BadResponseError(`byte count ${byteCount} in a frame of ${end - offset} bytes`);
  const first = offset + HEADER + 2;
  const count = request.count;
  if (request.table === 'holding' || request.table === 'input') {
    if (byteCount < count * 2) return new ShortResponseError(request.table, count, byteCount >> 1);
    if (byteCount !== count * 2) return new BadResponseError(`${byteCount >> 1} registers, asked ${count}`);
    const values = arrayOf(words, count);
    for (let i = 0; i < count; i++) values[i] = data.readUInt16BE(first + 2 * i);
    return values;
  }
  const expected = (count + 7) >> 3;
  if (byteCount < expected) return new ShortResponseError(request.table, count, byteCount * 8);
  if (byteCount !== expected) return new BadResponseError(`${byteCount} bytes of bits, asked ${expected}`);
  const values = arrayOf(bits, count);
  for (let i = 0; i < count; i++) values[i] = ((data[first + (i >> 3)] as number) & (1 << (i & 7))) !== 0;
  return values;
}

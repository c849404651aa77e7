/**
 * An RTU slave on any byte stream (a serial port, or a TCP socket of an RTU-over-TCP
 * gateway): frames requests, checks their CRC, answers through a LineResponder. Requests
 * are answered one at a time, in order, as on a real RS-485 bus.
 */
import type { Duplex } from 'node:stream';
import type { RegisterTable } from '../../src/config/schema.js';
import type { DeviceIdentity, LineResponder } from './responder.js';

export function crc16(buf: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

const TABLES: Record<number, RegisterTable> = { 1: 'coil', 2: 'discrete', 3: 'holding', 4: 'input' };
const ENCAPSULATED_INTERFACE = 43;
const READ_DEVICE_ID = 14;

/**
 * A Read Device Identification answer's PDU, all in one (more follows: no): the objects from
 * `objectId` up to the highest the read device id code asks for (1 basic: 0–2, else 0–6).
 */
function identificationPdu(code: number, objectId: number, objects: DeviceIdentity): number[] {
  const last = code === 1 ? 2 : 6;
  const ids = Object.keys(objects)
    .map(Number)
    .filter((id) => id >= objectId && id <= last)
    .sort((a, b) => a - b);
  const conformity = Object.keys(objects).some((id) => Number(id) > 2) ? 0x82 : 0x81;
  const encoded = ids.flatMap((id) => {
    const bytes = [...Buffer.from(objects[id] ?? '', 'latin1')];
    return [id, bytes.length, ...bytes];
  });
  return [ENCAPSULATED_INTERFACE, READ_DEVICE_ID, code, conformity, 0, 0, ids.length, ...encoded];
}

/** Length of the request frame starting at buf[0], or undefined until enough bytes are in. */
function requestLength(buf: Buffer): number | undefined {
  if (buf.length < 2) return undefined;
  const fc = buf[1] as number;
  if (fc >= 1 && fc <= 6) return 8;
  if (fc === 15 || fc === 16) return buf.length < 7 ? undefined : 9 + (buf[6] as number);
  if (fc === ENCAPSULATED_INTERFACE) return 7; // unit, 43, MEI type, read device id code, object id, CRC
  return 8; // unknown function: assume a short frame, answer "illegal function"
}

function frame(unit: number, pdu: number[]): Buffer {
  const body = Buffer.from([unit, ...pdu]);
  const crc = crc16(body);
  return Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])]);
}

function packBits(bits: boolean[]): number[] {
  const bytes = new Array<number>(Math.ceil(bits.length / 8)).fill(0);
  bits.forEach((b, i) => {
    if (b) bytes[i >> 3] = (bytes[i >> 3] as number) | (1 << (i & 7));
  });
  return bytes;
}

export interface RtuSlaveOptions {
  /** Baud rate of the wire, to add the response's transmission time. */
  baudRate?: number;
  /** Bits on the wire per byte: start + data + parity + stop (8N1 = 10, 8E1 = 11). */
  bitsPerChar?: number;
}

export function attachRtuSlave(
  stream: Duplex,
  responder: LineResponder,
  options: RtuSlaveOptions = {},
): void {
  let buffer = Buffer.alloc(0);
  let chain = Promise.resolve();
  stream.on('data', (data: Buffer) => {
    buffer = Buffer.concat([buffer, data]);
    for (
      let length = requestLength(buffer);
      length !== undefined && buffer.length >= length;
      length = requestLength(buffer)
    ) {
      const request = buffer.subarray(0, length);
      buffer = buffer.subarray(length);
      const crc = request.readUInt16LE(length - 2);
      if (crc !== crc16(request.subarray(0, length - 2))) {
        buffer = Buffer.alloc(0); // lost sync: drop what we have, as a slave's silence timer would
        return;
      }
      chain = chain.then(() => respond(Buffer.from(request)));
    }
  });
  stream.on('error', () => {});

  async function respond(request: Buffer): Promise<void> {
    const unit = request[0] as number;
    const fc = request[1] as number;
    const table = TABLES[fc];
    let pdu: number[];
    if (fc === ENCAPSULATED_INTERFACE && request[2] === READ_DEVICE_ID) {
      const answer = await responder.identify(unit);
      if (answer === 'silent') return;
      pdu =
        'exception' in answer
          ? [fc | 0x80, answer.exception]
          : identificationPdu(request[3] as number, request[4] as number, answer.objects);
    } else if (!table) {
      pdu = [fc | 0x80, 1];
    } else {
      const start = request.readUInt16BE(2);
      const count = request.readUInt16BE(4);
      const answer = await responder.answer(unit, table, start, count);
      if (answer === 'silent') return;
      if ('exception' in answer) pdu = [fc | 0x80, answer.exception];
      else if ('bits' in answer) {
        const bytes = packBits(answer.bits);
        pdu = [fc, bytes.length, ...bytes];
      } else {
        pdu = [fc, answer.words.length * 2, ...answer.words.flatMap((w) => [w >> 8, w & 0xff])];
      }
    }
    const response = frame(unit, pdu);
    if (options.baudRate)
      await new Promise((r) =>
        setTimeout(r, (response.length * (options.bitsPerChar ?? 10) * 1000) / options.baudRate!),
      );
    if (!stream.destroyed) stream.write(response);
  }
}

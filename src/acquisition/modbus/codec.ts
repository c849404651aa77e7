/**
 * Register words <-> engineering values, for every data type and word/byte order met in
 * the field. Shared by the gateway (decode) and the simulators (encode), so one register
 * map is written once and both sides agree on it by construction.
 */
import { registerCount } from '../../config/registers.js';
import type { DataType, ModbusPointConfig, WordOrder } from '../../config/schema.js';
import { decimalsOf, scaleDecimal, shortestFloat32 } from '../decimal.js';

export type Encoding = Pick<ModbusPointConfig, 'type' | 'order' | 'table' | 'bit' | 'scale' | 'offset'>;

const wordSwapped = (order: WordOrder) => order === 'CDAB' || order === 'DCBA';
const byteSwapped = (order: WordOrder) => order === 'BADC' || order === 'DCBA';

/** Big-endian bytes (ABCD...) -> wire words in `order` (decodeRegisters does the inverse). */
function fromCanonical(buf: Buffer, order: WordOrder): number[] {
  const n = buf.length / 2;
  const words = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const word = byteSwapped(order) ? buf.readUInt16LE(i * 2) : buf.readUInt16BE(i * 2);
    words[wordSwapped(order) ? n - 1 - i : i] = word;
  }
  return words;
}

/** Big-endian bytes (ABCD...) -> the type's raw number. */
function readRaw(view: DataView, type: DataType): number {
  switch (type) {
    case 'int16':
      return view.getInt16(0);
    case 'uint16':
    case 'bool':
      return view.getUint16(0);
    case 'int32':
      return view.getInt32(0);
    case 'uint32':
      return view.getUint32(0);
    case 'float32':
      return view.getFloat32(0);
    case 'int64':
      return Number(view.getBigInt64(0));
    case 'uint64':
      return Number(view.getBigUint64(0));
    case 'float64':
      return view.getFloat64(0);
  }
}

function writeRaw(buf: Buffer, type: DataType, raw: number): void {
  switch (type) {
    case 'int16':
      buf.writeInt16BE(clampInt(raw, -0x8000, 0x7fff));
      return;
    case 'uint16':
    case 'bool':
      buf.writeUInt16BE(clampInt(raw, 0, 0xffff));
      return;
    case 'int32':
      buf.writeInt32BE(clampInt(raw, -0x80000000, 0x7fffffff));
      return;
    case 'uint32':
      buf.writeUInt32BE(clampInt(raw, 0, 0xffffffff));
      return;
    case 'float32':
      buf.writeFloatBE(raw);
      return;
    case 'int64':
      buf.writeBigInt64BE(clampBig(raw, -(2n ** 63n), 2n ** 63n - 1n));
      return;
    case 'uint64':
      buf.writeBigUInt64BE(clampBig(raw, 0n, 2n ** 64n - 1n));
      return;
    case 'float64':
      buf.writeDoubleBE(raw);
      return;
  }
}

function clampInt(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value)));
}

/** Like clampInt for 64-bit types, where BigInt() throws on NaN or Infinity (written as 0 / the bound). */
function clampBig(value: number, min: bigint, max: bigint): bigint {
  if (Number.isNaN(value)) return 0n;
  if (value === Number.POSITIVE_INFINITY) return max;
  if (value === Number.NEGATIVE_INFINITY) return min;
  const big = BigInt(Math.round(value));
  return big < min ? min : big > max ? max : big;
}

const isFloat = (type: DataType) => type === 'float32' || type === 'float64';

/**
 * The canonical bytes of the value being decoded. One scratch area for every decode: the
 * gateway decodes millions of values a minute, and a Buffer per value was its largest
 * source of garbage. Safe because decoding is synchronous and reads it before returning.
 */
const scratch = new DataView(new ArrayBuffer(8));

/** The unbiased binary exponent of the big-endian float32 in `view`: saves a Math.log10. */
const float32Exponent = (view: DataView) => ((view.getUint16(0) >>> 7) & 0xff) - 127;

/**
 * Decode one value from `words` starting at `index` (register tables), or from a bit
 * array (coils / discrete inputs).
 */
export function decodeRegisters(point: Encoding, words: ArrayLike<number>, index: number): number | boolean {
  const count = registerCount(point);
  // Wire words -> canonical big-endian bytes (the inverse of fromCanonical), without allocating.
  const swapWords = wordSwapped(point.order);
  const littleEndian = byteSwapped(point.order);
  for (let i = 0; i < count; i++) {
    scratch.setUint16(i * 2, words[index + (swapWords ? count - 1 - i : i)] ?? 0, littleEndian);
  }
  const raw = readRaw(scratch, point.type === 'bool' ? 'uint16' : point.type);
  if (point.bit !== undefined) {
    const set = ((raw >> point.bit) & 1) === 1;
    return point.type === 'bool' ? set : Number(set);
  }
  if (point.type === 'bool') return raw !== 0;
  // A float32 stands for its shortest decimal (229.8, not 229.8000030517578), once, here.
  const value = point.type === 'float32' ? shortestFloat32(raw, float32Exponent(scratch)) : raw;
  if (point.scale === 1 && point.offset === 0) return value + 0; // a float's -0 reads 0, as raw × 1 + 0 did
  return scaleDecimal(value, isFloat(point.type) ? decimalsOf(value) : 0, point.scale, point.offset);
}

export function decodeBit(bits: ArrayLike<boolean>, index: number): boolean {
  return Boolean(bits[index]);
}

/** Engineering value -> wire words: the inverse of decodeRegisters (used by simulators). */
export function encodeRegisters(point: Encoding, value: number | boolean): number[] {
  if (point.bit !== undefined && point.table !== 'coil' && point.table !== 'discrete') {
    // One bit of a status word: the word with only that bit set (or clear), in the point's
    // byte order (decodeRegisters swaps the bytes of a BADC/DCBA word before reading the bit).
    const set = typeof value === 'boolean' ? value : value !== 0;
    const word = Buffer.alloc(2);
    word.writeUInt16BE(set ? 1 << point.bit : 0);
    return fromCanonical(word, point.order);
  }
  const count = registerCount(point);
  const buf = Buffer.alloc(count * 2);
  const numeric = typeof value === 'boolean' ? Number(value) : value;
  const raw = point.type === 'bool' ? numeric : (numeric - point.offset) / point.scale;
  writeRaw(buf, point.type === 'bool' ? 'uint16' : point.type, isFloat(point.type) ? raw : Math.round(raw));
  return fromCanonical(buf, point.order);
}

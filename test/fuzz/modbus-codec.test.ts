/**
 * Fuzz: Modbus register words and bit arrays, decoded for every data type, word order,
 * bit, scale and offset a profile may declare (config-valid combinations only), against an
 * independent decoder written here from the byte layouts (DataView and BigInt).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBit,
  decodeRegisters,
  type Encoding,
  encodeRegisters,
} from '../../src/acquisition/modbus/codec.js';
import { dataTypes, wordOrders } from '../../src/config/schema.js';
import { fuzz } from './fuzz.js';

const WORDS = {
  bool: 1,
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  float32: 2,
  int64: 4,
  uint64: 4,
  float64: 4,
};

const number = fc.oneof(
  fc.constantFrom(1, 0.1, 0.01, 10, -1, 0),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e300, -1e300, 1e-300),
);

/** Register encodings as config/references.ts accepts them: a bit only on 16-bit types, bool only with a bit. */
const encodingArb: fc.Arbitrary<Encoding> = fc
  .record({
    type: fc.constantFrom(...dataTypes),
    order: fc.constantFrom(...wordOrders),
    table: fc.constantFrom('holding' as const, 'input' as const),
    bit: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
    scale: number,
    offset: number,
  })
  .map((e) => {
    const sixteen = e.type === 'bool' || e.type === 'int16' || e.type === 'uint16';
    const bit = e.type === 'bool' ? (e.bit ?? 0) : sixteen ? e.bit : undefined;
    return { ...e, bit };
  });

/** Words as a device sends them (0..65535), sometimes too few for the value (a short block). */
const wordsArb = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 10 });

/** The oracle's raw value: wire words → big-endian bytes by hand, then DataView / BigInt. */
function oracleRaw(e: Encoding, words: ArrayLike<number>, index: number): number | boolean {
  const n = WORDS[e.type];
  let w = Array.from({ length: n }, (_, i) => words[index + i] ?? 0);
  if (e.order === 'CDAB' || e.order === 'DCBA') w = w.reverse();
  const bytes = w.flatMap((x) =>
    e.order === 'BADC' || e.order === 'DCBA' ? [x & 0xff, x >> 8] : [x >> 8, x & 0xff],
  );
  const view = new DataView(Uint8Array.from(bytes).buffer);
  if (e.bit !== undefined) {
    const set = ((view.getUint16(0) >>> e.bit) & 1) === 1;
    return e.type === 'bool' ? set : set ? 1 : 0;
  }
  const raw = {
    bool: () => view.getUint16(0),
    int16: () => view.getInt16(0),
    uint16: () => view.getUint16(0),
    int32: () => view.getInt32(0),
    uint32: () => view.getUint32(0),
    float32: () => view.getFloat32(0),
    int64: () => Number(view.getBigInt64(0)),
    uint64: () => Number(view.getBigUint64(0)),
    float64: () => view.getFloat64(0),
  }[e.type]();
  return e.type === 'float32' ? shortestOf(raw) : raw;
}

/** A float32 as the fewest significant digits that give the same float32 back (1e-13 to 1e22). */
function shortestOf(f: number): number {
  if (!Number.isFinite(f) || f === 0 || Math.abs(f) < 1e-13 || Math.abs(f) >= 1e22) return f;
  for (let p = 1; p <= 9; p++) {
    const d = Number(f.toPrecision(p));
    if (Math.fround(d) === f) return d;
  }
  return f;
}

/** A double's shortest decimal (as String writes it) as an integer and its decimal places. */
function decimalOf(x: number): [bigint, number] {
  const [mantissa = '', exponent = '0'] = String(x).split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const places = fraction.length - Number(exponent);
  const digits = BigInt(whole + fraction);
  return places >= 0 ? [digits, places] : [digits * 10n ** BigInt(-places), 0];
}

interface Expected {
  value: number | boolean;
  /** Must be exactly `value`: raw × scale + offset whose decimal terms a double holds exactly. */
  exact: boolean;
  /** Otherwise the plain arithmetic's error bound around `value`. */
  tolerance: number;
}

/** The oracle: raw × scale + offset on the decimals they stand for, in BigInt, rounded once. */
function oracle(e: Encoding, words: ArrayLike<number>, index: number): Expected {
  const raw = oracleRaw(e, words, index);
  if (typeof raw === 'boolean' || e.bit !== undefined) return { value: raw, exact: true, tolerance: 0 };
  if (!Number.isFinite(raw)) return { value: raw * e.scale + e.offset, exact: true, tolerance: 0 };
  const [r, rPlaces] = decimalOf(raw);
  const [s, sPlaces] = decimalOf(e.scale);
  const [o, oPlaces] = decimalOf(e.offset);
  const places = Math.max(rPlaces + sPlaces, oPlaces);
  const product = r * s * 10n ** BigInt(places - rPlaces - sPlaces);
  const shift = o * 10n ** BigInt(places - oPlaces);
  const small = (n: bigint) => n < 2n ** 53n && n > -(2n ** 53n);
  return {
    value: Number(`${product + shift}e-${places}`),
    exact: places <= 22 && small(product) && small(shift) && small(product + shift),
    // Rounding of the plain arithmetic, plus a subnormal's distance from its shortest decimal
    // (8e-323 is 7.9e-323: relatively far, absolutely tiny), times the other factor.
    tolerance:
      4 * Number.EPSILON * (Math.abs(raw * e.scale) + Math.abs(e.offset)) +
      (Math.abs(raw) + Math.abs(e.scale) + 1) * Number.MIN_VALUE,
  };
}

function agrees(value: number | boolean, expected: Expected): boolean {
  if (Object.is(value, expected.value) || (value === 0 && expected.value === 0)) return true;
  if (expected.exact || typeof value !== 'number' || typeof expected.value !== 'number') return false;
  // Non-finite: judged by the overflow check below.
  return !Number.isFinite(value) || Math.abs(value - expected.value) <= expected.tolerance;
}

describe('fuzz: Modbus register decoding', () => {
  it('decodeRegisters never throws, returns bools only for bools, and agrees with an independent decoder', async () => {
    // A word-order slip (CDAB read as BADC), a signed/unsigned mix-up or a bit counted from
    // the wrong end disagrees with the oracle within a few dozen cases; so does substituting a
    // value for a non-finite float (NaN must stay NaN for the poller to flag it out-of-range).
    const summary = await fuzz(
      'modbus decodeRegisters vs oracle',
      fc.property(encodingArb, wordsArb, fc.nat(12), (e, words, index) => {
        const value = decodeRegisters(e, words, index);
        const expected = oracle(e, words, index);
        if (e.type === 'bool' && typeof value !== 'boolean') throw new Error(`bool read as ${typeof value}`);
        if (e.type !== 'bool' && typeof value !== 'number')
          throw new Error(`${e.type} read as ${typeof value}`);
        if (!agrees(value, expected))
          throw new Error(
            `${JSON.stringify(e)} ${JSON.stringify(words)}@${index}: got ${value}, expected ${expected.value}`,
          );
        // Non-finite only where the wire can say so (NaN/Inf floats) or the scale overflows.
        if (typeof value === 'number' && !Number.isFinite(value)) {
          const raw = oracleRaw(e, words, index) as number;
          const overflow = Number.isFinite(raw) && !Number.isFinite(raw * e.scale + e.offset);
          if (Number.isFinite(raw) && !overflow) throw new Error(`finite ${raw} decoded as ${value}`);
        }
        return true;
      }),
      50_000,
    );
    expect(summary.failures).toBe(0);
  });

  it('the oracle catches a decoder that swaps the wrong thing', () => {
    // The property is not vacuous: the same check on a decoder that ignores the word order fails.
    const ignoresOrder = (e: Encoding, words: number[], index: number) =>
      decodeRegisters({ ...e, order: 'ABCD' }, words, index);
    const details = fc.check(
      fc.property(encodingArb, wordsArb, fc.nat(12), (e, words, index) => {
        const value = ignoresOrder(e, words, index);
        return agrees(value, oracle(e, words, index));
      }),
      { numRuns: 10_000 },
    );
    expect(details.failed).toBe(true);
  });

  it('decodeBit returns a boolean for any bit array and index', async () => {
    // modbus-serial hands coils back as an array of booleans (padded to a byte); an index
    // past the end or a hole must read as false, never undefined or a number.
    const summary = await fuzz(
      'modbus decodeBit',
      fc.property(
        fc.array(fc.oneof(fc.boolean(), fc.constant(undefined as unknown as boolean)), { maxLength: 40 }),
        fc.integer({ min: -2, max: 50 }),
        (bits, index) => {
          const value = decodeBit(bits, index);
          return typeof value === 'boolean' && value === (bits[index] === true);
        },
      ),
      20_000,
    );
    expect(summary.failures).toBe(0);
  });

  it('encodeRegisters (the simulators) writes 16-bit words that decode back to the value', async () => {
    // The simulators answer the gateway with these words: a value that encodes to a word
    // outside 0..65535, or throws (BigInt of NaN), would crash a simulated device.
    const summary = await fuzz(
      'modbus encode→decode round trip',
      fc.property(
        encodingArb.filter((e) => e.scale !== 0 && Math.abs(e.scale) > 1e-6 && Math.abs(e.scale) < 1e6),
        fc.oneof(fc.double(), fc.integer({ min: -70_000, max: 70_000 }), fc.boolean()),
        (e, value) => {
          const words = encodeRegisters(e, value);
          if (words.length !== (e.bit === undefined ? WORDS[e.type] : 1))
            throw new Error(`${words.length} words`);
          if (!words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff))
            throw new Error(`word outside 0..65535: ${words}`);
          const back = decodeRegisters({ ...e, offset: e.bit === undefined ? e.offset : 0 }, words, 0);
          if (e.bit !== undefined || e.type === 'bool') {
            const set = typeof value === 'boolean' ? value : value !== 0;
            if (Number(back) !== Number(set)) throw new Error(`bit ${set} read back as ${back}`);
          }
          return true;
        },
      ),
      20_000,
    );
    expect(summary.failures).toBe(0);
  });
});

/**
 * Register words → values for every type and word order, against words written out by
 * hand from the IEEE/two's-complement byte layout (not produced by the code under test).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeBit,
  decodeRegisters,
  type Encoding,
  encodeRegisters,
} from '../../../src/acquisition/modbus/codec.js';
import { dataTypes, wordOrders } from '../../../src/config/schema.js';

const enc = (
  type: Encoding['type'],
  order: Encoding['order'] = 'ABCD',
  extra: Partial<Encoding> = {},
): Encoding => ({
  type,
  order,
  table: 'holding',
  scale: 1,
  offset: 0,
  ...extra,
});

// Big-endian byte strings of known values, split into words for each order below.
const KNOWN: { type: Encoding['type']; value: number; hex: string }[] = [
  { type: 'int16', value: -2, hex: 'fffe' },
  { type: 'uint16', value: 54321, hex: 'd431' },
  { type: 'int32', value: -123456789, hex: 'f8a432eb' },
  { type: 'uint32', value: 3_000_000_123, hex: 'b2d05e7b' },
  { type: 'float32', value: 123.456, hex: '42f6e979' },
  { type: 'float64', value: -98765.4321, hex: 'c0f81cd6e9e1b08a' },
  { type: 'uint64', value: 9007199254740, hex: '0000083126e978d4' },
  { type: 'int64', value: -1, hex: 'ffffffffffffffff' },
];

/** Hand-apply a word order to big-endian bytes: CDAB swaps words, BADC swaps bytes, DCBA both. */
function wordsFor(hex: string, order: Encoding['order']): number[] {
  let words = hex.match(/.{4}/g)!.map((w) => w);
  if (order === 'CDAB' || order === 'DCBA') words = words.reverse();
  if (order === 'BADC' || order === 'DCBA') words = words.map((w) => w.slice(2) + w.slice(0, 2));
  return words.map((w) => Number.parseInt(w, 16));
}

describe('decodeRegisters', () => {
  it('reads float32 123.456 in the four orders met in the field', () => {
    expect(decodeRegisters(enc('float32', 'ABCD'), [0x42f6, 0xe979], 0)).toBeCloseTo(123.456, 4);
    expect(decodeRegisters(enc('float32', 'CDAB'), [0xe979, 0x42f6], 0)).toBeCloseTo(123.456, 4);
    expect(decodeRegisters(enc('float32', 'BADC'), [0xf642, 0x79e9], 0)).toBeCloseTo(123.456, 4);
    expect(decodeRegisters(enc('float32', 'DCBA'), [0x79e9, 0xf642], 0)).toBeCloseTo(123.456, 4);
  });

  for (const { type, value, hex } of KNOWN) {
    for (const order of wordOrders) {
      it(`reads ${type} ${value} in ${order}`, () => {
        const words = [0xdead, ...wordsFor(hex, order), 0xbeef]; // surrounded: the offset matters
        const decoded = decodeRegisters(enc(type, order), words, 1) as number;
        if (type.startsWith('float')) expect(decoded).toBeCloseTo(value, 3);
        else expect(decoded).toBe(value);
      });
    }
  }

  it('applies scale then offset', () => {
    expect(decodeRegisters(enc('int16', 'ABCD', { scale: 0.1 }), [0xff9c], 0)).toBeCloseTo(-10, 9);
    expect(decodeRegisters(enc('uint16', 'ABCD', { scale: 0.1, offset: -40 }), [500], 0)).toBeCloseTo(10, 9);
    expect(decodeRegisters(enc('int16', 'ABCD', { scale: 0.001 }), [920], 0)).toBeCloseTo(0.92, 9);
  });

  it('offsets a float64 whose digits × 10^places round to a half (a fuzz run found it)', () => {
    // 0xC070 0000 0473 D30A is -256.0000042461767; × 1e13 comes out at …766.5 in a double, so
    // the integer standing for it is a step from Math.round's. Plus 1, on its decimals:
    expect(decodeRegisters(enc('float64', 'ABCD', { offset: 1 }), [0xc070, 0, 1139, 54026], 0)).toBe(
      -255.0000042461767,
    );
  });

  it('reads single bits of a status word', () => {
    const status = [0b0000_0000_0010_1001];
    expect(decodeRegisters(enc('bool', 'ABCD', { bit: 0 }), status, 0)).toBe(true);
    expect(decodeRegisters(enc('bool', 'ABCD', { bit: 1 }), status, 0)).toBe(false);
    expect(decodeRegisters(enc('bool', 'ABCD', { bit: 5 }), status, 0)).toBe(true);
    expect(decodeRegisters(enc('uint16', 'ABCD', { bit: 3 }), status, 0)).toBe(1);
  });
});

describe('encodeRegisters', () => {
  it('writes the words a meter would hold', () => {
    expect(encodeRegisters(enc('float32', 'CDAB'), 123.456)).toEqual([0xe979, 0x42f6]);
    expect(encodeRegisters(enc('int16', 'ABCD', { scale: 0.1 }), -10)).toEqual([0xff9c]);
    expect(encodeRegisters(enc('uint32'), 3_000_000_123)).toEqual([0xb2d0, 0x5e7b]);
  });

  it('round-trips every type in every order', () => {
    for (const type of dataTypes.filter((t) => t !== 'bool')) {
      for (const order of wordOrders) {
        const e = enc(type, order, { scale: type.startsWith('float') ? 1 : 0.5 });
        const value = type.startsWith('u') ? 1234.5 : -1234.5;
        const back = decodeRegisters(e, encodeRegisters(e, value), 0) as number;
        expect(back, `${type} ${order}`).toBeCloseTo(value, 3);
      }
    }
  });
});

describe('encodeRegisters at the edges', () => {
  it('clamps integers to what the register can hold, as a saturating meter would', () => {
    expect(encodeRegisters(enc('uint16'), 70_000)).toEqual([0xffff]);
    expect(encodeRegisters(enc('uint16'), -5)).toEqual([0x0000]);
    expect(encodeRegisters(enc('int16'), -40_000)).toEqual([0x8000]);
    expect(encodeRegisters(enc('uint32', 'CDAB'), 2 ** 33)).toEqual([0xffff, 0xffff]);
    expect(encodeRegisters(enc('int64'), -(2 ** 70))).toEqual([0x8000, 0x0000, 0x0000, 0x0000]);
    expect(encodeRegisters(enc('uint64'), 2 ** 70)).toEqual([0xffff, 0xffff, 0xffff, 0xffff]);
    expect(encodeRegisters(enc('uint64'), -1)).toEqual([0, 0, 0, 0]);
  });

  it('writes NaN as 0 in integer registers and as NaN in floats, without throwing', () => {
    expect(encodeRegisters(enc('int64'), Number.NaN)).toEqual([0, 0, 0, 0]);
    expect(encodeRegisters(enc('uint16'), Number.NaN)).toEqual([0]);
    expect(
      Number.isNaN(decodeRegisters(enc('float32'), encodeRegisters(enc('float32'), Number.NaN), 0)),
    ).toBe(true);
  });

  it('rounds scaled integers to the nearest raw step', () => {
    expect(encodeRegisters(enc('int16', 'ABCD', { scale: 0.1 }), 7.04)).toEqual([70]);
    expect(encodeRegisters(enc('int16', 'ABCD', { scale: 0.1 }), 7.06)).toEqual([71]);
    expect(encodeRegisters(enc('uint16', 'ABCD', { scale: 0.1, offset: -40 }), 10)).toEqual([500]);
  });

  it('writes a bit point as the word with that bit set, the inverse of reading it', () => {
    expect(encodeRegisters(enc('bool', 'ABCD', { bit: 3 }), true)).toEqual([0x0008]);
    expect(encodeRegisters(enc('bool', 'ABCD', { bit: 3 }), false)).toEqual([0x0000]);
    expect(encodeRegisters(enc('bool', 'ABCD', { bit: 15 }), true)).toEqual([0x8000]);
    for (let bit = 0; bit < 16; bit++) {
      const e = enc('bool', 'ABCD', { bit });
      expect(decodeRegisters(e, encodeRegisters(e, true), 0)).toBe(true);
      expect(decodeRegisters(e, encodeRegisters(e, false), 0)).toBe(false);
    }
  });

  it('reads a whole-register bool as "not zero"', () => {
    expect(decodeRegisters(enc('bool'), [0], 0)).toBe(false);
    expect(decodeRegisters(enc('bool'), [0x0100], 0)).toBe(true);
    expect(encodeRegisters(enc('bool'), true)).toEqual([1]);
  });

  it('reads coils and discrete inputs from a bit array', () => {
    expect(decodeBit([false, true, false], 1)).toBe(true);
    expect(decodeBit([false, true, false], 2)).toBe(false);
    expect(decodeBit([true], 5)).toBe(false); // past the end: not set
  });

  it('keeps 64-bit integers exact up to 2^53, and nearest beyond', () => {
    const e = enc('uint64');
    expect(decodeRegisters(e, encodeRegisters(e, 2 ** 53 - 1), 0)).toBe(2 ** 53 - 1);
    expect(decodeRegisters(e, [0xffff, 0xffff, 0xffff, 0xffff], 0)).toBe(2 ** 64);
    expect(decodeRegisters(enc('int64'), [0x8000, 0, 0, 0], 0)).toBe(-(2 ** 63));
  });
});

interface Vector {
  name: string;
  type: Encoding['type'];
  order: Encoding['order'];
  words: string[];
  value: number | boolean;
  scale?: number;
  offset?: number;
  bit?: number;
  /** Decimal digits compared for values a float or a scale cannot hold exactly. */
  digits?: number;
}

const VECTORS = (
  JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'codec', 'vectors.json'), 'utf8'),
  ) as { vectors: Vector[] }
).vectors;

describe('field vectors (test/fixtures/codec/vectors.json)', () => {
  it.each(VECTORS.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const e = enc(v.type, v.order, {
      scale: v.scale ?? 1,
      offset: v.offset ?? 0,
      ...(v.bit === undefined ? {} : { bit: v.bit }),
    });
    const words = v.words.map((w) => Number.parseInt(w, 16));
    const decoded = decodeRegisters(e, words, 0);
    if (typeof v.value === 'boolean' || v.digits === undefined) expect(decoded).toBe(v.value);
    else expect(decoded as number).toBeCloseTo(v.value, v.digits);
    expect(encodeRegisters(e, decoded)).toEqual(words);
  });
});

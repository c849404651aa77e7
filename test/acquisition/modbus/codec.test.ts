/**
 * Register words → values for every type and word order, against words written out by
 * hand from the IEEE/two's-complement byte layout (not produced by the code under test).
 */
import { describe, expect, it } from 'vitest';
import { decodeRegisters, type Encoding, encodeRegisters } from '../../../src/acquisition/modbus/codec.js';
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

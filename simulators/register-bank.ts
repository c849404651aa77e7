/**
 * A device's registers as its profile maps them, filled from the model's values with the
 * gateway's own codec. Counters wrap at their register's ceiling as real meters do.
 */
import { encodeRegisters } from '../src/acquisition/modbus/codec.js';
import { registerCount } from '../src/config/registers.js';
import type { ModbusPointConfig, ModbusProfile, RegisterTable } from '../src/config/schema.js';
import type { Values } from './physics/types.js';

export interface RegisterBank {
  words: Record<'holding' | 'input', Map<number, number>>;
  bits: Record<'coil' | 'discrete', Map<number, boolean>>;
}

const UNSIGNED_BITS: Record<string, number> = { uint16: 16, uint32: 32, uint64: 64 };

function wrapCounter(point: ModbusPointConfig, value: number): number {
  const bits = UNSIGNED_BITS[point.type];
  if (!point.counter || bits === undefined) return value;
  // A meter shows whole register steps (it truncates, never rounds up past its ceiling)
  // and wraps to zero at the ceiling.
  const modulus = 2 ** bits;
  const raw = Math.floor((value - point.offset) / point.scale + 1e-9);
  return (((raw % modulus) + modulus) % modulus) * point.scale + point.offset;
}

export function buildBank(profile: ModbusProfile, values: Values): RegisterBank {
  const bank: RegisterBank = {
    words: { holding: new Map(), input: new Map() },
    bits: { coil: new Map(), discrete: new Map() },
  };
  for (const point of profile.points) {
    const value = values[point.name] ?? (point.type === 'bool' ? false : 0);
    if (point.table === 'coil' || point.table === 'discrete') {
      bank.bits[point.table].set(point.address, Boolean(value));
      continue;
    }
    const words = bank.words[point.table];
    if (point.bit !== undefined) {
      const word = words.get(point.address) ?? 0;
      const mask = 1 << point.bit;
      words.set(point.address, value ? word | mask : word & ~mask & 0xffff);
      continue;
    }
    const encoded = encodeRegisters(point, typeof value === 'number' ? wrapCounter(point, value) : value);
    for (let i = 0; i < registerCount(point); i++) words.set(point.address + i, encoded[i] ?? 0);
  }
  return bank;
}

export type ReadAnswer = { words: number[] } | { bits: boolean[] } | { exception: number };

/** Read a range; any address the device does not map answers exception 2, as meters do. */
export function readBank(bank: RegisterBank, table: RegisterTable, start: number, count: number): ReadAnswer {
  if (table === 'coil' || table === 'discrete') {
    const bits: boolean[] = [];
    for (let a = start; a < start + count; a++) {
      const bit = bank.bits[table].get(a);
      if (bit === undefined) return { exception: 2 };
      bits.push(bit);
    }
    return { bits };
  }
  const words: number[] = [];
  for (let a = start; a < start + count; a++) {
    const word = bank.words[table].get(a);
    if (word === undefined) return { exception: 2 };
    words.push(word);
  }
  return { words };
}

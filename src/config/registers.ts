import type { DataType } from './schema.js';

const WORDS: Record<DataType, number> = {
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

/** How many 16-bit registers (or, for coils/discrete inputs, bits) one value occupies. */
export function registerCount(point: { type: DataType; table: string }): number {
  if (point.table === 'coil' || point.table === 'discrete') return 1;
  return WORDS[point.type];
}

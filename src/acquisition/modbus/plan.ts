/**
 * Request coalescing: which block reads fetch a device's points in the fewest requests.
 * Points of one table and poll group are sorted by address and merged into a block while
 * the hole between them is at most `maxGap` and the block stays within the device's limit.
 * A block the device refuses (exception 2: it spans an address hole the device does not
 * map) is split, and the split is remembered for the rest of the run.
 */
import { registerCount } from '../../config/registers.js';
import type { ModbusPointConfig, RegisterTable } from '../../config/schema.js';

/** The Modbus protocol's own ceilings for one read request. */
export const MAX_READ_REGISTERS = 125;
export const MAX_READ_BITS = 2000;

export interface PlannedPoint {
  point: ModbusPointConfig;
  /** Offset of the point's first register/bit inside its block. */
  index: number;
}

export interface ReadBlock {
  table: RegisterTable;
  start: number;
  count: number;
  points: PlannedPoint[];
}

export interface BlockLimits {
  maxBlockRegisters: number;
  maxBlockBits: number;
  maxGap: number;
}

const isBitTable = (table: RegisterTable) => table === 'coil' || table === 'discrete';

function maxLength(table: RegisterTable, limits: BlockLimits): number {
  return isBitTable(table)
    ? Math.min(limits.maxBlockBits, MAX_READ_BITS)
    : Math.min(limits.maxBlockRegisters, MAX_READ_REGISTERS);
}

/** Plan the block reads for a set of points (normally one poll group of one device). */
export function planBlocks(points: readonly ModbusPointConfig[], limits: BlockLimits): ReadBlock[] {
  const byTable = new Map<RegisterTable, ModbusPointConfig[]>();
  for (const point of points) {
    const list = byTable.get(point.table) ?? [];
    list.push(point);
    byTable.set(point.table, list);
  }
  const blocks: ReadBlock[] = [];
  for (const [table, list] of byTable) {
    list.sort((a, b) => a.address - b.address || registerCount(b) - registerCount(a));
    blocks.push(...mergeSorted(table, list, limits.maxGap, maxLength(table, limits)));
  }
  return blocks;
}

function mergeSorted(
  table: RegisterTable,
  sorted: readonly ModbusPointConfig[],
  maxGap: number,
  maxLen: number,
): ReadBlock[] {
  const blocks: ReadBlock[] = [];
  let current: ReadBlock | undefined;
  for (const point of sorted) {
    const end = point.address + registerCount(point);
    if (current) {
      const currentEnd = current.start + current.count;
      const gap = point.address - currentEnd;
      const mergedCount = Math.max(currentEnd, end) - current.start;
      if (gap <= maxGap && mergedCount <= maxLen) {
        current.count = mergedCount;
        current.points.push({ point, index: point.address - current.start });
        continue;
      }
    }
    current = { table, start: point.address, count: end - point.address, points: [{ point, index: 0 }] };
    blocks.push(current);
  }
  return blocks;
}

/**
 * Split a refused block into smaller ones: first into runs of points with no hole between
 * them (the usual cause of exception 2); a hole-free run is split in half; a single point
 * cannot be split (undefined).
 */
export function splitBlock(block: ReadBlock): ReadBlock[] | undefined {
  if (block.points.length <= 1) return undefined;
  const tight = mergeSorted(
    block.table,
    block.points.map((p) => p.point),
    0,
    block.count,
  );
  if (tight.length > 1) return tight;
  const half = Math.ceil(block.points.length / 2);
  return [block.points.slice(0, half), block.points.slice(half)].flatMap((part) =>
    mergeSorted(
      block.table,
      part.map((p) => p.point),
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
    ),
  );
}

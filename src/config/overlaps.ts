/**
 * Points of one Modbus profile that read the same registers. An overlap is nearly always a
 * typo'd address (a uint16 inside a float32, two points on one register), and it decodes
 * garbage silently, so it is an error unless it is intended:
 * - bit fields: points with different `bit`s of one register share it by nature;
 * - anything else names the point it shares with in `shares`.
 */
import { registerCount } from './registers.js';
import type { ModbusPointConfig } from './schema.js';

export interface OverlapProblem {
  /** Index of the point the problem is reported on (the later of the two). */
  index: number;
  key: 'address' | 'shares';
  message: string;
}

interface Span {
  index: number;
  point: ModbusPointConfig;
  from: number;
  to: number;
}

const spanOf = (point: ModbusPointConfig, index: number): Span => ({
  index,
  point,
  from: point.address,
  to: point.address + registerCount(point) - 1,
});

const describe = (s: Span) =>
  `${s.point.table} ${s.from === s.to ? s.from : `${s.from}–${s.to}`}` +
  `${s.point.bit === undefined ? '' : ` bit ${s.point.bit}`} (${s.point.type})`;

const declared = (a: Span, b: Span) =>
  (a.point.shares ?? []).includes(b.point.name) || (b.point.shares ?? []).includes(a.point.name);

/** Two bits of one register, or one bit twice (which is a mistake like any other overlap). */
const distinctBits = (a: Span, b: Span) =>
  a.point.bit !== undefined && b.point.bit !== undefined && a.point.bit !== b.point.bit;

export function registerOverlaps(points: readonly ModbusPointConfig[]): OverlapProblem[] {
  const problems: OverlapProblem[] = [];
  const spans = points.map(spanOf);
  for (const later of spans) {
    for (const earlier of spans.slice(0, later.index)) {
      if (earlier.point.table !== later.point.table) continue;
      if (earlier.to < later.from || later.to < earlier.from) continue;
      if (distinctBits(earlier, later) || declared(earlier, later)) continue;
      problems.push({
        index: later.index,
        key: 'address',
        message:
          `${describe(later)} overlaps point "${earlier.point.name}" at ${describe(earlier)}; ` +
          `if both are meant to read it, say so with shares: [${earlier.point.name}]`,
      });
    }
  }
  return [...problems, ...unknownShares(spans)];
}

/** A `shares` entry must name a point of the profile that really overlaps this one. */
function unknownShares(spans: Span[]): OverlapProblem[] {
  const problems: OverlapProblem[] = [];
  for (const span of spans) {
    for (const name of span.point.shares ?? []) {
      const other = spans.find((s) => s.point.name === name && s.index !== span.index);
      if (!other)
        problems.push({
          index: span.index,
          key: 'shares',
          message: `unknown point "${name}" in this profile`,
        });
      else if (other.point.table !== span.point.table || other.to < span.from || span.to < other.from)
        problems.push({
          index: span.index,
          key: 'shares',
          message: `"${name}" (${describe(other)}) does not overlap this point (${describe(span)})`,
        });
    }
  }
  return problems;
}

/**
 * Consumption by meter as the metering tree: each meter under its parent (a feeder under its
 * incomer), and below each parent's sub-meters two rows of their own: their sum, and the
 * unmetered remainder (the parent minus that sum: losses and loads no sub-meter sees), the way
 * an energy manager reads a distribution board. The total is the top-level meters' alone:
 * adding two levels would count the same energy twice.
 */

import { type ConsumptionReport, type ConsumptionRow, sumKnown } from './consumption.js';
import type { BucketConsumption } from './counter.js';
import { parentsAmong, type TreeMeter } from './meters.js';

/** "meter": a meter's own figures; "submeters": the sum of its sub-meters; "unmetered": the rest. */
export type TreeRowKind = 'meter' | 'submeters' | 'unmetered';

export interface TreeRow extends ConsumptionRow {
  kind: TreeRowKind;
  /** 0 for a top-level meter; a sub-meter and its parent's sum and remainder rows one more. */
  depth: number;
  /** The device of the meter this row is under; null at the top. */
  parent: string | null;
  /** An unmetered remainder below zero somewhere: a sub-meter reads more than its parent, so a meter is wrong. */
  negative: boolean;
}

export interface TreeReport extends Omit<ConsumptionReport, 'rows'> {
  rows: TreeRow[];
}

/** Rounding of sums, not a meter out of step: parent and children read alike to 1 in 10⁹. */
const ROUNDING = 1e-9;

interface Node {
  meter: TreeMeter;
  row: ConsumptionRow;
}

/** The by-meter report (one row per meter, keyed by device) as the metering tree. */
export function meterTree(flat: ConsumptionReport, all: readonly TreeMeter[]): TreeReport {
  return {
    ...flat,
    ...treeRows(
      flat.rows,
      all.filter((m) => m.commodity === flat.commodity),
    ),
  };
}

/** `all`: every meter of the commodity, so that a parent whose sub-meters are not all shown gets no remainder. */
export function treeRows(
  flat: readonly ConsumptionRow[],
  all: readonly TreeMeter[],
): { rows: TreeRow[]; total: number | null } {
  const meterOf = new Map(all.map((m) => [m.device, m]));
  const nodes: Node[] = flat.flatMap((row) => {
    const meter = meterOf.get(row.key);
    return meter ? [{ meter, row }] : [];
  });
  const chosen = nodes.map((n) => n.meter);
  const above = parentsAmong(chosen, all);
  const below = (meter: TreeMeter | null) => nodes.filter((n) => above.get(n.meter) === meter);
  // A remainder is only the parent's losses when every meter right below it is shown.
  const whole = (meter: TreeMeter) =>
    all.filter((m) => m.parent === meter.device).every((m) => chosen.includes(m));
  const rows: TreeRow[] = [];
  const visit = (node: Node, depth: number, parent: string | null) => {
    rows.push({ ...node.row, kind: 'meter', depth, parent, negative: false });
    const children = below(node.meter);
    for (const child of children) visit(child, depth + 1, node.meter.device);
    if (children.length > 0) rows.push(...levelRows(node, children, depth + 1, whole(node.meter)));
  };
  const roots = below(null);
  for (const root of roots) visit(root, 0, null);
  return { rows, total: sumKnown(roots.map((r) => r.row.total)) };
}

/** The sum of a parent's sub-meters and, when they are all shown, what they leave unmetered. */
function levelRows(parent: Node, children: readonly Node[], depth: number, whole: boolean): TreeRow[] {
  const device = parent.meter.device;
  const parts = children.map((c) => c.row);
  const sum = combine(parent.row, parts, (values) => values.reduce((a, b) => a + b, 0));
  const submeters: TreeRow = {
    ...sum,
    key: `${device}/submeters`,
    name: `${parent.row.name}: sub-meters`,
    nameZh: `${parent.row.nameZh ?? parent.row.name}：分表合计`,
    kind: 'submeters',
    depth,
    parent: device,
    negative: false,
  };
  if (!whole) return [submeters];
  const rest = combine(parent.row, [parent.row, ...parts], ([top = 0, ...below]) =>
    below.reduce((a, b) => a - b, top),
  );
  // Each figure is the difference of two readings, each off by up to its counter's step: a
  // remainder within the steps of the parent and its sub-meters is their resolution, not a fault.
  const steps = [parent, ...children].reduce((sum, node) => sum + (node.meter.resolution ?? 0), 0);
  const negative = [rest.total, ...rest.buckets.map((b) => b.value)].some(
    (v) => v !== null && v < -(steps + ROUNDING * Math.max(1, Math.abs(parent.row.total ?? 0))),
  );
  const unmetered: TreeRow = {
    ...rest,
    key: `${device}/unmetered`,
    name: `${parent.row.name}: unmetered / losses`,
    nameZh: `${parent.row.nameZh ?? parent.row.name}：未计量 / 损耗`,
    kind: 'unmetered',
    depth,
    parent: device,
    negative,
  };
  return [submeters, unmetered];
}

/**
 * `rows` combined period by period with `op`: known where every row has a value; unknown
 * (null) where some have one and some not, never a made-up number; null where none has one.
 * The total likewise: only when no period is unknown. Coverage is the worst row's.
 */
function combine(
  shape: ConsumptionRow,
  rows: readonly ConsumptionRow[],
  op: (values: number[]) => number,
): Omit<ConsumptionRow, 'key' | 'name'> {
  let mixed = false;
  const buckets = shape.buckets.map((b, i): BucketConsumption => {
    const cells = rows.map((r) => r.buckets[i]);
    const values = cells.map((c) => c?.value ?? null);
    const known = values.filter((v): v is number => v !== null);
    if (known.length > 0 && known.length < values.length) mixed = true;
    return {
      ...b,
      value: known.length === values.length && known.length > 0 ? op(known) : null,
      coverage: Math.min(...cells.map((c) => c?.coverage ?? 0)),
      gapMs: Math.max(...cells.map((c) => c?.gapMs ?? 0)),
      includesGap: cells.some((c) => c?.includesGap),
    };
  });
  const totals = rows.map((r) => r.total);
  const known = totals.filter((v): v is number => v !== null);
  return {
    meters: rows.flatMap((r) => r.meters),
    unit: shape.unit,
    buckets,
    total: !mixed && known.length === totals.length ? op(known) : null,
    // The meters' own rows list their gaps and events; these rows only derive from them.
    gaps: [],
    events: [],
  };
}

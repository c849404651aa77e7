/**
 * The metering tree: which meter each sub-meter sits below in the demo plant, and the tree's
 * arithmetic as an energy manager checks a distribution board: the sub-meters' sum and the
 * unmetered remainder of each parent add up to it, a remainder below zero is flagged, no
 * figure is made up where a meter has no readings, and the total is the top level's alone.
 * The arithmetic is also checked with fast-check on random trees, choices and readings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { ConsumptionRow } from '../../src/energy/consumption.js';
import { metersOf, type TreeMeter } from '../../src/energy/meters.js';
import { type TreeRow, treeRows } from '../../src/energy/tree.js';
import { fuzz } from '../fuzz/fuzz.js';

const HOUR = 3_600_000;

/** One meter's row as consumption() gives it by meter: its values per period (null: no readings). */
function meterRow(device: string, values: readonly (number | null)[]): ConsumptionRow {
  const known = values.filter((v): v is number => v !== null);
  return {
    key: device,
    name: device.toUpperCase(),
    meters: [device],
    unit: 'kWh',
    buckets: values.map((value, i) => ({
      start: i * HOUR,
      end: (i + 1) * HOUR,
      label: `h${i}`,
      value,
      coverage: value === null ? 0 : 1,
      gapMs: 0,
      includesGap: false,
    })),
    total: known.length ? known.reduce((a, b) => a + b, 0) : null,
    gaps: [],
    events: [],
  };
}

const meter = (device: string, parent?: string): TreeMeter => ({
  device,
  commodity: 'electricity',
  ...(parent ? { parent } : {}),
});

const shape = (rows: readonly TreeRow[]) => rows.map((r) => [r.key, r.kind, r.depth, r.parent]);
const values = (row: TreeRow | undefined) => row?.buckets.map((b) => b.value);

describe('the demo plant as a metering tree', () => {
  const config = loadConfig('config', { env: {} });

  it('puts each feeder under the incomer of its distribution room; the water meters are each a main', () => {
    const parents = (kind: string) =>
      metersOf(config)
        .filter((m) => m.commodity === kind)
        .map((m) => [m.device, m.parent ?? null, m.main]);
    expect(parents('electricity')).toEqual([
      ['dr1-incomer', null, true],
      ...['dr1-f1', 'dr1-f2', 'dr1-f3', 'dr1-f4'].map((f) => [f, 'dr1-incomer', false]),
      ['dr2-incomer', null, true],
      ...['dr2-f1', 'dr2-f2', 'dr2-f3'].map((f) => [f, 'dr2-incomer', false]),
    ]);
    // No site main water meter in the demo: six building meters, none above another.
    expect(parents('water').every(([, parent, main]) => parent === null && main)).toBe(true);
    expect(parents('water')).toHaveLength(6);
  });

  it("puts the boilers' gas counters under the boiler house meter, and takes gas parents and changes as electricity's", () => {
    const gas = (c: typeof config) =>
      metersOf(c)
        .filter((m) => m.commodity === 'gas')
        .map((m) => [m.device, m.parent ?? null, m.main]);
    expect(gas(config)).toEqual([
      ['b1', 'gm-boilers', false],
      ['b2', 'gm-boilers', false],
      ['gm-boilers', null, true],
    ]);
    // b2's counter read through b1's (a boiler fed behind the other's meter) and a meter replaced.
    const edited = {
      ...config,
      energy: {
        ...config.energy,
        gas: { ...config.energy.gas, parents: { b2: 'b1' } },
        meterChanges: [{ device: 'gm-boilers', at: '2026-03-01T10:30', oldFinal: 100, newInitial: 0 }],
      },
    };
    expect(gas(edited)).toContainEqual(['b2', 'b1', false]);
    expect(
      metersOf(edited).find((m) => m.device === 'gm-boilers' && m.commodity === 'gas')?.changes,
    ).toHaveLength(1);
  });

  it('takes the mains to be the meters given no parent when energy.yaml lists no mains', () => {
    const { mains: _mains, ...rest } = config.energy.electricity;
    const parents = { 'dr1-f1': 'dr1-incomer', 'dr1-f2': 'dr1-f1' };
    const edited = { ...config, energy: { ...config.energy, electricity: { ...rest, parents } } };
    const mains = metersOf(edited)
      .filter((m) => m.commodity === 'electricity' && m.main)
      .map((m) => m.device);
    expect(mains).not.toContain('dr1-f1');
    expect(mains).not.toContain('dr1-f2');
    expect(mains).toContain('dr1-incomer');
    // Without a parent, a feeder is a main meter of its own (as every meter was before).
    expect(mains).toContain('dr1-f3');
  });
});

describe('the tree of an incomer and its feeders', () => {
  const all = [meter('in'), meter('f1', 'in'), meter('f2', 'in'), meter('sub', 'f1'), meter('other')];

  it('shows each level, its sum and what it leaves unmetered; the total is the top level alone', () => {
    const { rows, total } = treeRows(
      [
        meterRow('in', [100, 110]),
        meterRow('f1', [60, 70]),
        meterRow('f2', [35, 36]),
        meterRow('sub', [20, 20]),
        meterRow('other', [5, 5]),
      ],
      all,
    );
    expect(shape(rows)).toEqual([
      ['in', 'meter', 0, null],
      ['f1', 'meter', 1, 'in'],
      ['sub', 'meter', 2, 'f1'],
      ['f1/submeters', 'submeters', 2, 'f1'],
      ['f1/unmetered', 'unmetered', 2, 'f1'],
      ['f2', 'meter', 1, 'in'],
      ['in/submeters', 'submeters', 1, 'in'],
      ['in/unmetered', 'unmetered', 1, 'in'],
      ['other', 'meter', 0, null],
    ]);
    const row = (key: string) => rows.find((r) => r.key === key);
    expect(values(row('in/submeters'))).toEqual([95, 106]);
    expect(values(row('in/unmetered'))).toEqual([5, 4]);
    expect(row('in/unmetered')).toMatchObject({ total: 9, negative: false, name: 'IN: unmetered / losses' });
    expect(values(row('f1/unmetered'))).toEqual([40, 50]);
    expect(total).toBe(210 + 10);
  });

  it('flags a remainder below zero, and claims none where a meter of the level has no readings', () => {
    const { rows } = treeRows(
      [
        meterRow('in', [100, 100, null]),
        meterRow('f1', [80, null, null]),
        meterRow('f2', [30, 20, null]),
        meterRow('sub', [10, 10, null]),
      ],
      all,
    );
    const row = (key: string) => rows.find((r) => r.key === key);
    // Feeders reading 110 under an incomer reading 100: a meter is wrong, and it shows.
    expect(values(row('in/unmetered'))).toEqual([-10, null, null]);
    expect(row('in/unmetered')?.negative).toBe(true);
    // The second hour's sum would be a made-up number without f1: unknown, and so the total.
    expect(values(row('in/submeters'))).toEqual([110, null, null]);
    expect(row('in/unmetered')?.total).toBeNull();
    expect(row('f1/unmetered')?.negative).toBe(false);
  });

  it("does not flag a remainder below zero within the counters' steps (a gas main and its burners)", () => {
    const step = (m: TreeMeter): TreeMeter => ({ ...m, resolution: 0.01 });
    const gas = [step(meter('main')), step(meter('b1', 'main')), step(meter('b2', 'main'))];
    const remainder = (main: number) =>
      treeRows([meterRow('main', [main]), meterRow('b1', [60.02]), meterRow('b2', [40.01])], gas).rows.find(
        (r) => r.key === 'main/unmetered',
      );
    // 0.03 less than its burners: three counters each 0.01 off at most, so within their steps.
    expect(remainder(100)?.negative).toBe(false);
    // 0.04 less is more than the steps allow: a meter is wrong.
    expect(remainder(99.99)?.negative).toBe(true);
  });

  it('gives no remainder to a parent whose sub-meters are not all shown', () => {
    const { rows, total } = treeRows([meterRow('in', [100]), meterRow('f1', [60])], all);
    expect(shape(rows)).toEqual([
      ['in', 'meter', 0, null],
      ['f1', 'meter', 1, 'in'],
      ['in/submeters', 'submeters', 1, 'in'],
    ]);
    expect(total).toBe(100);
    // The sub-board alone under the incomer: the feeder between them is not shown.
    const skipped = treeRows([meterRow('in', [100]), meterRow('sub', [20])], all);
    expect(shape(skipped.rows)).toEqual([
      ['in', 'meter', 0, null],
      ['sub', 'meter', 1, 'in'],
      ['in/submeters', 'submeters', 1, 'in'],
    ]);
  });
});

// ---------------------------------------------------------------- property

/** A random forest: meter i's parent is an earlier meter or none; some meters chosen; readings per period. */
const treeArb = fc
  .record({ size: fc.integer({ min: 1, max: 10 }), periods: fc.integer({ min: 1, max: 5 }) })
  .chain(({ size, periods }) =>
    fc.record({
      parents: fc.tuple(
        ...Array.from({ length: size }, (_, i) =>
          i === 0 ? fc.constant(null) : fc.option(fc.nat(i - 1), { nil: null }),
        ),
      ),
      chosen: fc.array(fc.boolean(), { minLength: size, maxLength: size }),
      // Whole kWh: sums and differences are exact, so the check can ask for equality.
      readings: fc.array(
        fc.array(fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null, freq: 6 }), {
          minLength: periods,
          maxLength: periods,
        }),
        { minLength: size, maxLength: size },
      ),
    }),
  );

type Case = { parents: (number | null)[]; chosen: boolean[]; readings: (number | null)[][] };

/**
 * Each row of the tree against sums worked out here from the same readings. A tree that added
 * a level into the total, or filled a missing reading with 0, or lost a meter, fails it.
 */
function checkTree({ parents, chosen, readings }: Case): boolean {
  const all = parents.map((p, i) => meter(`m${i}`, p === null ? undefined : `m${p}`));
  const picked = all.filter((_, i) => chosen[i]);
  const { rows, total } = treeRows(
    picked.map((m) => meterRow(m.device, readings[Number(m.device.slice(1))] ?? [])),
    all,
  );
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const nearestChosen = (i: number): string | null => {
    for (let p = parents[i] ?? null; p !== null; p = parents[p] ?? null) if (chosen[p]) return `m${p}`;
    return null;
  };
  const meterRows = rows.filter((r) => r.kind === 'meter');
  expect(meterRows.map((r) => r.key).sort()).toEqual(picked.map((m) => m.device).sort());
  for (const row of meterRows) {
    const i = Number(row.key.slice(1));
    expect(row.parent).toBe(nearestChosen(i));
    expect(row.depth).toBe(row.parent === null ? 0 : (byKey.get(row.parent)?.depth ?? -9) + 1);
  }
  const roots = meterRows.filter((r) => r.parent === null);
  const rootTotals = roots.map((r) => r.total).filter((t): t is number => t !== null);
  expect(total).toBe(rootTotals.length ? rootTotals.reduce((a, b) => a + b, 0) : null);
  for (const parent of meterRows) checkLevel(parent, meterRows, byKey, all);
  checkPartition(rows, roots, chosen.every(Boolean));
  return true;
}

/** A parent = its sub-meters' sum + its unmetered remainder, period by period, where all are known. */
function checkLevel(
  parent: TreeRow,
  meterRows: readonly TreeRow[],
  byKey: ReadonlyMap<string, TreeRow>,
  all: readonly TreeMeter[],
): void {
  const children = meterRows.filter((r) => r.parent === parent.key);
  const sum = byKey.get(`${parent.key}/submeters`);
  const rest = byKey.get(`${parent.key}/unmetered`);
  if (children.length === 0) {
    expect(sum).toBeUndefined();
    expect(rest).toBeUndefined();
    return;
  }
  const direct = all.filter((m) => m.parent === parent.key).map((m) => m.device);
  expect(rest !== undefined).toBe(direct.every((d) => children.some((c) => c.key === d)));
  parent.buckets.forEach((b, i) => {
    const parts = children.map((c) => c.buckets[i]?.value ?? null);
    const known = parts.every((v) => v !== null);
    const childSum = parts.reduce<number>((a, v) => a + (v ?? 0), 0);
    expect(sum?.buckets[i]?.value).toBe(known ? childSum : null);
    if (!rest) return;
    expect(rest.buckets[i]?.value).toBe(known && b.value !== null ? b.value - childSum : null);
  });
  if (!rest) return;
  const below = rest.buckets.some((b) => b.value !== null && b.value < 0) || (rest.total ?? 0) < 0;
  expect(rest.negative).toBe(below);
  if (rest.total !== null) expect((sum?.total ?? Number.NaN) + rest.total).toBe(parent.total);
}

/** With every meter shown and every reading there, the leaves and remainders add up to the top level. */
function checkPartition(rows: readonly TreeRow[], roots: readonly TreeRow[], everyMeter: boolean): void {
  const allKnown = rows.every((r) => r.buckets.every((b) => b.value !== null));
  if (!everyMeter || !allKnown) return;
  const parents = new Set(rows.map((r) => r.parent));
  const parts = rows.filter((r) => r.kind === 'unmetered' || (r.kind === 'meter' && !parents.has(r.key)));
  roots[0]?.buckets.forEach((_, i) => {
    const at = (r: TreeRow) => r.buckets[i]?.value ?? Number.NaN;
    expect(parts.reduce((s, r) => s + at(r), 0)).toBe(roots.reduce((s, r) => s + at(r), 0));
  });
}

describe('the tree arithmetic on random trees', () => {
  it('sums each level to its parent with the remainder, and the total to the top level alone', async () => {
    const summary = await fuzz('metering tree', fc.property(treeArb, checkTree), 2_000);
    expect(summary.failures).toBe(0);
  });
});

// Energy › Consumption by meter: the metering tree (GET /api/energy/consumption?groupBy=meter).
// Each meter under the one it sits below, indented; below a parent's sub-meters their sum and
// the unmetered remainder (the parent minus that sum: losses and loads no sub-meter sees),
// flagged when below zero. The total adds the top-level meters only, never two levels.
// Each figure carries its cost and kg CO₂e where the cost report has them.
import type {
  BucketConsumption,
  ConsumptionAnswer,
  ConsumptionRow,
  TreeReport,
  TreeRow,
  TreeRowKind,
} from '../../../src/api-types/energy.js';
import { h } from '../dom.js';
import { localName, t } from '../i18n.js';
import { csvLink, digitsFor, num } from './energy-common.js';
import { type CellCost, type CostIndex, together, withCost } from './energy-cost.js';

/** By meter, the consumption API answers the metering tree. */
export const isTree = (report: ConsumptionAnswer): report is TreeReport => report.groupBy === 'meter';

/** Draws a meter's figure of a period with its gap and coverage marks. */
export type ValueCell = (c: BucketConsumption | undefined, digits: number) => HTMLTableCellElement;

/** A row's name as shown: a meter's own (in the page's language), or what its parent's level row is. */
function label(row: Pick<TreeRow, 'name' | 'nameZh'> & { kind?: TreeRowKind | undefined }): string {
  if (row.kind === 'submeters') return t('energy.tree.submeters');
  if (row.kind === 'unmetered') return t('energy.tree.unmetered');
  return localName(row.name, row.nameZh);
}

/**
 * The rows that share out the total without overlap, for the stacked chart and the shares:
 * the meters with nothing below them and each parent's unmetered remainder, named after its
 * parent. Their `name` is the one to show.
 */
export function treeParts(report: TreeReport): TreeReport {
  const rows = report.rows;
  const names = new Map(rows.map((r) => [r.key, localName(r.name, r.nameZh)]));
  const parents = new Set(rows.map((r) => r.parent));
  const parts = rows
    .filter((r) => r.kind === 'unmetered' || (r.kind === 'meter' && !parents.has(r.key)))
    .map((r): TreeRow => {
      const name =
        r.kind === 'unmetered' ? `${names.get(r.parent ?? '') ?? r.parent}: ${label(r)}` : label(r);
      const { nameZh: _zh, ...rest } = r;
      return { ...rest, name };
    });
  return { ...report, rows: parts };
}

/** The parts whose total is known: a share of an unknown figure is no figure. */
export const knownParts = <R extends { rows: ConsumptionRow[] }>(report: R): R => ({
  ...report,
  rows: report.rows.filter((r) => r.total !== null),
});

const valueAt = (row: ConsumptionRow, i: number): number | null => row.buckets[i]?.value ?? null;

/** A row's largest value of a period, in size. */
const largest = (row: ConsumptionRow): number =>
  Math.max(0, ...row.buckets.map((b) => Math.abs(b.value ?? 0)));

/** The top-level meters' sum of period i; null when none of them has a figure. */
function rootSum(roots: readonly TreeRow[], i: number): number | null {
  const known = roots.map((r) => valueAt(r, i)).filter((v) => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) : null;
}

/**
 * The tree as a table into `box`: a row per tree row, a column per period, then the total.
 * `cell` draws a meter's value with its gap and coverage marks (as the table by group does);
 * `costs` (costIndex of the cost report by meter) adds each figure's cost.
 */
export function drawTree(
  box: HTMLElement,
  report: TreeReport,
  url: string,
  cell: ValueCell,
  costs: CostIndex,
): void {
  const rows = report.rows;
  const roots = rows.filter((r) => r.depth === 0);
  // The top level holds the largest figures: their decimals suit every row.
  const digits = digitsFor(Math.max(0, ...roots.map((r) => largest(r))));
  const periods = report.buckets.map((b) => h('th.num', { dataset: { bucket: b.label } }, b.label));
  const columns = [
    h('th', null, t('energy.tree.meter')),
    ...periods,
    h('th.num.total', null, t('energy.col.total')),
  ];
  const head = h('thead', null, h('tr', null, ...columns));
  const body = h('tbody', null, ...rows.map((r) => treeRow(r, report, digits, cell, costs)));
  const costed = (td: HTMLTableCellElement, f: CellCost | null) =>
    withCost(td, f, costs.currency, report.unit);
  const foot = h(
    'tfoot',
    null,
    h(
      'tr',
      { dataset: { key: 'total' } },
      h('th', { scope: 'row' }, t('energy.tree.total')),
      ...report.buckets.map((b, i) =>
        costed(
          h('td.num', null, h('span.v', null, num(rootSum(roots, i), digits))),
          together(roots.map((r) => costs.at(r.key, b.start))),
        ),
      ),
      costed(h('td.num.total', null, h('span.v', null, num(report.total, digits))), costs.all),
    ),
  );
  box.replaceChildren(
    h(
      'div.e-table-head',
      null,
      h('h2', null, t('energy.tree.title', { unit: report.unit })),
      csvLink(url, 'e-consumption-csv'),
    ),
    rows.length === 0
      ? h('p.note', null, t('energy.noMeters'))
      : h('div.scroll', null, h('table.e-table.e-tree', null, head, body, foot)),
    h(
      'p.note.e-legend',
      null,
      t(report.commodity === 'electricity' ? 'energy.tree.note' : 'energy.tree.noteFlow'),
    ),
    h('p.note.e-legend', null, t('energy.legend')),
  );
  box.dataset.state = 'ready';
}

/** Where a row sits in the tree (a cost row by meter has it too). */
type TreePlace = Pick<TreeRow, 'name' | 'nameZh'> & {
  kind?: TreeRowKind | undefined;
  depth?: number | undefined;
  negative?: boolean | undefined;
};

/** A tree row's name cell: indented by level, as a distribution board's single-line diagram reads. */
export function treeName(r: TreePlace): HTMLTableCellElement {
  const name = h('th', { scope: 'row' }, label(r));
  name.style.paddingLeft = `${0.3 + 1.4 * (r.depth ?? 0)}rem`;
  if (r.negative) name.append(h('sup.mark.e-negative', { title: t('energy.tree.negative') }, '!'));
  return name;
}

function treeRow(
  r: TreeRow,
  report: TreeReport,
  digits: number,
  cell: ValueCell,
  costs: CostIndex,
): HTMLTableRowElement {
  const derived = r.kind !== 'meter';
  const costed = (td: HTMLTableCellElement, f: CellCost | null) =>
    withCost(td, f, costs.currency, report.unit);
  const cells = report.buckets.map((b, i) =>
    derived && valueAt(r, i) === null
      ? h('td.num.nodata', { title: t('energy.tree.unknown') }, '—')
      : costed(cell(r.buckets[i], digits), costs.at(r.key, b.start)),
  );
  const total =
    r.total === null
      ? h('td.num.total.nodata', { title: t(derived ? 'energy.tree.unknown' : 'energy.noReadings') }, '—')
      : costed(h('td.num.total', null, h('span.v', null, num(r.total, digits))), costs.total(r.key));
  return h(
    `tr.k-${r.kind}${r.negative ? '.negative' : ''}`,
    { dataset: { key: r.key, kind: r.kind, depth: String(r.depth), parent: r.parent ?? '' } },
    treeName(r),
    ...cells,
    total,
  );
}

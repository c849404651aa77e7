// Energy › Consumption by meter: the metering tree (GET /api/energy/consumption?groupBy=meter).
// Each meter under the one it sits below, indented; below a parent's sub-meters their sum and
// the unmetered remainder (the parent minus that sum: losses and loads no sub-meter sees),
// flagged when below zero. The total adds the top-level meters only, never two levels.
// Each figure carries its cost and kg CO₂e where the cost report has them.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { csvLink, digitsFor, num } from './energy-common.js';
import { together, withCost } from './energy-cost.js';

/** A row's name as shown: a meter's own, or what its parent's level row is. @param {any} row */
function label(row) {
  if (row.kind === 'submeters') return t('energy.tree.submeters');
  if (row.kind === 'unmetered') return t('energy.tree.unmetered');
  return row.name;
}

/**
 * The rows that share out the total without overlap, for the stacked chart and the shares:
 * the meters with nothing below them and each parent's unmetered remainder.
 * @param {any} report
 */
export function treeParts(report) {
  const rows = report.rows ?? [];
  const names = new Map(rows.map((/** @type {any} */ r) => [r.key, r.name]));
  const parents = new Set(rows.map((/** @type {any} */ r) => r.parent));
  const parts = rows
    .filter((/** @type {any} */ r) => r.kind === 'unmetered' || (r.kind === 'meter' && !parents.has(r.key)))
    .map((/** @type {any} */ r) =>
      r.kind === 'unmetered' ? { ...r, name: `${names.get(r.parent) ?? r.parent}: ${label(r)}` } : r,
    );
  return { ...report, rows: parts };
}

/** The parts whose total is known: a share of an unknown figure is no figure. @param {any} report */
export const knownParts = (report) => ({
  ...report,
  rows: report.rows.filter((/** @type {any} */ r) => r.total !== null && r.total !== undefined),
});

/** @param {any} row @param {number} i */
const valueAt = (row, i) => row.buckets[i]?.value ?? null;

/** A row's largest value of a period, in size. @param {any} row */
const largest = (row) => Math.max(0, ...row.buckets.map((/** @type {any} */ b) => Math.abs(b.value ?? 0)));

/** The top-level meters' sum of period i; null when none of them has a figure. @param {any[]} roots @param {number} i */
function rootSum(roots, i) {
  const known = roots.map((r) => valueAt(r, i)).filter((v) => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) : null;
}

/**
 * The tree as a table into `box`: a row per tree row, a column per period, then the total.
 * `cell` draws a meter's value with its gap and coverage marks (as the table by group does);
 * `costs` (costIndex of the cost report by meter) adds each figure's cost.
 * @param {HTMLElement} box @param {any} report @param {string} url
 * @param {(c: any, digits: number) => HTMLElement} cell
 * @param {ReturnType<typeof import('./energy-cost.js').costIndex>} costs
 */
export function drawTree(box, report, url, cell, costs) {
  const rows = report.rows ?? [];
  const roots = rows.filter((/** @type {any} */ r) => r.depth === 0);
  // The top level holds the largest figures: their decimals suit every row.
  const digits = digitsFor(Math.max(0, ...roots.map((/** @type {any} */ r) => largest(r))));
  const periods = report.buckets.map((/** @type {any} */ b) =>
    h('th.num', { dataset: { bucket: b.label } }, b.label),
  );
  const columns = [
    h('th', null, t('energy.tree.meter')),
    ...periods,
    h('th.num.total', null, t('energy.col.total')),
  ];
  const head = h('thead', null, h('tr', null, ...columns));
  const body = h(
    'tbody',
    null,
    ...rows.map((/** @type {any} */ r) => treeRow(r, report, digits, cell, costs)),
  );
  const costed = (/** @type {HTMLElement} */ td, /** @type {any} */ f) =>
    withCost(td, f, costs.currency, report.unit);
  const foot = h(
    'tfoot',
    null,
    h(
      'tr',
      { dataset: { key: 'total' } },
      h('th', { scope: 'row' }, t('energy.tree.total')),
      ...report.buckets.map((/** @type {any} */ b, /** @type {number} */ i) =>
        costed(
          h('td.num', null, h('span.v', null, num(rootSum(roots, i), digits))),
          together(roots.map((/** @type {any} */ r) => costs.at(r.key, b.start))),
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
    h('p.note.e-legend', null, t('energy.tree.note')),
    h('p.note.e-legend', null, t('energy.legend')),
  );
  box.dataset.state = 'ready';
}

/** A tree row's name cell: indented by level, as a distribution board's single-line diagram reads. @param {any} r */
export function treeName(r) {
  const name = h('th', { scope: 'row' }, label(r));
  name.style.paddingLeft = `${0.3 + 1.4 * (r.depth ?? 0)}rem`;
  if (r.negative) name.append(h('sup.mark.e-negative', { title: t('energy.tree.negative') }, '!'));
  return name;
}

/**
 * @param {any} r @param {any} report @param {number} digits @param {(c: any, digits: number) => HTMLElement} cell
 * @param {ReturnType<typeof import('./energy-cost.js').costIndex>} costs
 */
function treeRow(r, report, digits, cell, costs) {
  const derived = r.kind !== 'meter';
  const costed = (/** @type {HTMLElement} */ td, /** @type {any} */ f) =>
    withCost(td, f, costs.currency, report.unit);
  const cells = report.buckets.map((/** @type {any} */ b, /** @type {number} */ i) =>
    derived && valueAt(r, i) === null
      ? h('td.num.nodata', { title: t('energy.tree.unknown') }, '—')
      : costed(cell(r.buckets[i], digits), costs.at(r.key, b.start)),
  );
  const total =
    r.total === null || r.total === undefined
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

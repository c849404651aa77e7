// Energy › Consumption's table: each group per period with its cost and kg CO₂e, partial
// periods and gaps marked, the totals, and the CSV link.
import type {
  BucketConsumption,
  ConsumptionReport,
  ConsumptionRow,
  RangeBucket,
} from '../../../src/api-types/energy.js';
import { h } from '../dom.js';
import { getLang, localName, t } from '../i18n.js';
import { plantZone } from '../time.js';
import { csvLink, digitsFor, num } from './energy-common.js';
import { type CellCost, type CostIndex, together, withCost } from './energy-cost.js';

/** A row's name in the page's language. */
export const rowName = (r: Pick<ConsumptionRow, 'name' | 'nameZh'>): string => localName(r.name, r.nameZh);

/** A cell with its cost figures, in the report's unit. */
type Costed = (td: HTMLTableCellElement, f: CellCost | null) => HTMLTableCellElement;

export function drawTable(box: HTMLElement, report: ConsumptionReport, url: string, costs: CostIndex): void {
  const costed: Costed = (td, f) => withCost(td, f, costs.currency, report.unit);
  const { rows, unit } = report;
  const digits = digitsFor(Math.max(0, ...rows.flatMap((r) => r.buckets.map((b) => b.value ?? 0))));
  const head = h(
    'thead',
    null,
    h(
      'tr',
      null,
      h('th', null, t('energy.col.period')),
      ...rows.map((r) => h('th.num', { dataset: { key: r.key }, title: r.meters.join(', ') }, rowName(r))),
      h('th.num.total', null, t('energy.col.total')),
    ),
  );
  const body = h(
    'tbody',
    null,
    ...report.buckets.map((b, i) => periodRow(report, b, i, digits, costs, costed)),
  );
  const foot = h('tfoot', null, totalRow(report, digits, costs, costed));
  box.replaceChildren(
    h(
      'div.e-table-head',
      null,
      h('h2', null, t('energy.tableTitle', { unit })),
      csvLink(url, 'e-consumption-csv'),
    ),
    rows.length === 0
      ? h('p.note', null, t('energy.noMeters'))
      : h('div.scroll', null, h('table.e-table.e-consumption', null, head, body, foot)),
    h('p.note.e-legend', null, t('energy.legend')),
  );
  box.dataset.state = 'ready';
}

/** The period `b` (the `i`th): each group's value and cost, and their total. */
function periodRow(
  report: ConsumptionReport,
  b: RangeBucket,
  i: number,
  digits: number,
  costs: CostIndex,
  costed: Costed,
) {
  const cells = report.rows.map((r) => r.buckets[i]);
  const known = cells.flatMap((c) => (c && c.value !== null ? [c.value] : []));
  const sum = known.reduce((s, v) => s + v, 0);
  const partial = known.length > 0 && known.length < cells.length;
  const costsAt = report.rows.map((r) => costs.at(r.key, b.start));
  return h(
    `tr${b.partial ? '.partial' : ''}`,
    { dataset: { bucket: b.label } },
    h(
      'th',
      { scope: 'row' },
      periodName(b),
      b.partial ? h('span.e-partial', { title: t('energy.partialTitle') }, t('energy.partial')) : null,
    ),
    ...cells.map((c, j) => costed(valueCell(c, digits), costsAt[j] ?? null)),
    known.length === 0
      ? h('td.num.total.nodata', { title: t('energy.noReadings') }, '—')
      : costed(
          h(
            'td.num.total',
            null,
            h('span.v', null, num(sum, digits)),
            partial ? h('sup.mark', { title: t('energy.partialTotal') }, '*') : null,
          ),
          together(costsAt),
        ),
  );
}

/** Each group's total over the range (marked when a gap in it went to nobody), and the grand total. */
function totalRow(report: ConsumptionReport, digits: number, costs: CostIndex, costed: Costed) {
  const { unit } = report;
  return h(
    'tr',
    { dataset: { bucket: 'total' } },
    h('th', { scope: 'row' }, t('energy.col.total')),
    ...report.rows.map((r) => {
      const unassigned = r.gaps.filter((g) => !g.allocatedTo).reduce((s, g) => s + g.consumption, 0);
      return costed(
        h(
          'td.num',
          { dataset: { key: r.key } },
          h('span.v', null, num(r.total, digits)),
          unassigned > 0
            ? h(
                'sup.mark',
                { title: t('energy.unassignedGap', { value: num(unassigned, digits), unit }) },
                '†',
              )
            : null,
        ),
        costs.total(r.key),
      );
    }),
    costed(h('td.num.total', null, h('span.v', null, num(report.total, digits))), costs.all),
  );
}

/**
 * A period's name in the table: one cut to whole days reads "1–7 Nov 2026" / "2026年11月1日至7日";
 * others (whole periods, or cut at a time of day) their label.
 */
export function periodName(b: RangeBucket): string {
  if (!b.clipped || b.label.includes(':')) return b.label;
  const days = new Intl.DateTimeFormat(getLang() === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: plantZone(),
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
  return days.formatRange(b.start, b.end - 1);
}

/** A table cell: the value, or "—" for no readings; marked when a gap is in it or it is partly covered. */
export function valueCell(c: BucketConsumption | undefined, digits: number): HTMLTableCellElement {
  if (!c || c.value === null) return h('td.num.nodata', { title: t('energy.noReadings') }, '—');
  const why: string[] = [];
  if (c.includesGap) why.push(t('energy.estimated'));
  // Rounded down: a day a few minutes short must not read "cover 100 %".
  if (c.coverage < 1) why.push(t('energy.coverage', { pct: num(Math.floor(c.coverage * 1000) / 10, 1) }));
  return h(
    `td.num${why.length ? '.marked' : ''}`,
    { title: why.join(' · ') || null },
    h('span.v', null, num(c.value, digits)),
    why.length ? h('sup.mark', null, c.includesGap ? '≈' : '*') : null,
  );
}

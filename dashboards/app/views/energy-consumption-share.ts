// Energy › Consumption's side panels: each group's share of the total, and this month so far
// against the same days of last month by building.
import type { ConsumptionReport } from '../../../src/api-types/energy.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { localDate } from '../time.js';
import { bar, num } from './energy-common.js';
import { rowName } from './energy-consumption-table.js';

export function drawShare(box: HTMLElement, report: ConsumptionReport): void {
  // A group without data (total null) last: it has no share, not a share of 0.
  const rows = [...report.rows].sort((a, b) => (b.total ?? -1) - (a.total ?? -1));
  const total = report.total || 0;
  if (rows.length === 0 || total <= 0) {
    box.replaceChildren(h('p.note', null, t('energy.noData')));
    return;
  }
  const shareRow = (r: (typeof rows)[number]) =>
    h(
      'tr',
      { dataset: { key: r.key } },
      h('th', { scope: 'row' }, rowName(r)),
      h('td.e-bar-cell', null, bar(r.total === null ? null : r.total / total)),
      h('td.num', null, r.total === null ? t('energy.noDataShort') : `${num(r.total)} ${report.unit}`),
      h('td.num', null, r.total === null ? '—' : `${num((100 * r.total) / total, 1)} %`),
    );
  box.replaceChildren(h('table.e-share', null, h('tbody', null, ...rows.map(shareRow))));
}

export function drawComparison(
  box: HTMLElement,
  current: ConsumptionReport,
  previous: ConsumptionReport,
): void {
  const keys = [...new Set([...current.rows, ...previous.rows].map((r) => r.key))];
  const byKey = (rep: ConsumptionReport, k: string) => rep.rows.find((r) => r.key === k);
  const max = Math.max(
    1,
    ...keys.flatMap((k) => [byKey(current, k)?.total ?? 0, byKey(previous, k)?.total ?? 0]),
  );
  const span = (rep: ConsumptionReport) => `${localDate(rep.from)} – ${localDate(rep.to - 1)}`;
  const compareRow = (k: string) => {
    const now = byKey(current, k);
    const before = byKey(previous, k);
    // No change against a month without data: not −100 %.
    const [a, b] = [now?.total ?? null, before?.total ?? null];
    const change = a !== null && b !== null && b > 0 ? (a - b) / b : null;
    return h(
      'tr',
      { dataset: { key: k } },
      h('th', { scope: 'row' }, rowName(now ?? before ?? { name: k })),
      totalCell(b, max, 'prev'),
      totalCell(a, max),
      h(
        'td.num',
        null,
        change === null ? '—' : `${change > 0 ? '▲ +' : change < 0 ? '▼ ' : ''}${num(change * 100, 1)} %`,
      ),
    );
  };
  const head = h(
    'thead',
    null,
    h(
      'tr',
      null,
      h('th', null, t('energy.col.building')),
      h('th.num', null, t('energy.lastMonth'), h('br'), h('small', null, span(previous))),
      h('th.num', null, t('energy.thisMonth'), h('br'), h('small', null, span(current))),
      h('th.num', null, t('energy.change')),
    ),
  );
  box.replaceChildren(
    h(
      'div.scroll',
      null,
      h('table.e-table.e-compare', null, head, h('tbody', null, ...keys.map(compareRow))),
    ),
    h('p.note', null, t('energy.compareNote', { unit: current.unit })),
  );
  box.dataset.state = 'ready';
}

/** A comparison cell: the total and its bar, or "no data" (not 0). */
function totalCell(total: number | null, max: number, cls?: string): HTMLTableCellElement {
  if (total === null) return h('td.num.nodata', { title: t('energy.noReadings') }, t('energy.noDataShort'));
  return h('td.num', null, num(total), h('br'), bar(total / max, cls));
}

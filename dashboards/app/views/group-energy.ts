// The group's energy (#/group/energy[/<year>]), from GET /api/group/energy?year=: one table per
// figure (electricity kWh, gas m³, water m³, tce), a column group per campus and the group's
// total — each month with the same month a year before beside it and the change in %, then the
// year, per m² and per bed. A campus whose link is down is flagged (its figures are as of its
// last summary). "Download CSV" is the same answer as a file.
import type { CampusEnergy, GroupEnergy } from '../../../src/api-types/group.js';
import { getJson, url } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { dateTime, localDate } from '../time.js';
import { campusName, FIGURES, fig, pageHead, reason } from './group.js';

type Figure = keyof CampusEnergy;
type Campus = GroupEnergy['campuses'][number];

/** `params[0]`: the year (default: this year on the plant's calendar). */
export function render(
  root: HTMLElement,
  params: readonly string[],
): { dispose: () => void; devices: string[] } {
  const thisYear = Number(localDate(Date.now()).slice(0, 4));
  const asked = Number(params[0]);
  const year = Number.isInteger(asked) && asked >= 2000 && asked <= 2100 ? asked : thisYear;

  const years = new Set<number>([year]);
  for (let y = thisYear; y > thisYear - 6; y--) years.add(y);
  const select = h(
    'select#g-year',
    {
      onchange: () => {
        location.hash = `#/group/energy/${select.value}`;
      },
    },
    ...[...years]
      .sort((a, b) => b - a)
      .map((y) => h('option', { value: String(y), selected: y === year }, String(y))),
  );
  const csv = h(
    'a#g-csv.csv',
    {
      href: url('/api/group/energy', { year, format: 'csv' }),
      download: `group-energy-${year}.csv`,
      title: t('group.energy.csvTitle'),
    },
    t('group.energy.csv'),
  );
  const body = h('div#g-energy.g-energy', { dataset: { state: 'loading' } }, t('group.energy.loading'));
  root.replaceChildren(
    h(
      'div.g-page',
      null,
      pageHead('energy', h('span.g-title')),
      h('div.e-tools', null, h('label', null, t('group.energy.year'), select), csv),
      h('h2.g-energy-title', null, t('group.energy.title', { year })),
      h('p.note.g-legend', null, t('group.energy.note')),
      body,
    ),
  );

  const controller = new AbortController();
  getJson<GroupEnergy>(url('/api/group/energy', { year }), controller.signal)
    .then((energy) => {
      body.dataset.state = 'ok';
      body.replaceChildren(...drawEnergy(energy, year === thisYear));
    })
    .catch((err: unknown) => {
      if (controller.signal.aborted) return;
      body.dataset.state = 'error';
      body.replaceChildren(h('p.error', { role: 'alert' }, t('group.energy.error', { msg: reason(err) })));
    });
  return { devices: [], dispose: () => controller.abort() };
}

function drawEnergy(energy: GroupEnergy, current: boolean): HTMLElement[] {
  if (energy.campuses.length === 0) return [h('p.none', null, t('group.none'))];
  return [
    h('section.panel.e-section', null, h('h2', null, t('group.energy.campuses')), campusTable(energy)),
    ...FIGURES.map((k) =>
      h(
        'section.panel.e-section.g-figure',
        { dataset: { figure: k } },
        h('h2', null, t(`group.energy.c.${k}`)),
        h('div.scroll', null, figureTable(energy, k, current)),
      ),
    ),
  ];
}

/** The campuses: floor area, beds, and whether their figures are current. */
function campusTable(energy: GroupEnergy): HTMLElement {
  return h(
    'div.scroll',
    null,
    h(
      'table.e-table.g-campus-table',
      null,
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, t('group.energy.campus')),
          h('th.num', null, t('group.energy.area')),
          h('th.num', null, t('group.energy.beds')),
          h('th', null, t('group.energy.figures')),
        ),
      ),
      h(
        'tbody',
        null,
        ...energy.campuses.map((c) =>
          h(
            `tr${c.stale ? '.g-stale' : ''}`,
            { dataset: c.stale ? { site: c.site, stale: '' } : { site: c.site } },
            h('th', { scope: 'row' }, campusName(c)),
            h('td.num', null, fig(c.areaM2, 0)),
            h('td.num', null, fig(c.beds, 0)),
            h(
              'td.g-freshness',
              null,
              c.stale
                ? h(
                    'span.g-stale-flag',
                    null,
                    '⚠ ',
                    c.asOf
                      ? t('group.energy.stale', { time: dateTime(c.asOf) })
                      : t('group.energy.neverHeard'),
                  )
                : t('group.energy.current'),
            ),
          ),
        ),
      ),
    ),
  );
}

/** A month's figure, last year's, and the change. */
interface Cell {
  now: number | null;
  before: number | null;
  /** Some campuses have no figure: the sum of the others. */
  partial?: boolean;
}

/** Summed over the campuses that have a figure; null when none has. */
function sum(values: readonly (number | null)[]): { value: number | null; partial: boolean } {
  const known = values.filter((v): v is number => v !== null);
  return {
    value: known.length ? known.reduce((a, b) => a + b, 0) : null,
    partial: known.length > 0 && known.length < values.length,
  };
}

const per = (value: number | null, by: number | null): number | null =>
  value === null || by === null || by <= 0 ? null : value / by;

/** "+3.2 %", "−1.5 %"; "—" without both figures or against 0. */
function change(now: number | null, before: number | null): string {
  if (now === null || before === null || before === 0) return '—';
  const pct = ((now - before) / Math.abs(before)) * 100;
  const text = fig(Math.abs(pct), 1);
  return `${pct > 0.05 ? '+' : pct < -0.05 ? '−' : '±'}${text} %`;
}

/** One figure: months down, per campus and the group its year, last year and ±%. */
function figureTable(energy: GroupEnergy, k: Figure, current: boolean): HTMLElement {
  const thisMonth = localDate(Date.now()).slice(0, 7);
  const byMonth = energy.campuses.map((c) => new Map(c.months.map((m) => [m.month, m])));
  const monthCells = (month: string): Cell[] => {
    const cells = byMonth.map((months) => {
      const m = months.get(month);
      return { now: m?.[k] ?? null, before: m?.lastYear[k] ?? null };
    });
    const now = sum(cells.map((c) => c.now));
    const before = sum(cells.map((c) => c.before));
    return [...cells, { now: now.value, before: before.value, partial: now.partial || before.partial }];
  };
  // The year's decimals from its largest month.
  let max = 0;
  for (const month of energy.months)
    for (const cell of monthCells(month))
      max = Math.max(max, Math.abs(cell.now ?? 0), Math.abs(cell.before ?? 0));
  const digits = max >= 1000 ? 0 : max >= 10 ? 1 : 2;

  // The group's area and beds: known only when every campus's is.
  const areas = energy.campuses.map((c) => c.areaM2);
  const beds = energy.campuses.map((c) => c.beds);
  const groupArea = areas.every((a) => a !== null) ? sum(areas).value : null;
  const groupBeds = beds.every((b) => b !== null) ? sum(beds).value : null;

  // Last year beside this one: the whole year, or while this year runs, the same months only
  // (this year's months that have a figure), so that the change is not the missing months'.
  const sameMonths = (c: Campus): number | null =>
    sum(c.months.filter((m) => m[k] !== null).map((m) => m.lastYear[k])).value;
  const lastYear = energy.campuses.map((c) => (current ? sameMonths(c) : c.lastYearTotal[k]));
  const groupLastYear = current ? sum(lastYear).value : energy.lastYearTotal[k];
  const totals: Cell[] = [
    ...energy.campuses.map((c, i) => ({ now: c.total[k], before: lastYear[i] ?? null })),
    { now: energy.total[k], before: groupLastYear },
  ];
  const perM2: Cell[] = [
    ...energy.campuses.map((c, i) => ({
      now: c.perM2?.[k] ?? per(c.total[k], c.areaM2),
      before: per(lastYear[i] ?? null, c.areaM2),
    })),
    { now: per(energy.total[k], groupArea), before: per(groupLastYear, groupArea) },
  ];
  const perBed: Cell[] = [
    ...energy.campuses.map((c, i) => ({
      now: c.perBed?.[k] ?? per(c.total[k], c.beds),
      before: per(lastYear[i] ?? null, c.beds),
    })),
    { now: per(energy.total[k], groupBeds), before: per(groupLastYear, groupBeds) },
  ];

  const stale = [...energy.campuses.map((c) => c.stale), false];
  const cells = (row: readonly Cell[], d?: number) =>
    row.flatMap((cell, i) => {
      const cls = `${stale[i] ? '.g-stale' : ''}`;
      const mark = cell.partial ? h('span.mark', { title: t('group.energy.partialSum') }, '*') : null;
      const value = (v: number | null, extra: string) =>
        v === null
          ? h(`td.num.nodata${extra}${cls}`, { title: t('group.energy.noValue') }, '—')
          : h(`td.num${extra}${cls}`, null, fig(v, d), extra === '.g-first' ? mark : null);
      return [
        value(cell.now, '.g-first'),
        value(cell.before, '.g-before'),
        h(`td.num.g-change${cls}`, null, change(cell.now, cell.before)),
      ];
    });
  const yearHead = (campus: Campus | null) => {
    const flag =
      campus?.stale === true
        ? h(
            'span.g-stale-flag',
            null,
            ' ',
            campus.asOf
              ? t('group.energy.staleShort', { time: dateTime(campus.asOf) })
              : `⚠ ${t('group.energy.neverHeard')}`,
          )
        : null;
    return h(
      `th.g-first.g-campus-col${campus?.stale ? '.g-stale' : ''}`,
      { colSpan: 3, scope: 'colgroup', dataset: campus ? { site: campus.site } : {} },
      campus ? campusName(campus) : t('group.energy.group'),
      flag,
    );
  };
  const subHead = () => [
    h('th.num.g-first', null, String(energy.year)),
    h('th.num.g-before', null, String(energy.year - 1)),
    h('th.num.g-change', { title: t('group.energy.changeTitle') }, t('group.energy.change')),
  ];
  const rowHead = (text: string, extra?: HTMLElement | null) =>
    h('th', { scope: 'row' }, text, extra ?? null);

  return h(
    'table.e-table.g-energy-table',
    { dataset: { figure: k } },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { rowSpan: 2 }, t('group.energy.month')),
        ...energy.campuses.map((c) => yearHead(c)),
        yearHead(null),
      ),
      h('tr', null, ...[...energy.campuses, null].flatMap(() => subHead())),
    ),
    h(
      'tbody',
      null,
      ...energy.months.map((month) => {
        const going = current && month === thisMonth;
        return h(
          `tr${going ? '.partial' : ''}`,
          { dataset: { month } },
          rowHead(month, going ? h('span.e-partial', null, t('group.energy.soFar')) : null),
          ...cells(monthCells(month), digits),
        );
      }),
    ),
    h(
      'tfoot',
      null,
      h(
        'tr.g-total',
        null,
        rowHead(t(current ? 'group.energy.totalSoFar' : 'group.energy.total')),
        ...cells(totals, digits),
      ),
      h('tr.g-per', null, rowHead(t('group.energy.perM2')), ...cells(perM2)),
      h('tr.g-per', null, rowHead(t('group.energy.perBed')), ...cells(perBed)),
    ),
  );
}

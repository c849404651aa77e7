// Energy › Consumption: what the consumption cost and emitted (GET /api/energy/cost). Beside
// each figure of the table its cost and kg CO₂e; below the table, per group (or meter of the
// tree) and month: kWh and cost per tariff period (a split bar and the figures), the share in
// peak periods, highlighted where moving load is worth a look, the demand charge, the cost and
// kg CO₂e. Gas has no tariff: its m³ and kg CO₂e by month alone. Hours without readings are not
// costed: "—", never ¥0.
import type { Band, CostFigures, CostReport, CostRow } from '../../../src/api-types/energy.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { money, num, pct } from './energy-common.js';

const BANDS: readonly Band[] = ['sharp', 'peak', 'flat', 'valley'];

/** What a cell of the consumption table shows under its figure. */
export type CellCost = Pick<CostFigures, 'cost' | 'carbonKg' | 'unknownHours' | 'unpriced'>;

/** A cost report's figures by row key and period start, for the consumption table's cells. */
export interface CostIndex {
  currency: string | null;
  at(key: string, start: number): CostFigures | null;
  total(key: string): CostFigures | null;
  /** The report's own total: by meter the top-level meters' alone. */
  all: CostFigures | null;
}

/** `report`: the cost report, or null where there is none (hourly figures, or it failed). */
export function costIndex(report: CostReport | null): CostIndex {
  const rows = new Map((report?.rows ?? []).map((r) => [r.key, r]));
  return {
    currency: report?.currency ?? null,
    at: (key, start) => rows.get(key)?.periods.find((p) => p.start === start) ?? null,
    total: (key) => rows.get(key)?.total ?? null,
    all: report?.total ?? null,
  };
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** Figures with a known cost. */
const costed = <F extends CellCost>(f: F | null): f is F & { cost: number } => f !== null && f.cost !== null;

/**
 * Several groups' figures together, as the table's total column adds their kWh: the known
 * costs; null when none is known. Not costed at all (gas: no tariff), their known kg CO₂e.
 */
export function together(list: readonly (CellCost | null)[]): CellCost | null {
  const known = list.filter(costed);
  if (known.length === 0) return carbonTogether(list);
  const kg = known.flatMap((f) => (f.carbonKg === null ? [] : [f.carbonKg]));
  return {
    cost: sum(known.map((f) => f.cost)),
    carbonKg: kg.length ? sum(kg) : null,
    unknownHours: sum(known.map((f) => f.unknownHours)),
    unpriced: sum(known.map((f) => f.unpriced)),
  };
}

/** Figures none of which is costed: their kg CO₂e together, null when none is known. */
function carbonTogether(list: readonly (CellCost | null)[]): CellCost | null {
  const known = list.filter((f): f is CellCost & { carbonKg: number } => f !== null && f.carbonKg !== null);
  if (known.length === 0) return null;
  return {
    cost: null,
    carbonKg: sum(known.map((f) => f.carbonKg)),
    unknownHours: sum(known.map((f) => f.unknownHours)),
    unpriced: sum(known.map((f) => f.unpriced)),
  };
}

/** Why a cost is short of its kWh: hours without readings, kWh before the first tariff. */
function shortfall(f: CellCost, unit: string): string[] {
  return [
    f.unknownHours > 0 ? t('energy.cost.unknownHours', { hours: num(f.unknownHours, 0) }) : '',
    f.unpriced > 0 ? t('energy.cost.unpriced', { value: num(f.unpriced), unit }) : '',
  ].filter(Boolean);
}

/**
 * Appends the cost and kg CO₂e under a cell's figure; nothing where the figure is not known
 * (no readings: no cost either) or nothing was costed. Without a tariff (`currency` null: gas),
 * the kg CO₂e alone: no money, not even 0.
 */
export function withCost<E extends HTMLElement>(
  td: E,
  f: CellCost | null,
  currency: string | null,
  unit: string,
): E {
  if (!f || td.classList.contains('nodata')) return td;
  if (currency === null) {
    if (f.carbonKg !== null)
      td.append(
        h(
          'span.e-costline',
          { title: t('energy.cost.lineCarbon') },
          h('span.e-co2.e-co2-only', null, `${num(f.carbonKg)} kg`),
        ),
      );
    return td;
  }
  if (f.cost === null) return td;
  const why = shortfall(f, unit);
  td.append(
    h(
      'span.e-costline',
      { title: [t('energy.cost.line'), ...why].join(' · ') },
      h('span.e-money', null, money(f.cost, currency)),
      h('span.e-co2', null, `${num(f.carbonKg)} kg`),
      why.length ? h('sup.e-short', null, '*') : null,
    ),
  );
  return td;
}

/** The tariff periods any row used, in the tariff's order. */
const bandsUsed = (rows: readonly CostRow[]): Band[] =>
  BANDS.filter((band) =>
    rows.some((r) => [r.total, ...r.periods].some((f) => f.bands.some((b) => b.band === band))),
  );

/** A number cell named by its column; "—" when not known. */
const cell = (col: string, text: string, title?: string): HTMLTableCellElement =>
  h(`td.num${text === '—' ? '.nodata' : ''}`, { dataset: { col }, title: title ?? null }, text);

/** kWh and cost of one tariff period; none used there is 0, a period without data "—". */
function bandCell(f: CostFigures, band: Band, report: CostReport): HTMLTableCellElement {
  if (f.consumption === null) return cell(band, '—', t('energy.noReadings'));
  const used = f.bands.find((b) => b.band === band);
  return h(
    'td.num',
    { dataset: { col: band } },
    h('span.v', null, `${num(used?.consumption ?? 0, 0)} ${report.unit}`),
    h('br'),
    h('span.e-money', null, money(used?.cost ?? 0, report.currency)),
  );
}

/** The kWh of each period as one bar, darkest the dearest. */
function splitBar(f: CostFigures): HTMLTableCellElement {
  const total = f.consumption ?? 0;
  const segments = total > 0 ? f.bands : [];
  const box = h('span.e-split', { role: 'img' });
  const parts = segments.map((b) => {
    const share = b.consumption / total;
    const seg = h(`span.e-seg.b-${b.band}`, { title: `${t(`energy.band.${b.band}`)} ${pct(share, 1)}` });
    seg.style.width = `${Math.max(0, share) * 100}%`;
    return seg;
  });
  box.setAttribute('aria-label', parts.map((p) => p.title).join(', '));
  box.append(...parts);
  return h('td.e-split-cell', { dataset: { col: 'split' } }, box);
}

/** The peak share, highlighted from the report's threshold. */
function peakShareCell(f: CostFigures, high: number): HTMLTableCellElement {
  if (f.peakShare === null) return cell('peakShare', '—');
  const text = pct(f.peakShare, 1);
  return f.peakShare >= high
    ? h('td.num.high', { dataset: { col: 'peakShare' }, title: t('energy.cost.high', { pct: text }) }, text)
    : cell('peakShare', text);
}

/**
 * A figure of the row marked where hours were not costed: they are in none of its figures,
 * so its kWh can be short of the table's.
 */
function shortCell(col: string, text: string, f: CostFigures, unit: string): HTMLTableCellElement {
  const why = shortfall(f, unit);
  const title = f.consumption === null ? t('energy.noReadings') : why.join(' · ');
  const td = cell(col, text, title || undefined);
  if (why.length && text !== '—') td.append(h('sup.e-short', null, '*'));
  return td;
}

/** Gas without a tariff (energy.yaml prices none): its consumption and carbon alone, not costed. */
const carbonOnly = (report: CostReport): boolean => report.commodity === 'gas' && report.currency === null;

/**
 * A row's figures as cells; electricity with its periods, peak share and demand charge (and
 * capacity charge where the tariff bills installed kVA). `billed`: whether a demand charge can
 * be the row's; `capacity`: whether the capacity columns are shown.
 */
function figureCells(
  f: CostFigures,
  report: CostReport,
  bands: readonly Band[],
  billed: boolean,
  capacity: boolean,
): HTMLTableCellElement[] {
  // Unpriced gas: all of it is "before the first tariff", which is no shortfall to mark.
  if (carbonOnly(report))
    return [
      shortCell('consumption', num(f.consumption, 0), { ...f, unpriced: 0 }, report.unit),
      cell('carbonKg', num(f.carbonKg, 0)),
    ];
  const electricity = report.commodity === 'electricity';
  const demandTitle = billed ? t('energy.noValue') : t('energy.cost.noDemand');
  return [
    shortCell('consumption', num(f.consumption, 0), f, report.unit),
    ...(electricity
      ? [
          splitBar(f),
          ...bands.map((b) => bandCell(f, b, report)),
          peakShareCell(f, report.highPeakShare),
          cell('energyCost', money(f.energyCost, report.currency)),
          cell('maxDemandKw', num(f.maxDemandKw, 0)),
          cell(
            'demandCharge',
            money(f.demandCharge, report.currency),
            f.demandCharge === null ? demandTitle : undefined,
          ),
          ...(capacity
            ? [
                cell('capacityKva', num(f.capacityKva, 0)),
                cell('capacityCharge', money(f.capacityCharge, report.currency)),
              ]
            : []),
        ]
      : []),
    shortCell('cost', money(f.cost, report.currency), f, report.unit),
    cell('carbonKg', num(f.carbonKg, 0)),
  ];
}

function costHead(report: CostReport, bands: readonly Band[], capacity: boolean): HTMLTableSectionElement {
  const electricity = report.commodity === 'electricity';
  const th = (text: string) => h('th.num', null, text);
  return h(
    'thead',
    null,
    h(
      'tr',
      null,
      h('th', null, ''),
      h('th', null, t('energy.cost.col.period')),
      th(report.unit),
      ...(electricity
        ? [
            h('th', null, t('energy.cost.col.split')),
            ...bands.map((b) => th(t(`energy.band.${b}`))),
            th(t('energy.cost.col.peakShare')),
            th(t('energy.cost.col.energyCost')),
            th(t('energy.cost.col.maxDemandKw')),
            th(t('energy.cost.col.demandCharge')),
            ...(capacity
              ? [th(t('energy.cost.col.capacityKva')), th(t('energy.cost.col.capacityCharge'))]
              : []),
          ]
        : []),
      carbonOnly(report)
        ? null
        : th(
            t(
              electricity
                ? 'energy.cost.col.cost'
                : report.commodity === 'gas'
                  ? 'energy.cost.col.costGas'
                  : 'energy.cost.col.costWater',
            ),
          ),
      th(t('energy.cost.col.carbonKg')),
    ),
  );
}

/**
 * The cost section into `box`: a row per group (or tree row) and month, then the total.
 * `name` draws a row's name cell (the tree indents it).
 */
export function drawCost(box: HTMLElement, report: CostReport, name: (row: CostRow) => HTMLElement): void {
  const rows = report.rows;
  const bands = bandsUsed(rows);
  // A tariff bills maximum demand or installed capacity: capacity columns only where one did.
  const capacity = rows.some((r) => r.total.capacityKva !== null);
  const body = rows.flatMap((r) =>
    r.periods.map((p) =>
      h(
        `tr${p.partial ? '.partial' : ''}`,
        { dataset: { key: r.key, period: p.label } },
        name(r),
        h('td', null, p.label),
        ...figureCells(p, report, bands, !r.kind || r.kind === 'meter', capacity),
      ),
    ),
  );
  const total = h(
    'tr',
    { dataset: { key: 'total' } },
    h('th', { scope: 'row' }, t(report.groupBy === 'meter' ? 'energy.tree.total' : 'energy.col.total')),
    h('td', null, ''),
    ...figureCells(report.total, report, bands, true, capacity),
  );
  const water = report.commodity === 'water';
  const gas = report.commodity === 'gas';
  box.replaceChildren(
    h('h2', null, t(water ? 'energy.cost.titleWater' : gas ? 'energy.cost.titleGas' : 'energy.cost.title')),
    report.currency === null && !carbonOnly(report)
      ? h('p.note', null, t('energy.cost.noTariff'))
      : h(
          'div.scroll',
          null,
          h(
            'table.e-table.e-cost',
            null,
            costHead(report, bands, capacity),
            h('tbody', null, ...body),
            h('tfoot', null, total),
          ),
        ),
    h(
      'p.note.e-legend',
      null,
      t(water ? 'energy.cost.noteWater' : gas ? 'energy.cost.noteGas' : 'energy.cost.note', {
        threshold: pct(report.highPeakShare),
      }),
    ),
  );
  box.dataset.state = 'ready';
}

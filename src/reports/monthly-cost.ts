/**
 * The monthly report's money and carbon: per building, kWh and cost per tariff period, the
 * demand or capacity charge, the total cost and kg CO₂e against the month before, the share in peak
 * periods (the load-shift hint); the water cost; and the tariffs and emission factors used,
 * with their effective dates and sources, for whoever signs the figures.
 */
import type { EnergySettings } from '../config/energy-schema.js';
import { BANDS, type Band } from '../config/tariff-schema.js';
import type { CostFigures, CostReport } from '../energy/index.js';
import { inEffect } from '../energy/tariffs.js';
import { costNotes } from './cost-table.js';
import { changeOf, escapeHtml, type HtmlCell, number, percent, table, totalText } from './html.js';

/** The month's cost report and the month before's, by building. */
export interface MonthCosts {
  current: CostReport;
  before: CostReport;
}

const BAND_NAMES: Record<Band, string> = {
  sharp: 'sharp peak',
  peak: 'peak',
  flat: 'flat',
  valley: 'valley',
};

/** Money to the fen, or "no data". */
const money = (value: number | null | undefined) => totalText(value, 2);

const earlierOf = (costs: MonthCosts, key: string) => costs.before.rows.find((r) => r.key === key)?.total;

/** The periods the buildings used this month, in the tariff's order (all of them without data). */
function bandsUsed(report: CostReport): readonly Band[] {
  const used = BANDS.filter((band) => report.rows.some((r) => r.total.bands.some((b) => b.band === band)));
  return used.length > 0 ? used : BANDS;
}

/** kWh and cost of one period: none used there is 0; a month without data is no data. */
function bandCells(f: CostFigures, band: Band): string[] {
  if (f.consumption === null) return ['no data', 'no data'];
  const used = f.bands.find((b) => b.band === band);
  return [number(used?.consumption ?? 0), number(used?.cost ?? 0, 2)];
}

/** The peak share, flagged where moving load is worth a look. */
function peakShareCell(f: CostFigures | undefined, high: number): HtmlCell {
  const share = f?.peakShare ?? null;
  if (share === null) return '—';
  const text = percent(share * 100);
  return share >= high ? { text: `${text} (high)`, alert: true } : text;
}

/** The month's notes, then the month before's (its gaps make the change less sure). */
function notes(now: CostFigures, earlier: CostFigures | undefined, unit: string): string {
  const before = earlier ? costNotes(earlier, unit) : 'no data';
  return [
    costNotes(now, unit),
    ...before
      .split('; ')
      .filter(Boolean)
      .map((n) => `month before: ${n}`),
  ]
    .filter(Boolean)
    .join('; ');
}

/** The month before's cost, the change, kg CO₂e and the notes: how every cost row ends. */
function againstBefore(costs: MonthCosts, row: CostReport['rows'][number]): string[] {
  const [now, earlier] = [row.total, earlierOf(costs, row.key)];
  return [
    money(earlier?.cost),
    percent(changeOf(now.cost, earlier?.cost)),
    totalText(now.carbonKg),
    notes(now, earlier, costs.current.unit),
  ];
}

export function electricityCostHtml(costs: MonthCosts): string {
  const { current } = costs;
  const currency = current.currency ?? '';
  const bands = bandsUsed(current);
  const high = current.highPeakShare;
  const periods = table(
    [
      'building',
      ...bands.flatMap((b) => [`${BAND_NAMES[b]} kWh`, `${BAND_NAMES[b]} ${currency}`]),
      'peak share',
      'month before',
    ],
    current.rows.map((row) => [
      row.name,
      ...bands.flatMap((b) => bandCells(row.total, b)),
      peakShareCell(row.total, high),
      peakShareCell(earlierOf(costs, row.key), high),
    ]),
  );
  // A tariff bills maximum demand or installed capacity: capacity columns only where one did.
  const capacity = current.rows.some((r) => r.total.capacityKva !== null);
  const bill = table(
    [
      'building',
      `energy cost (${currency})`,
      'max demand kW',
      `demand charge (${currency})`,
      ...(capacity ? ['capacity kVA', `capacity charge (${currency})`] : []),
      `cost (${currency})`,
      'month before',
      'change',
      'kg CO₂e',
      'notes',
    ],
    current.rows.map((row) => [
      row.name,
      money(row.total.energyCost),
      totalText(row.total.maxDemandKw),
      money(row.total.demandCharge),
      ...(capacity ? [totalText(row.total.capacityKva), money(row.total.capacityCharge)] : []),
      money(row.total.cost),
      ...againstBefore(costs, row),
    ]),
  );
  return periods + bill + loadShiftHint(current);
}

/** Which buildings put much of their energy into the dear hours. */
function loadShiftHint(report: CostReport): string {
  const threshold = percent(report.highPeakShare * 100);
  const high = report.rows.filter((r) => (r.total.peakShare ?? 0) >= report.highPeakShare);
  const intro = `Peak share: the kWh used in peak and sharp-peak periods; from ${threshold} (high) moving load to flat or valley hours is worth a look.`;
  if (high.length === 0) return `<p>${escapeHtml(intro)}</p>`;
  const names = high.map((r) => `${r.name} (${percent((r.total.peakShare ?? 0) * 100)})`).join(', ');
  return `<p>${escapeHtml(intro)}</p><p class="alert">${escapeHtml(`Load-shift hint: ${names}.`)}</p>`;
}

export function waterCostHtml(costs: MonthCosts): string {
  const { current } = costs;
  const currency = current.currency ?? '';
  return table(
    ['building', current.unit, `cost (${currency})`, 'month before', 'change', 'kg CO₂e', 'notes'],
    current.rows.map((row) => [
      row.name,
      totalText(row.total.consumption),
      money(row.total.cost),
      ...againstBefore(costs, row),
    ]),
  );
}

const sourced = (text: string, source: string | undefined) => (source ? `${text} (${source})` : text);

/** The tariffs and emission factors the two months were costed with. */
export function tariffsHtml(
  settings: Pick<EnergySettings, 'tariffs' | 'carbon'>,
  range: { from: number; to: number },
  zone: string,
): string {
  const within = <T extends { from: string }>(list: readonly T[]) =>
    inEffect(list, range.from, range.to, zone);
  const electricity = within(settings.tariffs.electricity).map((t) => {
    const prices = BANDS.flatMap((b) =>
      t.prices[b] === undefined ? [] : [`${BAND_NAMES[b]} ${t.prices[b]}`],
    );
    const demand = t.demandCharge
      ? `; demand charge ${t.demandCharge.perKw} ${t.currency} per kW of the month’s maximum demand`
      : t.capacityCharge
        ? `; capacity charge ${t.capacityCharge.perKva} ${t.currency} per kVA of installed transformer capacity`
        : '';
    return sourced(
      `Electricity: time-of-use from ${t.from}, ${t.currency} per kWh: ${prices.join(', ')}${demand}`,
      t.source,
    );
  });
  const water = within(settings.tariffs.water).map((t) =>
    sourced(`Water: ${t.price} ${t.currency} per m³ from ${t.from}`, t.source),
  );
  const factors = (['electricity', 'water'] as const).flatMap((commodity) =>
    within(settings.carbon[commodity]).map((f) =>
      sourced(
        `${commodity === 'electricity' ? 'Electricity' : 'Water'}: ${f.kgCo2ePerUnit} kg CO₂e per ${commodity === 'electricity' ? 'kWh' : 'm³'} from ${f.from}`,
        f.source,
      ),
    ),
  );
  const list = (title: string, items: string[]) =>
    `<p>${escapeHtml(title)}</p><ul>${(items.length ? items : ['none: not costed']).map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  return list('Tariffs', [...electricity, ...water]) + list('Emission factors', factors);
}

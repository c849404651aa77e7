// Energy › Consumption's standard coal panel under the table (electricity and gas): the site's
// electricity and gas as tonnes of standard coal equivalent over the period, electricity tce +
// gas tce = the site's tce, each day at the conversion factor in force that day (energy.yaml
// standardCoal); on the gas page the gas's kg CO₂e too (carbon.gas); and each period's figures.
// Consumption on days without a factor is named with its kWh or m³, never converted to 0.
import type { Commodity, Equivalents, RangeBucket, Resolution } from '../../../src/api-types/energy.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { num, tce } from './energy-common.js';
import { periodName } from './energy-consumption-table.js';

type Period = Equivalents['periods'][number];
type Figure = 'electricityTce' | 'gasTce' | 'tce' | 'gasCo2Kg';

/** Periods listed open at most this many; hours (up to 62 days of them) folded. */
const OPEN_PERIODS = 31;

/** Whether the commodity's consumption answer carries the site's tce (electricity and gas). */
export const hasEquivalents = (commodity: Commodity): boolean => commodity !== 'water';

/**
 * The panel into `box`; empty and hidden for water, or where the gateway gives no equivalents.
 * `buckets`: the consumption report's periods (for their names and "still going on").
 */
export function drawEquivalents(
  box: HTMLElement,
  eq: Equivalents | null | undefined,
  commodity: Commodity,
  buckets: readonly RangeBucket[],
  resolution: Resolution,
): void {
  box.hidden = !eq || !hasEquivalents(commodity);
  if (!eq || box.hidden) {
    box.replaceChildren();
    box.dataset.state = 'none';
    return;
  }
  const gas = commodity === 'gas';
  const { unconverted } = eq;
  // The site's tce lacks what is not known: a part without a figure, or days without a factor.
  const short =
    eq.tce !== null &&
    (eq.electricityTce === null ||
      eq.gasTce === null ||
      unconverted.electricityKwh > 0 ||
      unconverted.gasM3 > 0);
  const part = (figure: 'electricityTce' | 'gasTce', label: string) =>
    h(
      `span.e-tce-part${commodity === (figure === 'gasTce' ? 'gas' : 'electricity') ? '.own' : ''}`,
      { dataset: { figure } },
      h('small', null, label),
      ' ',
      figureText(eq[figure]),
    );
  box.replaceChildren(
    h('h3', null, t('energy.tce.title')),
    h(
      'p.e-tce-sum',
      null,
      part('electricityTce', t('energy.tce.electricity')),
      ' + ',
      part('gasTce', t('energy.tce.gas')),
      ' = ',
      h(
        'strong.e-tce-total',
        { dataset: { figure: 'tce' } },
        h('small', null, t('energy.tce.site')),
        ' ',
        figureText(eq.tce),
        short ? h('sup.mark', { title: t('energy.tce.known') }, '*') : null,
      ),
    ),
    ...(gas
      ? [
          h(
            'p.e-tce-co2',
            { dataset: { figure: 'gasCo2Kg' } },
            h('small', null, t('energy.tce.gasCo2')),
            ' ',
            co2Text(eq.gasCo2Kg),
          ),
        ]
      : []),
    ...unconvertedNotes(eq, gas),
    h('p.note.e-legend', null, t('energy.tce.note'), gas ? ` ${t('energy.tce.co2Note')}` : ''),
    periodTable(eq.periods, gas, buckets, resolution),
  );
  box.dataset.state = 'ready';
}

/** tce with 2–3 decimals, or "—" with why it is not known (never 0). */
function figureText(value: number | null): HTMLElement {
  return value === null
    ? h('span.v.nodata', { title: t('energy.tce.unknown') }, '—')
    : h('span.v', null, `${tce(value)} ${t('energy.tce.unit')}`);
}

/** "18,354 kg (18.35 t)". */
function co2Text(kg: number | null): HTMLElement {
  return kg === null
    ? h('span.v.nodata', { title: t('energy.tce.unknownCo2') }, '—')
    : h('span.v', null, t('energy.tce.co2', { kg: num(kg, 0), t: num(kg / 1000, 2) }));
}

/** What was left out: kWh and m³ on days without a conversion factor, m³ without an emission factor. */
function unconvertedNotes(eq: Equivalents, gas: boolean): HTMLElement[] {
  const { electricityKwh, gasM3, gasM3NoCo2 } = eq.unconverted;
  const note = (kind: string, key: string, value: number) =>
    h('p.note.e-tce-unconverted', { dataset: { unconverted: kind } }, t(key, { value: num(value) }));
  return [
    electricityKwh > 0 ? note('electricity', 'energy.tce.unconvertedKwh', electricityKwh) : null,
    gasM3 > 0 ? note('gas', 'energy.tce.unconvertedM3', gasM3) : null,
    gas && gasM3NoCo2 > 0 ? note('co2', 'energy.tce.unconvertedCo2', gasM3NoCo2) : null,
  ].filter((n) => n !== null);
}

/** Each period's figures, folded away when they are many (hours). */
function periodTable(
  periods: readonly Period[],
  gas: boolean,
  buckets: readonly RangeBucket[],
  resolution: Resolution,
): HTMLElement {
  const figures: Figure[] = ['electricityTce', 'gasTce', 'tce', ...(gas ? (['gasCo2Kg'] as const) : [])];
  const cell = (p: Period, f: Figure) => {
    const value = p[f];
    if (value === null)
      return h('td.num.nodata', { dataset: { col: f }, title: t('energy.tce.unknown') }, '—');
    return h('td.num', { dataset: { col: f } }, f === 'gasCo2Kg' ? num(value, 0) : tce(value));
  };
  const row = (p: Period) => {
    const bucket = buckets.find((b) => b.start === p.start);
    return h(
      `tr${bucket?.partial ? '.partial' : ''}`,
      { dataset: { bucket: p.label } },
      h(
        'th',
        { scope: 'row' },
        bucket ? periodName(bucket) : p.label,
        bucket?.partial
          ? h('span.e-partial', { title: t('energy.partialTitle') }, t('energy.partial'))
          : null,
      ),
      ...figures.map((f) => cell(p, f)),
    );
  };
  return h(
    'details.e-tce-periods',
    { open: periods.length <= OPEN_PERIODS && resolution !== 'hour' },
    h('summary', null, t('energy.tce.perPeriod')),
    h(
      'div.scroll',
      null,
      h(
        'table.e-table.e-tce',
        null,
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, t('energy.col.period')),
            ...figures.map((f) => h('th.num', { dataset: { col: f } }, t(`energy.tce.col.${f}`))),
          ),
        ),
        h('tbody', null, ...periods.map(row)),
      ),
    ),
  );
}

// Energy › Savings: each retrofit's verified savings (baseline before, reporting after, the
// same meters), with the uncertainty, the promise and ASHRAE Guideline 14's test, and a chart of
// the daily consumption of both periods.
import type { Normalisation, PeriodDays, RetrofitReport } from '../../../src/api-types/energy.js';
import { getJson } from '../api.js';
import { valueAxis } from '../axis.js';
import { h } from '../dom.js';
import { localName, t } from '../i18n.js';
import { localDate } from '../time.js';
import type { TabView } from './energy.js';
import {
  axisStyle,
  type ChartOptions,
  energyUrl,
  errorNote,
  meterNames,
  num,
  paletteAt,
  plotIn,
  themeColour,
  uPlot,
} from './energy-common.js';

export function render(root: HTMLElement): TabView {
  const box = h('div#e-savings', { dataset: { state: 'loading' } }, h('p.note', null, t('loading')));
  root.replaceChildren(box);
  const disposers: (() => void)[] = [];

  (async () => {
    try {
      const [list, names] = await Promise.all([
        getJson<RetrofitReport[]>(energyUrl('retrofits')),
        meterNames(),
      ]);
      box.replaceChildren(
        ...(list.length === 0 ? [h('p.note', null, t('energy.noRetrofits'))] : []),
        ...list.map((r) => retrofitCard(r, names, disposers)),
      );
      box.dataset.state = 'ready';
    } catch (err) {
      box.replaceChildren(errorNote(err));
      box.dataset.state = 'error';
    }
  })();
  return {
    dispose: () => {
      for (const d of disposers) d();
    },
  };
}

/** A retrofit's card; `names`: device → meter name. */
function retrofitCard(r: RetrofitReport, names: Map<string, string>, disposers: (() => void)[]): HTMLElement {
  const res = r.result;
  const unit = r.unit;
  const period = (p: PeriodDays) => `${localDate(p.from)} – ${localDate(p.to - 1)}`;
  const description = r.description === undefined ? undefined : localName(r.description, r.descriptionZh);
  const chart = h('div.e-chart.e-savings-chart');
  const card = h(
    'section.panel.e-section.e-retrofit',
    { dataset: { retrofit: r.id, state: res ? 'result' : 'problem' } },
    h('h2', null, localName(r.name, r.nameZh)),
    description ? h('p.note', null, description) : null,
    res
      ? h(
          'p.e-headline',
          null,
          h(
            `span.e-savings-figure${res.savings < 0 ? '.negative' : ''}`,
            null,
            t('energy.saved', { value: num(res.savings), unit, pct: num(res.savingsPct, 1) }),
          ),
          ' ',
          h(
            'span.e-uncertainty',
            null,
            t('energy.uncertainty', {
              value: num(res.uncertainty),
              unit,
              confidence: num(r.confidence * 100, 0),
            }),
          ),
          ' ',
          h(
            `span.e-badge${res.meetsGuideline14 ? '' : '.warn'}`,
            { title: t('energy.g14Title') },
            res.meetsGuideline14 ? t('energy.g14Yes') : t('energy.g14No'),
          ),
        )
      : h('p.e-problem', null, t('energy.noResult'), ' ', localName(r.problem ?? '', r.problemZh)),
    h(
      'dl.e-facts.e-retrofit-facts',
      null,
      fact(t('energy.meters'), r.meters.map((m) => names.get(m) ?? m).join(', '), r.meters.join(', ')),
      fact(
        t('energy.baseline'),
        `${period(r.baseline)} · ${t('energy.days', { n: r.baseline.days.length })}`,
      ),
      fact(
        t('energy.reporting'),
        `${period(r.reporting)} · ${t('energy.days', { n: r.reporting.days.length })}`,
      ),
      fact(t('energy.normalise'), normalisation(r.normalise)),
      fact(
        t('energy.excluded'),
        t('energy.excludedDays', {
          baseline: r.baseline.excluded.length,
          reporting: r.reporting.excluded.length,
        }),
        [...r.baseline.excluded, ...r.reporting.excluded].join(', '),
      ),
      res
        ? fact(t('energy.perDay'), `${num(res.perDay.baseline)} → ${num(res.perDay.reporting)} ${unit}`)
        : null,
      res ? fact(t('energy.adjustedBaseline'), `${num(res.adjustedBaseline)} ${unit}`) : null,
      res ? fact(t('energy.actual'), `${num(res.actual)} ${unit}`) : null,
      res
        ? fact(
            t('energy.savings'),
            `${num(res.savings)} ${unit} (${num(res.savingsPct, 1)} %) ± ${num(res.uncertainty)} ${unit}${
              res.uncertaintyPct === null ? '' : ` (± ${num(res.uncertaintyPct, 1)} %)`
            } @ ${num(r.confidence * 100, 0)} %`,
          )
        : null,
      r.promisedPct !== undefined && r.promisedPct !== null
        ? fact(
            t('energy.promised'),
            res
              ? t(res.savingsPct >= r.promisedPct ? 'energy.promiseMet' : 'energy.promiseMissed', {
                  pct: num(r.promisedPct, 0),
                })
              : `${num(r.promisedPct, 0)} %`,
          )
        : null,
      res
        ? fact(
            t('energy.model'),
            t('energy.fit', {
              model: t(`energy.model.${res.fit.model}`),
              n: res.fit.n,
              cv: num(res.fit.cvRmse * 100, 1),
              r2: num(res.fit.r2, 2),
            }),
          )
        : null,
    ),
    chart,
  );
  const days = [
    ...r.baseline.days.map((d) => ({ ...d, k: 'b' })),
    ...r.reporting.days.map((d) => ({ ...d, k: 'r' })),
  ].sort((a, b) => (a.day < b.day ? -1 : 1));
  if (days.length === 0) chart.append(h('p.note', null, t('energy.noDays')));
  else
    requestAnimationFrame(() => {
      if (!chart.isConnected) return;
      const xs = days.map((d) => Date.parse(`${d.day}T12:00:00Z`) / 1000);
      const bars = uPlot.paths.bars?.({ size: [0.8, 30], gap: 1 });
      const series = (label: string, colour: string): uPlot.Series => ({
        label,
        fill: colour,
        stroke: colour,
        width: 0,
        ...(bars ? { paths: bars } : {}),
        points: { show: false },
        value: (_u, v) => (v === null ? '—' : `${num(v)} ${unit}`),
      });
      const options = (): ChartOptions => {
        const axis = axisStyle();
        return {
          height: 220,
          // Days are calendar days (noon UTC stands for the day), whatever the zone.
          tzDate: (s) => uPlot.tzDate(new Date(s * 1000), 'UTC'),
          scales: {
            // Half a day either side, so the first and last bars show whole.
            x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] },
            y: { range: (_u, _m, max) => [0, max > 0 ? max * 1.1 : 1] },
          },
          cursor: { points: { show: false } },
          series: [
            { label: t('energy.col.day') },
            series(t('energy.baselineDays'), themeColour('--e-baseline', '#9aa1a8')),
            series(t('energy.reportingDays'), paletteAt(0)),
          ],
          axes: [{ ...axis, incrs: DAY_STEPS, values: dayLabels }, valueAxis(axis, unit)],
        };
      };
      disposers.push(
        plotIn(chart, options, [
          xs,
          days.map((d) => (d.k === 'b' ? d.consumption : null)),
          days.map((d) => (d.k === 'r' ? d.consumption : null)),
        ]),
      );
    });
  return card;
}

/** Ticks a whole number of days apart: the bars are days. */
const DAY_STEPS = [1, 2, 7, 14, 28, 56, 91, 182, 364].map((d) => d * 86_400);

/** "11-25": the calendar day of each tick (a 12-hour "12pm" would mean nothing on a day chart). */
const dayLabels = (_u: uPlot, splits: number[]): string[] =>
  splits.map((s) => new Date(s * 1000).toISOString().slice(5, 10));

/** A fact of the card; `title` what a hover adds. */
function fact(label: string, value: string, title?: string): HTMLElement {
  return h('div', null, h('dt', null, label), h('dd', { title: title || null }, value));
}

function normalisation(n: Normalisation): string {
  if (n.by === 'day') return t('energy.norm.day');
  if (n.by === 'degree-days')
    return t('energy.norm.degreeDays', { kind: t(`energy.norm.${n.kind}`), base: n.baseC });
  return t('energy.norm.point', { point: n.point });
}

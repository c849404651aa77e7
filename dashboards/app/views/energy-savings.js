// Energy › Savings: each retrofit's verified savings (baseline before, reporting after, the
// same meters), with the uncertainty, the promise and ASHRAE Guideline 14's test, and a chart of
// the daily consumption of both periods.
import { valueAxis } from '../axis.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { AXIS, energyUrl, errorNote, getJson, localDate, num, plotIn, uPlot } from './energy-common.js';

/** @param {HTMLElement} root */
export function render(root) {
  const box = h('div#e-savings', { dataset: { state: 'loading' } }, h('p.note', null, t('loading')));
  root.replaceChildren(box);
  /** @type {(() => void)[]} */
  const disposers = [];

  (async () => {
    try {
      const list = await getJson(energyUrl('retrofits'));
      box.replaceChildren(
        ...(list.length === 0 ? [h('p.note', null, t('energy.noRetrofits'))] : []),
        ...list.map((/** @type {any} */ r) => retrofitCard(r, disposers)),
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

/** @param {any} r @param {(() => void)[]} disposers */
function retrofitCard(r, disposers) {
  const res = r.result;
  const unit = r.unit;
  const period = (/** @type {any} */ p) => `${localDate(p.from)} – ${localDate(p.to - 1)}`;
  const chart = h('div.e-chart.e-savings-chart');
  const card = h(
    'section.panel.e-section.e-retrofit',
    { dataset: { retrofit: r.id, state: res ? 'result' : 'problem' } },
    h('h2', null, r.name),
    r.description ? h('p.note', null, r.description) : null,
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
      : h('p.e-problem', null, t('energy.noResult'), ' ', r.problem ?? ''),
    h(
      'dl.e-facts.e-retrofit-facts',
      null,
      fact(t('energy.meters'), r.meters.join(', ')),
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
              model: res.fit.model,
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
    ...r.baseline.days.map((/** @type {any} */ d) => ({ ...d, k: 'b' })),
    ...r.reporting.days.map((/** @type {any} */ d) => ({ ...d, k: 'r' })),
  ].sort((a, b) => (a.day < b.day ? -1 : 1));
  if (days.length === 0) chart.append(h('p.note', null, t('energy.noDays')));
  else
    requestAnimationFrame(() => {
      if (!chart.isConnected) return;
      const xs = days.map((d) => Date.parse(`${d.day}T12:00:00Z`) / 1000);
      const bars = uPlot.paths.bars?.({ size: [0.8, 30], gap: 1 });
      const series = (
        /** @type {string} */ k,
        /** @type {string} */ label,
        /** @type {string} */ colour,
      ) => ({
        label,
        fill: colour,
        stroke: colour,
        width: 0,
        paths: bars,
        points: { show: false },
        value: (/** @type {any} */ _u, /** @type {number | null} */ v) =>
          v === null ? '—' : `${num(v)} ${unit}`,
        _k: k,
      });
      disposers.push(
        plotIn(
          chart,
          {
            height: 220,
            tzDate: (/** @type {number} */ s) => uPlot.tzDate(new Date(s * 1000), 'UTC'),
            scales: {
              // Half a day either side, so the first and last bars show whole.
              x: {
                time: true,
                range: (/** @type {any} */ _u, /** @type {number} */ min, /** @type {number} */ max) => [
                  min - 43_200,
                  max + 43_200,
                ],
              },
              y: {
                range: (/** @type {any} */ _u, /** @type {number} */ _m, /** @type {number} */ max) => [
                  0,
                  max > 0 ? max * 1.1 : 1,
                ],
              },
            },
            cursor: { points: { show: false } },
            series: [
              {},
              series('b', t('energy.baselineDays'), '#9aa1a8'),
              series('r', t('energy.reportingDays'), '#3f4a56'),
            ],
            axes: [AXIS, valueAxis(AXIS, unit)],
          },
          [
            xs,
            days.map((d) => (d.k === 'b' ? d.consumption : null)),
            days.map((d) => (d.k === 'r' ? d.consumption : null)),
          ],
        ),
      );
    });
  return card;
}

/** @param {string} label @param {string} value @param {string} [title] */
function fact(label, value, title) {
  return h('div', null, h('dt', null, label), h('dd', { title: title || null }, value));
}

/** @param {any} n */
function normalisation(n) {
  if (!n || n.by === 'day') return t('energy.norm.day');
  if (n.by === 'degree-days')
    return t('energy.norm.degreeDays', {
      kind: t(`energy.norm.${n.kind ?? 'cooling'}`),
      base: n.baseC ?? '—',
    });
  return t('energy.norm.point', { point: n.point ?? '—' });
}

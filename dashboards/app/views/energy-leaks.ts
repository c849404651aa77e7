// Energy › Leaks: each watched water meter's minimum night flow over the last 14 nights
// against its threshold, the run of wet nights, and "leak suspected" when the run is long enough.
import type { LeakStatus, MeterNights } from '../../../src/api-types/energy.js';
import { getJson } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import type { TabView } from './energy.js';
import { csvLink, energyUrl, errorNote, meterNames, num, pct, when } from './energy-common.js';

export function render(root: HTMLElement): TabView {
  const box = h('div#e-leaks', { dataset: { state: 'loading' } }, h('p.note', null, t('loading')));
  root.replaceChildren(box);
  const url = energyUrl('leaks');

  (async () => {
    try {
      const [status, names] = await Promise.all([getJson<LeakStatus>(url), meterNames()]);
      const suspected = status.meters.filter((m) => m.suspected).length;
      box.replaceChildren(
        h('div.e-table-head', null, h('h2', null, t('energy.leaksTitle')), csvLink(url, 'e-leaks-csv')),
        h(
          'p.note',
          null,
          t('energy.leaksNote', {
            from: status.window.from,
            to: status.window.to,
            nights: status.nights,
            checked: when(status.checkedAt),
          }),
        ),
        h(
          `p#e-leak-summary.e-summary${suspected ? '.alarm' : ''}`,
          null,
          suspected ? t('energy.leaksSuspected', { n: suspected }) : t('energy.leaksNone'),
        ),
        h('div.e-leaks', null, ...status.meters.map((m) => meterCard(m, names, status.nights))),
        h(
          'p.note.e-legend',
          null,
          h('span.e-night.dry.legend'),
          ` ${t('energy.night.dry')}  `,
          h('span.e-night.wet.legend'),
          ` ${t('energy.night.wet')}  `,
          h('span.e-night.nodata.legend'),
          ` ${t('energy.night.nodata')}`,
        ),
      );
      box.dataset.state = 'ready';
    } catch (err) {
      box.replaceChildren(errorNote(err));
      box.dataset.state = 'error';
    }
  })();
  return {};
}

/** A meter's card: its last nights against the threshold; `needed` wet nights make a leak suspected. */
function meterCard(m: MeterNights, names: Map<string, string>, needed: number): HTMLElement {
  const flows = m.nights.map((n) => n.minimumFlow ?? 0);
  const scale = Math.max(m.threshold * 1.5, ...flows) || 1;
  const threshold = h('span.e-threshold');
  threshold.style.bottom = `${(m.threshold / scale) * 100}%`;
  return h(
    `section.panel.e-leak${m.suspected ? '.suspected' : ''}`,
    { dataset: { device: m.device, suspected: String(m.suspected) } },
    h(
      'h3',
      null,
      names.get(m.device) ?? m.device,
      ' ',
      h('small', null, m.device),
      m.suspected ? h('span.e-badge.alarm', null, t('energy.leakSuspected')) : null,
    ),
    h(
      'dl.e-facts',
      null,
      h('dt', null, t('energy.threshold')),
      h('dd', null, `${num(m.threshold)} m³/h`),
      h('dt', null, t('energy.wetRun')),
      h('dd.e-wet-run', null, t('energy.wetRunOf', { n: m.wetNights, of: needed })),
    ),
    h(
      'div.e-nights',
      { role: 'img', 'aria-label': t('energy.nightsLabel') },
      threshold,
      ...m.nights.map((n) => {
        const flow = n.minimumFlow;
        const kind = flow === null || n.wet === null ? 'nodata' : n.wet ? 'wet' : 'dry';
        const column = h(`span.e-night.${kind}`, {
          dataset: { date: n.date },
          title: `${n.date}: ${
            kind === 'nodata'
              ? t('energy.night.nodataTitle', { coverage: pct(n.coverage) })
              : t('energy.night.title', { flow: num(flow), state: t(`energy.night.${kind}`) })
          }`,
        });
        column.style.height =
          flow === null || kind === 'nodata' ? '100%' : `${Math.max(3, (flow / scale) * 100)}%`;
        return h('span.e-night-slot', null, column);
      }),
    ),
    h(
      'div.e-night-dates',
      null,
      h('span', null, m.nights[0]?.date.slice(5) ?? ''),
      h('span', null, m.nights.at(-1)?.date.slice(5) ?? ''),
    ),
  );
}

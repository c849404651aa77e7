// Energy › Demand: each incomer's peak 15-minute demand per day or month (when, mean, load
// factor) and each distribution room's headroom against its rated kVA.
import type { DemandReport, Resolution } from '../../../src/api-types/energy.js';
import { getJson } from '../api.js';
import { h } from '../dom.js';
import { localName, t } from '../i18n.js';
import type { TabView } from './energy.js';
import {
  bar,
  csvLink,
  energyUrl,
  errorNote,
  head,
  num,
  numCell,
  type PeriodState,
  pct,
  periodPicker,
  periodRange,
  resolutionPicker,
  when,
} from './energy-common.js';

/** Utilisation above this is abnormal (and only then coloured). */
const HIGH_UTILISATION = 0.8;

const RESOLUTIONS: readonly Resolution[] = ['day', 'month'];

const state: PeriodState & { resolution: Resolution } = {
  period: 'this-month',
  from: '',
  to: '',
  resolution: 'day',
};

export function render(root: HTMLElement): TabView {
  const tools = h('div.e-tools');
  const meters = h('div#e-demand', { dataset: { state: 'loading' } });
  const rooms = h('div#e-headroom', { dataset: { state: 'loading' } });
  let generation = 0;
  root.replaceChildren(
    tools,
    h('section.panel.e-section', null, rooms),
    h('section.panel.e-section', null, meters),
  );

  async function load() {
    tools.replaceChildren(
      periodPicker(state, load),
      resolutionPicker('e-demand-res', RESOLUTIONS, state, load),
    );
    const mine = ++generation;
    const range = periodRange(state);
    const url = energyUrl('demand', { from: range.from, to: range.to, resolution: state.resolution });
    meters.dataset.state = 'loading';
    rooms.dataset.state = 'loading';
    try {
      const report = await getJson<DemandReport>(url);
      if (mine !== generation) return;
      drawRooms(report, `${url}&table=rooms`);
      drawMeters(report, url);
    } catch (err) {
      if (mine !== generation) return;
      meters.replaceChildren(errorNote(err));
      rooms.replaceChildren();
      meters.dataset.state = 'error';
      rooms.dataset.state = 'error';
    }
  }

  function drawRooms(report: DemandReport, url: string): void {
    rooms.replaceChildren(
      h('div.e-table-head', null, h('h2', null, t('energy.headroom')), csvLink(url, 'e-headroom-csv')),
      h(
        'div.scroll',
        null,
        h(
          'table.e-table.e-headroom',
          null,
          head([
            'energy.col.room',
            'energy.col.building',
            'energy.col.ratedKva#',
            'energy.col.peakKva#',
            'energy.col.at',
            'energy.col.utilisation',
            'energy.col.headroomKva#',
          ]),
          h(
            'tbody',
            null,
            ...report.rooms.map((r) => {
              const high = r.utilisation !== null && r.utilisation > HIGH_UTILISATION;
              return h(
                `tr${high ? '.high' : ''}`,
                { dataset: { room: r.room } },
                h('th', { scope: 'row' }, localName(r.roomName, r.roomNameZh)),
                h('td', null, localName(r.buildingName, r.buildingNameZh)),
                numCell(r.ratedKva, 0),
                numCell(r.peakKva, 0),
                h('td', null, when(r.peakAt)),
                h(
                  'td.e-util',
                  { title: high ? t('energy.highUtilisation') : null },
                  bar(r.utilisation, high ? 'high' : ''),
                  h('span.num', null, pct(r.utilisation)),
                ),
                numCell(r.headroomKva, 0),
              );
            }),
          ),
        ),
      ),
      h('p.note', null, t('energy.headroomNote', { minutes: Math.round(report.blockMs / 60_000) })),
    );
    rooms.dataset.state = 'ready';
  }

  function drawMeters(report: DemandReport, url: string): void {
    meters.replaceChildren(
      h('div.e-table-head', null, h('h2', null, t('energy.peaks')), csvLink(url, 'e-demand-csv')),
      h(
        'div.e-meters',
        null,
        ...report.meters.map((m) => {
          const top = Math.max(0, ...m.periods.map((p) => p.peakKw ?? 0));
          return h(
            'div.e-meter',
            { dataset: { device: m.device } },
            h(
              'h3',
              null,
              localName(m.name, m.nameZh),
              ' ',
              h('small', null, localName(m.roomName, m.roomNameZh)),
            ),
            h(
              'div.scroll',
              null,
              h(
                'table.e-table.e-peaks',
                null,
                head([
                  'energy.col.period',
                  'energy.col.peakKw#',
                  'energy.col.at',
                  'energy.col.meanKw#',
                  'energy.col.loadFactor#',
                  'energy.col.peakKva#',
                ]),
                h(
                  'tbody',
                  null,
                  ...m.periods.map((p) =>
                    h(
                      `tr${p.peakKw !== null && p.peakKw === top && top > 0 ? '.peak-row' : ''}`,
                      { dataset: { period: p.label } },
                      h('th', { scope: 'row' }, p.label),
                      numCell(p.peakKw, 1),
                      h('td', null, when(p.peakAt)),
                      numCell(p.meanKw, 1),
                      h('td.num', null, p.loadFactor === null ? '—' : num(p.loadFactor, 2)),
                      numCell(p.peakKva, 1),
                    ),
                  ),
                ),
              ),
            ),
          );
        }),
      ),
      h('p.note', null, t('energy.peaksNote')),
    );
    meters.dataset.state = 'ready';
  }

  load();
  return {};
}

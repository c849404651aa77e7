// Energy › Intensity: kWh and m³ per m² of floor and per bed, per building and for the site.
import type { IntensityReport } from '../../../src/api-types/energy.js';
import { getJson } from '../api.js';
import { h } from '../dom.js';
import { localName, t } from '../i18n.js';
import type { TabView } from './energy.js';
import {
  csvLink,
  energyUrl,
  errorNote,
  head,
  numCell,
  type PeriodState,
  periodPicker,
  periodRange,
} from './energy-common.js';

const state: PeriodState = { period: 'last-month', from: '', to: '' };

export function render(root: HTMLElement): TabView {
  const tools = h('div.e-tools');
  const box = h('div#e-intensity', { dataset: { state: 'loading' } });
  root.replaceChildren(tools, h('section.panel.e-section', null, box));
  let generation = 0;

  async function load() {
    tools.replaceChildren(periodPicker(state, load));
    const mine = ++generation;
    const range = periodRange(state);
    const url = energyUrl('intensity', { from: range.from, to: range.to });
    box.dataset.state = 'loading';
    try {
      const report = await getJson<IntensityReport>(url);
      if (mine !== generation) return;
      box.replaceChildren(
        h(
          'div.e-table-head',
          null,
          h('h2', null, t('energy.intensityTitle', { from: range.from, to: range.to })),
          csvLink(url, 'e-intensity-csv'),
        ),
        h(
          'div.scroll',
          null,
          h(
            'table.e-table.e-intensity',
            null,
            head([
              'energy.col.building',
              'energy.col.area#',
              'energy.col.beds#',
              'energy.col.kwh#',
              'energy.col.m3#',
              'energy.col.kwhPerM2#',
              'energy.col.kwhPerBed#',
              'energy.col.m3PerM2#',
              'energy.col.m3PerBed#',
            ]),
            h(
              'tbody',
              null,
              ...report.rows.map((r) =>
                h(
                  `tr${r.key.includes('/') ? '' : '.site'}`,
                  { dataset: { key: r.key } },
                  h('th', { scope: 'row' }, localName(r.name, r.nameZh)),
                  numCell(r.areaM2, 0),
                  numCell(r.beds, 0),
                  numCell(r.kwh, 0),
                  numCell(r.m3, 0),
                  numCell(r.kwhPerM2, 2),
                  numCell(r.kwhPerBed, 1),
                  numCell(r.m3PerM2, 3),
                  numCell(r.m3PerBed, 2),
                ),
              ),
            ),
          ),
        ),
        h('p.note', null, t('energy.intensityNote')),
      );
      box.dataset.state = 'ready';
    } catch (err) {
      if (mine !== generation) return;
      box.replaceChildren(errorNote(err));
      box.dataset.state = 'error';
    }
  }

  load();
  return {};
}

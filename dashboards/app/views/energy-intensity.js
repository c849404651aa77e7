// Energy › Intensity: kWh and m³ per m² of floor and per bed, per building and for the site.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import {
  csvLink,
  energyUrl,
  errorNote,
  getJson,
  head,
  numCell,
  periodPicker,
  periodRange,
} from './energy-common.js';

const state = { period: 'last-month', from: '', to: '' };

/** @param {HTMLElement} root */
export function render(root) {
  const tools = h('div.e-tools');
  const box = h('div#e-intensity', { dataset: { state: 'loading' } });
  root.replaceChildren(tools, h('section.panel.e-section', null, box));
  let generation = 0;

  async function load() {
    tools.replaceChildren(periodPicker(state, load));
    const mine = ++generation;
    const range = periodRange(state);
    const url = energyUrl('intensity', range);
    box.dataset.state = 'loading';
    try {
      const report = await getJson(url);
      if (mine !== generation) return;
      box.replaceChildren(
        h(
          'div.e-table-head',
          null,
          h('h2', null, t('energy.intensityTitle', range)),
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
              ...report.rows.map((/** @type {any} */ r) =>
                h(
                  `tr${r.key.includes('/') ? '' : '.site'}`,
                  { dataset: { key: r.key } },
                  h('th', { scope: 'row' }, r.name),
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

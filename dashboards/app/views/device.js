// Equipment detail: every current value with its quality and age, the equipment's alarms,
// and a trend (uPlot) of one point over 1 h, 24 h or 7 d from the history API.
import uPlot from '/vendor/uplot/uPlot.esm.js';
import * as api from '../api.js';
import { valueAxis } from '../axis.js';
import { h } from '../dom.js';
import { formatAge, formatTime } from '../format.js';
import { t } from '../i18n.js';
import { state } from '../live.js';
import { findDevice, names } from '../plant.js';
import { STATES, tableHead, valueView } from '../widgets.js';

const RANGES = ['1h', '24h', '7d'];

/** @param {HTMLElement} root @param {string[]} params device id */
export function render(root, params) {
  const id = params[0] ?? '';
  const found = findDevice(id);
  if (!found) {
    root.replaceChildren(h('p.note', null, state.loaded ? t('device.unknown') : t('loading')));
    return {};
  }
  const { room, device } = found;
  const infos = [...device.points.values()];
  const ageCells = new Map();
  const qualityCells = new Map();
  const table = h(
    'table.points',
    null,
    tableHead(['col.point', 'col.value', 'col.quality', 'col.age']),
    h(
      'tbody',
      null,
      ...infos.map((info) => {
        const age = h('td.age');
        const quality = h('td.quality');
        ageCells.set(info.id, age);
        qualityCells.set(info.id, quality);
        return h(
          'tr',
          { dataset: { point: info.id } },
          h('td', null, info.label),
          h('td', null, valueView(info.id, { states: STATES[info.name] })),
          quality,
          age,
        );
      }),
    ),
  );
  const analog = infos.filter((i) => i.kind === 'analog');
  let chosen = (analog[0] ?? infos[0])?.id;
  let range = '1h';
  const select = h(
    'select#trend-point',
    {
      onchange: () => {
        chosen = select.value;
        load();
      },
    },
    ...infos.map((i) => h('option', { value: i.id, selected: i.id === chosen }, i.label)),
  );
  const rangeButtons = RANGES.map((r) =>
    h(
      'button.range',
      {
        type: 'button',
        dataset: { range: r },
        onclick: () => {
          range = r;
          load();
        },
      },
      t(`range.${r}`),
    ),
  );
  const chartBox = h('div.chart', { dataset: { state: 'loading' } });
  const alarmList = h('ul.device-alarms');
  /** @type {uPlot | null} */
  let plot = null;

  async function load() {
    for (const b of rangeButtons) b.classList.toggle('on', b.dataset.range === range);
    chartBox.dataset.state = 'loading';
    try {
      const body = await api.history(/** @type {string} */ (chosen), `-${range}`);
      const xs = [];
      const ys = [];
      for (const v of body.values) {
        xs.push(v.ts / 1000);
        ys.push(v.value);
      }
      plot?.destroy();
      plot = null;
      chartBox.replaceChildren();
      if (xs.length === 0) {
        chartBox.append(h('p.note', null, t('device.nohistory')));
      } else {
        const info = state.catalog.get(/** @type {string} */ (chosen));
        const width = Math.max(280, chartBox.clientWidth || 600);
        plot = new uPlot(
          {
            width,
            height: 260,
            scales: { x: { time: true } },
            series: [
              {},
              {
                label: `${info?.label ?? chosen} (${body.unit ?? ''})`,
                stroke: '#2f6fa3',
                width: 1.5,
                spanGaps: false,
              },
            ],
            axes: [{ stroke: '#555' }, valueAxis({ stroke: '#555' })],
          },
          [xs, ys],
          chartBox,
        );
      }
      chartBox.dataset.state = 'ready';
    } catch (err) {
      chartBox.replaceChildren(h('p.error', null, String(/** @type {Error} */ (err).message)));
      chartBox.dataset.state = 'error';
    }
  }

  const title = device.name;
  root.replaceChildren(
    h(
      'nav.crumbs',
      null,
      h('a', { href: '#/' }, t('nav.overview')),
      ' › ',
      h('a', { href: `#/room/${room.key}` }, names().rooms.get(room.key) ?? room.id),
      ' › ',
      title,
    ),
    h('h1.page-title', null, title, ' ', h('small', null, `${device.id} · ${device.equipment}`)),
    h(
      'div.device-layout',
      null,
      h('section.panel', null, h('h2', null, t('device.points')), h('div.scroll', null, table)),
      h(
        'section.panel',
        null,
        h('h2', null, t('device.trend')),
        h('div.trend-tools', null, select, ...rangeButtons),
        chartBox,
        h('h2', null, t('device.alarms')),
        alarmList,
      ),
    ),
  );

  function update() {
    for (const [pid, cell] of ageCells) cell.textContent = formatAge(state.values.get(pid)?.ts);
    for (const [pid, cell] of qualityCells) {
      const q = state.values.get(pid)?.quality ?? 'no-data';
      cell.textContent = t(`q.${q}`);
      cell.className = `quality q-${q}`;
    }
    const mine = [...state.alarms.values()].filter((a) => a.device === device.id);
    alarmList.replaceChildren(
      ...mine.map((a) =>
        h(
          'li',
          { dataset: { alarm: a.id, state: a.state } },
          h(`span.pill.p-${a.priority}${a.state === 'normal' ? '.zero' : ''}`, null, t(`p.${a.priority}`)),
          ' ',
          a.state === 'normal' ? a.condition : a.message,
          ' — ',
          t(`state.${a.state}`),
          a.state === 'normal' ? '' : ` · ${formatTime(a.activeSince ?? a.since)}`,
        ),
      ),
    );
  }
  update();
  load();
  return {
    update,
    periodic: update,
    dispose: () => plot?.destroy(),
    devices: [device.id],
  };
}

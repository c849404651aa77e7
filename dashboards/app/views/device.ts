// The equipment page: every current value with its quality and age, the equipment's alarms, and
// the trend of its points (trend/).
import { h } from '../dom.js';
import { formatAge } from '../format.js';
import { localName, t } from '../i18n.js';
import { type Alarm, state } from '../live.js';
import { alarmText, findDevice, names } from '../plant.js';
import { formatTime } from '../time.js';
import { createTrend } from '../trend/index.js';
import { pointLabel, STATES, tableHead, valueView } from '../widgets.js';

export interface DeviceView {
  update: () => void;
  periodic: () => void;
  dispose: () => void;
  devices: string[];
}

export function render(root: HTMLElement, params: string[]): DeviceView | Record<string, never> {
  const id = params[0] ?? '';
  const found = findDevice(id);
  if (!found) {
    root.replaceChildren(h('p.note', null, state.loaded ? t('device.unknown') : t('loading')));
    return {};
  }
  const { room, device } = found;
  const infos = [...device.points.values()];
  const ageCells = new Map<string, HTMLElement>();
  const qualityCells = new Map<string, HTMLElement>();
  const rows = infos.map((info) => {
    const age = h('td.age');
    const quality = h('td.quality');
    ageCells.set(info.id, age);
    qualityCells.set(info.id, quality);
    return h(
      'tr',
      { dataset: { point: info.id } },
      h('td', null, pointLabel(info)),
      h('td', null, valueView(info.id, { states: STATES[info.name] })),
      quality,
      age,
    );
  });
  const table = h(
    'table.points',
    null,
    tableHead(['col.point', 'col.value', 'col.quality', 'col.age']),
    h('tbody', null, ...rows),
  );
  const trend = createTrend({ id: device.id, equipment: device.equipment, points: infos });
  const alarmList = h('ul.device-alarms');
  const title = localName(device.name, infos[0]?.deviceNameZh);
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
        trend.element,
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
    alarmList.replaceChildren(...mine.map(alarmItem));
  }
  update();
  return { update, periodic: update, dispose: trend.dispose, devices: [device.id] };
}

/** "critical Chilled water supply high — active, unacknowledged · 14:05:09" */
function alarmItem(a: Alarm): HTMLElement {
  const normal = a.state === 'normal';
  return h(
    'li',
    { dataset: { alarm: a.id, state: a.state } },
    h(`span.pill.p-${a.priority}${normal ? '.zero' : ''}`, null, t(`p.${a.priority}`)),
    ' ',
    alarmText(a),
    ' — ',
    t(`state.${a.state}`),
    normal ? '' : ` · ${formatTime(a.activeSince ?? a.since)}`,
  );
}

// Plant overview: key figures, then every building's rooms as tiles with status and alarm counts.
import { h } from '../dom.js';
import { formatValue } from '../format.js';
import { t } from '../i18n.js';
import { state } from '../live.js';
import {
  activeAlarms,
  countByPriority,
  mean,
  names,
  PRIORITIES,
  plantTree,
  roomAlarms,
  roomStatus,
  sum,
} from '../plant.js';
import { field } from '../widgets.js';

/** The one figure a tile shows for its room kind. */
const TILE_POINT = {
  'distribution-room': ['incomer', 'power_kw'],
  'chiller-plant': [null, 'chw_supply_temp'],
  'pump-room': [null, 'outlet_pressure_bar'],
  'oxygen-station': [null, 'supply_pressure_bar'],
  'water-meter-point': [null, 'flow_m3h'],
};

/** @param {Record<string, number>} counts */
export function alarmPills(counts) {
  return h(
    'span.pills',
    null,
    ...PRIORITIES.map((p) =>
      h(
        `span.pill.p-${p}${counts[p] ? '' : '.zero'}`,
        { title: t(`p.${p}`), dataset: { priority: p } },
        String(counts[p]),
      ),
    ),
  );
}

/** @param {HTMLElement} root */
export function render(root) {
  const tree = plantTree();
  const { rooms: roomNames, buildings: buildingNames } = names();
  const allDevices = tree.flatMap((s) => s.buildings.flatMap((b) => b.rooms.flatMap((r) => r.devices)));
  const incomers = allDevices.filter((d) => d.equipment === 'power-meter' && /incomer/.test(d.id));
  const chillers = allDevices.filter((d) => d.equipment === 'chiller');
  const meters = allDevices.filter((d) => d.equipment === 'water-meter');

  const figs = {
    kw: h('span.fig-value'),
    chw: h('span.fig-value'),
    water: h('span.fig-value'),
    alarms: h('span.fig-value'),
  };
  const figures = h(
    'section.figures',
    null,
    ...Object.entries(figs).map(([k, el]) =>
      h('div.figure', { dataset: { figure: k } }, h('span.label', null, t(`fig.${k}`)), el),
    ),
  );

  /** @type {{ tile: HTMLElement, room: any }[]} */
  const tiles = [];
  const buildings = tree.flatMap((site) =>
    site.buildings.map((b) =>
      h(
        'section.building',
        null,
        h('h2', null, buildingNames.get(b.id) ?? b.id),
        h(
          'div.tiles',
          null,
          ...b.rooms.map((room) => {
            const [deviceMatch, point] = TILE_POINT[/** @type {keyof TILE_POINT} */ (room.kind)] ?? [
              null,
              null,
            ];
            const device = room.devices.find(
              (d) => d.points.has(point ?? '') && (!deviceMatch || d.id.includes(deviceMatch)),
            );
            const tile = h(
              'a.tile',
              { href: `#/room/${room.key}`, dataset: { room: room.key } },
              h('span.tile-kind', null, t(`kind.${room.kind}`)),
              h('strong.tile-name', null, roomNames.get(room.key) ?? room.id),
              h('span.tile-status'),
              device && point
                ? field(device.points.get(point)?.label ?? point, `${device.id}.${point}`)
                : null,
              h('span.tile-alarms'),
            );
            tiles.push({ tile, room });
            return tile;
          }),
        ),
      ),
    ),
  );
  root.replaceChildren(h('h1.page-title', null, t('nav.overview')), figures, ...buildings);

  function update() {
    figs.kw.textContent = formatValue(sum(incomers, 'power_kw'), 'kW');
    const supply = mean(chillers, 'chw_supply_temp');
    const ret = mean(chillers, 'chw_return_temp');
    figs.chw.textContent = `${formatValue(supply)} / ${formatValue(ret, '°C')}`;
    figs.water.textContent = formatValue(sum(meters, 'flow_m3h'), 'm³/h');
    figs.alarms.replaceChildren(alarmPills(countByPriority(activeAlarms())));
    for (const { tile, room } of tiles) {
      const status = roomStatus(room);
      tile.dataset.status = status;
      /** @type {HTMLElement} */ (tile.querySelector('.tile-status')).textContent = t(`status.${status}`);
      const alarms = roomAlarms(room);
      /** @type {HTMLElement} */ (tile.querySelector('.tile-alarms')).replaceChildren(
        alarms.length ? alarmPills(countByPriority(alarms)) : '',
      );
    }
  }
  update();
  return { update, periodic: update, loaded: state.loaded };
}

// Plant overview: key figures, then every building's rooms as tiles. A tile is grey while its
// room is normal; with an alarm it carries the most urgent unacknowledged alarm's priority
// (colour, shape and word) and text, so a tripped chiller never looks like a maintenance reminder.
import { h } from '../dom.js';
import { formatValue } from '../format.js';
import { t } from '../i18n.js';
import {
  activeAlarms,
  alarmPlace,
  alarmText,
  countByPriority,
  isUnacknowledged,
  leadingAlarm,
  mean,
  names,
  plantTree,
  type Room,
  roomAlarms,
  roomStatus,
  sum,
} from '../plant.js';
import { alarmPills, priorityBadge } from '../salience.js';
import { field, pointLabel } from '../widgets.js';

export { alarmPills } from '../salience.js';

/** The one figure a tile shows for its room kind: [a device id part, the point]. */
const TILE_POINT: Record<string, [string | null, string]> = {
  'distribution-room': ['incomer', 'power_kw'],
  'chiller-plant': [null, 'chw_supply_temp'],
  'pump-room': [null, 'outlet_pressure_bar'],
  'oxygen-station': [null, 'supply_pressure_bar'],
  'water-meter-point': [null, 'flow_m3h'],
  // The theatres' pressure to the corridor: what keeps air from the corridor out of the wound.
  'operating-theatre': [null, 'room_pressure_pa'],
  // The lead boiler's supply temperature; the space heating's supply to the wards.
  'boiler-room': [null, 'supply_temp'],
  'heat-station': [null, 'secondary_supply_temp'],
};

interface Tile {
  tile: HTMLElement;
  room: Room;
  status: HTMLElement;
  alarm: HTMLElement;
  counts: HTMLElement;
  /** What the alarm part shows now, to redraw it only when that changes. */
  drawn: string;
}

function roomFigure(room: Room): HTMLElement | null {
  const [deviceMatch, point] = TILE_POINT[room.kind] ?? [null, null];
  if (!point) return null;
  const device = room.devices.find(
    (d) => d.points.has(point) && (!deviceMatch || d.id.includes(deviceMatch)),
  );
  const info = device?.points.get(point);
  return device && info ? field(pointLabel(info), `${device.id}.${point}`) : null;
}

function makeTile(room: Room, name: string): Tile {
  const status = h('span.tile-status');
  const alarm = h('span.tile-alarm');
  const counts = h('span.tile-alarms');
  const tile = h(
    'a.tile',
    { href: `#/room/${room.key}`, dataset: { room: room.key } },
    h('span.tile-kind', null, t(`kind.${room.kind}`)),
    h('strong.tile-name', null, name),
    status,
    alarm,
    roomFigure(room),
    counts,
  );
  return { tile, room, status, alarm, counts, drawn: '' };
}

/** The tile's status, and with alarms the leading one: its priority badge, text and how many more. */
function updateTile(view: Tile) {
  const { tile, room, status, alarm, counts } = view;
  const st = roomStatus(room);
  const alarms = roomAlarms(room);
  const lead = leadingAlarm(alarms);
  tile.dataset.status = st;
  status.textContent = t(`status.${st}`);
  // Redrawn only when the alarms shown changed (this runs on every value change).
  const key = JSON.stringify(alarms.map((a) => [a.id, a.state, a.message]));
  if (view.drawn === key) return;
  view.drawn = key;
  if (lead) {
    const unack = isUnacknowledged(lead);
    tile.dataset.priority = lead.priority;
    // The edge keeps the most urgent active priority, acknowledged or not (a tripped chiller
    // stays red while someone works on it); the fill and the text follow what awaits an ack.
    tile.dataset.worst = alarms[0]?.priority ?? lead.priority;
    tile.toggleAttribute('data-unack', unack);
    status.hidden = true;
    alarm.hidden = false;
    alarm.replaceChildren(
      priorityBadge(lead.priority, unack),
      h('span.tile-alarm-text', null, alarmText(lead)),
      h('span.tile-acked', { hidden: unack }, ` · ${t('tile.acked')}`),
      h('span.tile-more', { hidden: alarms.length < 2 }, ` ${t('tile.more', { n: alarms.length - 1 })}`),
    );
    alarm.title = `${alarmPlace(lead)}: ${alarmText(lead)}`;
  } else {
    delete tile.dataset.priority;
    delete tile.dataset.worst;
    tile.removeAttribute('data-unack');
    status.hidden = false;
    alarm.hidden = true;
    alarm.replaceChildren();
  }
  counts.replaceChildren(alarms.length ? alarmPills(countByPriority(alarms)) : '');
}

export function render(root: HTMLElement): { update: () => void; periodic: () => void } {
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

  const tiles: Tile[] = [];
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
            const tile = makeTile(room, roomNames.get(room.key) ?? room.id);
            tiles.push(tile);
            return tile.tile;
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
    for (const tile of tiles) updateTile(tile);
  }
  update();
  return { update, periodic: update };
}

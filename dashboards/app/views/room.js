// A room's mimic, by room kind: distribution room (incomer, busbar, feeders), chiller plant
// (chillers, pumps), pump room, oxygen station, water meter pit.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { countByPriority, findRoom, names, roomAlarms, roomStatus } from '../plant.js';
import { ALARM_BIT, BREAKER, FAULT, field, RUNNING, TRIPPED } from '../widgets.js';
import { alarmPills } from './overview.js';

/** Which points a device card shows, per equipment: [point, states?]. */
const CARD = {
  'power-meter': [
    ['breaker_closed', BREAKER],
    ['power_kw'],
    ['current_l1'],
    ['current_l2'],
    ['current_l3'],
    ['power_factor'],
    ['voltage_l1'],
  ],
  chiller: [
    ['running', RUNNING],
    ['tripped', TRIPPED],
    ['chw_supply_temp'],
    ['chw_return_temp'],
    ['cw_inlet_temp'],
    ['cw_outlet_temp'],
    ['load_pct'],
    ['power_kw'],
  ],
  pump: [
    ['running', RUNNING],
    ['fault', FAULT],
    ['speed_hz'],
    ['flow_m3h'],
    ['outlet_pressure_bar'],
    ['power_kw'],
  ],
  'oxygen-station': [
    ['supply_pressure_bar'],
    ['tank_level_pct'],
    ['purity_pct'],
    ['low_pressure_alarm', ALARM_BIT],
  ],
  'water-meter': [['flow_m3h'], ['volume_m3']],
};

/** @param {import('../plant.js').Device} device */
export function deviceCard(device) {
  const spec =
    CARD[/** @type {keyof CARD} */ (device.equipment)] ?? [...device.points.keys()].map((p) => [p]);
  return h(
    'a.card',
    { href: `#/device/${device.id}`, dataset: { device: device.id, equipment: device.equipment } },
    h('strong.card-title', null, device.name),
    ...spec
      .filter(([p]) => device.points.has(/** @type {string} */ (p)))
      .map(([p, states]) => {
        const info = /** @type {any} */ (device.points.get(/** @type {string} */ (p)));
        return field(info.label, info.id, { states: /** @type {any} */ (states) });
      }),
  );
}

/** @param {HTMLElement} root @param {string[]} params site, building, room */
export function render(root, params) {
  const key = params.join('/');
  const room = findRoom(key);
  if (!room) {
    root.replaceChildren(h('p.note', null, t('loading')));
    return {};
  }
  const title = names().rooms.get(key) ?? room.id;
  const status = h('span.room-status');
  const alarms = h('span.room-alarms');
  let mimic;
  if (room.kind === 'distribution-room') {
    const incomers = room.devices.filter((d) => /incomer/.test(d.id));
    const feeders = room.devices.filter((d) => !incomers.includes(d));
    mimic = h(
      'div.mimic.mimic-dist',
      null,
      h('div.row.incomers', null, ...incomers.map(deviceCard)),
      h('div.busbar', null, h('span', null, t('mimic.bus'))),
      h('div.row.feeders', null, ...feeders.map(deviceCard)),
    );
  } else if (room.kind === 'chiller-plant') {
    const chillers = room.devices.filter((d) => d.equipment === 'chiller');
    const others = room.devices.filter((d) => d.equipment !== 'chiller');
    mimic = h(
      'div.mimic.mimic-chiller',
      null,
      h('h3', null, t('mimic.chillers')),
      h('div.row.chillers', null, ...chillers.map(deviceCard)),
      h('div.pipe', null, h('span', null, 'CHW ⇄')),
      h('h3', null, t('mimic.pumps')),
      h('div.row.pumps', null, ...others.map(deviceCard)),
    );
  } else {
    mimic = h(`div.mimic.mimic-${room.kind}`, null, h('div.row', null, ...room.devices.map(deviceCard)));
  }
  root.replaceChildren(
    h('nav.crumbs', null, h('a', { href: '#/' }, t('nav.overview')), ' › ', `${room.building} › ${title}`),
    h('h1.page-title', null, title, ' ', h('small', null, t(`kind.${room.kind}`)), ' ', status, ' ', alarms),
    mimic,
  );
  function update() {
    const s = roomStatus(room);
    status.className = `room-status st-${s}`;
    status.dataset.status = s;
    status.textContent = t(`status.${s}`);
    const list = roomAlarms(/** @type {any} */ (room));
    alarms.replaceChildren(list.length ? alarmPills(countByPriority(list)) : '');
  }
  update();
  return { update, periodic: update, devices: room.devices.map((d) => d.id) };
}

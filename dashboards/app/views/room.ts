// A room's page: its status and alarms, and its plant mimic — an SVG drawn from the gateway's
// model of the room (GET /api/rooms/…/mimic, from the configuration) by the room's kind
// (mimic/), with live values. The model is fetched once per room: the configuration does not
// change while the gateway runs, and a resync or a language change redraws from it at once.
import type { MimicModel } from '../../../src/api-types/mimic.js';
import { ApiError, getJson } from '../api.js';
import { h } from '../dom.js';
import { localName, t } from '../i18n.js';
import { onChange, watch } from '../live.js';
import { catalogModel } from '../mimic/fallback.js';
import { drawMimic, type Mimic } from '../mimic/index.js';
import { countByPriority, findRoom, names, type Room, roomAlarms, roomStatus } from '../plant.js';
import { alarmPills } from '../salience.js';

const models = new Map<string, MimicModel>();

const mimicPath = (room: Room) =>
  `/api/rooms/${[room.site, room.building, room.id].map(encodeURIComponent).join('/')}/mimic`;

/** The room's model: the gateway's, or one from the catalog when the gateway has none to give. */
async function loadModel(
  room: Room,
  name: string,
): Promise<{ model: MimicModel; fallback: boolean; note?: string }> {
  try {
    const model = await getJson<MimicModel>(mimicPath(room));
    models.set(room.key, model);
    return { model, fallback: false };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) throw err;
    const note = err instanceof ApiError && err.status === 404 ? undefined : t('mimic.fallback');
    return { model: catalogModel(room, name), fallback: true, ...(note ? { note } : {}) };
  }
}

export function render(root: HTMLElement, params: string[]) {
  const key = params.join('/');
  const found = findRoom(key);
  if (!found) {
    root.replaceChildren(h('p.note', null, t('loading')));
    return {};
  }
  const room: Room = found;
  const fallbackName = names().rooms.get(key) ?? room.id;
  const title = h('span.room-name', null, fallbackName);
  const status = h('span.room-status');
  const alarms = h('span.room-alarms');
  const note = h('p.note.mimic-note');
  note.hidden = true;
  const box = h('div.mimic-box', { tabIndex: 0 }, h('p.note', null, t('loading')));
  let mimic: Mimic | undefined;
  root.replaceChildren(
    h(
      'nav.crumbs',
      null,
      h('a', { href: '#/' }, t('nav.overview')),
      ' › ',
      `${names().buildings.get(room.building) ?? room.building} › `,
      title,
    ),
    h(
      'h1.page-title',
      null,
      title.cloneNode(true),
      ' ',
      h('small', null, t(`kind.${room.kind}`)),
      ' ',
      status,
      ' ',
      alarms,
    ),
    note,
    box,
  );
  const heading = root.querySelector('h1 .room-name');

  function show(model: MimicModel) {
    laidOut = box.clientWidth;
    mimic = drawMimic(model, laidOut - 2);
    const name = localName(model.name, model.nameZh);
    title.textContent = name;
    if (heading) heading.textContent = name;
    box.replaceChildren(mimic.svg);
    box.dataset.kind = model.kind;
    mimic.fit();
    // A drawing wider than a phone opens on its middle, where a room's main equipment is.
    box.scrollLeft = (box.scrollWidth - box.clientWidth) / 2;
    watch(mimic.devices);
    view.devices = mimic.devices;
  }

  function update() {
    const s = roomStatus(room);
    status.className = `room-status st-${s}`;
    status.dataset.status = s;
    status.textContent = t(`status.${s}`);
    const list = roomAlarms(room);
    alarms.replaceChildren(list.length ? alarmPills(countByPriority(list)) : '');
  }

  // A window resized or a phone turned: laid out again to the box's new width.
  let laidOut = 0;
  const resized = new ResizeObserver(() => {
    const model = models.get(key);
    if (model && mimic && Math.abs(box.clientWidth - laidOut) > 40) show(model);
  });
  resized.observe(box);

  const off = onChange((what) => {
    if (what.points.size) mimic?.binder.changed(what.points);
    if (what.alarms) mimic?.binder.alarmsChanged();
  });
  // Ages of values that are not good tick on.
  const tick = setInterval(() => mimic?.binder.changed(null), 1000);
  const view = {
    update,
    periodic: update,
    dispose() {
      off();
      resized.disconnect();
      clearInterval(tick);
    },
    devices: room.devices.map((d) => d.id),
  };

  // A room seen before is drawn at once from its model; the model is asked for again all the
  // same (a gateway restarted with a changed configuration) and redrawn only if it changed.
  const cached = models.get(key);
  if (cached) show(cached);
  loadModel(room, fallbackName)
    .then(({ model, fallback, note: why }) => {
      // The page was left meanwhile, or the gateway did not answer this time: keep what is drawn.
      if (!box.isConnected || (fallback && cached)) return;
      note.textContent = why ?? '';
      note.hidden = !why;
      if (!cached || JSON.stringify(model) !== JSON.stringify(cached)) show(model);
    })
    .catch(() => {
      // A 401: the shell goes back to the login.
    });
  update();
  return view;
}

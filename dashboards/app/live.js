// The live state: point catalog and values, alarms, connection. Fed by REST on (re)connect
// and by socket.io snapshots and deltas; views are told what changed once per animation frame.
// A page that shows a few devices watches only those (`watch`): the gateway then sends a
// snapshot of them and only their deltas; the overview and the alarms page watch everything.
import * as api from './api.js';

/** @typedef {{ id: string, device: string, deviceName: string, name: string, label: string, unit: string, site: string, building: string, room: string, buildingName?: string, roomName?: string, roomKind?: string, profile: string, equipment: string, counter: boolean, kind: 'analog' | 'state' }} PointInfo */
/** @typedef {{ value: number | boolean | null, quality: string, ts: number | null }} Reading */

export const state = {
  /** @type {Map<string, PointInfo>} */ catalog: new Map(),
  /** @type {Map<string, Reading>} */ values: new Map(),
  /** @type {Map<string, any>} alarm id → AlarmStatus */ alarms: new Map(),
  connected: false,
  /** @type {number | null} */ lostAt: null,
  loaded: false,
};

/** @type {Set<(what: { points: Set<string>, alarms: boolean, resync: boolean, connection: boolean }) => void>} */
const listeners = new Set();
let pending = { points: new Set(), alarms: false, resync: false, connection: false };
let scheduled = false;

function flush() {
  scheduled = false;
  const what = pending;
  pending = { points: new Set(), alarms: false, resync: false, connection: false };
  for (const fn of listeners) fn(what);
}

/** @param {(p: typeof pending) => void} mark */
function changed(mark) {
  mark(pending);
  if (scheduled) return;
  scheduled = true;
  // Animation frames pause in a hidden tab; a timer keeps the state current there too.
  if (document.hidden) setTimeout(flush, 250);
  else requestAnimationFrame(flush);
}

/** @param {typeof listeners extends Set<infer F> ? F : never} fn */
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Stores a reading from a snapshot or the REST resync unless the one held is newer: a delta
 * that arrived while the snapshot or the REST answer was on its way is not rolled back.
 * (A reading without a time, "no data", always replaces: the gateway has nothing newer.)
 * @param {string} id @param {Reading} reading
 */
function merge(id, reading) {
  const held = state.values.get(id);
  if (held?.ts != null && reading.ts !== null && reading.ts < held.ts) return false;
  state.values.set(id, reading);
  return true;
}

async function resync() {
  const [points, alarms] = await Promise.all([api.points(), api.alarms()]);
  state.catalog.clear();
  for (const p of points) {
    const { value, quality, ts, ageMs: _age, ...info } = p;
    state.catalog.set(p.id, info);
    merge(p.id, { value, quality, ts: ts ? Date.parse(ts) : null });
  }
  state.alarms = new Map(alarms.map((a) => [a.id, a]));
  state.loaded = true;
  changed((p) => {
    p.resync = true;
  });
}

/** @type {any} */
let socket = null;

/** What the current page shows. @type {{ all: true } | { devices: string[] }} */
let watching = { all: true };
/** The watch the gateway applies to this connection (as JSON); a new connection watches everything. */
let applied = '';
const ALL = JSON.stringify({ all: true });

/**
 * The page shows these devices only (room, equipment), or everything (null: overview, alarms).
 * Sent at once when connected, and again on every reconnect.
 * @param {string[] | null} devices
 */
export function watch(devices) {
  watching = devices ? { devices: [...new Set(devices)].sort() } : { all: true };
  sendWatch();
}

function sendWatch() {
  if (!socket?.connected) return;
  const wanted = JSON.stringify(watching);
  if (wanted === applied) return;
  applied = wanted;
  socket.emit('watch', watching, (/** @type {{ devices: number } | { error: string }} */ reply) => {
    if ('error' in reply) {
      // The gateway keeps the socket as it was: on the previous watch, at worst everything.
      console.warn('watch refused:', reply.error);
      applied = '';
    }
  });
}

/**
 * Connects (or reconnects after a login). A socket refused for want of a session, or dropped
 * because the session ended, calls onUnauthorized and is not retried.
 * @param {{ onAlarmEvent: (event: any, alarm: any) => void, onUnauthorized: () => void }} hooks
 */
export function startLive(hooks) {
  if (socket) {
    socket.connect();
    return socket;
  }
  // @ts-expect-error socket.io's classic client script defines the global io
  socket = window.io({ transports: ['websocket', 'polling'] });
  socket.on('connect_error', (/** @type {Error} */ err) => {
    if (err.message === 'unauthorized') hooks.onUnauthorized();
  });
  socket.on('session-ended', () => hooks.onUnauthorized());
  socket.on('connect', () => {
    state.connected = true;
    state.lostAt = null;
    // The gateway puts a new connection on everything (and sends it a snapshot of everything);
    // a page watching fewer devices says so again before anything else.
    applied = ALL;
    sendWatch();
    changed((p) => {
      p.connection = true;
    });
    resync().catch((err) => console.error('resync failed', err));
  });
  socket.on('disconnect', (/** @type {string} */ reason) => {
    state.connected = false;
    // Logging out (or a session that ended) is no lost connection: no banner.
    state.lostAt = reason === 'io client disconnect' || reason === 'io server disconnect' ? null : Date.now();
    changed((p) => {
      p.connection = true;
    });
  });
  // After connecting and after each watch: every watched point, with its latest value if any.
  socket.on(
    'snapshot',
    (/** @type {{ info: { id: string }, value?: { value: any, quality: string, ts: number } }[]} */ list) => {
      /** @type {string[]} */
      const fresh = [];
      for (const { info, value } of list) {
        const reading = value
          ? { value: value.value, quality: value.quality, ts: value.ts }
          : { value: null, quality: 'no-data', ts: null };
        if (merge(info.id, reading)) fresh.push(info.id);
      }
      changed((p) => {
        for (const id of fresh) p.points.add(id);
      });
    },
  );
  socket.on('points', (/** @type {{ id: string, value: any, quality: string, ts: number }[]} */ batch) => {
    for (const v of batch) state.values.set(v.id, { value: v.value, quality: v.quality, ts: v.ts });
    changed((p) => {
      for (const v of batch) p.points.add(v.id);
    });
  });
  socket.on('alarm', (/** @type {{ event: any, alarm: any }} */ { event, alarm }) => {
    if (alarm) state.alarms.set(alarm.id, alarm);
    changed((p) => {
      p.alarms = true;
    });
    hooks.onAlarmEvent(event, alarm);
  });
  return socket;
}

/** Logging out: no more live data until the next login. */
export function stopLive() {
  socket?.disconnect();
}

/** Refetch alarms after an action (the socket event usually arrives first anyway). */
export async function refreshAlarms() {
  const alarms = await api.alarms();
  state.alarms = new Map(alarms.map((a) => [a.id, a]));
  changed((p) => {
    p.alarms = true;
  });
}

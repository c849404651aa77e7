// The live state: point catalog and values, alarms, connection. Fed by REST on (re)connect
// and by socket.io deltas; views are told what changed once per animation frame.
import * as api from './api.js';

/** @typedef {{ id: string, device: string, deviceName: string, name: string, label: string, unit: string, site: string, building: string, room: string, profile: string, equipment: string, counter: boolean, kind: 'analog' | 'state' }} PointInfo */
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

async function resync() {
  const [points, alarms] = await Promise.all([api.points(), api.alarms()]);
  state.catalog.clear();
  for (const p of points) {
    const { value, quality, ts, ageMs: _age, ...info } = p;
    state.catalog.set(p.id, info);
    state.values.set(p.id, { value, quality, ts: ts ? Date.parse(ts) : null });
  }
  state.alarms = new Map(alarms.map((a) => [a.id, a]));
  state.loaded = true;
  changed((p) => {
    p.resync = true;
  });
}

/** @type {any} */
let socket = null;

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

// The live state: point catalog and values, alarms, connection. Fed by REST on (re)connect
// and by socket.io snapshots and deltas; views are told what changed once per animation frame.
// A page that shows a few devices watches only those (`watch`): the gateway then sends a
// snapshot of them and only their deltas; the overview and the alarms page watch everything.
import { io, type Socket } from 'socket.io-client';
import type { AlarmEventJson, AlarmStatusJson } from '../../src/api-types/alarms.js';
import type {
  ClientToServerEvents,
  ServerToClientEvents,
  WatchRequest,
} from '../../src/api-types/live-events.js';
import type { PointView } from '../../src/api-types/points.js';
import * as api from './api.js';

/** A point's description, as /api/points gives it (value, quality and age kept apart). */
export type PointInfo = Omit<PointView, 'value' | 'quality' | 'ts' | 'ageMs'>;

export type { AlarmState, Priority } from '../../src/api-types/alarms.js';
/** An alarm's current state as /api/alarms and the socket's `alarm` event give it. */
export type Alarm = AlarmStatusJson;
/** The transition an `alarm` event reports (the journal's event). */
export type AlarmEvent = AlarmEventJson;

/** A value as the browser holds it: epoch-ms time, null before the first reading. */
export interface Reading {
  value: number | boolean | null;
  quality: string;
  ts: number | null;
}

export const state = {
  catalog: new Map<string, PointInfo>(),
  values: new Map<string, Reading>(),
  /** alarm id → its state */
  alarms: new Map<string, Alarm>(),
  connected: false,
  lostAt: null as number | null,
  loaded: false,
  /** The browser's clock minus the gateway's (a control-room PC's clock may be off). */
  clockOffsetMs: 0,
};

/** How old a reading is by the gateway's clock; null without a reading. */
export function ageOf(reading: Reading | undefined, now = Date.now()): number | null {
  return reading?.ts == null ? null : Math.max(0, now - state.clockOffsetMs - reading.ts);
}

export interface Changes {
  points: Set<string>;
  alarms: boolean;
  resync: boolean;
  connection: boolean;
}
type Listener = (what: Changes) => void;

const listeners = new Set<Listener>();
const none = (): Changes => ({ points: new Set(), alarms: false, resync: false, connection: false });
let pending = none();
let scheduled = false;

function flush() {
  scheduled = false;
  const what = pending;
  pending = none();
  for (const fn of listeners) fn(what);
}

function changed(mark: (p: Changes) => void) {
  mark(pending);
  if (scheduled) return;
  scheduled = true;
  // Animation frames pause in a hidden tab; a timer keeps the state current there too.
  if (document.hidden) setTimeout(flush, 250);
  else requestAnimationFrame(flush);
}

export function onChange(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Stores a reading from a snapshot or the REST resync unless the one held is newer: a delta
 * that arrived while the snapshot or the REST answer was on its way is not rolled back.
 * (A reading without a time, "no data", always replaces: the gateway has nothing newer.)
 */
function merge(id: string, reading: Reading): boolean {
  const held = state.values.get(id);
  if (held?.ts != null && reading.ts !== null && reading.ts < held.ts) return false;
  state.values.set(id, reading);
  return true;
}

async function resync() {
  const [points, alarms] = await Promise.all([api.points<PointView[]>(), api.alarms<Alarm[]>()]);
  const answered = Date.now();
  state.catalog.clear();
  const held = points.find((p) => p.ts !== null && p.ageMs !== null);
  if (held?.ts && held.ageMs !== null) state.clockOffsetMs = answered - (Date.parse(held.ts) + held.ageMs);
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

let socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;

/** What the current page shows. */
let watching: WatchRequest = { all: true };
/** The watch the gateway applies to this connection (as JSON); a new connection watches everything. */
let applied = '';
const ALL = JSON.stringify({ all: true });

/**
 * The page shows these devices only (room, equipment), or everything (null: overview, alarms).
 * Sent at once when connected, and again on every reconnect.
 */
export function watch(devices: string[] | null): void {
  watching = devices ? { devices: [...new Set(devices)].sort() } : { all: true };
  sendWatch();
}

function sendWatch() {
  if (!socket?.connected) return;
  const wanted = JSON.stringify(watching);
  if (wanted === applied) return;
  applied = wanted;
  socket.emit('watch', watching, (reply) => {
    if ('error' in reply) {
      // The gateway keeps the socket as it was: on the previous watch, at worst everything.
      console.warn('watch refused:', reply.error);
      applied = '';
    }
  });
}

export interface LiveHooks {
  onAlarmEvent: (event: AlarmEvent, alarm: Alarm | undefined) => void;
  onUnauthorized: () => void;
}

/**
 * Connects (or reconnects after a login). A socket refused for want of a session, or dropped
 * because the session ended, calls onUnauthorized and is not retried. A link that dies silently
 * is noticed by socket.io's heartbeat (the gateway's pingInterval + pingTimeout, a few seconds).
 */
export function startLive(hooks: LiveHooks): void {
  if (socket) {
    socket.connect();
    return;
  }
  const s: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ['websocket', 'polling'] });
  socket = s;
  s.on('connect_error', (err) => {
    if (err.message === 'unauthorized') hooks.onUnauthorized();
  });
  s.on('session-ended', () => hooks.onUnauthorized());
  s.on('connect', () => {
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
  s.on('disconnect', (reason) => {
    state.connected = false;
    // Logging out (or a session that ended) is no lost connection: no banner.
    state.lostAt = reason === 'io client disconnect' || reason === 'io server disconnect' ? null : Date.now();
    changed((p) => {
      p.connection = true;
    });
  });
  // After connecting and after each watch: every watched point, with its latest value if any.
  s.on('snapshot', (list) => {
    const fresh: string[] = [];
    for (const { info, value } of list) {
      const reading: Reading = value
        ? { value: value.value, quality: value.quality, ts: value.ts }
        : { value: null, quality: 'no-data', ts: null };
      if (merge(info.id, reading)) fresh.push(info.id);
    }
    changed((p) => {
      for (const id of fresh) p.points.add(id);
    });
  });
  s.on('points', (batch) => {
    for (const v of batch) state.values.set(v.id, { value: v.value, quality: v.quality, ts: v.ts });
    changed((p) => {
      for (const v of batch) p.points.add(v.id);
    });
  });
  s.on('alarm', ({ event, alarm }) => {
    if (alarm) state.alarms.set(alarm.id, alarm);
    changed((p) => {
      p.alarms = true;
    });
    hooks.onAlarmEvent(event, alarm);
  });
}

/** Logging out: no more live data until the next login. */
export function stopLive(): void {
  socket?.disconnect();
}

/** Refetch alarms after an action (the socket event usually arrives first anyway). */
export async function refreshAlarms(): Promise<void> {
  const alarms = await api.alarms<Alarm[]>();
  state.alarms = new Map(alarms.map((a) => [a.id, a]));
  changed((p) => {
    p.alarms = true;
  });
}

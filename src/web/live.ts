/**
 * Live push over socket.io: a new browser gets a snapshot, then deltas coalesced (only the
 * latest value of each changed point). A change after a quiet spell goes out at once; changes
 * coming faster are gathered and sent at most every FLUSH_INTERVAL_MS, so thousands of points
 * changing every second cost each browser at most 20 small messages a second, and a value
 * reaches the page within about 50 ms of reaching the gateway.
 *
 * A page that shows a few devices says so (`watch` with their ids) and from then on receives
 * only their values: browsers showing the same page share a socket.io room, so each distinct
 * page costs one filter and one serialisation per interval, whatever the number of browsers.
 */
import { createHash } from 'node:crypto';
import type { Server, Socket } from 'socket.io';
import type { AlarmService } from '../alarms/index.js';
import type {
  ClientToServerEvents,
  ServerToClientEvents,
  SnapshotEntry,
  WatchReply,
} from '../api-types/live-events.js';
import type { PointBus, PointTable, PointValue } from '../points/index.js';

/** The gateway's socket.io server and sockets, with the events both sides share. */
export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

const FLUSH_INTERVAL_MS = 50;
/** Every point: the overview, and any browser that never asked for less. */
const ALL = 'watch:all';
/** More devices than any page shows; a longer list is refused, not trusted. */
const MAX_WATCHED_DEVICES = 2000;

export function startLivePush(
  io: LiveServer,
  bus: PointBus,
  table: PointTable,
  alarms?: AlarmService,
): { stop(): void } {
  const pending = new Map<string, PointValue>();
  /** Room name → devices its browsers watch. */
  const watches = new Map<string, ReadonlySet<string>>();
  let timer: NodeJS.Timeout | undefined;
  let lastFlush = 0;
  // Leading-edge throttle: the first change flushes on the next tick (gathering the batches of
  // the same tick), later ones wait for the interval since the last flush.
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        lastFlush = Date.now();
        flush();
      },
      Math.max(0, lastFlush + FLUSH_INTERVAL_MS - Date.now()),
    );
    timer.unref();
  };
  const unsubscribe = bus.subscribe((values) => {
    for (const v of values) pending.set(v.id, v);
    schedule();
  });
  const deviceOf = (id: string) => table.info.get(id)?.device;
  const deviceIds = new Set([...table.info.values()].map((info) => info.device));

  const flush = () => {
    if (pending.size === 0) return;
    const batch = [...pending.values()];
    pending.clear();
    const rooms = io.of('/').adapter.rooms;
    if (rooms.has(ALL)) io.to(ALL).emit('points', batch);
    for (const [room, devices] of watches) {
      // Forget a page nobody shows any more, so the map stays as small as the open pages.
      if (!rooms.has(room)) {
        watches.delete(room);
        continue;
      }
      const mine = batch.filter((v) => devices.has(deviceOf(v.id) ?? ''));
      if (mine.length > 0) io.to(room).emit('points', mine);
    }
  };

  const snapshotOf = (devices?: ReadonlySet<string>): SnapshotEntry[] =>
    table
      .all()
      .filter(({ info }) => !devices || devices.has(info.device))
      .map(({ info, value }) => ({ info, value }));

  const watch = (socket: LiveSocket, request: unknown): WatchReply => {
    const devices = parseWatch(request);
    if ('error' in devices) return devices;
    for (const room of socket.rooms) if (room.startsWith('watch:')) socket.leave(room);
    if (devices.all) {
      socket.join(ALL);
      socket.emit('snapshot', snapshotOf());
      return { devices: -1 };
    }
    const known = new Set(devices.ids.filter((id) => deviceIds.has(id)));
    const room = `watch:${createHash('sha1')
      .update([...known].sort().join(','))
      .digest('hex')}`;
    watches.set(room, known);
    socket.join(room);
    socket.emit('snapshot', snapshotOf(known));
    return { devices: known.size };
  };

  // Alarm events are few and each matters: sent at once to everyone, never coalesced.
  const stopAlarms = alarms?.subscribe((event) =>
    io.emit('alarm', { event, alarm: alarms.get(event.alarmId) }),
  );
  io.on('connection', (socket) => {
    socket.join(ALL);
    socket.emit('snapshot', snapshotOf());
    if (alarms) socket.emit('alarms', alarms.list());
    // The request is typed for the dashboard, but a browser's message is input: checked here.
    socket.on('watch', (request: unknown, reply?: unknown) => {
      const result = watch(socket, request);
      if (typeof reply === 'function') reply(result);
    });
  });
  return {
    stop() {
      clearTimeout(timer);
      unsubscribe();
      stopAlarms?.();
    },
  };
}

/** `{ all: true }` or `{ devices: ["ch1", ...] }`, checked: a browser's message is input like any other. */
function parseWatch(request: unknown): { all: true } | { all: false; ids: string[] } | { error: string } {
  if (typeof request !== 'object' || request === null)
    return { error: 'watch: expected { devices: [...] } or { all: true }' };
  if ((request as { all?: unknown }).all === true) return { all: true };
  const ids = (request as { devices?: unknown }).devices;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id.length <= 64))
    return { error: 'watch: devices must be a list of device ids' };
  if (ids.length > MAX_WATCHED_DEVICES) return { error: `watch: at most ${MAX_WATCHED_DEVICES} devices` };
  return { all: false, ids };
}

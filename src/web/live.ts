/**
 * Live push over socket.io: a new browser gets a snapshot, then deltas coalesced over a
 * short interval (only the latest value of each changed point), so thousands of points
 * changing every second cost each browser one small message per interval.
 */
import type { Server } from 'socket.io';
import type { AlarmService } from '../alarms/index.js';
import type { PointBus, PointTable, PointValue } from '../points/index.js';

const FLUSH_INTERVAL_MS = 250;

export function startLivePush(
  io: Server,
  bus: PointBus,
  table: PointTable,
  alarms?: AlarmService,
): { stop(): void } {
  const pending = new Map<string, PointValue>();
  const unsubscribe = bus.subscribe((values) => {
    for (const v of values) pending.set(v.id, v);
  });
  const timer = setInterval(() => {
    if (pending.size === 0) return;
    const batch = [...pending.values()];
    pending.clear();
    io.emit('points', batch);
  }, FLUSH_INTERVAL_MS);
  timer.unref();
  // Alarm events are few and each matters: sent at once, never coalesced.
  const stopAlarms = alarms?.subscribe((event) =>
    io.emit('alarm', { event, alarm: alarms.get(event.alarmId) }),
  );
  io.on('connection', (socket) => {
    socket.emit(
      'snapshot',
      table.all().map(({ info, value }) => ({ info, value })),
    );
    if (alarms) socket.emit('alarms', alarms.list());
  });
  return {
    stop() {
      clearInterval(timer);
      unsubscribe();
      stopAlarms?.();
    },
  };
}

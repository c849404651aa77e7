/**
 * Planned maintenance against the plant: each task's state from the run hours read now, and
 * each maintained device's overdue point published on the bus (its generated alarm watches it).
 */
import { MAINTENANCE_OVERDUE_POINT } from '../config/derived.js';
import type { PlantConfig } from '../config/index.js';
import type { MaintenanceTaskSettings } from '../config/maintenance-schema.js';
import type { Logger } from '../log/index.js';
import { type PointBus, type PointTable, type PointValue, pointId } from '../points/index.js';
import type { PlantDirectory } from './directory.js';
import type { DeviceNames } from './index.js';
import type { MaintenanceBook, MaintenanceTask, TaskStatus } from './maintenance.js';

export interface MaintenanceWatch {
  /** Every task's state at `at`, with its equipment's name. */
  status(at: number): (TaskStatus & DeviceNames)[];
  /** Tasks per state now, every state present. */
  counts(): Record<string, number>;
  /** Publish the overdue points now and every `everyMs` (nothing without tasks). */
  start(everyMs: number): void;
  stop(): void;
}

export interface MaintenanceWatchParts {
  maintenance: MaintenanceBook;
  tasks: readonly MaintenanceTask[];
  table: PointTable;
  bus: PointBus;
  directory: PlantDirectory;
  log: Logger;
  now: () => number;
}

/** maintenance.yaml's tasks as the maintenance book keeps them. */
export const maintenanceTasks = (config: PlantConfig): MaintenanceTask[] =>
  config.maintenance.tasks.map(taskOf);

function taskOf(settings: MaintenanceTaskSettings): MaintenanceTask {
  const { every } = settings;
  return {
    id: settings.id,
    device: settings.device,
    title: settings.title,
    ...(settings.titleZh ? { titleZh: settings.titleZh } : {}),
    ...(settings.team ? { team: settings.team } : {}),
    every:
      every.runHours !== undefined
        ? { runHours: every.runHours }
        : every.days !== undefined
          ? { days: every.days }
          : { months: every.months as number },
    runHoursPoint: pointId(settings.device, settings.runHoursPoint),
    ...(settings.warnBefore ? { warnBefore: settings.warnBefore } : {}),
    ...(settings.lastDone ? { lastDone: settings.lastDone } : {}),
    ...(settings.due ? { due: settings.due } : {}),
  };
}

export function watchMaintenance(parts: MaintenanceWatchParts): MaintenanceWatch {
  const { maintenance, tasks, table, bus, directory, log, now } = parts;
  let timer: NodeJS.Timeout | undefined;
  const readRunHours = (id: string) => {
    const value = table.get(id);
    return value?.quality === 'good' && typeof value.value === 'number' ? value.value : undefined;
  };
  const publishOverdue = () => {
    try {
      const statuses = maintenance.status(readRunHours, now());
      const overdue = new Set(statuses.filter((s) => s.state === 'overdue').map((s) => s.task.device));
      const at = now();
      const values: PointValue[] = [...new Set(tasks.map((t) => t.device))].map((device) => ({
        id: pointId(device, MAINTENANCE_OVERDUE_POINT),
        value: overdue.has(device),
        quality: 'good',
        ts: at,
      }));
      bus.publish(values);
    } catch (err) {
      log.error({ err }, 'maintenance check failed');
    }
  };
  return {
    status: (at) =>
      maintenance.status(readRunHours, at).map((s) => ({ ...s, ...directory.deviceNames(s.task.device) })),
    counts() {
      const states: Record<string, number> = { ok: 0, 'due-soon': 0, overdue: 0, unknown: 0 };
      for (const status of maintenance.status(readRunHours, now()))
        states[status.state] = (states[status.state] ?? 0) + 1;
      return states;
    },
    start(everyMs) {
      if (timer || tasks.length === 0) return;
      publishOverdue();
      timer = setInterval(publishOverdue, everyMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/**
 * Operations records for the department and its accreditation file: work orders (from alarms
 * or the service hotline), shift handovers, planned maintenance (with an overdue point per
 * device that its generated alarm watches), per-shift equipment operation logs, and the
 * asset ledger. Work orders, handovers and maintenance done live in one SQLite file.
 */
import type Database from 'better-sqlite3';
import type { AlarmService } from '../alarms/index.js';
import type { Priority } from '../alarms/types.js';
import { MAINTENANCE_OVERDUE_POINT } from '../config/derived.js';
import type { PlantConfig } from '../config/index.js';
import type { MaintenanceTaskSettings } from '../config/maintenance-schema.js';
import type { Logger } from '../log/index.js';
import type { DutyRoster } from '../notify/index.js';
import { type PointBus, type PointTable, type PointValue, pointId } from '../points/index.js';
import type { TimeSeriesStore } from '../storage/index.js';
import { openRecordsDb } from './db.js';
import { type Handover, HandoverBook } from './handover.js';
import { MaintenanceBook, type MaintenanceTask, type TaskStatus } from './maintenance.js';
import { type OperationLog, type OperationLogAlarm, operationLog } from './operation-log.js';
import { type NewWorkOrder, type WorkOrder, WorkOrderBook, WorkOrderError } from './work-orders.js';

export { type AssetEntry, assetLabelSvg, assetLedger } from './assets.js';
export { type Handover, HandoverBook, HandoverError } from './handover.js';
export { MaintenanceBook, MaintenanceError, type MaintenanceRecord, type TaskStatus } from './maintenance.js';
export type { OperationLog } from './operation-log.js';
export {
  DuplicateWorkOrderError,
  UnknownWorkOrderError,
  WORK_ORDER_SOURCES,
  WORK_ORDER_STATUSES,
  type WorkOrder,
  WorkOrderError,
  type WorkOrderKpi,
  WorkOrderStateError,
} from './work-orders.js';

export interface ShiftWindow {
  shift: 'day' | 'night' | 'holiday';
  period: 'day' | 'night';
  dutyDate: string;
  from: number;
  to: number;
}

export interface HandoverSummary {
  /** Alarms raised in the shift, with who acknowledged them (as the operation log lists them). */
  alarms: Pick<
    OperationLogAlarm,
    'alarmId' | 'priority' | 'message' | 'messageZh' | 'activatedAt' | 'acknowledgedAt' | 'acknowledgedBy'
  >[];
  openAlarms: {
    id: string;
    priority: Priority;
    message: string;
    messageZh?: string;
    state: string;
    since: number;
  }[];
  workOrders: { opened: WorkOrder[]; completed: WorkOrder[]; open: WorkOrder[] };
  /** Due soon or overdue, with the equipment's name (as maintenanceStatus gives them). */
  maintenance: (TaskStatus & DeviceNames)[];
}

/** A team of the duty roster, with its name's Chinese variant when configured. */
export interface TeamName {
  id: string;
  name: string;
  nameZh?: string;
}

/** An equipment's configured name and its Chinese variant (absent for an unknown device). */
export interface DeviceNames {
  deviceName?: string;
  deviceNameZh?: string;
}

export interface HandoverView {
  team: string;
  teams: TeamName[];
  shift: ShiftWindow;
  summary: HandoverSummary;
  handover: Handover | null;
  pending: Handover[];
}

export interface NewOrderInput {
  title?: string;
  description?: string;
  source?: NewWorkOrder['source'];
  device?: string;
  priority?: Priority;
  reporter?: string;
  team?: string;
  alarmId?: string;
}

export interface RecordsService {
  readonly config: PlantConfig;
  /** The plant's zone (the duty roster's): shifts, months and times in reports. */
  readonly timezone: string;
  readonly workOrders: WorkOrderBook;
  readonly handovers: HandoverBook;
  readonly maintenance: MaintenanceBook;
  /** A work order by hand (hotline, patrol) or from an alarm (prefilled from it). */
  openWorkOrder(input: NewOrderInput, user: string): WorkOrder;
  deviceName(id: string | undefined): string | undefined;
  /** The device's name and its Chinese variant, to put beside its id. */
  deviceNames(id: string | undefined): DeviceNames;
  teams(): TeamName[];
  maintenanceStatus(at?: number): (TaskStatus & DeviceNames)[];
  currentShift(at?: number): ShiftWindow;
  shiftWindow(dutyDate: string, period: 'day' | 'night'): ShiftWindow;
  handoverView(team: string, at?: number): HandoverView;
  submitHandover(team: string, notes: string, user: string): Handover;
  operationLogs(shift: ShiftWindow, devices: readonly string[]): Promise<OperationLog[]>;
  /** Publish each maintained device's overdue point now and every `everyMs`. */
  start(everyMs?: number): void;
  /**
   * Open a work order for every activation of an alarm of these priorities (one per alarm
   * while its order is open; the creator is "plantwatch"). Returns the unsubscribe.
   */
  followAlarms(priorities: readonly Priority[]): () => void;
  /** For /metrics: work orders not closed, per team; maintenance tasks per state. */
  stats(): { openWorkOrders: Record<string, number>; maintenance: Record<string, number> };
  stop(): void;
}

export interface RecordsOptions {
  config: PlantConfig;
  alarms: AlarmService;
  roster: DutyRoster;
  table: PointTable;
  store: TimeSeriesStore;
  bus: PointBus;
  log: Logger;
  /** The records file; defaults to plantwatch.yaml's records.path. */
  path?: string;
  db?: Database.Database;
  now?: () => number;
}

/** Who opened a work order the gateway opened by itself. */
export const AUTO_USER = 'plantwatch';

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
  };
}

export function createRecords(options: RecordsOptions): RecordsService {
  const { config, alarms, roster, table, store, bus } = options;
  const now = options.now ?? Date.now;
  const log = options.log.child({ component: 'records' });
  const zone = roster.timezone;
  const db = options.db ?? openRecordsDb(options.path ?? config.gateway.records.path);
  const workOrders = new WorkOrderBook(db, now, zone);
  const handovers = new HandoverBook(db, now);
  const tasks = config.maintenance.tasks.map(taskOf);
  const maintenance = new MaintenanceBook(db, tasks, zone, now);
  const devices = new Map(config.devices.map((d) => [d.id, d]));
  const catalog = table.info;
  let timer: NodeJS.Timeout | undefined;

  const readRunHours = (id: string) => {
    const value = table.get(id);
    return value?.quality === 'good' && typeof value.value === 'number' ? value.value : undefined;
  };
  const deviceName = (id: string | undefined) => (id ? devices.get(id)?.name : undefined);
  const deviceNames = (id: string | undefined): DeviceNames => {
    const device = id ? devices.get(id) : undefined;
    if (!device) return {};
    return { deviceName: device.name, ...(device.nameZh ? { deviceNameZh: device.nameZh } : {}) };
  };
  const teams = (): TeamName[] =>
    config.notify.teams.map((t) => ({ id: t.id, name: t.name, ...(t.nameZh ? { nameZh: t.nameZh } : {}) }));
  const teamFor = (device: string | undefined) => {
    const profile = device ? config.profiles.get(devices.get(device)?.profile ?? '') : undefined;
    return roster.teamFor(profile?.equipment ?? 'other')?.id;
  };
  const maintenanceStatus = (at = now()) =>
    maintenance.status(readRunHours, at).map((s) => ({ ...s, ...deviceNames(s.task.device) }));

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

  const summaryOf = (team: string, shift: ShiftWindow): HandoverSummary => {
    const inTeam = (device: string | undefined) => teamFor(device) === team;
    const events = alarms.history({ from: shift.from, to: shift.to, limit: 10_000 }).reverse();
    const raised = events.filter((e) => e.kind === 'activated' && inTeam(e.device));
    const acks = events.filter((e) => e.kind === 'acknowledged');
    const orders = workOrders.list({ team, limit: 10_000 });
    const during = (at: number | undefined) => at !== undefined && at >= shift.from && at < shift.to;
    return {
      alarms: raised.map((e) => {
        const ack = acks.find((a) => a.alarmId === e.alarmId && a.ts >= e.ts);
        return {
          alarmId: e.alarmId,
          priority: e.priority,
          message: e.message,
          ...(e.messageZh ? { messageZh: e.messageZh } : {}),
          activatedAt: e.ts,
          ...(ack ? { acknowledgedAt: ack.ts, ...(ack.user ? { acknowledgedBy: ack.user } : {}) } : {}),
        };
      }),
      openAlarms: alarms
        .list()
        .filter((a) => inTeam(a.device))
        .map((a) => ({
          id: a.id,
          priority: a.priority,
          message: a.message,
          ...(a.messageZh ? { messageZh: a.messageZh } : {}),
          state: a.state,
          since: a.since,
        })),
      workOrders: {
        opened: orders.filter((o) => during(o.createdAt)),
        completed: orders.filter((o) => during(o.completedAt)),
        open: orders.filter((o) => ['open', 'accepted', 'on-site'].includes(o.status)),
      },
      maintenance: maintenanceStatus(shift.to).filter(
        (s) =>
          (s.state === 'overdue' || s.state === 'due-soon') &&
          (s.task.team ?? teamFor(s.task.device)) === team,
      ),
    };
  };

  const knownTeam = (team: string) => {
    if (!roster.hasTeam(team))
      throw new WorkOrderError(
        `unknown team "${team}" (teams: ${config.notify.teams.map((t) => t.id).join(', ') || 'none in notify.yaml'})`,
      );
  };

  return {
    config,
    timezone: zone,
    workOrders,
    handovers,
    maintenance,
    deviceName,
    deviceNames,
    teams,
    openWorkOrder(input, user) {
      if (input.alarmId !== undefined) return fromAlarm(input.alarmId, input, user);
      const device = input.device ? devices.get(input.device) : undefined;
      if (input.device && !device) throw new WorkOrderError(`unknown device "${input.device}"`);
      const team = input.team ?? teamFor(input.device) ?? config.notify.teams[0]?.id;
      if (!team) throw new WorkOrderError('say which team: no teams are configured in notify.yaml');
      knownTeam(team);
      if (!input.title) throw new WorkOrderError('a work order needs a title');
      return workOrders.create(
        {
          title: input.title,
          source: input.source ?? 'hotline',
          priority: input.priority ?? 'medium',
          team,
          site: device?.site ?? config.gateway.gateway.site ?? config.sites[0]?.id ?? 'main',
          ...(device ? { device: device.id, building: device.building, room: device.room } : {}),
          ...(input.description ? { description: input.description } : {}),
          ...(input.reporter ? { reporter: input.reporter } : {}),
        },
        user,
      );
    },
    maintenanceStatus,
    currentShift: (at = now()) => roster.shiftOf(at),
    shiftWindow: (dutyDate, period) => roster.shiftWindow(dutyDate, period),
    handoverView(team, at = now()) {
      knownTeam(team);
      const shift = roster.shiftOf(at);
      const existing = handovers
        .list({ team, from: shift.from, to: shift.to + 1, limit: 5 })
        .find((h) => h.dutyDate === shift.dutyDate && h.shift === shift.shift);
      return {
        team,
        teams: teams(),
        shift,
        summary: summaryOf(team, shift),
        handover: existing ?? null,
        pending: handovers.pending(team),
      };
    },
    submitHandover(team, notes, user) {
      knownTeam(team);
      const shift = roster.shiftOf(now());
      return handovers.submit(
        {
          team,
          shift: shift.shift,
          dutyDate: shift.dutyDate,
          shiftFrom: shift.from,
          shiftTo: shift.to,
          notes,
          summary: summaryOf(team, shift),
        },
        user,
      );
    },
    operationLogs: (shift, ids) =>
      Promise.all(
        ids.map((device) =>
          operationLog({ store, alarms, catalog }, device, {
            from: shift.from,
            to: shift.to,
            label: `${shift.dutyDate} ${shift.shift}`,
          }),
        ),
      ),
    followAlarms(priorities) {
      if (priorities.length === 0) return () => {};
      return alarms.subscribe((event) => {
        if (event.kind !== 'activated' || !priorities.includes(event.priority)) return;
        if (workOrders.openForAlarm(event.alarmId)) return;
        try {
          const order = fromAlarm(event.alarmId, {}, AUTO_USER);
          log.info({ workOrder: order.number, alarm: event.alarmId }, 'work order opened for the alarm');
        } catch (err) {
          log.error({ err, alarm: event.alarmId }, 'could not open a work order for the alarm');
        }
      });
    },
    stats() {
      const openWorkOrders: Record<string, number> = {};
      for (const order of workOrders.list({ status: ['open', 'accepted', 'on-site'], limit: 100_000 }))
        openWorkOrders[order.team] = (openWorkOrders[order.team] ?? 0) + 1;
      const states: Record<string, number> = { ok: 0, 'due-soon': 0, overdue: 0, unknown: 0 };
      for (const status of maintenance.status(readRunHours, now()))
        states[status.state] = (states[status.state] ?? 0) + 1;
      return { openWorkOrders, maintenance: states };
    },
    start(everyMs = 15 * 60_000) {
      if (timer || tasks.length === 0) return;
      publishOverdue();
      timer = setInterval(publishOverdue, everyMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      if (!options.db) db.close();
    },
  };

  function fromAlarm(alarmId: string, input: NewOrderInput, user: string): WorkOrder {
    const alarm = alarms.get(alarmId);
    if (!alarm) throw new WorkOrderError(`no alarm "${alarmId}"`);
    const team = input.team ?? teamFor(alarm.device) ?? config.notify.teams[0]?.id ?? 'unassigned';
    return workOrders.create(
      {
        title: input.title ?? alarm.message,
        source: 'alarm',
        alarmId,
        priority: input.priority ?? alarm.priority,
        team,
        site: alarm.site,
        building: alarm.building,
        room: alarm.room,
        ...(alarm.device ? { device: alarm.device } : {}),
        ...(input.description ? { description: input.description } : {}),
      },
      user,
    );
  }
}

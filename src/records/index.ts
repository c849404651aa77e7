/**
 * Operations records for the department and its accreditation file: work orders (from alarms
 * or the service hotline), shift handovers, planned maintenance (with an overdue point per
 * device that its generated alarm watches), per-shift equipment operation logs, and the
 * asset ledger. Work orders, handovers and maintenance done live in one SQLite file.
 */
import type Database from 'better-sqlite3';
import type { AlarmService } from '../alarms/index.js';
import type { Priority } from '../alarms/types.js';
import type { PlantConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { DutyRoster } from '../notify/index.js';
import type { PointBus, PointTable } from '../points/index.js';
import type { TimeSeriesStore } from '../storage/index.js';
import { openRecordsDb } from './db.js';
import { plantDirectory } from './directory.js';
import { type Handover, HandoverBook } from './handover.js';
import { MaintenanceBook, type TaskStatus } from './maintenance.js';
import { maintenanceTasks, watchMaintenance } from './maintenance-watch.js';
import { type OperationLog, type OperationLogAlarm, operationLog } from './operation-log.js';
import { shiftHandovers } from './shift-handover.js';
import { workOrderDesk } from './work-order-desk.js';
import { type NewWorkOrder, type WorkOrder, WorkOrderBook } from './work-orders.js';

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

export { AUTO_USER } from './work-order-desk.js';

export function createRecords(options: RecordsOptions): RecordsService {
  const { config, alarms, roster, table, store, bus } = options;
  const now = options.now ?? Date.now;
  const log = options.log.child({ component: 'records' });
  const zone = roster.timezone;
  const db = options.db ?? openRecordsDb(options.path ?? config.gateway.records.path);
  const workOrders = new WorkOrderBook(db, now, zone);
  const handovers = new HandoverBook(db, now);
  const tasks = maintenanceTasks(config);
  const maintenance = new MaintenanceBook(db, tasks, zone, now);
  const directory = plantDirectory(config, roster);
  const watch = watchMaintenance({ maintenance, tasks, table, bus, directory, log, now });
  const desk = workOrderDesk({ config, alarms, workOrders, directory, log });
  const shifts = shiftHandovers({ alarms, roster, handovers, workOrders, maintenance: watch, directory });
  const catalog = table.info;
  return {
    config,
    timezone: zone,
    workOrders,
    handovers,
    maintenance,
    deviceName: directory.deviceName,
    deviceNames: directory.deviceNames,
    teams: directory.teams,
    openWorkOrder: desk.open,
    maintenanceStatus: (at = now()) => watch.status(at),
    currentShift: (at = now()) => roster.shiftOf(at),
    shiftWindow: (dutyDate, period) => roster.shiftWindow(dutyDate, period),
    handoverView: (team, at = now()) => shifts.view(team, at),
    submitHandover: (team, notes, user) => shifts.submit(team, notes, user, now()),
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
    followAlarms: desk.followAlarms,
    stats: () => ({ openWorkOrders: desk.openPerTeam(), maintenance: watch.counts() }),
    start: (everyMs = 15 * 60_000) => watch.start(everyMs),
    stop() {
      watch.stop();
      if (!options.db) db.close();
    },
  };
}

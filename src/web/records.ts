/**
 * /api/work-orders, /api/handovers, /api/maintenance, /api/operation-log and /api/assets:
 * the department's records. Reading is for every signed-in user; acting (opening and moving
 * work orders, handing over, recording maintenance) needs the `act` guard (electricians).
 * With login on, the acting user is always the session's: a `user` in a body is refused.
 */
import { type RequestHandler, Router } from 'express';
import type * as api from '../api-types/records.js';
import type {
  AssetEntry,
  DeviceNames,
  Handover,
  HandoverView,
  MaintenanceRecord,
  NewOrderInput,
  OperationLog,
  RecordsService,
  ShiftWindow,
  TaskStatus,
  WorkOrder,
  WorkOrderKpi,
} from '../records/index.js';
import { assetRoutes } from './records-assets.js';
import { handoverRoutes } from './records-handovers.js';
import { maintenanceRoutes } from './records-maintenance.js';
import { operationLogRoutes } from './records-operation-log.js';
import { workOrderRoutes } from './records-work-orders.js';

export interface RecordsRouterOptions {
  /** Who may act (login on: the electrician role); the acting user is then req.user. */
  act?: RequestHandler;
  /** The user when login is off (the dashboard's "on duty" name travels as body.user). */
  loginOff?: boolean;
  zone: string;
}

export function recordsRouter(records: RecordsService, options: RecordsRouterOptions): Router {
  const routes = {
    router: Router(),
    records,
    act: options.act ? [options.act] : [],
    loginOff: options.loginOff ?? !options.act,
    zone: options.zone,
  };
  workOrderRoutes(routes);
  handoverRoutes(routes);
  maintenanceRoutes(routes);
  operationLogRoutes(routes);
  assetRoutes(routes);
  return routes.router;
}

/**
 * The API's shapes are the records service's types field for field, as the route groups
 * (records-*.ts) answer them: a field renamed, added or retyped on either side fails the typecheck.
 */
type Check<T extends true> = T;
type KpiAnswer = WorkOrderKpi & { teamName?: string; teamNameZh?: string };
export type RecordsApiMatchesService = [
  Check<Same<WorkOrder & DeviceNames, api.WorkOrder>>,
  Check<Same<KpiAnswer, api.WorkOrderKpi>>,
  Check<Same<Handover, api.Handover>>,
  Check<Same<ShiftWindow, api.ShiftWindow>>,
  Check<Same<HandoverView & { timezone: string }, api.HandoverView>>,
  Check<Same<TaskStatus & DeviceNames, api.TaskStatus>>,
  Check<Same<MaintenanceRecord, api.MaintenanceRecord>>,
  Check<Same<OperationLog, api.OperationLog>>,
  Check<Same<AssetEntry, api.Asset>>,
  Check<Same<NewOrderInput, Omit<api.NewWorkOrder, 'user'>>>,
];

/**
 * The same type, compared field by field down every object and array: optional against
 * optional, nothing missing on either side.
 */
type Same<A, B> = [Fields<A>] extends [Fields<B>]
  ? [Fields<B>] extends [Fields<A>]
    ? SameKeys<A, B>
    : false
  : false;
type Fields<T> = T extends readonly (infer E)[]
  ? Fields<E>[]
  : T extends object
    ? { [K in keyof T]: Fields<Exclude<T[K], undefined>> }
    : T;
/** Mutual assignability misses an optional field only one side has: the key sets must match too. */
type SameKeys<A, B> = [A] extends [readonly (infer EA)[]]
  ? [B] extends [readonly (infer EB)[]]
    ? SameKeys<EA, EB>
    : false
  : [A] extends [object]
    ? [B] extends [object]
      ? [keyof A] extends [keyof B]
        ? [keyof B] extends [keyof A]
          ? false extends {
              [K in keyof A & keyof B]: SameKeys<Exclude<A[K], undefined>, Exclude<B[K], undefined>>;
            }[keyof A & keyof B]
            ? false
            : true
          : false
        : false
      : true
    : true;

/** /api/work-orders: the list (JSON or CSV), the monthly KPIs per team, one order, and its steps. */
import type { Request } from 'express';
import * as api from '../api-types/records.js';
import type { Answer } from '../api-types/route.js';
import {
  type RecordsService,
  UnknownWorkOrderError,
  WORK_ORDER_STATUSES,
  type WorkOrder,
} from '../records/index.js';
import { localTime } from '../reports/csv.js';
import { rangeOf } from './energy.js';
import { BadRequest } from './history.js';
import {
  handle,
  limitOf,
  list,
  one,
  optional,
  param,
  parseAction,
  type RecordsRoutes,
} from './records-common.js';
import { sendTable } from './tables.js';

// Bodies are parsed with the API's own schemas (src/api-types/records.ts).
const ORDER_ACTIONS = api.workOrderSteps;
type OrderAction = keyof typeof ORDER_ACTIONS;

export function workOrderRoutes(routes: RecordsRoutes): void {
  listRoute(routes);
  kpisRoute(routes);
  const { router, records, act, loginOff } = routes;
  const withNames = namesOf(records);
  router.get(
    '/work-orders/:id',
    handle((req, res) => {
      const order = records.workOrders.get(orderId(param(req, 'id')));
      if (!order) throw new UnknownWorkOrderError(orderId(param(req, 'id')));
      res.json(withNames(order) satisfies Answer<typeof api.workOrderRoute>);
    }),
  );
  router.post(
    '/work-orders',
    ...act,
    handle((req, res) => {
      const { data, user } = parseAction(req, api.newWorkOrder, loginOff);
      const { user: _user, ...input } = data;
      const order: Answer<typeof api.newWorkOrderRoute> = withNames(records.openWorkOrder(input, user));
      res.status(201).json(order);
    }),
  );
  for (const action of Object.keys(ORDER_ACTIONS) as OrderAction[]) {
    router.post(
      `/work-orders/:id/${action}`,
      ...act,
      handle((req, res) => {
        const id = orderId(param(req, 'id'));
        const { data, user } = parseAction(req, ORDER_ACTIONS[action], loginOff);
        const order = takeStep(records.workOrders, action, id, user, data);
        res.json(withNames(order) satisfies Answer<(typeof api.workOrderStepRoutes)[typeof action]>);
      }),
    );
  }
}

/** The order with its device's names, as the API answers it. */
const namesOf =
  (records: RecordsService) =>
  (o: WorkOrder): api.WorkOrder => ({ ...o, ...records.deviceNames(o.device) });

function takeStep(
  book: RecordsService['workOrders'],
  action: OrderAction,
  id: number,
  user: string,
  data: object,
): WorkOrder {
  const body = data as { resolution?: string; reason?: string; text?: string };
  return action === 'accept'
    ? book.accept(id, user)
    : action === 'arrive'
      ? book.arrive(id, user)
      : action === 'complete'
        ? book.complete(id, user, body.resolution as string)
        : action === 'cancel'
          ? book.cancel(id, user, body.reason as string)
          : book.comment(id, user, body.text as string);
}

function listRoute({ router, records, zone }: RecordsRoutes): void {
  const withNames = namesOf(records);
  router.get(
    '/work-orders',
    handle((req, res) => {
      const orders: Answer<typeof api.workOrdersRoute> = records.workOrders
        .list({ ...listFilter(req, zone), limit: limitOf(req, 500, 10_000) })
        .map(withNames);
      sendTable(req, res, 'work-orders', orders, (rows) => ({
        columns: [
          'number',
          'title',
          'source',
          'priority',
          'status',
          'team',
          'device',
          'created',
          'created by',
          'reporter',
          'accepted',
          'on site',
          'completed',
          'completed by',
          'resolution',
          'alarm',
        ],
        rows: rows.map((o) => [
          o.number,
          o.title,
          o.source,
          o.priority,
          o.status,
          o.team,
          o.deviceName ?? o.device,
          localTime(o.createdAt, zone),
          o.createdBy,
          o.reporter,
          localTime(o.acceptedAt, zone),
          localTime(o.arrivedAt, zone),
          localTime(o.completedAt, zone),
          o.completedBy,
          o.resolution,
          o.alarmId,
        ]),
      }));
    }),
  );
}

/** ?status=, ?team=, ?device=, ?alarm=, ?from=&to= of the work order list. */
function listFilter(req: Request, zone: string) {
  return {
    ...optional('status', statusFilter(req.query.status)),
    ...optional('team', one(req.query.team)),
    ...optional('device', one(req.query.device)),
    ...optional('alarmId', one(req.query.alarm)),
    ...(req.query.from || req.query.to ? rangeOf(req, zone, 365) : {}),
  };
}

function kpisRoute({ router, records, zone }: RecordsRoutes): void {
  router.get(
    '/work-orders/kpis',
    handle((req, res) => {
      const range = rangeOf(req, zone, 365);
      const teams = new Map(records.teams().map((t) => [t.id, t]));
      const kpis: Answer<typeof api.workOrderKpisRoute> = records.workOrders
        .kpis({ ...range, zone, ...optional('team', one(req.query.team)) })
        .map((k) => {
          const team = teams.get(k.team);
          return { ...k, teamName: team?.name, ...(team?.nameZh ? { teamNameZh: team.nameZh } : {}) };
        });
      const minutes = (ms: number | null) => (ms === null ? null : ms / 60_000);
      sendTable(req, res, 'work-order-kpis', kpis, (rows) => ({
        columns: [
          'team',
          'month',
          'created',
          'completed',
          'cancelled',
          'open',
          'response median min',
          'response mean min',
          'repair median min (MTTR)',
          'repair mean min',
        ],
        rows: rows.map((k) => [
          k.teamName ?? k.team,
          k.month,
          k.created,
          k.completed,
          k.cancelled,
          k.open,
          minutes(k.responseMedianMs),
          minutes(k.responseMeanMs),
          minutes(k.mttrMedianMs),
          minutes(k.mttrMeanMs),
        ]),
      }));
    }),
  );
}

function statusFilter(raw: unknown): WorkOrder['status'][] | undefined {
  const wanted = list(raw);
  for (const s of wanted ?? [])
    if (!(WORK_ORDER_STATUSES as readonly string[]).includes(s))
      throw new BadRequest(`status: expected one of ${WORK_ORDER_STATUSES.join(', ')} (got "${s}")`);
  return wanted as WorkOrder['status'][] | undefined;
}

const orderId = (raw: string) => {
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1) throw new BadRequest(`no work order "${raw}"`);
  return id;
};

/**
 * /api/work-orders, /api/handovers, /api/maintenance, /api/operation-log and /api/assets:
 * the department's records. Reading is for every signed-in user; acting (opening and moving
 * work orders, handing over, recording maintenance) needs the `act` guard (electricians).
 * With login on, the acting user is always the session's: a `user` in a body is refused.
 */
import { type Request, type RequestHandler, type Response, Router } from 'express';
import { DateTime } from 'luxon';
import type { z } from 'zod';
import {
  type AssetEntry,
  assetLabelSvg,
  assetLedger,
  type DeviceNames,
  type Handover,
  HandoverError,
  type HandoverView,
  MaintenanceError,
  type MaintenanceRecord,
  type NewOrderInput,
  type OperationLog,
  type RecordsService,
  type ShiftWindow,
  type TaskStatus,
  UnknownWorkOrderError,
  WORK_ORDER_STATUSES,
  type WorkOrder,
  WorkOrderError,
  type WorkOrderKpi,
  WorkOrderStateError,
} from '../records/index.js';
import { localTime } from '../reports/csv.js';
import * as api from './api-types/records.js';
import type { Answer } from './api-types/route.js';
import { rangeOf } from './energy.js';
import { BadRequest } from './history.js';
import { sendTable } from './tables.js';

export interface RecordsRouterOptions {
  /** Who may act (login on: the electrician role); the acting user is then req.user. */
  act?: RequestHandler;
  /** The user when login is off (the dashboard's "on duty" name travels as body.user). */
  loginOff?: boolean;
  zone: string;
}

// Bodies are parsed with the API's own schemas (src/web/api-types/records.ts).
const ORDER_ACTIONS = api.workOrderSteps;

/**
 * The API's shapes are the records service's types field for field, as the handlers below
 * answer them: a field renamed, added or retyped on either side fails the typecheck.
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

function fail(res: Response, err: unknown): void {
  if (err instanceof BadRequest) res.status(400).json({ error: err.message });
  else if (err instanceof UnknownWorkOrderError) res.status(404).json({ error: err.message });
  else if (err instanceof WorkOrderStateError) res.status(409).json({ error: err.message });
  else if (err instanceof WorkOrderError || err instanceof HandoverError || err instanceof MaintenanceError)
    res
      .status(err.name === 'DuplicateWorkOrderError' || /already|accepted once/.test(err.message) ? 409 : 400)
      .json({
        error: err.message,
      });
  else throw err;
}

/** The body, checked; and who acts: the session's user, or (login off) the body's. */
function parseAction<S extends z.ZodType>(
  req: Request,
  schema: S,
  loginOff: boolean,
): { data: z.infer<S>; user: string } {
  const parsed = schema.safeParse(req.body ?? {});
  if (!parsed.success)
    throw new BadRequest(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  const data = parsed.data as z.infer<S> & { user?: string };
  if (!loginOff) {
    if (data.user !== undefined) throw new BadRequest('the user is the one signed in');
    const user = req.user?.username;
    if (!user) throw new Error('records action without a signed-in user behind the action guard');
    return { data, user };
  }
  if (!data.user) throw new BadRequest('user: say who is acting (login is off)');
  return { data, user: data.user };
}

const list = (raw: unknown) => (typeof raw === 'string' && raw !== '' ? raw.split(',') : undefined);

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

export function recordsRouter(records: RecordsService, options: RecordsRouterOptions): Router {
  const router = Router();
  const act = options.act ? [options.act] : [];
  const loginOff = options.loginOff ?? !options.act;
  const zone = options.zone;
  const handle =
    (fn: (req: Request, res: Response) => void | Promise<void>) =>
    (req: Request, res: Response, next: (err?: unknown) => void) => {
      Promise.resolve()
        .then(() => fn(req, res))
        .catch((err: unknown) => {
          try {
            fail(res, err);
          } catch (unexpected) {
            next(unexpected);
          }
        });
    };
  const withNames = (o: WorkOrder): api.WorkOrder => ({ ...o, ...records.deviceNames(o.device) });

  router.get(
    '/work-orders',
    handle((req, res) => {
      const orders: Answer<typeof api.workOrdersRoute> = records.workOrders
        .list({
          ...optional('status', statusFilter(req.query.status)),
          ...optional('team', one(req.query.team)),
          ...optional('device', one(req.query.device)),
          ...optional('alarmId', one(req.query.alarm)),
          ...(req.query.from || req.query.to ? rangeOf(req, zone, 365) : {}),
          limit: Math.min(Number(req.query.limit ?? 500) || 500, 10_000),
        })
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

  for (const action of Object.keys(ORDER_ACTIONS) as (keyof typeof ORDER_ACTIONS)[]) {
    router.post(
      `/work-orders/:id/${action}`,
      ...act,
      handle((req, res) => {
        const id = orderId(param(req, 'id'));
        const { data, user } = parseAction(req, ORDER_ACTIONS[action], loginOff);
        const book = records.workOrders;
        const body = data as { resolution?: string; reason?: string; text?: string };
        const order =
          action === 'accept'
            ? book.accept(id, user)
            : action === 'arrive'
              ? book.arrive(id, user)
              : action === 'complete'
                ? book.complete(id, user, body.resolution as string)
                : action === 'cancel'
                  ? book.cancel(id, user, body.reason as string)
                  : book.comment(id, user, body.text as string);
        res.json(withNames(order) satisfies Answer<(typeof api.workOrderStepRoutes)[typeof action]>);
      }),
    );
  }

  router.get(
    '/handovers/current',
    handle((req, res) => {
      const team = one(req.query.team) ?? records.teams()[0]?.id;
      if (!team) throw new BadRequest('no teams are configured in notify.yaml');
      // The zone names the clock of every time in the records (the shift's and all the rest).
      const view: Answer<typeof api.currentHandoverRoute> = { ...records.handoverView(team), timezone: zone };
      res.json(view);
    }),
  );

  router.get(
    '/handovers',
    handle((req, res) => {
      const handovers: Answer<typeof api.handoversRoute> = records.handovers.list({
        ...optional('team', one(req.query.team)),
        limit: Math.min(Number(req.query.limit ?? 50) || 50, 1000),
      });
      sendTable(req, res, 'handovers', handovers, (rows) => ({
        columns: [
          'team',
          'duty date',
          'shift',
          'from',
          'to',
          'handed over by',
          'submitted',
          'taken over by',
          'accepted',
          'notes',
          'comment',
        ],
        rows: rows.map((h) => [
          h.team,
          h.dutyDate,
          h.shift,
          localTime(h.shiftFrom, zone),
          localTime(h.shiftTo, zone),
          h.outgoingUser,
          localTime(h.submittedAt, zone),
          h.incomingUser,
          localTime(h.acceptedAt, zone),
          h.notes,
          h.acceptComment,
        ]),
      }));
    }),
  );

  router.post(
    '/handovers',
    ...act,
    handle((req, res) => {
      const { data, user } = parseAction(req, api.newHandover, loginOff);
      const handover: Answer<typeof api.newHandoverRoute> = records.submitHandover(
        data.team,
        data.notes,
        user,
      );
      res.status(201).json(handover);
    }),
  );

  router.post(
    '/handovers/:id/accept',
    ...act,
    handle((req, res) => {
      const { data, user } = parseAction(req, api.acceptHandover, loginOff);
      const id = Number(param(req, 'id'));
      if (!Number.isInteger(id) || !records.handovers.get(id)) {
        res.status(404).json({ error: `no handover "${param(req, 'id')}"` });
        return;
      }
      res.json(
        records.handovers.accept(id, user, data.comment) satisfies Answer<typeof api.acceptHandoverRoute>,
      );
    }),
  );

  router.get(
    '/maintenance',
    handle((req, res) => {
      const due: Answer<typeof api.maintenanceRoute> = records.maintenanceStatus();
      sendTable(req, res, 'maintenance-due', due, (rows) => ({
        columns: [
          'task',
          'device',
          'title',
          'state',
          'interval',
          'last done',
          'by',
          'due date',
          'due at run hours',
          'run hours now',
          'message',
        ],
        rows: rows.map((s) => [
          s.task.id,
          s.deviceName ?? s.task.device,
          s.task.title,
          s.state,
          JSON.stringify(s.task.every),
          localTime(s.lastDoneAt, zone),
          s.lastDoneBy,
          localTime(s.dueAt, zone),
          s.dueRunHours,
          s.runHoursNow,
          s.message,
        ]),
      }));
    }),
  );

  router.get(
    '/maintenance/history',
    handle((req, res) => {
      const history: Answer<typeof api.maintenanceHistoryRoute> = records.maintenance.history({
        ...optional('task', one(req.query.task)),
        ...optional('device', one(req.query.device)),
        limit: Math.min(Number(req.query.limit ?? 500) || 500, 10_000),
      });
      sendTable(req, res, 'maintenance-records', history, (rows) => ({
        columns: ['task', 'device', 'title', 'done', 'done by', 'run hours', 'notes', 'recorded'],
        rows: rows.map((r) => [
          r.taskId,
          r.device,
          r.title,
          localTime(r.doneAt, zone),
          r.doneBy,
          r.runHours,
          r.notes,
          localTime(r.recordedAt, zone),
        ]),
      }));
    }),
  );

  router.post(
    '/maintenance/:task/complete',
    ...act,
    handle((req, res) => {
      const { data, user } = parseAction(req, api.completeTask, loginOff);
      const { user: _user, ...completion } = data;
      const record: Answer<typeof api.completeTaskRoute> = records.maintenance.complete(
        param(req, 'task'),
        user,
        completion,
      );
      res.status(201).json(record);
    }),
  );

  router.get(
    '/operation-log',
    handle(async (req, res) => {
      const shift = shiftOf(records, req);
      const devices = devicesFor(records, req);
      const answer: Answer<typeof api.operationLogRoute> = {
        shift,
        logs: await records.operationLogs(shift, devices),
      };
      sendTable(req, res, `operation-log-${shift.dutyDate}-${shift.period}`, answer, ({ logs: all }) => ({
        columns: [
          'device',
          'shift',
          'run hours',
          'starts',
          'stops',
          'point',
          'unit',
          'min',
          'max',
          'mean',
          'alarms',
        ],
        rows: all.flatMap((log) =>
          (log.values.length ? log.values : [undefined]).map((v, i) => [
            log.deviceName,
            log.shift.label,
            i === 0 ? log.running?.runHours : null,
            i === 0 ? log.running?.starts : null,
            i === 0 ? log.running?.stops : null,
            v?.label,
            v?.unit,
            v?.min,
            v?.max,
            v?.mean,
            i === 0
              ? log.alarms
                  .map(
                    (a) =>
                      `${localTime(a.activatedAt, zone)} ${a.message}${a.acknowledgedBy ? ` (ack ${a.acknowledgedBy})` : ''}`,
                  )
                  .join('; ')
              : null,
          ]),
        ),
      }));
    }),
  );

  router.get(
    '/assets',
    handle((req, res) => {
      const ledger: Answer<typeof api.assetsRoute> = assetLedger(records.config, baseUrlOf(req));
      sendTable(req, res, 'asset-ledger', ledger, (rows) => ({
        columns: [
          'asset number',
          'device',
          'name',
          'equipment',
          'maker',
          'model',
          'site',
          'building',
          'room',
          'location',
          'installed',
          'serial',
          'critical',
        ],
        rows: rows.map((a) => [
          a.assetNumber,
          a.device,
          a.name,
          a.equipment,
          a.maker,
          a.model,
          a.location.siteName,
          a.location.buildingName,
          a.location.roomName,
          a.location.detail,
          a.installed,
          a.serial,
          a.critical,
        ]),
      }));
    }),
  );

  router.get(
    '/assets/:device/label.svg',
    handle(async (req, res) => {
      const entry = assetLedger(records.config, baseUrlOf(req)).find(
        (a) => a.device === param(req, 'device'),
      );
      if (!entry) {
        res.status(404).json({ error: `no device "${param(req, 'device')}"` });
        return;
      }
      const lang = one(req.query.lang) === 'zh' ? 'zh' : 'en';
      res.type('image/svg+xml').send(await assetLabelSvg(entry, lang));
    }),
  );
  return router;
}

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

const param = (req: Request, name: string): string => String(req.params[name] ?? '');

function one(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw new BadRequest('give each filter once');
  return raw;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** ?date=2026-11-25&shift=day|night, or the shift going on now. */
function shiftOf(records: RecordsService, req: Request): ShiftWindow {
  const date = one(req.query.date);
  const period = one(req.query.shift);
  if (date === undefined) return records.currentShift();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new BadRequest(`date: expected "YYYY-MM-DD" (got "${date}")`);
  // "2026-02-30" matches the pattern but is no day: the shift's times would be NaN (a 500).
  if (!DateTime.fromISO(date).isValid) throw new BadRequest(`date: no such day "${date}"`);
  if (period !== undefined && period !== 'day' && period !== 'night')
    throw new BadRequest(`shift: expected day or night (got "${period}")`);
  return records.shiftWindow(date, period ?? 'day');
}

/** ?device=ch1 (or a list), or ?room=<room id> for every device of that room. */
function devicesFor(records: RecordsService, req: Request): string[] {
  const devices = records.config.devices.filter((d) => d.enabled);
  const wanted = list(one(req.query.device));
  if (wanted) {
    const unknown = wanted.filter((id) => !devices.some((d) => d.id === id));
    if (unknown.length) throw new BadRequest(`unknown device ${unknown.map((u) => `"${u}"`).join(', ')}`);
    return wanted;
  }
  const room = one(req.query.room);
  if (!room) throw new BadRequest('say which equipment: ?device=<id> or ?room=<room id>');
  const inRoom = devices.filter((d) => d.room === room || `${d.site}/${d.building}/${d.room}` === room);
  if (inRoom.length === 0) throw new BadRequest(`no equipment in room "${room}"`);
  return inRoom.map((d) => d.id);
}

/** The dashboard's address as the browser asked for it, for the QR labels' links. */
function baseUrlOf(req: Request): string {
  const host = req.get('host') ?? 'localhost';
  // Only a plain host[:port] goes into a label; anything else falls back to localhost.
  const safeHost = /^[A-Za-z0-9.[\]:-]+$/.test(host) ? host : 'localhost';
  return `${req.protocol}://${safeHost}`;
}

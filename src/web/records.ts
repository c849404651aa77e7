/**
 * /api/work-orders, /api/handovers, /api/maintenance, /api/operation-log and /api/assets:
 * the department's records. Reading is for every signed-in user; acting (opening and moving
 * work orders, handing over, recording maintenance) needs the `act` guard (electricians).
 * With login on, the acting user is always the session's: a `user` in a body is refused.
 */
import { type Request, type RequestHandler, type Response, Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { PRIORITIES } from '../alarms/types.js';
import {
  assetLabelSvg,
  assetLedger,
  HandoverError,
  MaintenanceError,
  type RecordsService,
  type ShiftWindow,
  UnknownWorkOrderError,
  WORK_ORDER_SOURCES,
  WORK_ORDER_STATUSES,
  type WorkOrder,
  WorkOrderError,
  WorkOrderStateError,
} from '../records/index.js';
import { localTime } from '../reports/csv.js';
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

const text = (max: number) => z.string().trim().min(1).max(max);

const NEW_ORDER = z.strictObject({
  title: text(200).optional(),
  description: z.string().trim().max(4000).optional(),
  source: z.enum(WORK_ORDER_SOURCES).optional(),
  device: z.string().max(100).optional(),
  priority: z.enum(PRIORITIES).optional(),
  reporter: z.string().trim().max(200).optional(),
  team: z.string().max(100).optional(),
  alarmId: z.string().max(200).optional(),
  user: text(100).optional(),
});

const ORDER_ACTIONS = {
  accept: z.strictObject({ user: text(100).optional() }),
  arrive: z.strictObject({ user: text(100).optional() }),
  complete: z.strictObject({ resolution: text(4000), user: text(100).optional() }),
  cancel: z.strictObject({ reason: text(2000), user: text(100).optional() }),
  comment: z.strictObject({ text: text(4000), user: text(100).optional() }),
} as const;

const HANDOVER = z.strictObject({
  team: text(100),
  notes: z.string().max(20_000),
  user: text(100).optional(),
});
const ACCEPT_HANDOVER = z.strictObject({
  comment: z.string().max(2000).optional(),
  user: text(100).optional(),
});
const COMPLETE_TASK = z.strictObject({
  runHours: z.number().nonnegative().optional(),
  notes: z.string().max(4000).optional(),
  at: z.number().int().positive().optional(),
  user: text(100).optional(),
});

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
  const withNames = (o: WorkOrder) => ({ ...o, deviceName: records.deviceName(o.device) });

  router.get(
    '/work-orders',
    handle((req, res) => {
      const orders = records.workOrders
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
      const teams = new Map(records.teams().map((t) => [t.id, t.name]));
      const kpis = records.workOrders
        .kpis({ ...range, zone, ...optional('team', one(req.query.team)) })
        .map((k) => ({ ...k, teamName: teams.get(k.team) }));
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
      res.json(withNames(order));
    }),
  );

  router.post(
    '/work-orders',
    ...act,
    handle((req, res) => {
      const { data, user } = parseAction(req, NEW_ORDER, loginOff);
      const { user: _user, ...input } = data;
      res.status(201).json(withNames(records.openWorkOrder(input, user)));
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
        res.json(withNames(order));
      }),
    );
  }

  router.get(
    '/handovers/current',
    handle((req, res) => {
      const team = one(req.query.team) ?? records.teams()[0]?.id;
      if (!team) throw new BadRequest('no teams are configured in notify.yaml');
      res.json(records.handoverView(team));
    }),
  );

  router.get(
    '/handovers',
    handle((req, res) => {
      const handovers = records.handovers.list({
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
      const { data, user } = parseAction(req, HANDOVER, loginOff);
      res.status(201).json(records.submitHandover(data.team, data.notes, user));
    }),
  );

  router.post(
    '/handovers/:id/accept',
    ...act,
    handle((req, res) => {
      const { data, user } = parseAction(req, ACCEPT_HANDOVER, loginOff);
      const id = Number(param(req, 'id'));
      if (!Number.isInteger(id) || !records.handovers.get(id)) {
        res.status(404).json({ error: `no handover "${param(req, 'id')}"` });
        return;
      }
      res.json(records.handovers.accept(id, user, data.comment));
    }),
  );

  router.get(
    '/maintenance',
    handle((req, res) => {
      sendTable(req, res, 'maintenance-due', records.maintenanceStatus(), (rows) => ({
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
      const history = records.maintenance.history({
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
      const { data, user } = parseAction(req, COMPLETE_TASK, loginOff);
      const { user: _user, ...completion } = data;
      res.status(201).json(records.maintenance.complete(param(req, 'task'), user, completion));
    }),
  );

  router.get(
    '/operation-log',
    handle(async (req, res) => {
      const shift = shiftOf(records, req);
      const devices = devicesFor(records, req);
      const logs = await records.operationLogs(shift, devices);
      sendTable(
        req,
        res,
        `operation-log-${shift.dutyDate}-${shift.period}`,
        { shift, logs },
        ({ logs: all }) => ({
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
        }),
      );
    }),
  );

  router.get(
    '/assets',
    handle((req, res) => {
      const ledger = assetLedger(records.config, baseUrlOf(req));
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
      res.type('image/svg+xml').send(await assetLabelSvg(entry));
    }),
  );
  return router;
}

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

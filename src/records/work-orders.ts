/**
 * Work orders: every repair, whether an alarm, a hotline call or a patrol raised it, from the
 * moment it is opened to the moment it is completed or cancelled, with who did each step and
 * when. Response and repair times per team and month come from the same record.
 *
 * The life of an order: open → accepted → on-site → completed.
 * - `arrive` on an open order implies acceptance by the same person at the same moment.
 * - `complete` is allowed from open and accepted as well as on-site: a fault fixed over the
 *   phone, or a visit nobody recorded, is still a completed repair. Those orders have no
 *   arrival time, so they count in repair times (MTTR) but not in response times.
 * - `cancel` is allowed until the order is completed; completed and cancelled are final.
 * - Comments may be added in any state, closed orders included (a follow-up note).
 * - Each step's time may not be earlier than the order's previous entry.
 */
import type Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { PRIORITIES, type Priority } from '../alarms/types.js';

export const WORK_ORDER_SOURCES = ['alarm', 'hotline', 'patrol', 'other'] as const;
export type WorkOrderSource = (typeof WORK_ORDER_SOURCES)[number];

export const WORK_ORDER_STATUSES = ['open', 'accepted', 'on-site', 'completed', 'cancelled'] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

/** Not yet completed or cancelled: an alarm has at most one order in these (see db.ts). */
export const LIVE_WORK_ORDER_STATUSES: readonly WorkOrderStatus[] = ['open', 'accepted', 'on-site'];

export type WorkOrderAction = 'created' | 'accepted' | 'arrived' | 'completed' | 'cancelled' | 'commented';

export interface WorkOrderHistoryEntry {
  at: number;
  user: string;
  action: WorkOrderAction;
  comment?: string;
}

export interface WorkOrder {
  id: number;
  /** "WO-2026-000123": the local year of creation and that year's sequence number. */
  number: string;
  title: string;
  description?: string;
  source: WorkOrderSource;
  alarmId?: string;
  device?: string;
  site: string;
  building?: string;
  room?: string;
  team: string;
  priority: Priority;
  status: WorkOrderStatus;
  createdAt: number;
  createdBy: string;
  /** The caller's name or phone number, for hotline orders. */
  reporter?: string;
  acceptedAt?: number;
  acceptedBy?: string;
  arrivedAt?: number;
  completedAt?: number;
  completedBy?: string;
  resolution?: string;
  cancelledAt?: number;
  cancelledBy?: string;
  cancelReason?: string;
  /** Every step, oldest first. */
  history: WorkOrderHistoryEntry[];
}

export type NewWorkOrder = Pick<WorkOrder, 'title' | 'source' | 'site' | 'team' | 'priority'> &
  Partial<Pick<WorkOrder, 'description' | 'alarmId' | 'device' | 'building' | 'room' | 'reporter'>>;

export interface WorkOrderFilter {
  status?: WorkOrderStatus[];
  team?: string;
  device?: string;
  alarmId?: string;
  /** Created at or after (epoch ms). */
  from?: number;
  /** Created before (epoch ms). */
  to?: number;
  /** Newest first; at most this many (default 500). */
  limit?: number;
}

export interface KpiQuery {
  /** Orders created in [from, to); the figures are as things stood at `to`. */
  from: number;
  to: number;
  /** IANA zone whose calendar months the figures are grouped by, e.g. "Asia/Shanghai". */
  zone: string;
  team?: string;
  /** Repair-time target per priority (ms); gives `completedWithinTarget`. */
  targetMs?: Partial<Record<Priority, number>>;
}

/** One team's figures for one local month; durations in ms, null when there is nothing to measure. */
export interface WorkOrderKpi {
  team: string;
  /** "YYYY-MM": the local month the orders were created in. */
  month: string;
  created: number;
  completed: number;
  cancelled: number;
  /** Neither completed nor cancelled at `to`. */
  open: number;
  /** createdAt → arrivedAt */
  responseMedianMs: number | null;
  responseMeanMs: number | null;
  /** createdAt → acceptedAt */
  acceptMedianMs: number | null;
  /** createdAt → completedAt */
  mttrMeanMs: number | null;
  mttrMedianMs: number | null;
  /** Completed within the target of their priority; only when targets were given. */
  completedWithinTarget?: number;
}

/** A refused work-order operation, with a message fit to show the person who asked. */
export class WorkOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkOrderError';
  }
}

export class UnknownWorkOrderError extends WorkOrderError {
  constructor(id: number) {
    super(`no work order with id ${id}`);
    this.name = 'UnknownWorkOrderError';
  }
}

/** A step the order's status does not allow, e.g. accepting a completed order. */
export class WorkOrderStateError extends WorkOrderError {
  constructor(message: string) {
    super(message);
    this.name = 'WorkOrderStateError';
  }
}

/** A second live order for an alarm that already has one. */
export class DuplicateWorkOrderError extends WorkOrderError {
  constructor(readonly existing: WorkOrder) {
    super(
      `alarm ${existing.alarmId} already has work order ${existing.number} (${existing.status}); ` +
        'one alarm opens one order',
    );
    this.name = 'DuplicateWorkOrderError';
  }
}

type Step = 'accept' | 'arrive' | 'complete' | 'cancel';

const ALLOWED_FROM: Record<Step, readonly WorkOrderStatus[]> = {
  accept: ['open'],
  arrive: ['open', 'accepted'],
  complete: ['open', 'accepted', 'on-site'],
  cancel: ['open', 'accepted', 'on-site'],
};

interface OrderRow {
  id: number;
  number: string;
  title: string;
  description: string | null;
  source: WorkOrderSource;
  alarm_id: string | null;
  device: string | null;
  site: string;
  building: string | null;
  room: string | null;
  team: string;
  priority: Priority;
  status: WorkOrderStatus;
  created_at: number;
  created_by: string;
  reporter: string | null;
  accepted_at: number | null;
  accepted_by: string | null;
  arrived_at: number | null;
  completed_at: number | null;
  completed_by: string | null;
  resolution: string | null;
  cancelled_at: number | null;
  cancelled_by: string | null;
  cancel_reason: string | null;
}

interface HistoryRow {
  order_id: number;
  at: number;
  user: string;
  action: WorkOrderAction;
  comment: string | null;
}

/** Column values a step writes; keys are column names of work_orders. */
type OrderPatch = Partial<Record<keyof OrderRow, string | number>>;

export class WorkOrderBook {
  /**
   * @param zone IANA zone whose year numbers the orders (default: the machine's zone), so an
   *   order opened on 1 January local time is numbered in the new year.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
    private readonly zone?: string,
  ) {
    if (zone !== undefined) checkedZone(zone);
  }

  /** Opens an order; refuses a second live order for the same alarm. */
  create(input: NewWorkOrder, user: string, at: number = this.now()): WorkOrder {
    const order = checkedNewOrder(input);
    const by = checkedUser(user);
    return this.db.transaction(() => {
      const live = order.alarmId ? this.openForAlarm(order.alarmId) : undefined;
      if (live) throw new DuplicateWorkOrderError(live);
      const year = DateTime.fromMillis(at, this.zone ? { zone: this.zone } : {}).year;
      const seq = this.nextSeq(year);
      const result = this.db
        .prepare(
          `INSERT INTO work_orders (number, year, seq, title, description, source, alarm_id, device, site,
             building, room, team, priority, status, created_at, created_by, reporter)
           VALUES (@number, @year, @seq, @title, @description, @source, @alarmId, @device, @site,
             @building, @room, @team, @priority, 'open', @at, @by, @reporter)`,
        )
        .run({
          number: `WO-${year}-${String(seq).padStart(6, '0')}`,
          year,
          seq,
          description: null,
          alarmId: null,
          device: null,
          building: null,
          room: null,
          reporter: null,
          ...order,
          at,
          by,
        });
      const id = Number(result.lastInsertRowid);
      this.addHistory(id, at, by, 'created');
      return this.mustGet(id);
    })();
  }

  accept(id: number, user: string, at: number = this.now()): WorkOrder {
    const by = checkedUser(user);
    return this.step(id, 'accept', at, by, 'accepted', () => ({
      status: 'accepted',
      accepted_at: at,
      accepted_by: by,
    }));
  }

  /** Records arrival on site; on an open order this is also its acceptance, at the same moment. */
  arrive(id: number, user: string, at: number = this.now()): WorkOrder {
    const by = checkedUser(user);
    return this.step(id, 'arrive', at, by, 'arrived', (row) => ({
      status: 'on-site',
      arrived_at: at,
      ...(row.accepted_at === null ? { accepted_at: at, accepted_by: by } : {}),
    }));
  }

  complete(id: number, user: string, resolution: string, at: number = this.now()): WorkOrder {
    const by = checkedUser(user);
    const text = required(resolution, 'a resolution (what was done)');
    return this.step(
      id,
      'complete',
      at,
      by,
      'completed',
      () => ({ status: 'completed', completed_at: at, completed_by: by, resolution: text }),
      text,
    );
  }

  cancel(id: number, user: string, reason: string, at: number = this.now()): WorkOrder {
    const by = checkedUser(user);
    const text = required(reason, 'a reason for cancelling');
    return this.step(
      id,
      'cancel',
      at,
      by,
      'cancelled',
      () => ({ status: 'cancelled', cancelled_at: at, cancelled_by: by, cancel_reason: text }),
      text,
    );
  }

  comment(id: number, user: string, text: string, at: number = this.now()): WorkOrder {
    const by = checkedUser(user);
    const comment = required(text, 'a comment');
    return this.db.transaction(() => {
      const row = this.mustGetRow(id);
      this.checkTime(row, at, 'comment on');
      this.addHistory(id, at, by, 'commented', comment);
      return this.mustGet(id);
    })();
  }

  get(id: number): WorkOrder | undefined {
    const row = this.row(id);
    return row ? toOrder(row, this.historyOf(id)) : undefined;
  }

  /** The order with this number, e.g. "WO-2026-000123" (what a caller quotes on the phone). */
  getByNumber(number: string): WorkOrder | undefined {
    const row = this.db
      .prepare<[string], OrderRow>('SELECT * FROM work_orders WHERE number = ?')
      .get(number.trim().toUpperCase());
    return row ? toOrder(row, this.historyOf(row.id)) : undefined;
  }

  list(filter: WorkOrderFilter = {}): WorkOrder[] {
    const { where, params } = whereClause(filter);
    const selected = `SELECT * FROM work_orders ${where} ORDER BY created_at DESC, id DESC LIMIT ?`;
    const limit = filter.limit ?? 500;
    const rows = this.db.prepare(selected).all(...params, limit) as OrderRow[];
    const historyRows = this.db
      .prepare(
        `SELECT * FROM work_order_history WHERE order_id IN (SELECT id FROM (${selected})) ORDER BY id`,
      )
      .all(...params, limit) as HistoryRow[];
    const histories = groupBy(historyRows, (h) => h.order_id);
    return rows.map((row) => toOrder(row, histories.get(row.id) ?? []));
  }

  /** The alarm's live (open, accepted or on-site) order, if it has one. */
  openForAlarm(alarmId: string): WorkOrder | undefined {
    const row = this.db
      .prepare<[string], OrderRow>(
        `SELECT * FROM work_orders WHERE alarm_id = ? AND status IN ('open', 'accepted', 'on-site')`,
      )
      .get(alarmId);
    return row ? toOrder(row, this.historyOf(row.id)) : undefined;
  }

  /** Figures per team per local month of creation, sorted by team then month. */
  kpis(query: KpiQuery): WorkOrderKpi[] {
    checkedZone(query.zone);
    if (!(query.from < query.to))
      throw new WorkOrderError(
        `the KPI period must end after it starts (from ${query.from}, to ${query.to})`,
      );
    const params: (string | number)[] = [query.from, query.to];
    if (query.team !== undefined) params.push(query.team);
    const rows = this.db
      .prepare(
        `SELECT * FROM work_orders WHERE created_at >= ? AND created_at < ?
         ${query.team !== undefined ? 'AND team = ?' : ''} ORDER BY created_at`,
      )
      .all(...params) as OrderRow[];
    const monthOf = (at: number) => DateTime.fromMillis(at, { zone: query.zone }).toFormat('yyyy-LL');
    const groups = groupBy(rows, (row) => `${row.team}\u0000${monthOf(row.created_at)}`);
    return [...groups.values()]
      .map((group) => kpiOf(group, monthOf, query))
      .sort((a, b) => a.team.localeCompare(b.team) || a.month.localeCompare(b.month));
  }

  /** Checks the step is allowed and in time order, then writes it and its history entry together. */
  private step(
    id: number,
    step: Step,
    at: number,
    user: string,
    action: WorkOrderAction,
    patch: (row: OrderRow) => OrderPatch,
    comment?: string,
  ): WorkOrder {
    return this.db.transaction(() => {
      const row = this.mustGetRow(id);
      const allowed = ALLOWED_FROM[step];
      if (!allowed.includes(row.status))
        throw new WorkOrderStateError(
          `cannot ${step} work order ${row.number}: it is ${row.status}, and only an order that is ` +
            `${allowed.join(' or ')} can be ${PAST[step]}`,
        );
      this.checkTime(row, at, step);
      const columns = patch(row);
      const sets = Object.keys(columns).map((column) => `${column} = @${column}`);
      this.db.prepare(`UPDATE work_orders SET ${sets.join(', ')} WHERE id = @id`).run({ ...columns, id });
      this.addHistory(id, at, user, action, comment);
      return this.mustGet(id);
    })();
  }

  /** A step may not be dated before the order's previous entry: the record reads in time order. */
  private checkTime(row: OrderRow, at: number, verb: string): void {
    if (!Number.isFinite(at))
      throw new WorkOrderError(`invalid time ${at} to ${verb} work order ${row.number}`);
    const last = this.db
      .prepare<[number], { at: number; action: WorkOrderAction }>(
        'SELECT at, action FROM work_order_history WHERE order_id = ? ORDER BY at DESC, id DESC LIMIT 1',
      )
      .get(row.id);
    if (last && at < last.at)
      throw new WorkOrderError(
        `cannot ${verb} work order ${row.number} at ${iso(at)}: that is before its last entry ` +
          `(${last.action} at ${iso(last.at)})`,
      );
  }

  private nextSeq(year: number): number {
    const found = this.db
      .prepare<[number], { last: number | null }>('SELECT MAX(seq) AS last FROM work_orders WHERE year = ?')
      .get(year);
    return (found?.last ?? 0) + 1;
  }

  private addHistory(id: number, at: number, user: string, action: WorkOrderAction, comment?: string): void {
    this.db
      .prepare('INSERT INTO work_order_history (order_id, at, user, action, comment) VALUES (?, ?, ?, ?, ?)')
      .run(id, at, user, action, comment ?? null);
  }

  private historyOf(id: number): HistoryRow[] {
    return this.db
      .prepare<[number], HistoryRow>('SELECT * FROM work_order_history WHERE order_id = ? ORDER BY id')
      .all(id);
  }

  private row(id: number): OrderRow | undefined {
    return this.db.prepare<[number], OrderRow>('SELECT * FROM work_orders WHERE id = ?').get(id);
  }

  private mustGetRow(id: number): OrderRow {
    const row = this.row(id);
    if (!row) throw new UnknownWorkOrderError(id);
    return row;
  }

  private mustGet(id: number): WorkOrder {
    return toOrder(this.mustGetRow(id), this.historyOf(id));
  }
}

const PAST: Record<Step, string> = {
  accept: 'accepted',
  arrive: 'arrived at',
  complete: 'completed',
  cancel: 'cancelled',
};

function whereClause(filter: WorkOrderFilter): { where: string; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, ...values: (string | number)[]) => {
    clauses.push(clause);
    params.push(...values);
  };
  if (filter.status?.length) add(`status IN (${filter.status.map(() => '?').join(',')})`, ...filter.status);
  if (filter.team !== undefined) add('team = ?', filter.team);
  if (filter.device !== undefined) add('device = ?', filter.device);
  if (filter.alarmId !== undefined) add('alarm_id = ?', filter.alarmId);
  if (filter.from !== undefined) add('created_at >= ?', filter.from);
  if (filter.to !== undefined) add('created_at < ?', filter.to);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function kpiOf(rows: OrderRow[], monthOf: (at: number) => string, query: KpiQuery): WorkOrderKpi {
  const first = rows[0];
  if (!first) throw new Error('a KPI group is never empty');
  // Figures are as things stood at `to`: a step taken after it has not happened yet.
  const by = (at: number | null): at is number => at !== null && at < query.to;
  const since = (pick: (row: OrderRow) => number | null) =>
    rows.flatMap((row) => {
      const at = pick(row);
      return by(at) ? [at - row.created_at] : [];
    });
  const completed = rows.filter((row) => by(row.completed_at));
  const cancelled = rows.filter((row) => by(row.cancelled_at)).length;
  const response = since((row) => row.arrived_at);
  const repair = since((row) => row.completed_at);
  return {
    team: first.team,
    month: monthOf(first.created_at),
    created: rows.length,
    completed: completed.length,
    cancelled,
    open: rows.length - completed.length - cancelled,
    responseMedianMs: median(response),
    responseMeanMs: mean(response),
    acceptMedianMs: median(since((row) => row.accepted_at)),
    mttrMeanMs: mean(repair),
    mttrMedianMs: median(repair),
    ...(query.targetMs ? { completedWithinTarget: withinTarget(completed, query.targetMs) } : {}),
  };
}

/** Completed orders repaired within their priority's target; a priority without a target counts none. */
function withinTarget(completed: OrderRow[], targetMs: Partial<Record<Priority, number>>): number {
  return completed.filter((row) => {
    const target = targetMs[row.priority];
    return target !== undefined && row.completed_at !== null && row.completed_at - row.created_at <= target;
  }).length;
}

/** Whole milliseconds; null for no values. */
function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 ? upper : Math.round(((sorted[middle - 1] ?? 0) + upper) / 2);
}

/** Whole milliseconds; null for no values. */
function mean(values: number[]): number | null {
  if (values.length === 0) return null;
  return Math.round(values.reduce((sum, v) => sum + v, 0) / values.length);
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function toOrder(row: OrderRow, history: HistoryRow[]): WorkOrder {
  const optional = {
    description: row.description,
    alarmId: row.alarm_id,
    device: row.device,
    building: row.building,
    room: row.room,
    reporter: row.reporter,
    acceptedAt: row.accepted_at,
    acceptedBy: row.accepted_by,
    arrivedAt: row.arrived_at,
    completedAt: row.completed_at,
    completedBy: row.completed_by,
    resolution: row.resolution,
    cancelledAt: row.cancelled_at,
    cancelledBy: row.cancelled_by,
    cancelReason: row.cancel_reason,
  };
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    source: row.source,
    site: row.site,
    team: row.team,
    priority: row.priority,
    status: row.status,
    createdAt: row.created_at,
    createdBy: row.created_by,
    ...(Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== null)) as Partial<WorkOrder>),
    history: history.map((h) => ({
      at: h.at,
      user: h.user,
      action: h.action,
      ...(h.comment !== null ? { comment: h.comment } : {}),
    })),
  };
}

/** The new order with text trimmed, blanks dropped, and its kind and priority checked. */
function checkedNewOrder(input: NewWorkOrder): NewWorkOrder {
  if (!WORK_ORDER_SOURCES.includes(input.source))
    throw new WorkOrderError(`unknown source "${input.source}" (one of ${WORK_ORDER_SOURCES.join(', ')})`);
  if (!PRIORITIES.includes(input.priority))
    throw new WorkOrderError(`unknown priority "${input.priority}" (one of ${PRIORITIES.join(', ')})`);
  const optional = (text: string | undefined) => text?.trim() || undefined;
  const order: NewWorkOrder = {
    title: required(input.title, 'a title'),
    source: input.source,
    site: required(input.site, 'a site'),
    team: required(input.team, 'a team'),
    priority: input.priority,
    description: optional(input.description),
    alarmId: optional(input.alarmId),
    device: optional(input.device),
    building: optional(input.building),
    room: optional(input.room),
    reporter: optional(input.reporter),
  };
  return Object.fromEntries(Object.entries(order).filter(([, v]) => v !== undefined)) as NewWorkOrder;
}

function required(text: string | undefined, what: string): string {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  if (!trimmed) throw new WorkOrderError(`a work order needs ${what}`);
  return trimmed;
}

function checkedUser(user: string): string {
  const name = typeof user === 'string' ? user.trim() : '';
  if (!name) throw new WorkOrderError('every work-order step needs the user who took it');
  return name;
}

function checkedZone(zone: string): string {
  if (!DateTime.now().setZone(zone).isValid) throw new WorkOrderError(`unknown time zone "${zone}"`);
  return zone;
}

function iso(at: number): string {
  return new Date(at).toISOString();
}

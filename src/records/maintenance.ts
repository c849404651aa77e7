/**
 * Planned maintenance: which task was done on which device, when and by whom (the record an
 * accreditation review asks for), and from that record what is due next, by run hours or by
 * the calendar.
 *
 * Calendar tasks are due on a local date: the date of the last completion plus the interval
 * (2026-01-31 + 1 month = 2026-02-28). On that date a task is due-soon ("due today"); from the
 * next day it is overdue. Run-hours tasks are overdue once the counter passes the last reading
 * plus the interval. A task with no record at all, here or in the config's `lastDone`, is
 * overdue ("never recorded"): nobody can say when it was last done.
 *
 * A calendar task may carry a date a document sets, `due` (an elevator's inspection
 * certificate valid until then): it is not due before that date, whatever its last completion
 * says, and needs no completion on record; a completion whose interval runs past that date
 * (the inspection done and its new certificate issued) moves it on.
 */
import type Database from 'better-sqlite3';
import { DateTime } from 'luxon';

export type MaintenanceInterval = { runHours: number } | { days: number } | { months: number };

export interface MaintenanceTask {
  id: string;
  device: string;
  title: string;
  /** The title in Chinese, when configured. */
  titleZh?: string;
  team?: string;
  every: MaintenanceInterval;
  /**
   * The run-hours counter point (for `every.runHours`): a full id "<device>.<point>", or just
   * the point name on the task's device. Default "<device>.run_hours".
   */
  runHoursPoint?: string;
  /**
   * How long before due a task is listed as due-soon. Default: 10 % of a run-hours interval;
   * 30 days for a calendar interval, or 10 % of it when that is shorter.
   */
  warnBefore?: { runHours?: number; days?: number };
  /** The last time it was done before Plantwatch kept the record. */
  lastDone?: { date: string; runHours?: number };
  /** A due date a document sets ("YYYY-MM-DD", calendar tasks): not due before it. */
  due?: string;
}

export interface MaintenanceRecord {
  id: number;
  taskId: string;
  device: string;
  /** The task's title when it was done. */
  title: string;
  doneAt: number;
  doneBy: string;
  /** The run-hours counter when it was done. */
  runHours?: number;
  notes?: string;
  /** When it was entered: differs from doneAt for work recorded afterwards. */
  recordedAt: number;
}

export interface Completion {
  /** When the work was done (default now). */
  at?: number;
  /** The counter reading at the time: required for run-hours tasks. */
  runHours?: number;
  notes?: string;
}

export interface MaintenanceHistoryQuery {
  task?: string;
  device?: string;
  /** Done at or after (epoch ms). */
  from?: number;
  /** Done before (epoch ms). */
  to?: number;
  /** Newest first; at most this many (default 500). */
  limit?: number;
}

export type TaskState = 'ok' | 'due-soon' | 'overdue' | 'unknown';

export interface TaskStatus {
  task: MaintenanceTask;
  state: TaskState;
  lastDoneAt?: number;
  /** Absent when the last completion is the config's `lastDone`. */
  lastDoneBy?: string;
  lastRunHours?: number;
  /** Start of the local due date (calendar tasks). */
  dueAt?: number;
  dueRunHours?: number;
  runHoursNow?: number;
  /** Negative when overdue. */
  remainingRunHours?: number;
  /** Whole local days until the due date; negative when overdue. */
  remainingDays?: number;
  /** e.g. "Annual service (chiller-1): overdue by 12 days (due 2026-11-01)" */
  message: string;
  /** The same in Chinese: "年度保养 (chiller-1)：已逾期 12 天（到期日 2026-11-01）". */
  messageZh?: string;
}

/** A refused maintenance operation or an unusable task, with a message fit to show the person who asked. */
export class MaintenanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MaintenanceError';
  }
}

interface RecordRow {
  id: number;
  task_id: string;
  device: string;
  title: string;
  done_at: number;
  done_by: string;
  run_hours: number | null;
  notes: string | null;
  recorded_at: number;
}

/** The last completion a status is measured from: a record, or the config's `lastDone`. */
interface LastDone {
  at: number;
  by?: string;
  runHours?: number;
}

/** A status before sorting: `urgency` is the share of the interval left (negative when overdue). */
type Measured = { status: TaskStatus; urgency: number };

const STATE_ORDER: Record<TaskState, number> = { overdue: 0, 'due-soon': 1, unknown: 2, ok: 3 };
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DEFAULT_WARN_DAYS = 30;
const DEFAULT_WARN_SHARE = 0.1;
const hours = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** The point id of a run-hours task's counter. */
export function runHoursPointOf(task: MaintenanceTask): string {
  const point = task.runHoursPoint ?? 'run_hours';
  return point.includes('.') ? point : `${task.device}.${point}`;
}

export class MaintenanceBook {
  private readonly tasks: ReadonlyMap<string, MaintenanceTask>;

  constructor(
    private readonly db: Database.Database,
    tasks: readonly MaintenanceTask[],
    private readonly zone: string,
    private readonly now: () => number = Date.now,
  ) {
    if (!DateTime.now().setZone(zone).isValid) throw new MaintenanceError(`unknown time zone "${zone}"`);
    this.tasks = checkedTasks(tasks, zone);
  }

  /** Records that the task was done; run-hours tasks need the counter reading. */
  complete(taskId: string, user: string, completion: Completion = {}): MaintenanceRecord {
    const task = this.tasks.get(taskId);
    if (!task) throw new MaintenanceError(`unknown maintenance task "${taskId}"`);
    const by = typeof user === 'string' ? user.trim() : '';
    if (!by) throw new MaintenanceError(`completing "${task.title}" needs the user who did it`);
    const at = completion.at ?? this.now();
    if (!Number.isFinite(at)) throw new MaintenanceError(`invalid completion time ${at} for "${task.title}"`);
    const runHours = checkedRunHours(task, completion.runHours);
    const result = this.db
      .prepare(
        `INSERT INTO maintenance_records (task_id, device, title, done_at, done_by, run_hours, notes, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        task.id,
        task.device,
        task.title,
        at,
        by,
        runHours ?? null,
        completion.notes?.trim() || null,
        this.now(),
      );
    const row = this.db
      .prepare<[number], RecordRow>('SELECT * FROM maintenance_records WHERE id = ?')
      .get(Number(result.lastInsertRowid));
    if (!row) throw new Error(`maintenance record ${result.lastInsertRowid} vanished after its insert`);
    return toRecord(row);
  }

  /** Who did what when, newest first. */
  history(query: MaintenanceHistoryQuery = {}): MaintenanceRecord[] {
    const clauses: string[] = [];
    const params: (string | number)[] = [];
    const add = (clause: string, value: string | number) => {
      clauses.push(clause);
      params.push(value);
    };
    if (query.task !== undefined) add('task_id = ?', query.task);
    if (query.device !== undefined) add('device = ?', query.device);
    if (query.from !== undefined) add('done_at >= ?', query.from);
    if (query.to !== undefined) add('done_at < ?', query.to);
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM maintenance_records ${where} ORDER BY done_at DESC, id DESC LIMIT ?`)
      .all(...params, query.limit ?? 500) as RecordRow[];
    return rows.map(toRecord);
  }

  /** Every task's state at `at`, overdue first, then due-soon, unknown and ok; most urgent first within each. */
  status(readRunHours: (pointId: string) => number | undefined, at: number = this.now()): TaskStatus[] {
    return [...this.tasks.values()]
      .map((task) => this.measure(task, readRunHours, at))
      .sort(
        (a, b) =>
          STATE_ORDER[a.status.state] - STATE_ORDER[b.status.state] ||
          a.urgency - b.urgency ||
          a.status.task.device.localeCompare(b.status.task.device) ||
          a.status.task.title.localeCompare(b.status.task.title),
      )
      .map((measured) => measured.status);
  }

  private measure(
    task: MaintenanceTask,
    readRunHours: (pointId: string) => number | undefined,
    at: number,
  ): Measured {
    const last = this.lastDone(task, at);
    if (!last && task.due === undefined)
      return {
        status: {
          task,
          state: 'overdue',
          message: `${label(task)}: never recorded`,
          messageZh: `${labelZh(task)}：从无保养记录`,
        },
        urgency: 0,
      };
    const known: TaskStatus = {
      task,
      state: 'unknown',
      ...(last ? { lastDoneAt: last.at } : {}),
      ...(last?.by !== undefined ? { lastDoneBy: last.by } : {}),
      ...(last?.runHours !== undefined ? { lastRunHours: last.runHours } : {}),
      message: '',
    };
    return 'runHours' in task.every
      ? byRunHours(known, task.every.runHours, readRunHours(runHoursPointOf(task)))
      : byCalendar(known, at, this.zone);
  }

  /** The later of the last record done by `at` and the config's `lastDone`. */
  private lastDone(task: MaintenanceTask, at: number): LastDone | undefined {
    const row = this.db
      .prepare<[string, number], RecordRow>(
        'SELECT * FROM maintenance_records WHERE task_id = ? AND done_at <= ? ORDER BY done_at DESC, id DESC LIMIT 1',
      )
      .get(task.id, at);
    const recorded: LastDone | undefined = row
      ? { at: row.done_at, by: row.done_by, ...(row.run_hours !== null ? { runHours: row.run_hours } : {}) }
      : undefined;
    const configured: LastDone | undefined = task.lastDone
      ? {
          at: localDay(task.lastDone.date, this.zone).toMillis(),
          ...(task.lastDone.runHours !== undefined ? { runHours: task.lastDone.runHours } : {}),
        }
      : undefined;
    if (configured && configured.at > at) return recorded;
    if (!recorded || !configured) return recorded ?? configured;
    return configured.at > recorded.at ? configured : recorded;
  }
}

function byRunHours(known: TaskStatus, interval: number, counter: number | undefined): Measured {
  const { task } = known;
  if (known.lastRunHours === undefined)
    return {
      status: {
        ...known,
        message: `${label(task)}: the last service has no run-hours reading`,
        messageZh: `${labelZh(task)}：上次保养没有累计运行时间读数`,
      },
      urgency: 0,
    };
  const dueRunHours = known.lastRunHours + interval;
  if (counter === undefined || !Number.isFinite(counter))
    return {
      status: {
        ...known,
        dueRunHours,
        message: `${label(task)}: run hours unreadable (point ${runHoursPointOf(task)})`,
        messageZh: `${labelZh(task)}：累计运行时间无法读取（测点 ${runHoursPointOf(task)}）`,
      },
      urgency: 0,
    };
  const remaining = dueRunHours - counter;
  const warn = task.warnBefore?.runHours ?? interval * DEFAULT_WARN_SHARE;
  const state: TaskState = remaining < 0 ? 'overdue' : remaining <= warn ? 'due-soon' : 'ok';
  const reading = `at ${hours.format(dueRunHours)} h, counter at ${hours.format(counter)} h`;
  const messages: Record<TaskState, string> = {
    overdue: `overdue by ${hours.format(-remaining)} h (due ${reading})`,
    'due-soon': remaining === 0 ? `due now (${reading})` : `due in ${hours.format(remaining)} h (${reading})`,
    ok: `next due in ${hours.format(remaining)} h (${reading})`,
    unknown: '',
  };
  const readingZh = `到期 ${hours.format(dueRunHours)} 小时，当前计数 ${hours.format(counter)} 小时`;
  const messagesZh: Record<TaskState, string> = {
    overdue: `已逾期 ${hours.format(-remaining)} 小时（${readingZh}）`,
    'due-soon':
      remaining === 0 ? `现在到期（${readingZh}）` : `${hours.format(remaining)} 小时后到期（${readingZh}）`,
    ok: `下次 ${hours.format(remaining)} 小时后到期（${readingZh}）`,
    unknown: '',
  };
  return {
    status: {
      ...known,
      state,
      dueRunHours,
      runHoursNow: counter,
      remainingRunHours: remaining,
      message: `${label(task)}: ${messages[state]}`,
      messageZh: `${labelZh(task)}：${messagesZh[state]}`,
    },
    urgency: remaining / interval,
  };
}

function byCalendar(known: TaskStatus, at: number, zone: string): Measured {
  const { task } = known;
  const every = task.every as { days: number } | { months: number };
  const lastDone =
    known.lastDoneAt !== undefined
      ? DateTime.fromMillis(known.lastDoneAt, { zone }).startOf('day')
      : undefined;
  const documentDue = task.due !== undefined ? localDay(task.due, zone) : undefined;
  // The later of the two: a certificate's expiry holds until a completion runs past it.
  const candidates = [lastDone?.plus(every), documentDue].filter((d): d is DateTime => d !== undefined);
  const dueDay = DateTime.max(...candidates) ?? DateTime.fromMillis(at, { zone }).startOf('day');
  const lastDay = dueDay === documentDue || !lastDone ? dueDay.minus(every) : lastDone;
  const today = DateTime.fromMillis(at, { zone }).startOf('day');
  const remaining = Math.round(dueDay.diff(today, 'days').days);
  const intervalDays = Math.max(1, Math.round(dueDay.diff(lastDay, 'days').days));
  // 30 days' notice, or a tenth of the interval when that is shorter: a monthly check is not always "due soon".
  const warn = task.warnBefore?.days ?? Math.min(DEFAULT_WARN_DAYS, intervalDays * DEFAULT_WARN_SHARE);
  const state: TaskState = remaining < 0 ? 'overdue' : remaining <= warn ? 'due-soon' : 'ok';
  const date = dueDay.toISODate();
  const messages: Record<TaskState, string> = {
    overdue: `overdue by ${days(-remaining)} (due ${date})`,
    'due-soon': remaining === 0 ? `due today (${date})` : `due in ${days(remaining)} (${date})`,
    ok: `next due ${date} (in ${days(remaining)})`,
    unknown: '',
  };
  const messagesZh: Record<TaskState, string> = {
    overdue: `已逾期 ${-remaining} 天（到期日 ${date}）`,
    'due-soon': remaining === 0 ? `今天到期（${date}）` : `${remaining} 天后到期（${date}）`,
    ok: `下次到期 ${date}（${remaining} 天后）`,
    unknown: '',
  };
  return {
    status: {
      ...known,
      state,
      dueAt: dueDay.toMillis(),
      remainingDays: remaining,
      message: `${label(task)}: ${messages[state]}`,
      messageZh: `${labelZh(task)}：${messagesZh[state]}`,
    },
    urgency: remaining / intervalDays,
  };
}

function checkedTasks(tasks: readonly MaintenanceTask[], zone: string): Map<string, MaintenanceTask> {
  const byId = new Map<string, MaintenanceTask>();
  for (const task of tasks) {
    if (byId.has(task.id)) throw new MaintenanceError(`maintenance task "${task.id}" is listed twice`);
    const [unit, amount] = Object.entries(task.every)[0] ?? [];
    if (typeof amount !== 'number' || !(amount > 0) || !Number.isFinite(amount))
      throw new MaintenanceError(
        `maintenance task "${task.id}": every.${unit ?? '(runHours, days or months)'} must be a positive number`,
      );
    if (task.lastDone && !(DATE.test(task.lastDone.date) && localDay(task.lastDone.date, zone).isValid))
      throw new MaintenanceError(
        `maintenance task "${task.id}": invalid lastDone date "${task.lastDone.date}" (expected "YYYY-MM-DD")`,
      );
    if (task.due !== undefined && !(DATE.test(task.due) && localDay(task.due, zone).isValid))
      throw new MaintenanceError(
        `maintenance task "${task.id}": invalid due date "${task.due}" (expected "YYYY-MM-DD")`,
      );
    if (task.due !== undefined && 'runHours' in task.every)
      throw new MaintenanceError(
        `maintenance task "${task.id}": a due date goes with a calendar interval (days or months), not run hours`,
      );
    byId.set(task.id, task);
  }
  return byId;
}

function checkedRunHours(task: MaintenanceTask, runHours: number | undefined): number | undefined {
  if (runHours === undefined) {
    if ('runHours' in task.every)
      throw new MaintenanceError(
        `"${task.title}" (${task.device}) is due by run hours: give the counter reading when it was done`,
      );
    return undefined;
  }
  if (!Number.isFinite(runHours) || runHours < 0)
    throw new MaintenanceError(`invalid run-hours reading ${runHours} for "${task.title}" (${task.device})`);
  return runHours;
}

function localDay(date: string, zone: string): DateTime {
  return DateTime.fromISO(date, { zone }).startOf('day');
}

function label(task: MaintenanceTask): string {
  return `${task.title} (${task.device})`;
}

function labelZh(task: MaintenanceTask): string {
  return `${task.titleZh ?? task.title} (${task.device})`;
}

function days(count: number): string {
  return count === 1 ? '1 day' : `${count} days`;
}

function toRecord(row: RecordRow): MaintenanceRecord {
  return {
    id: row.id,
    taskId: row.task_id,
    device: row.device,
    title: row.title,
    doneAt: row.done_at,
    doneBy: row.done_by,
    ...(row.run_hours !== null ? { runHours: row.run_hours } : {}),
    ...(row.notes !== null ? { notes: row.notes } : {}),
    recordedAt: row.recorded_at,
  };
}

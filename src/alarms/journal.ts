/**
 * The alarm journal: every transition of every alarm (time, value, limit, who, why), and
 * each alarm's current state so a restart picks up where it left off. One SQLite file
 * (better-sqlite3, WAL, synchronous writes): an accreditation review asks for this record,
 * so an event is on disk before anyone is told about it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AlarmRecord } from './lifecycle.js';
import type { AlarmEvent, AlarmEventKind, Priority, RaisedBy } from './types.js';

export interface HistoryQuery {
  from?: number;
  to?: number;
  alarm?: string;
  device?: string;
  site?: string;
  building?: string;
  priority?: Priority[];
  kind?: AlarmEventKind[];
  /** Newest first; at most this many (default 500). */
  limit?: number;
}

export type StoredState = AlarmRecord & {
  value: AlarmEvent['value'];
  limit: number | null;
  message: string;
  /** Absent in journals written before the raising reading was kept (see states()). */
  raised?: RaisedBy | null;
  returnedAt?: number | null;
};

/** One transition to journal: the event, and the alarm's state after it. */
export interface JournalEntry {
  event: Omit<AlarmEvent, 'seq'>;
  state: StoredState;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alarm_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  alarm_id TEXT NOT NULL,
  rule TEXT NOT NULL,
  kind TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  priority TEXT NOT NULL,
  message TEXT NOT NULL,
  value TEXT,
  limit_value REAL,
  user TEXT,
  comment TEXT,
  notify INTEGER NOT NULL,
  place TEXT NOT NULL,
  raised_value TEXT,
  raised_limit REAL,
  raised_at INTEGER,
  message_zh TEXT
);
CREATE INDEX IF NOT EXISTS alarm_events_ts ON alarm_events (ts);
CREATE INDEX IF NOT EXISTS alarm_events_alarm ON alarm_events (alarm_id, ts);
CREATE TABLE IF NOT EXISTS alarm_state (
  alarm_id TEXT PRIMARY KEY,
  record TEXT NOT NULL
);
`;

/** Columns added since the first journals, by name: added in place when an old journal opens. */
const ADDED_COLUMNS: readonly [string, string][] = [
  ['raised_value', 'TEXT'],
  ['raised_limit', 'REAL'],
  ['raised_at', 'INTEGER'],
  // The Chinese message beside the English one; events written before it have none.
  ['message_zh', 'TEXT'],
];

/**
 * The events of an old journal that belong to an activation get its reading, as new events do:
 * the activation itself and what followed it (return, acknowledgement, clearing, chatter).
 * Their messages stay as they were written.
 */
const BACKFILL_RAISED = `
UPDATE alarm_events AS e SET (raised_value, raised_limit, raised_at) = (
  SELECT a.value, a.limit_value, a.ts FROM alarm_events AS a
  WHERE a.alarm_id = e.alarm_id AND a.kind = 'activated' AND a.seq <= e.seq
  ORDER BY a.seq DESC LIMIT 1)
WHERE e.kind IN ('activated', 'returned', 'acknowledged', 'cleared', 'chattering')
`;

/** The reading of an alarm's last activation, for the state of an old journal. */
const LAST_ACTIVATION =
  "SELECT value, limit_value, ts FROM alarm_events WHERE alarm_id = ? AND kind = 'activated' ORDER BY seq DESC LIMIT 1";

interface EventRow {
  seq: number;
  ts: number;
  alarm_id: string;
  rule: string;
  kind: AlarmEventKind;
  from_state: AlarmEvent['from'];
  to_state: AlarmEvent['to'];
  priority: Priority;
  message: string;
  value: string | null;
  limit_value: number | null;
  user: string | null;
  comment: string | null;
  notify: number;
  place: string;
  raised_value: string | null;
  raised_limit: number | null;
  raised_at: number | null;
  message_zh: string | null;
}

export class AlarmJournal {
  private readonly db: Database.Database;
  private readonly insertEvent: Database.Statement;
  private readonly upsertState: Database.Statement;
  private readonly writeAll: (entries: readonly JournalEntry[]) => number[];

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.migrate();
    this.insertEvent = this.db.prepare(
      `INSERT INTO alarm_events (ts, alarm_id, rule, kind, from_state, to_state, priority, message, value,
         limit_value, user, comment, notify, place, raised_value, raised_limit, raised_at, message_zh)
       VALUES (@ts, @alarmId, @rule, @kind, @from, @to, @priority, @message, @value, @limit, @user, @comment,
         @notify, @place, @raisedValue, @raisedLimit, @raisedAt, @messageZh)`,
    );
    this.upsertState = this.db.prepare(
      'INSERT INTO alarm_state (alarm_id, record) VALUES (?, ?) ON CONFLICT(alarm_id) DO UPDATE SET record = excluded.record',
    );
    // Events and states land together or not at all, with one disk sync for the lot.
    this.writeAll = this.db.transaction((entries: readonly JournalEntry[]) =>
      entries.map(({ event, state }) => this.writeOne(event, state)),
    );
  }

  /** An old journal opens in place: the columns it lacks are added, in one transaction. */
  private migrate(): void {
    const columns = this.db.pragma('table_info(alarm_events)') as { name: string }[];
    const have = new Set(columns.map((c) => c.name));
    const missing = ADDED_COLUMNS.filter(([name]) => !have.has(name));
    if (missing.length === 0) return;
    this.db.transaction(() => {
      for (const [name, type] of missing) this.db.exec(`ALTER TABLE alarm_events ADD COLUMN ${name} ${type}`);
      if (missing.some(([name]) => name.startsWith('raised_'))) this.db.exec(BACKFILL_RAISED);
    })();
  }

  /** Writes events and the alarms' new states in one transaction; returns their sequence numbers. */
  appendMany(entries: readonly JournalEntry[]): number[] {
    return this.writeAll(entries);
  }

  private writeOne(event: Omit<AlarmEvent, 'seq'>, state: StoredState): number {
    const { site, building, room, buildingName, roomName, device, deviceName, equipment, unit, raised } =
      event;
    const { buildingNameZh, roomNameZh, deviceNameZh } = event;
    const result = this.insertEvent.run({
      ts: event.ts,
      alarmId: event.alarmId,
      rule: event.rule,
      kind: event.kind,
      from: event.from,
      to: event.to,
      priority: event.priority,
      message: event.message,
      value: jsonValue(event.value),
      limit: event.limit,
      user: event.user ?? null,
      comment: event.comment ?? null,
      notify: event.notify ? 1 : 0,
      // With the place, how to read the value: its unit.
      place: JSON.stringify({
        site,
        building,
        room,
        buildingName,
        roomName,
        device,
        deviceName,
        buildingNameZh,
        roomNameZh,
        deviceNameZh,
        equipment,
        unit,
      }),
      raisedValue: raised ? jsonValue(raised.value) : null,
      raisedLimit: raised?.limit ?? null,
      raisedAt: raised?.ts ?? null,
      messageZh: event.messageZh ?? null,
    });
    this.upsertState.run(event.alarmId, JSON.stringify(state));
    return Number(result.lastInsertRowid);
  }

  /**
   * The state each alarm was left in, by alarm id. A state from an old journal gets the reading
   * of its open activation from the events, so a returned alarm still says what raised it.
   */
  states(): Map<string, StoredState> {
    const rows = this.db.prepare('SELECT alarm_id, record FROM alarm_state').all() as {
      alarm_id: string;
      record: string;
    }[];
    return new Map(
      rows.map((r) => [r.alarm_id, this.withRaised(r.alarm_id, JSON.parse(r.record) as StoredState)]),
    );
  }

  private withRaised(alarmId: string, state: StoredState): StoredState {
    if (state.raised !== undefined || state.activeSince === null) return state;
    const row = this.db.prepare(LAST_ACTIVATION).get(alarmId) as
      | { value: string | null; limit_value: number | null; ts: number }
      | undefined;
    return row
      ? { ...state, raised: { value: parseValue(row.value), limit: row.limit_value, ts: row.ts } }
      : state;
  }

  history(query: HistoryQuery = {}): AlarmEvent[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (clause: string, ...values: (string | number)[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (query.from !== undefined) add('ts >= ?', query.from);
    if (query.to !== undefined) add('ts < ?', query.to);
    if (query.alarm) add('alarm_id = ?', query.alarm);
    if (query.device) add("json_extract(place, '$.device') = ?", query.device);
    if (query.site) add("json_extract(place, '$.site') = ?", query.site);
    if (query.building) add("json_extract(place, '$.building') = ?", query.building);
    if (query.priority?.length)
      add(`priority IN (${query.priority.map(() => '?').join(',')})`, ...query.priority);
    if (query.kind?.length) add(`kind IN (${query.kind.map(() => '?').join(',')})`, ...query.kind);
    const sql = `SELECT * FROM alarm_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, query.limit ?? 500) as EventRow[];
    return rows.map(toEvent);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toEvent(row: EventRow): AlarmEvent {
  const place = JSON.parse(row.place) as Pick<AlarmEvent, 'site' | 'building' | 'room' | 'equipment'> &
    Partial<AlarmEvent>;
  return {
    ...place,
    seq: row.seq,
    alarmId: row.alarm_id,
    rule: row.rule,
    kind: row.kind,
    from: row.from_state,
    to: row.to_state,
    ts: row.ts,
    priority: row.priority,
    message: row.message,
    ...(row.message_zh === null ? {} : { messageZh: row.message_zh }),
    value: parseValue(row.value),
    limit: row.limit_value,
    ...(row.raised_at === null
      ? {}
      : { raised: { value: parseValue(row.raised_value), limit: row.raised_limit, ts: row.raised_at } }),
    ...(row.user ? { user: row.user } : {}),
    ...(row.comment ? { comment: row.comment } : {}),
    notify: row.notify === 1,
  };
}

const jsonValue = (value: AlarmEvent['value']): string | null =>
  value === null ? null : JSON.stringify(value);

const parseValue = (text: string | null): AlarmEvent['value'] =>
  text === null ? null : (JSON.parse(text) as AlarmEvent['value']);

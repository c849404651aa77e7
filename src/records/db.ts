/**
 * The operations-records database: work orders, shift handovers and maintenance records in one
 * SQLite file. These are what an accreditation review asks for, so every write is synced to
 * disk (WAL, synchronous FULL) before the caller is told it is done.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

const WORK_ORDERS = `
CREATE TABLE IF NOT EXISTS work_orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  number TEXT NOT NULL UNIQUE,
  year INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  title TEXT NOT NULL,
  description TEXT,
  source TEXT NOT NULL CHECK (source IN ('alarm', 'hotline', 'patrol', 'other')),
  alarm_id TEXT,
  device TEXT,
  site TEXT NOT NULL,
  building TEXT,
  room TEXT,
  team TEXT NOT NULL,
  priority TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
  status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'on-site', 'completed', 'cancelled')),
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  reporter TEXT,
  accepted_at INTEGER,
  accepted_by TEXT,
  arrived_at INTEGER,
  completed_at INTEGER,
  completed_by TEXT,
  resolution TEXT,
  cancelled_at INTEGER,
  cancelled_by TEXT,
  cancel_reason TEXT,
  UNIQUE (year, seq)
);
CREATE INDEX IF NOT EXISTS work_orders_created ON work_orders (created_at);
CREATE INDEX IF NOT EXISTS work_orders_team ON work_orders (team, created_at);
CREATE INDEX IF NOT EXISTS work_orders_device ON work_orders (device, created_at);
-- One alarm opens one order: a second live order for the same alarm is refused by the file itself.
CREATE UNIQUE INDEX IF NOT EXISTS work_orders_live_alarm ON work_orders (alarm_id)
  WHERE alarm_id IS NOT NULL AND status IN ('open', 'accepted', 'on-site');
CREATE TABLE IF NOT EXISTS work_order_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id INTEGER NOT NULL REFERENCES work_orders (id),
  at INTEGER NOT NULL,
  user TEXT NOT NULL,
  action TEXT NOT NULL,
  comment TEXT
);
CREATE INDEX IF NOT EXISTS work_order_history_order ON work_order_history (order_id, id);
`;

const HANDOVERS = `
CREATE TABLE IF NOT EXISTS handovers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  team TEXT NOT NULL,
  shift TEXT NOT NULL CHECK (shift IN ('day', 'night', 'holiday')),
  duty_date TEXT NOT NULL,
  shift_from INTEGER NOT NULL,
  shift_to INTEGER NOT NULL,
  outgoing_user TEXT NOT NULL,
  notes TEXT NOT NULL,
  summary TEXT,
  submitted_at INTEGER NOT NULL,
  incoming_user TEXT,
  accepted_at INTEGER,
  accept_comment TEXT,
  UNIQUE (team, duty_date, shift)
);
CREATE INDEX IF NOT EXISTS handovers_shift_from ON handovers (shift_from);
`;

const MAINTENANCE = `
CREATE TABLE IF NOT EXISTS maintenance_records (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL,
  device TEXT NOT NULL,
  title TEXT NOT NULL,
  done_at INTEGER NOT NULL,
  done_by TEXT NOT NULL,
  run_hours REAL,
  notes TEXT,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS maintenance_records_task ON maintenance_records (task_id, done_at);
CREATE INDEX IF NOT EXISTS maintenance_records_device ON maintenance_records (device, done_at);
`;

/** Opens (creating if needed) the records file and its tables; ":memory:" for a throwaway one. */
export function openRecordsDb(path: string | ':memory:'): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // The CLI and a running gateway may write at the same moment: wait rather than fail.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(WORK_ORDERS + HANDOVERS + MAINTENANCE);
  return db;
}

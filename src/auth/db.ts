/**
 * The auth database: users, sessions and the addresses each user logged in from, in one SQLite
 * file, so sessions and known addresses survive a restart.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('electrician', 'energy-manager', 'admin')),
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    sites TEXT
  );
  CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username),
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions(username);
  CREATE TABLE IF NOT EXISTS known_addresses (
    username TEXT NOT NULL REFERENCES users(username),
    address TEXT NOT NULL,
    last_login INTEGER NOT NULL,
    PRIMARY KEY (username, address)
  );
`;

/** Opens (creating if needed) the file; ":memory:" for a throwaway store. */
export function openAuthDb(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // The CLI and a running gateway may write at the same moment: wait rather than fail.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  migrate(db);
  return db;
}

/**
 * Brings a file written by an earlier version up to SCHEMA (CREATE TABLE IF NOT EXISTS leaves an
 * existing table as it was): each step adds what is missing and keeps every row.
 */
function migrate(db: Database.Database): void {
  const userColumns = db.prepare<[], { name: string }>('PRAGMA table_info(users)').all();
  // The campuses each user works for (a JSON array of site ids); NULL, as for every user
  // until now: every campus.
  if (!userColumns.some((column) => column.name === 'sites'))
    db.exec('ALTER TABLE users ADD COLUMN sites TEXT');
}

/**
 * Login sessions: a random 256-bit id in the browser's cookie, only its SHA-256 in the
 * database (a copy of the file lets no one log in). A session ends when unused for the idle
 * time (a shift) or at its absolute maximum, whichever comes first.
 */
import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

export interface Session {
  username: string;
  createdAt: number;
  lastSeen: number;
}

/** last_seen is rewritten at most this often: a dashboard's every request need not write to disk. */
const TOUCH_EVERY_MS = 60_000;

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

interface SessionRow {
  username: string;
  created_at: number;
  last_seen: number;
}

export class SessionStore {
  constructor(
    private readonly db: Database.Database,
    private readonly policy: SessionPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new session; returns the token for the cookie (never stored as such). */
  create(username: string): string {
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    this.db
      .prepare('INSERT INTO sessions (id_hash, username, created_at, last_seen) VALUES (?, ?, ?, ?)')
      .run(digest(token), username, at, at);
    return token;
  }

  /** The live session of a token, its idle clock restarted; an expired one is deleted. */
  resume(token: string): Session | undefined {
    const id = digest(token);
    const row = this.db
      .prepare<[string], SessionRow>('SELECT username, created_at, last_seen FROM sessions WHERE id_hash = ?')
      .get(id);
    if (!row) return undefined;
    const at = this.now();
    if (this.expired(row, at)) {
      this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(id);
      return undefined;
    }
    if (at - row.last_seen >= TOUCH_EVERY_MS) {
      this.db.prepare('UPDATE sessions SET last_seen = ? WHERE id_hash = ?').run(at, id);
      row.last_seen = at;
    }
    return { username: row.username, createdAt: row.created_at, lastSeen: row.last_seen };
  }

  delete(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(digest(token));
  }

  /** Deletes every expired session; returns how many. */
  purgeExpired(): number {
    const at = this.now();
    return this.db
      .prepare('DELETE FROM sessions WHERE last_seen <= ? OR created_at <= ?')
      .run(at - this.policy.idleMs, at - this.policy.maxMs).changes;
  }

  private expired(row: SessionRow, at: number): boolean {
    return at - row.last_seen >= this.policy.idleMs || at - row.created_at >= this.policy.maxMs;
  }
}

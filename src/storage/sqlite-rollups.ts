/**
 * Rollups and retention for the SQLite store: 1-minute and 1-hour summaries (mean, min,
 * max, last, count) kept long after raw samples are deleted, like the InfluxDB backend's
 * retention policies and continuous queries. Windows touched by a write (late spooled
 * batches included) are recomputed, so a replay after an outage corrects its rollups.
 */
import type Database from 'better-sqlite3';

export interface Retention {
  rawMs: number;
  rollup1mMs: number;
}

export const ROLLUP_SCHEMA = `
  CREATE TABLE IF NOT EXISTS rollup_1m (
    point INTEGER NOT NULL, ts INTEGER NOT NULL,
    mean REAL, min REAL, max REAL, last REAL, count INTEGER NOT NULL,
    PRIMARY KEY (point, ts)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS rollup_1h (
    point INTEGER NOT NULL, ts INTEGER NOT NULL,
    mean REAL, min REAL, max REAL, last REAL, count INTEGER NOT NULL,
    PRIMARY KEY (point, ts)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Summaries of raw samples per minute; "last" is the value at the minute's latest sample. */
const ROLL_MINUTES = `
  INSERT OR REPLACE INTO rollup_1m (point, ts, mean, min, max, last, count)
  SELECT g.point, g.bucket, g.mean, g.min, g.max, s.value, g.count FROM (
    SELECT point, (ts / ${MINUTE}) * ${MINUTE} AS bucket, AVG(value) AS mean, MIN(value) AS min,
           MAX(value) AS max, MAX(ts) AS lastTs, COUNT(value) AS count
    FROM samples WHERE ts >= :from AND ts < :to AND value IS NOT NULL GROUP BY point, bucket
  ) g JOIN samples s ON s.point = g.point AND s.ts = g.lastTs`;

/** Hours from minutes: means weighted by their sample counts. */
const ROLL_HOURS = `
  INSERT OR REPLACE INTO rollup_1h (point, ts, mean, min, max, last, count)
  SELECT g.point, g.bucket, g.mean, g.min, g.max, m.last, g.count FROM (
    SELECT point, (ts / ${HOUR}) * ${HOUR} AS bucket, SUM(mean * count) / SUM(count) AS mean,
           MIN(min) AS min, MAX(max) AS max, MAX(ts) AS lastTs, SUM(count) AS count
    FROM rollup_1m WHERE ts >= :from AND ts < :to GROUP BY point, bucket
  ) g JOIN rollup_1m m ON m.point = g.point AND m.ts = g.lastTs`;

const DIRTY_KEY = 'rollups_dirty_from';
const EXPIRED_KEY = 'raw_expired_before';

export class SqliteRollups {
  private readonly rollMinutes: Database.Statement;
  private readonly rollHours: Database.Statement;
  private readonly getMeta: Database.Statement<[string], { value: number } | undefined>;
  private readonly setMeta: Database.Statement<[string, number]>;
  private readonly clearMeta: Database.Statement<[string]>;
  private readonly expireRaw: Database.Statement<[number]>;
  private readonly expireMinutes: Database.Statement<[number]>;
  /** Oldest sample time written since the last maintenance (persisted: survives a crash). */
  private dirtyFrom: number | undefined;
  /** Raw samples before this time have been deleted: ranges reaching back there need rollups. */
  expiredBefore: number;

  constructor(private readonly db: Database.Database) {
    db.exec(ROLLUP_SCHEMA);
    this.rollMinutes = db.prepare(ROLL_MINUTES);
    this.rollHours = db.prepare(ROLL_HOURS);
    this.getMeta = db.prepare('SELECT value FROM meta WHERE key = ?');
    this.setMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    this.clearMeta = db.prepare('DELETE FROM meta WHERE key = ?');
    this.expireRaw = db.prepare('DELETE FROM samples WHERE ts < ?');
    this.expireMinutes = db.prepare('DELETE FROM rollup_1m WHERE ts < ?');
    this.dirtyFrom = this.getMeta.get(DIRTY_KEY)?.value;
    this.expiredBefore = this.getMeta.get(EXPIRED_KEY)?.value ?? 0;
  }

  /** Called inside the write transaction with the batch's oldest timestamp. */
  touched(oldestTs: number): void {
    if (this.dirtyFrom !== undefined && this.dirtyFrom <= oldestTs) return;
    this.dirtyFrom = oldestTs;
    this.setMeta.run(DIRTY_KEY, oldestTs);
  }

  /** Recompute the windows touched since last time, then apply retention. */
  maintain(now: number, retention: Retention): void {
    this.db.transaction(() => {
      if (this.dirtyFrom !== undefined) {
        // Whole hours from the oldest touched one: the hour rollup is built from its minutes.
        const fromHour = Math.floor(this.dirtyFrom / HOUR) * HOUR;
        this.rollMinutes.run({ from: fromHour, to: now + MINUTE });
        this.rollHours.run({ from: fromHour, to: now + HOUR });
        this.dirtyFrom = undefined;
        this.clearMeta.run(DIRTY_KEY);
      }
      this.expiredBefore = now - retention.rawMs;
      this.expireRaw.run(this.expiredBefore);
      this.setMeta.run(EXPIRED_KEY, this.expiredBefore);
      this.expireMinutes.run(now - retention.rollup1mMs);
    })();
  }
}

/** Aggregates over rollup rows, for ranges whose raw samples have expired. */
export const ROLLUP_AGGREGATES = {
  mean: 'SUM(mean * count) / SUM(count)',
  min: 'MIN(min)',
  max: 'MAX(max)',
  // Bare column beside the single MAX(ts): the last window's last value.
  last: 'last',
  delta: 'MAX(max) - MIN(min)',
} as const;

/** The coarsest rollup table whose windows tile `windowMs`, if any. */
export function rollupTableFor(windowMs: number): 'rollup_1h' | 'rollup_1m' | undefined {
  if (windowMs % HOUR === 0) return 'rollup_1h';
  if (windowMs % MINUTE === 0) return 'rollup_1m';
  return undefined;
}

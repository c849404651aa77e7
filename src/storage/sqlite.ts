/**
 * The embedded default store: SQLite through better-sqlite3, so `npm start` needs no
 * server. WAL mode, prepared statements, one transaction per batch, and a primary key on
 * (point, ts) that makes a replayed batch land exactly once.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type PointValue, QUALITIES, type Quality } from '../points/index.js';
import { type Retention, ROLLUP_AGGREGATES, rollupTableFor, SqliteRollups } from './sqlite-rollups.js';
import {
  numericValue,
  type RangeQuery,
  type SeriesPoint,
  type StoreHealth,
  type TimeSeriesStore,
} from './types.js';

// Stored as its index in QUALITIES: the order is part of the file format.
const qualityCode = (q: Quality) => QUALITIES.indexOf(q);

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS points (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE IF NOT EXISTS samples (
    point INTEGER NOT NULL REFERENCES points(id),
    ts INTEGER NOT NULL,
    value REAL,
    quality INTEGER NOT NULL,
    PRIMARY KEY (point, ts)
  ) WITHOUT ROWID;
`;

/** SQL per aggregate over a window; delta is the rise of a counter within the window. */
const AGGREGATES: Record<Exclude<RangeQuery['aggregate'], 'raw' | undefined>, string> = {
  mean: 'AVG(value)',
  min: 'MIN(value)',
  max: 'MAX(value)',
  // SQLite gives a bare column the value of the row that MAX(ts) picked: the last sample.
  last: 'value',
  delta: 'MAX(value) - MIN(value)',
};

export interface SqliteStoreOptions {
  /** Database file; ":memory:" for tests. */
  path: string;
  /** How long raw samples and 1-minute rollups are kept (1-hour rollups are kept). */
  retention?: Retention;
  /** How often rollups and retention run; 0 = only when `maintain` is called. */
  maintenanceIntervalMs?: number;
  now?: () => number;
}

const DAY = 86_400_000;
const DEFAULT_RETENTION: Retention = { rawMs: 90 * DAY, rollup1mMs: 400 * DAY };

export class SqliteStore implements TimeSeriesStore {
  readonly backend = 'sqlite';
  private readonly db: Database.Database;
  private readonly pointIds = new Map<string, number>();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly insertPoint: Database.Statement<[string]>;
  private readonly selectPoint: Database.Statement<[string], { id: number }>;
  private readonly insertSample: Database.Statement<[number, number, number | null, number]>;
  private readonly writeBatch: (batch: readonly PointValue[]) => void;
  private readonly rollups: SqliteRollups;
  private readonly retention: Retention;
  private readonly maintenanceTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // A checkpoint every 10,000 WAL pages (≈ 40 MB), not SQLite's 1,000: a batch holds one value
    // of thousands of points, so each commit dirties hundreds of leaf pages and the default
    // copied them back into the file at almost every commit; later batches rewrite the same
    // pages, which a rarer checkpoint copies once (with months of history, 68–90k → 93–108k
    // values/s). Durability is the WAL's either way; the file is cut back after a checkpoint.
    this.db.pragma('wal_autocheckpoint = 10000');
    this.db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    this.db.exec(SCHEMA);
    this.insertPoint = this.db.prepare('INSERT OR IGNORE INTO points (name) VALUES (?)');
    this.selectPoint = this.db.prepare('SELECT id FROM points WHERE name = ?');
    this.insertSample = this.db.prepare(
      'INSERT OR REPLACE INTO samples (point, ts, value, quality) VALUES (?, ?, ?, ?)',
    );
    this.rollups = new SqliteRollups(this.db);
    this.retention = options.retention ?? DEFAULT_RETENTION;
    this.now = options.now ?? Date.now;
    const interval = options.maintenanceIntervalMs ?? 60_000;
    if (interval > 0) {
      this.maintenanceTimer = setInterval(() => this.maintain(), interval);
      this.maintenanceTimer.unref();
    }
    this.writeBatch = this.db.transaction((batch) => {
      let oldest = Number.POSITIVE_INFINITY;
      for (const v of batch) oldest = Math.min(oldest, v.ts);
      this.rollups.touched(Math.round(oldest));
      for (const v of batch)
        this.insertSample.run(
          this.pointId(v.id),
          Math.round(v.ts),
          numericValue(v.value),
          qualityCode(v.quality),
        );
    });
  }

  /** Roll up what was written and drop what is past its retention. */
  maintain(now = this.now()): void {
    if (this.db.open) this.rollups.maintain(now, this.retention);
  }

  /** Prepared once per distinct SQL text, then reused. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private pointId(name: string): number {
    let id = this.pointIds.get(name);
    if (id === undefined) {
      this.insertPoint.run(name);
      id = (this.selectPoint.get(name) as { id: number }).id;
      this.pointIds.set(name, id);
    }
    return id;
  }

  async write(batch: readonly PointValue[]): Promise<void> {
    if (batch.length > 0) this.writeBatch(batch);
  }

  async query(q: RangeQuery): Promise<SeriesPoint[]> {
    const point = this.selectPoint.get(q.point);
    if (!point) return [];
    const aggregate = q.aggregate ?? 'raw';
    if (aggregate === 'raw') {
      const rows = this.statement(
        'SELECT ts, value, quality FROM samples WHERE point = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?',
      ).all(point.id, q.from, q.to, q.limit ?? -1) as {
        ts: number;
        value: number | null;
        quality: number;
      }[];
      return rows.map((r) => ({ ts: r.ts, value: r.value, quality: QUALITIES[r.quality] ?? 'good' }));
    }
    const window = Math.max(1, Math.round(q.windowMs ?? q.to - q.from));
    // Raw samples of this range have expired: answer from the rollups that outlive them.
    const rollup = q.from < this.rollups.expiredBefore ? rollupTableFor(window) : undefined;
    const source = rollup
      ? { table: rollup, value: ROLLUP_AGGREGATES[aggregate], count: 'SUM(count)', filter: '' }
      : {
          table: 'samples',
          value: AGGREGATES[aggregate],
          count: 'COUNT(value)',
          filter: 'AND value IS NOT NULL',
        };
    const rows = this.statement(
      `SELECT CAST((ts - :from) / :window AS INTEGER) AS bucket, ${source.value} AS value, MAX(ts) AS lastTs,
              ${source.count} AS count
         FROM ${source.table} WHERE point = :point AND ts >= :from AND ts < :to ${source.filter}
         GROUP BY bucket ORDER BY bucket`,
    ).all({ point: point.id, from: q.from, to: q.to, window }) as {
      bucket: number;
      value: number;
      count: number;
    }[];
    return rows.map((r) => ({ ts: q.from + r.bucket * window, value: r.value, count: r.count }));
  }

  async latest(points?: readonly string[]): Promise<Map<string, SeriesPoint>> {
    const rows = this.statement(
      `SELECT p.name AS name, s.ts AS ts, s.value AS value, s.quality AS quality
         FROM points p JOIN samples s ON s.point = p.id
         WHERE s.ts = (SELECT MAX(ts) FROM samples WHERE point = p.id)`,
    ).all() as { name: string; ts: number; value: number | null; quality: number }[];
    const wanted = points ? new Set(points) : undefined;
    return new Map(
      rows
        .filter((r) => !wanted || wanted.has(r.name))
        .map((r) => [r.name, { ts: r.ts, value: r.value, quality: QUALITIES[r.quality] ?? 'good' }]),
    );
  }

  async health(): Promise<StoreHealth> {
    try {
      this.db.prepare('SELECT 1').get();
      return { ok: true, backend: this.backend };
    } catch (err) {
      return { ok: false, backend: this.backend, detail: (err as Error).message };
    }
  }

  async close(): Promise<void> {
    clearInterval(this.maintenanceTimer);
    if (this.db.open) this.db.close();
  }
}

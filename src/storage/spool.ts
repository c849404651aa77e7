/**
 * The store-and-forward spool: batches that could not be written wait here, on disk, in
 * order, until the store takes them. It is a SQLite file in WAL mode, so a batch is either
 * wholly in it or not at all, and it survives a crash or `kill -9` of the gateway.
 * Bounded: when full, the oldest batches give way to the newest (the plant's present
 * matters more than its distant past), and that is logged and counted.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { PointValue } from '../points/index.js';

export interface SpooledBatch {
  id: number;
  values: PointValue[];
}

export interface SpoolStats {
  batches: number;
  points: number;
  droppedPoints: number;
  capacityPoints: number;
}

export class Spool {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, number]>;
  private readonly oldest: Database.Statement<[number], { id: number; batch: string } | undefined>;
  private readonly remove: Database.Statement<[number]>;
  private readonly removeThrough: Database.Statement<[number]>;
  private readonly countThrough: Database.Statement<[number], { points: number | null }>;
  private readonly totals: Database.Statement<[], { batches: number; points: number | null }>;
  private readonly oldestId: Database.Statement<[], { id: number; count: number } | undefined>;
  private pointsHeld: number;
  droppedPoints = 0;

  constructor(
    path: string,
    readonly capacityPoints: number,
    private readonly onDrop?: (points: number) => void,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // FULL: a batch acknowledged as spooled is on disk even if the machine loses power.
    this.db.pragma('synchronous = FULL');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS spool (id INTEGER PRIMARY KEY AUTOINCREMENT, batch TEXT NOT NULL, count INTEGER NOT NULL)',
    );
    this.insert = this.db.prepare('INSERT INTO spool (batch, count) VALUES (?, ?)');
    this.oldest = this.db.prepare('SELECT id, batch FROM spool WHERE id > ? ORDER BY id LIMIT 1');
    this.oldestId = this.db.prepare('SELECT id, count FROM spool ORDER BY id LIMIT 1');
    this.remove = this.db.prepare('DELETE FROM spool WHERE id = ?');
    this.removeThrough = this.db.prepare('DELETE FROM spool WHERE id <= ?');
    this.countThrough = this.db.prepare('SELECT SUM(count) AS points FROM spool WHERE id <= ?');
    this.totals = this.db.prepare('SELECT COUNT(*) AS batches, SUM(count) AS points FROM spool');
    this.pointsHeld = this.totals.get()?.points ?? 0;
  }

  get points(): number {
    return this.pointsHeld;
  }

  get empty(): boolean {
    return this.pointsHeld === 0;
  }

  /** Keep a batch; make room by dropping the oldest ones if the spool is full. */
  push(values: readonly PointValue[]): void {
    if (values.length === 0) return;
    let dropped = 0;
    this.db.transaction(() => {
      while (this.pointsHeld + values.length > this.capacityPoints) {
        const oldest = this.oldestId.get();
        if (!oldest) break;
        this.remove.run(oldest.id);
        this.pointsHeld -= oldest.count;
        dropped += oldest.count;
      }
      this.insert.run(JSON.stringify(values), values.length);
      this.pointsHeld += values.length;
    })();
    if (dropped > 0) {
      this.droppedPoints += dropped;
      this.onDrop?.(dropped);
    }
  }

  /** The oldest batch (after batch `afterId`, if given), left in the spool until acknowledged. */
  peek(afterId = 0): SpooledBatch | undefined {
    const row = this.oldest.get(afterId);
    return row ? { id: row.id, values: JSON.parse(row.batch) as PointValue[] } : undefined;
  }

  ack(batch: SpooledBatch): void {
    this.remove.run(batch.id);
    this.pointsHeld = Math.max(0, this.pointsHeld - batch.values.length);
  }

  /** Drop every batch up to and including batch `id` (those the spool made room by are gone already). */
  ackThrough(id: number): void {
    this.db.transaction(() => {
      this.pointsHeld = Math.max(0, this.pointsHeld - (this.countThrough.get(id)?.points ?? 0));
      this.removeThrough.run(id);
    })();
  }

  stats(): SpoolStats {
    const { batches } = this.totals.get() ?? { batches: 0 };
    return {
      batches,
      points: this.pointsHeld,
      droppedPoints: this.droppedPoints,
      capacityPoints: this.capacityPoints,
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

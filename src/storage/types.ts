/**
 * The one interface every time-series backend implements (SQLite embedded, InfluxDB 1.x),
 * and that one contract test suite checks for all of them.
 */
import type { PointValue, Quality } from '../points/index.js';

export type Aggregate = 'raw' | 'mean' | 'min' | 'max' | 'last' | 'delta';

export interface RangeQuery {
  point: string;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /** Window length for aggregates; ignored for raw. */
  windowMs?: number;
  aggregate?: Aggregate;
  /** Raw queries return at most this many samples (oldest first). */
  limit?: number;
}

export interface SeriesPoint {
  /** Sample time, or the start of the window for aggregates. */
  ts: number;
  value: number | null;
  quality?: Quality;
  /** Samples behind an aggregate. */
  count?: number;
}

export interface StoreHealth {
  ok: boolean;
  backend: string;
  detail?: string;
}

export interface TimeSeriesStore {
  readonly backend: string;
  /** Write a batch; the same (point, ts) written twice is stored once (replays are safe). */
  write(batch: readonly PointValue[]): Promise<void>;
  /**
   * Bring what the store derives from written values (rollups) up to date with them, where it
   * does not do so itself: InfluxDB's continuous queries do not look back at values that came
   * late. The writer calls it after writes, and keeps replayed batches in the spool until it
   * has resolved, so that a `kill -9` in between loses nothing. Rejects when the store is down.
   */
  settle?(): Promise<void>;
  query(query: RangeQuery): Promise<SeriesPoint[]>;
  /** Latest stored sample of each point asked for (all points if none given). */
  latest(points?: readonly string[]): Promise<Map<string, SeriesPoint>>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/**
 * The number a store keeps: booleans as 1/0, so every backend holds one numeric field, and
 * null for no value — a failed read, or the NaN or ±Infinity a float register can hold
 * (flagged out-of-range), which InfluxDB refuses (with the rest of the batch) and which
 * would poison every mean in SQLite.
 */
export function numericValue(value: PointValue['value']): number | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return Number(value);
  return Number.isFinite(value) ? value : null;
}

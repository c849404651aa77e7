/**
 * From the point bus to the store, losing nothing: values are batched (by size and by
 * time), written one batch at a time in order, and whatever the store does not take goes
 * to the disk spool, to be replayed oldest first with the original timestamps once it
 * answers again. While anything is spooled, new batches queue behind it, so order holds.
 * A replayed batch leaves the spool only once the store has settled it (its rollups
 * recomputed), so a `kill -9` mid-replay means replaying it again, never a hole in the rollups.
 */
import type { Logger } from 'pino';
import type { PointValue } from '../points/index.js';
import type { Spool, SpooledBatch, SpoolStats } from './spool.js';
import type { TimeSeriesStore } from './types.js';

export interface StorageWriterOptions {
  store: TimeSeriesStore;
  spool: Spool;
  log: Logger;
  /** A batch is written when it holds this many values ... */
  maxBatch: number;
  /** ... or when its oldest value has waited this long. */
  maxDelayMs: number;
  /** A write that takes longer counts as failed (the batch is spooled; rewriting is safe). */
  writeTimeoutMs: number;
  retry: { initialMs: number; maxMs: number };
  /**
   * Replayed values the store settles at once: its rollups are recomputed once per this many
   * (and when the spool is empty), not per batch, as a rollup hour spans many batches.
   * Default: 100 batches' worth.
   */
  settleEvery?: number;
}

export interface StorageStats {
  backend: string;
  storeUp: boolean;
  written: number;
  writeFailures: number;
  replayed: number;
  lastWriteMs: number | undefined;
  buffered: number;
  spool: SpoolStats;
}

export class StorageWriter {
  private buffer: PointValue[] = [];
  private readonly ready: PointValue[][] = [];
  private readyPoints = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private pumping: Promise<void> | undefined;
  private storeUp = true;
  /** The outage was logged: once per outage, not at every retry. */
  private outageLogged = false;
  private stopped = false;
  /** Spooled batches written to the store, up to batch `through`, that it has not settled yet. */
  private unsettled = { through: 0, points: 0 };
  private readonly counters = {
    written: 0,
    writeFailures: 0,
    replayed: 0,
    lastWriteMs: undefined as number | undefined,
  };

  constructor(private readonly options: StorageWriterOptions) {
    this.retryDelay = options.retry.initialMs;
    // Batches left in the spool by an earlier run (crash, outage) go first.
    if (!options.spool.empty) {
      options.log.info({ points: options.spool.points }, 'replaying points spooled by an earlier run');
      this.pump();
    }
  }

  /** Bus consumer: cheap and synchronous; the writing happens later, in order. */
  readonly onValues = (values: readonly PointValue[]): void => {
    if (this.stopped) return;
    for (const v of values) this.buffer.push(v);
    if (this.buffer.length >= this.options.maxBatch) this.flush();
    else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), this.options.maxDelayMs);
      this.flushTimer.unref();
    }
  };

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.maxBatch);
      if (!this.storeUp || !this.options.spool.empty || this.readyPoints > this.options.maxBatch * 10) {
        // Behind the spool, or the store is slow: keep it on disk, in order.
        this.spoolReady();
        this.options.spool.push(batch);
      } else {
        this.ready.push(batch);
        this.readyPoints += batch.length;
      }
    }
    this.pump();
  }

  private spoolReady(): void {
    for (const batch of this.ready.splice(0)) this.options.spool.push(batch);
    this.readyPoints = 0;
  }

  /** One writer loop at a time: spool first (oldest data), then fresh batches. */
  private pump(): void {
    if (this.pumping || !this.storeUp) return;
    this.pumping = this.drain().finally(() => {
      this.pumping = undefined;
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const spooled = this.options.spool.peek(this.unsettled.through);
      if (spooled) {
        if (!(await this.replay(spooled))) return;
      } else if (this.unsettled.points > 0) {
        if (!(await this.settleReplayed())) return;
      } else {
        const batch = this.ready[0];
        if (!batch || !(await this.tryWrite(batch)) || !(await this.trySettle())) return;
        this.ready.shift();
        this.readyPoints -= batch.length;
      }
    }
  }

  /** One spooled batch into the store; it leaves the spool when the store has settled it. */
  private async replay(batch: SpooledBatch): Promise<boolean> {
    if (!(await this.tryWrite(batch.values))) return false;
    this.unsettled = { through: batch.id, points: this.unsettled.points + batch.values.length };
    const settleEvery = this.options.settleEvery ?? this.options.maxBatch * 100;
    return this.unsettled.points < settleEvery || this.settleReplayed();
  }

  private async settleReplayed(): Promise<boolean> {
    if (!(await this.trySettle())) return false;
    const { spool } = this.options;
    spool.ackThrough(this.unsettled.through);
    this.counters.replayed += this.unsettled.points;
    this.unsettled = { through: 0, points: 0 };
    if (spool.empty) this.options.log.info('spool replayed: the store is up to date');
    return true;
  }

  /** No timeout of its own: each statement a store sends is bounded by its client's. */
  private async trySettle(): Promise<boolean> {
    try {
      await this.options.store.settle?.();
      return true;
    } catch (err) {
      this.failed(err);
      return false;
    }
  }

  private async tryWrite(batch: PointValue[]): Promise<boolean> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.options.store.write(batch),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`write timed out after ${this.options.writeTimeoutMs} ms`)),
            this.options.writeTimeoutMs,
          );
        }),
      ]);
      this.counters.written += batch.length;
      this.counters.lastWriteMs = performance.now() - started;
      if (this.outageLogged) {
        this.outageLogged = false;
        this.options.log.info({ backend: this.options.store.backend }, 'time-series store writable again');
      }
      this.storeUp = true;
      this.retryDelay = this.options.retry.initialMs;
      return true;
    } catch (err) {
      this.failed(err);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The store failed a write or settle: down until a retry succeeds; everything waits on disk. */
  private failed(err: unknown): void {
    this.counters.writeFailures++;
    if (!this.outageLogged) {
      this.outageLogged = true;
      this.options.log.warn(
        { backend: this.options.store.backend, err: (err as Error).message },
        'time-series store not writable: spooling to disk until it is',
      );
    }
    this.storeUp = false;
    // Written but not settled: replayed again from the first (writing twice is safe).
    this.unsettled = { through: 0, points: 0 };
    this.spoolReady();
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.options.retry.maxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.storeUp = true; // try again; a failure puts it back down
      this.pump();
    }, delay);
    this.retryTimer.unref();
  }

  stats(): StorageStats {
    return {
      backend: this.options.store.backend,
      storeUp: this.storeUp,
      ...this.counters,
      buffered: this.buffer.length + this.readyPoints,
      spool: this.options.spool.stats(),
    };
  }

  /**
   * Flush what is buffered (to the store, or else to the spool), settle what is due, then stop.
   * Nothing is dropped.
   */
  async stop(): Promise<void> {
    this.flush();
    await this.pumping;
    if (this.storeUp) await this.trySettle();
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.flushTimer);
    this.spoolReady();
  }
}

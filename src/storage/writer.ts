/**
 * From the point bus to the store, losing nothing: values are batched (by size and by
 * time), written one batch at a time in order, and whatever the store does not take goes
 * to the disk spool, to be replayed oldest first with the original timestamps once it
 * answers again. While anything is spooled, new batches queue behind it, so order holds.
 */
import type { Logger } from 'pino';
import type { PointValue } from '../points/index.js';
import type { Spool, SpoolStats } from './spool.js';
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
    const { spool } = this.options;
    for (;;) {
      const spooled = spool.peek();
      const batch = spooled?.values ?? this.ready[0];
      if (!batch) return;
      if (!(await this.tryWrite(batch))) return;
      if (spooled) {
        spool.ack(spooled);
        this.counters.replayed += batch.length;
        if (spool.empty) this.options.log.info('spool replayed: the store is up to date');
      } else {
        this.ready.shift();
        this.readyPoints -= batch.length;
      }
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
      this.counters.writeFailures++;
      if (!this.outageLogged) {
        this.outageLogged = true;
        this.options.log.warn(
          { backend: this.options.store.backend, err: (err as Error).message },
          'time-series store not writable: spooling to disk until it is',
        );
      }
      this.storeUp = false;
      this.spoolReady();
      this.scheduleRetry();
      return false;
    } finally {
      clearTimeout(timer);
    }
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

  /** Flush what is buffered (to the store, or else to the spool), then stop. Nothing is dropped. */
  async stop(): Promise<void> {
    this.flush();
    await this.pumping;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.flushTimer);
    this.spoolReady();
  }
}

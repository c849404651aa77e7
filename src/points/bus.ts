import type { Logger } from 'pino';
import type { PointValue } from './types.js';

export type BatchListener = (values: readonly PointValue[]) => void;

/**
 * The one in-process stream every normalised value passes through. Producers publish
 * batches (one per device read) so consumers such as storage can write in bulk. A consumer
 * that throws is logged and counted; it never stops acquisition or the other consumers.
 */
export class PointBus {
  private readonly listeners = new Set<BatchListener>();
  published = 0;
  listenerErrors = 0;

  constructor(private readonly log?: Logger) {}

  subscribe(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(values: readonly PointValue[]): void {
    if (values.length === 0) return;
    this.published += values.length;
    for (const listener of this.listeners) {
      try {
        listener(values);
      } catch (err) {
        this.listenerErrors++;
        this.log?.error({ err }, 'a point bus consumer failed on a batch');
      }
    }
  }
}

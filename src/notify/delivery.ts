/**
 * The delivery queue of one channel. The alarm engine must never wait on an SMTP server or a
 * chat robot, so `enqueue` only appends to a bounded in-memory queue; one worker sends the
 * messages in order, one at a time, retrying a failed send with exponential backoff. A message
 * is given up (logged, counted) after its last retry or when the queue overflows.
 */
import { priorityRank } from '../alarms/types.js';
import type { Logger } from '../log/index.js';
import type { Channel, DeliveryStats, OutgoingMessage, Recipient } from './types.js';

export interface DeliveryOptions {
  /** Messages waiting at most; when full, the oldest is dropped (default 1000). */
  maxQueued?: number;
  /** Retries after the first attempt (default 5). */
  retries?: number;
  /**
   * Retries for critical and high messages (default 60: with the backoff capped at 60 s, about
   * an hour). A relay down for a few minutes must not lose the oxygen alarm.
   */
  urgentRetries?: number;
  /** Wait before the first retry, doubled each time (default 1 s)... */
  backoffInitialMs?: number;
  /** ...up to this (default 60 s). */
  backoffMaxMs?: number;
  /** How long `close` waits for the queue to drain (default 10 s). */
  closeTimeoutMs?: number;
}

interface Pending {
  message: OutgoingMessage;
  to: readonly Recipient[];
}

/** The first of the least urgent messages. */
function leastUrgent(list: readonly Pending[]): Pending {
  return list.reduce((victim, p) =>
    priorityRank(p.message.priority) > priorityRank(victim.message.priority) ? p : victim,
  );
}

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message || err.name : String(err));

export class Delivery {
  private readonly waiting: Pending[] = [];
  private inFlight = false;
  private worker: Promise<void> | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Set once close gave up waiting: the worker stops at the next step. */
  private stopped = false;
  private wakeBackoff: (() => void) | undefined;
  private drained: (() => void) | undefined;
  private readonly counts = { sent: 0, failedAttempts: 0, dropped: 0 };
  private lastError: string | undefined;
  private readonly maxQueued: number;
  private readonly retries: number;
  private readonly urgentRetries: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly closeTimeoutMs: number;

  constructor(
    private readonly channel: Channel,
    private readonly log: Logger,
    options: DeliveryOptions = {},
  ) {
    this.maxQueued = Math.max(1, options.maxQueued ?? 1000);
    this.retries = Math.max(0, options.retries ?? 5);
    this.urgentRetries = Math.max(this.retries, options.urgentRetries ?? 60);
    this.backoffInitialMs = options.backoffInitialMs ?? 1000;
    this.backoffMaxMs = options.backoffMaxMs ?? 60_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  }

  get channelId(): string {
    return this.channel.id;
  }

  /** Queue a message for sending; returns at once and never throws. */
  enqueue(message: OutgoingMessage, to: readonly Recipient[]): void {
    if (this.closed) {
      this.drop({ message, to }, 'the channel is closed');
      return;
    }
    const pending = { message, to };
    if (this.waiting.length >= this.maxQueued) {
      // Full: the least urgent, oldest message gives way (the new one, if it is the least urgent).
      const victim = leastUrgent([...this.waiting, pending]);
      this.drop(victim, `queue full (${this.maxQueued} messages)`);
      if (victim === pending) return;
      this.waiting.splice(this.waiting.indexOf(victim), 1);
    }
    this.waiting.push(pending);
    this.worker ??= this.work();
  }

  stats(): DeliveryStats {
    return {
      channel: this.channel.id,
      ...this.counts,
      queued: this.waiting.length + (this.inFlight ? 1 : 0),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  /** Stop taking messages, wait (bounded) for the queue to drain, then close the channel. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.closed = true;
    // Closing: retries go on back to back, without their backoff (see backoff), until the bound.
    this.wakeBackoff?.();
    if (this.worker) await this.drainOrTimeout();
    if (this.worker) {
      this.stopped = true;
      this.wakeBackoff?.();
      const left = this.waiting.splice(0);
      for (const pending of left) this.drop(pending, 'closing before it could be sent');
    }
    try {
      await this.channel.close();
    } catch (err) {
      this.log.warn({ channel: this.channel.id, error: errorMessage(err) }, 'closing the channel failed');
    }
  }

  private async drainOrTimeout(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        this.drained = resolve;
      }),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.closeTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private async work(): Promise<void> {
    // Start on a later tick: the caller of enqueue never runs any of the channel's code.
    await undefined;
    try {
      while (!this.stopped) {
        const next = this.waiting.shift();
        if (!next) break;
        this.inFlight = true;
        await this.deliver(next);
        this.inFlight = false;
      }
    } finally {
      this.inFlight = false;
      this.worker = undefined;
      this.drained?.();
    }
  }

  /** Send one message, retrying with backoff; never throws. */
  private async deliver(pending: Pending): Promise<void> {
    const urgent = pending.message.priority === 'critical' || pending.message.priority === 'high';
    const attempts = (urgent ? this.urgentRetries : this.retries) + 1;
    for (let attempt = 1; ; attempt++) {
      const error = await this.attempt(pending);
      if (error === undefined) {
        this.counts.sent++;
        return;
      }
      this.counts.failedAttempts++;
      this.lastError = error;
      this.log.warn(
        { channel: this.channel.id, subject: pending.message.subject, attempt, attempts, error },
        'notification not delivered',
      );
      if (attempt >= attempts) return this.drop(pending, `failed ${attempts} times: ${error}`);
      if (!this.stopped) await this.backoff(attempt);
      if (this.stopped) return this.drop(pending, `closing while retrying: ${error}`);
    }
  }

  /** One send; the error message when it failed. */
  private async attempt(pending: Pending): Promise<string | undefined> {
    try {
      await this.channel.send(pending.message, pending.to);
      return undefined;
    } catch (err) {
      return errorMessage(err);
    }
  }

  private backoff(attempt: number): Promise<void> {
    // A stopping gateway does not sit out backoffs: a receiver refusing at once costs milliseconds.
    if (this.closed) return Promise.resolve();
    const ms = Math.min(this.backoffInitialMs * 2 ** (attempt - 1), this.backoffMaxMs);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeBackoff = done;
    }).finally(() => {
      this.wakeBackoff = undefined;
    });
  }

  private drop(pending: Pending, reason: string): void {
    this.counts.dropped++;
    this.log.error(
      { channel: this.channel.id, subject: pending.message.subject, error: reason },
      'notification dropped',
    );
  }
}

/**
 * The timers of a line's polls. Polls due at the same instant share one timer and start in
 * one callback, so that a pipelining line sends their requests in one write; timers of
 * their own would fire a millisecond apart as often as not, each in its own write.
 */
interface Slot {
  timer: NodeJS.Timeout;
  callbacks: Set<() => void>;
}

export class PollClock {
  private readonly slots = new Map<number, Slot>();

  constructor(private readonly now: () => number) {}

  /** Call `callback` at `time` (ms since the epoch), with every other callback due then. */
  at(time: number, callback: () => void): void {
    let slot = this.slots.get(time);
    if (!slot) {
      const callbacks = new Set<() => void>();
      const timer = setTimeout(() => this.fire(time, callbacks), Math.max(0, time - this.now()));
      timer.unref();
      slot = { timer, callbacks };
      this.slots.set(time, slot);
    }
    slot.callbacks.add(callback);
  }

  /** Take back a callback given to `at` for `time`. */
  cancel(time: number, callback: () => void): void {
    const slot = this.slots.get(time);
    if (!slot?.callbacks.delete(callback) || slot.callbacks.size > 0) return;
    clearTimeout(slot.timer);
    this.slots.delete(time);
  }

  private fire(time: number, callbacks: Set<() => void>): void {
    this.slots.delete(time);
    for (const callback of callbacks) callback();
  }
}

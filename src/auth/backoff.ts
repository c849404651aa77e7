/**
 * Login backoff for one key (an account and address pair, or an account): after a few free
 * failures each further one doubles the wait. Any name is tracked, known or not, so the
 * answer never tells whether an account exists. See throttle.ts for how the keys combine.
 */

export interface BackoffOptions {
  /** Failures allowed before waiting is required (typos happen). */
  freeFailures: number;
  /** First wait, doubled with each further failure, up to maxMs. */
  baseMs: number;
  maxMs: number;
  /** Names remembered at most; the oldest are forgotten first (memory stays bounded). */
  maxEntries: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  freeFailures: 5,
  baseMs: 1000,
  maxMs: 15 * 60_000,
  maxEntries: 10_000,
};

interface Entry {
  failures: number;
  lastFailure: number;
}

export class LoginBackoff {
  private readonly entries = new Map<string, Entry>();
  private readonly options: BackoffOptions;

  constructor(
    private readonly now: () => number,
    options: Partial<BackoffOptions> = {},
  ) {
    this.options = { ...DEFAULT_BACKOFF, ...options };
  }

  /** How long this name must wait before its next attempt; 0 when it may try now. */
  waitMs(username: string): number {
    const entry = this.current(username);
    if (!entry || entry.failures < this.options.freeFailures) return 0;
    const delay = Math.min(
      this.options.baseMs * 2 ** (entry.failures - this.options.freeFailures),
      this.options.maxMs,
    );
    return Math.max(0, entry.lastFailure + delay - this.now());
  }

  /** Counts a failure; true when it is the one that starts a lockout (to log it once). */
  failed(username: string): boolean {
    const entry = this.current(username) ?? { failures: 0, lastFailure: 0 };
    entry.failures += 1;
    entry.lastFailure = this.now();
    // Re-inserted so the Map's order stays oldest-failure first.
    this.entries.delete(username);
    this.entries.set(username, entry);
    if (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return entry.failures === this.options.freeFailures;
  }

  succeeded(username: string): void {
    this.entries.delete(username);
  }

  /** An entry quiet for the longest wait starts over: yesterday's typos do not count today. */
  private current(username: string): Entry | undefined {
    const entry = this.entries.get(username);
    if (entry && this.now() - entry.lastFailure > this.options.maxMs) {
      this.entries.delete(username);
      return undefined;
    }
    return entry;
  }
}

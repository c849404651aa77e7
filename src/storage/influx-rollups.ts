/**
 * Values that reach InfluxDB after their rollup window was rolled up. influxd runs each
 * continuous query once, just after its interval ends by its own clock, over what `raw` holds
 * at that moment: values that arrive later (replayed from the spool after an outage, by a
 * gateway restarted after `kill -9`, or the last second of a minute whose batch lands after the
 * query ran) would be missing from the long-term rollups for good. The store notes each window
 * such values fall in and recomputes it (`recomputeRollup`) once influxd's own run is over.
 */
import { ROLLUPS, type Rollup } from './influx-schema.js';

/**
 * influxd runs a continuous query within a second of its interval's end, by its own clock,
 * which may be a few seconds off ours: a window counts as rolled up from this long before its
 * end, and is recomputed no sooner than this long after it, so that no run of influxd's that
 * read `raw` before the late values landed can overwrite the recomputed figures.
 */
export const CQ_MARGIN_MS = 10_000;

/** Data time one statement covers at most, so that each stays a bounded piece of work. */
const MAX_SPAN_MS: Record<Rollup['rp'], number> = { rollup_1m: 3_600_000, rollup_1h: 86_400_000 };

/** Adjacent windows of one rollup to compute again: [from, to). */
export interface Recompute {
  rollup: Rollup;
  from: number;
  to: number;
}

const windowStart = (ts: number, everyMs: number) => ts - (((ts % everyMs) + everyMs) % everyMs);

export class LateWindows {
  /** Start times of the windows to recompute, per rollup; minutes first (hours are made from them). */
  private readonly pending = new Map<Rollup, Set<number>>(ROLLUPS.map((rollup) => [rollup, new Set()]));

  /** Note the windows of these sample times that influxd may have rolled up already at `now`. */
  note(timestamps: readonly number[], now: number): void {
    for (const [rollup, starts] of this.pending) {
      for (const ts of timestamps) {
        const start = windowStart(ts, rollup.everyMs);
        if (start + rollup.everyMs - CQ_MARGIN_MS <= now) starts.add(start);
      }
    }
  }

  /** What is due at `now`, minutes before hours, adjacent windows in one range. */
  due(now: number): Recompute[] {
    const runs: Recompute[] = [];
    for (const [rollup, starts] of this.pending) {
      const ready = [...starts].filter((start) => start + rollup.everyMs + CQ_MARGIN_MS <= now);
      for (const start of ready.sort((a, b) => a - b)) {
        const last = runs.at(-1);
        const to = start + rollup.everyMs;
        if (last?.rollup === rollup && last.to === start && to - last.from <= MAX_SPAN_MS[rollup.rp]) {
          last.to = to;
        } else {
          runs.push({ rollup, from: start, to });
        }
      }
    }
    return runs;
  }

  /** The windows of a recompute that is done, or that influxd refused. */
  done({ rollup, from, to }: Recompute): void {
    const starts = this.pending.get(rollup);
    for (let start = from; start < to; start += rollup.everyMs) starts?.delete(start);
  }
}

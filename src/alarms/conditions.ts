/**
 * Alarm conditions: given the latest readings, is the abnormal situation present?
 * Each returns `active: null` when it cannot tell (no reading yet, a bad-quality reading),
 * and the alarm then keeps its state: a sensor that stops answering is the comm-loss
 * alarm's business, not a reason to clear a high-temperature alarm.
 */
import type { PointValue } from '../points/index.js';
import type { Compiled, Scalar } from './expression.js';

export interface Evaluation {
  active: boolean | null;
  value: Scalar;
  limit: number | null;
}

export interface ConditionContext {
  read(id: string): PointValue | undefined;
  /** Epoch ms of the device's last good reading (or of the engine's start if none yet). */
  lastGood(device: string): number;
  now: number;
  /** Whether the alarm's condition is on now: limits use it for their deadband. */
  wasActive: boolean;
}

export interface Condition {
  /** Points whose new values may change the outcome. */
  readonly points: readonly string[];
  /** Re-evaluated on every tick as well as on new values (time matters, not only readings). */
  readonly timeDriven: boolean;
  evaluate(ctx: ConditionContext): Evaluation;
}

const UNKNOWN = (value: Scalar = null, limit: number | null = null): Evaluation => ({
  active: null,
  value,
  limit,
});

/** A reading good enough to alarm on, or null. */
function goodValue(ctx: ConditionContext, id: string): Scalar {
  const v = ctx.read(id);
  return v && v.quality === 'good' ? v.value : null;
}

const asNumber = (v: Scalar): number | null => (typeof v === 'boolean' ? Number(v) : v);

export function limitCondition(
  point: string,
  kind: 'high' | 'high-high' | 'low' | 'low-low',
  limit: number,
  deadband: number,
): Condition {
  const high = kind === 'high' || kind === 'high-high';
  return {
    points: [point],
    timeDriven: false,
    evaluate(ctx) {
      const value = asNumber(goodValue(ctx, point));
      if (value === null) return UNKNOWN(null, limit);
      // Hysteresis: strictly beyond the limit to activate; back inside it by the deadband to return.
      const threshold = ctx.wasActive ? (high ? limit - deadband : limit + deadband) : limit;
      return { active: high ? value > threshold : value < threshold, value, limit };
    },
  };
}

export function stateCondition(
  point: string,
  test: { equals?: boolean | number; notEquals?: boolean | number; bit?: number },
): Condition {
  const matches = (v: number | boolean): boolean => {
    if (test.bit !== undefined) return typeof v === 'number' && ((Math.trunc(v) >>> test.bit) & 1) === 1;
    if (test.equals !== undefined) return asNumber(v) === asNumber(test.equals);
    return asNumber(v) !== asNumber(test.notEquals as boolean | number);
  };
  const limit = typeof test.equals === 'number' ? test.equals : null;
  return {
    points: [point],
    timeDriven: false,
    evaluate(ctx) {
      const value = goodValue(ctx, point);
      if (value === null) return UNKNOWN(null, limit);
      return { active: matches(value), value, limit };
    },
  };
}

/**
 * Rate of change over a sliding window, in units per minute: the slope from the oldest
 * sample still in the window to the newest. Needs at least half a window of samples.
 */
export function rateCondition(
  point: string,
  limit: number,
  windowMs: number,
  direction: 'rise' | 'fall' | 'either',
): Condition {
  const samples: { ts: number; value: number }[] = [];
  return {
    points: [point],
    timeDriven: false,
    evaluate(ctx) {
      const reading = ctx.read(point);
      const value = reading?.quality === 'good' ? asNumber(reading.value) : null;
      if (value === null || !reading) return UNKNOWN(null, limit);
      const last = samples[samples.length - 1];
      if (!last || reading.ts > last.ts) samples.push({ ts: reading.ts, value });
      while (samples.length > 2 && (samples[0] as { ts: number }).ts < reading.ts - windowMs) samples.shift();
      const first = samples[0] as { ts: number; value: number };
      const span = reading.ts - first.ts;
      if (span < windowMs / 2) return UNKNOWN(null, limit);
      const perMinute = ((value - first.value) / span) * 60_000;
      const rounded = Math.round(perMinute * 1000) / 1000;
      const active =
        direction === 'rise'
          ? perMinute > limit
          : direction === 'fall'
            ? -perMinute > limit
            : Math.abs(perMinute) > limit;
      return { active, value: rounded, limit };
    },
  };
}

export function deviationCondition(
  point: string,
  reference: string,
  limit: number,
  deadband: number,
  direction: 'above' | 'below' | 'either',
): Condition {
  return {
    points: [point, reference],
    timeDriven: false,
    evaluate(ctx) {
      const a = asNumber(goodValue(ctx, point));
      const b = asNumber(goodValue(ctx, reference));
      if (a === null || b === null) return UNKNOWN(null, limit);
      const diff = a - b;
      const measured = direction === 'above' ? diff : direction === 'below' ? -diff : Math.abs(diff);
      const threshold = ctx.wasActive ? limit - deadband : limit;
      const value = Math.round(diff * 1000) / 1000;
      return { active: measured > threshold, value, limit };
    },
  };
}

/** No good reading from the device for `afterMs`: the value shown is the silence in seconds. */
export function commLossCondition(device: string, points: readonly string[], afterMs: number): Condition {
  return {
    points,
    timeDriven: true,
    evaluate(ctx) {
      const silentMs = Math.max(0, ctx.now - ctx.lastGood(device));
      return { active: silentMs >= afterMs, value: Math.round(silentMs / 1000), limit: afterMs / 1000 };
    },
  };
}

export function expressionCondition(
  inputs: Readonly<Record<string, string>>,
  compiled: Compiled,
  shown: string,
): Condition {
  const names = Object.keys(inputs);
  return {
    points: Object.values(inputs),
    timeDriven: false,
    evaluate(ctx) {
      const values: Record<string, Scalar> = {};
      for (const name of names) values[name] = goodValue(ctx, inputs[name] as string);
      const result = compiled(values);
      const active =
        result === null
          ? null
          : typeof result === 'boolean'
            ? result
            : Number.isFinite(result)
              ? result !== 0
              : null;
      return { active, value: values[shown] ?? null, limit: null };
    },
  };
}

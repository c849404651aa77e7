// A trend's time range: the presets (the last hour, day, week, month), a from–to chosen on the
// plant's calendar and clock, and the view inside it that zoom and pan move.
import { localMinute, plantInstant } from '../time.js';

export interface Span {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
}

const HOUR = 3_600_000;
export const PRESETS = { '1h': HOUR, '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR } as const;
export type Preset = keyof typeof PRESETS;

/** The longest range the history API answers. */
export const MAX_SPAN_MS = 400 * 24 * HOUR;
/** The shortest view zoom may open: below a minute a chart of polled values says nothing more. */
export const MIN_SPAN_MS = 60_000;

/** The last `preset` up to now. */
export const presetSpan = (preset: Preset, now = Date.now()): Span => ({
  from: now - PRESETS[preset],
  to: now,
});

/** `view` moved by half its length, earlier (-1) or later (+1), never past now. */
export function pan(view: Span, direction: -1 | 1, now = Date.now()): Span {
  const length = view.to - view.from;
  const to = Math.min(now, view.to + (direction * length) / 2);
  return { from: to - length, to };
}

/** A view zoomed to `from`–`to` (pixels turned into times), at least MIN_SPAN_MS long. */
export function zoom(from: number, to: number): Span {
  const middle = (from + to) / 2;
  const half = Math.max(MIN_SPAN_MS, to - from) / 2;
  return { from: Math.round(middle - half), to: Math.round(middle + half) };
}

/** `view` `factor` times as long about its middle (0.5: zoom in), within the limits and never past now. */
export function scaled(view: Span, factor: number, now = Date.now()): Span {
  const length = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, (view.to - view.from) * factor));
  const to = Math.min(now, (view.from + view.to) / 2 + length / 2);
  return { from: Math.round(to - length), to: Math.round(to) };
}

/** The date and clock fields of a picker ("2026-11-25", "14:05") for an instant, in the plant. */
export function pickerFields(ts: number): { date: string; time: string } {
  const [date = '', time = ''] = localMinute(ts).split('T');
  return { date, time };
}

/** "HH:MM" on a 24-hour clock, or null. */
export function parseClock(text: string): string | null {
  const match = /^\s*(\d{1,2})[:：.]?(\d{2})\s*$/.exec(text);
  if (!match) return null;
  const [hours, minutes] = [Number(match[1]), Number(match[2])];
  if (hours > 23 || minutes > 59) return null;
  return `${String(hours).padStart(2, '0')}:${match[2]}`;
}

export type SpanProblem = 'date' | 'time' | 'order' | 'long';

/** The span a from–to picker names on the plant's calendar, or what is wrong with it. */
export function pickedSpan(
  from: { date: string; time: string },
  to: { date: string; time: string },
): Span | SpanProblem {
  const date = /^\d{4}-\d{2}-\d{2}$/;
  if (!date.test(from.date) || !date.test(to.date)) return 'date';
  const [fromClock, toClock] = [parseClock(from.time || '00:00'), parseClock(to.time || '00:00')];
  if (!fromClock || !toClock) return 'time';
  const span = { from: plantInstant(`${from.date}T${fromClock}`), to: plantInstant(`${to.date}T${toClock}`) };
  if (span.from >= span.to) return 'order';
  if (span.to - span.from > MAX_SPAN_MS) return 'long';
  return span;
}

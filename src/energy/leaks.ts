/**
 * Night-flow leak detection. A hospital's water use never stops, but it has a floor: the
 * minimum night flow (MNF), the lowest 15-minute mean flow in the quiet hours. A pipe leak or
 * a tap left running lifts that floor night after night; one wet night is a cleaning crew,
 * several in a row are a leak. The detector publishes each watched meter's last MNF, its run
 * of wet nights and "leak suspected" as points, so the generated night-leak alarm, storage
 * and the dashboard see them like any other.
 */
import { LEAK_POINTS } from '../config/derived.js';
import type { EnergySettings } from '../config/energy-schema.js';
import { type PointValue, pointId } from '../points/index.js';
import type { TimeSeriesStore } from '../storage/index.js';
import { dayOf, nightWindow } from './calendar.js';

const QUARTER_HOUR = 15 * 60_000;
const DAY = 86_400_000;
/** A night needs readings over most of its window to count either way. */
const MIN_NIGHT_COVERAGE = 0.75;

export interface Night {
  /** The date the night starts on (its evening). */
  date: string;
  start: number;
  end: number;
  /** Lowest 15-minute mean flow in the window; null without enough readings. */
  minimumFlow: number | null;
  coverage: number;
  wet: boolean | null;
}

export interface MeterNights {
  device: string;
  threshold: number;
  nights: Night[];
  /** Wet nights in a row up to the last complete night. */
  wetNights: number;
  suspected: boolean;
}

export function thresholdOf(leaks: EnergySettings['leaks'], device: string): number {
  return leaks.thresholdFor[device] ?? leaks.threshold;
}

/** The nights whose window has ended by `now`, newest last, `count` of them. */
export function completeNights(
  leaks: EnergySettings['leaks'],
  zone: string,
  now: number,
  count: number,
): { date: string; start: number; end: number }[] {
  const nights: { date: string; start: number; end: number }[] = [];
  // Walk back from tomorrow: a window such as 23:00–05:00 may end today for yesterday's date.
  for (let back = -1; nights.length < count && back < count + 3; back++) {
    const date = dayOf(now - back * DAY, zone);
    const window = nightWindow(date, leaks.window.from, leaks.window.to, zone);
    if (window.end <= now && !nights.some((n) => n.date === date)) nights.push({ date, ...window });
  }
  return nights.sort((a, b) => a.start - b.start);
}

export async function nightsOf(
  store: TimeSeriesStore,
  flowPoint: string,
  threshold: number,
  windows: readonly { date: string; start: number; end: number }[],
): Promise<Night[]> {
  return Promise.all(
    windows.map(async (w) => {
      const blocks = await store.query({
        point: flowPoint,
        from: w.start,
        to: w.end,
        windowMs: QUARTER_HOUR,
        aggregate: 'mean',
      });
      const means = blocks.map((b) => b.value).filter((v): v is number => typeof v === 'number');
      const coverage = Math.min(1, (means.length * QUARTER_HOUR) / (w.end - w.start));
      const minimumFlow = coverage >= MIN_NIGHT_COVERAGE ? Math.min(...means) : null;
      return { ...w, minimumFlow, coverage, wet: minimumFlow === null ? null : minimumFlow > threshold };
    }),
  );
}

/** Wet nights in a row, counted back from the newest; a night without data ends the run. */
export function wetRun(nights: readonly Night[]): number {
  let run = 0;
  for (let i = nights.length - 1; i >= 0 && nights[i]?.wet === true; i--) run++;
  return run;
}

export async function meterNights(
  store: TimeSeriesStore,
  leaks: EnergySettings['leaks'],
  zone: string,
  device: string,
  flowPointName: string,
  now: number,
  history: number,
): Promise<MeterNights> {
  const threshold = thresholdOf(leaks, device);
  const windows = completeNights(leaks, zone, now, Math.max(history, leaks.nights));
  const nights = await nightsOf(store, pointId(device, flowPointName), threshold, windows);
  const wetNights = wetRun(nights);
  return { device, threshold, nights, wetNights, suspected: wetNights >= leaks.nights };
}

/** The derived points of one meter, as of `now`. */
export function leakPoints(result: MeterNights, now: number): PointValue[] {
  const last = result.nights[result.nights.length - 1];
  const value = (name: string, v: number | boolean): PointValue => ({
    id: pointId(result.device, name),
    value: v,
    quality: 'good',
    ts: now,
  });
  const minimum = last?.minimumFlow;
  return [
    // A night without enough readings has no minimum to report: nothing rather than a made-up 0.
    ...(minimum === null || minimum === undefined ? [] : [value(LEAK_POINTS.nightMinimum, minimum)]),
    value(LEAK_POINTS.wetNights, result.wetNights),
    value(LEAK_POINTS.suspected, result.suspected),
  ];
}

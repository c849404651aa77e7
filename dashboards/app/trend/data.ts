// What a trend fetches: its points' history over the view (one request for all of them) and the
// equipment's alarm activations in it, joined on one time base for uPlot.
import uPlot from 'uplot';
import type { JournalEntry } from '../../../src/api-types/alarms.js';
import type { History, HistorySeries } from '../../../src/api-types/history.js';
import { getJson, url } from '../api.js';
import type { Span } from './range.js';

export interface TrendData {
  span: Span;
  series: HistorySeries[];
  /** x in seconds (uPlot's time scale), then one column per series, null where it has no value. */
  aligned: uPlot.AlignedData;
}

/** The points' values over `span`: raw, or per window when there are too many (see the API). */
export async function fetchHistory(points: string[], span: Span, signal: AbortSignal): Promise<TrendData> {
  const body = await getJson<History>(
    url('/api/history', { points: points.join(','), from: span.from, to: span.to }),
    signal,
  );
  return { span, series: body.series, aligned: align(body.series) };
}

/**
 * One table: every series' times merged (series sampled at other times get no value there,
 * which uPlot draws through; a stored null, a failed read, stays a gap).
 */
export function align(series: readonly HistorySeries[]): uPlot.AlignedData {
  if (series.length === 0) return [[]];
  const tables = series.map(
    (s): uPlot.AlignedData => [s.values.map((v) => v.ts / 1000), s.values.map((v) => v.value)],
  );
  return tables.length === 1 ? (tables[0] as uPlot.AlignedData) : uPlot.join(tables);
}

/** Alarm activations of `device` in `span`, oldest first; none when the journal cannot be read. */
export async function fetchActivations(
  device: string,
  span: Span,
  signal: AbortSignal,
): Promise<JournalEntry[]> {
  try {
    const events = await getJson<JournalEntry[]>(
      url('/api/alarms/history', { device, kind: 'activated', from: span.from, to: span.to, limit: 500 }),
      signal,
    );
    return events.sort((a, b) => a.ts - b.ts);
  } catch (err) {
    if (signal.aborted) throw err;
    // A gateway without alarms (or a role that may not read them) still draws the trend.
    return [];
  }
}

// The CSV of a trend: exactly the series and the range the chart shows, one row per time, the
// plant's local time and the instant in UTC, one column per point with its unit.
import { plantFields, plantZone } from '../time.js';

export interface CsvColumn {
  /** "Chilled water supply temperature (°C)", "… — mean per 5 min" when aggregated. */
  title: string;
  values: readonly (number | null | undefined)[];
}

/** "2026-11-25 14:05:09": the plant's wall clock. */
function localStamp(ts: number): string {
  const f = plantFields(ts);
  return `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}:${f.second}`;
}

const quote = (cell: string) => (/[",\n\r]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);

/**
 * Rows of `times` (epoch seconds, as uPlot holds them) within [from, to); an empty cell is no
 * value (a failed read, or a point not sampled at that time).
 */
export function trendCsv(
  times: readonly number[],
  columns: readonly CsvColumn[],
  span: { from: number; to: number },
  timeTitles: { local: string; utc: string },
): string {
  const lines = [[`${timeTitles.local} (${plantZone()})`, timeTitles.utc, ...columns.map((c) => c.title)]];
  times.forEach((seconds, row) => {
    const ts = Math.round(seconds * 1000);
    if (ts < span.from || ts >= span.to) return;
    const cells = columns.map((c) => {
      const v = c.values[row];
      return v === null || v === undefined ? '' : String(v);
    });
    lines.push([localStamp(ts), new Date(ts).toISOString(), ...cells]);
  });
  // CRLF and a byte-order mark: what Excel needs to open UTF-8 (Chinese names, °C) correctly.
  return `\uFEFF${lines.map((cells) => cells.map(quote).join(',')).join('\r\n')}\r\n`;
}

/** Hands `text` to the browser as a download named `name`. */
export function download(name: string, text: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

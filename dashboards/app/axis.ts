// Chart axes that read right. A value axis whose labels are never cut: uPlot's default axis is
// 50 px wide, so a seven-digit counter was labelled "6,400" for 4,966,400 kWh; here numbers are
// grouped in full below a million, with an SI prefix above it (4.97M), all ticks of an axis with
// the same prefix and decimals, and the axis as wide as its widest label. A time axis on the
// plant's 24-hour clock in the plant's zone, whatever zone the browser is in (uPlot's own labels
// are 12-hour "3pm" in the browser's zone).
import uPlot from 'uplot';
import { plantFields, plantZone } from './time.js';

/** Digits after the point that the step between ticks needs (0.25 → 2; 2000 → 0). */
function decimalsOf(step: number): number {
  const text = String(Number(step.toPrecision(6)));
  const point = text.indexOf('.');
  return point < 0 || text.includes('e') ? 0 : Math.min(6, text.length - point - 1);
}

/** Labels for one axis's ticks. */
export function tickLabels(splits: readonly (number | null)[]): string[] {
  const values = splits.filter((v): v is number => v !== null && Number.isFinite(v));
  const max = Math.max(0, ...values.map(Math.abs));
  const [divisor, prefix] = max >= 1e9 ? [1e9, 'G'] : max >= 1e6 ? [1e6, 'M'] : [1, ''];
  const step = values.length > 1 ? Math.abs((values[1] ?? 0) - (values[0] ?? 0)) / divisor : 0;
  const digits = step > 0 ? decimalsOf(step) : 0;
  const format = new Intl.NumberFormat(undefined, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return splits.map((v) =>
    v === null || !Number.isFinite(v) ? '' : `${format.format(v / divisor)}${prefix}`,
  );
}

/**
 * The axis's width from its widest label (uPlot's axis auto-size recipe; `cycleNum` guards
 * against the re-layout loop uPlot runs when a size changes).
 */
const fittedSize: uPlot.Axis.Size = (u, values, axisIdx, cycleNum) => {
  const axis = u.axes[axisIdx] as uPlot.Axis & { _size?: number };
  if (cycleNum > 1) return axis._size ?? 50;
  const longest = (values ?? []).reduce((a, b) => (b.length > a.length ? b : a), '');
  u.ctx.font = axis.font?.[0] ?? u.ctx.font;
  const ticks = axis.ticks?.size ?? 10;
  return Math.ceil(ticks + (axis.gap ?? 5) + u.ctx.measureText(longest).width / devicePixelRatio);
};

/** A value (y) axis: `base` is the page's axis style, `label` its unit. */
export function valueAxis(base: uPlot.Axis = {}, label?: string): uPlot.Axis {
  return {
    ...base,
    ...(label ? { label } : {}),
    values: (_u, splits) => tickLabels(splits),
    size: fittedSize,
  };
}

/** uPlot's tzDate for the plant's zone: ticks fall on the plant's whole hours and midnights. */
export const plantDate = (seconds: number): Date => uPlot.tzDate(new Date(seconds * 1000), plantZone());

/**
 * Time tick labels: "14:05" (with seconds when ticks are seconds apart), the date "11-25" under
 * the first tick and under each tick on a new day; the date alone when ticks are days apart.
 */
export function timeLabels(splits: readonly number[], incrementSeconds: number): string[] {
  let day = '';
  return splits.map((seconds) => {
    const f = plantFields(seconds * 1000);
    const date = `${f.month}-${f.day}`;
    if (incrementSeconds >= 86_400) return date;
    const clock = incrementSeconds < 60 ? `${f.hour}:${f.minute}:${f.second}` : `${f.hour}:${f.minute}`;
    const newDay = date !== day;
    day = date;
    return newDay ? `${clock}\n${date}` : clock;
  });
}

/** The time (x) axis on the plant's 24-hour clock; use with `tzDate: plantDate` in the chart. */
export function timeAxis(base: uPlot.Axis = {}): uPlot.Axis {
  return {
    space: 60,
    ...base,
    values: (_u, splits, _axisIdx, _space, increment) => timeLabels(splits, increment),
  };
}

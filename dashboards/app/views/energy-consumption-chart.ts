// Energy › Consumption's charts: the stacked bars of each group per period (periods still going
// on hatched, named under the chart) and the hourly load profile of the last 7 days.
import type { ConsumptionReport, RangeBucket, Resolution } from '../../../src/api-types/energy.js';
import { plantDate, timeAxis, valueAxis } from '../axis.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { axisStyle, type ChartOptions, num, paletteAt, plotIn, themeColour, uPlot } from './energy-common.js';
import { periodName, rowName } from './energy-consumption-table.js';

/** Keeps a chart's dispose for when the view goes. */
export type Keep = (dispose: () => void) => void;

/** The stacked bars into `box`; the periods still going on named in `partialNote`. */
export function drawChart(
  box: HTMLElement,
  partialNote: HTMLElement,
  report: ConsumptionReport,
  keep: Keep,
): void {
  notePartial(partialNote, report.buckets);
  if (report.rows.length === 0 || report.buckets.length === 0) {
    box.replaceChildren(h('p.note', null, t('energy.noMeters')));
    box.dataset.state = 'ready';
    return;
  }
  const xs = report.buckets.map((_b, i) => i);
  const raw = report.rows.map((r) => r.buckets.map((b) => b.value));
  const { stacked, tops } = stack(raw, xs.length);
  const order = report.rows.map((_, i) => i).reverse();
  keep(plotIn(box, () => barOptions(report, raw, tops, order), [xs, ...order.map((i) => stacked[i] ?? [])]));
  box.dataset.state = 'ready';
}

/**
 * Stacked: each series is the running sum up to its group, drawn tallest first; null where no
 * group has a value. `tops`: the stacked totals.
 */
function stack(raw: (number | null)[][], length: number) {
  const stacked: (number | null)[][] = [];
  let below = Array.from({ length }, () => 0);
  for (const values of raw) {
    const sum = values.map((v, i) => (below[i] ?? 0) + (v ?? 0));
    stacked.push(sum.map((s, i) => (raw.every((r) => r[i] === null) ? null : s)));
    below = sum;
  }
  return { stacked, tops: below };
}

function barOptions(
  report: ConsumptionReport,
  raw: (number | null)[][],
  tops: readonly number[],
  order: readonly number[],
): ChartOptions {
  // One bar per period, labelled with its local name (categories, not a time axis).
  const labels = report.buckets.map((b) => shortLabel(b.label, report.resolution));
  const partial = report.buckets.flatMap((b, i) => (b.partial ? [i] : []));
  const bars = uPlot.paths.bars?.({ size: [0.7, 80], gap: 1 });
  const axis = axisStyle();
  return {
    height: 280,
    scales: {
      x: { time: false, range: () => [-0.5, labels.length - 0.5] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
    },
    legend: { live: true },
    cursor: { points: { show: false } },
    hooks: { draw: [(u) => hatch(u, partial, tops)] },
    series: [
      {
        label: t('energy.col.period'),
        value: (_u, v) => (v === null ? '—' : (report.buckets[v]?.label ?? '')),
      },
      ...order.map(
        (i): uPlot.Series => ({
          label: rowName(report.rows[i] ?? { name: '' }),
          fill: paletteAt(i),
          stroke: paletteAt(i),
          width: 0,
          ...(bars ? { paths: bars } : {}),
          points: { show: false },
          value: (_u, _v, _si, idx) => (idx === null ? '—' : `${num(raw[i]?.[idx])} ${report.unit}`),
        }),
      ),
    ],
    axes: [
      {
        ...axis,
        space: report.resolution === 'hour' ? 70 : 40,
        incrs: [1, 2, 3, 4, 6, 7, 12, 24, 48, 96, 168],
        values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (labels[i] ?? '') : '')),
      },
      valueAxis(axis, report.unit),
    ],
  };
}

/** Under the chart, which bars are periods still going on. */
function notePartial(note: HTMLElement, buckets: readonly RangeBucket[]): void {
  const going = buckets.filter((b) => b.partial).map(periodName);
  note.hidden = going.length === 0;
  note.textContent = going.length ? t('energy.partialNote', { periods: going.join(', ') }) : '';
}

/**
 * Diagonal stripes of the panel's colour over the bars of periods still going on (`indices`;
 * `tops`: the stacked totals): lighter, so that a period half over does not read as a dip.
 */
function hatch(u: uPlot, indices: readonly number[], tops: readonly number[]): void {
  const { ctx } = u;
  const slot = Math.abs(u.valToPos(1, 'x', true) - u.valToPos(0, 'x', true));
  const half = Math.min(0.35 * slot, 40 * devicePixelRatio);
  const step = 6 * devicePixelRatio;
  const panel = themeColour('--panel', '#eceded');
  for (const i of indices) {
    const x = u.valToPos(i, 'x', true) - half;
    const top = u.valToPos(tops[i] ?? 0, 'y', true);
    const height = u.valToPos(0, 'y', true) - top;
    if (height <= 0) continue;
    ctx.save();
    ctx.beginPath();
    ctx.rect(x, top, 2 * half, height);
    ctx.clip();
    // Faded towards the panel behind the chart: lighter by day, darker by night.
    ctx.fillStyle = panel;
    ctx.globalAlpha = 0.35;
    ctx.fill();
    ctx.beginPath();
    for (let s = x - height; s < x + 2 * half; s += step) {
      ctx.moveTo(s, top + height);
      ctx.lineTo(s + height, top);
    }
    ctx.strokeStyle = panel;
    ctx.globalAlpha = 0.8;
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.stroke();
    ctx.restore();
  }
}

/** A period's name on the chart axis: "11-25", "25 14:00", "2026-11". */
function shortLabel(label: string, resolution: Resolution): string {
  if (resolution === 'day') return label.slice(5);
  if (resolution === 'hour') return label.slice(8, 16);
  return label;
}

/** The hourly load profile: all groups summed per hour. */
export function drawProfile(box: HTMLElement, report: ConsumptionReport, keep: Keep): void {
  if (report.rows.length === 0) {
    box.replaceChildren(h('p.note', null, t('energy.noMeters')));
    box.dataset.state = 'ready';
    return;
  }
  const xs = report.buckets.map((b) => b.start / 1000);
  const sum = report.buckets.map((b, i) => {
    // The hour still going on (cut at now) would read as a dip: left out.
    if (b.partial || b.clipped) return null;
    const values = report.rows.map((r) => r.buckets[i]?.value ?? null);
    return values.every((v) => v === null) ? null : values.reduce<number>((s, v) => s + (v ?? 0), 0);
  });
  const options = (): ChartOptions => {
    const axis = axisStyle();
    return {
      height: 220,
      tzDate: plantDate,
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      series: [
        { label: t('energy.col.time') },
        {
          label: t('energy.perHour', { unit: report.unit }),
          stroke: paletteAt(0),
          width: 1.5,
          spanGaps: false,
          value: (_u, v) => num(v),
        },
      ],
      axes: [timeAxis({ ...axis, space: 50 }), valueAxis(axis)],
    };
  };
  keep(plotIn(box, options, [xs, sum]));
  box.dataset.state = 'ready';
}

// The uPlot chart of a trend: one line per point in its own colour, a value axis per unit (left
// the first, right the second), the time axis on the plant's 24-hour clock, the legend giving
// each point's value under the cursor, drag to zoom, and the alarm marks.
import uPlot from 'uplot';
import type { JournalEntry } from '../../../src/api-types/alarms.js';
import { plantDate, timeAxis, valueAxis } from '../axis.js';
import { formatValue } from '../format.js';
import { t } from '../i18n.js';
import type { PointInfo } from '../live.js';
import { clockSeconds, localDate } from '../time.js';
import { pointLabel } from '../widgets.js';
import { alarmMarks } from './marks.js';
import type { Span } from './range.js';
import { unitsOf } from './series.js';

export interface ChartInput {
  points: readonly PointInfo[];
  /** The view: the x axis spans exactly this, also where there are no samples. */
  span: () => Span;
  marks: () => readonly JournalEntry[];
  onZoom: (from: number, to: number) => void;
  onPick: (e: JournalEntry) => void;
}

/** A theme colour from the page's CSS variables (light or dark). */
const cssColour = (name: string, fallback: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/** The scale a unit is drawn on: "y" for the first unit, "y2" for the second. */
const scaleOf = (units: readonly string[], unit: string) => (units.indexOf(unit) === 0 ? 'y' : 'y2');

/** Chart height for a width: shorter on a phone, never taller than a control-room panel wants. */
export const chartHeight = (width: number) => Math.round(Math.min(320, Math.max(200, width * 0.45)));

function series(info: PointInfo, units: readonly string[], index: number): uPlot.Series {
  const stepped = info.kind === 'state' ? uPlot.paths.stepped?.({ align: 1 }) : undefined;
  return {
    label: pointLabel(info),
    scale: scaleOf(units, info.unit),
    stroke: cssColour(`--trend-${(index % 8) + 1}`, '#2f6fa3'),
    width: 1.5,
    spanGaps: false,
    ...(stepped ? { paths: stepped } : {}),
    value: (_u, v) => (v === null || v === undefined ? '—' : formatValue(v, info.unit)),
  };
}

/** The date and time under the cursor, in the plant. */
const cursorTime = (seconds: number) => `${localDate(seconds * 1000)} ${clockSeconds(seconds * 1000)}`;

export function trendOptions(input: ChartInput, width: number): uPlot.Options {
  const units = unitsOf(input.points);
  const ink = cssColour('--muted', '#5d6166');
  const grid = { stroke: cssColour('--line', '#b7babe'), width: 1 };
  const axis = { stroke: ink, grid, ticks: grid };
  const axes: uPlot.Axis[] = [timeAxis(axis), valueAxis({ ...axis, scale: 'y' }, units[0] || undefined)];
  if (units.length > 1)
    axes.push(valueAxis({ ...axis, scale: 'y2', side: 1, grid: { show: false } }, units[1] || undefined));
  return {
    width,
    height: chartHeight(width),
    tzDate: plantDate,
    scales: {
      x: { time: true, range: () => [input.span().from / 1000, input.span().to / 1000] },
    },
    series: [
      {
        label: t('trend.time.local'),
        value: (_u, v) => (v === null || v === undefined ? '—' : cursorTime(v)),
      },
      ...input.points.map((info, i) => series(info, units, i)),
    ],
    axes,
    cursor: { drag: { x: true, y: false, setScale: false } },
    hooks: {
      setSelect: [
        (u) => {
          const { left, width: selected } = u.select;
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          if (selected < 4) return;
          input.onZoom(u.posToVal(left, 'x') * 1000, u.posToVal(left + selected, 'x') * 1000);
        },
      ],
    },
    plugins: [alarmMarks(input.marks, input.onPick)],
  };
}

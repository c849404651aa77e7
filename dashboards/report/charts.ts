// The monthly report's charts, drawn in the headless Chromium that prints the report to PDF
// (src/reports/monthly-pdf.ts inlines this bundle after uPlot's own iife, whose global it uses,
// so uPlot is not bundled twice): each day's consumption by building as stacked bars, like the
// energy page's chart, from the JSON in each [data-chart] element.
import type uPlotType from 'uplot';
import type { Axis } from 'uplot';

/** The energy page's palette (dashboards/app/views/energy-common.ts): colour is for alarms, not groups. */
const PALETTE = ['#3f4a56', '#7d8fa1', '#b3bcc6', '#5b6b5a', '#9aa58f', '#6e6173', '#a897ab', '#8c8c8c'];

/** Whole units grouped by thousands, as the report's tables print them. */
const grouped = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

/** What src/reports/monthly-pdf.ts puts in data-chart: day labels, one series per building. */
interface Chart {
  unit: string;
  labels: string[];
  series: { name: string; values: (number | null)[] }[];
}

function draw(box: HTMLElement, chart: Chart): void {
  // The global of the uPlot.iife.min.js inlined before this script.
  const uPlot = (globalThis as unknown as { uPlot: typeof uPlotType }).uPlot;
  const xs = chart.labels.map((_, i) => i);
  // Stacked: each series is the running sum up to its building, drawn tallest first.
  const stacked: (number | null)[][] = [];
  let below = xs.map(() => 0);
  for (const { values } of chart.series) {
    const sum = values.map((v, i) => (below[i] ?? 0) + (v ?? 0));
    stacked.push(sum.map((s, i) => (chart.series.every((r) => r.values[i] === null) ? null : s)));
    below = sum;
  }
  const order = chart.series.map((_, i) => i).reverse();
  const axis: Axis = { stroke: '#555', grid: { stroke: '#d0d2d4', width: 1 }, ticks: { stroke: '#b7babe' } };
  new uPlot(
    {
      width: box.clientWidth,
      height: 230,
      scales: {
        x: { time: false, range: () => [-0.5, xs.length - 0.5] },
        y: {
          range: (_u, _min, max): [number, number] => [0, max > 0 ? max * 1.08 : 1],
        },
      },
      legend: { live: false },
      cursor: { show: false },
      series: [
        {},
        ...order.map((i) => ({
          label: chart.series[i]?.name,
          fill: PALETTE[i % PALETTE.length],
          stroke: PALETTE[i % PALETTE.length],
          width: 0,
          paths: uPlot.paths.bars?.({ size: [0.7, 60], gap: 1 }),
          points: { show: false },
        })),
      ],
      axes: [
        {
          ...axis,
          space: 18,
          incrs: [1, 2, 5, 7],
          values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (chart.labels[i] ?? '') : '')),
        },
        {
          ...axis,
          size: 60,
          label: chart.unit,
          values: (_u, splits) => splits.map((v) => grouped.format(v)),
        },
      ],
    },
    [xs, ...order.map((i) => stacked[i] ?? [])],
    box,
  );
}

for (const box of document.querySelectorAll('[data-chart]')) {
  if (box instanceof HTMLElement) draw(box, JSON.parse(box.dataset.chart ?? '{}') as Chart);
}

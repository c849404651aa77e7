// The trend of an equipment page: several of its points on one chart over a chosen range. The
// range is a preset (the last 1 h, 24 h, 7 d, 30 d, kept up to date) or a from–to on the plant's
// calendar and 24-hour clock; inside it the view is zoomed by dragging across the chart and moved
// with ◀ ▶. Each view is fetched anew (one request for all points), so zooming into a month shows
// the real samples, not the month's averages stretched. CSV exports what the chart shows.
import uPlot from 'uplot';
import type { JournalEntry } from '../../../src/api-types/alarms.js';
import type { HistorySeries } from '../../../src/api-types/history.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import type { PointInfo } from '../live.js';
import { localMinute } from '../time.js';
import { pointLabel } from '../widgets.js';
import { chartHeight, trendOptions } from './chart.js';
import { download, trendCsv } from './csv.js';
import { fetchActivations, fetchHistory, type TrendData } from './data.js';
import { markText } from './marks.js';
import {
  MAX_SPAN_MS,
  MIN_SPAN_MS,
  PRESETS,
  type Preset,
  pan,
  pickedSpan,
  pickerFields,
  presetSpan,
  type Span,
  scaled,
  zoom,
} from './range.js';
import { defaultPoints, MAX_POINTS, refusal } from './series.js';

export interface TrendDevice {
  id: string;
  equipment: string;
  points: readonly PointInfo[];
}

export interface Trend {
  element: HTMLElement;
  dispose(): void;
}

/** What each equipment's trend showed last, so coming back to the page shows it again. */
const remembered = new Map<string, { points: string[]; preset: Preset | null; range: Span; view: Span }>();

/** A preset range follows the clock: fetched again this often while it is on screen. */
const FOLLOW_MS = 30_000;

export function createTrend(device: TrendDevice): Trend {
  const known = new Map(device.points.map((p) => [p.id, p]));
  const kept = remembered.get(device.id);
  let chosen = (kept?.points ?? defaultPoints(device.equipment, device.points)).filter((id) => known.has(id));
  let preset: Preset | null = kept ? kept.preset : '1h';
  let range: Span = kept?.preset ? presetSpan(kept.preset) : (kept?.range ?? presetSpan('1h'));
  let view: Span = kept && !kept.preset ? kept.view : range;
  let shown: TrendData | null = null;
  let marks: JournalEntry[] = [];
  let plot: uPlot | null = null;
  let plotKey = '';
  let controller: AbortController | null = null;

  const chart = h('div.chart.trend-chart', { dataset: { state: 'loading' } });
  const note = h('p.trend-note', { role: 'status' });
  const resolution = h('p.trend-resolution.note');
  const detail = h('p.trend-mark-detail', { hidden: true });
  const info = (id: string) => known.get(id) as PointInfo;
  const chosenInfos = () => chosen.map(info);

  // ---- Points ----
  const boxes = device.points.map((p) =>
    h('input', {
      type: 'checkbox',
      value: p.id,
      checked: chosen.includes(p.id),
      onchange: (e: Event) => toggle(p, (e.target as HTMLInputElement).checked),
    }),
  );
  const picker = h(
    'fieldset.trend-series',
    null,
    h('legend', null, t('trend.points')),
    ...device.points.map((p, i) =>
      h(
        'label.trend-pick',
        { dataset: { point: p.id } },
        boxes[i],
        ` ${pointLabel(p)}`,
        p.unit ? h('small', null, ` ${p.unit}`) : '',
      ),
    ),
  );

  function toggle(p: PointInfo, on: boolean) {
    note.textContent = '';
    if (on) {
      const why = refusal(chosenInfos(), p);
      if (why) {
        note.textContent = why === 'full' ? t('trend.full', { n: MAX_POINTS }) : t('trend.units');
        syncPicker();
        return;
      }
      chosen = [...chosen, p.id];
    } else chosen = chosen.filter((id) => id !== p.id);
    syncPicker();
    load();
  }

  /** Ticks what is chosen; greys out what may not join (a third unit, a ninth point). */
  function syncPicker() {
    const infos = chosenInfos();
    device.points.forEach((p, i) => {
      const box = boxes[i] as HTMLInputElement;
      box.checked = chosen.includes(p.id);
      const why = box.checked ? null : refusal(infos, p);
      box.closest('label')?.classList.toggle('refused', why !== null);
      box.title =
        why === 'units' ? t('trend.units') : why === 'full' ? t('trend.full', { n: MAX_POINTS }) : '';
    });
  }

  // ---- Range ----
  const presetButtons = (Object.keys(PRESETS) as Preset[]).map((p) =>
    h(
      'button.range',
      { type: 'button', dataset: { range: p }, onclick: () => choosePreset(p) },
      t(`trend.range.${p}`),
    ),
  );
  const dateInput = (id: string) => h('input', { type: 'date', id, required: true });
  const clockInput = (id: string) =>
    h('input.trend-clock', {
      type: 'text',
      id,
      inputMode: 'numeric',
      placeholder: 'HH:MM',
      maxLength: 5,
      size: 5,
      autocomplete: 'off',
      onkeydown: (e: KeyboardEvent) => e.key === 'Enter' && showPicked(),
    });
  const fromDate = dateInput('trend-from-date');
  const fromTime = clockInput('trend-from-time');
  const toDate = dateInput('trend-to-date');
  const toTime = clockInput('trend-to-time');
  const showButton = h('button#trend-show', { type: 'button', onclick: showPicked }, t('trend.show'));
  /** A small button named by its symbol, with what it does as its tooltip and accessible name. */
  const iconButton = (id: string, symbol: string, label: string, onclick: () => void) =>
    h('button.icon', { id, type: 'button', title: label, 'aria-label': label, onclick }, symbol);
  // Dragging is for a mouse: a phone zooms with − and +.
  const earlier = iconButton('trend-earlier', '◀', t('trend.earlier'), () => move(-1));
  const later = iconButton('trend-later', '▶', t('trend.later'), () => move(1));
  const zoomOut = iconButton('trend-zoom-out', '−', t('trend.zoomOut'), () => magnify(2));
  const zoomIn = iconButton('trend-zoom-in', '+', t('trend.zoomIn'), () => magnify(0.5));
  const reset = h('button', { id: 'trend-reset', type: 'button', onclick: resetZoom }, t('trend.reset'));
  const csv = h(
    'button#trend-csv',
    { type: 'button', title: t('trend.csvTitle'), onclick: exportCsv },
    t('trend.csv'),
  );

  function choosePreset(p: Preset) {
    preset = p;
    range = presetSpan(p);
    view = range;
    load();
  }

  function showPicked() {
    const span = pickedSpan(
      { date: fromDate.value, time: fromTime.value },
      { date: toDate.value, time: toTime.value },
    );
    if (typeof span === 'string') {
      note.textContent = t(`trend.bad.${span}`);
      return;
    }
    note.textContent = '';
    preset = null;
    range = span;
    view = span;
    load();
  }

  function move(direction: -1 | 1) {
    view = pan(view, direction);
    load();
  }

  function magnify(factor: number) {
    view = scaled(view, factor);
    load();
  }

  function resetZoom() {
    if (preset) range = presetSpan(preset);
    view = range;
    load();
  }

  const following = () => preset !== null && view === range;

  function syncTools() {
    for (const b of presetButtons) b.classList.toggle('on', following() && b.dataset.range === preset);
    const [from, to] = [pickerFields(view.from), pickerFields(view.to)];
    fromDate.value = from.date;
    fromTime.value = from.time;
    toDate.value = to.date;
    toTime.value = to.time;
    reset.disabled = view === range;
    later.disabled = view.to >= Date.now() - 1000;
    zoomIn.disabled = view.to - view.from <= MIN_SPAN_MS;
    zoomOut.disabled = view.to - view.from >= MAX_SPAN_MS;
    remembered.set(device.id, { points: chosen, preset, range, view });
  }

  // ---- Data and chart ----
  async function load(quiet = false) {
    controller?.abort();
    const ask = new AbortController();
    controller = ask;
    syncTools();
    if (chosen.length === 0) {
      drop();
      chart.replaceChildren(h('p.note', null, t('trend.none')));
      chart.dataset.state = 'ready';
      return;
    }
    if (!quiet) {
      chart.dataset.state = 'loading';
      detail.hidden = true;
    }
    const span = view;
    try {
      const [data, activations] = await Promise.all([
        fetchHistory(chosen, span, ask.signal),
        fetchActivations(device.id, span, ask.signal),
      ]);
      if (ask.signal.aborted) return;
      shown = data;
      marks = activations;
      chart.dataset.points = data.series.map((series) => series.point).join(',');
      draw();
      chart.dataset.state = 'ready';
    } catch (err) {
      if (ask.signal.aborted) return;
      drop();
      chart.replaceChildren(h('p.error', null, err instanceof Error ? err.message : String(err)));
      chart.dataset.state = 'error';
    }
  }

  function destroyPlot() {
    plot?.destroy();
    plot = null;
    plotKey = '';
  }

  /** Nothing to show (no point chosen, or the request failed). */
  function drop() {
    destroyPlot();
    shown = null;
    resolution.textContent = '';
    csv.disabled = true;
  }

  function draw() {
    if (!shown) return;
    const data = shown;
    resolution.textContent = describeResolution(data.series);
    csv.disabled = false;
    if (data.series.every((s) => s.values.length === 0)) {
      destroyPlot();
      chart.replaceChildren(h('p.note', null, t('device.nohistory')));
      return;
    }
    const key = chosen.join(',');
    if (plot && key === plotKey) {
      plot.setData(data.aligned);
      return;
    }
    plot?.destroy();
    chart.replaceChildren();
    const width = Math.max(280, chart.clientWidth || 600);
    plot = new uPlot(
      trendOptions(
        {
          points: chosenInfos(),
          span: () => shown?.span ?? view,
          marks: () => marks,
          onZoom: (from, to) => {
            view = zoom(from, to);
            load();
          },
          onPick: (e) => {
            detail.hidden = false;
            detail.textContent = markText(e);
          },
        },
        width,
      ),
      data.aligned,
      chart,
    );
    plotKey = key;
  }

  function exportCsv() {
    if (!shown || shown.series.length === 0) return;
    const data = shown;
    const columns = data.series.map((s, i) => ({
      title: csvTitle(s),
      values: (data.aligned[i + 1] ?? []) as readonly (number | null | undefined)[],
    }));
    const text = trendCsv(data.aligned[0] as readonly number[], columns, data.span, {
      local: t('trend.time.local'),
      utc: t('trend.time.utc'),
    });
    const stamp = (ts: number) => localMinute(ts).replace(/[-:]/g, '').replace('T', '-');
    download(`${device.id}_${stamp(data.span.from)}_${stamp(data.span.to)}.csv`, text);
  }

  function csvTitle(s: HistorySeries): string {
    const p = known.get(s.point);
    const name = p ? pointLabel(p) : s.point;
    const unit = s.unit ? ` (${s.unit})` : '';
    const window = s.windowMs
      ? ` [${t('trend.perWindow', { agg: t(`trend.agg.${s.aggregate}`), window: spanText(s.windowMs) })}]`
      : '';
    return `${name}${unit}${window}`;
  }

  // Keeps the chart as wide as its panel (a phone turned, a side panel closed).
  const resize = new ResizeObserver(() => {
    const width = Math.max(280, chart.clientWidth);
    if (plot && Math.abs(plot.width - width) > 2) plot.setSize({ width, height: chartHeight(width) });
  });
  resize.observe(chart);
  // Pens and axes take the theme's colours when drawn: a new theme (the header's toggle or the
  // system's night mode) draws the chart again.
  const redrawInTheme = () => {
    plotKey = '';
    draw();
  };
  const theme = new MutationObserver(redrawInTheme);
  theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  const night = matchMedia('(prefers-color-scheme: dark)');
  night.addEventListener('change', redrawInTheme);
  const timer = setInterval(() => {
    if (!following() || document.hidden || chart.dataset.state === 'loading') return;
    range = presetSpan(preset as Preset);
    view = range;
    load(true);
  }, FOLLOW_MS);

  const element = h(
    'div.trend',
    null,
    picker,
    h(
      'div.trend-tools',
      null,
      h('span.trend-presets', null, ...presetButtons),
      h(
        'span.trend-picker',
        null,
        h('label', { htmlFor: 'trend-from-date' }, t('trend.from')),
        fromDate,
        fromTime,
        h('label', { htmlFor: 'trend-to-date' }, t('trend.to')),
        toDate,
        toTime,
        showButton,
      ),
      h('span.trend-moves', null, earlier, later, zoomOut, zoomIn, reset, csv),
    ),
    note,
    chart,
    resolution,
    detail,
    h('p.note.trend-hint', null, t('trend.hint')),
  );
  syncPicker();
  load();

  return {
    element,
    dispose() {
      controller?.abort();
      clearInterval(timer);
      resize.disconnect();
      theme.disconnect();
      night.removeEventListener('change', redrawInTheme);
      plot?.destroy();
    },
  };
}

/** "5 min", "1 h": a window's length. */
function spanText(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return t('trend.span.s', { n: s });
  if (s < 3600) return t('trend.span.min', { n: s / 60 });
  if (s < 86_400) return t('trend.span.h', { n: s / 3600 });
  return t('trend.span.d', { n: s / 86_400 });
}

/** What one point on the chart stands for: a sample, or a window's mean (last reading). */
function describeResolution(series: readonly HistorySeries[]): string {
  const windowed = series.find((s) => s.windowMs !== null);
  if (!windowed?.windowMs) return t('trend.raw');
  const aggregates = [...new Set(series.filter((s) => s.windowMs).map((s) => t(`trend.agg.${s.aggregate}`)))];
  return t('trend.windowed', { agg: aggregates.join(' / '), window: spanText(windowed.windowMs) });
}

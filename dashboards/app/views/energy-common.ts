// Shared parts of the energy pages: /api/energy URLs and the meter list, the period picker
// (dates in the plant's time zone, from time.ts), number and money formats, CSV links, uPlot
// chart helpers. Requests go through api.ts (a 401 goes to the sign-in), dates through time.ts.
import uPlot from 'uplot';
import type { Meter, Resolution } from '../../../src/api-types/energy.js';
import { getJson, onAnswer, url } from '../api.js';
import { h } from '../dom.js';
import { getLang, localName, t } from '../i18n.js';
import { addDays, addMonths, dateTime, localDate, localMinute, plantZone, setPlantZone } from '../time.js';

export { uPlot };

// Every energy report names the plant's zone: days and months are the plant's, not the browser's.
onAnswer((body) => {
  const zone = (body as { timezone?: unknown } | null)?.timezone;
  if (typeof zone === 'string') setPlantZone(zone);
});

/** A query's values; empty ones are left out of the URL. */
export type Query = Record<string, string | undefined>;

/** /api/energy/<path>?<query>. */
export const energyUrl = (path: string, query: Query = {}): string => url(`/api/energy/${path}`, query);

/** The same table as a CSV download. */
export const csvUrl = (json: string): string => `${json}${json.includes('?') ? '&' : '?'}format=csv`;

/** A "CSV" download link for the table whose JSON is at `json`. */
export const csvLink = (json: string, id?: string): HTMLAnchorElement =>
  h('a.csv', { href: csvUrl(json), download: '', id, title: t('energy.csvTitle') }, t('energy.csv'));

// ---- Periods, in the plant's calendar ----

/** Days in a "YYYY-MM". */
const daysIn = (month: string): number =>
  new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();

export const PERIODS = ['this-month', 'last-month', 'last-7', 'custom'] as const;
export type Period = (typeof PERIODS)[number];

/** A page's chosen period; `from`/`to` are the custom dates ("YYYY-MM-DD", to exclusive). */
export interface PeriodState {
  period: Period;
  from: string;
  to: string;
}

/** Local dates, `to` exclusive. */
export interface DateRange {
  from: string;
  to: string;
}

/** The period chosen, as from/to dates (to exclusive). This month runs to the end of today. */
export function periodRange(p: PeriodState): DateRange {
  const today = localDate(Date.now());
  const month = today.slice(0, 7);
  if (p.period === 'last-month') return { from: `${addMonths(month, -1)}-01`, to: `${month}-01` };
  if (p.period === 'last-7') return { from: addDays(today, -6), to: addDays(today, 1) };
  if (p.period === 'custom' && p.from && p.to && p.from < p.to) return { from: p.from, to: p.to };
  if (p.period === 'custom' && p.from && p.to) return { from: p.to, to: p.from };
  return { from: `${month}-01`, to: addDays(today, 1) };
}

/**
 * This month up to now against last month up to the same day and time (all of it when it is
 * shorter): whole days to tomorrow would set today's few hours against a whole day.
 */
export function monthComparison(): { current: DateRange; previous: DateRange } {
  const now = localMinute(Date.now());
  const month = now.slice(0, 7);
  const last = addMonths(month, -1);
  const sameTime = Number(now.slice(8, 10)) > daysIn(last) ? `${month}-01` : `${last}${now.slice(7)}`;
  return {
    current: { from: `${month}-01`, to: now },
    previous: { from: `${last}-01`, to: sameTime },
  };
}

const isPeriod = (value: string): value is Period => (PERIODS as readonly string[]).includes(value);

/** Period picker: this month, last month, last 7 days, custom from/to. `state` is changed in place. */
export function periodPicker(state: PeriodState, onchange: () => void): HTMLElement {
  const today = localDate(Date.now());
  const from = h('input#e-from', { type: 'date', value: state.from || addDays(today, -9), max: today });
  const to = h('input#e-to', { type: 'date', value: state.to || addDays(today, 1) });
  const custom = h(
    'span.e-custom',
    { hidden: state.period !== 'custom' },
    h('label', null, t('energy.from'), from),
    h('label', null, t('energy.to'), to),
  );
  const select = h(
    'select#e-period',
    {
      onchange: () => {
        if (isPeriod(select.value)) state.period = select.value;
        custom.hidden = state.period !== 'custom';
        if (state.period === 'custom') {
          state.from = from.value;
          state.to = to.value;
        }
        onchange();
      },
    },
    ...PERIODS.map((p) => h('option', { value: p, selected: p === state.period }, t(`energy.period.${p}`))),
  );
  const changed = () => {
    state.from = from.value;
    state.to = to.value;
    if (state.from && state.to) onchange();
  };
  from.addEventListener('change', changed);
  to.addEventListener('change', changed);
  return h('span.e-period', null, h('label', null, t('energy.period'), select), custom);
}

/** A tab's resolution select over `resolutions`: the choice goes into `state`, then `onchange`. */
export function resolutionPicker(
  id: string,
  resolutions: readonly Resolution[],
  state: { resolution: Resolution },
  onchange: () => void,
): HTMLLabelElement {
  return choice(
    id,
    t('energy.resolution'),
    resolutions,
    state.resolution,
    (r) => t(`energy.res.${r}`),
    (r) => {
      state.resolution = r;
      onchange();
    },
  );
}

/** A labelled select of `values`. */
export function choice<V extends string>(
  id: string,
  label: string,
  values: readonly V[],
  value: V,
  text: (v: V) => string,
  onchange: (v: V) => void,
): HTMLLabelElement {
  const select = h(
    'select',
    {
      id,
      onchange: () => {
        const chosen = values.find((v) => v === select.value);
        if (chosen !== undefined) onchange(chosen);
      },
    },
    ...values.map((v) => h('option', { value: v, selected: v === value }, text(v))),
  );
  return h('label', null, label, select);
}

/** A two-or-more-way toggle of buttons. */
export function toggle<V extends string>(
  name: string,
  values: readonly V[],
  value: V,
  text: (v: V) => string,
  onchange: (v: V) => void,
): HTMLElement {
  return h(
    'span.e-toggle',
    { role: 'group', dataset: { name } },
    ...values.map((v) =>
      h(
        `button.range${v === value ? '.on' : ''}`,
        {
          type: 'button',
          dataset: { value: v },
          'aria-pressed': String(v === value),
          onclick: () => onchange(v),
        },
        text(v),
      ),
    ),
  );
}

// ---- Numbers and times ----

const locale = () => (getLang() === 'zh' ? 'zh-CN' : 'en-GB');

/** Decimals that suit a table whose largest value is `max`. */
export const digitsFor = (max: number): number => (Math.abs(max) >= 1000 ? 0 : Math.abs(max) >= 10 ? 1 : 2);

/** A figure, or "—" when it is not known. */
export function num(value: number | null | undefined, digits?: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const d = digits ?? digitsFor(value);
  return value.toLocaleString(locale(), { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** Tonnes of standard coal equivalent: 3 decimals, 2 from 100 t; "—" when not known, never 0. */
export const tce = (value: number | null | undefined): string =>
  num(value, value !== null && value !== undefined && Math.abs(value) >= 100 ? 2 : 3);

/** Money in the report's currency, "¥12,345" (its narrow symbol); "—" when not known, never ¥0. */
export function money(
  value: number | null | undefined,
  currency: string | null | undefined,
  digits?: number,
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  // Whole yuan in thousands, fen below.
  const d = digits ?? (Math.abs(value) >= 1000 ? 0 : 2);
  if (!currency) return num(value, d);
  return value.toLocaleString(locale(), {
    style: 'currency',
    currency,
    currencyDisplay: 'narrowSymbol',
    minimumFractionDigits: d,
    maximumFractionDigits: d,
  });
}

/** A fraction 0..1 as a percentage. */
export const pct = (fraction: number | null | undefined, digits = 0): string =>
  fraction === null || fraction === undefined ? '—' : `${num(fraction * 100, digits)} %`;

/** Date and time in the plant's zone, "2026-11-25 14:05". */
export const when = (ts: number | null | undefined): string => dateTime(ts);

/** A cell for a number, or "—" with a title explaining the absence. */
export function numCell(value: number | null | undefined, digits?: number): HTMLTableCellElement {
  return value === null || value === undefined
    ? h('td.num.nodata', { title: t('energy.noValue') }, '—')
    : h('td.num', null, num(value, digits));
}

/** A horizontal bar for a share or utilisation 0..1 (CSSOM width, no inline style attribute). */
export function bar(fraction: number | null, cls = ''): HTMLElement {
  const fill = h(`span.e-bar-fill${cls ? `.${cls}` : ''}`);
  fill.style.width = `${Math.max(0, Math.min(1, fraction ?? 0)) * 100}%`;
  return h('span.e-bar', null, fill);
}

export const errorNote = (err: unknown): HTMLElement =>
  h('p.error', null, t('energy.error', { msg: err instanceof Error ? err.message : String(err) }));

// ---- Charts ----

/**
 * A colour of the page's theme (energy.css and style.css variables), read when a chart is drawn:
 * a canvas cannot use CSS variables itself.
 */
export const themeColour = (name: string, fallback: string): string =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/** Muted, distinguishable greys (energy.css --e-series-0…7): colour is for abnormal states, not groups. */
const SERIES = 8;
export const paletteAt = (i: number): string => themeColour(`--e-series-${i % SERIES}`, '#7d8fa1');

/** uPlot's dates in the plant's zone. */
export const tzDate = (seconds: number): Date => uPlot.tzDate(new Date(seconds * 1000), plantZone());

/** Width for a chart in `box`. */
export const chartWidth = (box: HTMLElement): number =>
  Math.max(260, Math.floor(box.clientWidth || box.parentElement?.clientWidth || 600));

/** A chart's options without its width, which follows its box. */
export type ChartOptions = Omit<uPlot.Options, 'width'>;

/**
 * A uPlot that follows its box's width, drawn again in the theme's colours when day turns to
 * night: `options` is asked again then. Returns a disposer.
 */
export function plotIn(box: HTMLElement, options: () => ChartOptions, data: uPlot.AlignedData): () => void {
  let opts = options();
  let last = chartWidth(box);
  const draw = () => {
    box.replaceChildren();
    return new uPlot({ ...opts, width: last }, data, box);
  };
  let plot = draw();
  const resized = new ResizeObserver(() => {
    const w = chartWidth(box);
    if (Math.abs(w - last) > 8) {
      last = w;
      plot.setSize({ width: w, height: opts.height });
    }
  });
  resized.observe(box);
  const themed = new MutationObserver(() => {
    plot.destroy();
    opts = options();
    plot = draw();
  });
  themed.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => {
    resized.disconnect();
    themed.disconnect();
    plot.destroy();
  };
}

/** Axis colours of the theme, read when a chart is drawn. */
export const axisStyle = (): uPlot.Axis => ({
  stroke: themeColour('--muted', '#5d6166'),
  grid: { stroke: themeColour('--e-grid', '#d0d2d4'), width: 1 },
  ticks: { stroke: themeColour('--line', '#b7babe') },
});

let metersPromise: Promise<Meter[]> | null = null;
/** The meters (GET /api/energy/meters), asked once per page load. */
export function meterList(): Promise<Meter[]> {
  metersPromise ??= getJson<Meter[]>(energyUrl('meters')).catch((err: unknown) => {
    metersPromise = null;
    throw err;
  });
  return metersPromise;
}

/** Device id → the meter's name in the page's language; empty when the list cannot be had. */
export async function meterNames(): Promise<Map<string, string>> {
  try {
    return new Map((await meterList()).map((m) => [m.device, localName(m.name, m.nameZh)]));
  } catch {
    return new Map();
  }
}

/** A table head; a key ending in "#" is a number column (right-aligned). */
export const head = (keys: readonly string[]): HTMLTableSectionElement =>
  h(
    'thead',
    null,
    h(
      'tr',
      null,
      ...keys.map((k) => (k.endsWith('#') ? h('th.num', null, t(k.slice(0, -1))) : h('th', null, t(k)))),
    ),
  );

// Shared parts of the energy pages: GET helpers for /api/energy, the period picker (dates in
// the plant's time zone), number formatting, CSV links, uPlot chart helpers.
import uPlot from '/vendor/uplot/uPlot.esm.js';
import * as api from '../api.js';
import { h } from '../dom.js';
import { getLang, t } from '../i18n.js';

export { uPlot };

const ZONE_KEY = 'plantwatch.energy.zone';

/** The plant's time zone, learnt from the first answer that names it (the browser's until then). */
let plantZone = localStorage.getItem(ZONE_KEY) || Intl.DateTimeFormat().resolvedOptions().timeZone;

/** @param {string | undefined} zone */
export function learnZone(zone) {
  if (!zone || zone === plantZone) return;
  plantZone = zone;
  localStorage.setItem(ZONE_KEY, zone);
}
export const zone = () => plantZone;

/** /api/energy/<path>?<query>: the query without empty values. @param {string} path @param {Record<string, string | undefined>} [query] */
export function energyUrl(path, query = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return `/api/energy/${path}${s ? `?${s}` : ''}`;
}

/** The same table as a CSV download. @param {string} url */
export const csvUrl = (url) => `${url}${url.includes('?') ? '&' : '?'}format=csv`;

/**
 * GET JSON; a failure becomes an Error with the server's message. A 401 (session ended) is
 * passed to the shell by asking the shared API once more (its handler goes to the login page).
 * @param {string} url
 */
export async function getJson(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) api.points().catch(() => undefined);
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  if (body && typeof body === 'object' && 'timezone' in body) learnZone(body.timezone);
  return body;
}

/** A "CSV" download link. @param {string} url the JSON url of the table @param {string} [id] */
export const csvLink = (url, id) =>
  h('a.csv', { href: csvUrl(url), download: '', id, title: t('energy.csvTitle') }, t('energy.csv'));

// ---- Dates in the plant's zone ----

/** An instant's local date and time fields in the plant's zone. @param {number} ts */
function plantFields(ts) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: plantZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ts);
  return (/** @type {string} */ type) => parts.find((p) => p.type === type)?.value ?? '';
}

/** "YYYY-MM-DD" of an instant in the plant's zone. @param {number} ts */
export function localDate(ts) {
  const get = plantFields(ts);
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** "YYYY-MM-DDTHH:MM" of an instant in the plant's zone, as the API reads a local date-time. @param {number} ts */
export function localMinute(ts) {
  const get = plantFields(ts);
  return `${localDate(ts)}T${get('hour')}:${get('minute')}`;
}

/** A calendar date plus days, on the calendar (no zone involved). @param {string} date @param {number} days */
export function addDays(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** "YYYY-MM" plus months. @param {string} month @param {number} months */
export function addMonths(month, months) {
  const d = new Date(`${month}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 7);
}

/** Days in a "YYYY-MM". @param {string} month */
const daysIn = (month) =>
  new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();

export const PERIODS = ['this-month', 'last-month', 'last-7', 'custom'];

/**
 * The period chosen, as from/to dates (to exclusive). This month runs to the end of today.
 * @param {{ period: string, from: string, to: string }} p
 * @returns {{ from: string, to: string }}
 */
export function periodRange(p) {
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
 * @returns {{ current: { from: string, to: string }, previous: { from: string, to: string } }}
 */
export function monthComparison() {
  const now = localMinute(Date.now());
  const month = now.slice(0, 7);
  const last = addMonths(month, -1);
  const sameTime = Number(now.slice(8, 10)) > daysIn(last) ? `${month}-01` : `${last}${now.slice(7)}`;
  return {
    current: { from: `${month}-01`, to: now },
    previous: { from: `${last}-01`, to: sameTime },
  };
}

/**
 * Period picker: this month, last month, last 7 days, custom from/to.
 * @param {{ period: string, from: string, to: string }} state changed in place
 * @param {() => void} onchange
 */
export function periodPicker(state, onchange) {
  const today = localDate(Date.now());
  const from = /** @type {HTMLInputElement} */ (
    h('input#e-from', { type: 'date', value: state.from || addDays(today, -9), max: today })
  );
  const to = /** @type {HTMLInputElement} */ (
    h('input#e-to', { type: 'date', value: state.to || addDays(today, 1) })
  );
  const custom = h(
    'span.e-custom',
    { hidden: state.period !== 'custom' },
    h('label', null, t('energy.from'), from),
    h('label', null, t('energy.to'), to),
  );
  const select = /** @type {HTMLSelectElement} */ (
    h(
      'select#e-period',
      {
        onchange: () => {
          state.period = select.value;
          custom.hidden = state.period !== 'custom';
          if (state.period === 'custom') {
            state.from = from.value;
            state.to = to.value;
          }
          onchange();
        },
      },
      ...PERIODS.map((p) => h('option', { value: p, selected: p === state.period }, t(`energy.period.${p}`))),
    )
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

/** A labelled select. @param {string} id @param {string} label @param {string[]} values @param {string} value @param {(v: string) => string} text @param {(v: string) => void} onchange */
export function choice(id, label, values, value, text, onchange) {
  const select = /** @type {HTMLSelectElement} */ (
    h(
      `select#${id}`,
      { onchange: () => onchange(select.value) },
      ...values.map((v) => h('option', { value: v, selected: v === value }, text(v))),
    )
  );
  return h('label', null, label, select);
}

/** A two-or-more-way toggle of buttons. @param {string} name @param {string[]} values @param {string} value @param {(v: string) => string} text @param {(v: string) => void} onchange */
export function toggle(name, values, value, text, onchange) {
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

/** Decimals that suit a table whose largest value is `max`. @param {number} max */
export const digitsFor = (max) => (Math.abs(max) >= 1000 ? 0 : Math.abs(max) >= 10 ? 1 : 2);

/** @param {number | null | undefined} value @param {number} [digits] */
export function num(value, digits) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const d = digits ?? digitsFor(value);
  return value.toLocaleString(locale(), { minimumFractionDigits: d, maximumFractionDigits: d });
}

/**
 * Money in the report's currency, "¥12,345" (its narrow symbol); "—" when not known, never ¥0.
 * @param {number | null | undefined} value @param {string | null | undefined} currency @param {number} [digits]
 */
export function money(value, currency, digits) {
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

/** @param {number | null | undefined} fraction 0..1 @param {number} [digits] */
export const pct = (fraction, digits = 0) =>
  fraction === null || fraction === undefined ? '—' : `${num(fraction * 100, digits)} %`;

/** Date and time in the plant's zone. @param {number | null | undefined} ts */
export function when(ts) {
  if (!ts) return '—';
  return new Date(ts).toLocaleString(locale(), {
    timeZone: plantZone,
    hour12: false,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A cell for a number or "—" with a title explaining the absence. @param {number | null | undefined} value @param {number} [digits] */
export function numCell(value, digits) {
  return value === null || value === undefined
    ? h('td.num.nodata', { title: t('energy.noValue') }, '—')
    : h('td.num', null, num(value, digits));
}

/** A horizontal bar for a share or utilisation 0..1 (CSSOM width, no inline style attribute). @param {number | null} fraction @param {string} [cls] */
export function bar(fraction, cls = '') {
  const fill = h(`span.e-bar-fill${cls ? `.${cls}` : ''}`);
  fill.style.width = `${Math.max(0, Math.min(1, fraction ?? 0)) * 100}%`;
  return h('span.e-bar', null, fill);
}

export const errorNote = (/** @type {unknown} */ err) =>
  h('p.error', null, t('energy.error', { msg: String(/** @type {Error} */ (err)?.message ?? err) }));

// ---- Charts ----

/** Muted, distinguishable greys and grey-blues: colour is for abnormal states, not for groups. */
export const PALETTE = [
  '#3f4a56',
  '#7d8fa1',
  '#b3bcc6',
  '#5b6b5a',
  '#9aa58f',
  '#6e6173',
  '#a897ab',
  '#8c8c8c',
];
export const paletteAt = (/** @type {number} */ i) => PALETTE[i % PALETTE.length];

/** uPlot's dates in the plant's zone. @param {number} seconds */
export const tzDate = (seconds) => uPlot.tzDate(new Date(seconds * 1000), plantZone);

/** Width for a chart in `box`. @param {HTMLElement} box */
export const chartWidth = (box) =>
  Math.max(260, Math.floor(box.clientWidth || box.parentElement?.clientWidth || 600));

/**
 * A uPlot that follows its box's width. Returns a disposer.
 * @param {HTMLElement} box @param {any} opts @param {any[]} data
 */
export function plotIn(box, opts, data) {
  box.replaceChildren();
  const plot = new uPlot({ ...opts, width: chartWidth(box) }, data, box);
  let last = chartWidth(box);
  const observer = new ResizeObserver(() => {
    const w = chartWidth(box);
    if (Math.abs(w - last) > 8) {
      last = w;
      plot.setSize({ width: w, height: opts.height });
    }
  });
  observer.observe(box);
  return () => {
    observer.disconnect();
    plot.destroy();
  };
}

/** Axis values: the local day or hour. */
export const AXIS = { stroke: '#555', grid: { stroke: '#d0d2d4', width: 1 }, ticks: { stroke: '#b7babe' } };

/** @type {Promise<any[]> | null} */
let metersPromise = null;
/** The meters (GET /api/energy/meters), asked once per page load. */
export function meterList() {
  metersPromise ??= getJson(energyUrl('meters')).catch((err) => {
    metersPromise = null;
    throw err;
  });
  return metersPromise;
}

/** Device id → meter name; empty when the list cannot be had. @returns {Promise<Map<string, string>>} */
export async function meterNames() {
  try {
    return new Map((await meterList()).map((m) => [m.device, m.name]));
  } catch {
    return new Map();
  }
}

/** A table head; a key ending in "#" is a number column (right-aligned). @param {string[]} keys */
export const head = (keys) =>
  h(
    'thead',
    null,
    h(
      'tr',
      null,
      ...keys.map((k) => (k.endsWith('#') ? h('th.num', null, t(k.slice(0, -1))) : h('th', null, t(k)))),
    ),
  );

// Live value widgets: each registers itself and is redrawn when its point changes,
// and every second while its value is not good (to keep the age current).
import { h } from './dom.js';
import { formatAge, formatValue } from './format.js';
import { t } from './i18n.js';
import { state } from './live.js';

/** @type {Map<string, Set<() => void>>} */
const bound = new Map();

/** A table's header row, each column's label translated ('' for an unlabelled column). @param {string[]} keys */
export const tableHead = (keys) =>
  h('thead', null, h('tr', null, ...keys.map((k) => h('th', null, k ? t(k) : ''))));

export function clearBindings() {
  bound.clear();
}

/** @param {Set<string> | null} ids redraw these points, or every non-good one */
export function redraw(ids) {
  if (ids) {
    for (const id of ids) for (const fn of bound.get(id) ?? []) fn();
    return;
  }
  for (const [id, fns] of bound) if (state.values.get(id)?.quality !== 'good') for (const fn of fns) fn();
}

/** @param {string} id @param {() => void} fn */
function bind(id, fn) {
  let set = bound.get(id);
  if (!set) {
    set = new Set();
    bound.set(id, set);
  }
  set.add(fn);
  fn();
}

/**
 * States shown as words with a meaning: { true: ['running', 'ok'], false: ['stopped', 'off'] }.
 * @typedef {{ true: [string, string], false: [string, string] }} StateWords
 */

/**
 * The value of a point with its quality: "7.1 °C", or "— comm error · 42 s" marked.
 * @param {string} id @param {{ states?: StateWords, unit?: boolean }} [options]
 */
export function valueView(id, options = {}) {
  const value = h('span.v');
  const quality = h('span.q');
  const el = h('span.value', { dataset: { point: id } }, value, quality);
  bind(id, () => {
    const info = state.catalog.get(id);
    const r = state.values.get(id);
    const q = r?.quality ?? 'no-data';
    let cls = '';
    if (options.states && typeof r?.value === 'boolean') {
      const [word, c] = options.states[r.value ? 'true' : 'false'];
      value.textContent = t(word);
      cls = `s-${c}`;
    } else value.textContent = formatValue(r?.value, options.unit === false ? '' : info?.unit);
    el.className = `value q-${q} ${cls}`;
    el.dataset.quality = q;
    quality.textContent = q === 'good' ? '' : `${t(`q.${q}`)} · ${formatAge(r?.ts)}`;
  });
  return el;
}

/** A labelled live value: "CHW supply 7.1 °C". @param {string} label @param {string} id @param {{ states?: StateWords }} [options] */
export function field(label, id, options) {
  return h('div.field', null, h('span.label', null, label), valueView(id, options));
}

export const RUNNING = /** @type {StateWords} */ ({ true: ['running', 'run'], false: ['stopped', 'stop'] });
export const TRIPPED = /** @type {StateWords} */ ({ true: ['tripped', 'alarm'], false: ['q.good', 'ok'] });
export const FAULT = /** @type {StateWords} */ ({ true: ['fault', 'alarm'], false: ['q.good', 'ok'] });
export const BREAKER = /** @type {StateWords} */ ({
  true: ['breaker.closed', 'run'],
  false: ['breaker.open', 'alarm'],
});
export const ALARM_BIT = /** @type {StateWords} */ ({
  true: ['status.alarm', 'alarm'],
  false: ['q.good', 'ok'],
});

/** Boolean points of the demo profiles that read better as words. */
export const STATES = /** @type {Record<string, StateWords>} */ ({
  running: RUNNING,
  tripped: TRIPPED,
  fault: FAULT,
  breaker_closed: BREAKER,
  low_pressure_alarm: ALARM_BIT,
});

// Live value widgets: each registers itself and is redrawn when its point changes, and every
// second while its value is not good (to keep the age current) or may be getting old.
import { h } from './dom.js';
import { formatAge, formatValue } from './format.js';
import { localName, t } from './i18n.js';
import { ageOf, type PointInfo, type Reading, state } from './live.js';

const bound = new Map<string, Set<() => void>>();

/** A table's header row, each column's label translated ('' for an unlabelled column). */
export const tableHead = (keys: string[]): HTMLTableSectionElement =>
  h('thead', null, h('tr', null, ...keys.map((k) => h('th', null, k ? t(k) : ''))));

export function clearBindings(): void {
  bound.clear();
}

/**
 * A good value is "old" once a poll or so has gone by without a fresh reading: the gateway
 * has not yet marked it stale (that takes staleAfterPeriods), or the link to it died silently.
 * The gateway's own latency and the browser's timers get one extra second.
 */
export function isOld(info: PointInfo | undefined, r: Reading | undefined, now = Date.now()): boolean {
  if (!info?.periodMs || r?.quality !== 'good') return false;
  const age = ageOf(r, now);
  return age !== null && age > 2 * info.periodMs + 1000;
}

/** Redraw these points, or (null: the 1 s tick) every one whose look may change with time. */
export function redraw(ids: Set<string> | null): void {
  if (ids) {
    for (const id of ids) for (const fn of bound.get(id) ?? []) fn();
    return;
  }
  for (const [id, fns] of bound) {
    const good = state.values.get(id)?.quality === 'good';
    if (!good || state.catalog.get(id)?.periodMs) for (const fn of fns) fn();
  }
}

function bind(id: string, fn: () => void) {
  let set = bound.get(id);
  if (!set) {
    set = new Set();
    bound.set(id, set);
  }
  set.add(fn);
  fn();
}

/** States shown as words with a meaning: { true: ['running', 'run'], false: ['stopped', 'stop'] }. */
export interface StateWords {
  true: [word: string, cls: string];
  false: [word: string, cls: string];
}

export interface ValueOptions {
  states?: StateWords | undefined;
  unit?: boolean;
}

/** The value of a point with its quality: "7.1 °C", or "— comm error · 42 s" marked; faded when old. */
export function valueView(id: string, options: ValueOptions = {}): HTMLElement {
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
      cls = ` s-${c}`;
    } else value.textContent = formatValue(r?.value, options.unit === false ? '' : info?.unit);
    const old = isOld(info, r);
    el.className = `value q-${q}${cls}${old ? ' old' : ''}`;
    el.dataset.quality = q;
    el.toggleAttribute('data-old', old);
    el.title = old ? t('value.old', { age: formatAge(r?.ts) }) : '';
    quality.textContent = q === 'good' ? '' : `${t(`q.${q}`)} · ${formatAge(r?.ts)}`;
  });
  return el;
}

/** A labelled live value: "CHW supply 7.1 °C". */
export function field(label: string, id: string, options?: ValueOptions): HTMLElement {
  return h('div.field', null, h('span.label', null, label), valueView(id, options));
}

/** A point's label in the page's language. */
export const pointLabel = (info: Pick<PointInfo, 'label' | 'labelZh'>): string =>
  localName(info.label, info.labelZh);

export const RUNNING: StateWords = { true: ['running', 'run'], false: ['stopped', 'stop'] };
export const TRIPPED: StateWords = { true: ['tripped', 'alarm'], false: ['q.good', 'ok'] };
export const FAULT: StateWords = { true: ['fault', 'alarm'], false: ['q.good', 'ok'] };
export const BREAKER: StateWords = { true: ['breaker.closed', 'run'], false: ['breaker.open', 'alarm'] };
export const ALARM_BIT: StateWords = { true: ['status.alarm', 'alarm'], false: ['q.good', 'ok'] };

/** Boolean points of the demo profiles that read better as words. */
export const STATES: Record<string, StateWords> = {
  running: RUNNING,
  tripped: TRIPPED,
  fault: FAULT,
  breaker_closed: BREAKER,
  low_pressure_alarm: ALARM_BIT,
};

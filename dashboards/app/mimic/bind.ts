// Live values on the mimic: each dynamic part registers what it reads; the room view tells the
// binder which points changed (and when alarms did), and only those parts are redrawn. Values
// that are not good are redrawn every second so that their age stays current.
import { formatAge, formatValue } from '../format.js';
import { t } from '../i18n.js';
import { type Alarm, type Reading, state } from '../live.js';
import { activeAlarms } from '../plant.js';
import { isOld } from '../widgets.js';
import { s } from './svg.js';

export class Binder {
  private readonly byPoint = new Map<string, Set<() => void>>();
  private readonly onAlarm = new Set<() => void>();

  /** Draws now, and again whenever one of `ids` changes. */
  points(ids: string[], draw: () => void): void {
    for (const id of ids) {
      const set = this.byPoint.get(id) ?? new Set();
      set.add(draw);
      this.byPoint.set(id, set);
    }
    draw();
  }

  /** Draws now, and again whenever the alarms change. */
  alarms(draw: () => void): void {
    this.onAlarm.add(draw);
    draw();
  }

  /**
   * The points that changed (each part drawn once), or (null: the 1 s tick) every point whose
   * look may change with time: not good (its age), or polled (it may be getting old).
   */
  changed(ids: Iterable<string> | null): void {
    const due = new Set<() => void>();
    if (ids) for (const id of ids) for (const fn of this.byPoint.get(id) ?? []) due.add(fn);
    else
      for (const [id, fns] of this.byPoint)
        if (state.values.get(id)?.quality !== 'good' || state.catalog.get(id)?.periodMs)
          for (const fn of fns) due.add(fn);
    for (const fn of due) fn();
  }

  alarmsChanged(): void {
    for (const fn of this.onAlarm) fn();
  }

  /** Every point any part reads: the devices to watch. */
  pointIds(): string[] {
    return [...this.byPoint.keys()];
  }
}

export const reading = (id: string): Reading | undefined => state.values.get(id);
/** Whether the catalog has the point (a profile without it draws no value). */
export const hasPoint = (id: string): boolean => state.catalog.has(id);
/** A good number, else null. */
export function good(id: string): number | null {
  const r = reading(id);
  return r?.quality === 'good' && typeof r.value === 'number' ? r.value : null;
}
/** A good boolean, else null. */
export function goodBool(id: string): boolean | null {
  const r = reading(id);
  return r?.quality === 'good' && typeof r.value === 'boolean' ? r.value : null;
}
const unitOf = (id: string): string => state.catalog.get(id)?.unit ?? '';

/** The device's active alarms. */
export const deviceAlarms = (device: string): Alarm[] => activeAlarms().filter((a) => a.device === device);

export interface ValueOptions {
  anchor?: 'start' | 'middle' | 'end';
  /** A short caption before the value ("CHW out"). */
  caption?: string;
  /** Words for a boolean: [true, false]. */
  words?: [string, string];
}

/**
 * A live value at (x, y): "7.1 °C", or "—" with its quality and age below ("comm error · 42 s").
 * The same data-point / .v / .q structure as the HTML value widgets.
 */
export function valueText(
  b: Binder,
  id: string,
  x: number,
  y: number,
  options: ValueOptions = {},
): SVGTextElement {
  const caption = options.caption ? s('tspan', { class: 'cap' }, `${options.caption} `) : null;
  const v = s('tspan', { class: 'v' });
  const q = s('tspan', { class: 'q', x, dy: '1.15em' });
  const el = s('text', { x, y, 'text-anchor': options.anchor ?? 'middle', class: 'value' }, caption, v, q);
  el.dataset.point = id;
  b.points([id], () => {
    const r = reading(id);
    const quality = r?.quality ?? 'no-data';
    if (options.words && typeof r?.value === 'boolean') v.textContent = t(options.words[r.value ? 0 : 1]);
    else v.textContent = quality === 'good' || r?.value != null ? formatValue(r?.value, unitOf(id)) : '—';
    // Faded like the HTML widgets once no fresh reading has come for a poll or so.
    const old = isOld(state.catalog.get(id), r);
    el.setAttribute('class', `value q-${quality}${old ? ' old' : ''}`);
    el.toggleAttribute('data-old', old);
    el.dataset.quality = quality;
    q.textContent = quality === 'good' ? '' : `${t(`q.${quality}`)} · ${formatAge(r?.ts)}`;
  });
  return el;
}

/** A value worked out from several points (a header's mean temperature, a room's load). */
export function derivedText(
  b: Binder,
  ids: string[],
  x: number,
  y: number,
  compute: () => string,
  anchor: 'start' | 'middle' | 'end' = 'middle',
): SVGTextElement {
  const el = s('text', { x, y, 'text-anchor': anchor, class: 'value derived' });
  b.points(ids, () => {
    el.textContent = compute();
  });
  return el;
}

/** Mean of the good values of these points, formatted with their unit; "—" when none is good. */
export function meanOf(ids: string[]): string {
  const values = ids.map(good).filter((v): v is number => v !== null);
  if (!values.length) return '—';
  return formatValue(values.reduce((a, v) => a + v, 0) / values.length, ids[0] ? unitOf(ids[0]) : '');
}

/** A caption with a live figure worked out from points: "CHW supply 7.0 °C" (one text line). */
export function figure(
  b: Binder,
  caption: string,
  ids: string[],
  compute: () => string,
  x = 0,
  y = 0,
): SVGTextElement {
  const v = s('tspan', { class: 'v' });
  const el = s('text', { x, y, class: 'figure' }, s('tspan', { class: 'cap' }, `${caption} `), v);
  if (ids.length)
    b.points(ids, () => {
      v.textContent = compute();
    });
  else v.textContent = compute();
  return el;
}

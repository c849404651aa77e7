// An incomer or a feeder of a single-line diagram: its breaker on the conductor, kW, the
// highest phase current, power factor (incomer: voltage too), and the loading against the
// breaker's rating as a bar with its percentage (colour only past 80 % and 100 %).
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import { formatValue } from '../../format.js';
import { t } from '../../i18n.js';
import { type Binder, good } from '../bind.js';
import { frame } from '../frame.js';
import { breakerState, els, optValue, pid, present } from '../points.js';
import { s } from '../svg.js';
import { BREAKER, breaker } from './breaker.js';

export const FEEDER = { w: 150, h: 150 };

const PHASES = ['current_l1', 'current_l2', 'current_l3'];

/** The highest good phase current of a meter, or null. */
export function maxCurrent(item: MimicItem): number | null {
  const values = PHASES.map((p) => good(pid(item, p))).filter((v): v is number => v !== null);
  return values.length ? Math.max(...values) : null;
}

/** The loading bar: highest phase current against the breaker's rating. */
function loading(b: Binder, item: MimicItem, y: number): SVGElement[] {
  const rating = item.ratingA;
  if (!rating) return [];
  const fill = s('rect', { x: 15, y, width: 0, height: 8, class: 'load-fill' });
  const text = s('text', { x: 75, y: y + 22, 'text-anchor': 'middle', class: 'value load-text' });
  b.points(present(item, PHASES), () => {
    const current = maxCurrent(item);
    const pct = current === null ? null : (100 * current) / rating;
    fill.setAttribute('width', String(pct === null ? 0 : Math.min(120, (120 * pct) / 100)));
    const level = pct === null ? 'none' : pct >= 100 ? 'over' : pct >= 80 ? 'high' : 'ok';
    fill.setAttribute('class', `load-fill load-${level}`);
    text.textContent = t('mimic.loading', {
      pct: pct === null ? '—' : Math.round(pct),
      rating: `${rating} A`,
    });
  });
  return [s('rect', { x: 15, y, width: 120, height: 8, class: 'load-track' }), fill, text];
}

/** The conductor from y=0 down through the breaker; values below it. */
export function feeder(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const incomer = item.symbol === 'incomer';
  const current = s('text', { x: 75, y: 78, 'text-anchor': 'middle', class: 'value' });
  current.dataset.point = pid(item, 'current_max');
  b.points(present(item, PHASES), () => {
    const max = maxCurrent(item);
    current.textContent = `I ${max === null ? '—' : formatValue(max, 'A')}`;
  });
  const body = els(
    s('polyline', { points: `75,0 75,${40 - BREAKER / 2}`, class: 'conductor' }),
    breaker(75, 40),
    s('polyline', { points: `75,${40 + BREAKER / 2} 75,${incomer ? 56 : 52}`, class: 'conductor' }),
    optValue(b, item, 'power_kw', 75, 64),
    current,
    optValue(b, item, 'power_factor', 75, 96, { caption: 'PF' }),
    incomer ? optValue(b, item, 'voltage_l1', 75, 112, { caption: 'U' }) : null,
    ...loading(b, item, incomer ? 124 : 110),
  );
  return frame(b, item, x, y, body, {
    ...FEEDER,
    state: breakerState(item),
    stateAt: [118, 44],
    nameLines: 3,
  });
}

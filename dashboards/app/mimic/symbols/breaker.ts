// A circuit breaker on a vertical conductor: closed, a filled square the conductor runs
// through; open, a hollow square with the conductor broken and the word OPEN.
import { s } from '../svg.js';

export const BREAKER = 22;

/** A breaker centred at (cx, cy); its state comes from its symbol's data-state (CSS). */
export function breaker(cx: number, cy: number): SVGGElement {
  const h = BREAKER / 2;
  return s(
    'g',
    { class: 'breaker' },
    s('rect', { x: cx - h, y: cy - h, width: BREAKER, height: BREAKER, class: 'breaker-box' }),
    s('polyline', { points: `${cx},${cy - h} ${cx},${cy + h}`, class: 'breaker-closed' }),
    s('polyline', {
      points: `${cx - h + 3},${cy + h - 3} ${cx + h - 3},${cy - h + 3}`,
      class: 'breaker-open',
    }),
  );
}

// A water-cooled chiller: condenser barrel above, evaporator below, compressor at the side.
// Running fills it, stopped leaves it hollow, tripped outlines it in red with a cross and the
// word TRIPPED: state by shape and text, not by colour alone.
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import type { Binder } from '../bind.js';
import { frame } from '../frame.js';
import { els, optValue, runState } from '../points.js';
import { s } from '../svg.js';

export const CHILLER = { w: 150, h: 104 };

export function chiller(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const body = els(
    s('rect', { x: 0, y: 0, width: 150, height: 60, rx: 6, class: 'body' }),
    s('rect', { x: 10, y: 8, width: 96, height: 16, rx: 8, class: 'part' }),
    s('rect', { x: 10, y: 36, width: 96, height: 16, rx: 8, class: 'part' }),
    s('circle', { cx: 128, cy: 30, r: 13, class: 'part' }),
    s('path', { d: 'M4 4 L146 56 M146 4 L4 56', class: 'trip-cross' }),
    optValue(b, item, 'load_pct', 40, 92),
    optValue(b, item, 'power_kw', 112, 92),
  );
  return frame(b, item, x, y, body, { ...CHILLER, state: runState(item, 'tripped'), stateAt: [75, 76] });
}

// An ambient vaporiser: a finned column (liquid in below, gas out above). Passive.
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import type { Binder } from '../bind.js';
import { frame } from '../frame.js';
import { s } from '../svg.js';

export const VAPORISER = { w: 90, h: 100 };

export function vaporiser(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const fins = Array.from({ length: 5 }, (_, i) =>
    s('path', { d: `M${25 + i * 10} 8 L${25 + i * 10} 92`, class: 'fill-line' }),
  );
  const body = [s('rect', { x: 18, y: 4, width: 54, height: 92, rx: 4, class: 'body' }), ...fins];
  return frame(b, item, x, y, body, VAPORISER);
}

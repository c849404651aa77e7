// A transformer: two interlaced windings, with its rating. Drawn above a distribution room's
// incomer from the room's ratedKva, or as a passive item of the room's mimic.equipment.
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import type { Binder } from '../bind.js';
import { frame } from '../frame.js';
import { els } from '../points.js';
import { s } from '../svg.js';

export const TRANSFORMER = { w: 110, h: 82 };

export function transformer(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const body = els(
    s('circle', { cx: 55, cy: 20, r: 18, class: 'body winding' }),
    s('circle', { cx: 55, cy: 44, r: 18, class: 'body winding' }),
    item.ratedKva
      ? s('text', { x: 55, y: 78, 'text-anchor': 'middle', class: 'rating' }, `${item.ratedKva} kVA`)
      : null,
  );
  return frame(b, item, x, y, body, { ...TRANSFORMER, h: TRANSFORMER.h + 4 });
}

// A pressure vessel (a booster set's diaphragm tank): a capsule on the outlet header. Passive.
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import type { Binder } from '../bind.js';
import { frame } from '../frame.js';
import { s } from '../svg.js';

export const VESSEL = { w: 80, h: 90 };

export function pressureVessel(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const body = [
    s('rect', { x: 15, y: 0, width: 50, height: 80, rx: 25, class: 'body' }),
    s('path', { d: 'M15 40 L65 40', class: 'fill-line' }),
    s('path', { d: 'M40 80 L40 90', class: 'stub' }),
  ];
  return frame(b, item, x, y, body, VESSEL);
}

// A cooling tower: a tapered casing with its fan on top. Passive (no device of its own).
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import type { Binder } from '../bind.js';
import { frame } from '../frame.js';
import { s } from '../svg.js';

export const TOWER = { w: 110, h: 70 };

export function coolingTower(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const body = [
    s('polygon', { points: '20,14 90,14 100,66 10,66', class: 'body' }),
    s('ellipse', { cx: 55, cy: 10, rx: 24, ry: 5, class: 'part' }),
    s('path', { d: 'M22 40 L88 40 M18 52 L92 52', class: 'fill-line' }),
  ];
  return frame(b, item, x, y, body, TOWER);
}

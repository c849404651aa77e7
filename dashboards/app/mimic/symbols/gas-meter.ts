// A natural-gas flow computer on the gas line: a meter body the line runs through, with the
// flow and the gas pressure. Comm loss when its flow is not good.
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import type { Binder } from '../bind.js';
import { frame } from '../frame.js';
import { els, meterState, optValue } from '../points.js';
import { s } from '../svg.js';

export const GAS_METER = { w: 140, h: 84 };
/** Where the gas line runs through it (symbol coordinates). */
export const GAS_LINE_Y = 28;

export function gasMeter(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const body = els(
    s('rect', { x: 0, y: 0, width: 140, height: 56, rx: 6, class: 'body' }),
    s('rect', { x: 10, y: 14, width: 26, height: 28, rx: 3, class: 'part' }),
    s('path', { d: 'M15 22 L31 22 M15 28 L31 28 M15 34 L31 34', class: 'fill-line' }),
    optValue(b, item, 'gas_flow_m3h', 88, 24),
    optValue(b, item, 'pressure_kpa', 88, 44),
  );
  return frame(b, item, x, y, body, {
    ...GAS_METER,
    state: meterState(item, 'gas_flow_m3h'),
    stateAt: [70, 72],
  });
}

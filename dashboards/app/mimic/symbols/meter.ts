// A water meter of the metering tree: a dial with its flow and cumulative volume.
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import type { Binder } from '../bind.js';
import { frame } from '../frame.js';
import { els, meterState, optValue } from '../points.js';
import { s } from '../svg.js';

export const METER = { w: 140, h: 84 };

export function meter(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const body = els(
    s('rect', { x: 0, y: 0, width: 140, height: 56, rx: 6, class: 'body' }),
    s('circle', { cx: 22, cy: 28, r: 12, class: 'part' }),
    s('path', { d: 'M22 28 L30 20', class: 'fill-line' }),
    optValue(b, item, 'flow_m3h', 86, 24),
    optValue(b, item, 'volume_m3', 86, 44),
  );
  return frame(b, item, x, y, body, { ...METER, state: meterState(item, 'flow_m3h'), stateAt: [70, 72] });
}

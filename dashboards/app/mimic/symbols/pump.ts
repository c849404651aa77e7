// A pump: a circle with its impeller triangle pointing the way the water goes. Running fills
// it, stopped leaves it hollow, a drive fault outlines it in red with the word FAULT.
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import { type Binder, hasPoint, valueText } from '../bind.js';
import { frame } from '../frame.js';
import { els, optValue, pid, runState } from '../points.js';
import { s } from '../svg.js';

export const PUMP = { w: 110, h: 112 };

export function pump(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  // A booster pump is judged by its outlet pressure, a circulating pump by its flow.
  const second = item.duty === 'booster' ? 'outlet_pressure_bar' : 'flow_m3h';
  const secondId = hasPoint(pid(item, second)) ? pid(item, second) : pid(item, 'power_kw');
  const body = els(
    s('circle', { cx: 55, cy: 28, r: 26, class: 'body' }),
    s('polygon', { points: '42,12 42,44 72,28', class: 'part impeller' }),
    s('path', { d: 'M33 6 L77 50 M77 6 L33 50', class: 'trip-cross' }),
    optValue(b, item, 'speed_hz', 55, 84),
    valueText(b, secondId, 55, 100),
  );
  return frame(b, item, x, y, body, { ...PUMP, state: runState(item, 'fault'), stateAt: [55, 68] });
}

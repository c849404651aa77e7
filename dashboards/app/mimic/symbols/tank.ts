// A liquid tank with its level: the liquid drawn to height, the level in %, and the station's
// alarm on the symbol. For the oxygen station the device's tank_level_pct fills the tank.
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import { type Binder, good } from '../bind.js';
import { frame } from '../frame.js';
import { els, meterState, optValue, pid } from '../points.js';
import { s } from '../svg.js';

export const TANK = { w: 110, h: 150 };
const TOP = 8;
const HEIGHT = 116;

export function liquidTank(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const level = pid(item, 'tank_level_pct');
  const liquid = s('rect', { x: 33, y: TOP + HEIGHT, width: 44, height: 0, class: 'liquid' });
  if (item.device)
    b.points([level], () => {
      const pct = good(level);
      const h = pct === null ? 0 : (HEIGHT * Math.max(0, Math.min(100, pct))) / 100;
      liquid.setAttribute('y', String(TOP + HEIGHT - h));
      liquid.setAttribute('height', String(h));
      liquid.classList.toggle('low', pct !== null && pct < 20);
    });
  const body = els(
    s('rect', { x: 30, y: 0, width: 50, height: 132, rx: 8, class: 'body tank-shell' }),
    liquid,
    item.device ? optValue(b, item, 'tank_level_pct', 55, 70, { anchor: 'middle' }) : null,
  );
  return frame(b, item, x, y, body, {
    ...TANK,
    ...(item.device
      ? { state: meterState(item, 'tank_level_pct'), stateAt: [55, 146] as [number, number] }
      : {}),
    h: TANK.h + 6,
  });
}

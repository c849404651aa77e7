// A plate heat exchanger: its plate pack, the primary side (from the boilers) above and the
// secondary side (to the building) below, each with its in and out temperatures at the pipe it
// belongs to; below it both differential pressures, the primary control valve and the heat it
// passes. A heat exchanger has no running state of its own: normal, or comm loss.
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import { t } from '../../i18n.js';
import type { Binder } from '../bind.js';
import { frame } from '../frame.js';
import { els, meterState, optValue } from '../points.js';
import { s } from '../svg.js';

export const HEAT_EXCHANGER = { w: 220, h: 156 };
/** The plate pack's left and right edges: where its pipes meet it (symbol coordinates). */
export const HX_PORTS = { in: 70, out: 150 };

export function heatExchanger(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const { w } = HEAT_EXCHANGER;
  const plates = Array.from({ length: 9 }, (_, i) =>
    s('path', { d: `M${78 + i * 8} 24 L${78 + i * 8} 60`, class: 'fill-line' }),
  );
  const body = els(
    s('rect', { x: HX_PORTS.in, y: 0, width: HX_PORTS.out - HX_PORTS.in, height: 84, rx: 4, class: 'body' }),
    ...plates,
    s('text', { x: 110, y: 16, 'text-anchor': 'middle', class: 'caption side' }, t('mimic.primary')),
    s('text', { x: 110, y: 76, 'text-anchor': 'middle', class: 'caption side' }, t('mimic.secondary')),
    // Primary in at the top left, out at the top right; secondary out at the bottom left, in at the bottom right.
    optValue(b, item, 'primary_supply_temp', HX_PORTS.in - 4, 16, { anchor: 'end' }),
    optValue(b, item, 'primary_return_temp', HX_PORTS.out + 4, 16, { anchor: 'start' }),
    optValue(b, item, 'secondary_supply_temp', HX_PORTS.in - 4, 76, { anchor: 'end' }),
    optValue(b, item, 'secondary_return_temp', HX_PORTS.out + 4, 76, { anchor: 'start' }),
    optValue(b, item, 'primary_dp_kpa', 2, 118, { anchor: 'start', caption: 'ΔP₁' }),
    optValue(b, item, 'secondary_dp_kpa', w - 2, 118, { anchor: 'end', caption: 'ΔP₂' }),
    optValue(b, item, 'valve_pct', 2, 144, { anchor: 'start', caption: t('mimic.valve') }),
    optValue(b, item, 'heat_kw', w - 2, 144, { anchor: 'end' }),
  );
  return frame(b, item, x, y, body, {
    ...HEAT_EXCHANGER,
    state: meterState(item, 'secondary_supply_temp'),
    stateAt: [110, 100],
  });
}

// Any other equipment: a box with its first few values, so a kind of room or equipment the
// mimic does not know still shows everything it has (the equipment page has the rest).
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import { localName } from '../../i18n.js';
import { state } from '../../live.js';
import { type Binder, valueText } from '../bind.js';
import { frame } from '../frame.js';
import { label } from '../label.js';
import { s } from '../svg.js';

export const DEVICE = { w: 170, h: 112 };
const SHOWN = 3;

/** The device's points in catalog order, counters last (a total says less than a rate). */
function pointsOf(device: string): string[] {
  const mine = [...state.catalog.values()].filter((p) => p.device === device);
  return [...mine.filter((p) => !p.counter), ...mine.filter((p) => p.counter)]
    .map((p) => p.id)
    .slice(0, SHOWN);
}

export function device(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const ids = item.device ? pointsOf(item.device) : [];
  const rows = ids.map((id, i) => {
    const info = state.catalog.get(id);
    const name = info?.label ? localName(info.label, info.labelZh) : (info?.name ?? id);
    return [label(name, 85, 18 + i * 34, 150, 1, 'label caption'), valueText(b, id, 85, 32 + i * 34)];
  });
  const body = [s('rect', { x: 0, y: 0, width: 170, height: 106, rx: 6, class: 'body' }), ...rows.flat()];
  return frame(b, item, x, y, body, DEVICE);
}

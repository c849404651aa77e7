// A distribution room as a single-line diagram: transformer(s) above the incomer(s), the LV
// busbar with the room's load against its rated capacity (headroom), the feeders below it, each
// with its breaker, kW, current and loading against its breaker's rating.
import type { MimicItem, MimicModel } from '../../../../src/api-types/mimic.js';
import { formatValue } from '../../format.js';
import { t } from '../../i18n.js';
import { type Binder, figure, good } from '../bind.js';
import { pid, present } from '../points.js';
import { s } from '../svg.js';
import { BELOW_NAME, Canvas, MARGIN, ofSymbol } from './canvas.js';

/** Apparent power of a meter (kVA) from kW and kvar, else kW alone; null without a good kW. */
function kva(item: MimicItem): number | null {
  const p = good(pid(item, 'power_kw'));
  if (p === null) return null;
  const q = good(pid(item, 'reactive_kvar'));
  return q === null ? Math.abs(p) : Math.hypot(p, q);
}

/** "Load 1,234 kVA of 2,500 kVA · headroom 1,266 kVA (51 %)". */
function headroom(incomers: MimicItem[], rated: number | undefined): () => string {
  return () => {
    const loads = incomers.map(kva);
    if (!loads.length || loads.some((l) => l === null)) return '—';
    const load = (loads as number[]).reduce((a, v) => a + v, 0);
    if (!rated) return t('mimic.load', { load: formatValue(load, 'kVA') });
    return t('mimic.headroom', {
      load: formatValue(load, 'kVA'),
      rated: formatValue(rated, 'kVA'),
      free: formatValue(rated - load, 'kVA'),
      pct: Math.round((100 * (rated - load)) / rated),
    });
  };
}

export function distributionRoom(model: MimicModel, b: Binder, width: number): Canvas {
  const incomers = ofSymbol(model.items, 'incomer');
  const feeders = ofSymbol(model.items, 'feeder');
  const transformers: MimicItem[] = ofSymbol(model.items, 'transformer');
  // The room's rating stands for its transformer when none is listed: one above each incomer.
  if (!transformers.length && model.ratedKva && incomers.length)
    transformers.push({
      id: `${model.room}-transformer`,
      symbol: 'transformer',
      name: t('mimic.transformer'),
      ...(incomers.length === 1 ? { ratedKva: model.ratedKva } : {}),
    });
  const rest = model.items.filter((i) => ![...incomers, ...feeders, ...transformers].includes(i));
  const c = new Canvas(b, Math.max(width, Canvas.rowWidth(feeders), Canvas.rowWidth(incomers)));

  let y = MARGIN;
  const tx = c.row(transformers, y);
  y += Canvas.rowHeight(transformers);
  const inc = c.row(incomers, y);
  for (const [i, p] of inc.entries()) {
    const above = tx[i] ?? tx[0];
    if (above) c.pipe(above.cx, above.y + above.h + BELOW_NAME, p.cx, p.y, 'cable');
  }
  const bus = y + Canvas.rowHeight(incomers) + 20;
  for (const p of inc) c.pipe(p.cx, p.y + p.h + BELOW_NAME, p.cx, bus, 'cable');
  c.under.push(s('polyline', { points: `${MARGIN},${bus} ${c.width - MARGIN},${bus}`, class: 'busbar' }));
  const ids = incomers.flatMap((i) => present(i, ['power_kw', 'reactive_kvar']));
  c.add(
    s('text', { x: MARGIN + 4, y: bus - 10, class: 'bus-label' }, t('mimic.bus')),
    figure(b, '', ids, headroom(incomers, model.ratedKva), c.width - MARGIN - 4, bus - 10),
  );
  const last = c.parts.at(-1);
  last?.setAttribute('text-anchor', 'end');
  last?.setAttribute('class', 'figure headroom');
  const fed = c.row(feeders, bus + 16);
  for (const p of fed) c.pipe(p.cx, bus, p.cx, p.y, 'cable');
  c.fit(0, bus + 16 + Canvas.rowHeight(feeders) + MARGIN);
  c.rest(rest);
  return c;
}

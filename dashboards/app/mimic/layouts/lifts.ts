// A lift machine room: each lift as its shaft, side by side, with how many are in service above
// them; the equipment the room has besides, in rows below.
import type { MimicModel } from '../../../../src/api-types/mimic.js';
import { t } from '../../i18n.js';
import { type Binder, figure, goodBool, hasPoint } from '../bind.js';
import { pid } from '../points.js';
import { Canvas, GAP, MARGIN, ofSymbol } from './canvas.js';

export function liftRoom(model: MimicModel, b: Binder, width: number): Canvas {
  const lifts = ofSymbol(model.items, 'lift');
  const rest = model.items.filter((i) => !lifts.includes(i));
  const c = new Canvas(b, Math.max(width, Canvas.rowWidth(lifts)));
  if (lifts.length) {
    const ids = lifts.map((l) => pid(l, 'in_service')).filter(hasPoint);
    const inService = figure(
      b,
      t('mimic.liftsInService'),
      ids,
      () => `${ids.filter((id) => goodBool(id) === true).length} / ${lifts.length}`,
      MARGIN + 4,
      MARGIN + 10,
    );
    inService.classList.add('in-service');
    const y = MARGIN + 36;
    c.add(inService);
    c.row(lifts, y);
    c.fit(0, y + Canvas.rowHeight(lifts) + GAP);
  }
  c.rest(rest);
  return c;
}

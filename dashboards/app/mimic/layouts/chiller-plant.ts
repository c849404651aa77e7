// A chiller plant: cooling towers and condenser-water pumps above the condenser-water headers,
// the chillers between those and the chilled-water headers, chilled-water pumps below. Each
// header shows the mean temperature the chillers report for it and the direction of flow; a
// loop whose pumps all stand still is drawn dashed.
import type { MimicModel } from '../../../../src/api-types/mimic.js';
import { t } from '../../i18n.js';
import { type Binder, figure, hasPoint, meanOf } from '../bind.js';
import { els, optValue, pid } from '../points.js';
import { s } from '../svg.js';
import { arrow } from '../symbols/pipe.js';
import { BELOW_NAME, Canvas, GAP, MARGIN, ofSymbol, type Placed } from './canvas.js';

const PAIR = 22; // between a loop's two headers

export function chillerPlant(model: MimicModel, b: Binder, width: number): Canvas {
  const items = model.items;
  const chillers = ofSymbol(items, 'chiller');
  const towers = ofSymbol(items, 'cooling-tower');
  const pumps = ofSymbol(items, 'pump');
  const cwPumps = pumps.filter((p) => p.duty === 'condenser-water');
  const chwPumps = pumps.filter((p) => p.duty === 'chilled-water');
  const rest = items.filter((i) => ![...chillers, ...towers, ...cwPumps, ...chwPumps].includes(i));
  const top = [...towers, ...cwPumps];
  const c = new Canvas(b, Math.max(width, ...[top, chillers, chwPumps].map(Canvas.rowWidth)));

  const running = (list: typeof items) => list.map((i) => pid(i, 'running')).filter(hasPoint);
  const loopRunning = (list: typeof items) => (list.length ? running(list) : running(chillers));
  const temps = (point: string) => chillers.map((ch) => pid(ch, point)).filter(hasPoint);
  const header = (
    y: number,
    dir: 'left' | 'right',
    key: string,
    point: string,
    cls: string,
    pumpsOf: typeof items,
  ) => {
    const ids = temps(point);
    c.header(y, dir, [figure(b, t(key), ids, () => meanOf(ids))], cls, loopRunning(pumpsOf));
  };

  let y = MARGIN + 18;
  const topPlaced = c.row(top, y);
  y += Canvas.rowHeight(top) + 14;
  const cwReturn = y;
  const cwSupply = y + PAIR;
  header(cwReturn, 'left', 'mimic.cwReturn', 'cw_outlet_temp', 'cw hot', cwPumps);
  header(cwSupply, 'right', 'mimic.cwSupply', 'cw_inlet_temp', 'cw', cwPumps);
  for (const p of topPlaced) {
    const bottom = p.y + p.h + BELOW_NAME;
    if (p.item.symbol === 'cooling-tower') {
      c.pipe(p.cx - 18, cwReturn, p.cx - 18, bottom, 'stub cw hot', loopRunning(cwPumps));
      c.pipe(p.cx + 18, bottom, p.cx + 18, cwSupply, 'stub cw', loopRunning(cwPumps));
    } else c.pipe(p.cx, bottom, p.cx, cwSupply, 'stub cw', running([p.item]));
  }

  y = cwSupply + 40;
  const chillerPlaced = c.row(chillers, y);
  y += Canvas.rowHeight(chillers) + 34; // room for each chiller's leaving temperature
  const chwSupply = y;
  const chwReturn = y + PAIR;
  header(chwSupply, 'right', 'mimic.chwSupply', 'chw_supply_temp', 'chw', chwPumps);
  header(chwReturn, 'left', 'mimic.chwReturn', 'chw_return_temp', 'chw warm', chwPumps);
  for (const p of chillerPlaced) connectChiller(c, p, cwReturn, cwSupply, chwSupply, chwReturn);
  c.add(...buildingEnds(c.width, chwSupply, chwReturn));

  y = chwReturn + 40;
  for (const p of c.row(chwPumps, y)) c.pipe(p.cx, p.y, p.cx, chwReturn, 'stub chw', running([p.item]));
  c.fit(0, y + Canvas.rowHeight(chwPumps) + GAP);
  c.rest(rest);
  return c;
}

/** A chiller's condenser takes from the CW supply and returns hot; its evaporator supplies CHW. */
function connectChiller(
  c: Canvas,
  p: Placed,
  cwReturn: number,
  cwSupply: number,
  chwSupply: number,
  chwReturn: number,
) {
  const on = [pid(p.item, 'running')].filter(hasPoint);
  c.pipe(p.cx - 30, cwSupply, p.cx - 30, p.y, 'stub cw', on);
  c.pipe(p.cx + 30, p.y, p.cx + 30, cwReturn, 'stub cw hot', on);
  const bottom = p.y + p.h + BELOW_NAME;
  c.pipe(p.cx - 30, bottom, p.cx - 30, chwSupply, 'stub chw', on);
  c.pipe(p.cx + 30, chwReturn, p.cx + 30, bottom, 'stub chw warm', on);
  // The chiller's own leaving temperatures, on its outlet pipes.
  c.add(
    ...els(
      optValue(c.b, p.item, 'cw_outlet_temp', p.cx + 36, (cwSupply + p.y) / 2 + 4, { anchor: 'start' }),
      optValue(c.b, p.item, 'chw_supply_temp', p.cx - 36, (bottom + chwSupply) / 2 + 4, { anchor: 'end' }),
    ),
  );
}

/** "to / from the building" at the right end of the chilled-water headers. */
function buildingEnds(width: number, supply: number, ret: number): SVGElement[] {
  const x = width - MARGIN;
  return [
    s('text', { x: x - 4, y: supply - 6, 'text-anchor': 'end', class: 'end-label' }, t('mimic.toBuilding')),
    s('text', { x: x - 4, y: ret + 16, 'text-anchor': 'end', class: 'end-label' }, t('mimic.fromBuilding')),
    arrow(x, supply, 'right'),
  ];
}

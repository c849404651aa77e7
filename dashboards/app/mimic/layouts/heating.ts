// Heating: the boiler room and the heat station, one layout for both kinds, since a plant may put
// the boilers and the plate exchangers in one room or in two. Each part is drawn when the room
// has its equipment:
// - the boiler part: the gas line (through the gas meter) feeding each boiler's burner, the
//   boilers in a row with the softened make-up water beside them, feeding the return header;
// - the primary headers: the return from the heat station above the supply to it, each with
//   its temperature (the boilers' mean, of those in sequence; else the exchangers' primary side);
// - the heat station part: each plate exchanger on the primary headers, its circulation pump(s)
//   on the return of its secondary loop below it.
// The configuration does not say which pump serves which exchanger: the room's circulation pumps
// are shared out over its exchangers in the configuration's order (one each when there are as
// many, as the demo's are).
import type { MimicItem, MimicModel } from '../../../../src/api-types/mimic.js';
import { t } from '../../i18n.js';
import { type Binder, figure, goodBool, hasPoint, meanOf } from '../bind.js';
import { optValue, pid } from '../points.js';
import { s } from '../svg.js';
import { BOILER, BURNER_GAS } from '../symbols/boiler.js';
import { GAS_LINE_Y, GAS_METER } from '../symbols/gas-meter.js';
import { HEAT_EXCHANGER, HX_PORTS } from '../symbols/heat-exchanger.js';
import { NAME_SPACE } from '../symbols/index.js';
import { arrow } from '../symbols/pipe.js';
import { PUMP } from '../symbols/pump.js';
import { WATER_TREATMENT } from '../symbols/water-treatment.js';
import { BELOW_NAME, Canvas, GAP, MARGIN, ofSymbol, type Placed } from './canvas.js';

const PAIR = 22; // between the two primary headers
/** A boiler's return comes in and its supply leaves this far either side of its centre. */
const BOILER_PORT = 45;
/** The gas meters sit on the gas line this far in from the drawing's edge. */
const METER_X = MARGIN + 40;
/** The first circulation pump under its exchanger: centred under the exchanger's return port. */
const PUMP_X = HX_PORTS.out - PUMP.w / 2;

/** Circulation pumps shared out over the exchangers in order (the first ones take any extra). */
export function pumpGroups(exchangers: MimicItem[], pumps: MimicItem[]): MimicItem[][] {
  const n = exchangers.length;
  if (!n) return [];
  const each = Math.floor(pumps.length / n);
  const extra = pumps.length % n;
  let next = 0;
  return exchangers.map((_, k) => {
    const take = each + (k < extra ? 1 : 0);
    const group = pumps.slice(next, next + take);
    next += take;
    return group;
  });
}

const groupWidth = (pumps: MimicItem[]) =>
  Math.max(HEAT_EXCHANGER.w, PUMP_X + pumps.length * (PUMP.w + GAP) - GAP);

const widthOf = (items: MimicItem[], w: number) => items.length * (w + GAP) - (items.length ? GAP : 0);

/** Circulation pumps: a heating duty, another, or none said (not a chilled-water or booster pump). */
const circulating = (p: MimicItem) => !p.duty || p.duty === 'heating' || p.duty === 'other';

export function heatingPlant(model: MimicModel, b: Binder, width: number): Canvas {
  const items = model.items;
  const boilers = ofSymbol(items, 'boiler');
  const gasMeters = ofSymbol(items, 'gas-meter');
  const makeup = ofSymbol(items, 'water-treatment');
  const exchangers = ofSymbol(items, 'heat-exchanger');
  const pumps = exchangers.length ? ofSymbol(items, 'pump').filter(circulating) : [];
  const groups = pumpGroups(exchangers, pumps);
  const drawn = new Set([...boilers, ...gasMeters, ...makeup, ...exchangers, ...pumps]);
  const rest = items.filter((i) => !drawn.has(i));

  // The widths first: the headers span the drawing, so it must be as wide as it will get.
  const meterRight = gasMeters.length ? METER_X + widthOf(gasMeters, GAS_METER.w) : MARGIN;
  const makeupWidth = makeup.length ? widthOf(makeup, WATER_TREATMENT.w) + GAP : 0;
  const rowTotal = makeupWidth + widthOf(boilers, BOILER.w);
  // A boiler's gas comes down from the line right of the meters, never through them.
  const firstBurnerMin = meterRight + 16 - BURNER_GAS.x - makeupWidth;
  const groupsTotal = groups.reduce((a, g) => a + groupWidth(g) + GAP, -GAP);
  const c = new Canvas(
    b,
    Math.max(
      width,
      rowTotal + 2 * MARGIN,
      boilers.length && gasMeters.length ? firstBurnerMin + rowTotal + MARGIN : 0,
      groups.length ? groupsTotal + 2 * MARGIN : 0,
    ),
  );
  const W = c.width;

  const enabledIds = boilers.map((i) => pid(i, 'enabled')).filter(hasPoint);
  let y = MARGIN + 8;
  let placedBoilers: Placed[] = [];
  let placedMakeup: Placed[] = [];
  if (boilers.length || gasMeters.length || makeup.length) {
    if (boilers.length || gasMeters.length) {
      const gasY = y + (gasMeters.length ? GAS_LINE_Y : 16);
      gasMeters.forEach((m, i) => {
        c.place(m, METER_X + i * (GAS_METER.w + GAP), y);
      });
      let start = Math.max(MARGIN, (W - rowTotal) / 2);
      if (boilers.length && gasMeters.length) start = Math.max(start, firstBurnerMin);
      y = gasMeters.length ? y + GAS_METER.h + NAME_SPACE + 24 : gasY + 64;
      placedMakeup = makeup.map((m, i) => c.place(m, start + i * (WATER_TREATMENT.w + GAP), y));
      placedBoilers = boilers.map((bo, i) => c.place(bo, start + makeupWidth + i * (BOILER.w + GAP), y));
      const lastBurner = placedBoilers.at(-1);
      const end = lastBurner ? lastBurner.x + BURNER_GAS.x : meterRight + 60;
      c.pipe(MARGIN, gasY, end, gasY, 'fuel');
      c.add(
        s(
          'text',
          { x: (gasMeters.length ? meterRight : MARGIN) + 8, y: gasY - 8, class: 'end-label' },
          t('mimic.gasToBurners'),
        ),
      );
      for (const p of placedBoilers) {
        const gx = p.x + BURNER_GAS.x;
        c.pipe(gx, gasY, gx, p.y + BURNER_GAS.y, 'stub fuel', [pid(p.item, 'burner_on')].filter(hasPoint));
        // Each boiler's own gas flow, on its gas stub.
        const flow = optValue(b, p.item, 'gas_flow_m3h', gx + 8, (gasY + p.y) / 2 + 4, { anchor: 'start' });
        if (flow) c.add(flow);
      }
    } else {
      placedMakeup = c.row(makeup, y);
    }
    y += Canvas.rowHeight([...makeup, ...boilers]) + 14;
  }

  const heating = boilers.length || exchangers.length || makeup.length;
  const yR = y + 10;
  const yS = yR + PAIR;
  if (heating) {
    // The mean temperature of the boilers in sequence (all of them when none is), else the exchangers'.
    const inSequence = () => {
      const on = boilers.filter((i) => goodBool(pid(i, 'enabled')) === true);
      return on.length ? on : boilers;
    };
    const temps = (boilerPoint: string, hxPoint: string) => {
      const ids = [
        ...boilers.map((i) => pid(i, boilerPoint)),
        ...(boilers.length ? [] : exchangers.map((i) => pid(i, hxPoint))),
      ].filter(hasPoint);
      const compute = () =>
        meanOf(
          boilers.length
            ? inSequence()
                .map((i) => pid(i, boilerPoint))
                .filter(hasPoint)
            : ids,
        );
      return { ids: [...ids, ...enabledIds], compute };
    };
    const ret = temps('return_temp', 'primary_return_temp');
    const sup = temps('supply_temp', 'primary_supply_temp');
    // Boilers push the water round: it flows from them along the supply and back along the return.
    c.header(
      yR,
      boilers.length ? 'left' : 'right',
      [figure(b, t('mimic.primaryReturn'), ret.ids, ret.compute)],
      'hot warm',
      enabledIds,
    );
    c.header(
      yS,
      boilers.length ? 'right' : 'left',
      [figure(b, t('mimic.primarySupply'), sup.ids, sup.compute)],
      'hot',
      enabledIds,
    );
    const x = W - MARGIN;
    const end = (text: string, at: number) =>
      s('text', { x: x - 4, y: at, 'text-anchor': 'end', class: 'end-label' }, text);
    if (boilers.length && !exchangers.length)
      c.add(
        end(t('mimic.fromHeatStation'), yR - 8),
        end(t('mimic.toHeatStation'), yS + 18),
        arrow(x, yS, 'right'),
      );
    else if (exchangers.length && !boilers.length)
      c.add(
        end(t('mimic.toBoilerRoom'), yR - 8),
        end(t('mimic.fromBoilerRoom'), yS + 18),
        arrow(x, yR, 'right'),
      );
    for (const p of placedBoilers) {
      const bottom = p.y + p.h + BELOW_NAME;
      const on = [pid(p.item, 'enabled')].filter(hasPoint);
      c.pipe(p.cx - BOILER_PORT, yR, p.cx - BOILER_PORT, bottom, 'stub hot warm', on);
      c.pipe(p.cx + BOILER_PORT, bottom, p.cx + BOILER_PORT, yS, 'stub hot', on);
    }
    // The make-up water feeds the return, while its valve is open.
    for (const p of placedMakeup)
      c.pipe(
        p.cx,
        p.y + p.h + BELOW_NAME,
        p.cx,
        yR,
        'stub water',
        [pid(p.item, 'makeup_valve_open')].filter(hasPoint),
      );
    c.fit(0, yS + MARGIN);
  }

  if (exchangers.length) {
    const hy = yS + 44;
    let gx = Math.max(MARGIN, (W - groupsTotal) / 2);
    exchangers.forEach((hx, k) => {
      const group = groups[k] ?? [];
      exchanger(c, hx, group, gx, hy, yR, yS, enabledIds);
      gx += groupWidth(group) + GAP;
    });
  }
  c.rest(rest);
  return c;
}

/** An exchanger on the primary headers, its secondary loop below with its pumps on the return. */
function exchanger(
  c: Canvas,
  hx: MimicItem,
  pumps: MimicItem[],
  x: number,
  y: number,
  yR: number,
  yS: number,
  primaryFlow: string[],
) {
  const inX = x + HX_PORTS.in;
  const outX = x + HX_PORTS.out;
  c.place(hx, x, y);
  c.pipe(inX, yS, inX, y, 'stub hot', primaryFlow);
  c.pipe(outX, y, outX, yR, 'stub hot warm', primaryFlow);
  const hxBottom = y + HEAT_EXCHANGER.h + BELOW_NAME;
  const running = pumps.map((p) => pid(p, 'running')).filter(hasPoint);
  const py = y + HEAT_EXCHANGER.h + NAME_SPACE + 30;
  const placed = pumps.map((p, i) => c.place(p, x + PUMP_X + i * (PUMP.w + GAP), py));
  const pumpBottom = py + PUMP.h + BELOW_NAME;
  const endY = (placed.length ? pumpBottom + (placed.length > 1 ? 12 : 0) : hxBottom) + 30;
  c.pipe(inX, hxBottom, inX, endY, 'stub hot', running);
  const first = placed[0];
  const last = placed.at(-1);
  if (!first || !last) c.pipe(outX, endY, outX, hxBottom, 'stub hot warm', running);
  else if (placed.length === 1) {
    c.pipe(first.cx, first.y, first.cx, hxBottom, 'stub hot warm', running);
    c.pipe(first.cx, endY, first.cx, pumpBottom, 'stub hot warm', running);
  } else {
    // Pumps in parallel: a manifold above them and one below.
    const top = py - 14;
    const foot = pumpBottom + 12;
    for (const p of placed) {
      const own = [pid(p.item, 'running')].filter(hasPoint);
      c.pipe(p.cx, p.y, p.cx, top, 'stub hot warm', own);
      c.pipe(p.cx, foot, p.cx, pumpBottom, 'stub hot warm', own);
    }
    c.pipe(last.cx, top, first.cx, top, 'stub hot warm', running);
    c.pipe(first.cx, foot, last.cx, foot, 'stub hot warm', running);
    c.pipe(first.cx, top, first.cx, hxBottom, 'stub hot warm', running);
    c.pipe(first.cx, endY, first.cx, foot, 'stub hot warm', running);
  }
  c.add(
    arrow(inX, endY, 'down'),
    s('text', { x: inX, y: endY + 16, 'text-anchor': 'middle', class: 'end-label' }, t('mimic.secSupply')),
    s(
      'text',
      { x: first?.cx ?? outX, y: endY + 32, 'text-anchor': 'middle', class: 'end-label' },
      t('mimic.secReturn'),
    ),
  );
  c.fit(0, endY + 32 + MARGIN);
}

// A lift: its landing indicator on top (the floor, an arrow while it travels up or down), then its
// shaft with the car at its landing, numbered with its floor, the doors drawn open or closed, and
// below it its state, its doors and its fault code. The configuration does not say which floors a
// lift serves, so the shaft is a stretch of it around the car: two landings above and two below,
// unnumbered (numbering them would invent floors), the shaft's walls running on past them.
// Running fills the car, stopped leaves it hollow, out of service dashes the shaft; a fault code
// outlines the car in red; a passenger trapped puts a red band with the critical diamond across
// the shaft, over everything else.
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import { formatValue } from '../../format.js';
import { t } from '../../i18n.js';
import { type Binder, good, goodBool, reading, valueText } from '../bind.js';
import { frame, type SymbolState, stateWord } from '../frame.js';
import { els, optValue, pid } from '../points.js';
import { s } from '../svg.js';

export const LIFT = { w: 140, h: 276 };

const SHAFT = { x: 45, y: 48, w: 50 };
const SLOT = 30;
const SLOTS = 5;
/** The car's landing: the middle one. */
const HERE = 2;

/** Trapped first, then a fault code, then comm loss, out of service, running or stopped. */
function liftState(item: MimicItem) {
  const trapped = pid(item, 'passenger_trapped');
  const code = pid(item, 'fault_code');
  const inService = pid(item, 'in_service');
  const running = pid(item, 'running');
  return {
    points: [trapped, code, inService, running],
    of: (): SymbolState => {
      if (goodBool(trapped)) return 'trapped';
      if (good(code)) return 'fault';
      const r = reading(inService);
      if (!r || r.quality === 'no-data') return 'nodata';
      if (r.quality !== 'good') return 'comm';
      if (!r.value) return 'out-of-service';
      return goodBool(running) ? 'running' : 'stopped';
    },
    word: (state: SymbolState) =>
      state === 'fault' ? t('mimic.faultCode', { code: good(code) ?? '—' }) : stateWord(state),
  };
}

/** The landing indicator: the floor (a live value) and the direction of travel. */
function indicator(b: Binder, item: MimicItem): SVGElement[] {
  const direction = pid(item, 'direction');
  const arrow = s('polygon', { class: 'lift-dir', transform: 'translate(44 20)' });
  const title = s('title');
  arrow.append(title);
  b.points([direction], () => {
    const d = good(direction);
    const dir = d === 1 ? 'up' : d === 2 ? 'down' : 'none';
    arrow.setAttribute('points', dir === 'down' ? '0,9 9,-6 -9,-6' : '0,-9 9,6 -9,6');
    arrow.dataset.direction = dir;
    title.textContent = dir === 'none' ? '' : t(`mimic.${dir}`);
  });
  return [
    s('rect', { x: 25, y: 0, width: 90, height: 40, rx: 4, class: 'lift-panel' }),
    arrow,
    s('g', { class: 'lift-floor' }, valueText(b, pid(item, 'floor'), 80, 26)),
  ];
}

/** The shaft: landings around the car, the car's numbered with its floor; the car with its doors. */
function shaft(b: Binder, item: MimicItem): SVGElement[] {
  const door = pid(item, 'door_open');
  const floor = pid(item, 'floor');
  // The car's floor by its landing (the indicator above has its quality and age).
  const here = s('text', {
    x: SHAFT.x - 6,
    y: SHAFT.y + HERE * SLOT + 19,
    'text-anchor': 'end',
    class: 'landing',
  });
  here.dataset.point = floor;
  b.points([floor], () => {
    const r = reading(floor);
    const ok = r?.quality === 'good' && typeof r.value === 'number';
    here.textContent = ok ? formatValue(r.value) : '—';
    here.classList.toggle('not-good', !ok);
  });
  const sills = Array.from({ length: SLOTS }, (_, i) =>
    s('path', {
      d: `M${SHAFT.x + SHAFT.w} ${SHAFT.y + i * SLOT + 28} L${SHAFT.x + SHAFT.w + 9} ${SHAFT.y + i * SLOT + 28}`,
      class: i === HERE ? 'sill here' : 'sill',
    }),
  );
  const wall = (x: number) =>
    s('path', { d: `M${x} ${SHAFT.y - 4} L${x} ${SHAFT.y + SLOTS * SLOT + 4}`, class: 'shaft' });
  const carY = SHAFT.y + HERE * SLOT + 3;
  const carX = SHAFT.x + 4;
  const carW = SHAFT.w - 8;
  const half = (carW - 4) / 2;
  const leaf = () => s('rect', { y: carY + 2, height: 22, class: 'door' });
  const [l, r] = [leaf(), leaf()];
  b.points([door], () => {
    const open = goodBool(door) === true;
    const w = open ? 5 : half;
    l.setAttribute('x', String(carX + 2));
    l.setAttribute('width', String(w));
    r.setAttribute('x', String(carX + carW - 2 - w));
    r.setAttribute('width', String(w));
  });
  return [
    wall(SHAFT.x),
    wall(SHAFT.x + SHAFT.w),
    ...sills,
    here,
    s('rect', { x: carX, y: carY, width: carW, height: 26, rx: 2, class: 'body car' }),
    l,
    r,
  ];
}

/** The trapped-passenger band across the shaft: the critical diamond and the word. */
function trappedMark(b: Binder, item: MimicItem): SVGElement {
  const id = pid(item, 'passenger_trapped');
  const g = s(
    'g',
    { class: 'trapped-mark' },
    s('title', {}, t('mimic.trappedLong')),
    s('rect', { x: 0, y: SHAFT.y + 6, width: LIFT.w, height: 40, rx: 4, class: 'band' }),
    s('polygon', { points: '22,58 36,72 22,86 8,72', class: 'diamond' }),
    s('text', { x: 22, y: 76, 'text-anchor': 'middle', class: 'n' }, '1'),
    s('text', { x: 86, y: 78, 'text-anchor': 'middle', class: 'word' }, t('mimic.trapped')),
  );
  g.dataset.point = id;
  b.points([id], () => {
    const r = reading(id);
    // A trapped passenger last heard of stays on the drawing, greyed, until a good reading says otherwise.
    const on = r?.value === true;
    g.classList.toggle('on', on);
    g.classList.toggle('not-good', on && r?.quality !== 'good');
  });
  return g;
}

export function lift(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const code = pid(item, 'fault_code');
  const fault = s(
    'g',
    { class: 'fault-code' },
    optValue(b, item, 'fault_code', LIFT.w / 2, 262, {
      caption: t('mimic.faultCodeCap'),
    }),
  );
  b.points([code], () => {
    fault.classList.toggle('nonzero', !!good(code));
  });
  const body = els(
    ...indicator(b, item),
    ...shaft(b, item),
    optValue(b, item, 'door_open', LIFT.w / 2, 234, { words: ['mimic.doorOpen', 'mimic.doorClosed'] }),
    fault,
    trappedMark(b, item),
  );
  const g = frame(b, item, x, y, body, { ...LIFT, state: liftState(item), stateAt: [LIFT.w / 2, 214] });
  const trapped = pid(item, 'passenger_trapped');
  b.points([trapped], () => {
    g.toggleAttribute('data-trapped', reading(trapped)?.value === true);
  });
  return g;
}

// A gas-fired hot-water shell boiler: the horizontal shell with its burner at the front (the
// flame drawn while it fires, longer at a higher firing rate), the flue stack and the water level
// in a sight glass at the back; below it supply and return temperatures, firing rate, flue
// temperature, shell pressure and water level. Burner on fills the shell, burner off leaves it
// hollow ("not in sequence" for a boiler the sequence has left out); a flame-failure lockout, or
// any fault code of the burner controller, outlines it in red with a cross and the word.
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import { t } from '../../i18n.js';
import { type Binder, good, goodBool, hasPoint, reading } from '../bind.js';
import { frame, type SymbolState, stateWord } from '../frame.js';
import { els, optValue, pid } from '../points.js';
import { s } from '../svg.js';

export const BOILER = { w: 210, h: 162 };

/** The burner's front: where its gas comes in from above (symbol coordinates). */
export const BURNER_GAS = { x: 22, y: 26 };

const SHELL = { x: 36, y: 12, w: 154, h: 54 };
const GLASS = { x: 196, y: 14, w: 8, h: 50 };

/** Lockout first, then a fault code, then comm loss of the burner bit, then burner on or off. */
function boilerState(item: MimicItem) {
  const burner = pid(item, 'burner_on');
  const lockout = pid(item, 'lockout');
  const code = pid(item, 'fault_code');
  const enabled = pid(item, 'enabled');
  return {
    points: [burner, lockout, code, enabled],
    of: (): SymbolState => {
      if (goodBool(lockout)) return 'fault';
      if (good(code)) return 'fault';
      const r = reading(burner);
      if (!r || r.quality === 'no-data') return 'nodata';
      if (r.quality !== 'good') return 'comm';
      return r.value ? 'running' : 'stopped';
    },
    word: (state: SymbolState): string => {
      if (state === 'fault')
        return goodBool(lockout) ? t('mimic.lockout') : t('mimic.faultCode', { code: good(code) ?? '—' });
      if (state === 'running') return t('mimic.burnerOn');
      if (state === 'stopped')
        return goodBool(enabled) === false ? t('mimic.outOfSequence') : t('mimic.burnerOff');
      return stateWord(state);
    },
  };
}

/** The flame: shown while the burner is on (and good), its length by the firing rate. */
function flame(b: Binder, item: MimicItem): SVGElement {
  const burner = pid(item, 'burner_on');
  const rate = pid(item, 'firing_rate_pct');
  const path = s('path', { class: 'flame' });
  b.points([burner, rate], () => {
    const on = goodBool(burner) === true;
    const pct = good(rate) ?? 50;
    const x0 = SHELL.x + 2;
    const len = 24 + (Math.max(0, Math.min(100, pct)) / 100) * 70;
    const mid = SHELL.y + SHELL.h / 2;
    path.setAttribute(
      'd',
      `M${x0} ${mid - 10} Q${x0 + len * 0.55} ${mid - 16} ${x0 + len} ${mid} Q${x0 + len * 0.55} ${mid + 16} ${x0} ${mid + 10} Z`,
    );
    path.classList.toggle('on', on);
  });
  return path;
}

/** The sight glass: the water level drawn to height. */
function sightGlass(b: Binder, item: MimicItem): SVGElement[] {
  const id = pid(item, 'water_level_pct');
  if (!hasPoint(id)) return [];
  const water = s('rect', {
    x: GLASS.x + 1,
    y: GLASS.y + GLASS.h,
    width: GLASS.w - 2,
    height: 0,
    class: 'liquid',
  });
  b.points([id], () => {
    const pct = good(id);
    const h = pct === null ? 0 : ((GLASS.h - 2) * Math.max(0, Math.min(100, pct))) / 100;
    water.setAttribute('y', String(GLASS.y + GLASS.h - 1 - h));
    water.setAttribute('height', String(h));
  });
  return [
    s('rect', { x: GLASS.x, y: GLASS.y, width: GLASS.w, height: GLASS.h, rx: 3, class: 'gauge' }),
    water,
  ];
}

export function boiler(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const left = { anchor: 'start' as const };
  const right = { anchor: 'end' as const };
  const { w } = BOILER;
  const body = els(
    s('rect', { x: 160, y: 0, width: 14, height: SHELL.y + 2, class: 'aux' }),
    s('rect', { x: SHELL.x, y: SHELL.y, width: SHELL.w, height: SHELL.h, rx: 20, class: 'body' }),
    flame(b, item),
    s('rect', { x: 8, y: BURNER_GAS.y, width: SHELL.x - 8, height: 26, rx: 3, class: 'aux burner' }),
    ...sightGlass(b, item),
    s('path', {
      d: `M${SHELL.x} ${SHELL.y} L${SHELL.x + SHELL.w} ${SHELL.y + SHELL.h} M${SHELL.x + SHELL.w} ${SHELL.y} L${SHELL.x} ${SHELL.y + SHELL.h}`,
      class: 'trip-cross',
    }),
    optValue(b, item, 'supply_temp', 2, 100, { ...left, caption: t('mimic.supply') }),
    optValue(b, item, 'return_temp', w - 2, 100, { ...right, caption: t('mimic.return') }),
    optValue(b, item, 'firing_rate_pct', 2, 126, { ...left, caption: t('mimic.fire') }),
    optValue(b, item, 'flue_temp', w - 2, 126, { ...right, caption: t('mimic.flue') }),
    optValue(b, item, 'shell_pressure_bar', 2, 152, { ...left, caption: t('mimic.shell') }),
    optValue(b, item, 'water_level_pct', w - 2, 152, { ...right, caption: t('mimic.level') }),
  );
  return frame(b, item, x, y, body, { ...BOILER, state: boilerState(item), stateAt: [w / 2, 82] });
}

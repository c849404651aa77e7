// Softened make-up water: the softener's resin column and its brine tank, with the softened
// water's hardness and the make-up flow into the loop. Filling (make-up valve open) fills the
// column, idle leaves it hollow; comm loss dashed.
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import { t } from '../../i18n.js';
import { type Binder, hasPoint, reading } from '../bind.js';
import { frame, type SymbolState, stateWord } from '../frame.js';
import { els, meterState, optValue, pid } from '../points.js';
import { s } from '../svg.js';

export const WATER_TREATMENT = { w: 140, h: 128 };

function valveState(item: MimicItem) {
  const valve = pid(item, 'makeup_valve_open');
  if (!hasPoint(valve)) return meterState(item, 'makeup_flow_m3h');
  return {
    points: [valve],
    of: (): SymbolState => {
      const r = reading(valve);
      if (!r || r.quality === 'no-data') return 'nodata';
      if (r.quality !== 'good') return 'comm';
      return r.value ? 'running' : 'stopped';
    },
    word: (state: SymbolState) =>
      state === 'running' ? t('mimic.filling') : state === 'stopped' ? t('mimic.idle') : stateWord(state),
  };
}

export function waterTreatment(b: Binder, item: MimicItem, x: number, y: number): SVGElement {
  const body = els(
    s('rect', { x: 38, y: 0, width: 34, height: 62, rx: 14, class: 'body' }),
    s('path', { d: 'M44 20 L66 20 M44 42 L66 42', class: 'part' }),
    s('rect', { x: 80, y: 24, width: 24, height: 38, rx: 3, class: 'aux' }),
    optValue(b, item, 'hardness_mmol_l', 70, 96, { caption: t('mimic.hardness') }),
    optValue(b, item, 'makeup_flow_m3h', 70, 122, { caption: t('mimic.makeup') }),
  );
  return frame(b, item, x, y, body, { ...WATER_TREATMENT, state: valveState(item), stateAt: [70, 78] });
}

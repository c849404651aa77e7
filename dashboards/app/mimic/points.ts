// The points a symbol reads, by their names in the demo profiles (config/profiles/): a profile
// without one of them simply shows no such value.
import type { MimicItem } from '../../../src/api-types/mimic.js';
import { type Binder, goodBool, hasPoint, reading, type ValueOptions, valueText } from './bind.js';
import type { SymbolState } from './frame.js';

/** The point id "device.point" of the item's device. */
export const pid = (item: MimicItem, point: string) => `${item.device ?? item.id}.${point}`;

/** The item's points among these names that the catalog has. */
export const present = (item: MimicItem, names: string[]) => names.map((n) => pid(item, n)).filter(hasPoint);

/**
 * Running equipment (chiller, pump): tripped or fault first, then comm loss of its running
 * bit, then running or stopped.
 */
export function runState(
  item: MimicItem,
  faultPoint: 'tripped' | 'fault',
): { points: string[]; of: () => SymbolState } {
  const running = pid(item, 'running');
  const fault = pid(item, faultPoint);
  return {
    points: [running, fault],
    of: () => {
      if (goodBool(fault)) return faultPoint === 'tripped' ? 'tripped' : 'fault';
      const r = reading(running);
      if (!r || r.quality === 'no-data') return 'nodata';
      if (r.quality !== 'good') return 'comm';
      return r.value ? 'running' : 'stopped';
    },
  };
}

/** A breaker from its power meter's breaker_closed point. */
export function breakerState(item: MimicItem): { points: string[]; of: () => SymbolState } {
  const closed = pid(item, 'breaker_closed');
  return {
    points: [closed],
    of: () => {
      const r = reading(closed);
      if (!r || r.quality === 'no-data') return 'nodata';
      if (r.quality !== 'good') return 'comm';
      return r.value ? 'closed' : 'open';
    },
  };
}

/** Metering equipment: comm loss when its main value is not good, else normal. */
export function meterState(item: MimicItem, point: string): { points: string[]; of: () => SymbolState } {
  const id = pid(item, point);
  return {
    points: [id],
    of: () => {
      const r = reading(id);
      if (!r || r.quality === 'no-data') return 'nodata';
      return r.quality === 'good' ? 'normal' : 'comm';
    },
  };
}

/** A live value of the item's point, or nothing when its profile has no such point. */
export function optValue(
  b: Binder,
  item: MimicItem,
  name: string,
  x: number,
  y: number,
  options?: ValueOptions,
): SVGTextElement | null {
  const id = pid(item, name);
  return hasPoint(id) ? valueText(b, id, x, y, options) : null;
}

/** The elements given, without the nulls. */
export const els = (...list: (SVGElement | null | undefined)[]) => list.filter((e): e is SVGElement => !!e);

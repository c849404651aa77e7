/**
 * A BACnet object's own view of its health (status-flags, reliability) as a point quality.
 * The point's value is kept where the device still measures something, as the Modbus part
 * keeps an out-of-range reading; it is null where there is nothing to trust.
 */
import { Reliability, type StatusFlags } from '@bacnet-js/client';
import type { Quality } from '../../points/index.js';

export interface ObjectHealth {
  /** The status-flags bits the device reported (bit numbers as StatusFlags). */
  fault: boolean;
  outOfService: boolean;
  overridden: boolean;
  /** Absent when the object has no reliability property (it is optional in BACnet). */
  reliability?: number;
}

/** Bit `flag` of a decoded status-flags bit string (the library stores bit n at byte n>>3, bit n&7). */
export function statusFlag(bits: { value: number[] }, flag: StatusFlags): boolean {
  return (((bits.value[flag >> 3] ?? 0) >> (flag & 7)) & 1) === 1;
}

/**
 * - reliability communication-failure: the controller lost its own sensor bus: comm-error, like a
 *   Modbus device that does not answer;
 * - fault, or any other reliability (no sensor, over/under range, open/shorted loop): the reading is
 *   a sensor fault, not plant state: out-of-range, as Modbus marks a value outside its range;
 * - out-of-service: the value is frozen or written by hand, not measured: stale;
 * - overridden alone: a local hand switch drives the object; the value is still the plant's: good.
 */
export function bacnetQuality(health: ObjectHealth): Quality {
  if (health.reliability === Reliability.COMMUNICATION_FAILURE) return 'comm-error';
  const unreliable = health.reliability !== undefined && health.reliability !== Reliability.NO_FAULT_DETECTED;
  if (health.fault || unreliable) return 'out-of-range';
  if (health.outOfService) return 'stale';
  return 'good';
}

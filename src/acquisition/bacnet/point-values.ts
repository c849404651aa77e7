/**
 * A reading as the point the profile describes: scale and offset on the decimals the device
 * sent (as Modbus and MQTT do), `range` and a counter below zero as out-of-range (a sensor or
 * meter fault, not plant state), binary states as booleans.
 */
import type { BacnetPointConfig } from '../../config/index.js';
import type { PointValue, Quality, Value } from '../../points/index.js';
import { decimalsOf, scaleDecimal } from '../decimal.js';
import type { PointReading } from './decode.js';

function scaled(raw: number, point: BacnetPointConfig): number {
  if (point.scale === 1 && point.offset === 0) return raw + 0; // -0 reads 0, as raw × 1 + 0 does
  return scaleDecimal(raw, decimalsOf(raw), point.scale, point.offset);
}

function qualityOf(point: BacnetPointConfig, value: number): Quality {
  if (!Number.isFinite(value)) return 'out-of-range';
  if (point.range !== undefined && (value < point.range[0] || value > point.range[1])) return 'out-of-range';
  return point.counter && value < 0 ? 'out-of-range' : 'good';
}

export function pointValueOf(point: BacnetPointConfig, reading: PointReading, ts: number): PointValue {
  if (typeof reading.value !== 'number') return { ...reading, ts };
  const value: Value = scaled(reading.value, point);
  // The object's own health first (a fault, out of service); then the profile's checks.
  const quality = reading.quality === 'good' ? qualityOf(point, value) : reading.quality;
  return { id: reading.id, value, quality, ts };
}

/**
 * Device payload → point values. A field that is missing or not a number yields no value
 * for that point (never a substitute); the caller counts the message as malformed.
 */
import type { MqttDeviceConfig, MqttPointConfig, MqttProfile } from '../../config/schema.js';
import { type PointValue, pointId, type Quality } from '../../points/index.js';
import { decimalsOf, scaleDecimal } from '../decimal.js';

export interface MappedPayload {
  values: PointValue[];
  /** Why some or all of the payload could not be used; empty when all was fine. */
  problems: string[];
  /**
   * The reading's own time when it was more than the profile's maxClockSkew ahead of arrival:
   * the reading is refused, its points get no value, quality bad-timestamp, the arrival time.
   */
  futureTs?: number;
}

function at(payload: unknown, path: string): unknown {
  if (path === '.') return payload;
  let node: unknown = payload;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * ISO string, epoch milliseconds, or epoch seconds (numbers below 10^11); undefined unless
 * it is a time a Date can hold (±8.64e15 ms): the republisher and the REST API print every
 * value's time with toISOString, which throws on an invalid Date.
 */
export function parseTimestamp(raw: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof raw === 'number' && Number.isFinite(raw) && raw > 0) ms = raw < 1e11 ? raw * 1000 : raw;
  else if (typeof raw === 'string') ms = Date.parse(raw);
  return ms !== undefined && Number.isFinite(new Date(ms).getTime()) ? ms : undefined;
}

/**
 * The payload's own time: undefined when the profile has none or the payload leaves it out
 * (the arrival time is then the reading's time, as documented); a problem when unreadable.
 */
function stampOf(payload: unknown, profile: MqttProfile, problems: string[]): number | undefined {
  if (!profile.timestamp) return undefined;
  const raw = at(payload, profile.timestamp);
  if (raw === undefined || raw === null) return undefined;
  const parsed = parseTimestamp(raw);
  if (parsed === undefined) problems.push(`timestamp "${profile.timestamp}" unreadable: arrival time used`);
  return parsed;
}

/** raw × scale + offset on the decimals the meter sent: 4998 × 0.01 is 49.98, not 49.980000000000004. */
function scaled(raw: number, point: MqttPointConfig): number {
  if (point.scale === 1 && point.offset === 0) return raw + 0; // -0 reads 0, as raw × 1 + 0 did
  return scaleDecimal(raw, decimalsOf(raw), point.scale, point.offset);
}

/** The point's value in the payload's field, or undefined with the problem said. */
function fieldValue(point: MqttPointConfig, raw: unknown, problems: string[]): number | boolean | undefined {
  // Booleans are accepted for state points (pump running, valve open) as 1/0 semantics.
  if (typeof raw === 'boolean' && point.kind === 'state') return raw;
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    problems.push(`"${point.json}" ${raw === undefined ? 'missing' : 'is not a number'}`);
    return undefined;
  }
  const value = scaled(raw, point);
  // A huge reading times the scale can overflow: Infinity is no measurement, whatever its quality.
  if (!Number.isFinite(value)) {
    problems.push(`"${point.json}" ${raw} is beyond any number once scaled`);
    return undefined;
  }
  return value;
}

function qualityOf(point: MqttPointConfig, value: number): Quality {
  if (point.range !== undefined && (value < point.range[0] || value > point.range[1])) return 'out-of-range';
  // A cumulative volume or energy below zero is a meter fault, never a reading.
  return point.counter && value < 0 ? 'out-of-range' : 'good';
}

export function mapPayload(
  device: MqttDeviceConfig,
  profile: MqttProfile,
  text: string,
  arrival: number,
): MappedPayload {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return { values: [], problems: ['not valid JSON'] };
  }
  const problems: string[] = [];
  const bareNumber = profile.points.some((p) => p.json === '.');
  if ((payload === null || typeof payload !== 'object' || Array.isArray(payload)) && !bareNumber) {
    return { values: [], problems: ['not a JSON object'] };
  }
  const stamp = stampOf(payload, profile, problems);
  // Stamped in the future (a meter whose clock is wrong): its numbers cannot be dated, so none
  // is stored (storage and energy aggregate values whatever their quality); the point says why.
  const future = stamp !== undefined && stamp - arrival > profile.maxClockSkew;
  const ts = stamp === undefined || future ? arrival : stamp;
  const values: PointValue[] = [];
  for (const point of profile.points) {
    const value = fieldValue(point, at(payload, point.json), problems);
    if (value === undefined) continue;
    const id = pointId(device.id, point.name);
    if (future) values.push({ id, value: null, quality: 'bad-timestamp', ts });
    else
      values.push({ id, value, quality: typeof value === 'boolean' ? 'good' : qualityOf(point, value), ts });
  }
  return future ? { values, problems, futureTs: stamp } : { values, problems };
}

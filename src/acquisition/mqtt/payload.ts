/**
 * Device payload → point values. A field that is missing or not a number yields no value
 * for that point (never a substitute); the caller counts the message as malformed.
 */
import type { MqttDeviceConfig, MqttProfile } from '../../config/schema.js';
import { type PointValue, pointId } from '../../points/index.js';

export interface MappedPayload {
  values: PointValue[];
  /** Why some or all of the payload could not be used; empty when all was fine. */
  problems: string[];
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
  let ts = arrival;
  if (profile.timestamp) {
    const parsed = parseTimestamp(at(payload, profile.timestamp));
    if (parsed === undefined)
      problems.push(`timestamp "${profile.timestamp}" missing or unreadable: arrival time used`);
    else ts = parsed;
  }
  const values: PointValue[] = [];
  for (const point of profile.points) {
    const raw = at(payload, point.json);
    // Booleans are accepted for state points (pump running, valve open) as 1/0 semantics.
    if (typeof raw === 'boolean' && point.kind === 'state') {
      values.push({ id: pointId(device.id, point.name), value: raw, quality: 'good', ts });
      continue;
    }
    if (typeof raw !== 'number' || !Number.isFinite(raw)) {
      problems.push(`"${point.json}" ${raw === undefined ? 'missing' : 'is not a number'}`);
      continue;
    }
    const value = raw * point.scale + point.offset;
    // A huge reading times the scale can overflow: Infinity is no measurement, whatever its quality.
    if (!Number.isFinite(value)) {
      problems.push(`"${point.json}" ${raw} is beyond any number once scaled`);
      continue;
    }
    const outOfRange = point.range !== undefined && (value < point.range[0] || value > point.range[1]);
    values.push({
      id: pointId(device.id, point.name),
      value,
      quality: outOfRange ? 'out-of-range' : 'good',
      ts,
    });
  }
  return { values, problems };
}

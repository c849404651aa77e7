/**
 * What a device answered for an object's properties, as point readings: the value as a point
 * carries it (binary as a boolean, multi-state and counters as numbers, REAL as the decimal the
 * device meant), and its quality from the object's own view of its health when that was read.
 * One decoder for ReadPropertyMultiple, ReadProperty and COV notifications alike.
 */
import {
  ApplicationTag,
  type BACNetObjectID,
  ObjectType,
  PropertyIdentifier,
  StatusFlags,
} from '@bacnet-js/client';
import type { Quality, Value } from '../../points/index.js';
import { shortestFloat32 } from '../decimal.js';
import { bacnetQuality, statusFlag } from './quality.js';

export interface BacnetPointRef {
  /** The point's id on the bus ("<device>.<point>"). */
  id: string;
  object: BACNetObjectID;
  /** The property read: present-value when absent. */
  property?: number;
}

export interface PointReading {
  id: string;
  value: Value;
  quality: Quality;
}

/** One property's answer: its decoded application values, or undefined when the device answered an error. */
export interface PropertyAnswer {
  id: number;
  values: readonly { type: number; value: unknown }[] | undefined;
}

/** The properties read with a present-value: what the device says of its health. */
export const HEALTH_PROPERTIES = [PropertyIdentifier.STATUS_FLAGS, PropertyIdentifier.RELIABILITY] as const;

const BINARY_TYPES = new Set<number>([
  ObjectType.BINARY_INPUT,
  ObjectType.BINARY_OUTPUT,
  ObjectType.BINARY_VALUE,
]);
/** A binary object's properties whose value is a BACnetBinaryPV (inactive/active). */
const BINARY_PV_PROPERTIES = new Set<number>([
  PropertyIdentifier.PRESENT_VALUE,
  PropertyIdentifier.RELINQUISH_DEFAULT,
  PropertyIdentifier.ALARM_VALUE,
  PropertyIdentifier.FEEDBACK_VALUE,
]);

export const propertyOf = (point: BacnetPointRef): number =>
  point.property ?? PropertyIdentifier.PRESENT_VALUE;

const float32 = new DataView(new ArrayBuffer(4));

/** A REAL as the decimal it stands for: 22.3, not the 22.299999237060547 its float32 widens to. */
function realValue(value: number): number {
  float32.setFloat32(0, value);
  const exponent = ((float32.getUint32(0) >>> 23) & 0xff) - 127;
  return shortestFloat32(value, exponent);
}

/** An application value as a point's value; undefined for a type no point can carry (a string, a date). */
export function pointValueFromData(
  object: BACNetObjectID,
  property: number,
  data: { type: number; value: unknown },
): Value | undefined {
  const { type, value } = data;
  if (type === ApplicationTag.BOOLEAN) return Boolean(value);
  if (typeof value !== 'number') return undefined;
  switch (type) {
    case ApplicationTag.REAL:
      return realValue(value);
    case ApplicationTag.ENUMERATED:
      return BINARY_TYPES.has(object.type) && BINARY_PV_PROPERTIES.has(property) ? value !== 0 : value;
    case ApplicationTag.DOUBLE:
    case ApplicationTag.UNSIGNED_INTEGER:
    case ApplicationTag.SIGNED_INTEGER:
      return value;
    default:
      return undefined;
  }
}

/** The first value of a property that was answered without an error. */
function first(
  answers: readonly PropertyAnswer[],
  property: number,
): { type: number; value: unknown } | undefined {
  return answers.find((a) => a.id === property)?.values?.[0];
}

/**
 * Each point's reading from its object's answers. The object's health (status-flags,
 * reliability) applies where it was read (with a present-value); a point of another property of
 * an object whose health was not read is good when its value came.
 */
export function readingsOf(
  points: readonly BacnetPointRef[],
  answers: readonly PropertyAnswer[],
): PointReading[] {
  const flags = first(answers, PropertyIdentifier.STATUS_FLAGS)?.value as { value: number[] } | undefined;
  const reliability = first(answers, PropertyIdentifier.RELIABILITY)?.value;
  const health =
    flags === undefined && typeof reliability !== 'number'
      ? 'good'
      : bacnetQuality({
          fault: flags !== undefined && statusFlag(flags, StatusFlags.FAULT),
          outOfService: flags !== undefined && statusFlag(flags, StatusFlags.OUT_OF_SERVICE),
          overridden: flags !== undefined && statusFlag(flags, StatusFlags.OVERRIDDEN),
          ...(typeof reliability === 'number' ? { reliability } : {}),
        });
  return points.map((point) => {
    const property = propertyOf(point);
    const data = first(answers, property);
    const value = data === undefined ? undefined : pointValueFromData(point.object, property, data);
    if (value === undefined || value === null || health === 'comm-error')
      return { id: point.id, value: null, quality: 'comm-error' };
    return { id: point.id, value, quality: health };
  });
}

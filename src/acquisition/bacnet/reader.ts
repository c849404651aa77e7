/**
 * Reads one device's points: with ReadPropertyMultiple, as many objects per request as the
 * device's max-APDU takes (its answer must fit one APDU: no segmentation is asked for), or
 * with one ReadProperty per property for a device that refuses ReadPropertyMultiple.
 */
import {
  ApplicationTag,
  type BACNetObjectID,
  type BACNetReadAccessSpecification,
  ErrorClass,
  ErrorCode,
  ObjectType,
  PropertyIdentifier,
  StatusFlags,
} from '@bacnet-js/client';
import type { Quality, Value } from '../../points/index.js';
import type { BacnetClient } from './client.js';
import { bacnetQuality, statusFlag } from './quality.js';

/** The properties read for every point: its value and what the device says of its health. */
const POINT_PROPERTIES = [
  PropertyIdentifier.PRESENT_VALUE,
  PropertyIdentifier.STATUS_FLAGS,
  PropertyIdentifier.RELIABILITY,
] as const;

/**
 * Bytes one object takes in a ReadPropertyMultiple answer, at most: object id (5) and its
 * list's tags (2), then per property its id (2), the value's tags (2) and the value (a REAL
 * 5, status-flags 3, an enumerated 2-5); rounded up so a device's own encoding cannot
 * surprise us. The answer's header (complex-ack, invoke id, service) takes 3.
 */
const ANSWER_BYTES_PER_OBJECT = 40;
const ANSWER_HEADER_BYTES = 3;
/** The smallest max-APDU BACnet allows (MS/TP devices behind a router). */
const MIN_APDU = 50;

export interface BacnetPointRef {
  /** The point's id on the bus ("<device>.<point>"). */
  id: string;
  object: BACNetObjectID;
}

export interface PointReading {
  id: string;
  value: Value;
  quality: Quality;
}

export type ReadMode = 'unknown' | 'read-property-multiple' | 'read-property';

/** How many objects' answers fit one APDU of `maxApdu` octets. */
export function objectsPerRequest(maxApdu: number): number {
  return Math.max(
    1,
    Math.floor((Math.max(maxApdu, MIN_APDU) - ANSWER_HEADER_BYTES) / ANSWER_BYTES_PER_OBJECT),
  );
}

/** Reject reason unrecognized-service: the library reports a Reject PDU as "BacnetAbort - Reason:9". */
const REJECT_UNRECOGNIZED_SERVICE = 9;

/**
 * Whether the device said it does not do the service. The library tells only through its error
 * messages: "BacnetError - Class:5 - Code:<code>" for an Error PDU (what its own server sends
 * for a service without a listener), "BacnetAbort - Reason:<reason>" for a Reject or Abort PDU.
 */
function refusedService(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const refusals = [
    `BacnetError - Class:${ErrorClass.SERVICES} - Code:${ErrorCode.REJECT_UNRECOGNIZED_SERVICE}`,
    `BacnetError - Class:${ErrorClass.SERVICES} - Code:${ErrorCode.SERVICE_REQUEST_DENIED}`,
    `BacnetAbort - Reason:${REJECT_UNRECOGNIZED_SERVICE}`,
  ];
  return refusals.includes(err.message);
}

/** A value as a point carries it: analog REAL as a number, binary (enumerated 0/1) as a boolean. */
function pointValue(object: BACNetObjectID, raw: unknown): Value {
  if (typeof raw === 'number') return isBinary(object) ? raw !== 0 : raw;
  if (typeof raw === 'boolean') return raw;
  return null;
}

const BINARY_TYPES = new Set<number>([
  ObjectType.BINARY_INPUT,
  ObjectType.BINARY_OUTPUT,
  ObjectType.BINARY_VALUE,
]);
const isBinary = (object: BACNetObjectID) => BINARY_TYPES.has(object.type);

interface PropertyAnswer {
  id: number;
  /** The decoded application values, or undefined when the device answered an error for it. */
  values: { type: number; value: unknown }[] | undefined;
}

function reading(point: BacnetPointRef, answers: PropertyAnswer[]): PointReading {
  const first = (property: number) => answers.find((a) => a.id === property)?.values?.[0]?.value;
  const present = first(PropertyIdentifier.PRESENT_VALUE);
  const flags = first(PropertyIdentifier.STATUS_FLAGS) as { value: number[] } | undefined;
  const reliability = first(PropertyIdentifier.RELIABILITY);
  const value = pointValue(point.object, present);
  if (value === null || flags === undefined) return { id: point.id, value: null, quality: 'comm-error' };
  const quality = bacnetQuality({
    fault: statusFlag(flags, StatusFlags.FAULT),
    outOfService: statusFlag(flags, StatusFlags.OUT_OF_SERVICE),
    overridden: statusFlag(flags, StatusFlags.OVERRIDDEN),
    ...(typeof reliability === 'number' ? { reliability } : {}),
  });
  return { id: point.id, value: quality === 'comm-error' ? null : value, quality };
}

export interface DeviceAddress {
  address: string;
  instance: number;
}

export class BacnetDeviceReader {
  /** Learnt at the first read: a device that refused ReadPropertyMultiple is not asked again. */
  mode: ReadMode = 'unknown';
  maxApdu: number | undefined;
  /** Requests sent, for diagnostics and the tests: what coalescing saves shows here. */
  requests = 0;

  constructor(
    private readonly client: BacnetClient,
    private readonly device: DeviceAddress,
  ) {}

  /** Every point's reading; throws when the device does not answer (the caller marks comm-error). */
  async read(points: readonly BacnetPointRef[]): Promise<PointReading[]> {
    if (this.maxApdu === undefined) this.maxApdu = await this.readMaxApdu();
    if (this.mode !== 'read-property') {
      try {
        const readings = await this.readMultiple(points);
        this.mode = 'read-property-multiple';
        return readings;
      } catch (err) {
        if (this.mode === 'read-property-multiple' || !refusedService(err)) throw err;
        this.mode = 'read-property';
      }
    }
    return this.readEach(points);
  }

  private async readMaxApdu(): Promise<number> {
    const answer = await this.request(() =>
      this.client.readProperty(
        { address: this.device.address },
        { type: ObjectType.DEVICE, instance: this.device.instance },
        PropertyIdentifier.MAX_APDU_LENGTH_ACCEPTED,
      ),
    );
    const value = answer.values[0]?.value;
    return typeof value === 'number' ? value : MIN_APDU;
  }

  private async readMultiple(points: readonly BacnetPointRef[]): Promise<PointReading[]> {
    const batch = objectsPerRequest(this.maxApdu ?? MIN_APDU);
    const readings: PointReading[] = [];
    for (let start = 0; start < points.length; start += batch) {
      const slice = points.slice(start, start + batch);
      const specs: BACNetReadAccessSpecification[] = slice.map((point) => ({
        objectId: point.object,
        properties: POINT_PROPERTIES.map((id) => ({ id, index: 0xffffffff })),
      }));
      const answer = await this.request(() =>
        this.client.readPropertyMultiple({ address: this.device.address }, specs),
      );
      for (const point of slice) {
        const result = answer.values.find(
          (v) => v.objectId.type === point.object.type && v.objectId.instance === point.object.instance,
        );
        const answers = (result?.values ?? []).map((property) => ({
          id: property.id,
          values: property.value.some((v) => v.type === ApplicationTag.ERROR) ? undefined : property.value,
        }));
        readings.push(reading(point, answers));
      }
    }
    return readings;
  }

  private async readEach(points: readonly BacnetPointRef[]): Promise<PointReading[]> {
    const readings: PointReading[] = [];
    for (const point of points) {
      const answers: PropertyAnswer[] = [];
      for (const id of POINT_PROPERTIES) {
        try {
          const answer = await this.request(() =>
            this.client.readProperty({ address: this.device.address }, point.object, id),
          );
          answers.push({ id, values: answer.values });
        } catch (err) {
          // An error answer (unknown property: reliability is optional) is an answer; silence is not.
          if (!(err instanceof Error) || !err.message.startsWith('BacnetError')) throw err;
          answers.push({ id, values: undefined });
        }
      }
      readings.push(reading(point, answers));
    }
    return readings;
  }

  private request<T>(send: () => Promise<T>): Promise<T> {
    this.requests++;
    return send();
  }
}

/**
 * Reads one device's points. First, once, its max-APDU and whether it segments (both from its
 * device object: the library's I-Am says neither truly). Then with ReadPropertyMultiple, as many
 * objects per request as one answer holds: as its max-APDU takes, or, from a device that sends
 * segmented answers, as fit a few segments (fewer requests; the library reassembles them). An
 * answer the device still aborts as too long (segmentation-not-supported, buffer-overflow,
 * apdu-too-long) halves the batch for that device, down to one object, which is then read
 * property by property. A device that refuses ReadPropertyMultiple is read with one
 * ReadProperty per property from then on.
 */
import {
  ApplicationTag,
  type BACNetAddress,
  type BACNetReadAccessSpecification,
  ErrorClass,
  ErrorCode,
  MaxApduLengthAccepted,
  MaxSegmentsAccepted,
  ObjectType,
  PropertyIdentifier,
  Segmentation,
  type ServiceOptions,
} from '@bacnet-js/client';
import type { BacnetClient } from './client.js';
import {
  type BacnetPointRef,
  HEALTH_PROPERTIES,
  type PointReading,
  type PropertyAnswer,
  propertyOf,
  readingsOf,
} from './decode.js';

export type { BacnetPointRef, PointReading } from './decode.js';

/**
 * Bytes one object takes in a ReadPropertyMultiple answer, at most: object id (5) and its
 * list's tags (2), then per property its id (2), the value's tags (2) and the value (a REAL
 * 5, status-flags 3, an enumerated 2-5); rounded up so a device's own encoding cannot
 * surprise us. The answer's header (complex-ack, invoke id, service) takes 3.
 */
const ANSWER_BYTES_PER_OBJECT = 40;
const ANSWER_HEADER_BYTES = 3;
/** The smallest max-APDU BACnet allows (MS/TP devices behind a router), and the largest B/IP carries. */
const MIN_APDU = 50;
const MAX_APDU = 1476;
/**
 * A segmented answer is asked to fit this many of the device's APDUs; the request accepts up
 * to twice as many segments, so a device whose encoding is longer than ours still fits.
 */
const SEGMENTS_PER_ANSWER = 8;
const SEGMENTED_REQUEST: ServiceOptions = {
  maxSegments: MaxSegmentsAccepted.SEGMENTS_16,
  maxApdu: MaxApduLengthAccepted.OCTETS_1476,
};

export type ReadMode = 'unknown' | 'read-property-multiple' | 'read-property';
export type SegmentationSupport = 'both' | 'transmit' | 'receive' | 'none';
export type BacnetServiceName = 'readProperty' | 'readPropertyMultiple' | 'subscribeCov';

/**
 * Sends one confirmed request: `send` is given the options to pass the library (its invoke id,
 * segmentation terms). The port's queue bounds them in flight; the default sends at once.
 */
export type RequestRunner = <T>(
  service: BacnetServiceName,
  send: (options: ServiceOptions) => Promise<T>,
  flags: { segmented: boolean },
) => Promise<T>;

const sendAtOnce: RequestRunner = (_service, send) => send({});

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
 * An answer too long for the device: Abort (or Reject) buffer-overflow 1, Abort
 * segmentation-not-supported 4, Abort apdu-too-long 11.
 */
const TOO_LONG = new Set([1, 4, 11].map((reason) => `BacnetAbort - Reason:${reason}`));

/**
 * Whether the device said it does not do the service. The library tells only through its error
 * messages: "BacnetError - Class:5 - Code:<code>" for an Error PDU (what its own server sends
 * for a service without a listener), "BacnetAbort - Reason:<reason>" for a Reject or Abort PDU.
 */
export function refusedService(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const refusals = [
    `BacnetError - Class:${ErrorClass.SERVICES} - Code:${ErrorCode.REJECT_UNRECOGNIZED_SERVICE}`,
    `BacnetError - Class:${ErrorClass.SERVICES} - Code:${ErrorCode.SERVICE_REQUEST_DENIED}`,
    `BacnetAbort - Reason:${REJECT_UNRECOGNIZED_SERVICE}`,
  ];
  return refusals.includes(err.message);
}

/** An answer from the device that is not the data (Error, Reject, Abort): it is there, it said no. */
export function isDeviceAnswer(err: unknown): boolean {
  return err instanceof Error && /^Bacnet(Error|Abort)\b/.test(err.message);
}

const tooLong = (err: unknown) => err instanceof Error && TOO_LONG.has(err.message);

const SEGMENTATION_NAMES: Record<number, SegmentationSupport> = {
  [Segmentation.SEGMENTED_BOTH]: 'both',
  [Segmentation.SEGMENTED_TRANSMIT]: 'transmit',
  [Segmentation.SEGMENTED_RECEIVE]: 'receive',
  [Segmentation.NO_SEGMENTATION]: 'none',
};

/** One object's part of a read: the properties its points need, and those points. */
interface ObjectRead {
  spec: BACNetReadAccessSpecification;
  points: BacnetPointRef[];
}

/** The points grouped by object, each object with the union of the properties its points need. */
function objectReads(points: readonly BacnetPointRef[]): ObjectRead[] {
  const byObject = new Map<string, { properties: Set<number>; read: ObjectRead }>();
  for (const point of points) {
    const key = `${point.object.type}:${point.object.instance}`;
    let entry = byObject.get(key);
    if (!entry) {
      entry = {
        properties: new Set(),
        read: { spec: { objectId: point.object, properties: [] }, points: [] },
      };
      byObject.set(key, entry);
    }
    const property = propertyOf(point);
    entry.properties.add(property);
    if (property === PropertyIdentifier.PRESENT_VALUE)
      for (const p of HEALTH_PROPERTIES) entry.properties.add(p);
    entry.read.points.push(point);
  }
  return [...byObject.values()].map(({ properties, read }) => ({
    points: read.points,
    spec: {
      objectId: read.spec.objectId,
      properties: [...properties].map((id) => ({ id, index: 0xffffffff })),
    },
  }));
}

export interface DeviceAddress {
  /** Its receiver, or a plain address ("10.1.0.21", "10.1.0.21:47809"). */
  address: string | BACNetAddress;
  instance: number;
}

export interface ReaderOptions {
  /** How requests are sent (the port's queue); at once when absent. */
  send?: RequestRunner;
  /** The profile's cap on objects per ReadPropertyMultiple. */
  maxObjectsPerRequest?: number | undefined;
  /** Told when the batch is halved, for the log. */
  onBatchHalved?: (from: number, to: number, reason: string) => void;
}

export class BacnetDeviceReader {
  /** Learnt at the first read: a device that refused ReadPropertyMultiple is not asked again. */
  mode: ReadMode = 'unknown';
  maxApdu: number | undefined;
  segmentation: SegmentationSupport | undefined;
  /** Objects per ReadPropertyMultiple now (halved when the device aborts a longer answer). */
  batch: number | undefined;
  /** Requests sent, for diagnostics and the tests: what coalescing saves shows here. */
  requests = 0;
  private receiver: BACNetAddress;
  private readonly send: RequestRunner;
  private deviceInfo: Promise<void> | undefined;

  constructor(
    private readonly client: BacnetClient,
    private readonly device: DeviceAddress,
    private readonly options: ReaderOptions = {},
  ) {
    this.receiver = typeof device.address === 'string' ? { address: device.address } : device.address;
    this.send = options.send ?? sendAtOnce;
  }

  /** Where requests go from now on (a device found again elsewhere). */
  setReceiver(receiver: BACNetAddress): void {
    this.receiver = receiver;
  }

  /** Every point's reading; throws when the device does not answer (the caller marks comm-error). */
  async read(points: readonly BacnetPointRef[]): Promise<PointReading[]> {
    await this.readDeviceInfo();
    const objects = objectReads(points);
    if (this.mode !== 'read-property') {
      try {
        const readings = await this.readMultiple(objects);
        this.mode = 'read-property-multiple';
        return readings;
      } catch (err) {
        if (this.mode === 'read-property-multiple' || !refusedService(err)) throw err;
        this.mode = 'read-property';
      }
    }
    const readings: PointReading[] = [];
    for (const object of objects) readings.push(...(await this.readEach(object)));
    return readings;
  }

  /** Whether the device sends segmented answers (known after the first read). */
  get segments(): boolean {
    return this.segmentation === 'both' || this.segmentation === 'transmit';
  }

  private async readDeviceProperty(property: number): Promise<unknown> {
    const answer = await this.request('readProperty', false, (options) =>
      this.client.readProperty(
        this.receiver,
        { type: ObjectType.DEVICE, instance: this.device.instance },
        property,
        options,
      ),
    );
    return answer.values[0]?.value;
  }

  /** Max-APDU and segmentation, read once (two poll groups starting together share the read). */
  private readDeviceInfo(): Promise<void> {
    if (this.maxApdu !== undefined && this.segmentation !== undefined) return Promise.resolve();
    this.deviceInfo ??= (async () => {
      try {
        this.maxApdu ??= await this.readMaxApdu();
        this.segmentation ??= await this.readSegmentation();
      } finally {
        this.deviceInfo = undefined;
      }
    })();
    return this.deviceInfo;
  }

  private async readMaxApdu(): Promise<number> {
    const value = await this.readDeviceProperty(PropertyIdentifier.MAX_APDU_LENGTH_ACCEPTED);
    return typeof value === 'number' ? value : MIN_APDU;
  }

  /** segmentation-supported; a device without the property (it is required, but) does not segment. */
  private async readSegmentation(): Promise<SegmentationSupport> {
    try {
      const value = await this.readDeviceProperty(PropertyIdentifier.SEGMENTATION_SUPPORTED);
      return (typeof value === 'number' ? SEGMENTATION_NAMES[value] : undefined) ?? 'none';
    } catch (err) {
      if (isDeviceAnswer(err)) return 'none';
      throw err;
    }
  }

  private batchSize(): number {
    if (this.batch === undefined) {
      const apdu = Math.min(this.maxApdu ?? MIN_APDU, MAX_APDU);
      const fits = objectsPerRequest(this.segments ? apdu * SEGMENTS_PER_ANSWER : apdu);
      this.batch = Math.max(1, Math.min(fits, this.options.maxObjectsPerRequest ?? fits));
    }
    return this.batch;
  }

  private async readMultiple(objects: readonly ObjectRead[]): Promise<PointReading[]> {
    const readings: PointReading[] = [];
    for (let start = 0; start < objects.length; ) {
      const slice = objects.slice(start, start + this.batchSize());
      try {
        readings.push(...(await this.readBatch(slice)));
      } catch (err) {
        if (!tooLong(err)) throw err;
        const message = (err as Error).message;
        if (slice.length > 1) {
          const half = Math.floor(slice.length / 2);
          this.options.onBatchHalved?.(slice.length, half, message);
          this.batch = half;
          continue; // the same objects again, fewer at a time
        }
        // One object's answer is still too long: its properties one by one.
        readings.push(...(await this.readEach(slice[0] as ObjectRead)));
      }
      start += slice.length;
    }
    return readings;
  }

  private async readBatch(slice: readonly ObjectRead[]): Promise<PointReading[]> {
    // Longer than one APDU: the answer comes in segments (from a device that sends them).
    const segmented = this.segments && slice.length > objectsPerRequest(this.maxApdu ?? MIN_APDU);
    const answer = await this.request('readPropertyMultiple', segmented, (options) =>
      this.client.readPropertyMultiple(
        this.receiver,
        slice.map((o) => o.spec),
        options,
      ),
    );
    return slice.flatMap(({ spec, points }) => {
      const result = answer.values.find(
        (v) => v.objectId.type === spec.objectId.type && v.objectId.instance === spec.objectId.instance,
      );
      const answers: PropertyAnswer[] = (result?.values ?? []).map((property) => ({
        id: property.id,
        values: property.value.some((v) => v.type === ApplicationTag.ERROR) ? undefined : property.value,
      }));
      return readingsOf(points, answers);
    });
  }

  private async readEach({ spec, points }: ObjectRead): Promise<PointReading[]> {
    const answers: PropertyAnswer[] = [];
    for (const { id } of spec.properties) {
      try {
        const answer = await this.request('readProperty', false, (options) =>
          this.client.readProperty(this.receiver, spec.objectId, id, options),
        );
        answers.push({ id, values: answer.values });
      } catch (err) {
        // An error answer (unknown property: reliability is optional) is an answer; silence is not.
        if (!isDeviceAnswer(err)) throw err;
        answers.push({ id, values: undefined });
      }
    }
    return readingsOf(points, answers);
  }

  private request<T>(
    service: BacnetServiceName,
    segmented: boolean,
    send: (options: ServiceOptions) => Promise<T>,
  ): Promise<T> {
    this.requests++;
    return this.send(service, (options) => send(segmented ? { ...SEGMENTED_REQUEST, ...options } : options), {
      segmented,
    });
  }
}

/**
 * What is on a BACnet/IP network (`plantwatch scan bacnet`, the admin page's scan job): the
 * devices that answer Who-Is (broadcast, or unicast to the addresses given), and for each its
 * device object (name, vendor, model, max-APDU, segmentation) and its objects: the object-list,
 * then each point-like object's name, description, units and the type of its present value.
 *
 * What peers' users trip over, and how this copes:
 * - a device that cannot segment aborts (or silently drops) an answer larger than its max-APDU:
 *   the object-list is then read element by element (index 0 the count, then 1…n), and
 *   ReadPropertyMultiple asks for as many objects as fit its max-APDU, half as many after an
 *   abort or a timeout, one object's properties one by one as the last resort;
 * - a device that refuses ReadPropertyMultiple is read with ReadProperty;
 * - several devices of which one is silent: each is read on its own (a few at a time, with a
 *   least gap between two requests to one device), a silent one is reported and the others
 *   read on;
 * - large sites: Who-Is limited to an instance range, the objects read limited to some types.
 */
import {
  AbortReason,
  ApplicationTag,
  type BACNetAddress,
  type BACNetAppData,
  type BACNetObjectID,
  type BACNetReadAccessSpecification,
  type DecodeAcknowledgeMultipleResult,
  ErrorClass,
  ErrorCode,
  type IAMResult,
  ObjectType,
  PropertyIdentifier,
  Segmentation,
} from '@bacnet-js/client';
import type { BaseEventContent } from '@bacnet-js/client/dist/lib/EventTypes.js';
import {
  type BacnetClient,
  type BacnetClientOptions,
  type DiscoveredDevice,
  discoverDevices,
  openBacnetClient,
} from '../acquisition/bacnet/index.js';
import { BACNET_OBJECT_TYPES, BACNET_TYPE_ABBREVIATIONS, MAX_INSTANCE } from '../config/bacnet-schema.js';

/** The largest APDU BACnet/IP carries. */
const LARGEST_APDU = 1476;
/** The smallest max-APDU BACnet allows (MS/TP devices behind a router). */
const MIN_APDU = 50;
/**
 * Bytes one object's answer takes in a ReadPropertyMultiple answer, as a first guess: object id
 * and list tags (7), per property its id and tags (6), a name of about 20 characters, a short or
 * absent description, an enumerated unit, a REAL. A guess too small costs one abort, after which
 * the device is asked for half as many objects a request.
 */
const ANSWER_BYTES_PER_OBJECT = 80;
const ANSWER_HEADER_BYTES = 3;
/** Objects per request at most, whatever the max-APDU: some devices choke on long requests. */
const MAX_OBJECTS_PER_REQUEST = 20;
/** The device instance that means "whichever device receives this" (ReadProperty of device 4194303). */
const WILDCARD_INSTANCE = 4_194_303;
/** Silent addresses asked ReadProperty of the wildcard device, at most (a range of 254 would take minutes). */
const MAX_WILDCARD_PROBES = 32;
/** A Reject PDU's unrecognized-service, reported by the library as "BacnetAbort - Reason:9". */
const REJECT_UNRECOGNIZED_SERVICE = 9;
/** Devices read at once unless told. */
export const DEFAULT_CONCURRENCY = 4;
/** Asked again after a timeout, unless told. */
export const DEFAULT_BACNET_RETRIES = 1;

/** ANALOG_INPUT → analog-input. */
const kebab = (constant: string) => constant.toLowerCase().replaceAll('_', '-');

const TYPE_NAMES = new Map([...BACNET_OBJECT_TYPES].map(([name, type]) => [type, name]));

/** "analog-input", or "type-<n>" for a proprietary object type. */
export function objectTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `type-${type}`;
}

/** "analog-input:3", as a profile writes an object. */
export const objectText = (id: BACNetObjectID) => `${objectTypeName(id.type)}:${id.instance}`;

/** The object types whose present value a point can carry: what a scan reads and drafts. */
export const POINT_TYPES: readonly number[] = [
  ObjectType.ANALOG_INPUT,
  ObjectType.ANALOG_OUTPUT,
  ObjectType.ANALOG_VALUE,
  ObjectType.BINARY_INPUT,
  ObjectType.BINARY_OUTPUT,
  ObjectType.BINARY_VALUE,
  ObjectType.MULTI_STATE_INPUT,
  ObjectType.MULTI_STATE_OUTPUT,
  ObjectType.MULTI_STATE_VALUE,
  ObjectType.ACCUMULATOR,
  ObjectType.PULSE_CONVERTER,
  ObjectType.INTEGER_VALUE,
  ObjectType.POSITIVE_INTEGER_VALUE,
  ObjectType.LARGE_ANALOG_VALUE,
  ObjectType.LOOP,
  ObjectType.AVERAGING,
];

/** Types with a `units` property. */
const TYPES_WITH_UNITS = new Set<number>([
  ObjectType.ANALOG_INPUT,
  ObjectType.ANALOG_OUTPUT,
  ObjectType.ANALOG_VALUE,
  ObjectType.ACCUMULATOR,
  ObjectType.PULSE_CONVERTER,
  ObjectType.INTEGER_VALUE,
  ObjectType.POSITIVE_INTEGER_VALUE,
  ObjectType.LARGE_ANALOG_VALUE,
]);
const MULTI_STATE_TYPES = new Set<number>([
  ObjectType.MULTI_STATE_INPUT,
  ObjectType.MULTI_STATE_OUTPUT,
  ObjectType.MULTI_STATE_VALUE,
]);
export const BINARY_TYPES = new Set<number>([
  ObjectType.BINARY_INPUT,
  ObjectType.BINARY_OUTPUT,
  ObjectType.BINARY_VALUE,
]);
export const isMultiState = (type: number) => MULTI_STATE_TYPES.has(type);

/** The device object's properties a scan reads; the first two and max-APDU matter, the rest are for people. */
const DEVICE_PROPERTIES = [
  PropertyIdentifier.OBJECT_NAME,
  PropertyIdentifier.VENDOR_NAME,
  PropertyIdentifier.VENDOR_IDENTIFIER,
  PropertyIdentifier.MODEL_NAME,
  PropertyIdentifier.FIRMWARE_REVISION,
  PropertyIdentifier.LOCATION,
  PropertyIdentifier.MAX_APDU_LENGTH_ACCEPTED,
  PropertyIdentifier.SEGMENTATION_SUPPORTED,
];

function objectProperties(type: number): number[] {
  return [
    PropertyIdentifier.OBJECT_NAME,
    PropertyIdentifier.DESCRIPTION,
    PropertyIdentifier.PRESENT_VALUE,
    ...(TYPES_WITH_UNITS.has(type) ? [PropertyIdentifier.UNITS] : []),
    ...(MULTI_STATE_TYPES.has(type) ? [PropertyIdentifier.NUMBER_OF_STATES] : []),
  ];
}

export type ReadMode = 'read-property-multiple' | 'read-property';
export type ObjectListRead = 'whole' | 'element-by-element';
export type SegmentationSupport = 'both' | 'transmit' | 'receive' | 'none';

const SEGMENTATION_NAMES: Record<number, SegmentationSupport> = {
  [Segmentation.SEGMENTED_BOTH]: 'both',
  [Segmentation.SEGMENTED_TRANSMIT]: 'transmit',
  [Segmentation.SEGMENTED_RECEIVE]: 'receive',
  [Segmentation.NO_SEGMENTATION]: 'none',
};

export interface ScannedObject {
  type: number;
  instance: number;
  /** "analog-input:3", as a profile writes it. */
  object: string;
  name?: string;
  description?: string;
  /** Its BACnet engineering unit (analog objects). */
  units?: number;
  /** The application tag of its present value: "real", "enumerated", "unsigned-integer"… */
  valueType?: string;
  numberOfStates?: number;
}

export interface ScannedDevice {
  instance: number;
  /** "ip" or "ip:port" (port 47808 left out), as the device's `bacnet.address` takes it: a router's for a routed device. */
  address: string;
  /** Behind a BACnet router: the remote network and the station's MAC address there (hex). */
  network?: number;
  mac?: string;
  vendorId: number;
  name?: string;
  vendorName?: string;
  modelName?: string;
  firmware?: string;
  location?: string;
  /** Its max-apdu-length-accepted (what I-Am said when it did not give it). */
  maxApdu: number;
  segmentation?: SegmentationSupport;
  /** How its objects were read: ReadPropertyMultiple, or ReadProperty for a device refusing it. */
  readMode: ReadMode;
  objectList: ObjectListRead;
  /** Entries of its object-list, its device object included. */
  objectCount: number;
  /** The point-like objects of the types asked for, in object-list order. */
  objects: ScannedObject[];
  /** The objects not read, counted by type ("schedule": 2, "trend-log": 14). */
  skipped: Record<string, number>;
  /** What could not be read, for a person ("analog-input:7: object-name: unknown-property"). */
  problems: string[];
  requests: number;
  elapsedMs: number;
}

export interface FailedDevice {
  address: string;
  /** Unknown for an address that did not answer Who-Is. */
  instance?: number;
  reason: string;
}

export interface BacnetScanResult {
  /** Who-Is went to the broadcast address, or to these addresses one by one. */
  whoIs: { broadcast: boolean; addresses: string[]; lowLimit?: number; highLimit?: number };
  devices: ScannedDevice[];
  /** Addresses given that did not answer, and devices that stopped answering while read. */
  failed: FailedDevice[];
  /** Stopped (its signal) before every device was read: the devices read so far. */
  stopped: boolean;
  elapsedMs: number;
}

export interface DeviceRef {
  instance: number;
  address: string;
}

export type BacnetScanProgress =
  | { kind: 'who-is'; found: readonly DeviceRef[] }
  | {
      kind: 'reading';
      device: DeviceRef;
      step: 'device-object' | 'object-list' | 'objects';
      done: number;
      total: number;
      devicesDone: number;
      devicesTotal: number;
    }
  | { kind: 'read'; device: ScannedDevice; devicesDone: number; devicesTotal: number }
  | { kind: 'failed'; failure: FailedDevice; devicesDone: number; devicesTotal: number };

export interface BacnetScanOptions {
  /** Unicast Who-Is to each ("ip" or "ip:port"); a broadcast Who-Is when none are given. */
  addresses?: readonly string[];
  /** Only devices with an instance in [lowLimit, highLimit] (both or neither). */
  lowLimit?: number;
  highLimit?: number;
  /** How long to collect I-Am answers, ms. */
  waitMs: number;
  /** Least time between two requests to one device, ms. */
  delayMs: number;
  /** Devices read at once (default 4). */
  concurrency?: number;
  /** Asked again after a timeout (default 1). */
  retries?: number;
  /** The object types to read (default POINT_TYPES); the others are only counted. */
  types?: readonly number[];
  onProgress?: (progress: BacnetScanProgress) => void;
  /** Stops the scan after the requests under way: the devices read so far. */
  signal?: AbortSignal;
}

/** The scan on a socket of its own (closed when done): the CLI's way. */
export type BacnetScanSocket = BacnetClientOptions;

// ---------------------------------------------------------------- errors

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
const isTimeout = (err: unknown) => messageOf(err) === 'ERR_TIMEOUT';

class ScanStopped extends Error {
  constructor() {
    super('scan stopped');
    this.name = 'ScanStopped';
  }
}

/** The device said it does not do the service (ReadPropertyMultiple): Error or Reject PDU. */
function refusedService(err: unknown): boolean {
  const refusals = [
    `BacnetError - Class:${ErrorClass.SERVICES} - Code:${ErrorCode.REJECT_UNRECOGNIZED_SERVICE}`,
    `BacnetError - Class:${ErrorClass.SERVICES} - Code:${ErrorCode.SERVICE_REQUEST_DENIED}`,
    `BacnetAbort - Reason:${REJECT_UNRECOGNIZED_SERVICE}`,
  ];
  return refusals.includes(messageOf(err));
}

const TOO_LARGE_CODES = new Set<number>([
  ErrorCode.ABORT_SEGMENTATION_NOT_SUPPORTED,
  ErrorCode.ABORT_BUFFER_OVERFLOW,
  ErrorCode.ABORT_APDU_TOO_LONG,
  ErrorCode.ABORT_OUT_OF_RESOURCES,
]);

/**
 * The device could not send the answer: an Abort (segmentation-not-supported, buffer-overflow,
 * apdu-too-long…) or its Error-PDU form. The library reports Reject PDUs as aborts too; any but
 * unrecognized-service is taken as "ask for less".
 */
function answerTooLarge(err: unknown): boolean {
  const text = messageOf(err);
  if (text.startsWith('BacnetAbort - Reason:'))
    return text !== `BacnetAbort - Reason:${REJECT_UNRECOGNIZED_SERVICE}`;
  const code = /^BacnetError - Class:\d+ - Code:(\d+)$/.exec(text)?.[1];
  return code !== undefined && TOO_LARGE_CODES.has(Number(code));
}

const enumName = (table: Record<string, string | number>, value: number) => {
  const key = Object.keys(table).find((k) => table[k] === value);
  return key ? kebab(key) : String(value);
};

/** An error as a person reads it: "no answer", "object/unknown-property", "abort segmentation-not-supported". */
export function describeError(err: unknown): string {
  const text = messageOf(err);
  if (text === 'ERR_TIMEOUT') return 'no answer';
  const error = /^BacnetError - Class:(\d+) - Code:(\d+)/.exec(text);
  if (error) return `${enumName(ErrorClass, Number(error[1]))}/${enumName(ErrorCode, Number(error[2]))}`;
  const abort = /^BacnetAbort - Reason:(\d+)$/.exec(text);
  if (abort) {
    const reason = Number(abort[1]);
    return reason === REJECT_UNRECOGNIZED_SERVICE
      ? 'rejected: unrecognized-service'
      : `abort ${enumName(AbortReason, reason)}`;
  }
  return text;
}

// ---------------------------------------------------------------- one device

type Answers = Map<number, BACNetAppData[] | { error: string }>;

interface ObjectSpec {
  object: BACNetObjectID;
  properties: number[];
}

const keyOf = (id: BACNetObjectID) => `${id.type}:${id.instance}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many objects' answers fit one APDU of `maxApdu` octets, at first. */
export function scanObjectsPerRequest(maxApdu: number): number {
  const fit = Math.floor((Math.max(maxApdu, MIN_APDU) - ANSWER_HEADER_BYTES) / ANSWER_BYTES_PER_OBJECT);
  return Math.min(MAX_OBJECTS_PER_REQUEST, Math.max(1, fit));
}

/**
 * The requests to one device: one at a time, at least `gapMs` apart, a timeout asked again
 * `retries` times; ReadPropertyMultiple sized to its max-APDU, smaller after an abort, or
 * ReadProperty once it refused ReadPropertyMultiple.
 */
class DeviceSession {
  requests = 0;
  mode: ReadMode | 'unknown' = 'unknown';
  private objectsPerRequest: number;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly client: BacnetClient,
    private readonly receiver: BACNetAddress,
    private readonly device: BACNetObjectID,
    maxApdu: number,
    private readonly gapMs: number,
    private readonly retries: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.objectsPerRequest = scanObjectsPerRequest(maxApdu);
  }

  setMaxApdu(maxApdu: number): void {
    this.objectsPerRequest = scanObjectsPerRequest(maxApdu);
  }

  async request<T>(send: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.signal?.aborted) throw new ScanStopped();
      const wait = this.lastAt + this.gapMs - performance.now();
      if (wait > 0) await sleep(wait);
      this.requests++;
      try {
        return await send();
      } catch (err) {
        if (!isTimeout(err) || attempt >= this.retries) throw err;
      } finally {
        this.lastAt = performance.now();
      }
    }
  }

  readProperty(object: BACNetObjectID, property: number, arrayIndex?: number) {
    return this.request(() =>
      this.client.readProperty(
        this.receiver,
        object,
        property,
        arrayIndex === undefined ? {} : { arrayIndex },
      ),
    );
  }

  /** Each object's properties, by object key; `onProgress` after each request with the objects done. */
  async readObjects(specs: readonly ObjectSpec[], onProgress?: (done: number) => void) {
    const answers = new Map<string, Answers>();
    let done = 0;
    const finish = (spec: ObjectSpec, answer: Answers) => {
      answers.set(keyOf(spec.object), answer);
      done++;
    };
    while (done < specs.length) {
      if (this.mode === 'read-property') {
        for (const spec of specs.slice(done)) {
          finish(spec, await this.readEach(spec));
          onProgress?.(done);
        }
        break;
      }
      const chunk = specs.slice(done, done + this.objectsPerRequest);
      try {
        const answer = await this.request(() =>
          this.client.readPropertyMultiple(
            this.receiver,
            chunk.map(
              (spec): BACNetReadAccessSpecification => ({
                objectId: spec.object,
                properties: spec.properties.map((id) => ({ id, index: 0xffffffff })),
              }),
            ),
          ),
        );
        this.mode = 'read-property-multiple';
        for (const spec of chunk) finish(spec, multipleAnswers(answer, spec));
      } catch (err) {
        if (err instanceof ScanStopped) throw err;
        if (this.mode === 'unknown' && refusedService(err)) {
          this.mode = 'read-property';
          continue;
        }
        const tooLarge = answerTooLarge(err);
        if ((tooLarge || isTimeout(err)) && chunk.length > 1) {
          // A device that cannot segment aborts an answer too large, or drops it in silence;
          // one that is gone stays silent to a small request too.
          if (!tooLarge) await this.stillThere(err);
          this.objectsPerRequest = Math.max(1, Math.floor(chunk.length / 2));
          continue;
        }
        const [spec] = chunk;
        if (!spec || !(tooLarge || (isTimeout(err) && this.mode === 'unknown'))) throw err;
        // One object too large for an answer (a long description), or a device that ignores
        // ReadPropertyMultiple rather than refusing it: property by property.
        const answer = await this.readEach(spec);
        if (this.mode === 'unknown' && !tooLarge) this.mode = 'read-property';
        finish(spec, answer);
      }
      onProgress?.(done);
    }
    return answers;
  }

  /** Throws `silence` when the device does not answer the smallest request either. */
  private async stillThere(silence: unknown): Promise<void> {
    try {
      await this.readProperty(this.device, PropertyIdentifier.OBJECT_IDENTIFIER);
    } catch (err) {
      if (err instanceof ScanStopped) throw err;
      if (isTimeout(err)) throw silence;
    }
  }

  /** One object's properties by ReadProperty: an error answer is an answer, silence is not. */
  private async readEach(spec: ObjectSpec): Promise<Answers> {
    const answers: Answers = new Map();
    for (const property of spec.properties) {
      try {
        answers.set(property, (await this.readProperty(spec.object, property)).values);
      } catch (err) {
        if (err instanceof ScanStopped || isTimeout(err)) throw err;
        answers.set(property, { error: describeError(err) });
      }
    }
    return answers;
  }
}

function multipleAnswers(answer: DecodeAcknowledgeMultipleResult, spec: ObjectSpec): Answers {
  const result = answer.values.find(
    (v) => v.objectId.type === spec.object.type && v.objectId.instance === spec.object.instance,
  );
  const answers: Answers = new Map();
  for (const property of spec.properties) {
    const entry = result?.values.find((v) => v.id === property);
    const error = entry?.value.find((v) => v.type === ApplicationTag.ERROR)?.value as
      | { errorClass: number; errorCode: number }
      | undefined;
    if (!entry) answers.set(property, { error: 'not in the answer' });
    else if (error)
      answers.set(property, {
        error: `${enumName(ErrorClass, error.errorClass)}/${enumName(ErrorCode, error.errorCode)}`,
      });
    else answers.set(property, entry.value);
  }
  return answers;
}

const valuesOf = (answers: Answers | undefined, property: number) => {
  const values = answers?.get(property);
  return Array.isArray(values) ? values : undefined;
};
const firstValue = (answers: Answers | undefined, property: number) =>
  valuesOf(answers, property)?.[0]?.value as unknown;
const stringOf = (answers: Answers | undefined, property: number) => {
  const value = firstValue(answers, property);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};
const numberOf = (answers: Answers | undefined, property: number) => {
  const value = firstValue(answers, property);
  return typeof value === 'number' ? value : undefined;
};
const errorOf = (answers: Answers | undefined, property: number) => {
  const values = answers?.get(property);
  return values && !Array.isArray(values) ? values.error : undefined;
};

const objectIds = (values: readonly BACNetAppData[]) =>
  values.flatMap((v) => (v.type === ApplicationTag.OBJECTIDENTIFIER ? [v.value as BACNetObjectID] : []));

/** The object-list, whole, or element by element from a device that cannot send it whole. */
async function readObjectList(
  session: DeviceSession,
  device: BACNetObjectID,
  problems: string[],
  onProgress: (done: number, total: number) => void,
): Promise<{ list: BACNetObjectID[]; how: ObjectListRead }> {
  try {
    const answer = await session.readProperty(device, PropertyIdentifier.OBJECT_LIST);
    return { list: objectIds(answer.values), how: 'whole' };
  } catch (err) {
    if (!(answerTooLarge(err) || isTimeout(err))) throw err;
  }
  const count = Number(
    (await session.readProperty(device, PropertyIdentifier.OBJECT_LIST, 0)).values[0]?.value,
  );
  if (!Number.isInteger(count) || count < 0) throw new Error(`object-list length "${count}" is not a count`);
  const list: BACNetObjectID[] = [];
  for (let index = 1; index <= count; index++) {
    try {
      const answer = await session.readProperty(device, PropertyIdentifier.OBJECT_LIST, index);
      list.push(...objectIds(answer.values));
    } catch (err) {
      if (err instanceof ScanStopped || isTimeout(err)) throw err;
      problems.push(`object-list[${index}]: ${describeError(err)}`);
    }
    onProgress(index, count);
  }
  return { list, how: 'element-by-element' };
}

/** A device that answered, and where its requests go (a routed device: its router, with network and MAC). */
interface FoundDevice extends DiscoveredDevice {
  receiver: BACNetAddress;
}

/** discoverDevices' answer with its receiver (the acquisition's own, or the plain address). */
function withReceiver(device: DiscoveredDevice): FoundDevice {
  const { receiver } = device as { receiver?: BACNetAddress };
  return { ...device, receiver: receiver ?? { address: device.address } };
}

const macText = (adr: readonly number[]) => adr.map((octet) => octet.toString(16).padStart(2, '0')).join('');

interface ReadDeviceOptions {
  delayMs: number;
  retries: number;
  types: ReadonlySet<number>;
  signal: AbortSignal | undefined;
  onStep: (step: 'device-object' | 'object-list' | 'objects', done: number, total: number) => void;
}

async function readDevice(
  client: BacnetClient,
  found: FoundDevice,
  options: ReadDeviceOptions,
): Promise<ScannedDevice> {
  const start = performance.now();
  const iAmApdu = found.maxApdu > 0 ? Math.min(found.maxApdu, LARGEST_APDU) : LARGEST_APDU;
  const deviceId = { type: ObjectType.DEVICE, instance: found.instance };
  const session = new DeviceSession(
    client,
    found.receiver,
    deviceId,
    iAmApdu,
    options.delayMs,
    options.retries,
    options.signal,
  );
  const problems: string[] = [];
  options.onStep('device-object', 0, 1);
  const info = (await session.readObjects([{ object: deviceId, properties: DEVICE_PROPERTIES }])).get(
    keyOf(deviceId),
  );
  const maxApdu = numberOf(info, PropertyIdentifier.MAX_APDU_LENGTH_ACCEPTED) ?? iAmApdu;
  session.setMaxApdu(maxApdu);
  options.onStep('object-list', 0, 0);
  const { list, how } = await readObjectList(session, deviceId, problems, (done, total) =>
    options.onStep('object-list', done, total),
  );
  const skipped: Record<string, number> = {};
  const wanted: BACNetObjectID[] = [];
  for (const id of list) {
    if (id.type === ObjectType.DEVICE) continue;
    if (options.types.has(id.type)) wanted.push(id);
    else skipped[objectTypeName(id.type)] = (skipped[objectTypeName(id.type)] ?? 0) + 1;
  }
  const specs = wanted.map((object) => ({ object, properties: objectProperties(object.type) }));
  options.onStep('objects', 0, specs.length);
  const answers = await session.readObjects(specs, (done) => options.onStep('objects', done, specs.length));
  const objects = wanted.map((id): ScannedObject => {
    const answer = answers.get(keyOf(id));
    const text = objectText(id);
    for (const property of [PropertyIdentifier.OBJECT_NAME, PropertyIdentifier.PRESENT_VALUE]) {
      const error = errorOf(answer, property);
      if (error) problems.push(`${text}: ${enumName(PropertyIdentifier, property)}: ${error}`);
    }
    const name = stringOf(answer, PropertyIdentifier.OBJECT_NAME);
    const description = stringOf(answer, PropertyIdentifier.DESCRIPTION);
    const units = numberOf(answer, PropertyIdentifier.UNITS);
    const valueTag = valuesOf(answer, PropertyIdentifier.PRESENT_VALUE)?.[0]?.type;
    const numberOfStates = numberOf(answer, PropertyIdentifier.NUMBER_OF_STATES);
    return {
      type: id.type,
      instance: id.instance,
      object: text,
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(units !== undefined ? { units } : {}),
      ...(valueTag !== undefined ? { valueType: enumName(ApplicationTag, valueTag) } : {}),
      ...(numberOfStates !== undefined ? { numberOfStates } : {}),
    };
  });
  const segmentation = numberOf(info, PropertyIdentifier.SEGMENTATION_SUPPORTED);
  const optional = {
    name: stringOf(info, PropertyIdentifier.OBJECT_NAME),
    vendorName: stringOf(info, PropertyIdentifier.VENDOR_NAME),
    modelName: stringOf(info, PropertyIdentifier.MODEL_NAME),
    firmware: stringOf(info, PropertyIdentifier.FIRMWARE_REVISION),
    location: stringOf(info, PropertyIdentifier.LOCATION),
    segmentation: segmentation === undefined ? undefined : SEGMENTATION_NAMES[segmentation],
  };
  return {
    instance: found.instance,
    address: found.address,
    ...(found.receiver.net !== undefined
      ? { network: found.receiver.net, mac: macText(found.receiver.adr ?? []) }
      : {}),
    vendorId: numberOf(info, PropertyIdentifier.VENDOR_IDENTIFIER) ?? found.vendorId,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    maxApdu,
    readMode: session.mode === 'unknown' ? 'read-property-multiple' : session.mode,
    objectList: how,
    objectCount: list.length,
    objects,
    skipped,
    problems,
    requests: session.requests,
    elapsedMs: Math.round(performance.now() - start),
  };
}

// ---------------------------------------------------------------- Who-Is

/** "10.1.0.5" and "10.1.0.5:47808" are one address: the library leaves port 47808 out. */
export function normaliseAddress(address: string): string {
  const [host, port] = address.split(':');
  return port === undefined || Number(port) === 47808 ? (host ?? address) : `${host}:${Number(port)}`;
}

/**
 * Unicast Who-Is to each address (at least `gapMs` apart), the I-Am answers collected for
 * `waitMs` after the last: one wait for all, where discoverDevices waits once per address.
 */
async function whoIsEach(
  client: BacnetClient,
  addresses: readonly string[],
  limits: { lowLimit: number; highLimit: number } | undefined,
  waitMs: number,
  gapMs: number,
  signal: AbortSignal | undefined,
): Promise<FoundDevice[]> {
  const found = new Map<number, FoundDevice>();
  const onIAm = (content: BaseEventContent & { payload: IAMResult }) => {
    // The payload's own `address` is left undefined by the library 3.3: the sender is in the
    // header (the originator's in forwardedFrom when a BBMD forwarded it; net and adr when a
    // router relayed it from another network).
    const sender = content.header?.sender;
    const address = sender?.forwardedFrom ?? sender?.address;
    if (address === undefined) return;
    const receiver: BACNetAddress =
      sender?.net !== undefined ? { address, net: sender.net, adr: sender.adr ?? [] } : { address };
    const { deviceId, maxApdu, vendorId } = content.payload;
    found.set(deviceId, { address, receiver, instance: deviceId, maxApdu, vendorId });
  };
  client.on('iAm', onIAm);
  try {
    for (const address of addresses) {
      if (signal?.aborted) break;
      if (limits) client.whoIs({ address }, limits);
      else client.whoIs({ address });
      await sleep(Math.min(gapMs, 50));
    }
    await sleep(waitMs);
  } finally {
    client.off('iAm', onIAm);
  }
  return [...found.values()];
}

/**
 * A device at `address` that did not answer Who-Is (some have it disabled): ReadProperty of the
 * wildcard device instance tells its own instance. Undefined and why when it does not.
 */
async function probeWildcard(
  client: BacnetClient,
  address: string,
): Promise<FoundDevice | { reason: string }> {
  try {
    const answer = await client.readProperty(
      { address },
      { type: ObjectType.DEVICE, instance: WILDCARD_INSTANCE },
      PropertyIdentifier.OBJECT_IDENTIFIER,
    );
    const id = objectIds(answer.values)[0];
    if (id?.type === ObjectType.DEVICE)
      return { address, receiver: { address }, instance: id.instance, maxApdu: LARGEST_APDU, vendorId: 0 };
    return { reason: 'no answer to Who-Is; its device object gave no identifier' };
  } catch (err) {
    return isTimeout(err)
      ? { reason: 'no answer to Who-Is nor to ReadProperty' }
      : { reason: `no answer to Who-Is; ReadProperty of its device object: ${describeError(err)}` };
  }
}

/** Runs `fn` for each item, at most `limit` at once, in order of starting; stops starting on `signal`. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

// ---------------------------------------------------------------- the scan

/**
 * The scan on a socket that is open already: the gateway's own for its admin page (a second
 * socket on the gateway's port would be refused), or the CLI's.
 */
export async function scanBacnetWith(
  client: BacnetClient,
  options: BacnetScanOptions,
): Promise<BacnetScanResult> {
  const start = performance.now();
  const { signal } = options;
  const addresses = (options.addresses ?? []).map(normaliseAddress);
  const limits =
    options.lowLimit !== undefined && options.highLimit !== undefined
      ? { lowLimit: options.lowLimit, highLimit: options.highLimit }
      : undefined;
  const result: BacnetScanResult = {
    whoIs: { broadcast: addresses.length === 0, addresses, ...limits },
    devices: [],
    failed: [],
    stopped: false,
    elapsedMs: 0,
  };
  const done = () => {
    result.devices.sort((a, b) => a.instance - b.instance);
    result.stopped = signal?.aborted === true;
    result.elapsedMs = Math.round(performance.now() - start);
    return result;
  };
  if (signal?.aborted) return done();
  const inRange = (instance: number) =>
    !limits || (instance >= limits.lowLimit && instance <= limits.highLimit);
  const answered =
    addresses.length === 0
      ? (await discoverDevices(client, { waitMs: options.waitMs, ...limits })).map(withReceiver)
      : await whoIsEach(client, addresses, limits, options.waitMs, options.delayMs, signal);
  // A device that ignores Who-Is limits answers anyway.
  const found = answered.filter((device) => inRange(device.instance));
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const silent = addresses.filter((address) => !answered.some((device) => device.address === address));
  if (silent.length > 0 && silent.length <= MAX_WILDCARD_PROBES && !signal?.aborted) {
    await eachLimited(silent, concurrency, signal, async (address) => {
      const probed = await probeWildcard(client, address);
      if ('reason' in probed) result.failed.push({ address, reason: probed.reason });
      else if (inRange(probed.instance)) found.push(probed);
    });
  } else {
    for (const address of silent) result.failed.push({ address, reason: 'no answer to Who-Is' });
  }
  found.sort((a, b) => a.instance - b.instance);
  options.onProgress?.({
    kind: 'who-is',
    found: found.map(({ instance, address }) => ({ instance, address })),
  });
  const types = new Set(options.types ?? POINT_TYPES);
  const total = found.length;
  let devicesDone = 0;
  await eachLimited(found, concurrency, signal, async (device) => {
    const ref = { instance: device.instance, address: device.address };
    try {
      const scanned = await readDevice(client, device, {
        delayMs: options.delayMs,
        retries: options.retries ?? DEFAULT_BACNET_RETRIES,
        types,
        signal,
        onStep: (step, stepDone, stepTotal) =>
          options.onProgress?.({
            kind: 'reading',
            device: ref,
            step,
            done: stepDone,
            total: stepTotal,
            devicesDone,
            devicesTotal: total,
          }),
      });
      result.devices.push(scanned);
      devicesDone++;
      options.onProgress?.({ kind: 'read', device: scanned, devicesDone, devicesTotal: total });
    } catch (err) {
      if (err instanceof ScanStopped) return;
      const failure = {
        ...ref,
        reason: isTimeout(err)
          ? 'answered Who-Is, then stopped answering'
          : `answered Who-Is; reading it: ${describeError(err)}`,
      };
      result.failed.push(failure);
      devicesDone++;
      options.onProgress?.({ kind: 'failed', failure, devicesDone, devicesTotal: total });
    }
  });
  return done();
}

/** The scan on a socket of its own, opened for it and closed after. */
export async function scanBacnet(
  socket: BacnetScanSocket,
  options: BacnetScanOptions,
): Promise<BacnetScanResult> {
  const client = await openBacnetClient(socket);
  try {
    return await scanBacnetWith(client, options);
  } finally {
    client.close();
  }
}

// ---------------------------------------------------------------- what to scan, as people write it

/** Addresses a scan asks at most: a /22 of unicast Who-Is is already a broadcast storm. */
export const MAX_TARGETS = 1024;

const OCTET = '(25[0-5]|2[0-4]\\d|1?\\d?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const validPort = (port: string) => /^\d{1,5}$/.test(port) && Number(port) > 0 && Number(port) < 65536;
const ipNumber = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const ipText = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/**
 * "10.1.0.21", "10.1.0.21:47809", "10.1.0.20-40" or "10.1.0.20-10.1.0.40" (a range, port after
 * it: "10.1.0.20-40:47809"), several in one text separated by commas: the addresses, or what is
 * wrong with one.
 */
export function parseBacnetTargets(texts: readonly string[]): string[] | string {
  const addresses: string[] = [];
  for (const text of texts
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean)) {
    const [hosts = '', port, ...rest] = text.split(':');
    const [from = '', to] = hosts.split('-');
    if (rest.length > 0 || (port !== undefined && !validPort(port)) || !IPV4.test(from))
      return `${text}: an IPv4 address with an optional UDP port, or a range such as 10.1.0.20-40`;
    const suffix = port === undefined ? '' : `:${port}`;
    if (to === undefined) {
      addresses.push(normaliseAddress(`${from}${suffix}`));
      continue;
    }
    const last = IPV4.test(to) ? to : `${from.split('.').slice(0, 3).join('.')}.${to}`;
    if (!IPV4.test(last) || ipNumber(last) < ipNumber(from))
      return `${text}: a range from a lower address to a higher one, such as 10.1.0.20-40`;
    if (ipNumber(last) - ipNumber(from) + addresses.length >= MAX_TARGETS)
      return `${text}: more than ${MAX_TARGETS} addresses; scan a smaller range, or broadcast`;
    for (let n = ipNumber(from); n <= ipNumber(last); n++)
      addresses.push(normaliseAddress(`${ipText(n)}${suffix}`));
  }
  return [...new Set(addresses)];
}

/** The largest device instance (22 bits; 4194303 is the wildcard). */
const MAX_DEVICE_INSTANCE = MAX_INSTANCE;

/** "1000-2000" or "2001": the Who-Is limits, or what is wrong. */
export function parseInstanceRange(text: string): { lowLimit: number; highLimit: number } | string {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
  const low = Number(match?.[1]);
  const high = match?.[2] === undefined ? low : Number(match[2]);
  if (!match || low > high || high > MAX_DEVICE_INSTANCE)
    return `${text}: device instances "low-high" from 0 to ${MAX_DEVICE_INSTANCE}, e.g. 1000-2000`;
  return { lowLimit: low, highLimit: high };
}

/** "ai,bv,multi-state-value": the object types to read, or what is wrong. */
export function parseObjectTypes(text: string): number[] | string {
  const types: number[] = [];
  for (const word of text
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean)) {
    const type = BACNET_OBJECT_TYPES.get(BACNET_TYPE_ABBREVIATIONS[word] ?? word);
    if (type === undefined || !POINT_TYPES.includes(type))
      return `${word}: an object type a point can read: ${POINT_TYPES.map(objectTypeName).join(', ')} (or ai, ao, av, bi, bo, bv, msi, mso, msv, acc)`;
    types.push(type);
  }
  return types.length > 0 ? types : 'no object type given';
}

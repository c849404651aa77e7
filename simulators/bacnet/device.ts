/**
 * A simulated BACnet/IP device: its own small object model (device, analog-input, analog-value,
 * binary-value) served through @bacnet-js/client's events and reply encoders, which have no
 * object model of their own. Answers Who-Is, ReadProperty and (unless told to refuse it, as
 * old controllers do) ReadPropertyMultiple; values and flags are set from outside, and the
 * device can go offline (it then drops every request, as an unplugged controller would).
 */
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import bacnet, {
  ApplicationTag,
  type BACNetAppData,
  type BACNetObjectID,
  type BACNetReadAccess,
  ConfirmedServiceChoice,
  EngineeringUnits,
  ErrorClass,
  ErrorCode,
  ObjectType,
  PropertyIdentifier,
  Reliability,
  Segmentation,
  StatusFlags,
} from '@bacnet-js/client';
import type { Logger } from 'pino';

const BACnetClient = bacnet.default;
const BACNET_PORT = 47808;
/** The largest APDU BACnet/IP carries; what a device without a smaller one accepts. */
const LARGEST_APDU = 1476;
/** No vendor has it: a simulator claims no real vendor's identifier. */
const UNASSIGNED_VENDOR_ID = 999;
/** The library's buffer size for one datagram (its own transport's getMaxPayload). */
const DATAGRAM_BYTES = 1482;
const BVLC_AND_NPDU_BYTES = 6;
const COMPLEX_ACK = 0x30;
const ABORT_FROM_SERVER = 0x71;
const ABORT_SEGMENTATION_NOT_SUPPORTED = 4;
/** A property reference without an array index: the whole property. */
const ARRAY_ALL = 0xffffffff;
const ARRAY_PROPERTIES = new Set<number>([PropertyIdentifier.OBJECT_LIST]);

export type SimObjectType = 'analog-input' | 'analog-value' | 'binary-value';

const OBJECT_TYPES: Record<SimObjectType, ObjectType> = {
  'analog-input': ObjectType.ANALOG_INPUT,
  'analog-value': ObjectType.ANALOG_VALUE,
  'binary-value': ObjectType.BINARY_VALUE,
};

export interface SimObjectConfig {
  type: SimObjectType;
  instance: number;
  name: string;
  /** A BACnet engineering unit (analog objects); no-units when absent. */
  units?: EngineeringUnits;
  /** The present value, or where it comes from (the plant's physics, later). */
  value: number | boolean | (() => number | boolean);
}

/** What can be changed on an object from outside: its value and its health. */
export interface SimObjectState {
  value: number | boolean | (() => number | boolean);
  /** Reliability other than no-fault-detected sets the fault flag, as a real device does. */
  reliability: Reliability;
  outOfService: boolean;
  overridden: boolean;
  inAlarm: boolean;
}

interface SimObject extends SimObjectState {
  readonly config: SimObjectConfig;
  readonly id: BACNetObjectID;
}

export interface SimulatedDeviceOptions {
  /** The address it answers on (its own loopback or LAN address), port 47808 unless given. */
  address: string;
  port?: number;
  /** Where Who-Is broadcasts arrive (127.255.255.255 on loopback). */
  broadcastAddress: string;
  instance: number;
  name: string;
  vendorId?: number;
  vendorName?: string;
  modelName?: string;
  /** Largest APDU it accepts and sends: a larger answer is aborted (segmentation not supported). */
  maxApdu?: number;
  /** Refuse ReadPropertyMultiple, as many older controllers do. */
  refuseReadPropertyMultiple?: boolean;
  objects: SimObjectConfig[];
  log: Logger;
}

/**
 * The library's transport is one socket, and a socket bound to one address does not hear
 * broadcasts: this one adds a second socket bound to the broadcast address (shared, so every
 * device on the link hears each Who-Is). Offline, it drops everything it receives.
 */
class DeviceTransport extends EventEmitter {
  private readonly unicast: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  private readonly broadcast: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  online = true;

  constructor(
    private readonly address: string,
    private readonly port: number,
    private readonly broadcastAddress: string,
    private readonly maxApdu: number,
  ) {
    super();
    for (const socket of [this.unicast, this.broadcast]) {
      socket.on('message', (msg, rinfo) => {
        if (!this.online) return;
        if (rinfo.address === this.address && rinfo.port === this.port) return; // our own broadcast
        this.emit(
          'message',
          msg,
          rinfo.port === BACNET_PORT ? rinfo.address : `${rinfo.address}:${rinfo.port}`,
        );
      });
      socket.on('error', (err) => this.emit('error', err));
    }
  }

  getBroadcastAddress(): string {
    return this.broadcastAddress;
  }

  getMaxPayload(): number {
    return DATAGRAM_BYTES;
  }

  send(buffer: Buffer, length: number, receiver?: string): void {
    const [host = this.broadcastAddress, port] = (receiver ?? this.broadcastAddress).split(':');
    let message = buffer.subarray(0, length);
    // The library would send any length; a device without segmentation aborts instead. (A local
    // device's NPDU is 2 octets: no routing information.)
    if (message[BVLC_AND_NPDU_BYTES] === COMPLEX_ACK && length - BVLC_AND_NPDU_BYTES > this.maxApdu) {
      const invokeId = message[BVLC_AND_NPDU_BYTES + 1] ?? 0;
      message = Buffer.from([
        0x81,
        0x0a,
        0x00,
        0x09,
        0x01,
        0x00,
        ABORT_FROM_SERVER,
        invokeId,
        ABORT_SEGMENTATION_NOT_SUPPORTED,
      ]);
    }
    this.unicast.send(message, Number(port) || BACNET_PORT, host);
  }

  open(): void {
    let bound = 0;
    const onBound = () => {
      if (++bound === 2) {
        this.unicast.setBroadcast(true);
        this.emit('listening', this.unicast.address());
      }
    };
    this.unicast.bind(this.port, this.address, onBound);
    this.broadcast.bind(this.port, this.broadcastAddress, onBound);
  }

  close(): void {
    this.unicast.close();
    this.broadcast.close();
  }
}

const key = (id: BACNetObjectID) => `${id.type}:${id.instance}`;

export class SimulatedBacnetDevice {
  /** Requests answered (or refused) by service: what coalescing saves is counted here. */
  readonly requests = { readProperty: 0, readPropertyMultiple: 0, whoIs: 0 };
  private readonly objects = new Map<string, SimObject>();
  private readonly deviceId: BACNetObjectID;
  private readonly transport: DeviceTransport;
  private readonly client: InstanceType<typeof BACnetClient>;
  private readonly maxApdu: number;

  private constructor(private readonly options: SimulatedDeviceOptions) {
    this.maxApdu = options.maxApdu ?? LARGEST_APDU;
    this.deviceId = { type: ObjectType.DEVICE, instance: options.instance };
    for (const config of options.objects) {
      const id = { type: OBJECT_TYPES[config.type], instance: config.instance };
      this.objects.set(key(id), {
        config,
        id,
        value: config.value,
        reliability: Reliability.NO_FAULT_DETECTED,
        outOfService: false,
        overridden: false,
        inAlarm: false,
      });
    }
    const port = options.port ?? BACNET_PORT;
    this.transport = new DeviceTransport(options.address, port, options.broadcastAddress, this.maxApdu);
    this.client = new BACnetClient({ transport: this.transport });
    this.client.on('error', (err) => options.log.error({ err }, 'simulated BACnet device socket error'));
    this.client.on('whoIs', (content) => {
      this.requests.whoIs++;
      const { lowLimit, highLimit } = content.payload;
      if (lowLimit !== undefined && options.instance < lowLimit) return;
      if (highLimit !== undefined && options.instance > highLimit) return;
      // Unicast to the asker: its socket may be bound to one address and deaf to broadcasts.
      this.client.iAmResponse(
        content.header?.sender ?? { address: options.broadcastAddress },
        options.instance,
        this.segmentation(),
        options.vendorId ?? UNASSIGNED_VENDOR_ID,
      );
    });
    this.client.on('readProperty', (content) => {
      this.requests.readProperty++;
      const sender = content.header?.sender;
      const invokeId = content.invokeId;
      if (!sender || invokeId === undefined) return;
      const { objectId, property } = content.payload;
      const value = this.property(objectId, property.id, property.index);
      if ('errorCode' in value) {
        this.client.errorResponse(
          sender,
          content.service ?? ConfirmedServiceChoice.READ_PROPERTY,
          invokeId,
          value.errorClass,
          value.errorCode,
        );
      } else {
        this.client.readPropertyResponse(sender, invokeId, objectId, property, value.values);
      }
    });
    if (!options.refuseReadPropertyMultiple) {
      this.client.on('readPropertyMultiple', (content) => {
        this.requests.readPropertyMultiple++;
        const sender = content.header?.sender;
        const invokeId = content.invokeId;
        if (!sender || invokeId === undefined) return;
        const results: BACNetReadAccess[] = content.payload.properties.map((spec) => ({
          objectId: spec.objectId,
          values: spec.properties.map((property) => {
            const value = this.property(spec.objectId, property.id, property.index);
            return {
              property,
              value: 'errorCode' in value ? [{ type: ApplicationTag.ERROR, value }] : value.values,
            };
          }),
        }));
        this.client.readPropertyMultipleResponse(sender, invokeId, results);
      });
    }
    // Refusing needs no code: without a listener (nor an unhandledEvent one) the library
    // answers "unrecognized service", as an old controller does.
  }

  /** Starts answering once both sockets are bound; rejects if either cannot be. */
  static async start(options: SimulatedDeviceOptions): Promise<SimulatedBacnetDevice> {
    const device = new SimulatedBacnetDevice(options);
    // The client opened the transport in its constructor; binding completes on a later tick.
    await new Promise<void>((resolve, reject) => {
      device.transport.once('listening', () => resolve());
      device.transport.once('error', reject);
    });
    return device;
  }

  get instance(): number {
    return this.options.instance;
  }

  /** Change an object's value or health: `set('analog-input', 1, { reliability: Reliability.OVER_RANGE })`. */
  set(type: SimObjectType, instance: number, change: Partial<SimObjectState>): void {
    const object = this.objects.get(key({ type: OBJECT_TYPES[type], instance }));
    if (!object) throw new Error(`device ${this.options.instance} has no ${type} ${instance}`);
    Object.assign(object, change);
  }

  /** Offline: every request is dropped unanswered until it is back online. */
  setOnline(online: boolean): void {
    this.transport.online = online;
  }

  close(): void {
    this.client.close();
  }

  private segmentation(): Segmentation {
    return Segmentation.NO_SEGMENTATION;
  }

  private property(
    objectId: BACNetObjectID,
    property: number,
    index = ARRAY_ALL,
  ): { values: BACNetAppData[] } | { errorClass: ErrorClass; errorCode: ErrorCode } {
    const values =
      key(objectId) === key(this.deviceId)
        ? this.deviceProperty(property)
        : this.objectProperty(objectId, property);
    if (values === 'unknown-object')
      return { errorClass: ErrorClass.OBJECT, errorCode: ErrorCode.UNKNOWN_OBJECT };
    if (values === undefined)
      return { errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.UNKNOWN_PROPERTY };
    if (index === ARRAY_ALL) return { values };
    // One element of an array property (the object-list of a device that cannot send it whole):
    // index 0 is the array's length, 1… its elements.
    if (!ARRAY_PROPERTIES.has(property))
      return { errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.PROPERTY_IS_NOT_AN_ARRAY };
    if (index === 0) return { values: [{ type: ApplicationTag.UNSIGNED_INTEGER, value: values.length }] };
    const element = values[index - 1];
    if (element === undefined)
      return { errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.INVALID_ARRAY_INDEX };
    return { values: [element] };
  }

  private deviceProperty(property: number): BACNetAppData[] | undefined {
    const { options } = this;
    switch (property) {
      case PropertyIdentifier.OBJECT_IDENTIFIER:
        return [{ type: ApplicationTag.OBJECTIDENTIFIER, value: this.deviceId }];
      case PropertyIdentifier.OBJECT_NAME:
        return [{ type: ApplicationTag.CHARACTER_STRING, value: options.name }];
      case PropertyIdentifier.OBJECT_LIST:
        return [this.deviceId, ...[...this.objects.values()].map((o) => o.id)].map((value) => ({
          type: ApplicationTag.OBJECTIDENTIFIER,
          value,
        }));
      case PropertyIdentifier.VENDOR_NAME:
        return [
          { type: ApplicationTag.CHARACTER_STRING, value: options.vendorName ?? 'Plantwatch simulators' },
        ];
      case PropertyIdentifier.MODEL_NAME:
        return [
          { type: ApplicationTag.CHARACTER_STRING, value: options.modelName ?? 'simulated BACnet/IP device' },
        ];
      case PropertyIdentifier.MAX_APDU_LENGTH_ACCEPTED:
        return [{ type: ApplicationTag.UNSIGNED_INTEGER, value: this.maxApdu }];
      case PropertyIdentifier.SEGMENTATION_SUPPORTED:
        return [{ type: ApplicationTag.ENUMERATED, value: this.segmentation() }];
      default:
        return undefined;
    }
  }

  private objectProperty(
    objectId: BACNetObjectID,
    property: number,
  ): BACNetAppData[] | 'unknown-object' | undefined {
    const object = this.objects.get(key(objectId));
    if (!object) return 'unknown-object';
    const { config } = object;
    switch (property) {
      case PropertyIdentifier.OBJECT_IDENTIFIER:
        return [{ type: ApplicationTag.OBJECTIDENTIFIER, value: object.id }];
      case PropertyIdentifier.OBJECT_NAME:
        return [{ type: ApplicationTag.CHARACTER_STRING, value: config.name }];
      case PropertyIdentifier.PRESENT_VALUE: {
        const value = typeof object.value === 'function' ? object.value() : object.value;
        return config.type === 'binary-value'
          ? [{ type: ApplicationTag.ENUMERATED, value: value ? 1 : 0 }]
          : [{ type: ApplicationTag.REAL, value: Number(value) }];
      }
      case PropertyIdentifier.UNITS:
        if (config.type === 'binary-value') return undefined;
        return [{ type: ApplicationTag.ENUMERATED, value: config.units ?? EngineeringUnits.NO_UNITS }];
      case PropertyIdentifier.STATUS_FLAGS: {
        const flags = [
          object.inAlarm && StatusFlags.IN_ALARM,
          object.reliability !== Reliability.NO_FAULT_DETECTED && StatusFlags.FAULT,
          object.overridden && StatusFlags.OVERRIDDEN,
          object.outOfService && StatusFlags.OUT_OF_SERVICE,
        ].filter((flag): flag is StatusFlags => flag !== false);
        return [
          { type: ApplicationTag.BIT_STRING, value: { ...BACnetClient.createBitstring(flags), bitsUsed: 4 } },
        ];
      }
      case PropertyIdentifier.RELIABILITY:
        return [{ type: ApplicationTag.ENUMERATED, value: object.reliability }];
      case PropertyIdentifier.OUT_OF_SERVICE:
        return [{ type: ApplicationTag.BOOLEAN, value: object.outOfService }];
      default:
        return undefined;
    }
  }
}

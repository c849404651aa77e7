/**
 * A simulated BACnet router: one port on BACnet/IP, one on a remote network (an MS/TP trunk,
 * network 5 say) with small controllers on it, each known by its one-octet MAC. It does what a
 * router does with the NPDU (clause 6): a request for DNET=<network>/DADR=<mac> goes to that
 * station with the asker as SNET/SADR, the station's answer comes back out on IP with
 * SNET=<network>/SADR=<mac>; a global Who-Is (DNET 0xFFFF) or one for the remote network reaches
 * every station; Who-Is-Router-To-Network is answered with I-Am-Router-To-Network. A request for
 * a station that is not there (or offline) gets no answer, as on a real trunk.
 *
 * Each station is an @bacnet-js/client server on an in-memory "trunk" transport: the library
 * decodes its requests and encodes its answers, the router only rewrites NPDUs. Stations are
 * minimal: a device object and a few analog/binary objects, max-APDU 480 and no segmentation,
 * like an MS/TP controller.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import {
  ApplicationTag,
  type BACNetAppData,
  type BACNetObjectID,
  ConfirmedServiceChoice,
  EngineeringUnits,
  ErrorClass,
  ErrorCode,
  ObjectType,
  PropertyIdentifier,
  Reliability,
  Segmentation,
} from '@bacnet-js/client';
import type { Logger } from 'pino';
import { BACnetClient } from '../../src/acquisition/bacnet/client.js';
import { Bvlc, bipAddress, decodeBip, decodeBvlc, encodeBip, encodeBvlc } from './bbmd.js';
import { readAccessResults } from './device.js';

type Client = InstanceType<typeof BACnetClient>;

const BACNET_PORT = 47808;
/** A global broadcast in DNET: every network. */
const GLOBAL_NETWORK = 0xffff;
/** What an MS/TP controller accepts: its frames carry at most 501 octets. */
const MSTP_MAX_APDU = 480;
const UNASSIGNED_VENDOR_ID = 999;
/** The library's buffer for one message; the station's own limit is applied on the way out. */
const DATAGRAM_BYTES = 1482;
const DEFAULT_HOP_COUNT = 255;
/** A property reference without an array index. */
const ARRAY_ALL = 0xffffffff;

/** NPDU control octet (clause 6.2.2). */
const NPDU_VERSION = 1;
const NETWORK_LAYER_MESSAGE = 0x80;
const DESTINATION_SPECIFIED = 0x20;
const SOURCE_SPECIFIED = 0x08;
const EXPECTING_REPLY = 0x04;
const PRIORITY_BITS = 0x03;
/** Network layer message types (clause 6.2.4). */
export const WHO_IS_ROUTER_TO_NETWORK = 0x00;
export const I_AM_ROUTER_TO_NETWORK = 0x01;

/** APDU first octets (clause 20.1). */
const UNCONFIRMED_REQUEST = 0x10;
const COMPLEX_ACK = 0x30;
const PDU_TYPE_MASK = 0xf0;
const ABORT_FROM_SERVER = 0x71;
const ABORT_SEGMENTATION_NOT_SUPPORTED = 4;
const SERVICE_I_AM = 0x00;

export interface Npdu {
  /** The control octet as sent (priority, expecting-reply, and the flags of what follows). */
  control: number;
  dnet?: number;
  /** Empty for a broadcast on DNET. */
  dadr?: Buffer;
  snet?: number;
  sadr?: Buffer;
  hopCount?: number;
  /** Network layer messages only. */
  messageType?: number;
  /** The APDU, or a network layer message's own data. */
  payload: Buffer;
}

/** An NPDU, or undefined for a malformed one. */
export function decodeNpdu(bytes: Buffer): Npdu | undefined {
  if (bytes.length < 2 || bytes[0] !== NPDU_VERSION) return undefined;
  const control = bytes[1] ?? 0;
  const npdu: Npdu = { control, payload: Buffer.alloc(0) };
  let offset = 2;
  const address = () => {
    if (offset + 3 > bytes.length) return undefined;
    const net = bytes.readUInt16BE(offset);
    const length = bytes[offset + 2] ?? 0;
    const adr = bytes.subarray(offset + 3, offset + 3 + length);
    offset += 3 + length;
    return adr.length === length ? { net, adr } : undefined;
  };
  if (control & DESTINATION_SPECIFIED) {
    const destination = address();
    if (!destination) return undefined;
    npdu.dnet = destination.net;
    npdu.dadr = destination.adr;
  }
  if (control & SOURCE_SPECIFIED) {
    const source = address();
    if (!source) return undefined;
    npdu.snet = source.net;
    npdu.sadr = source.adr;
  }
  if (control & DESTINATION_SPECIFIED) npdu.hopCount = bytes[offset++];
  if (control & NETWORK_LAYER_MESSAGE) {
    npdu.messageType = bytes[offset++];
    if ((npdu.messageType ?? 0) >= 0x80) offset += 2; // a vendor's message: its vendor id
  }
  if (offset > bytes.length) return undefined;
  npdu.payload = bytes.subarray(offset);
  return npdu;
}

/** An NPDU: `control` gives priority, expecting-reply and network-message; the rest is set here. */
export function encodeNpdu(npdu: Npdu): Buffer {
  const flags = npdu.control & (NETWORK_LAYER_MESSAGE | EXPECTING_REPLY | PRIORITY_BITS);
  const bytes = [
    NPDU_VERSION,
    flags |
      (npdu.dnet !== undefined ? DESTINATION_SPECIFIED : 0) |
      (npdu.snet !== undefined ? SOURCE_SPECIFIED : 0),
  ];
  const address = (net: number, adr: Buffer | undefined) =>
    bytes.push(net >> 8, net & 0xff, adr?.length ?? 0, ...(adr ?? []));
  if (npdu.dnet !== undefined) address(npdu.dnet, npdu.dadr);
  if (npdu.snet !== undefined) address(npdu.snet, npdu.sadr);
  if (npdu.dnet !== undefined) bytes.push(npdu.hopCount ?? DEFAULT_HOP_COUNT);
  if (flags & NETWORK_LAYER_MESSAGE) bytes.push(npdu.messageType ?? 0);
  return Buffer.concat([Buffer.from(bytes), npdu.payload]);
}

/** An application-tagged unsigned (tag 2) in as few octets as it takes. */
function unsigned(value: number): number[] {
  const octets: number[] = [];
  for (let v = value; octets.length === 0 || v > 0; v = Math.floor(v / 256)) octets.unshift(v & 0xff);
  return [0x20 | octets.length, ...octets];
}

export type StationObjectType = 'analog-input' | 'analog-value' | 'binary-value';

const OBJECT_TYPES: Record<StationObjectType, ObjectType> = {
  'analog-input': ObjectType.ANALOG_INPUT,
  'analog-value': ObjectType.ANALOG_VALUE,
  'binary-value': ObjectType.BINARY_VALUE,
};

export interface StationObjectConfig {
  type: StationObjectType;
  instance: number;
  name: string;
  units?: EngineeringUnits;
  value: number | boolean;
}

export interface RoutedStationConfig {
  /** Its MS/TP MAC address (0–127 for a master). */
  mac: number;
  /** Its device object's instance. */
  instance: number;
  name: string;
  /** 480 unless given: what an MS/TP controller accepts. */
  maxApdu?: number;
  vendorId?: number;
  objects: StationObjectConfig[];
}

export interface SimulatedRouterOptions {
  /** The router's B/IP address; port 47808 unless given. */
  address: string;
  port?: number;
  /** The IP subnet's broadcast address (global Who-Is and Who-Is-Router-To-Network arrive there). */
  broadcastAddress: string;
  /** The remote network's number, behind the router. */
  network: number;
  /** The IP side's network number, which the stations see as the asker's SNET: 1 unless given. */
  ipNetwork?: number;
  stations: RoutedStationConfig[];
  log: Logger;
}

/** The trunk as one station's library sees it: messages in from the router, answers out to it. */
class TrunkTransport extends EventEmitter {
  constructor(private readonly toRouter: (datagram: Buffer) => void) {
    super();
  }

  getBroadcastAddress(): string {
    return 'trunk-broadcast';
  }

  getMaxPayload(): number {
    return DATAGRAM_BYTES;
  }

  send(buffer: Buffer, length: number): void {
    this.toRouter(Buffer.from(buffer.subarray(0, length)));
  }

  open(): void {
    setImmediate(() => this.emit('listening', { address: 'trunk', port: 0 }));
  }

  close(): void {}
}

/** Where the library thinks a station's requests come from: the router's trunk port. */
const ROUTER_ON_TRUNK = 'router';

/** One controller on the trunk. */
export class RoutedStation {
  /** Requests it answered (the library decoded them), as a test counts. */
  readonly requests = { whoIs: 0, readProperty: 0, readPropertyMultiple: 0 };
  /** Offline: it answers nothing, as an unpowered controller (the token passes it by). */
  online = true;
  readonly maxApdu: number;
  private readonly client: Client;
  private readonly transport: TrunkTransport;
  private readonly deviceId: BACNetObjectID;
  private readonly values = new Map<string, number | boolean>();

  constructor(
    readonly config: RoutedStationConfig,
    toRouter: (station: RoutedStation, npdu: Buffer) => void,
    log: Logger,
  ) {
    this.maxApdu = config.maxApdu ?? MSTP_MAX_APDU;
    this.deviceId = { type: ObjectType.DEVICE, instance: config.instance };
    for (const object of config.objects) this.values.set(`${object.type}:${object.instance}`, object.value);
    // The library hands its transport whole BVLC messages: the trunk carries the NPDU.
    this.transport = new TrunkTransport((datagram) => {
      const bvlc = decodeBvlc(datagram);
      if (bvlc) toRouter(this, bvlc.body);
    });
    this.client = new BACnetClient({ transport: this.transport });
    this.client.on('error', (err) => log.error({ err }, 'simulated routed station error'));
    this.client.on('whoIs', (content) => {
      this.requests.whoIs++;
      const sender = content.header?.sender;
      const { lowLimit, highLimit } = content.payload;
      if (!sender || sender.net === undefined) return;
      if (lowLimit !== undefined && config.instance < lowLimit) return;
      if (highLimit !== undefined && config.instance > highLimit) return;
      toRouter(this, this.iAm(sender.net, Buffer.from(sender.adr ?? [])));
    });
    this.client.on('readProperty', (content) => {
      this.requests.readProperty++;
      const sender = content.header?.sender;
      const invokeId = content.invokeId;
      if (!sender || invokeId === undefined) return;
      const { objectId, property } = content.payload;
      const value = this.property(objectId, property.id, property.index);
      if ('errorCode' in value)
        this.client.errorResponse(
          sender,
          ConfirmedServiceChoice.READ_PROPERTY,
          invokeId,
          value.errorClass,
          value.errorCode,
        );
      else this.client.readPropertyResponse(sender, invokeId, objectId, property, value.values);
    });
    this.client.on('readPropertyMultiple', (content) => {
      this.requests.readPropertyMultiple++;
      const sender = content.header?.sender;
      const invokeId = content.invokeId;
      if (!sender || invokeId === undefined) return;
      const results = readAccessResults(content.payload.properties, (objectId, id, index) =>
        this.property(objectId, id, index),
      );
      this.client.readPropertyMultipleResponse(sender, invokeId, results);
    });
  }

  /** A message for this station, from the router, as a BVLC datagram the library can read. */
  deliver(npdu: Buffer, broadcast: boolean): void {
    if (!this.online) return;
    const fn = broadcast ? Bvlc.ORIGINAL_BROADCAST_NPDU : Bvlc.ORIGINAL_UNICAST_NPDU;
    this.transport.emit('message', encodeBvlc(fn, npdu), ROUTER_ON_TRUNK);
  }

  /** Changes an object's present value. */
  set(type: StationObjectType, instance: number, value: number | boolean): void {
    const key = `${type}:${instance}`;
    if (!this.values.has(key)) throw new Error(`station ${this.config.mac} has no ${type} ${instance}`);
    this.values.set(key, value);
  }

  close(): void {
    this.client.close();
  }

  /**
   * I-Am, encoded here rather than by the library, whose I-Am announces its own datagram
   * size (1482) as max-APDU: a station says the 480 it accepts.
   */
  private iAm(dnet: number, dadr: Buffer): Buffer {
    const id = Buffer.alloc(4);
    id.writeUInt32BE(((ObjectType.DEVICE << 22) | this.config.instance) >>> 0);
    const apdu = Buffer.from([
      UNCONFIRMED_REQUEST,
      SERVICE_I_AM,
      0xc4, // object identifier, 4 octets
      ...id,
      ...unsigned(this.maxApdu),
      0x91, // enumerated, 1 octet
      Segmentation.NO_SEGMENTATION,
      ...unsigned(this.config.vendorId ?? UNASSIGNED_VENDOR_ID),
    ]);
    return encodeNpdu({ control: 0, dnet, dadr, payload: apdu });
  }

  private property(
    objectId: BACNetObjectID,
    property: number,
    index = ARRAY_ALL,
  ): { values: BACNetAppData[] } | { errorClass: ErrorClass; errorCode: ErrorCode } {
    const values =
      objectId.type === ObjectType.DEVICE && objectId.instance === this.config.instance
        ? this.deviceProperty(property)
        : this.objectProperty(objectId, property);
    if (values === 'unknown-object')
      return { errorClass: ErrorClass.OBJECT, errorCode: ErrorCode.UNKNOWN_OBJECT };
    if (values === undefined)
      return { errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.UNKNOWN_PROPERTY };
    if (index !== ARRAY_ALL)
      return { errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.PROPERTY_IS_NOT_AN_ARRAY };
    return { values };
  }

  private deviceProperty(property: number): BACNetAppData[] | undefined {
    switch (property) {
      case PropertyIdentifier.OBJECT_IDENTIFIER:
        return [{ type: ApplicationTag.OBJECTIDENTIFIER, value: this.deviceId }];
      case PropertyIdentifier.OBJECT_NAME:
        return [{ type: ApplicationTag.CHARACTER_STRING, value: this.config.name }];
      case PropertyIdentifier.OBJECT_LIST:
        return [
          this.deviceId,
          ...this.config.objects.map((o) => ({ type: OBJECT_TYPES[o.type], instance: o.instance })),
        ].map((value) => ({ type: ApplicationTag.OBJECTIDENTIFIER, value }));
      case PropertyIdentifier.VENDOR_IDENTIFIER:
        return [
          { type: ApplicationTag.UNSIGNED_INTEGER, value: this.config.vendorId ?? UNASSIGNED_VENDOR_ID },
        ];
      case PropertyIdentifier.MAX_APDU_LENGTH_ACCEPTED:
        return [{ type: ApplicationTag.UNSIGNED_INTEGER, value: this.maxApdu }];
      case PropertyIdentifier.SEGMENTATION_SUPPORTED:
        return [{ type: ApplicationTag.ENUMERATED, value: Segmentation.NO_SEGMENTATION }];
      default:
        return undefined;
    }
  }

  private objectProperty(
    objectId: BACNetObjectID,
    property: number,
  ): BACNetAppData[] | 'unknown-object' | undefined {
    const config = this.config.objects.find(
      (o) => OBJECT_TYPES[o.type] === objectId.type && o.instance === objectId.instance,
    );
    if (!config) return 'unknown-object';
    const binary = config.type === 'binary-value';
    switch (property) {
      case PropertyIdentifier.OBJECT_IDENTIFIER:
        return [{ type: ApplicationTag.OBJECTIDENTIFIER, value: objectId }];
      case PropertyIdentifier.OBJECT_NAME:
        return [{ type: ApplicationTag.CHARACTER_STRING, value: config.name }];
      case PropertyIdentifier.PRESENT_VALUE: {
        const value = this.values.get(`${config.type}:${config.instance}`) ?? config.value;
        return binary
          ? [{ type: ApplicationTag.ENUMERATED, value: value ? 1 : 0 }]
          : [{ type: ApplicationTag.REAL, value: Number(value) }];
      }
      case PropertyIdentifier.STATUS_FLAGS:
        return [
          { type: ApplicationTag.BIT_STRING, value: { ...BACnetClient.createBitstring([]), bitsUsed: 4 } },
        ];
      case PropertyIdentifier.RELIABILITY:
        return [{ type: ApplicationTag.ENUMERATED, value: Reliability.NO_FAULT_DETECTED }];
      case PropertyIdentifier.OUT_OF_SERVICE:
        return [{ type: ApplicationTag.BOOLEAN, value: false }];
      case PropertyIdentifier.UNITS:
        if (binary) return undefined;
        return [{ type: ApplicationTag.ENUMERATED, value: config.units ?? EngineeringUnits.NO_UNITS }];
      default:
        return undefined;
    }
  }
}

export class SimulatedBacnetRouter {
  /** What the router did, as a test counts. */
  readonly counts = {
    /** Requests passed to a station. */
    toStations: 0,
    /** Answers passed from a station out onto IP. */
    fromStations: 0,
    /** Dropped: a DADR no station on the trunk has, or a station offline. */
    noSuchStation: 0,
    /** Dropped: a DNET this router does not reach. */
    unknownNetwork: 0,
    whoIsRouterToNetwork: 0,
  };
  private readonly unicast: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  private readonly broadcast: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  private readonly stations = new Map<number, RoutedStation>();
  private readonly port: number;
  private readonly ipNetwork: number;

  private constructor(private readonly options: SimulatedRouterOptions) {
    this.port = options.port ?? BACNET_PORT;
    this.ipNetwork = options.ipNetwork ?? 1;
    for (const config of options.stations)
      this.stations.set(
        config.mac,
        new RoutedStation(config, (station, npdu) => this.fromStation(station, npdu), options.log),
      );
    for (const socket of [this.unicast, this.broadcast]) {
      socket.on('message', (datagram, rinfo) => this.fromIp(datagram, rinfo));
      socket.on('error', (err) => options.log.error({ err }, 'simulated BACnet router socket error'));
    }
  }

  /** Resolves once both its IP sockets are bound. */
  static async start(options: SimulatedRouterOptions): Promise<SimulatedBacnetRouter> {
    const router = new SimulatedBacnetRouter(options);
    const bind = (socket: Socket, address: string) =>
      new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(router.port, address, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    await bind(router.unicast, options.address);
    await bind(router.broadcast, options.broadcastAddress);
    router.unicast.setBroadcast(true);
    return router;
  }

  station(mac: number): RoutedStation {
    const station = this.stations.get(mac);
    if (!station) throw new Error(`no station ${mac} behind the router`);
    return station;
  }

  close(): void {
    for (const station of this.stations.values()) station.close();
    this.unicast.close();
    this.broadcast.close();
  }

  private sendIp(npdu: Buffer, to: string | undefined): void {
    const fn = to === undefined ? Bvlc.ORIGINAL_BROADCAST_NPDU : Bvlc.ORIGINAL_UNICAST_NPDU;
    const [ip = '', port] = (to ?? this.options.broadcastAddress).split(':');
    this.unicast.send(encodeBvlc(fn, npdu), port === undefined ? BACNET_PORT : Number(port), ip);
  }

  private fromIp(datagram: Buffer, rinfo: RemoteInfo): void {
    if (rinfo.address === this.options.address && rinfo.port === this.port) return; // its own broadcast
    const bvlc = decodeBvlc(datagram);
    if (!bvlc) return;
    let from = bipAddress(rinfo.address, rinfo.port);
    if (bvlc.function === Bvlc.FORWARDED_NPDU && bvlc.originating) from = bvlc.originating;
    else if (bvlc.function !== Bvlc.ORIGINAL_UNICAST_NPDU && bvlc.function !== Bvlc.ORIGINAL_BROADCAST_NPDU)
      return;
    const npdu = decodeNpdu(bvlc.body);
    if (!npdu) return;
    if (npdu.control & NETWORK_LAYER_MESSAGE) {
      this.networkMessage(npdu, from);
      return;
    }
    // No DNET: for the router itself, which is no BACnet device here.
    if (npdu.dnet === undefined) return;
    const toAll = npdu.dnet === GLOBAL_NETWORK || (npdu.dnet === this.options.network && !npdu.dadr?.length);
    if (!toAll && npdu.dnet !== this.options.network) {
      this.counts.unknownNetwork++;
      return;
    }
    // On the trunk the asker is SNET/SADR: the IP side's network and its B/IP address. (Always
    // on IP here: this router is the only one, so no request arrives with an SNET already.)
    const onTrunk = encodeNpdu({
      control: npdu.control,
      snet: this.ipNetwork,
      sadr: encodeBip(from),
      payload: npdu.payload,
    });
    if (toAll) {
      for (const station of this.stations.values()) {
        this.counts.toStations++;
        station.deliver(onTrunk, true);
      }
      return;
    }
    const station = npdu.dadr?.length === 1 ? this.stations.get(npdu.dadr[0] ?? -1) : undefined;
    if (!station?.online) {
      this.counts.noSuchStation++;
      return;
    }
    this.counts.toStations++;
    station.deliver(onTrunk, false);
  }

  /**
   * Who-Is-Router-To-Network, for any network or for ours: I-Am-Router-To-Network [ours]. A real
   * router broadcasts it; this one answers the asker, whose socket may be bound to one address
   * and deaf to broadcasts (as the simulated devices answer Who-Is).
   */
  private networkMessage(npdu: Npdu, from: string): void {
    if (npdu.messageType !== WHO_IS_ROUTER_TO_NETWORK || npdu.dnet !== undefined) return;
    const asked = npdu.payload.length >= 2 ? npdu.payload.readUInt16BE(0) : undefined;
    if (asked !== undefined && asked !== this.options.network) return;
    this.counts.whoIsRouterToNetwork++;
    const networks = Buffer.alloc(2);
    networks.writeUInt16BE(this.options.network);
    this.sendIp(
      encodeNpdu({
        control: NETWORK_LAYER_MESSAGE,
        messageType: I_AM_ROUTER_TO_NETWORK,
        payload: networks,
      }),
      from,
    );
  }

  /**
   * A station's message out onto IP, its NPDU's DNET/DADR (the asker's B/IP address on the IP
   * network, or a global broadcast) turned into SNET/SADR (the station on the remote network).
   */
  private fromStation(station: RoutedStation, bytes: Buffer): void {
    const npdu = decodeNpdu(bytes);
    if (!npdu) return;
    const unicast = npdu.dnet === this.ipNetwork && npdu.dadr?.length === 6;
    if (!unicast && npdu.dnet !== GLOBAL_NETWORK) return; // for the trunk only, or nowhere known
    let apdu = npdu.payload;
    // No segmentation: an answer longer than the station's max-APDU is aborted, as the
    // controller would.
    if (((apdu[0] ?? 0) & PDU_TYPE_MASK) === COMPLEX_ACK && apdu.length > station.maxApdu)
      apdu = Buffer.from([ABORT_FROM_SERVER, apdu[1] ?? 0, ABORT_SEGMENTATION_NOT_SUPPORTED]);
    const out = encodeNpdu({
      control: npdu.control,
      snet: this.options.network,
      sadr: Buffer.from([station.config.mac]),
      payload: apdu,
    });
    this.counts.fromStations++;
    this.sendIp(out, unicast && npdu.dadr ? decodeBip(npdu.dadr) : undefined);
  }
}

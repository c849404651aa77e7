/**
 * A simulated BACnet/IP device: its own small object model (device, analog, binary,
 * multi-state and accumulator objects) served through @bacnet-js/client's events and reply
 * encoders, which have no object model of their own. Answers Who-Is, ReadProperty and (unless
 * told to refuse it, as old controllers do) ReadPropertyMultiple; takes COV subscriptions and
 * notifies its subscribers (confirmed or not) of changes; sends segmented answers when told it
 * can, and aborts an answer too long for its APDU when it cannot. Values and flags are set from
 * outside; the device can go offline (it then drops everything, as an unplugged controller
 * would) and restart (forgetting its subscriptions).
 */
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import {
  ApplicationTag,
  type BACNetAddress,
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
import { BACnetClient } from '../../src/acquisition/bacnet/client.js';

const BACNET_PORT = 47808;
/** The largest APDU BACnet/IP carries; what a device without a smaller one accepts. */
const LARGEST_APDU = 1476;
/** No vendor has it: a simulator claims no real vendor's identifier. */
const UNASSIGNED_VENDOR_ID = 999;
/** The library's buffer size for one datagram (its own transport's getMaxPayload). */
const DATAGRAM_BYTES = 1482;
/** Room to encode an answer longer than one datagram, sent in segments. */
const SEGMENTED_ANSWER_BYTES = 64 * 1024;
const BVLC_BYTES = 4;
const BVLC_FORWARDED_NPDU = 0x04;
/** BVLC functions that carry an NPDU: forwarded, distribute-broadcast, original unicast and broadcast. */
const BVLC_WITH_NPDU = new Set([0x04, 0x09, 0x0a, 0x0b]);
const PDU_TYPE_MASK = 0xf0;
const CONFIRMED_REQUEST = 0x00;
const SIMPLE_ACK = 0x20;
const COMPLEX_ACK = 0x30;
const SEGMENT_ACK = 0x40;
const SEGMENTED_MESSAGE = 0x08;
const MORE_FOLLOWS = 0x04;
const SEGMENTED_RESPONSE_ACCEPTED = 0x02;
const SEGMENT_ACK_NEGATIVE = 0x02;
/** An Abort PDU sent by the server (the 0x01 bit). */
const ABORT_FROM_SERVER = 0x71;
const ABORT_BUFFER_OVERFLOW = 1;
const ABORT_SEGMENTATION_NOT_SUPPORTED = 4;
/** A segmented complex-ack's header: type, invoke id, sequence number, window size, service. */
const SEGMENT_HEADER_BYTES = 5;
/** Segments sent before waiting for an acknowledgement. */
const PROPOSED_WINDOW = 4;
/** A segmented answer whose client stops acknowledging is given up after this. */
const SEGMENT_TIMEOUT_MS = 2_000;
/** Max-APDU-accepted codes of a confirmed request (its second octet's low nibble), in octets. */
const APDU_OCTETS = [50, 128, 206, 480, 1024, 1476];
/** Max-segments-accepted codes (the high nibble): 0 unspecified, 7 more than 64. */
const SEGMENTS_ACCEPTED = [Number.POSITIVE_INFINITY, 2, 4, 8, 16, 32, 64, Number.POSITIVE_INFINITY];
/** How often subscribed objects are looked at for changes a value function makes. */
const COV_CHECK_MS = 100;
/** A property reference without an array index: the whole property. */
const ARRAY_ALL = 0xffffffff;
const ARRAY_PROPERTIES = new Set<number>([PropertyIdentifier.OBJECT_LIST]);

export type SimObjectType =
  | 'analog-input'
  | 'analog-value'
  | 'binary-input'
  | 'binary-value'
  | 'multi-state-value'
  | 'accumulator';

export const SIM_OBJECT_TYPES: Record<SimObjectType, ObjectType> = {
  'analog-input': ObjectType.ANALOG_INPUT,
  'analog-value': ObjectType.ANALOG_VALUE,
  'binary-input': ObjectType.BINARY_INPUT,
  'binary-value': ObjectType.BINARY_VALUE,
  'multi-state-value': ObjectType.MULTI_STATE_VALUE,
  accumulator: ObjectType.ACCUMULATOR,
};

const isAnalog = (type: SimObjectType) => type === 'analog-input' || type === 'analog-value';
const isBinary = (type: SimObjectType) => type === 'binary-input' || type === 'binary-value';

export interface SimObjectConfig {
  type: SimObjectType;
  instance: number;
  name: string;
  /** A BACnet engineering unit (analog objects); no-units when absent. */
  units?: EngineeringUnits;
  /** The present value, or where it comes from (the plant's physics, later). */
  value: number | boolean | (() => number | boolean);
  /** Analog objects: the change that makes a COV notification (its COV_Increment); 0.1 if absent. */
  covIncrement?: number;
  /** Its relinquish-default property (commandable values: the value with no command in force). */
  relinquishDefault?: number | boolean;
  /** False: the object takes no COV subscription (the device answers an error). */
  cov?: boolean;
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

/**
 * How it treats SubscribeCOV: notify (as it should), refuse (an Error for every object, as a
 * controller without COV does), or silent (accepts, then never notifies: a device whose COV is
 * broken, the case a subscriber must notice by itself).
 */
export type SimCovBehaviour = 'notify' | 'refuse' | 'silent';

export interface SimulatedDeviceOptions {
  /** The address it answers on (its own loopback or LAN address). */
  address: string;
  /** Its UDP port: 47808 unless given; 0 for any free one (see `port` once started). */
  port?: number;
  /**
   * Where Who-Is broadcasts arrive (127.255.255.255 on loopback); absent: it hears only what
   * is sent to its own address (no Who-Is by broadcast).
   */
  broadcastAddress?: string;
  instance: number;
  name: string;
  vendorId?: number;
  vendorName?: string;
  modelName?: string;
  /** Largest APDU it accepts and sends (per segment): a larger answer is segmented or aborted. */
  maxApdu?: number;
  /**
   * What its device object's max-apdu-length-accepted says, when it says more than `maxApdu`:
   * a device whose answers are cut although its max-APDU says they fit.
   */
  claimedMaxApdu?: number;
  /** 'both': answers too long for one APDU are sent in segments; 'none' (default): aborted. */
  segmentation?: 'both' | 'none';
  /** Refuse ReadPropertyMultiple, as many older controllers do. */
  refuseReadPropertyMultiple?: boolean;
  cov?: SimCovBehaviour;
  /** Every answer sent this much later: a slow controller, or one at the end of a busy link. */
  answerDelayMs?: number;
  /** Told of each confirmed request as it arrives and as it is answered (the tests' in-flight count). */
  onRequest?: (phase: 'received' | 'answered') => void;
  objects: SimObjectConfig[];
  log: Logger;
}

/** What a confirmed request said of the answers its sender takes. */
interface RequestTerms {
  segmentedAccepted: boolean;
  maxApdu: number;
  maxSegments: number;
}

/** A segmented answer being sent: its datagrams, and the highest one sent. */
interface SegmentTransfer {
  receiver: string;
  datagrams: Buffer[];
  sentUpTo: number;
  timer: NodeJS.Timeout;
}

/** The NPDU's length at `offset`: version, control, then DNET/DLEN/DADR, SNET/SLEN/SADR, hop count. */
function npduLength(message: Buffer, offset: number): number {
  const control = message[offset + 1] ?? 0;
  let length = 2;
  if (control & 0x20) length += 3 + (message[offset + length + 2] ?? 0);
  if (control & 0x08) length += 3 + (message[offset + length + 2] ?? 0);
  if (control & 0x20) length += 1;
  if (control & 0x80) length += 1 + ((message[offset + length] ?? 0) >= 0x80 ? 2 : 0);
  return length;
}

/** The BVLC header's length: 10 for a forwarded NPDU (it carries the originator), else 4. */
function bvlcLength(message: Buffer): number {
  return message[1] === BVLC_FORWARDED_NPDU ? 10 : BVLC_BYTES;
}

/** A BVLC header (original-unicast) for a datagram of `length` octets. */
function bvlc(length: number): Buffer {
  return Buffer.from([0x81, 0x0a, length >> 8, length & 0xff]);
}

/**
 * The library's transport is one socket, and a socket bound to one address does not hear
 * broadcasts: this one adds a second socket bound to the broadcast address (shared, so every
 * device on the link hears each Who-Is). It also does what the library cannot: it sends an answer
 * too long for the device's APDU in segments (or aborts it), and takes the segment
 * acknowledgements itself (the library would treat one as a segment of its own, answer it, and
 * loop). Offline, it drops everything, both ways.
 */
class DeviceTransport extends EventEmitter {
  private readonly unicast: Socket;
  private readonly broadcast: Socket | undefined;
  private readonly terms = new Map<string, RequestTerms>();
  private readonly transfers = new Map<string, SegmentTransfer>();
  online = true;
  private closed = false;
  /** The buffer the library encodes an answer in: enlarged while a long answer is encoded. */
  payloadBytes = DATAGRAM_BYTES;
  port: number;

  constructor(
    private readonly address: string,
    port: number,
    private readonly broadcastAddress: string | undefined,
    private readonly maxApdu: number,
    private readonly segmented: boolean,
    private readonly answerDelayMs: number,
    private readonly onRequest: ((phase: 'received' | 'answered') => void) | undefined,
  ) {
    super();
    this.port = port;
    // Not shared when the system picks the port: two sockets that allow sharing may be given the
    // same one (Linux), and one device would then get the other's requests.
    this.unicast = createSocket({ type: 'udp4', reuseAddr: port !== 0 });
    if (broadcastAddress !== undefined) this.broadcast = createSocket({ type: 'udp4', reuseAddr: true });
    for (const socket of this.sockets()) {
      socket.on('message', (msg, rinfo) => {
        if (!this.online) return;
        if (rinfo.address === this.address && rinfo.port === this.port) return; // our own broadcast
        const sender = rinfo.port === BACNET_PORT ? rinfo.address : `${rinfo.address}:${rinfo.port}`;
        if (this.received(msg, sender)) this.emit('message', msg, sender);
      });
      socket.on('error', (err) => this.emit('error', err));
    }
  }

  private sockets(): Socket[] {
    return this.broadcast ? [this.unicast, this.broadcast] : [this.unicast];
  }

  getBroadcastAddress(): string {
    return this.broadcastAddress ?? '255.255.255.255';
  }

  getMaxPayload(): number {
    return this.payloadBytes;
  }

  /** Notes what a confirmed request accepts; takes segment acknowledgements. False: not for the library. */
  private received(msg: Buffer, sender: string): boolean {
    if (msg.length < BVLC_BYTES + 2 || !BVLC_WITH_NPDU.has(msg[1] ?? 0)) return true;
    const npdu = bvlcLength(msg);
    const apdu = npdu + npduLength(msg, npdu);
    const type = msg[apdu] ?? 0;
    if ((type & PDU_TYPE_MASK) === SEGMENT_ACK) {
      this.segmentAcknowledged(
        sender,
        msg[apdu + 1] ?? 0,
        msg[apdu + 2] ?? 0,
        msg[apdu + 3] ?? 1,
        (type & SEGMENT_ACK_NEGATIVE) !== 0,
      );
      return false;
    }
    if ((type & PDU_TYPE_MASK) === CONFIRMED_REQUEST) {
      const limits = msg[apdu + 1] ?? 0;
      this.terms.set(`${sender}|${msg[apdu + 2]}`, {
        segmentedAccepted: (type & SEGMENTED_RESPONSE_ACCEPTED) !== 0,
        maxApdu: APDU_OCTETS[limits & 0x0f] ?? LARGEST_APDU,
        maxSegments: SEGMENTS_ACCEPTED[(limits >> 4) & 0x07] ?? Number.POSITIVE_INFINITY,
      });
      this.onRequest?.('received');
    }
    return true;
  }

  send(buffer: Buffer, length: number, receiver?: string): void {
    if (!this.online) return;
    const to = receiver ?? this.getBroadcastAddress();
    const message = Buffer.from(buffer.subarray(0, length));
    const npduAt = bvlcLength(message);
    const apdu = npduAt + npduLength(message, npduAt);
    const type = message[apdu] ?? 0;
    const pduType = type & PDU_TYPE_MASK;
    const isAnswer = pduType >= SIMPLE_ACK && pduType !== SEGMENT_ACK;
    if (!isAnswer) {
      this.transmit([message], to);
      return;
    }
    const invokeId = message[apdu + 1] ?? 0;
    const terms = this.terms.get(`${to}|${invokeId}`);
    this.terms.delete(`${to}|${invokeId}`);
    // Counted answered once it leaves (after the delay of a slow device).
    if (terms && this.onRequest) {
      const onRequest = this.onRequest;
      if (this.answerDelayMs > 0) setTimeout(() => onRequest('answered'), this.answerDelayMs);
      else onRequest('answered');
    }
    const limit = Math.min(this.maxApdu, terms?.maxApdu ?? LARGEST_APDU);
    if (pduType !== COMPLEX_ACK || length - apdu <= limit) {
      this.transmit([message], to);
      return;
    }
    // Too long for one APDU: in segments where both sides can, else aborted as a device does.
    const segments = Math.ceil((length - apdu - 3) / (limit - SEGMENT_HEADER_BYTES));
    if (!this.segmented || !terms?.segmentedAccepted || segments > terms.maxSegments) {
      const reason =
        this.segmented && terms?.segmentedAccepted ? ABORT_BUFFER_OVERFLOW : ABORT_SEGMENTATION_NOT_SUPPORTED;
      const npdu = message.subarray(npduAt, apdu);
      const abort = Buffer.from([ABORT_FROM_SERVER, invokeId, reason]);
      const total = BVLC_BYTES + npdu.length + abort.length;
      this.transmit([Buffer.concat([bvlc(total), npdu, abort])], to);
      return;
    }
    this.sendSegmented(message, npduAt, apdu, limit, to);
  }

  /** Splits a complex-ack into segments of `limit` octets and sends the first window. */
  private sendSegmented(message: Buffer, npduAt: number, apdu: number, limit: number, to: string): void {
    const npdu = message.subarray(npduAt, apdu);
    const invokeId = message[apdu + 1] ?? 0;
    const service = message[apdu + 2] ?? 0;
    const body = message.subarray(apdu + 3);
    const chunk = limit - SEGMENT_HEADER_BYTES;
    const count = Math.ceil(body.length / chunk);
    const datagrams: Buffer[] = [];
    for (let seq = 0; seq < count; seq++) {
      const more = seq < count - 1 ? MORE_FOLLOWS : 0;
      const header = Buffer.from([
        COMPLEX_ACK | SEGMENTED_MESSAGE | more,
        invokeId,
        seq,
        PROPOSED_WINDOW,
        service,
      ]);
      const part = body.subarray(seq * chunk, (seq + 1) * chunk);
      const total = BVLC_BYTES + npdu.length + header.length + part.length;
      datagrams.push(Buffer.concat([bvlc(total), npdu, header, part]));
    }
    const key = `${to}|${invokeId}`;
    const previous = this.transfers.get(key);
    if (previous) clearTimeout(previous.timer);
    const transfer: SegmentTransfer = {
      receiver: to,
      datagrams,
      sentUpTo: -1,
      timer: setTimeout(() => this.transfers.delete(key), SEGMENT_TIMEOUT_MS),
    };
    this.transfers.set(key, transfer);
    this.sendWindow(transfer, PROPOSED_WINDOW - 1);
  }

  private sendWindow(transfer: SegmentTransfer, upTo: number): void {
    const last = Math.min(upTo, transfer.datagrams.length - 1);
    const window = transfer.datagrams.slice(transfer.sentUpTo + 1, last + 1);
    transfer.sentUpTo = Math.max(transfer.sentUpTo, last);
    this.transmit(window, transfer.receiver);
  }

  /** A SegmentACK acknowledges every segment up to `seq` and opens a window of `window` after it. */
  private segmentAcknowledged(
    sender: string,
    invokeId: number,
    seq: number,
    window: number,
    negative: boolean,
  ): void {
    const key = `${sender}|${invokeId}`;
    const transfer = this.transfers.get(key);
    if (!transfer) return;
    if (seq >= transfer.datagrams.length - 1 && !negative) {
      clearTimeout(transfer.timer);
      this.transfers.delete(key);
      return;
    }
    if (negative) transfer.sentUpTo = seq; // sent again from the one after
    this.sendWindow(transfer, seq + Math.max(1, window));
  }

  private transmit(datagrams: Buffer[], to: string): void {
    const [host = this.getBroadcastAddress(), port] = to.split(':');
    const send = () => {
      if (!this.online || this.closed) return;
      for (const datagram of datagrams) this.unicast.send(datagram, Number(port) || BACNET_PORT, host);
    };
    if (this.answerDelayMs > 0) setTimeout(send, this.answerDelayMs);
    else send();
  }

  /** Forgets the segmented answers under way (a restart). */
  reset(): void {
    for (const transfer of this.transfers.values()) clearTimeout(transfer.timer);
    this.transfers.clear();
    this.terms.clear();
  }

  open(): void {
    let bound = 0;
    const sockets = this.sockets();
    const onBound = () => {
      if (++bound < sockets.length) return;
      this.unicast.setBroadcast(true);
      this.port = this.unicast.address().port;
      this.emit('listening', this.unicast.address());
    };
    this.unicast.bind(this.port, this.address, () => {
      onBound();
      // The broadcast socket takes the port the unicast one got (the same unless it was 0).
      this.broadcast?.bind(this.unicast.address().port, this.broadcastAddress, onBound);
    });
  }

  close(): void {
    this.closed = true;
    this.reset();
    for (const socket of this.sockets()) socket.close();
  }
}

const key = (id: BACNetObjectID) => `${id.type}:${id.instance}`;

/**
 * A property a ReadPropertyMultiple answer cannot give: the library encodes the error only
 * when its value says `type: 'BacnetError'` (any other shape throws "Unknown type" and the
 * device's process dies).
 */
function rpmError(error: { errorClass: number; errorCode: number }): BACNetAppData {
  return { type: ApplicationTag.ERROR, value: { type: 'BacnetError', ...error } };
}

type PropertyAnswer = { values: BACNetAppData[] } | { errorClass: ErrorClass; errorCode: ErrorCode };

/** A ReadPropertyMultiple answer: each asked property's value, or its error in place. */
export function readAccessResults(
  specs: readonly { objectId: BACNetObjectID; properties: { id: number; index: number }[] }[],
  property: (objectId: BACNetObjectID, id: number, index: number) => PropertyAnswer,
): BACNetReadAccess[] {
  return specs.map((spec) => ({
    objectId: spec.objectId,
    values: spec.properties.map((reference) => {
      const value = property(spec.objectId, reference.id, reference.index);
      return {
        property: reference,
        value: 'errorCode' in value ? [rpmError(value)] : value.values,
      };
    }),
  }));
}

/** One subscriber's COV subscription to one object. */
interface SimSubscription {
  subscriber: BACNetAddress;
  processId: number;
  object: SimObject;
  confirmed: boolean;
  /** Ms since the epoch; undefined: indefinite (lifetime 0). */
  expiresAt: number | undefined;
  /** What the last notification said, to tell a change. */
  lastValue: number | boolean | undefined;
  lastFlags: string;
}

const subscriberKey = (address: BACNetAddress) =>
  `${address.address ?? ''}|${address.net ?? ''}|${(address.adr ?? []).join('.')}`;

export class SimulatedBacnetDevice {
  /** Requests answered (or refused) by service: what coalescing saves is counted here. */
  readonly requests = { readProperty: 0, readPropertyMultiple: 0, whoIs: 0, subscribeCov: 0 };
  /** COV notifications sent, confirmed and not, and the confirmed ones the subscriber acknowledged. */
  readonly notifications = { confirmed: 0, unconfirmed: 0, acknowledged: 0 };
  private readonly objects = new Map<string, SimObject>();
  /** How often each object's present-value was read (by RP or RPM), by object key. */
  private readonly presentValueReads = new Map<string, number>();
  private readonly subscriptions = new Map<string, SimSubscription>();
  private readonly deviceId: BACNetObjectID;
  private readonly transport: DeviceTransport;
  private readonly client: InstanceType<typeof BACnetClient>;
  private readonly maxApdu: number;
  private covTimer: NodeJS.Timeout | undefined;
  private cov: SimCovBehaviour;

  private constructor(private readonly options: SimulatedDeviceOptions) {
    this.cov = options.cov ?? 'notify';
    this.maxApdu = options.maxApdu ?? LARGEST_APDU;
    this.deviceId = { type: ObjectType.DEVICE, instance: options.instance };
    for (const config of options.objects) {
      const id = { type: SIM_OBJECT_TYPES[config.type], instance: config.instance };
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
    this.transport = new DeviceTransport(
      options.address,
      options.port ?? BACNET_PORT,
      options.broadcastAddress,
      this.maxApdu,
      options.segmentation === 'both',
      options.answerDelayMs ?? 0,
      options.onRequest,
    );
    this.client = new BACnetClient({ transport: this.transport });
    this.client.on('error', (err) => options.log.error({ err }, 'simulated BACnet device socket error'));
    this.client.on('whoIs', (content) => {
      this.requests.whoIs++;
      const { lowLimit, highLimit } = content.payload;
      if (lowLimit !== undefined && options.instance < lowLimit) return;
      if (highLimit !== undefined && options.instance > highLimit) return;
      // Unicast to the asker: its socket may be bound to one address and deaf to broadcasts. A
      // Who-Is a BBMD forwarded is answered to its originator directly (the library would send the
      // answer back through the BBMD as a Forwarded-NPDU naming the asker as its originator).
      const sender = content.header?.sender;
      const asker = sender?.forwardedFrom ? { address: sender.forwardedFrom } : sender;
      this.client.iAmResponse(
        asker ?? { address: this.transport.getBroadcastAddress() },
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
        this.encodeLong(() =>
          this.client.readPropertyResponse(sender, invokeId, objectId, property, value.values),
        );
      }
    });
    if (!options.refuseReadPropertyMultiple) {
      this.client.on('readPropertyMultiple', (content) => {
        this.requests.readPropertyMultiple++;
        const sender = content.header?.sender;
        const invokeId = content.invokeId;
        if (!sender || invokeId === undefined) return;
        const results = readAccessResults(content.payload.properties, (objectId, id, index) =>
          this.property(objectId, id, index),
        );
        this.encodeLong(() => this.client.readPropertyMultipleResponse(sender, invokeId, results));
      });
    }
    // Refusing needs no code: without a listener (nor an unhandledEvent one) the library
    // answers "unrecognized service", as an old controller does.
    this.client.on('subscribeCov', (content) => this.subscribe(content));
  }

  /** Starts answering once its sockets are bound; rejects if one cannot be. */
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

  /** The UDP port it answers on (the one it was given, or the free one it got for 0). */
  get port(): number {
    return this.transport.port;
  }

  /** Its address as the gateway's configuration writes it: "127.0.0.2", or "127.0.0.1:47809". */
  get address(): string {
    return this.port === BACNET_PORT ? this.options.address : `${this.options.address}:${this.port}`;
  }

  /** Change an object's value or health: `set('analog-input', 1, { reliability: Reliability.OVER_RANGE })`. */
  set(type: SimObjectType, instance: number, change: Partial<SimObjectState>): void {
    const object = this.objects.get(key({ type: SIM_OBJECT_TYPES[type], instance }));
    if (!object) throw new Error(`device ${this.options.instance} has no ${type} ${instance}`);
    Object.assign(object, change);
    this.checkCov();
  }

  /** How often an object's present-value has been read, by ReadProperty or ReadPropertyMultiple. */
  presentValueReadsOf(type: SimObjectType, instance: number): number {
    return this.presentValueReads.get(key({ type: SIM_OBJECT_TYPES[type], instance })) ?? 0;
  }

  /** The live COV subscriptions: object, whether confirmed, lifetime left. */
  covSubscriptions(): { object: BACNetObjectID; processId: number; confirmed: boolean }[] {
    this.expireSubscriptions();
    return [...this.subscriptions.values()].map((s) => ({
      object: s.object.id,
      processId: s.processId,
      confirmed: s.confirmed,
    }));
  }

  /** How it treats COV from now on (its subscriptions are kept: 'silent' stops notifying them). */
  setCov(behaviour: SimCovBehaviour): void {
    this.cov = behaviour;
  }

  /** Offline: every request is dropped unanswered, and nothing is sent, until it is back online. */
  setOnline(online: boolean): void {
    this.transport.online = online;
  }

  /**
   * A restart (power cycle, firmware update): its subscriptions and segmented answers forgotten,
   * and silent for `offlineMs` while it boots.
   */
  restart(offlineMs = 0): void {
    this.subscriptions.clear();
    this.transport.reset();
    if (offlineMs <= 0) return;
    this.transport.online = false;
    setTimeout(() => {
      this.transport.online = true;
    }, offlineMs);
  }

  close(): void {
    clearInterval(this.covTimer);
    this.client.close();
  }

  private segmentation(): Segmentation {
    return this.options.segmentation === 'both' ? Segmentation.SEGMENTED_BOTH : Segmentation.NO_SEGMENTATION;
  }

  /** The library encodes an answer in one datagram's buffer: a segmented one may need more. */
  private encodeLong(encode: () => void): void {
    if (this.options.segmentation !== 'both') {
      encode();
      return;
    }
    this.transport.payloadBytes = SEGMENTED_ANSWER_BYTES;
    try {
      encode();
    } finally {
      this.transport.payloadBytes = DATAGRAM_BYTES;
    }
  }

  private subscribe(content: {
    header?: { sender: BACNetAddress };
    invokeId?: number;
    payload: {
      subscriberProcessId: number;
      monitoredObjectId: BACNetObjectID;
      issueConfirmedNotifications: boolean;
      lifetime: number;
    };
  }): void {
    this.requests.subscribeCov++;
    const sender = content.header?.sender;
    const invokeId = content.invokeId;
    if (!sender || invokeId === undefined) return;
    const { subscriberProcessId, monitoredObjectId, issueConfirmedNotifications, lifetime } = content.payload;
    const cancel = (content.payload as { cancellationRequest?: boolean }).cancellationRequest === true;
    const object = this.objects.get(key(monitoredObjectId));
    const refuse = (errorClass: ErrorClass, errorCode: ErrorCode) =>
      this.client.errorResponse(
        sender,
        ConfirmedServiceChoice.SUBSCRIBE_COV,
        invokeId,
        errorClass,
        errorCode,
      );
    if (!object) {
      refuse(ErrorClass.OBJECT, ErrorCode.UNKNOWN_OBJECT);
      return;
    }
    if (this.cov === 'refuse' || object.config.cov === false) {
      refuse(ErrorClass.OBJECT, ErrorCode.OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED);
      return;
    }
    const subscriber = { address: sender.address, net: sender.net, adr: sender.adr };
    const id = `${subscriberKey(subscriber)}|${subscriberProcessId}|${key(monitoredObjectId)}`;
    if (cancel) {
      this.subscriptions.delete(id);
      this.client.simpleAckResponse(sender, ConfirmedServiceChoice.SUBSCRIBE_COV, invokeId);
      return;
    }
    const subscription: SimSubscription = {
      subscriber,
      processId: subscriberProcessId,
      object,
      confirmed: issueConfirmedNotifications,
      expiresAt: lifetime > 0 ? Date.now() + lifetime * 1000 : undefined,
      lastValue: undefined,
      lastFlags: '',
    };
    this.subscriptions.set(id, subscription);
    this.client.simpleAckResponse(sender, ConfirmedServiceChoice.SUBSCRIBE_COV, invokeId);
    // A new or renewed subscription is told the object's state at once, as BACnet requires.
    this.notify(subscription);
    this.covTimer ??= setInterval(() => this.checkCov(), COV_CHECK_MS).unref();
  }

  private expireSubscriptions(): void {
    const now = Date.now();
    for (const [id, subscription] of this.subscriptions) {
      if (subscription.expiresAt !== undefined && subscription.expiresAt <= now)
        this.subscriptions.delete(id);
    }
  }

  /** Notifies every subscriber whose object changed by its COV increment, or whose flags changed. */
  private checkCov(): void {
    this.expireSubscriptions();
    for (const subscription of this.subscriptions.values()) {
      const { object } = subscription;
      const value = this.presentValue(object);
      const flags = this.flags(object).join(',');
      const last = subscription.lastValue;
      const changed =
        last === undefined ||
        flags !== subscription.lastFlags ||
        (isAnalog(object.config.type)
          ? Math.abs(Number(value) - Number(last)) >= (object.config.covIncrement ?? 0.1)
          : value !== last);
      if (changed) this.notify(subscription);
    }
  }

  private notify(subscription: SimSubscription): void {
    const { object } = subscription;
    subscription.lastValue = this.presentValue(object);
    subscription.lastFlags = this.flags(object).join(',');
    if (this.cov === 'silent' || !this.transport.online) return;
    const values = [
      { property: { id: PropertyIdentifier.PRESENT_VALUE }, value: this.presentValueData(object) },
      { property: { id: PropertyIdentifier.STATUS_FLAGS }, value: this.statusFlagsData(object) },
    ];
    const remaining =
      subscription.expiresAt === undefined
        ? 0
        : Math.max(0, Math.ceil((subscription.expiresAt - Date.now()) / 1000));
    if (subscription.confirmed) {
      this.notifications.confirmed++;
      this.client
        .confirmedCOVNotification(
          subscription.subscriber,
          object.id,
          subscription.processId,
          this.options.instance,
          remaining,
          values,
        )
        .then(() => {
          this.notifications.acknowledged++;
        })
        .catch((err: unknown) =>
          this.options.log.debug(
            { err },
            'simulated BACnet device: confirmed COV notification not acknowledged',
          ),
        );
    } else {
      this.notifications.unconfirmed++;
      this.client.unconfirmedCOVNotification(
        subscription.subscriber,
        subscription.processId,
        this.options.instance,
        object.id,
        remaining,
        values,
      );
    }
  }

  private presentValue(object: SimObject): number | boolean {
    const value = typeof object.value === 'function' ? object.value() : object.value;
    if (isBinary(object.config.type)) return Boolean(value);
    return Number(value);
  }

  private presentValueData(object: SimObject): BACNetAppData[] {
    const value = this.presentValue(object);
    switch (object.config.type) {
      case 'binary-input':
      case 'binary-value':
        return [{ type: ApplicationTag.ENUMERATED, value: value ? 1 : 0 }];
      case 'multi-state-value':
      case 'accumulator':
        return [{ type: ApplicationTag.UNSIGNED_INTEGER, value: Number(value) }];
      default:
        return [{ type: ApplicationTag.REAL, value: Number(value) }];
    }
  }

  private flags(object: SimObject): StatusFlags[] {
    return [
      object.inAlarm && StatusFlags.IN_ALARM,
      object.reliability !== Reliability.NO_FAULT_DETECTED && StatusFlags.FAULT,
      object.overridden && StatusFlags.OVERRIDDEN,
      object.outOfService && StatusFlags.OUT_OF_SERVICE,
    ].filter((flag): flag is StatusFlags => flag !== false);
  }

  private statusFlagsData(object: SimObject): BACNetAppData[] {
    return [
      {
        type: ApplicationTag.BIT_STRING,
        value: { ...BACnetClient.createBitstring(this.flags(object)), bitsUsed: 4 },
      },
    ];
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
        return [{ type: ApplicationTag.UNSIGNED_INTEGER, value: options.claimedMaxApdu ?? this.maxApdu }];
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
      case PropertyIdentifier.PRESENT_VALUE:
        this.presentValueReads.set(key(objectId), (this.presentValueReads.get(key(objectId)) ?? 0) + 1);
        return this.presentValueData(object);
      case PropertyIdentifier.UNITS:
        if (!isAnalog(config.type)) return undefined;
        return [{ type: ApplicationTag.ENUMERATED, value: config.units ?? EngineeringUnits.NO_UNITS }];
      case PropertyIdentifier.COV_INCREMENT:
        if (!isAnalog(config.type)) return undefined;
        return [{ type: ApplicationTag.REAL, value: config.covIncrement ?? 0.1 }];
      case PropertyIdentifier.RELINQUISH_DEFAULT:
        if (config.relinquishDefault === undefined) return undefined;
        return isBinary(config.type)
          ? [{ type: ApplicationTag.ENUMERATED, value: config.relinquishDefault ? 1 : 0 }]
          : [{ type: ApplicationTag.REAL, value: Number(config.relinquishDefault) }];
      case PropertyIdentifier.STATUS_FLAGS:
        return this.statusFlagsData(object);
      case PropertyIdentifier.RELIABILITY:
        return [{ type: ApplicationTag.ENUMERATED, value: object.reliability }];
      case PropertyIdentifier.OUT_OF_SERVICE:
        return [{ type: ApplicationTag.BOOLEAN, value: object.outOfService }];
      default:
        return undefined;
    }
  }
}

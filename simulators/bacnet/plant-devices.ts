/**
 * The simulated plant on BACnet/IP: one SimulatedBacnetDevice per BACnet device of the
 * configuration (the operating theatres' air-handling units), and one per BACnet card a device
 * has besides its own protocol (simulation.yaml's bacnetCard: the chillers' cards). Each serves
 * the objects its profile names, their present values read from the plant's physics when asked
 * (the profile's scale and offset undone, as a device sends the raw value), and shows the
 * faults: offline (silent), slow (late, through a relay in front of the device), out-of-service
 * and fault-flag (the object's status flags and reliability).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import {
  ApplicationTag,
  EngineeringUnits,
  ObjectType,
  PropertyIdentifier,
  Reliability,
  StatusFlags,
} from '@bacnet-js/client';
import { BACNET_PORT_DEFAULT } from '../../src/config/bacnet-schema.js';
import type { PlantConfig } from '../../src/config/index.js';
import type { BacnetPointConfig, BacnetProfile } from '../../src/config/schema.js';
import type { Logger } from '../../src/log/index.js';
import type { Faults } from '../faults.js';
import type { PlantModel } from '../plant.js';
import {
  SIM_OBJECT_TYPES,
  type SimObjectConfig,
  type SimObjectType,
  SimulatedBacnetDevice,
} from './device.js';

/** The object types the simulated device serves, by their BACnet number. */
const SIM_TYPES = new Map<number, SimObjectType>(
  (Object.entries(SIM_OBJECT_TYPES) as [SimObjectType, number][]).map(([name, type]) => [type, name]),
);

const BINARY_TYPES = new Set<number>([
  ObjectType.BINARY_INPUT,
  ObjectType.BINARY_OUTPUT,
  ObjectType.BINARY_VALUE,
]);
/** Present values sent as an Unsigned (a state number, a count), not a REAL. */
const UNSIGNED_TYPES = new Set<number>([
  ObjectType.MULTI_STATE_INPUT,
  ObjectType.MULTI_STATE_OUTPUT,
  ObjectType.MULTI_STATE_VALUE,
  ObjectType.ACCUMULATOR,
]);

/** A profile's unit as the object's BACnet engineering unit (no-units for one not listed). */
const UNITS: Record<string, EngineeringUnits> = {
  '°C': EngineeringUnits.DEGREES_CELSIUS,
  '%': EngineeringUnits.PERCENT,
  '%RH': EngineeringUnits.PERCENT_RELATIVE_HUMIDITY,
  Pa: EngineeringUnits.PASCALS,
  kW: EngineeringUnits.KILOWATTS,
  kWh: EngineeringUnits.KILOWATT_HOURS,
  h: EngineeringUnits.HOURS,
  ACH: EngineeringUnits.PER_HOUR,
  bar: EngineeringUnits.BARS,
  'm³/h': EngineeringUnits.CUBIC_METERS_PER_HOUR,
};

/** The change of an analog value that makes a COV notification, by unit (the device's default elsewhere). */
const COV_INCREMENT: Record<string, number> = {
  '°C': 0.2,
  '%': 1,
  '%RH': 1,
  Pa: 1,
  kW: 5,
  ACH: 0.5,
};

/** What a loopback device listens for broadcasts on (the whole of 127/8 is this machine's). */
const LOOPBACK_BROADCAST = '127.255.255.255';

/** Whether a point's object is binary (its present value a boolean). */
export const isBinaryPoint = (point: BacnetPointConfig): boolean => BINARY_TYPES.has(point.object.type);

/**
 * What the device sends for a physics value: a boolean for a binary object, else the raw number
 * (scale and offset undone), a whole one for a multi-state object or an accumulator.
 */
export function servedValue(point: BacnetPointConfig, value: number | boolean | undefined): number | boolean {
  if (isBinaryPoint(point)) return Boolean(value);
  const engineering = Number(value ?? 0);
  const raw =
    point.scale === 1 && point.offset === 0 ? engineering : (engineering - point.offset) / point.scale;
  return UNSIGNED_TYPES.has(point.object.type) ? Math.max(0, Math.round(raw)) : raw;
}

/**
 * A point's present value and health as the device answers them (the application values
 * device.ts encodes): a binary object's as an enumerated 0/1, a multi-state object's or an
 * accumulator's as an Unsigned, any other as a REAL (a float32); the status flags with their
 * fault and out-of-service bits, the reliability unreliable-other under the fault flag.
 */
export function answersOf(
  point: BacnetPointConfig,
  value: number | boolean | undefined,
  health: { outOfService: boolean; faultFlag: boolean },
): { id: number; values: { type: number; value: unknown }[] }[] {
  const served = servedValue(point, value);
  const present = isBinaryPoint(point)
    ? { type: ApplicationTag.ENUMERATED, value: served ? 1 : 0 }
    : UNSIGNED_TYPES.has(point.object.type)
      ? { type: ApplicationTag.UNSIGNED_INTEGER, value: Number(served) }
      : { type: ApplicationTag.REAL, value: Math.fround(Number(served)) };
  const flags =
    (health.faultFlag ? 1 << StatusFlags.FAULT : 0) |
    (health.outOfService ? 1 << StatusFlags.OUT_OF_SERVICE : 0);
  const reliability = health.faultFlag ? Reliability.UNRELIABLE_OTHER : Reliability.NO_FAULT_DETECTED;
  return [
    { id: PropertyIdentifier.PRESENT_VALUE, values: [present] },
    {
      id: PropertyIdentifier.STATUS_FLAGS,
      values: [{ type: ApplicationTag.BIT_STRING, value: { value: [flags], bitsUsed: 4 } }],
    },
    { id: PropertyIdentifier.RELIABILITY, values: [{ type: ApplicationTag.ENUMERATED, value: reliability }] },
    {
      id: PropertyIdentifier.OUT_OF_SERVICE,
      values: [{ type: ApplicationTag.BOOLEAN, value: health.outOfService }],
    },
  ];
}

/** One simulated BACnet/IP device of the plant: which plant device it speaks for, and where. */
export interface BacnetEndpoint {
  device: string;
  instance: number;
  host: string;
  port: number;
  /** The device's own connection, or a card it has besides its own protocol. */
  role: 'device' | 'card';
}

export interface PlantBacnetDevices {
  readonly endpoints: readonly BacnetEndpoint[];
  /** Apply the faults as they stand (offline, slow, object health): after each step and each change. */
  refresh(): void;
  close(): Promise<void>;
}

interface Served {
  endpoint: BacnetEndpoint;
  device: SimulatedBacnetDevice;
  relay: Relay;
  objects: ServedObject[];
  online: boolean;
}

interface ServedObject {
  point: BacnetPointConfig;
  type: SimObjectType;
  value: () => number | boolean;
  outOfService: boolean;
  faultFlag: boolean;
}

interface Planned {
  endpoint: BacnetEndpoint;
  name: string;
  profile: BacnetProfile;
  /** Where its Who-Is broadcasts arrive. */
  broadcast: string;
}

/** The plant devices to serve on BACnet/IP: their profile and address, from the configuration. */
function plannedDevices(config: PlantConfig, plant: PlantModel, log: Logger): Planned[] {
  const planned: Planned[] = [];
  const ports = config.gateway.bacnet?.ports ?? [];
  for (const device of config.devices) {
    if (!device.enabled || !plant.has(device.id)) continue;
    const card = plant.bacnetCard(device.id);
    const own = 'bacnet' in device ? device.bacnet : undefined;
    const profile = plant.bacnetProfileOf(device.id);
    if (!profile) continue;
    if (own && own.network !== undefined) {
      log.warn(
        { device: device.id },
        'a BACnet device behind a router (network/mac) cannot be simulated: not served',
      );
      continue;
    }
    const address = own ? own.address : card?.address;
    if (!address) {
      log.warn(
        { device: device.id },
        'a BACnet device without an address (found by Who-Is) cannot be simulated: give it bacnet.address to serve it',
      );
      continue;
    }
    const [host = '', port] = address.split(':');
    const settings = own ? (ports.find((p) => p.id === own.port) ?? ports[0]) : undefined;
    const broadcast = host.startsWith('127.')
      ? LOOPBACK_BROADCAST
      : (settings?.broadcastAddress ?? '255.255.255.255');
    planned.push({
      endpoint: {
        device: device.id,
        instance: own ? own.instance : (card?.instance ?? 0),
        host,
        port: port ? Number(port) : BACNET_PORT_DEFAULT,
        role: own ? 'device' : 'card',
      },
      name: own ? device.name : `${device.name} BACnet card`,
      profile,
      broadcast,
    });
  }
  return planned;
}

/** The device's objects: one per point read from present-value, of a type the simulated device has. */
function objectsOf(deviceId: string, profile: BacnetProfile, plant: PlantModel, log: Logger): ServedObject[] {
  const objects = new Map<string, ServedObject>();
  for (const point of profile.points) {
    const type = SIM_TYPES.get(point.object.type);
    if (point.property !== PropertyIdentifier.PRESENT_VALUE || !type) {
      log.warn(
        { device: deviceId, point: point.name, object: point.object.text },
        `not served: the simulated device answers present-value of ${[...SIM_TYPES.values()].join(', ')} objects only`,
      );
      continue;
    }
    if (objects.has(point.object.text)) continue;
    const value = () => servedValue(point, plant.values(deviceId)[point.name]);
    objects.set(point.object.text, { point, type, value, outOfService: false, faultFlag: false });
  }
  return [...objects.values()];
}

export async function startPlantBacnetDevices(
  config: PlantConfig,
  plant: PlantModel,
  faults: Faults,
  log: Logger,
): Promise<PlantBacnetDevices> {
  const served: Served[] = [];
  const close = async () => {
    for (const s of served.splice(0)) {
      s.device.close();
      await s.relay.close();
    }
  };
  try {
    for (const { endpoint, name, profile, broadcast } of plannedDevices(config, plant, log)) {
      const objects = objectsOf(endpoint.device, profile, plant, log);
      // The device itself listens on a port of its own; the relay takes its public address.
      const inner = await freeUdpPort(endpoint.host);
      const relay = new Relay(endpoint.host, endpoint.port, broadcast, inner);
      await relay.open();
      let device: SimulatedBacnetDevice;
      try {
        device = await SimulatedBacnetDevice.start({
          address: endpoint.host,
          port: inner,
          broadcastAddress: broadcast,
          instance: endpoint.instance,
          name,
          ...(profile.maker ? { vendorName: profile.maker } : {}),
          modelName: profile.model ?? profile.name,
          objects: objects.map(
            (o): SimObjectConfig => ({
              type: o.type,
              instance: o.point.object.instance,
              name: o.point.name,
              ...(isBinaryPoint(o.point) ? {} : { units: UNITS[o.point.unit] ?? EngineeringUnits.NO_UNITS }),
              ...(COV_INCREMENT[o.point.unit] ? { covIncrement: COV_INCREMENT[o.point.unit] } : {}),
              value: o.value,
            }),
          ),
          log: log.child({ device: endpoint.device, bacnet: endpoint.instance }),
        });
      } catch (err) {
        await relay.close();
        throw err;
      }
      served.push({ endpoint, device, relay, objects, online: true });
    }
  } catch (err) {
    await close();
    throw err;
  }

  const refresh = () => {
    for (const s of served) {
      const id = s.endpoint.device;
      const comm = faults.comm(id);
      if (s.online === comm.offline) {
        s.online = !comm.offline;
        s.device.setOnline(s.online);
      }
      s.relay.delayMs = comm.delayMs;
      const health = faults.objects(id);
      for (const o of s.objects) {
        const outOfService = health.outOfService(o.point.name);
        const faultFlag = health.faultFlag(o.point.name);
        const instance = o.point.object.instance;
        // Out of service, an object's value is no longer the plant's: it stays where it was.
        if (outOfService !== o.outOfService)
          s.device.set(o.type, instance, { outOfService, value: outOfService ? o.value() : o.value });
        if (faultFlag !== o.faultFlag)
          s.device.set(o.type, instance, {
            reliability: faultFlag ? Reliability.UNRELIABLE_OTHER : Reliability.NO_FAULT_DETECTED,
          });
        o.outOfService = outOfService;
        o.faultFlag = faultFlag;
      }
    }
  };
  refresh();
  return { endpoints: served.map((s) => s.endpoint), refresh, close };
}

/** A UDP port free on `host` now, for a device's own socket behind its relay. */
function freeUdpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, host, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/**
 * The device's public address, in front of the simulated device (on a port of its own): each
 * request is passed on, `delayMs` late under the slow fault, through a socket of the relay's per
 * asker, so the device's answers (and its COV notifications) come back to that socket and go out
 * from the public address. Broadcasts heard on the public port (Who-Is) are passed on the same way.
 */
class Relay {
  delayMs = 0;
  private readonly front = createSocket({ type: 'udp4', reuseAddr: true });
  private readonly broadcast = createSocket({ type: 'udp4', reuseAddr: true });
  private readonly peers = new Map<string, Socket>();
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly broadcastAddress: string,
    private readonly devicePort: number,
  ) {}

  async open(): Promise<void> {
    const bind = (socket: Socket, address: string) =>
      new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(this.port, address, () => {
          socket.off('error', reject);
          socket.on('error', () => {}); // a datagram's ICMP error: the asker is gone; nothing to do
          socket.on('message', (msg, from) => this.pass(msg, from));
          resolve();
        });
      });
    try {
      await bind(this.front, this.host);
      await bind(this.broadcast, this.broadcastAddress);
      this.front.setBroadcast(true);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  private pass(msg: Buffer, from: RemoteInfo): void {
    if (from.port === this.devicePort && from.address === this.host) return;
    const key = `${from.address}:${from.port}`;
    let peer = this.peers.get(key);
    if (!peer) {
      const socket = createSocket('udp4');
      socket.on('error', () => {});
      socket.on('message', (answer) => {
        if (!this.closed) this.front.send(answer, from.port, from.address);
      });
      socket.bind(0, this.host);
      this.peers.set(key, socket);
      peer = socket;
    }
    const toDevice = peer;
    const send = () => {
      if (!this.closed) toDevice.send(msg, this.devicePort, this.host);
    };
    if (this.delayMs > 0) setTimeout(send, this.delayMs).unref();
    else send();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const sockets = [this.front, this.broadcast, ...this.peers.values()];
    this.peers.clear();
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            try {
              socket.close(() => resolve());
            } catch {
              resolve(); // never bound, or closed already
            }
          }),
      ),
    );
  }
}

/**
 * The BACnet tests' worker, run inside their network namespace (test/helpers/netns-worker.ts):
 * the simulated devices of plant.ts and the gateway's side, driven by the test's calls.
 */
import { createSocket } from 'node:dgram';
import { pino } from 'pino';
import {
  type SimObjectState,
  type SimObjectType,
  SimulatedBacnetDevice,
} from '../../../simulators/bacnet/device.js';
import {
  type BacnetClient,
  BacnetDeviceReader,
  type BacnetService,
  discoverDevices,
  openBacnetClient,
  startBacnet,
} from '../../../src/acquisition/bacnet/index.js';
import type { PlantConfig } from '../../../src/config/index.js';
import { PointBus, type PointValue, type Quality } from '../../../src/points/index.js';
import { serveCalls } from '../../helpers/netns-worker.js';
import { plantConfig } from '../../helpers/plant-config.js';
import {
  AHU_PROFILE,
  BROADCAST,
  DEVICES,
  type DeviceKey,
  GATEWAY_ADDRESS,
  LATE_DEVICE,
  OBJECTS,
  pointsOf,
  SERVICE_ADDRESS,
} from './plant.js';

const log = pino({ level: process.env.PLANTWATCH_LOG_LEVEL ?? 'silent' });
const simulators = new Map<DeviceKey, SimulatedBacnetDevice>();
const readers = new Map<DeviceKey, BacnetDeviceReader>();
let client: BacnetClient | undefined;
let service: BacnetService | undefined;
const latest = new Map<string, PointValue>();
const bus = new PointBus(log);
bus.subscribe((values) => {
  for (const value of values) latest.set(value.id, value);
});

let late: SimulatedBacnetDevice | undefined;

function startDevice(key: DeviceKey, device: (typeof DEVICES)[DeviceKey] | { address: string }) {
  return SimulatedBacnetDevice.start({
    ...DEVICES[key],
    ...device,
    broadcastAddress: BROADCAST,
    name: `AHU ${key}`,
    modelName: `AHU controller (${key})`,
    objects: OBJECTS,
    log,
  });
}

/** plantwatch.yaml's port "bms" and the three devices of the service tests. */
function serviceConfig(periodMs: number, timeoutMs: number, rediscoverMs: number): PlantConfig {
  return plantConfig({
    gateway: {
      bacnet: {
        ports: [
          {
            id: 'bms',
            interface: SERVICE_ADDRESS,
            broadcastAddress: BROADCAST,
            apduTimeout: timeoutMs,
            rediscover: rediscoverMs,
          },
        ],
      },
    },
    profiles: [{ ...AHU_PROFILE, pollGroups: { default: periodMs } }],
    devices: [
      { id: 'modern', instance: DEVICES.modern.instance, address: DEVICES.modern.address },
      { id: 'old', instance: DEVICES.old.instance },
      { id: 'late', instance: LATE_DEVICE.instance },
    ].map(({ id, ...place }) => ({ id, name: id, profile: 'ahu', bacnet: place })),
  });
}

const simulator = (key: DeviceKey) => {
  const device = simulators.get(key);
  if (!device) throw new Error(`call start first: no ${key} device`);
  return device;
};

const handlers = {
  async start(): Promise<void> {
    for (const key of Object.keys(DEVICES) as DeviceKey[])
      simulators.set(key, await startDevice(key, DEVICES[key]));
    client = await openBacnetClient({
      interface: GATEWAY_ADDRESS,
      broadcastAddress: BROADCAST,
      timeoutMs: 1_000,
    });
  },

  discover: () => {
    if (!client) throw new Error('call start first');
    return discoverDevices(client, { waitMs: 500 });
  },

  /** One read of every point, with the requests it took as each side counts them. */
  async read(key: DeviceKey) {
    if (!client) throw new Error('call start first');
    let reader = readers.get(key);
    if (!reader) {
      reader = new BacnetDeviceReader(client, DEVICES[key]);
      readers.set(key, reader);
    }
    const device = simulator(key);
    const before = { client: reader.requests, ...device.requests };
    const readings = await reader.read(pointsOf(key));
    return {
      readings,
      mode: reader.mode,
      clientRequests: reader.requests - before.client,
      readPropertyMultiple: device.requests.readPropertyMultiple - before.readPropertyMultiple,
      readProperty: device.requests.readProperty - before.readProperty,
    };
  },

  set(
    key: DeviceKey,
    type: SimObjectType,
    instance: number,
    change: Partial<Omit<SimObjectState, 'value'>> & { value?: number | boolean },
  ) {
    simulator(key).set(type, instance, change);
  },

  setOnline(key: DeviceKey, online: boolean) {
    simulator(key).setOnline(online);
  },

  /**
   * The service as the gateway starts it, from a configuration: port "bms" on SERVICE_ADDRESS,
   * "modern" at its configured address, "old" and the late device found by Who-Is.
   */
  async startService(periodMs: number, timeoutMs: number, rediscoverMs: number): Promise<void> {
    service = await startBacnet({ config: serviceConfig(periodMs, timeoutMs, rediscoverMs), bus, log });
  },

  serviceStats: () => service?.stats(),

  /** The device found by Who-Is gets another address (a new DHCP lease): the same device, elsewhere. */
  async move(key: DeviceKey, address: string): Promise<void> {
    simulator(key).close();
    simulators.set(key, await startDevice(key, { ...DEVICES[key], address }));
  },

  /** The configured device that was not there comes on line. */
  async startLateDevice(): Promise<void> {
    late = await SimulatedBacnetDevice.start({
      ...LATE_DEVICE,
      broadcastAddress: BROADCAST,
      name: 'AHU late',
      objects: OBJECTS,
      log,
    });
  },

  serviceDevices: () => service?.devices() ?? [],

  /** Waits for the bus to carry `quality` for `pointId`; how long it took, from the call. */
  async waitForQuality(pointId: string, quality: Quality, withinMs: number) {
    const start = performance.now();
    while (latest.get(pointId)?.quality !== quality) {
      if (performance.now() - start > withinMs) {
        throw new Error(
          `${pointId} not ${quality} within ${withinMs} ms: last ${JSON.stringify(latest.get(pointId))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { elapsedMs: performance.now() - start, value: latest.get(pointId)?.value ?? null };
  },

  /** Another program holds `address`:47808; the service's port there: the error it gives. */
  async startOnTakenPort(address: string) {
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(47808, address, resolve));
    try {
      const config = serviceConfig(1_000, 1_000, 60_000);
      const port = config.gateway.bacnet?.ports[0];
      if (port) port.interface = address;
      const started = await startBacnet({ config, bus, log });
      await started.stop();
      return undefined;
    } catch (err) {
      return err instanceof Error
        ? { name: err.name, message: err.message }
        : { name: 'unknown', message: String(err) };
    } finally {
      holder.close();
    }
  },
};

export type BacnetLab = typeof handlers;

serveCalls(handlers, () => {
  void service?.stop();
  client?.close();
  late?.close();
  for (const device of simulators.values()) device.close();
});

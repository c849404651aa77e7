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
import { PointBus, type PointValue, type Quality } from '../../../src/points/index.js';
import { serveCalls } from '../../helpers/netns-worker.js';
import {
  BROADCAST,
  DEVICES,
  type DeviceKey,
  GATEWAY_ADDRESS,
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

const simulator = (key: DeviceKey) => {
  const device = simulators.get(key);
  if (!device) throw new Error(`call start first: no ${key} device`);
  return device;
};

const handlers = {
  async start(): Promise<void> {
    for (const [key, device] of Object.entries(DEVICES) as [DeviceKey, (typeof DEVICES)[DeviceKey]][]) {
      simulators.set(
        key,
        await SimulatedBacnetDevice.start({
          ...device,
          broadcastAddress: BROADCAST,
          name: `AHU ${key}`,
          modelName: `AHU controller (${key})`,
          objects: OBJECTS,
          log,
        }),
      );
    }
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

  async startService(periodMs: number, timeoutMs: number): Promise<void> {
    service = await startBacnet({
      interface: SERVICE_ADDRESS,
      broadcastAddress: BROADCAST,
      timeoutMs,
      bus,
      log,
      devices: (Object.keys(DEVICES) as DeviceKey[]).map((key) => ({
        id: key,
        ...DEVICES[key],
        periodMs,
        points: pointsOf(key),
      })),
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

  /** Another program holds `address`:47808; opening the gateway's socket there: the error it gives. */
  async openOnTakenPort(address: string) {
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(47808, address, resolve));
    try {
      const opened = await openBacnetClient({
        interface: address,
        broadcastAddress: BROADCAST,
        timeoutMs: 1_000,
      });
      opened.close();
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
  service?.stop();
  client?.close();
  for (const device of simulators.values()) device.close();
});

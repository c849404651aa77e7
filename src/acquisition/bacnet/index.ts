/**
 * BACnet/IP acquisition, from the configuration: one socket per port of plantwatch.yaml's
 * `bacnet.ports`, one poller per enabled bacnet device on it (poll groups, COV subscriptions,
 * ReadPropertyMultiple coalesced and segmented where the device can), all publishing onto the
 * point bus. See README.md in this folder.
 */
import type { Logger } from 'pino';
import type { PlantConfig } from '../../config/index.js';
import type { PointBus } from '../../points/index.js';
import type { BacnetClient } from './client.js';
import { BacnetDevicePoller, type BacnetDeviceSnapshot } from './device-poller.js';
import { type BacnetPortSpec, bacnetPortsFromConfig } from './devices-from-config.js';
import {
  type ForeignDeviceRegistration,
  type ForeignDeviceStatus,
  registerForeignDevice,
} from './foreign-device.js';
import { BacnetPort, type BacnetPortStats } from './port.js';

export {
  configuredReceiver,
  describeReceiver,
  macBytes,
  macText,
  receiverOfSender,
  whoIsTarget,
} from './address.js';
export {
  BACNET_PORT,
  type BacnetClient,
  type BacnetClientOptions,
  BacnetPortInUseError,
  openBacnetClient,
} from './client.js';
export type { BacnetPointRef, PointReading } from './decode.js';
export type { BacnetDeviceSnapshot, BacnetDeviceState } from './device-poller.js';
export { type BacnetDeviceSpec, type BacnetPortSpec, bacnetPortsFromConfig } from './devices-from-config.js';
export { type DiscoveredDevice, type DiscoverOptions, discoverDevices } from './discovery.js';
export type { ForeignDeviceStatus } from './foreign-device.js';
export { type BacnetPortStats, MAX_IN_FLIGHT_PER_PORT } from './port.js';
export { bacnetQuality, type ObjectHealth } from './quality.js';
export { RequestQueue } from './queue.js';
export {
  BacnetDeviceReader,
  type DeviceAddress,
  objectsPerRequest,
  type ReadMode,
  type RequestRunner,
  type SegmentationSupport,
} from './reader.js';

/** Totals for metrics, per port. */
export interface BacnetStats {
  ports: BacnetPortStats[];
  /** Each port's registration with its BBMD, for the ports that have one. */
  foreignDevices: (ForeignDeviceStatus & { port: string })[];
}

export interface BacnetService {
  /** Per device: id, port, instance, address, state, read mode, max-APDU, segmentation, COV, counters. */
  devices(): BacnetDeviceSnapshot[];
  /** Totals for metrics: requests by service, timeouts, COV notifications received, subscriptions renewed, per port. */
  stats(): BacnetStats;
  /** A port's client for a scan on its socket (reads through the port's queue), by port id. */
  clientOf(portId: string): BacnetClient | undefined;
  stop(): Promise<void>;
}

export interface BacnetServiceOptions {
  config: PlantConfig;
  bus: PointBus;
  log: Logger;
  now?: () => number;
}

const EMPTY_SERVICE: BacnetService = {
  devices: () => [],
  stats: () => ({ ports: [], foreignDevices: [] }),
  clientOf: () => undefined,
  stop: async () => {},
};

/** The library's own timeout must not end a request before its device's longer one does. */
const clientTimeout = (spec: BacnetPortSpec) =>
  Math.max(spec.settings.apduTimeout, ...spec.devices.map((d) => d.timeoutMs));

/**
 * Opens every configured port (BacnetPortInUseError naming the port when its UDP port is taken)
 * and starts every device's poller. No `bacnet:` section, or no enabled bacnet device: no
 * socket, an empty service.
 */
export async function startBacnet(options: BacnetServiceOptions): Promise<BacnetService> {
  const { config, bus, log } = options;
  const now = options.now ?? Date.now;
  const specs = bacnetPortsFromConfig(config, log);
  if (specs.length === 0) return EMPTY_SERVICE;
  const ports: BacnetPort[] = [];
  try {
    for (const spec of specs) ports.push(await BacnetPort.open(spec.settings, clientTimeout(spec), log));
  } catch (err) {
    for (const port of ports) port.close();
    throw err;
  }
  const pollers: BacnetDevicePoller[] = [];
  // Devices on other subnets: the port registers with their BBMD before its first Who-Is goes there.
  const registrations: { port: string; registration: ForeignDeviceRegistration }[] = [];
  specs.forEach((spec, i) => {
    const bbmd = spec.settings.bbmd;
    const client = ports[i]?.client;
    if (bbmd && client)
      registrations.push({
        port: spec.settings.id,
        registration: registerForeignDevice(client, { address: bbmd.address, ttlMs: bbmd.ttl }, log),
      });
  });
  // One origin for every device: a port's devices are spread from it over their periods.
  const origin = Date.now();
  specs.forEach((spec, i) => {
    const port = ports[i] as BacnetPort;
    const onPort = spec.devices.map(
      (device, index) =>
        new BacnetDevicePoller({
          spec: device,
          port,
          bus,
          log,
          now,
          staleAfterPeriods: config.gateway.staleAfterPeriods,
          processId: index + 1,
        }),
    );
    pollers.push(...onPort);
    port.onIAm((instance, receiver) => {
      for (const poller of onPort) if (poller.instance === instance) poller.found(receiver);
    });
    port.startRediscovery(() => onPort.flatMap((p) => (p.rediscovery ? [p.rediscovery] : [])));
    onPort.forEach((poller, index) => {
      poller.start(index / onPort.length, origin);
    });
    log.info(
      {
        port: spec.settings.id,
        udp: `${spec.settings.interface}:${spec.settings.udpPort}`,
        devices: onPort.length,
      },
      'BACnet/IP port open',
    );
  });
  return {
    devices: () => pollers.map((p) => p.snapshot()),
    stats: () => ({
      ports: ports.map((p) => p.snapshotStats()),
      foreignDevices: registrations.map(({ port, registration }) => ({ port, ...registration.status() })),
    }),
    clientOf: (portId) => ports.find((p) => p.id === portId)?.sharedClient(),
    async stop() {
      for (const poller of pollers) poller.stop();
      for (const { registration } of registrations) registration.stop();
      for (const port of ports) port.close();
    },
  };
}

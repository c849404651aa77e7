/**
 * BACnet/IP acquisition, first step of issue 20: one socket for the gateway, Who-Is discovery,
 * and one poller per device reading its points (ReadPropertyMultiple, coalesced to the device's
 * max-APDU, or ReadProperty for a device that refuses it) onto the point bus. Not wired into the
 * gateway or the config schema yet: see README.md in this folder.
 */
import type { Logger } from 'pino';
import type { PointBus, PointValue } from '../../points/index.js';
import { type BacnetClient, type BacnetClientOptions, openBacnetClient } from './client.js';
import { BacnetDeviceReader, type BacnetPointRef, type DeviceAddress, type ReadMode } from './reader.js';

export {
  BACNET_PORT,
  type BacnetClient,
  type BacnetClientOptions,
  BacnetPortInUseError,
  openBacnetClient,
} from './client.js';
export { type DiscoveredDevice, type DiscoverOptions, discoverDevices } from './discovery.js';
export { bacnetQuality, type ObjectHealth } from './quality.js';
export { BacnetDeviceReader, type BacnetPointRef, objectsPerRequest, type PointReading } from './reader.js';

export interface BacnetDeviceConfig extends DeviceAddress {
  /** The gateway's name for it (the "<device>" of its points' ids). */
  id: string;
  periodMs: number;
  points: BacnetPointRef[];
}

export interface BacnetDeviceSnapshot {
  id: string;
  address: string;
  instance: number;
  state: 'starting' | 'ok' | 'unreachable';
  mode: ReadMode;
  maxApdu?: number;
  requests: number;
  lastError?: string;
}

export interface BacnetService {
  client: BacnetClient;
  devices(): BacnetDeviceSnapshot[];
  stop(): void;
}

export interface BacnetServiceOptions extends BacnetClientOptions {
  devices: BacnetDeviceConfig[];
  bus: PointBus;
  log: Logger;
  now?: () => number;
}

class BacnetDevicePoller {
  private readonly reader: BacnetDeviceReader;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private stopped = false;
  private state: BacnetDeviceSnapshot['state'] = 'starting';
  private lastError: string | undefined;

  constructor(
    client: BacnetClient,
    private readonly device: BacnetDeviceConfig,
    private readonly bus: PointBus,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    this.reader = new BacnetDeviceReader(client, device);
  }

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.device.periodMs);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  snapshot(): BacnetDeviceSnapshot {
    const { id, address, instance } = this.device;
    return {
      id,
      address,
      instance,
      state: this.state,
      mode: this.reader.mode,
      ...(this.reader.maxApdu !== undefined ? { maxApdu: this.reader.maxApdu } : {}),
      requests: this.reader.requests,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  /** One read of every point; a poll still waiting when the next is due is not doubled. */
  private async poll(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      const readings = await this.reader.read(this.device.points);
      const ts = this.now();
      if (this.state !== 'ok')
        this.log.info({ device: this.device.id, mode: this.reader.mode }, 'BACnet device answering');
      this.state = 'ok';
      this.lastError = undefined;
      this.bus.publish(readings.map((r): PointValue => ({ ...r, ts })));
    } catch (err) {
      if (this.stopped) return; // closing the socket fails the read under way: not the device's fault
      const ts = this.now();
      const reason = err instanceof Error ? err.message : String(err);
      if (this.state !== 'unreachable') {
        this.log.warn(
          { device: this.device.id, reason },
          'BACnet device not answering: comm-error until it does',
        );
      }
      this.state = 'unreachable';
      this.lastError = reason;
      this.bus.publish(
        this.device.points.map((p): PointValue => ({ id: p.id, value: null, quality: 'comm-error', ts })),
      );
    } finally {
      this.inFlight = false;
    }
  }
}

/** Opens the socket (BacnetPortInUseError when it is taken) and starts every device's poller. */
export async function startBacnet(options: BacnetServiceOptions): Promise<BacnetService> {
  const client = await openBacnetClient(options);
  client.on('error', (err) => options.log.error({ err }, 'BACnet/IP socket error'));
  const now = options.now ?? Date.now;
  const pollers = options.devices.map(
    (device) => new BacnetDevicePoller(client, device, options.bus, options.log, now),
  );
  for (const poller of pollers) poller.start();
  return {
    client,
    devices: () => pollers.map((p) => p.snapshot()),
    stop() {
      for (const poller of pollers) poller.stop();
      client.close();
    },
  };
}

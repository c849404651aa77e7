/**
 * The BACnet part of a PlantConfig: plantwatch.yaml's `bacnet.ports`, and the enabled bacnet
 * devices on each with their profile, place (receiver, or how to find it by Who-Is) and timeout.
 */
import type { BACNetAddress } from '@bacnet-js/client';
import type { Logger } from 'pino';
import { bacnetPortOf } from '../../config/bacnet-schema.js';
import type {
  BacnetDeviceConfig,
  BacnetPortSettings,
  BacnetProfile,
  DeviceConfig,
  PlantConfig,
} from '../../config/index.js';
import { configuredReceiver, whoIsTarget } from './address.js';

export interface BacnetDeviceSpec {
  id: string;
  port: string;
  instance: number;
  /** Where it is, as the configuration says; undefined: found by Who-Is. */
  receiver: BACNetAddress | undefined;
  /** Where its Who-Is goes: undefined for the local broadcast (see address.ts). */
  whoIsTarget: BACNetAddress | undefined;
  network: number | undefined;
  /** How long one request waits for its answer. */
  timeoutMs: number;
  profile: BacnetProfile;
}

export interface BacnetPortSpec {
  settings: BacnetPortSettings;
  devices: BacnetDeviceSpec[];
}

const isBacnet = (device: DeviceConfig): device is BacnetDeviceConfig => 'bacnet' in device;

/**
 * Every configured port with its devices, or none when there is no `bacnet:` section or no
 * enabled bacnet device. A device whose port or profile is missing (check-config refuses both)
 * is left out with an error in the log.
 */
export function bacnetPortsFromConfig(config: PlantConfig, log: Logger): BacnetPortSpec[] {
  const settings = config.gateway.bacnet;
  const devices = config.devices.filter((d): d is BacnetDeviceConfig => d.enabled && isBacnet(d));
  if (!settings || devices.length === 0) return [];
  const ports = new Map(
    settings.ports.map((port) => [port.id, { settings: port, devices: [] } as BacnetPortSpec]),
  );
  for (const device of devices) {
    const portId = bacnetPortOf(device, settings);
    const port = portId === undefined ? undefined : ports.get(portId);
    const profile = config.profiles.get(device.profile);
    if (!port || profile?.protocol !== 'bacnet') {
      log.error(
        { device: device.id, port: portId, profile: device.profile },
        'BACnet device left out: its port or its bacnet profile is not configured',
      );
      continue;
    }
    const place = device.bacnet;
    port.devices.push({
      id: device.id,
      port: port.settings.id,
      instance: place.instance,
      receiver: configuredReceiver(place),
      whoIsTarget: whoIsTarget(place),
      network: place.network,
      timeoutMs: place.timeout ?? port.settings.apduTimeout,
      profile,
    });
  }
  return [...ports.values()];
}

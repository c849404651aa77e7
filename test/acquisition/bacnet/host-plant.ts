/**
 * BACnet tests without a network namespace: simulated devices and the gateway's port on
 * 127.0.0.1, each on a UDP port of its own other than 47808 (the library skips requests from
 * exactly 127.0.0.1:47808; on other ports it does not). Unicast only: no Who-Is by broadcast
 * here (that is lab.ts's, in a namespace). The configuration is built as the YAML files would
 * give it (test/helpers/plant-config.ts), for one port "lab".
 */
import { EngineeringUnits } from '@bacnet-js/client';
import { pino } from 'pino';
import {
  type SimObjectConfig,
  SimulatedBacnetDevice,
  type SimulatedDeviceOptions,
} from '../../../simulators/bacnet/device.js';
import type { BacnetProfile, PlantConfig } from '../../../src/config/index.js';
import { PointBus, type PointValue } from '../../../src/points/index.js';
import { plantConfig } from '../../helpers/plant-config.js';
import { freeUdpPorts } from '../../helpers/udp-ports.js';

export const log = pino({ level: process.env.PLANTWATCH_LOG_LEVEL ?? 'silent' });
export const HOST = '127.0.0.1';
export const PORT_ID = 'lab';

/** A UDP port nothing holds now (the library binds 47808 when given 0, so one is chosen here). */
export async function freeUdpPort(): Promise<number> {
  const [port] = await freeUdpPorts(1, HOST);
  return port as number;
}

/** Six objects of an air-handling unit; REAL values travel as float32, so these are exact in it. */
export const AHU_OBJECTS: SimObjectConfig[] = [
  {
    type: 'analog-input',
    instance: 1,
    name: 'supply-temp',
    units: EngineeringUnits.DEGREES_CELSIUS,
    value: 16.5,
    covIncrement: 0.5,
  },
  { type: 'analog-input', instance: 2, name: 'duct-pressure', units: EngineeringUnits.PASCALS, value: 412 },
  {
    type: 'analog-value',
    instance: 1,
    name: 'supply-setpoint',
    units: EngineeringUnits.DEGREES_CELSIUS,
    value: 17,
    relinquishDefault: 18.5,
  },
  { type: 'binary-value', instance: 1, name: 'fan-running', value: true },
  { type: 'multi-state-value', instance: 1, name: 'mode', value: 2 },
  { type: 'accumulator', instance: 1, name: 'fan-energy', value: 12345 },
];

export type SimDefinition = Omit<SimulatedDeviceOptions, 'address' | 'port' | 'name' | 'log' | 'objects'> & {
  objects?: SimObjectConfig[];
};

export async function startSimulator(definition: SimDefinition): Promise<SimulatedBacnetDevice> {
  return SimulatedBacnetDevice.start({
    objects: AHU_OBJECTS,
    ...definition,
    address: HOST,
    port: 0,
    name: `AHU ${definition.instance}`,
    log,
  });
}

export interface DeviceEntry {
  id: string;
  profile: string;
  instance: number;
  /** The simulator's "127.0.0.1:<port>"; absent: found by Who-Is (not on this host: see lab.ts). */
  address?: string;
  timeout?: number;
}

export interface LabConfig {
  gatewayPort: number;
  apduTimeout?: number;
  profiles: unknown[];
  devices: DeviceEntry[];
  /** COV lifetimes under the schema's 1-minute minimum, so that renewal shows within a test. */
  covLifetimeMs?: Record<string, number>;
}

/** The gateway configuration: port "lab" on 127.0.0.1:<gatewayPort>, the devices and profiles. */
export function labConfig(lab: LabConfig): PlantConfig {
  const config = plantConfig({
    gateway: {
      bacnet: {
        ports: [
          {
            id: PORT_ID,
            interface: HOST,
            udpPort: lab.gatewayPort,
            broadcastAddress: '127.255.255.255',
            apduTimeout: lab.apduTimeout ?? 1_000,
          },
        ],
      },
    },
    profiles: lab.profiles,
    devices: lab.devices.map((d) => ({
      id: d.id,
      name: d.id,
      profile: d.profile,
      bacnet: {
        instance: d.instance,
        ...(d.address !== undefined ? { address: d.address } : {}),
        ...(d.timeout !== undefined ? { timeout: d.timeout } : {}),
      },
    })),
  });
  for (const [id, ms] of Object.entries(lab.covLifetimeMs ?? {}))
    (config.profiles.get(id) as BacnetProfile).covLifetime = ms;
  return config;
}

/** The bus, with every value it carried and the latest per point. */
export function recordingBus() {
  const bus = new PointBus(log);
  const history: PointValue[] = [];
  const latest = new Map<string, PointValue>();
  bus.subscribe((values) => {
    for (const value of values) {
      history.push(value);
      latest.set(value.id, value);
    }
  });
  return {
    bus,
    history,
    latest,
    /** The values `pointId` took, in order, with their times. */
    of: (pointId: string) => history.filter((v) => v.id === pointId),
    /** Waits until `pointId`'s latest value passes `test`; the value then. */
    async until(
      pointId: string,
      test: (value: PointValue) => boolean,
      withinMs: number,
    ): Promise<PointValue> {
      const start = performance.now();
      for (;;) {
        const value = latest.get(pointId);
        if (value && test(value)) return value;
        if (performance.now() - start > withinMs)
          throw new Error(`${pointId}: not as expected within ${withinMs} ms; last ${JSON.stringify(value)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

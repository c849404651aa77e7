/**
 * The plants of `bacnet.bench.ts`, built in code and shared by its children: BACnet/IP devices
 * of `OBJECTS` analog inputs each (polled, present-value with status-flags and reliability, as
 * the reader asks), and Modbus TCP devices of as many float32 points (register pairs 0–39:
 * one block per device), each on a port of its own, all polled every `POLL_MS`.
 */
import type { PlantConfig } from '../../src/config/index.js';
import { plantConfig } from '../../test/helpers/plant-config.js';

export const POLL_MS = 1000;
export const OBJECTS = 20;
/** BACnet with ReadPropertyMultiple, and Modbus TCP: the same devices and points. */
export const DEVICES = 100;
/**
 * BACnet with ReadProperty only: three requests per object, asked one after another per device
 * (60 a device each second), through the port's 8 requests in flight: fewer devices, so
 * that a cycle's requests fit its second on this 2-core machine.
 */
export const RP_DEVICES = 20;

export type Mode = 'bacnet-rpm' | 'bacnet-rp' | 'modbus';

export const deviceId = (i: number) => `d${i}`;

const BACNET_PROFILE = {
  id: 'bench-bacnet',
  name: 'Bench BACnet controller, 20 analog inputs',
  equipment: 'air-handling-unit',
  protocol: 'bacnet',
  pollGroups: { default: POLL_MS },
  points: Array.from({ length: OBJECTS }, (_, i) => ({ name: `ai${i + 1}`, object: `AI${i + 1}` })),
};

const MODBUS_PROFILE = {
  id: 'bench-modbus',
  name: 'Bench Modbus meter, 20 float32',
  equipment: 'power-meter',
  protocol: 'modbus',
  pollGroups: { fast: POLL_MS },
  points: Array.from({ length: OBJECTS }, (_, i) => ({
    name: `f${i + 1}`,
    table: 'holding',
    address: i * 2,
    type: 'float32',
    poll: 'fast',
  })),
};

/** BACnet: the gateway's port on 127.0.0.1:`gatewayPort` (not 47808), a device per simulator port. */
export function bacnetPlant(gatewayPort: number, devices: { instance: number; port: number }[]): PlantConfig {
  return plantConfig({
    gateway: {
      bacnet: {
        ports: [
          {
            id: 'bench',
            interface: '127.0.0.1',
            udpPort: gatewayPort,
            broadcastAddress: '127.255.255.255',
            apduTimeout: 2_000,
          },
        ],
      },
    },
    profiles: [BACNET_PROFILE],
    devices: devices.map((d, i) => ({
      id: deviceId(i),
      name: `Controller ${d.instance}`,
      profile: BACNET_PROFILE.id,
      bacnet: { instance: d.instance, address: `127.0.0.1:${d.port}` },
    })),
  });
}

/** Modbus TCP: one line (connection) per device, unit 1, one request at a time. */
export function modbusPlant(ports: readonly number[]): PlantConfig {
  return plantConfig({
    lines: ports.map((port, i) => ({
      id: `line${i}`,
      transport: 'tcp',
      host: '127.0.0.1',
      port,
      timeout: 1000,
    })),
    profiles: [MODBUS_PROFILE],
    devices: ports.map((_, i) => ({
      id: deviceId(i),
      name: `Meter ${i}`,
      profile: MODBUS_PROFILE.id,
      modbus: { line: `line${i}`, unitId: 1 },
    })),
  });
}

/**
 * The large simulated plant of `large-plant.bench.ts`, built in code: `GATEWAYS` Modbus TCP
 * gateways (one port each) with `UNITS` meters behind each (unit ids 1…UNITS), every meter
 * one block of 20 holding registers (8 float32, 4 16-bit integers, scaled) polled every second.
 * The simulator children, the gateway child and the Node-RED peer all build it from here.
 */
import type { PlantConfig } from '../../src/config/index.js';
import { plantConfig } from '../../test/helpers/plant-config.js';

export const GATEWAYS = 50;
export const UNITS = 20;
export const DEVICES = GATEWAYS * UNITS;
export const POLL_MS = 1000;
export const REGISTERS = 20;

/**
 * A three-phase meter's 20 holding registers, 0–19: the power-meter physics' names, so the
 * simulator serves moving values. Floats big-endian (ABCD) and word-swapped (CDAB), integers
 * scaled: the decoding a real meter needs.
 */
export const PROFILE = {
  id: 'bench-meter',
  name: 'Bench meter, 20 holding registers',
  equipment: 'power-meter',
  protocol: 'modbus',
  pollGroups: { fast: POLL_MS },
  points: [
    { name: 'voltage_l1', unit: 'V', table: 'holding', address: 0, type: 'float32', range: [0, 500] },
    { name: 'voltage_l2', unit: 'V', table: 'holding', address: 2, type: 'float32', range: [0, 500] },
    { name: 'voltage_l3', unit: 'V', table: 'holding', address: 4, type: 'float32', range: [0, 500] },
    { name: 'current_l1', unit: 'A', table: 'holding', address: 6, type: 'float32', range: [0, 6000] },
    { name: 'current_l2', unit: 'A', table: 'holding', address: 8, type: 'float32', range: [0, 6000] },
    { name: 'current_l3', unit: 'A', table: 'holding', address: 10, type: 'float32', range: [0, 6000] },
    { name: 'power_kw', unit: 'kW', table: 'holding', address: 12, type: 'float32', order: 'CDAB' },
    { name: 'reactive_kvar', unit: 'kvar', table: 'holding', address: 14, type: 'float32', order: 'CDAB' },
    { name: 'power_factor', table: 'holding', address: 16, type: 'int16', scale: 0.001, range: [-1, 1] },
    { name: 'frequency_hz', unit: 'Hz', table: 'holding', address: 17, type: 'uint16', scale: 0.01 },
    { name: 'max_demand_kw', unit: 'kW', table: 'holding', address: 18, type: 'uint16', scale: 0.1 },
    { name: 'energy_kwh', unit: 'kWh', table: 'holding', address: 19, type: 'uint16', counter: true },
  ].map((p) => ({ ...p, poll: 'fast' })),
} as const;

export const gatewayId = (g: number) => `gw${g}`;
export const deviceId = (g: number, unit: number) => `m${g}u${unit}`;

/**
 * The plant on `ports` (one per gateway), or only the gateways in `only`; `maxInFlight`
 * requests at once per gateway connection (1: one at a time).
 */
export function largePlant(ports: readonly number[], only?: readonly number[], maxInFlight = 1): PlantConfig {
  if (ports.length !== GATEWAYS) throw new Error(`${GATEWAYS} ports needed, got ${ports.length}`);
  const gateways = only ?? ports.map((_, g) => g);
  return plantConfig({
    lines: gateways.map((g) => ({
      id: gatewayId(g),
      transport: 'tcp',
      host: '127.0.0.1',
      port: ports[g],
      timeout: 1000,
      maxInFlight,
    })),
    profiles: [PROFILE],
    devices: gateways.flatMap((g) =>
      Array.from({ length: UNITS }, (_, u) => ({
        id: deviceId(g, u + 1),
        name: `Meter ${g}/${u + 1}`,
        profile: PROFILE.id,
        modbus: { line: gatewayId(g), unitId: u + 1 },
      })),
    ),
  });
}

/** Gateways 0…GATEWAYS-1 dealt round-robin over `shards` simulator processes. */
export const shard = (index: number, shards: number) =>
  Array.from({ length: GATEWAYS }, (_, g) => g).filter((g) => g % shards === index);

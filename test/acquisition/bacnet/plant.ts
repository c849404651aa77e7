/**
 * The BACnet tests' plant: two simulated devices on 127.0.0.2 and 127.0.0.3 with the same ten
 * objects, the first with a small max-APDU (206 octets: reading all its objects takes more than
 * one request but fewer than one per object), the second refusing ReadPropertyMultiple.
 */
import { EngineeringUnits } from '@bacnet-js/client';
import { SIM_OBJECT_TYPES, type SimObjectConfig } from '../../../simulators/bacnet/device.js';
import type { BacnetPointRef } from '../../../src/acquisition/bacnet/index.js';

export const BROADCAST = '127.255.255.255';
export const DEVICES = {
  modern: { address: '127.0.0.2', instance: 2001, maxApdu: 206, refuseReadPropertyMultiple: false },
  old: { address: '127.0.0.3', instance: 3001, maxApdu: 480, refuseReadPropertyMultiple: true },
} as const;
export type DeviceKey = keyof typeof DEVICES;
/**
 * The gateway's own address for the reading tests, and another for the service's socket. Not
 * 127.0.0.1: the library's server side skips every request from 127.0.0.1:47808.
 */
export const GATEWAY_ADDRESS = '127.0.0.4';
export const SERVICE_ADDRESS = '127.0.0.5';
/** Where the port-in-use test's other program binds (any 127/8 address is on the loopback). */
export const TAKEN_ADDRESS = '127.0.0.6';
/** Where the device found by Who-Is moves to (a new DHCP lease). */
export const MOVED_ADDRESS = '127.0.0.7';
/** A device the configuration names that is not there until a test starts it. */
export const LATE_DEVICE = { address: '127.0.0.8', instance: 4001 };
export const NAMESPACE_ADDRESSES = [
  DEVICES.modern.address,
  DEVICES.old.address,
  GATEWAY_ADDRESS,
  SERVICE_ADDRESS,
];

/** Ten objects of an air-handling unit; REAL values travel as float32, so these are exact in it. */
export const OBJECTS: SimObjectConfig[] = [
  {
    type: 'analog-input',
    instance: 1,
    name: 'supply-temp',
    units: EngineeringUnits.DEGREES_CELSIUS,
    value: 16.5,
  },
  {
    type: 'analog-input',
    instance: 2,
    name: 'return-temp',
    units: EngineeringUnits.DEGREES_CELSIUS,
    value: 22.25,
  },
  {
    type: 'analog-input',
    instance: 3,
    name: 'outside-temp',
    units: EngineeringUnits.DEGREES_CELSIUS,
    value: -3.75,
  },
  { type: 'analog-input', instance: 4, name: 'duct-pressure', units: EngineeringUnits.PASCALS, value: 412 },
  {
    type: 'analog-input',
    instance: 5,
    name: 'supply-humidity',
    units: EngineeringUnits.PERCENT_RELATIVE_HUMIDITY,
    value: 41.5,
  },
  {
    type: 'analog-value',
    instance: 1,
    name: 'supply-setpoint',
    units: EngineeringUnits.DEGREES_CELSIUS,
    value: 17,
  },
  { type: 'analog-value', instance: 2, name: 'fan-speed', units: EngineeringUnits.PERCENT, value: 72.5 },
  { type: 'binary-value', instance: 1, name: 'fan-running', value: true },
  { type: 'binary-value', instance: 2, name: 'filter-alarm', value: false },
  { type: 'binary-value', instance: 3, name: 'frost-protection', value: false },
];

/** The same points as a bacnet profile of the configuration: "AI1" for analog-input 1. */
export const AHU_PROFILE = {
  id: 'ahu',
  name: 'AHU',
  equipment: 'air-handling-unit',
  protocol: 'bacnet',
  points: OBJECTS.map((o) => ({ name: o.name, object: `${o.type}:${o.instance}` })),
};

/** The gateway's points for one device: "<device>.<object name>". */
export const pointsOf = (device: DeviceKey): BacnetPointRef[] =>
  OBJECTS.map((o) => ({
    id: `${device}.${o.name}`,
    object: { type: SIM_OBJECT_TYPES[o.type], instance: o.instance },
  }));

/**
 * The BACnet scan tests' plant (bacnet-scan-lab.ts runs it): two air-handling-unit controllers
 * of one model (one refusing ReadPropertyMultiple), a zone controller with 200 objects and a
 * 206-octet APDU, a power meter whose program changes, and a controller that is offline.
 */
import { EngineeringUnits } from '@bacnet-js/client';
import type { SimObjectConfig } from '../../simulators/bacnet/device.js';

export const BROADCAST = '127.255.255.255';
/** Where the scan's own socket is bound; the CLI's, in its own process, on another address. */
export const SCANNER_ADDRESS = '127.0.0.9';
export const CLI_ADDRESS = '127.0.0.10';
export const TIMEOUT_MS = 400;

/** Ten objects of an air-handling unit, and a multi-state one. */
export const AHU_OBJECTS: SimObjectConfig[] = [
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
    value: 22,
  },
  { type: 'analog-input', instance: 3, name: 'duct-pressure', units: EngineeringUnits.PASCALS, value: 412 },
  {
    type: 'analog-input',
    instance: 4,
    name: 'supply-humidity',
    units: EngineeringUnits.PERCENT_RELATIVE_HUMIDITY,
    value: 41.5,
  },
  {
    type: 'analog-input',
    instance: 5,
    name: 'supply-flow',
    units: EngineeringUnits.CUBIC_METERS_PER_HOUR,
    value: 3600,
  },
  {
    type: 'analog-value',
    instance: 1,
    name: 'supply-setpoint',
    units: EngineeringUnits.DEGREES_CELSIUS,
    value: 17,
  },
  {
    type: 'analog-value',
    instance: 2,
    name: 'fan-speed',
    units: EngineeringUnits.REVOLUTIONS_PER_MINUTE,
    value: 1450,
  },
  { type: 'binary-value', instance: 1, name: 'fan-running', value: true },
  { type: 'binary-value', instance: 2, name: 'filter-alarm', value: false },
  { type: 'multi-state-value', instance: 1, name: 'operating-mode', value: 2 },
];

/** A zone controller's 200 objects: names long enough that two answers overflow its 206-octet APDU. */
export const ZONE_OBJECTS: SimObjectConfig[] = [
  ...Array.from(
    { length: 150 },
    (_, i): SimObjectConfig => ({
      type: 'analog-input',
      instance: i + 1,
      name: `Zone ${i + 1} room air temperature sensor, north wing, level 3, ward B, bay ${i + 1}`,
      units: EngineeringUnits.DEGREES_CELSIUS,
      value: 21,
    }),
  ),
  ...Array.from(
    { length: 50 },
    (_, i): SimObjectConfig => ({
      type: 'binary-value',
      instance: i + 1,
      name: `zone-${i + 1}-occupied`,
      value: false,
    }),
  ),
];

/** A power meter's objects; the one named in Chinese has no name to give its point. */
export const METER_OBJECTS: SimObjectConfig[] = [
  { type: 'analog-input', instance: 1, name: 'Active power', units: EngineeringUnits.KILOWATTS, value: 120 },
  { type: 'analog-input', instance: 2, name: 'Energy', units: EngineeringUnits.KILOWATT_HOURS, value: 81234 },
  { type: 'analog-input', instance: 3, name: '母线电压', units: EngineeringUnits.VOLTS, value: 400 },
];
/** What was added to the meter later, and what was taken away (re-discovery). */
export const METER_ADDED: SimObjectConfig[] = [
  { type: 'analog-input', instance: 4, name: 'Frequency', units: EngineeringUnits.HERTZ, value: 50 },
  { type: 'binary-value', instance: 1, name: 'Breaker closed', value: true },
];
/** The object taken out of the meter's program. */
export const METER_REMOVED = { type: 'analog-input', instance: 2, object: 'analog-input:2' } as const;

export const DEVICES = {
  ahu1: {
    address: '127.0.0.2',
    instance: 2001,
    name: 'AHU 1',
    modelName: 'AHU controller',
    maxApdu: 480,
    objects: AHU_OBJECTS,
  },
  /** The same model with the same objects, but refusing ReadPropertyMultiple. */
  ahu2: {
    address: '127.0.0.3',
    instance: 2002,
    name: 'AHU 2',
    modelName: 'AHU controller',
    maxApdu: 480,
    refuseReadPropertyMultiple: true,
    objects: AHU_OBJECTS,
  },
  /** 200 objects, max-APDU 206, no segmentation: its object-list cannot come whole. */
  zones: {
    address: '127.0.0.4',
    instance: 3001,
    name: 'Zone controller 3',
    modelName: 'ZC-200',
    maxApdu: 206,
    objects: ZONE_OBJECTS,
  },
  meter: {
    address: '127.0.0.5',
    instance: 4001,
    name: 'Main incomer meter',
    modelName: 'PM-1',
    maxApdu: 480,
    objects: METER_OBJECTS,
  },
  /** Offline from the start: given by address, it must be reported. */
  dead: {
    address: '127.0.0.6',
    instance: 5001,
    name: 'Dead controller',
    modelName: 'AHU controller',
    maxApdu: 480,
    objects: AHU_OBJECTS,
  },
  /** Answers Who-Is, then goes silent at the first request (started by its own test only). */
  flaky: {
    address: '127.0.0.7',
    instance: 6001,
    name: 'Flaky controller',
    modelName: 'AHU controller',
    maxApdu: 480,
    objects: AHU_OBJECTS,
  },
} as const;
export type DeviceKey = keyof typeof DEVICES;

export const NAMESPACE_ADDRESSES = [
  ...Object.values(DEVICES).map((d) => d.address),
  SCANNER_ADDRESS,
  CLI_ADDRESS,
];

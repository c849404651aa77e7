/**
 * Small plants built in code for the simulator tests: one profile that uses every data
 * type, word order, bit field and table, so a master's decoded reads can be compared
 * with the model's values point by point.
 */
import modbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { decodeRegisters } from '../../src/acquisition/modbus/codec.js';
import type { ModbusProfile } from '../../src/config/schema.js';

export const Client = modbusSerial as unknown as new () => ModbusRTU;

/** A meter with a hole at 18..25 (unmapped: exception 2), counters, floats and bit flags. */
export const meterProfile = {
  id: 'test-meter',
  name: 'Test power meter',
  equipment: 'power-meter',
  protocol: 'modbus',
  pollGroups: { fast: '1s' },
  points: [
    { name: 'voltage_l1', table: 'holding', address: 0, type: 'float32' },
    { name: 'current_l1', table: 'holding', address: 2, type: 'float32', order: 'CDAB' },
    { name: 'power_kw', table: 'holding', address: 4, type: 'int32', scale: 0.01, order: 'DCBA' },
    { name: 'power_factor', table: 'holding', address: 6, type: 'int16', scale: 0.001 },
    { name: 'frequency_hz', table: 'holding', address: 7, type: 'uint16', scale: 0.01 },
    { name: 'reactive_kvar', table: 'holding', address: 8, type: 'float64', order: 'BADC' },
    { name: 'energy_kwh', table: 'holding', address: 40, type: 'uint32', scale: 0.1, counter: true },
    { name: 'breaker_closed', table: 'holding', address: 50, type: 'bool', bit: 0 },
    { name: 'alarm_flag', table: 'holding', address: 50, type: 'bool', bit: 3 },
    { name: 'breaker_coil', table: 'coil', address: 0, type: 'bool' },
  ],
};

export const chillerProfile = {
  id: 'test-chiller',
  name: 'Test chiller',
  equipment: 'chiller',
  protocol: 'modbus',
  pollGroups: { fast: '1s' },
  points: [
    { name: 'chw_supply_temp', table: 'input', address: 0, type: 'int16', scale: 0.1 },
    { name: 'load_pct', table: 'input', address: 1, type: 'uint16', scale: 0.1 },
    { name: 'running', table: 'input', address: 2, type: 'bool', bit: 0 },
    { name: 'tripped', table: 'input', address: 2, type: 'bool', bit: 1 },
    { name: 'fault_code', table: 'input', address: 3, type: 'uint16' },
    { name: 'run_hours', table: 'input', address: 4, type: 'uint16', counter: true },
  ],
};

/** Decode every register point of a profile out of words read from address 0. */
export function decodeAll(profile: ModbusProfile, words: number[]): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const p of profile.points) {
    if (p.table === 'coil' || p.table === 'discrete') continue;
    out[p.name] = decodeRegisters(p, words, p.address);
  }
  return out;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Close a modbus-serial client without waiting on a port that is already gone. */
export function closeClient(client: ModbusRTU): Promise<void> {
  return new Promise((resolve) => {
    if (!client.isOpen) return resolve();
    client.close(() => resolve());
    setTimeout(resolve, 500).unref();
  });
}

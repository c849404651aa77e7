/**
 * The registers a Modbus TCP master reads decode, with the gateway's own codec, to the
 * model's values; the exceptions are the ones real meters and gateways answer.
 */
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import type { PlantConfig } from '../../src/config/index.js';
import type { ModbusProfile } from '../../src/config/schema.js';
import { freePort } from '../helpers/modbus-tcp-device.js';
import { plantConfig } from '../helpers/plant-config.js';
import { Client, chillerProfile, closeClient, decodeAll, meterProfile, sleep } from './fixtures.js';

let sim: PlantSimulator;
let config: PlantConfig;
let gatewayPort: number;
let chillerPort: number;
const clients: ModbusRTU[] = [];

beforeAll(async () => {
  gatewayPort = await freePort();
  chillerPort = await freePort();
  config = plantConfig({
    lines: [
      { id: 'meters-gw', transport: 'tcp', host: '127.0.0.1', port: gatewayPort, timeout: 600 },
      { id: 'chiller-tcp', transport: 'tcp', host: '127.0.0.1', port: chillerPort, timeout: 600 },
    ],
    profiles: [meterProfile, chillerProfile],
    devices: [
      { id: 'f1', name: 'Feeder 1', profile: 'test-meter', modbus: { line: 'meters-gw', unitId: 1 } },
      { id: 'f2', name: 'Feeder 2', profile: 'test-meter', modbus: { line: 'meters-gw', unitId: 2 } },
      { id: 'ch', name: 'Chiller', profile: 'test-chiller', modbus: { line: 'chiller-tcp', unitId: 1 } },
    ],
    simulation: {
      devices: {
        f1: { role: 'feeder', load: 'sockets', peakKw: 300 },
        f2: { role: 'feeder', load: 'lighting', peakKw: 120 },
        ch: { capacityKw: 1400 },
      },
    },
  });
  sim = await startPlantSimulator(config, { tickMs: 100 });
});
afterEach(async () => {
  for (const f of sim.faults.list()) sim.faults.clear(f.device);
  await Promise.all(clients.splice(0).map(closeClient));
});
afterAll(async () => {
  await sim?.stop();
});

async function client(port: number, unit: number, timeout = 400): Promise<ModbusRTU> {
  const c = new Client();
  await c.connectTCP('127.0.0.1', { port });
  c.setID(unit);
  c.setTimeout(timeout);
  clients.push(c);
  return c;
}

const profile = (id: string) => config.profiles.get(id) as ModbusProfile;

describe('registers', () => {
  it('decode to the model values for every type, order, scale and bit', async () => {
    sim.setValue('f1', 'alarm_flag', true);
    sim.setValue('f1', 'power_kw', -123.45);
    // Held still, so the model cannot move on between the read and the comparison (a loaded machine).
    for (const [point, value] of Object.entries({
      voltage_l1: 231.7,
      current_l1: 98.25,
      power_factor: 0.934,
      frequency_hz: 50.02,
      reactive_kvar: 41.5,
    }))
      sim.setValue('f1', point, value);
    const master = await client(gatewayPort, 1);
    const low = (await master.readHoldingRegisters(0, 12)).data;
    const high = (await master.readHoldingRegisters(40, 2)).data;
    const flags = (await master.readHoldingRegisters(50, 1)).data;
    // The reads laid out at their addresses, as one sparse register image.
    const words: number[] = [...low];
    words.length = 40;
    words.push(...high);
    words.length = 50;
    words.push(flags[0]!);
    const decoded = decodeAll(profile('test-meter'), words);
    const model = sim.values('f1');
    expect(decoded.voltage_l1).toBeCloseTo(Number(model.voltage_l1), 4);
    expect(decoded.current_l1).toBeCloseTo(Number(model.current_l1), 3);
    expect(decoded.power_kw).toBeCloseTo(-123.45, 2);
    expect(decoded.power_factor).toBeCloseTo(Number(model.power_factor), 3);
    expect(decoded.frequency_hz).toBeCloseTo(Number(model.frequency_hz), 2);
    expect(decoded.reactive_kvar).toBeCloseTo(Number(model.reactive_kvar), 6);
    // Counters truncate to whole register steps, as meters do.
    expect(Number(model.energy_kwh) - Number(decoded.energy_kwh)).toBeGreaterThanOrEqual(-1e-6);
    expect(Number(model.energy_kwh) - Number(decoded.energy_kwh)).toBeLessThan(0.1 + 1e-6);
    expect(decoded.breaker_closed).toBe(true);
    expect(decoded.alarm_flag).toBe(true);
    expect((await master.readCoils(0, 1)).data[0]).toBe(false); // a point the model does not know
  });

  it('answer exception 2 for a read touching an unmapped address', async () => {
    const master = await client(gatewayPort, 2);
    await expect(master.readHoldingRegisters(16, 4)).rejects.toMatchObject({ modbusCode: 2 });
    await expect(master.readHoldingRegisters(18, 1)).rejects.toMatchObject({ modbusCode: 2 });
    await expect(master.readInputRegisters(0, 1)).rejects.toMatchObject({ modbusCode: 2 });
    await expect(master.readHoldingRegisters(0, 126)).rejects.toMatchObject({ modbusCode: 3 });
  });

  it('follow setValue at once, and the physics again for other points', async () => {
    sim.setValue('ch', 'chw_supply_temp', 9.5);
    const master = await client(chillerPort, 1);
    const words = (await master.readInputRegisters(0, 5)).data;
    const decoded = decodeAll(profile('test-chiller'), words);
    expect(decoded.chw_supply_temp).toBeCloseTo(9.5, 5);
    expect(decoded.running).toBe(true);
    expect(decoded.load_pct).toBeCloseTo(Number(sim.values('ch').load_pct), 0);
  });
});

describe('a TCP gateway and a single TCP device', () => {
  it('gateway: a unit that is not there gets 0x0B, an offline one 0x0B after half the line timeout', async () => {
    await expect((await client(gatewayPort, 9)).readHoldingRegisters(0, 2)).rejects.toMatchObject({
      modbusCode: 11,
    });
    sim.faults.inject('f2', { type: 'offline' });
    const started = Date.now();
    await expect((await client(gatewayPort, 2, 2000)).readHoldingRegisters(0, 2)).rejects.toMatchObject({
      modbusCode: 11,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect((await (await client(gatewayPort, 1)).readHoldingRegisters(0, 2)).data).toHaveLength(2);
  });

  it('single device offline: no answer at all, the master times out', async () => {
    sim.faults.inject('ch', { type: 'offline' });
    await expect((await client(chillerPort, 1, 300)).readInputRegisters(0, 2)).rejects.toThrow(/Timed out/);
  });
});

describe('faults as the master sees them', () => {
  it('slow: the answer comes late', async () => {
    sim.faults.inject('f1', { type: 'slow', delayMs: 300 });
    const master = await client(gatewayPort, 1, 2000);
    const started = Date.now();
    await master.readHoldingRegisters(0, 2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('exception: the chosen code only for reads touching the chosen range', async () => {
    sim.faults.inject('f1', { type: 'exception', code: 4, from: 40, to: 41 });
    const master = await client(gatewayPort, 1);
    await expect(master.readHoldingRegisters(40, 2)).rejects.toMatchObject({ modbusCode: 4 });
    expect((await master.readHoldingRegisters(0, 2)).data).toHaveLength(2);
  });

  it('out-of-range: the point reads the injected value until cleared', async () => {
    sim.faults.inject('ch', { type: 'out-of-range', point: 'chw_supply_temp', value: -40 });
    const master = await client(chillerPort, 1);
    expect((await master.readInputRegisters(0, 1)).data[0]).toBe(0x10000 - 400);
    sim.faults.clear('ch', 'out-of-range');
    await sleep(150);
    expect((await master.readInputRegisters(0, 1)).data[0]).toBeLessThan(200);
  });

  it('stuck: registers stop changing', async () => {
    sim.faults.inject('f1', { type: 'stuck' });
    const master = await client(gatewayPort, 1);
    const first = (await master.readHoldingRegisters(0, 8)).data;
    await sleep(350);
    expect((await master.readHoldingRegisters(0, 8)).data).toEqual(first);
  });

  it('trip: running bit clear, tripped bit set, a fault code, no load', async () => {
    sim.faults.inject('ch', { type: 'trip' });
    const master = await client(chillerPort, 1);
    const decoded = decodeAll(profile('test-chiller'), (await master.readInputRegisters(0, 5)).data);
    expect(decoded).toMatchObject({ running: false, tripped: true, load_pct: 0 });
    expect(decoded.fault_code).not.toBe(0);
    sim.faults.clear('ch', 'trip');
    const after = decodeAll(profile('test-chiller'), (await master.readInputRegisters(0, 5)).data);
    expect(after).toMatchObject({ running: true, tripped: false, fault_code: 0 });
  });

  it('rollover: a scaled uint32 kWh counter wraps through zero within a few ticks', async () => {
    sim.faults.inject('f1', { type: 'rollover' });
    const master = await client(gatewayPort, 1);
    const read = async () => {
      const [hi, lo] = (await master.readHoldingRegisters(40, 2)).data;
      return hi! * 0x10000 + lo!;
    };
    const before = await read();
    expect(before).toBeGreaterThan(0xffffffff - 100);
    let after = before;
    for (let i = 0; i < 40 && after >= before; i++) {
      await sleep(50);
      after = await read();
    }
    expect(after).toBeLessThan(100);
  });

  it('rollover: a 16-bit run-hours counter too; a non-counter point is refused', async () => {
    sim.faults.inject('ch', { type: 'rollover', point: 'run_hours' });
    const master = await client(chillerPort, 1);
    expect((await master.readInputRegisters(4, 1)).data[0]).toBe(0xffff);
    expect(() => sim.faults.inject('ch', { type: 'rollover', point: 'load_pct' })).toThrow(
      /no Modbus counter point "load_pct"/,
    );
  });
});

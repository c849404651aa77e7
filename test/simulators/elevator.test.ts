/**
 * The demo's lifts: the car's trips through a hospital day on a hand-driven clock (busier by
 * day, doors open only at a landing, counters that only grow), the trapped passenger and the
 * stopped car, and the same faults over Modbus decoded with the gateway's codec from the
 * elevator profile's register map.
 */
import { DateTime } from 'luxon';
import modbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Faults } from '../../simulators/faults.js';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { DIRECTION, ELEVATOR_FAULT } from '../../simulators/physics/elevator.js';
import { PlantModel } from '../../simulators/plant.js';
import { decodeRegisters } from '../../src/acquisition/modbus/codec.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';

const Client = modbusSerial as unknown as new () => ModbusRTU;
const demoConfig = loadConfig('config', { env: {} });
const ZONE = demoConfig.energy.timezone ?? 'Asia/Shanghai';

/** The demo plant on a clock the test moves, starting at a local hour in the plant's zone. */
function plantAt(hour: number) {
  let now = DateTime.fromObject({ year: 2026, month: 7, day: 15, hour }, { zone: ZONE }).toMillis();
  const model = new PlantModel(demoConfig, () => now);
  return {
    model,
    faults: new Faults(model),
    v: (id: string) => model.values(id),
    /** Advance in one-second ticks, calling `each` after every tick. */
    run(seconds: number, each?: () => void) {
      for (let i = 0; i < seconds; i++) {
        now += 1000;
        model.step();
        each?.();
      }
    },
  };
}

describe('the elevator model', () => {
  it('makes many more trips by day than by night, at the outpatient building most', () => {
    const trips = (hour: number, id: string) => {
      const plant = plantAt(hour);
      const before = Number(plant.v(id).run_count);
      plant.run(3600);
      return Number(plant.v(id).run_count) - before;
    };
    const outpatientDay = trips(10, 'lift-op1');
    const outpatientNight = trips(3, 'lift-op1');
    // 70 calls an hour by day, 2 at night (simulation.yaml), give or take chance.
    expect(outpatientDay).toBeGreaterThan(40);
    expect(outpatientDay).toBeLessThan(90);
    expect(outpatientNight).toBeLessThan(10);
    expect(trips(3, 'lift-ip2')).toBeGreaterThan(outpatientNight); // the bed lift at night
  });

  it('moves floor by floor within its shaft, doors open only while stopped at a landing', () => {
    const plant = plantAt(11);
    const seen = new Set<number>();
    let lastFloor = Number(plant.v('lift-ip1').floor);
    const startHours = Number(plant.v('lift-ip1').run_hours);
    let lastHours = startHours;
    let lastCount = Number(plant.v('lift-ip1').run_count);
    let moving = 0;
    plant.run(1800, () => {
      const v = plant.v('lift-ip1');
      const floor = Number(v.floor);
      seen.add(floor);
      expect(floor).not.toBe(0);
      expect(floor).toBeGreaterThanOrEqual(-2);
      expect(floor).toBeLessThanOrEqual(18);
      // One second at 2.5 s a floor: never more than one floor at a time.
      expect(
        Math.abs(floor - lastFloor) <= 1 ||
          (lastFloor === 1 && floor === -1) ||
          (lastFloor === -1 && floor === 1),
      ).toBe(true);
      if (v.door_open) expect(v.running).toBe(false);
      if (v.running) {
        moving++;
        expect(v.direction).not.toBe(DIRECTION.stopped);
        if (floor > lastFloor) expect(v.direction).toBe(DIRECTION.up);
        if (floor < lastFloor) expect(v.direction).toBe(DIRECTION.down);
      } else expect(v.direction).toBe(DIRECTION.stopped);
      expect(v).toMatchObject({ in_service: true, passenger_trapped: false, fault_code: 0 });
      expect(Number(v.run_hours)).toBeGreaterThanOrEqual(lastHours);
      expect(Number(v.run_count)).toBeGreaterThanOrEqual(lastCount);
      lastFloor = floor;
      lastHours = Number(v.run_hours);
      lastCount = Number(v.run_count);
    });
    expect(seen.size).toBeGreaterThan(5);
    // Run hours count the time the car moves, nothing else (to a second or so a trip).
    const movedSeconds = (lastHours - startHours) * 3600;
    expect(moving).toBeGreaterThan(300);
    expect(Math.abs(movedSeconds - moving)).toBeLessThan(0.05 * moving);
  });

  it('repeats itself: the same lift on the same clock makes the same trips', () => {
    const a = plantAt(9);
    const b = plantAt(9);
    a.run(600);
    b.run(600);
    expect(a.v('lift-op2')).toEqual(b.v('lift-op2'));
    expect(a.v('lift-op1')).not.toEqual(a.v('lift-op2'));
  });

  it('trapped: the car stops between floors with its doors closed until the rescue', () => {
    const plant = plantAt(10);
    plant.run(300);
    plant.faults.inject('lift-op1', { type: 'trapped' });
    const trapped = plant.v('lift-op1');
    expect(trapped).toMatchObject({
      passenger_trapped: true,
      in_service: false,
      running: false,
      direction: DIRECTION.stopped,
      door_open: false,
      fault_code: ELEVATOR_FAULT.stoppedOutsideDoorZone,
    });
    plant.run(600);
    // Nothing moves while a passenger waits: same floor, same counters.
    expect(plant.v('lift-op1')).toEqual(trapped);
    plant.faults.clear('lift-op1', 'trapped');
    expect(plant.v('lift-op1')).toMatchObject({ passenger_trapped: false, in_service: true, fault_code: 0 });
    plant.run(600);
    expect(Number(plant.v('lift-op1').run_count)).toBeGreaterThan(Number(trapped.run_count));
  });

  it('elevator-stop: the car stops at its floor, out of service, with a fault code', () => {
    const plant = plantAt(10);
    plant.run(120);
    plant.faults.inject('lift-ip1', { type: 'elevator-stop' });
    expect(plant.v('lift-ip1')).toMatchObject({
      in_service: false,
      running: false,
      passenger_trapped: false,
      fault_code: ELEVATOR_FAULT.safetyCircuitOpen,
    });
    plant.faults.clear('lift-ip1');
    expect(plant.v('lift-ip1')).toMatchObject({ in_service: true, fault_code: 0 });
  });

  it('refuses the lift faults on other equipment and bad simulation parameters', () => {
    const plant = plantAt(10);
    expect(() => plant.faults.inject('ch1', { type: 'trapped' })).toThrow(/ch1 is not an elevator/);
    expect(() => plant.faults.inject('pbw1', { type: 'elevator-stop' })).toThrow(/not an elevator/);
    const bad = (params: Record<string, unknown>) => {
      const config = {
        ...demoConfig,
        simulation: {
          ...demoConfig.simulation,
          devices: { ...demoConfig.simulation.devices, 'lift-op1': params },
        },
      } as PlantConfig;
      return () => new PlantModel(config);
    };
    expect(bad({ lowestFloor: 0 })).toThrow(/devices\.lift-op1: lowestFloor: no floor 0/);
    expect(bad({ lowestFloor: 5, topFloor: 3 })).toThrow(/lowestFloor \(5\) must be below topFloor \(3\)/);
  });
});

describe('a trapped passenger over Modbus', () => {
  let demo: DemoConfig;
  let config: PlantConfig;
  let sim: PlantSimulator;
  let client: ModbusRTU;

  beforeAll(async () => {
    demo = await demoConfigCopy();
    config = loadConfig(demo.dir);
    sim = await startPlantSimulator(config, { tickMs: 100 });
    const line = config.lines.find((l) => l.id === 'lifts-gw');
    if (line?.transport !== 'tcp') throw new Error('lifts-gw is not a Modbus TCP line');
    client = new Client();
    await client.connectTCP('127.0.0.1', { port: line.port });
    client.setTimeout(1000);
  });
  afterAll(async () => {
    client?.close(() => {});
    await sim?.stop();
    demo?.cleanup();
  });

  /** Every point of the lift, decoded from its input registers as the gateway decodes them. */
  async function read(deviceId: string) {
    const device = config.devices.find((d) => d.id === deviceId);
    const profile = config.profiles.get('elevator');
    if (!device || !('modbus' in device) || profile?.protocol !== 'modbus') throw new Error(deviceId);
    client.setID(device.modbus.unitId);
    // Two blocks, as its two poll groups read them: status at 0–3, counters at 10–13 (4–9 unmapped).
    const words: number[] = [];
    words.push(...(await client.readInputRegisters(0, 4)).data, 0, 0, 0, 0, 0, 0);
    words.push(...(await client.readInputRegisters(10, 4)).data);
    return Object.fromEntries(profile.points.map((p) => [p.name, decodeRegisters(p, words, p.address)]));
  }

  it('reads a lift in service, then trapped: stopped, doors closed, trapped bit and fault code set', async () => {
    const before = await read('lift-ip2');
    expect(before).toMatchObject({ in_service: true, passenger_trapped: false, fault_code: 0 });
    expect(Number(before.run_count)).toBeGreaterThan(100_000);
    expect(Number(before.run_hours)).toBeGreaterThan(1000);

    sim.faults.inject('lift-ip2', { type: 'trapped' });
    await new Promise((r) => setTimeout(r, 300));
    const trapped = await read('lift-ip2');
    expect(trapped).toMatchObject({
      in_service: false,
      running: false,
      direction: 0,
      door_open: false,
      passenger_trapped: true,
      fault_code: ELEVATOR_FAULT.stoppedOutsideDoorZone,
    });
    expect(Number(trapped.floor)).toBeGreaterThanOrEqual(-2);
    expect(trapped.floor).not.toBe(0);
    // Its neighbour on the same gateway is not affected.
    expect(await read('lift-ip1')).toMatchObject({ in_service: true, passenger_trapped: false });

    sim.faults.clear('lift-ip2', 'trapped');
    await new Promise((r) => setTimeout(r, 300));
    expect(await read('lift-ip2')).toMatchObject({
      in_service: true,
      passenger_trapped: false,
      fault_code: 0,
    });
  });
});

/**
 * The boiler house and the heat station: the physics checked on the demo configuration with a
 * hand-driven clock, and each boiler-house fault as the gateway decodes it from the registers
 * (the profile's encoding, then the gateway's codec), against its default alarm's limit.
 */
import modbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { afterAll, describe, expect, it } from 'vitest';
import { Faults } from '../../simulators/faults.js';
import { startPlantSimulator } from '../../simulators/index.js';
import { GAS_KWH_PER_M3 } from '../../simulators/physics/boiler.js';
import { PlantModel } from '../../simulators/plant.js';
import { buildBank } from '../../simulators/register-bank.js';
import { decodeRegisters } from '../../src/acquisition/modbus/codec.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { registerCount } from '../../src/config/registers.js';
import { demoConfigCopy } from '../helpers/demo-config.js';
import { plantTime } from '../helpers/plant-time.js';

const demo = loadConfig('config');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The demo plant on a hand-driven clock from a local time, optionally in colder weather. */
function plantAt(iso: string, meanC?: number) {
  const config: PlantConfig =
    meanC === undefined
      ? demo
      : { ...demo, simulation: { ...demo.simulation, weather: { meanC, swingC: 6 } } };
  let now = plantTime(config, iso);
  const plant = new PlantModel(config, () => now);
  const faults = new Faults(plant);
  return {
    plant,
    faults,
    /** Advance the clock in steps of `stepMs` (the demo's simulator ticks about every second). */
    advance(ms: number, stepMs = 10_000, each?: () => void) {
      for (let t = 0; t < ms; t += stepMs) {
        now += stepMs;
        plant.step();
        each?.();
      }
    },
    /** The device's points as the gateway decodes them from the registers the simulator serves. */
    read(id: string): Record<string, number | boolean> {
      const profile = config.profiles.get(plant.profileOf(id)?.id ?? '');
      if (profile?.protocol !== 'modbus') throw new Error(`${id} is not on Modbus`);
      const bank = buildBank(profile, plant.values(id));
      const out: Record<string, number | boolean> = {};
      for (const p of profile.points) {
        const table = p.table;
        if (table === 'coil' || table === 'discrete') {
          out[p.name] = bank.bits[table].get(p.address) ?? false;
          continue;
        }
        const words = Array.from(
          { length: registerCount(p) },
          (_, i) => bank.words[table].get(p.address + i) ?? 0,
        );
        out[p.name] = decodeRegisters(p, words, 0);
      }
      return out;
    },
  };
}

const num = (v: number | boolean | undefined) => Number(v);
const rule = (id: string) => {
  const found = demo.alarms.rules.find((r) => r.id === id);
  if (!found) throw new Error(`no alarm rule ${id}`);
  return found as typeof found & { limit?: number; priority: string };
};

describe('boilers', () => {
  it('fire to the load: modulating at the morning hot-water peak, cycling at minimum fire in a summer night', () => {
    const night = plantAt('2026-07-15T02:00');
    const startsBefore = num(night.plant.values('b1').burner_starts);
    const firing: number[] = [];
    night.advance(2 * HOUR, 10_000, () => firing.push(num(night.plant.values('b1').firing_rate_pct)));
    // Below the burner's 30 % minimum the load is met by cycling: off, or at least minimum fire.
    expect(firing.every((f) => f === 0 || f >= 30)).toBe(true);
    expect(firing.some((f) => f === 0)).toBe(true);
    expect(num(night.plant.values('b1').burner_starts) - startsBefore).toBeGreaterThanOrEqual(2);
    const nightMean = firing.reduce((s, f) => s + f, 0) / firing.length;
    // The supply stays within the cycling band around the 80 °C setpoint.
    expect(num(night.plant.values('b1').supply_temp)).toBeGreaterThan(74);
    expect(num(night.plant.values('b1').supply_temp)).toBeLessThan(86);

    const morning = plantAt('2026-07-15T07:30');
    morning.advance(30 * MINUTE);
    const peak = num(morning.plant.values('b1').firing_rate_pct);
    expect(peak).toBeGreaterThan(nightMean);
    expect(peak).toBeGreaterThan(30);
    expect(morning.plant.values('b2')).toMatchObject({ enabled: false, burner_on: false });
  });

  it('bring the lag boiler in on a cold winter night, and share the load', () => {
    const { plant, advance } = plantAt('2026-01-15T05:00', -2);
    advance(30 * MINUTE);
    const [b1, b2] = [plant.values('b1'), plant.values('b2')];
    expect(b2.enabled).toBe(true);
    expect(num(b1.firing_rate_pct)).toBeGreaterThan(40);
    expect(num(b2.firing_rate_pct)).toBeCloseTo(num(b1.firing_rate_pct), 0);
    expect(num(plant.values('hx1').heat_kw)).toBeGreaterThan(2000);
  });

  it('burn gas for their heat: m³/h = kW ÷ (efficiency × 9.97 kWh/m³), and the gas meter measures them both', () => {
    const { plant, advance, read } = plantAt('2026-01-15T08:00', 0);
    advance(10 * MINUTE);
    for (const id of ['b1', 'b2']) {
      const v = plant.values(id);
      expect(num(v.gas_flow_m3h)).toBeCloseTo(num(v.heat_output_kw) / (0.92 * GAS_KWH_PER_M3), 6);
    }
    expect(GAS_KWH_PER_M3).toBeCloseTo(9.97, 2);
    const before = {
      meter: num(plant.values('gm-boilers').gas_volume_m3),
      boilers: num(plant.values('b1').gas_volume_m3) + num(plant.values('b2').gas_volume_m3),
    };
    let heatKwh = 0;
    let loadKwh = 0;
    advance(3 * HOUR, 10_000, () => {
      heatKwh += (num(plant.values('b1').heat_output_kw) + num(plant.values('b2').heat_output_kw)) / 360;
      loadKwh += (num(plant.values('hx1').heat_kw) + num(plant.values('hx2').heat_kw)) / 360;
    });
    const meterM3 = num(plant.values('gm-boilers').gas_volume_m3) - before.meter;
    const boilersM3 =
      num(plant.values('b1').gas_volume_m3) + num(plant.values('b2').gas_volume_m3) - before.boilers;
    expect(meterM3).toBeCloseTo(boilersM3, 3);
    // Three hours of heat to the exchangers (plus 3 % losses) is what the gas paid for.
    expect(heatKwh / (loadKwh * 1.03)).toBeGreaterThan(0.97);
    expect(heatKwh / (loadKwh * 1.03)).toBeLessThan(1.03);
    expect(meterM3 * 0.92 * GAS_KWH_PER_M3).toBeCloseTo(heatKwh, -2);
    // The registers carry it: the meter's float flow is the boilers' gas flows, summed.
    const gm = read('gm-boilers');
    expect(num(gm.gas_flow_m3h)).toBeCloseTo(num(read('b1').gas_flow_m3h) + num(read('b2').gas_flow_m3h), 2);
  });
});

describe('heat station', () => {
  it('passes heat down the temperatures, with the summer space heating at the reheat floor', () => {
    const { plant, advance } = plantAt('2026-07-15T15:00');
    advance(20 * MINUTE);
    for (const id of ['hx1', 'hx2']) {
      const v = plant.values(id);
      expect(num(v.primary_supply_temp)).toBeGreaterThan(num(v.secondary_supply_temp));
      expect(num(v.secondary_supply_temp)).toBeGreaterThan(num(v.secondary_return_temp));
      expect(num(v.primary_return_temp)).toBeGreaterThan(num(v.secondary_return_temp));
      expect(num(v.secondary_dp_kpa)).toBeGreaterThan(0);
    }
    expect(num(plant.values('hx2').secondary_supply_temp)).toBeCloseTo(60, 0); // hot water, legionella-safe
    expect(num(plant.values('hx1').heat_kw)).toBeCloseTo(0.12 * 3000, 0);
    expect(num(plant.values('hx1').secondary_supply_temp)).toBeCloseTo(45, 0);
  });

  it('resets the heating supply from the outdoor temperature: warmer water on a cold day', () => {
    const cold = plantAt('2026-01-15T06:00', -3);
    cold.advance(20 * MINUTE);
    expect(num(cold.plant.values('hx1').secondary_supply_temp)).toBeGreaterThan(58);
  });
});

describe('faults as the gateway reads them, against their default alarms', () => {
  it('burner lockout: the lockout bit and code 12; the lag boiler takes the load', () => {
    const { plant, faults, advance, read } = plantAt('2026-07-15T10:00');
    advance(10 * MINUTE);
    faults.inject('b1', { type: 'burner-lockout' });
    advance(20 * MINUTE);
    expect(read('b1')).toMatchObject({ lockout: true, burner_on: false, firing_rate_pct: 0, fault_code: 12 });
    expect(read('b2')).toMatchObject({ enabled: true });
    expect(num(plant.values('hx2').secondary_supply_temp)).toBeGreaterThan(55);
    expect(rule('boiler-burner-lockout')).toMatchObject({ point: 'lockout', equals: true, priority: 'high' });
    faults.clear('b1');
    advance(MINUTE);
    expect(read('b1')).toMatchObject({ lockout: false, fault_code: 0 });
  });

  it('low water: the level falls under the critical limit within minutes and the cutoff stops the burner', () => {
    const { faults, advance, read } = plantAt('2026-07-15T08:00');
    advance(10 * MINUTE);
    expect(num(read('b1').water_level_pct)).toBeGreaterThan(45);
    faults.inject('b1', { type: 'low-water' });
    advance(5 * MINUTE);
    const r = read('b1');
    expect(rule('boiler-low-water')).toMatchObject({ type: 'low-low', priority: 'critical' });
    expect(num(r.water_level_pct)).toBeLessThan(num(rule('boiler-low-water').limit));
    expect(r).toMatchObject({ burner_on: false, fault_code: 21 });
  });

  it('over-pressure: the shell pressure above the high limit, the burner stopped', () => {
    const { faults, advance, read } = plantAt('2026-07-15T08:00');
    advance(10 * MINUTE);
    expect(num(read('b1').shell_pressure_bar)).toBeLessThan(5);
    faults.inject('b1', { type: 'over-pressure' });
    advance(MINUTE);
    expect(num(read('b1').shell_pressure_bar)).toBeGreaterThan(num(rule('boiler-over-pressure').limit));
    expect(read('b1')).toMatchObject({ burner_on: false, fault_code: 31 });
    expect(rule('boiler-over-pressure').priority).toBe('high');
  });

  it('high flue: a fouled boiler firing sends its flue above the limit; a clean one stays well below', () => {
    const { faults, advance, read } = plantAt('2026-07-15T08:00');
    advance(10 * MINUTE);
    expect(num(read('b1').flue_temp)).toBeLessThan(190);
    faults.inject('b1', { type: 'high-flue' });
    advance(10 * MINUTE);
    expect(read('b1').burner_on).toBe(true);
    expect(num(read('b1').flue_temp)).toBeGreaterThan(num(rule('boiler-flue-high').limit));
    expect(rule('boiler-flue-high').priority).toBe('medium');
  });

  it('make-up that never stops: a sound loop tops up minutes in hours, a leaking one all the time', () => {
    const sound = plantAt('2026-07-15T00:00');
    const flows: number[] = [];
    sound.advance(12 * HOUR, MINUTE, () => flows.push(num(sound.read('mw1').makeup_flow_m3h)));
    const open = flows.filter((f) => f > 0.05).length;
    expect(open).toBeGreaterThan(0); // it does top up...
    expect(open / flows.length).toBeLessThan(0.1); // ...for minutes at a time
    expect(num(sound.read('mw1').hardness_mmol_l)).toBeLessThan(0.03); // the softener works

    const leaking = plantAt('2026-07-15T00:00');
    leaking.faults.inject('mw1', { type: 'leak', flowM3h: 0.3 });
    const limit = num(rule('makeup-continuous').limit);
    const readings: number[] = [];
    leaking.advance(3 * HOUR, MINUTE, () => readings.push(num(leaking.read('mw1').makeup_flow_m3h)));
    expect(readings.every((f) => f > limit)).toBe(true);
    expect(rule('makeup-continuous')).toMatchObject({ onDelay: 2 * HOUR, priority: 'medium' });
  });

  it('softener exhausted: hard water breaks through above the hardness limit; a working softener stays below all day', () => {
    const sound = plantAt('2026-07-15T00:00');
    const limit = num(rule('softener-hardness-high').limit);
    const hardness: number[] = [];
    sound.advance(24 * HOUR, 10 * MINUTE, () => hardness.push(num(sound.read('mw1').hardness_mmol_l)));
    expect(Math.max(...hardness)).toBeLessThan(limit);
    sound.faults.inject('mw1', { type: 'softener-exhausted' });
    sound.advance(MINUTE);
    expect(num(sound.read('mw1').hardness_mmol_l)).toBeGreaterThan(limit);
    sound.faults.clear('mw1', 'softener-exhausted');
    sound.advance(MINUTE);
    expect(num(sound.read('mw1').hardness_mmol_l)).toBeLessThan(limit);
    expect(rule('softener-hardness-high')).toMatchObject({ onDelay: 10 * MINUTE, priority: 'medium' });
    expect(() => sound.faults.inject('b1', { type: 'softener-exhausted' })).toThrow(/not a softener/);
  });

  it("circulation pump trip: the pump's fault bit, and no heat crosses its exchanger", () => {
    const { faults, advance, read } = plantAt('2026-07-15T08:00');
    advance(5 * MINUTE);
    expect(num(read('hx2').heat_kw)).toBeGreaterThan(100);
    faults.inject('phc2', { type: 'trip' });
    advance(MINUTE);
    expect(read('phc2')).toMatchObject({ running: false, fault: true });
    expect(read('hx2')).toMatchObject({ heat_kw: 0, secondary_dp_kpa: 0 });
    expect(rule('pump-fault')).toMatchObject({ profile: 'vsd-pump', priority: 'high' });
  });

  it('refuses boiler faults on other equipment', () => {
    const { faults } = plantAt('2026-07-15T08:00');
    expect(() => faults.inject('ch1', { type: 'burner-lockout' })).toThrow(/not a boiler/);
  });
});

describe('over Modbus TCP', () => {
  const Client = modbusSerial as unknown as new () => ModbusRTU;
  let stop: (() => Promise<void>) | undefined;
  let cleanup: (() => void) | undefined;
  afterAll(async () => {
    await stop?.();
    cleanup?.();
  });

  it('the boiler house gateway answers for every unit; a lockout shows in the status word and fault code', async () => {
    const copy = await demoConfigCopy();
    cleanup = copy.cleanup;
    const config = loadConfig(copy.dir);
    const sim = await startPlantSimulator(config, { tickMs: 200 });
    stop = () => sim.stop();
    const line = config.lines.find((l) => l.id === 'boilers-gw');
    if (!line || line.transport === 'rtu') throw new Error('boilers-gw');
    const client = new Client();
    await client.connectTCP('127.0.0.1', { port: line.port });
    client.setTimeout(1000);
    try {
      for (const unit of [1, 2, 3, 4, 5, 6, 7, 8]) {
        client.setID(unit);
        const table = unit === 3 || unit >= 7 ? 'holding' : 'input';
        const read =
          table === 'holding' ? client.readHoldingRegisters(0, 2) : client.readInputRegisters(0, 2);
        expect((await read).data, `unit ${unit}`).toHaveLength(2);
      }
      client.setID(1);
      const supply = decodeRegisters(
        { type: 'int16', order: 'ABCD', table: 'input', scale: 0.1, offset: 0 },
        (await client.readInputRegisters(0, 1)).data,
        0,
      );
      expect(supply).toBeGreaterThan(60);
      sim.faults.inject('b1', { type: 'burner-lockout' });
      await new Promise((r) => setTimeout(r, 400));
      const [status, code] = (await client.readInputRegisters(20, 2)).data;
      expect(status! & 0b01).toBe(0); // burner on
      expect(status! & 0b10).toBe(0b10); // lockout
      expect(code).toBe(12);
    } finally {
      client.close(() => {});
    }
  });
});

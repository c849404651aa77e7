/**
 * The simulated plant behaves like the plant: checked on the demo configuration with a
 * controlled clock, the way an engineer would sanity-check a model.
 */
import { describe, expect, it } from 'vitest';
import { Faults } from '../../simulators/faults.js';
import { PlantModel } from '../../simulators/plant.js';
import { loadConfig } from '../../src/config/index.js';
import { plantTime } from '../helpers/plant-time.js';

const config = loadConfig('config');

/** A plant on a hand-driven clock starting at a given local hour. */
function plantAt(hour: number) {
  const start = plantTime(config, `2026-07-15T${String(hour).padStart(2, '0')}:00`);
  let now = start;
  const plant = new PlantModel(config, () => now);
  return {
    plant,
    advance(ms: number, steps = 1) {
      for (let i = 0; i < steps; i++) {
        now += ms / steps;
        plant.step();
      }
    },
  };
}

const num = (v: number | boolean | undefined) => Number(v);

describe('chillers', () => {
  it('draw load ÷ COP, with a plausible COP, and share the load', () => {
    const { plant } = plantAt(15);
    for (const id of ['ch1', 'ch2']) {
      const v = plant.values(id);
      const coolingKw = (num(v.load_pct) / 100) * 1400;
      const cop = coolingKw / num(v.power_kw);
      expect(cop).toBeGreaterThan(3.5);
      expect(cop).toBeLessThan(6.5);
      expect(num(v.chw_supply_temp)).toBeCloseTo(7, 0);
      expect(num(v.chw_return_temp)).toBeGreaterThan(num(v.chw_supply_temp));
    }
  });

  it('move the load to the other chiller when one trips', () => {
    const { plant, advance } = plantAt(15);
    const before = num(plant.values('ch2').load_pct);
    new Faults(plant).inject('ch1', { type: 'trip' });
    advance(1000);
    expect(plant.values('ch1')).toMatchObject({ running: false, tripped: true, power_kw: 0 });
    expect(num(plant.values('ch1').fault_code)).not.toBe(0);
    // The whole plant's load now falls on chiller 2, up to its capacity.
    expect(num(plant.values('ch2').load_pct)).toBeCloseTo(Math.min(100, before * 2), 0);
  });

  it('carry more load on a summer afternoon than at night', () => {
    expect(num(plantAt(15).plant.values('ch1').load_pct)).toBeGreaterThan(
      num(plantAt(3).plant.values('ch1').load_pct),
    );
  });
});

describe('pumps', () => {
  it('follow the affinity laws: power ∝ speed³, pressure ∝ speed²', () => {
    const { plant } = plantAt(10);
    const v = plant.values('pbw1'); // booster, ratedKw 30, rated head 6.5 bar
    const r = num(v.speed_hz) / 50;
    expect(num(v.power_kw)).toBeCloseTo(30 * r ** 3, 6);
    expect(num(v.outlet_pressure_bar)).toBeCloseTo(6.5 * r ** 2, 6);
    expect(num(v.current_a)).toBeCloseTo((num(v.power_kw) * 1000) / (Math.sqrt(3) * 400 * 0.85 * 0.9), 6);
  });
});

describe('distribution rooms', () => {
  it('incomer measures the sum of its feeders plus a little loss', () => {
    const { plant } = plantAt(11);
    for (const [incomer, feeders] of [
      ['dr1-incomer', ['dr1-f1', 'dr1-f2', 'dr1-f3', 'dr1-f4']],
      ['dr2-incomer', ['dr2-f1', 'dr2-f2', 'dr2-f3']],
    ] as const) {
      const sum = feeders.reduce((s, f) => s + num(plant.values(f).power_kw), 0);
      const measured = num(plant.values(incomer).power_kw);
      expect(measured / sum).toBeGreaterThan(1);
      expect(measured / sum).toBeLessThan(1.02);
    }
  });

  it('chiller-plant feeder carries the chillers and their pumps', () => {
    const { plant } = plantAt(15);
    const chillers = num(plant.values('ch1').power_kw) + num(plant.values('ch2').power_kw);
    expect(num(plant.values('dr1-f1').power_kw)).toBeGreaterThan(chillers);
  });

  it('kWh counters only go up, by the energy drawn', () => {
    const { plant, advance } = plantAt(9);
    const start = num(plant.values('dr1-incomer').energy_kwh);
    const kw = num(plant.values('dr1-incomer').power_kw);
    advance(3_600_000, 60); // one simulated hour
    const used = num(plant.values('dr1-incomer').energy_kwh) - start;
    expect(used).toBeGreaterThan(0.8 * kw);
    expect(used).toBeLessThan(1.5 * kw);
  });

  it('voltage, frequency and power factor stay in their normal bands', () => {
    const v = plantAt(12).plant.values('dr2-incomer');
    expect(num(v.voltage_l1)).toBeGreaterThan(225);
    expect(num(v.voltage_l1)).toBeLessThan(235);
    expect(num(v.frequency_hz)).toBeCloseTo(50, 0);
    expect(num(v.power_factor)).toBeGreaterThan(0.85);
    expect(num(v.power_factor)).toBeLessThanOrEqual(1);
  });
});

describe('water meters', () => {
  it('flow less at night than in the morning, and a leak shows at night', () => {
    const night = num(plantAt(3).plant.values('wm-admin').flow_m3h);
    const morning = num(plantAt(9).plant.values('wm-admin').flow_m3h);
    expect(night).toBeLessThan(morning / 3);
    const { plant, advance } = plantAt(3);
    new Faults(plant).inject('wm-admin', { type: 'leak', flowM3h: 1.5 });
    advance(1000);
    expect(num(plant.values('wm-admin').flow_m3h)).toBeGreaterThan(night + 1.4);
  });
});

describe('faults', () => {
  it('refuse unknown devices and malformed faults with a clear message', () => {
    const faults = new Faults(plantAt(10).plant);
    expect(() => faults.inject('ch9', { type: 'trip' })).toThrow(/unknown device "ch9"/);
    expect(() => faults.inject('ch1', { type: 'slow' } as never)).toThrow(/invalid fault for ch1: delayMs/);
    expect(() => faults.inject('wm-admin', { type: 'trip' })).toThrow(/cannot trip/);
  });

  it('stuck freezes every value until cleared', () => {
    const { plant, advance } = plantAt(10);
    const faults = new Faults(plant);
    faults.inject('dr1-f3', { type: 'stuck' });
    const frozen = plant.values('dr1-f3');
    advance(60_000, 10);
    expect(plant.values('dr1-f3')).toEqual(frozen);
    faults.clear('dr1-f3');
    advance(1000);
    expect(plant.values('dr1-f3').voltage_l1).not.toBe(frozen.voltage_l1);
  });
});

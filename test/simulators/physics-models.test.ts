/**
 * The physics of each equipment model on small plants built in code, on a hand-driven
 * clock: the relations an engineer would check (COP, affinity laws, energy balance).
 */
import { describe, expect, it } from 'vitest';
import { PlantModel } from '../../simulators/plant.js';
import { plantConfig } from '../helpers/plant-config.js';

const profile = (id: string, equipment: string) => ({
  id,
  name: id,
  equipment,
  protocol: 'modbus',
  pollGroups: { fast: '1s' },
  points: [{ name: 'x', table: 'holding', address: 0 }],
});

const device = (id: string, profileId: string, room = 'r1') => ({
  id,
  name: id,
  profile: profileId,
  room,
  modbus: { line: 'l', unitId: 1 },
});

function plant(devices: [string, string, Record<string, unknown>?][], hour: number, simulation = {}) {
  const equipment = [...new Set(devices.map(([, e]) => e))];
  const config = plantConfig({
    lines: [{ id: 'l', transport: 'tcp', host: '127.0.0.1', port: 1502 }],
    profiles: equipment.map((e) => profile(e, e)),
    devices: devices.map(([id, e]) => device(id, e)),
    simulation: {
      ...simulation,
      devices: Object.fromEntries(devices.filter(([, , p]) => p).map(([id, , p]) => [id, p])),
    },
  });
  let now = new Date(2026, 6, 15, hour, 0, 0).getTime();
  const model = new PlantModel(config, () => now);
  return {
    model,
    n: (id: string, point: string) => Number(model.values(id)[point]),
    advance(ms: number, steps = 1) {
      for (let i = 0; i < steps; i++) {
        now += ms / steps;
        model.step();
      }
    },
  };
}

describe('chiller', () => {
  it('draws load × capacity ÷ COP, COP ≈ 5.5 at full load and worse at part load', () => {
    const cop = (hour: number) => {
      const { n } = plant([['c', 'chiller', { capacityKw: 1000 }]], hour);
      return ((n('c', 'load_pct') / 100) * 1000) / n('c', 'power_kw');
    };
    const afternoon = plant([['c', 'chiller', { capacityKw: 1000 }]], 15);
    const night = plant([['c', 'chiller', { capacityKw: 1000 }]], 3);
    expect(afternoon.n('c', 'load_pct')).toBeGreaterThan(night.n('c', 'load_pct'));
    expect(cop(15)).toBeGreaterThan(cop(3));
    expect(cop(15)).toBeLessThan(5.6);
    expect(cop(3)).toBeGreaterThan(3.5);
  });

  it('keeps CHW ≈ 7 °C, return = supply + 5 × load, condenser 30–32 °C in and ≈ +5 × load out', () => {
    const { n } = plant([['c', 'chiller']], 15);
    const load = n('c', 'load_pct') / 100;
    expect(n('c', 'chw_supply_temp')).toBeCloseTo(7, 0);
    expect(n('c', 'chw_return_temp') - n('c', 'chw_supply_temp')).toBeCloseTo(5 * load, 1);
    expect(n('c', 'cw_inlet_temp')).toBeGreaterThanOrEqual(30);
    expect(n('c', 'cw_inlet_temp')).toBeLessThanOrEqual(32.2);
    expect(n('c', 'cw_outlet_temp') - n('c', 'cw_inlet_temp')).toBeCloseTo(5 * load, 1);
  });

  it('integrates run hours on the simulated clock (speed × real time)', () => {
    const { n, advance } = plant([['c', 'chiller']], 10, { speed: 60 });
    const start = n('c', 'run_hours');
    advance(60_000, 6); // one real minute = one simulated hour
    expect(n('c', 'run_hours') - start).toBeCloseTo(1, 6);
  });
});

describe('pump', () => {
  it('follows the affinity laws between a busy afternoon and a quiet night', () => {
    const day = plant([['p', 'pump', { role: 'chw', ratedKw: 40 }]], 15);
    const night = plant([['p', 'pump', { role: 'chw', ratedKw: 40 }]], 3);
    const ratio = day.n('p', 'speed_hz') / night.n('p', 'speed_hz');
    expect(ratio).toBeGreaterThan(1.05);
    expect(day.n('p', 'flow_m3h') / night.n('p', 'flow_m3h')).toBeCloseTo(ratio, 6);
    expect(day.n('p', 'outlet_pressure_bar') / night.n('p', 'outlet_pressure_bar')).toBeCloseTo(
      ratio ** 2,
      6,
    );
    expect(day.n('p', 'power_kw') / night.n('p', 'power_kw')).toBeCloseTo(ratio ** 3, 6);
    expect(day.n('p', 'power_kw')).toBeLessThanOrEqual(40);
  });

  it('boosters follow water demand, not cooling', () => {
    const morning = plant([['b', 'pump', { role: 'booster', ratedKw: 30 }]], 8);
    const night = plant([['b', 'pump', { role: 'booster', ratedKw: 30 }]], 3);
    expect(morning.n('b', 'speed_hz')).toBeGreaterThan(night.n('b', 'speed_hz') + 5);
  });
});

describe('power meters', () => {
  const room: [string, string, Record<string, unknown>][] = [
    ['ch', 'chiller', { capacityKw: 1200 }],
    ['pump', 'pump', { role: 'cw', ratedKw: 50 }],
    ['in', 'power-meter', { role: 'incomer' }],
    ['f-plant', 'power-meter', { role: 'feeder', load: 'chiller-plant' }],
    ['f-light', 'power-meter', { role: 'feeder', load: 'lighting', peakKw: 150 }],
    ['f-img', 'power-meter', { role: 'feeder', load: 'imaging', peakKw: 300 }],
  ];

  it('the incomer measures the sum of its feeders within 2 %, kW and kvar, PF from the sum', () => {
    const { n } = plant(room, 11);
    const feeders = ['f-plant', 'f-light', 'f-img'];
    const kw = feeders.reduce((s, f) => s + n(f, 'power_kw'), 0);
    const kvar = feeders.reduce((s, f) => s + n(f, 'reactive_kvar'), 0);
    expect(n('in', 'power_kw') / kw).toBeGreaterThan(1.0);
    expect(n('in', 'power_kw') / kw).toBeLessThan(1.02);
    expect(n('in', 'reactive_kvar') / kvar).toBeLessThan(1.02);
    expect(n('in', 'power_factor')).toBeCloseTo(kw / Math.hypot(kw, kvar), 3);
    expect(n('f-plant', 'power_kw')).toBeGreaterThan(n('ch', 'power_kw') + n('pump', 'power_kw'));
  });

  it('lighting draws more by day than at night', () => {
    expect(plant(room, 12).n('f-light', 'power_kw')).toBeGreaterThan(
      plant(room, 2).n('f-light', 'power_kw') * 1.5,
    );
  });

  it('kWh never decreases and matches the energy drawn; max demand is a 15-minute mean', () => {
    const { n, advance } = plant(room, 7);
    const start = n('in', 'energy_kwh');
    let last = start;
    let integral = 0;
    let peak = 0;
    for (let i = 0; i < 120; i++) {
      advance(60_000);
      const kw = n('in', 'power_kw');
      integral += kw / 60; // the model integrates each step's power over the step
      peak = Math.max(peak, kw);
      expect(n('in', 'energy_kwh')).toBeGreaterThanOrEqual(last);
      last = n('in', 'energy_kwh');
    }
    expect(last - start).toBeCloseTo(integral, 6);
    // The morning ramp: the best 15-minute mean is above the start's load and below the peak.
    expect(n('in', 'max_demand_kw')).toBeLessThanOrEqual(peak);
    expect(n('in', 'max_demand_kw')).toBeGreaterThan(0.9 * peak);
  });

  it('a tripped feeder breaker drops its load; a tripped incomer leaves the room dead', () => {
    const { model, n, advance } = plant(room, 11);
    const light = n('f-light', 'power_kw');
    const incomer = n('in', 'power_kw');
    model.model('f-light').trip?.(true);
    advance(1000);
    expect(model.values('f-light')).toMatchObject({ breaker_closed: false, power_kw: 0, current_l1: 0 });
    expect(n('f-light', 'voltage_l1')).toBeGreaterThan(200);
    expect(n('in', 'power_kw')).toBeCloseTo(incomer - light * 1.015, -1);
    model.model('in').trip?.(true);
    advance(1000);
    expect(model.values('in')).toMatchObject({ breaker_closed: false, power_kw: 0 });
    expect(model.values('f-img')).toMatchObject({ breaker_closed: true, power_kw: 0, voltage_l1: 0 });
  });

  it('voltage ≈ 230 V, frequency ≈ 50 Hz, breaker closed', () => {
    const { model } = plant(room, 12);
    const v = model.values('f-light');
    for (const phase of ['voltage_l1', 'voltage_l2', 'voltage_l3']) {
      expect(Math.abs(Number(v[phase]) - 230)).toBeLessThan(3);
    }
    expect(Math.abs(Number(v.frequency_hz) - 50)).toBeLessThanOrEqual(0.03);
    expect(v.breaker_closed).toBe(true);
  });
});

describe('water meter', () => {
  it('flows near its base at night, near its peak in the morning, and integrates volume', () => {
    const params = { baseM3h: 1, peakM3h: 10 };
    const night = plant([['w', 'water-meter', params]], 3);
    const morning = plant([['w', 'water-meter', params]], 8);
    expect(night.n('w', 'flow_m3h')).toBeCloseTo(1, 0);
    expect(morning.n('w', 'flow_m3h')).toBeGreaterThan(7);
    const start = night.n('w', 'volume_m3');
    night.advance(3_600_000, 60);
    expect(night.n('w', 'volume_m3') - start).toBeGreaterThan(0.9);
    expect(night.n('w', 'volume_m3') - start).toBeLessThan(1.3);
  });
});

describe('oxygen station', () => {
  it('holds ≈ 4.2 bar and ≈ 99.6 % purity; the tank falls and is refilled below 30 %', () => {
    const { n, model, advance } = plant([['o2', 'oxygen-station', { usePctPerHour: 5 }]], 10);
    expect(Math.abs(n('o2', 'supply_pressure_bar') - 4.2)).toBeLessThanOrEqual(0.05);
    expect(n('o2', 'purity_pct')).toBeCloseTo(99.6, 0);
    expect(model.values('o2').low_pressure_alarm).toBe(false);
    const start = n('o2', 'tank_level_pct');
    advance(3_600_000, 10);
    expect(n('o2', 'tank_level_pct')).toBeLessThan(start);
    let min = 100;
    for (let h = 0; h < 20; h++) {
      advance(3_600_000);
      min = Math.min(min, n('o2', 'tank_level_pct'));
    }
    expect(min).toBeGreaterThanOrEqual(29);
    expect(n('o2', 'tank_level_pct')).toBeGreaterThan(30);
  });
});

describe('parameters and noise', () => {
  it('a parameter error names the device and the key', () => {
    expect(() => plant([['p9', 'pump', { role: 'sewage' }]], 10)).toThrow(/devices\.p9: role/);
    expect(() => plant([['w9', 'water-meter', { peakM3h: 'lots' }]], 10)).toThrow(/devices\.w9: peakM3h/);
  });

  it('noise is seeded per device: the same plant repeats, two devices differ', () => {
    const a = plant(
      [
        ['m1', 'power-meter'],
        ['m2', 'power-meter'],
      ],
      10,
    );
    const b = plant(
      [
        ['m1', 'power-meter'],
        ['m2', 'power-meter'],
      ],
      10,
    );
    expect(a.model.values('m1')).toEqual(b.model.values('m1'));
    expect(a.n('m1', 'voltage_l1')).not.toBe(a.n('m2', 'voltage_l1'));
  });

  it('equipment without physics reports only what setValue gave it', () => {
    const { model } = plant([['x', 'other']], 10);
    expect(model.values('x')).toEqual({});
    model.setOverride('x', 'x', 42);
    expect(model.values('x')).toEqual({ x: 42 });
  });
});

/**
 * A feeder's retrofit (LED lamps, a new drive): its load drops by a factor from a date,
 * so the demo's energy reports have a before and an after to compare.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateHistory } from '../../simulators/history.js';
import { PlantModel } from '../../simulators/plant.js';
import { loadConfig } from '../../src/config/index.js';
import { plantConfig } from '../helpers/plant-config.js';
import { plantHour, plantTime } from '../helpers/plant-time.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

const meterProfile = {
  id: 'power-meter',
  name: 'meter',
  equipment: 'power-meter',
  protocol: 'modbus',
  pollGroups: { fast: '1s' },
  points: [{ name: 'x', table: 'holding', address: 0 }],
};

/** A room with an incomer and two identical lighting feeders, one of them retrofitted. */
function room(retrofit: Record<string, unknown>, start: number) {
  const config = plantConfig({
    lines: [{ id: 'l', transport: 'tcp', host: '127.0.0.1', port: 1502 }],
    profiles: [meterProfile],
    devices: ['inc', 'led', 'old'].map((id, i) => ({
      id,
      name: id,
      profile: 'power-meter',
      modbus: { line: 'l', unitId: i + 1 },
    })),
    simulation: {
      devices: {
        inc: { role: 'incomer', lossesPct: 0 },
        led: { role: 'feeder', load: 'lighting', peakKw: 100, ...retrofit },
        old: { role: 'feeder', load: 'lighting', peakKw: 100 },
      },
    },
  });
  let now = start;
  const plant = new PlantModel(config, () => now);
  const kw = (id: string) => Number(plant.values(id).power_kw);
  return {
    plant,
    kw,
    /** The retrofitted feeder's load as a share of its twin's. */
    ratio: () => kw('led') / kw('old'),
    advance(ms: number) {
      now += ms;
      plant.step();
    },
  };
}

const NOON = Date.UTC(2026, 6, 15, 12); // plantConfig's zone is UTC

describe('power meter retrofit', () => {
  it('draws factor × the load from an ISO date on, the full load before', () => {
    const r = room({ retrofitAt: new Date(NOON + 2 * DAY).toISOString(), retrofitFactor: 0.55 }, NOON);
    expect(r.ratio()).toBeCloseTo(1, 1);
    r.advance(2 * DAY - HOUR);
    expect(r.ratio()).toBeCloseTo(1, 1);
    r.advance(HOUR);
    expect(r.ratio()).toBeCloseTo(0.55, 1);
    r.advance(30 * DAY);
    expect(r.ratio()).toBeCloseTo(0.55, 1);
    // The incomer measures what the feeders draw, retrofit included.
    expect(r.kw('inc')).toBeCloseTo(r.kw('led') + r.kw('old'), 6);
  });

  it('counts "-Nd" back from the simulator’s start', () => {
    const r = room({ retrofitAt: '-30d', retrofitFactor: 0.6 }, NOON);
    expect(r.ratio()).toBeCloseTo(0.6, 1);
  });

  it('refuses a bad date, a bad factor, half a retrofit, or one on an incomer, naming device and key', () => {
    const build = (params: Record<string, unknown>) => () => room(params, NOON);
    expect(build({ retrofitAt: 'last spring', retrofitFactor: 0.5 })).toThrow(
      /simulation\.yaml: devices\.led: retrofitAt: expected an ISO date or "-<days>d"/,
    );
    expect(build({ retrofitAt: '-30d', retrofitFactor: 1.5 })).toThrow(/devices\.led: retrofitFactor:/);
    expect(build({ retrofitAt: '-30d', retrofitFactor: 0 })).toThrow(/devices\.led: retrofitFactor:/);
    expect(build({ retrofitAt: '-30d' })).toThrow(/devices\.led: retrofitFactor: a retrofit needs both/);
    expect(build({ retrofitFactor: 0.5 })).toThrow(/devices\.led: retrofitAt: a retrofit needs both/);
    expect(build({ role: 'incomer', retrofitAt: '-30d', retrofitFactor: 0.5 })).toThrow(
      /devices\.led: retrofitAt: a retrofit applies to a feeder/,
    );
  });

  it('is on the demo’s DR1 lighting feeder: a history shows before and after 30 days before its end', () => {
    const config = loadConfig(resolve('config'));
    expect(config.simulation.devices['dr1-f2']).toMatchObject({ retrofitAt: '-30d', retrofitFactor: 0.55 });
    const end = plantTime(config, '2026-09-01T00:00');
    const changeover = end - 30 * DAY;
    const noonKw = new Map<number, number>();
    for (const batch of simulateHistory(config, { from: end - 40 * DAY, to: end, stepMs: HOUR })) {
      const kw = batch.find((v) => v.id === 'dr1-f2.power_kw');
      if (kw && plantHour(config, kw.ts) === 12) noonKw.set(kw.ts, Number(kw.value));
    }
    const before = [...noonKw].filter(([ts]) => ts < changeover).map(([, kw]) => kw);
    const after = [...noonKw].filter(([ts]) => ts >= changeover).map(([, kw]) => kw);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(before).toHaveLength(10);
    expect(mean(before)).toBeCloseTo(180, -1);
    expect(mean(after) / mean(before)).toBeCloseTo(0.55, 2);
  });
});

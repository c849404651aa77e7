/**
 * Simulated history: days of the demo plant (config/) in seconds, checked as an energy or
 * water engineer would check stored data: counters rise by the integral of their rate,
 * a leak shows in the night flow, values stay in range over months.
 */
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type HistoryOptions, simulateHistory } from '../../simulators/history.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import type { PointValue } from '../../src/points/index.js';

const ZONE = 'Asia/Shanghai';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Midnight starting 13 July 2026 in the hospital's zone. */
const START = DateTime.fromISO('2026-07-13T00:00', { zone: ZONE }).toMillis();
const at = (day: number, hour: number) => START + day * DAY + hour * HOUR;

let config: PlantConfig;

beforeAll(() => {
  // The physics follow the process's local clock: run it on the hospital's.
  vi.stubEnv('TZ', ZONE);
  config = loadConfig(resolve('config'));
});
afterAll(() => {
  vi.unstubAllEnvs();
});

function collect(options: HistoryOptions): PointValue[][] {
  return [...simulateHistory(config, options)];
}

/** Every sample of one point, in time order. */
function series(batches: PointValue[][], id: string): { ts: number; value: number }[] {
  return batches.flatMap((b) =>
    b.filter((v) => v.id === id).map((v) => ({ ts: v.ts, value: Number(v.value) })),
  );
}

/** Mean of a point's samples with from ≤ ts < to. */
function meanBetween(batches: PointValue[][], id: string, from: number, to: number): number {
  const inside = series(batches, id).filter((s) => s.ts >= from && s.ts < to);
  return inside.reduce((sum, s) => sum + s.value, 0) / inside.length;
}

/**
 * The rise a counter should show: each step's rate × the step (the models integrate the
 * rate they reach at the end of each step, so the samples after the first carry it).
 */
function integral(batches: PointValue[][], rateId: string, stepMs: number): number {
  return series(batches, rateId)
    .slice(1)
    .reduce((sum, s) => sum + s.value * (stepMs / HOUR), 0);
}

const rise = (batches: PointValue[][], id: string) => {
  const s = series(batches, id);
  return (s.at(-1)?.value ?? Number.NaN) - (s[0]?.value ?? Number.NaN);
};

describe('simulateHistory over three days at 5-minute steps', () => {
  const STEP = 5 * MINUTE;
  const LEAK = { device: 'wm-admin', fault: { type: 'leak', flowM3h: 1.5 } as const, from: at(1, 0) };
  let batches: PointValue[][];

  beforeAll(() => {
    batches = collect({ from: START, to: at(3, 0), stepMs: STEP, faults: [LEAK] });
  });

  // Its speed is a benchmark's business (bench/), not a timed test's on a noisy machine.
  it('gives one batch per step, every enabled device point in each', () => {
    expect(batches).toHaveLength((3 * DAY) / STEP);
    const expected = config.devices
      .filter((d) => d.enabled)
      .flatMap((d) => (config.profiles.get(d.profile)?.points ?? []).map((p) => `${d.id}.${p.name}`))
      .sort();
    expect(expected).toContain('weather.outdoor_temp_c');
    batches.forEach((batch, i) => {
      expect(batch.map((v) => v.id).sort()).toEqual(expected);
      expect(batch.every((v) => v.ts === START + i * STEP && v.quality === 'good')).toBe(true);
    });
  });

  it('gives values as the gateway stores them: engineering units, booleans as booleans', () => {
    const first = new Map(batches[0]?.map((v) => [v.id, v.value]));
    expect(first.get('ch1.running')).toBe(true);
    expect(first.get('dr1-incomer.breaker_closed')).toBe(true);
    expect(first.get('ch1.chw_supply_temp')).toBeCloseTo(7, 0);
    // A uint32 kWh register counts whole kWh.
    expect(Number.isInteger(first.get('dr1-incomer.energy_kwh'))).toBe(true);
  });

  it("raises the water meters' volume by the integral of their flow", () => {
    const meters = config.devices.filter((d) => d.profile === 'water-meter').map((d) => d.id);
    expect(meters.length).toBeGreaterThan(3);
    for (const meter of meters) {
      const expected = integral(batches, `${meter}.flow_m3h`, STEP);
      expect(expected).toBeGreaterThan(10);
      // Flow and volume are published to three decimals: a few litres over three days.
      expect(Math.abs(rise(batches, `${meter}.volume_m3`) - expected)).toBeLessThan(0.001 * expected + 0.5);
    }
  });

  it("raises the incomers' kWh by the integral of their kW", () => {
    for (const incomer of ['dr1-incomer', 'dr2-incomer']) {
      const expected = integral(batches, `${incomer}.power_kw`, STEP);
      expect(expected).toBeGreaterThan(10_000);
      // The register shows whole kWh (truncated), the power is a float32.
      expect(Math.abs(rise(batches, `${incomer}.energy_kwh`) - expected)).toBeLessThan(2 + 1e-4 * expected);
    }
  });

  it('keeps counters continuous and increasing from step to step', () => {
    for (const id of ['ch1.run_hours', 'pchw1.run_hours', 'dr1-f3.energy_kwh', 'wm-inpatient.volume_m3']) {
      const values = series(batches, id).map((s) => s.value);
      for (let i = 1; i < values.length; i++) {
        const step = (values[i] as number) - (values[i - 1] as number);
        expect(step).toBeGreaterThanOrEqual(0);
      }
    }
    // Run hours: 72 h of running, in whole hours.
    expect(rise(batches, 'ch1.run_hours')).toBeGreaterThanOrEqual(71);
    expect(rise(batches, 'ch1.run_hours')).toBeLessThanOrEqual(72);
  });

  it('adds a leak injected on day 2 to the night flow (01:00–05:00 in Asia/Shanghai) and the day flow', () => {
    const night1 = meanBetween(batches, 'wm-admin.flow_m3h', at(0, 1), at(0, 5));
    const night2 = meanBetween(batches, 'wm-admin.flow_m3h', at(1, 1), at(1, 5));
    const night3 = meanBetween(batches, 'wm-admin.flow_m3h', at(2, 1), at(2, 5));
    // Night 1 is the building's own minimum (base 0.1 m³/h): the hours are the hospital's.
    expect(night1).toBeLessThan(0.15);
    expect(night2 - night1).toBeCloseTo(1.5, 1);
    expect(night3 - night1).toBeCloseTo(1.5, 1);
    const day1 = meanBetween(batches, 'wm-admin.flow_m3h', at(0, 9), at(0, 17));
    const day2 = meanBetween(batches, 'wm-admin.flow_m3h', at(1, 9), at(1, 17));
    expect(day1).toBeGreaterThan(1.5);
    expect(day2 - day1).toBeCloseTo(1.5, 1);
    // The other meters are left alone.
    const other = (day: number) => meanBetween(batches, 'wm-canteen.flow_m3h', at(day, 1), at(day, 5));
    expect(Math.abs(other(1) - other(0))).toBeLessThan(0.1);
  });

  it('is deterministic: the same config and options give the same history', () => {
    const again = collect({ from: START, to: at(0, 2), stepMs: STEP, faults: [LEAK] });
    expect(again).toEqual(batches.slice(0, again.length));
  });
});

describe('simulateHistory over months', () => {
  it('keeps every value in its range and every counter rising over 120 days', () => {
    const started = performance.now();
    const ranges = new Map<string, [number, number]>();
    const counters = new Set<string>();
    for (const d of config.devices.filter((x) => x.enabled)) {
      for (const p of config.profiles.get(d.profile)?.points ?? []) {
        if (p.range) ranges.set(`${d.id}.${p.name}`, p.range);
        if (p.counter) counters.add(`${d.id}.${p.name}`);
      }
    }
    const previous = new Map<string, number>();
    const outOfRange: string[] = [];
    const fallen: string[] = [];
    const dailyOutdoor = new Map<number, number[]>();
    let batches = 0;
    for (const batch of simulateHistory(config, { from: START, to: at(120, 0), stepMs: 30 * MINUTE })) {
      batches++;
      for (const v of batch) {
        if (typeof v.value !== 'number') continue;
        const range = ranges.get(v.id);
        if (range && (v.value < range[0] || v.value > range[1] || !Number.isFinite(v.value)))
          outOfRange.push(`${v.id}=${v.value}`);
        if (counters.has(v.id)) {
          if (v.value < (previous.get(v.id) ?? Number.NEGATIVE_INFINITY)) fallen.push(`${v.id} at ${v.ts}`);
          previous.set(v.id, v.value);
        }
        if (v.id === 'weather.outdoor_temp_c') {
          const day = Math.floor((v.ts - START) / DAY);
          dailyOutdoor.set(day, [...(dailyOutdoor.get(day) ?? []), v.value]);
        }
      }
    }
    expect(batches).toBe(120 * 48);
    expect(outOfRange.slice(0, 5)).toEqual([]);
    expect(fallen.slice(0, 5)).toEqual([]);
    // Daily means move from day to day (warm and cool spells) around the configured mean.
    const means = [...dailyOutdoor.values()].map((t) => t.reduce((s, x) => s + x, 0) / t.length);
    const overall = means.reduce((s, x) => s + x, 0) / means.length;
    expect(overall).toBeCloseTo(config.simulation.weather.meanC, 0);
    expect(Math.max(...means) - Math.min(...means)).toBeGreaterThan(4);
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});

describe('simulateHistory faults', () => {
  it('applies a fault from its time and clears it at its end', () => {
    const batches = collect({
      from: at(0, 10),
      to: at(0, 13),
      stepMs: 10 * MINUTE,
      faults: [{ device: 'ch1', fault: { type: 'trip' }, from: at(0, 11), to: at(0, 11.5) }],
    });
    const running = series(batches, 'ch1.running').map((s) => [(s.ts - START) / HOUR, s.value]);
    expect(running.filter(([, on]) => on === 0).map(([hour]) => hour)).toEqual([11, 11 + 1 / 6, 11 + 2 / 6]);
    const ch2Load = series(batches, 'ch2.load_pct');
    // The other chiller takes the load while ch1 is out.
    const during = ch2Load.find((s) => s.ts === at(0, 11))?.value ?? 0;
    const before = ch2Load.find((s) => s.ts === at(0, 10.5))?.value ?? 0;
    expect(during).toBeGreaterThan(before);
  });

  it('gives no samples for an offline device while it is offline', () => {
    const batches = collect({
      from: at(0, 0),
      to: at(0, 1),
      stepMs: 10 * MINUTE,
      faults: [{ device: 'wm-admin', fault: { type: 'offline' }, from: at(0, 0.25), to: at(0, 0.5) }],
    });
    expect(series(batches, 'wm-admin.flow_m3h').map((s) => (s.ts - START) / MINUTE)).toEqual([
      0, 10, 30, 40, 50,
    ]);
  });

  it('refuses an unknown device, a fault that ends before it starts, and a bad step', () => {
    const run = (options: HistoryOptions) => () => collect(options);
    expect(
      run({
        from: START,
        to: at(0, 1),
        stepMs: MINUTE,
        faults: [{ device: 'ch9', fault: { type: 'trip' }, from: START }],
      }),
    ).toThrow(/ch9/);
    expect(
      run({
        from: START,
        to: at(0, 1),
        stepMs: MINUTE,
        faults: [{ device: 'ch1', fault: { type: 'trip' }, from: at(0, 1), to: START }],
      }),
    ).toThrow(/ends before it starts/);
    expect(run({ from: START, to: at(0, 1), stepMs: 0 })).toThrow(/stepMs/);
  });
});

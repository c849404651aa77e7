/**
 * The energy service over ten simulated days of the demo plant in a real SQLite store, checked
 * as an energy manager checks a consumption report: the buildings add up to the site, the site
 * is what the incomers' counters rose by, the hours add up to their day, sub-meters are shown
 * but never summed into the site; and peak demand is the highest 15-minute mean of the stored
 * power, with the distribution room's headroom against its rating.
 */
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { createEnergy, type EnergyService } from '../../src/energy/index.js';
import { silentLogger } from '../../src/log/index.js';
import { PointBus } from '../../src/points/index.js';
import { DAY, HOUR, lastBefore, MINUTE, samples, simulatedStore, type TestStore } from './simulated-store.js';

const ZONE = 'Asia/Shanghai';
/** Local midnight starting 10 November 2026 in the hospital's zone (16:00 UTC the day before). */
const FROM = DateTime.fromISO('2026-11-10T00:00', { zone: ZONE }).toMillis();
const DAYS = 10;
const TO = FROM + DAYS * DAY;
const INCOMERS = ['dr1-incomer', 'dr2-incomer'];
const DR1_FEEDERS = ['dr1-f1', 'dr1-f2', 'dr1-f3', 'dr1-f4'];
const DR2_FEEDERS = ['dr2-f1', 'dr2-f2', 'dr2-f3'];
const QUARTER = 15 * MINUTE;

let config: PlantConfig;
let data: TestStore;
let energy: EnergyService;

beforeAll(async () => {
  // The simulated hospital's day follows the process's clock: put it on the hospital's.
  vi.stubEnv('TZ', ZONE);
  config = loadConfig(resolve('config'));
  expect(config.energy.timezone).toBe(ZONE);
  // An hour either side, so the range has a reading before it and the last one inside it.
  data = await simulatedStore(config, { from: FROM - HOUR, to: TO + HOUR, stepMs: 5 * MINUTE });
  energy = createEnergy({
    config,
    store: data.store,
    bus: new PointBus(),
    log: silentLogger(),
    now: () => TO,
  });
});

afterAll(async () => {
  await data?.close();
  vi.unstubAllEnvs();
});

/** A total without data (null) is no figure: NaN, which no bound holds. */
const relative = (a: number | null, b: number | null) =>
  Math.abs((a ?? Number.NaN) - (b ?? Number.NaN)) / Math.abs(b ?? Number.NaN);
const sum = (values: readonly number[]) => values.reduce((s, v) => s + v, 0);

describe('consumption from simulated history', () => {
  it('adds the buildings up to the site, day by day, from the mains only', async () => {
    const query = { commodity: 'electricity', from: FROM, to: TO, resolution: 'day' } as const;
    const buildings = await energy.consumption({ ...query, groupBy: 'building' });
    const site = await energy.consumption({ ...query, groupBy: 'site' });

    expect(buildings.unit).toBe('kWh');
    expect(buildings.buckets.map((b) => b.label)).toEqual(
      Array.from({ length: DAYS }, (_, i) => `2026-11-${String(10 + i).padStart(2, '0')}`),
    );
    expect(buildings.rows.map((r) => [r.key, r.meters])).toEqual([
      ['main/inpatient', ['dr1-incomer']],
      ['main/outpatient', ['dr2-incomer']],
    ]);
    expect(site.rows).toHaveLength(1);
    const [siteRow] = site.rows;
    expect(siteRow?.name).toBe('Main Hospital');
    expect(siteRow?.meters).toEqual(INCOMERS);

    for (let day = 0; day < DAYS; day++) {
      const siteDay = siteRow?.buckets[day];
      const perBuilding = buildings.rows.map((r) => r.buckets[day]?.value ?? Number.NaN);
      expect(siteDay?.coverage).toBe(1);
      // A hospital's two distribution rooms use tens of MWh a day, never nothing.
      expect(siteDay?.value).toBeGreaterThan(10_000);
      expect(relative(sum(perBuilding), siteDay?.value ?? 0)).toBeLessThan(1e-12);
    }
    expect(relative(buildings.total, site.total)).toBeLessThan(1e-12);
    expect(relative(sum(siteRow?.buckets.map((b) => b.value ?? 0) ?? []), site.total)).toBeLessThan(1e-12);
    // A clean history: nothing to explain.
    expect(siteRow?.gaps).toEqual([]);
    expect(siteRow?.events).toEqual([]);
  });

  it("equals the rise of the incomers' kWh counters over the range (± 0.5 %)", async () => {
    const site = await energy.consumption({
      commodity: 'electricity',
      from: FROM,
      to: TO,
      resolution: 'day',
      groupBy: 'site',
    });
    let rise = 0;
    for (const incomer of INCOMERS) {
      const point = `${incomer}.energy_kwh`;
      rise += (await lastBefore(data.store, point, TO)) - (await lastBefore(data.store, point, FROM));
    }
    expect(rise).toBeGreaterThan(DAYS * 10_000);
    expect(relative(site.total, rise)).toBeLessThan(0.005);
  });

  it('splits each local day into 24 Asia/Shanghai hours that add up to it', async () => {
    const query = { commodity: 'electricity', from: FROM, to: TO, groupBy: 'site' } as const;
    const hours = await energy.consumption({ ...query, resolution: 'hour' });
    const days = await energy.consumption({ ...query, resolution: 'day' });
    expect(hours.timezone).toBe(ZONE);
    expect(hours.buckets).toHaveLength(DAYS * 24);
    expect(hours.buckets[0]).toMatchObject({ start: FROM, label: '2026-11-10 00:00' });
    // Local midnight in Shanghai is 16:00 UTC.
    expect(new Date(FROM).toISOString()).toBe('2026-11-09T16:00:00.000Z');
    const hourly = hours.rows[0]?.buckets ?? [];
    for (let day = 0; day < DAYS; day++) {
      const ofDay = hourly.slice(day * 24, day * 24 + 24);
      expect(ofDay[0]?.label.endsWith(' 00:00')).toBe(true);
      expect(ofDay[23]?.label.endsWith(' 23:00')).toBe(true);
      expect(ofDay.every((h) => h.value !== null && h.value > 0 && h.coverage === 1)).toBe(true);
      const dayValue = days.rows[0]?.buckets[day]?.value ?? Number.NaN;
      expect(relative(sum(ofDay.map((h) => h.value ?? 0)), dayValue)).toBeLessThan(1e-9);
    }
    expect(relative(hours.total, days.total)).toBeLessThan(1e-9);
  });

  it('lists the feeders by meter but counts only the incomers in building and site figures', async () => {
    const query = { commodity: 'electricity', from: FROM, to: TO, resolution: 'day' } as const;
    const byMeter = await energy.consumption({ ...query, groupBy: 'meter' });
    const site = await energy.consumption({ ...query, groupBy: 'site' });
    const total = (device: string) => byMeter.rows.find((r) => r.key === device)?.total ?? Number.NaN;

    expect(byMeter.rows.map((r) => r.key).sort()).toEqual(
      [...INCOMERS, ...DR1_FEEDERS, ...DR2_FEEDERS].sort(),
    );
    expect(byMeter.rows.find((r) => r.key === 'dr1-f2')?.name).toBe('DR1 Feeder 2 — Lighting');
    // The site is its incomers, not incomers plus feeders; and so is the total by meter: the
    // feeders are shown under their incomer, never added to it.
    expect(relative(site.total, sum(INCOMERS.map(total)))).toBeLessThan(1e-12);
    expect(relative(byMeter.total, site.total)).toBeLessThan(1e-12);
    // Each incomer carries its feeders plus 1.5 % transformer and cable losses.
    expect(relative(total('dr1-incomer'), 1.015 * sum(DR1_FEEDERS.map(total)))).toBeLessThan(0.005);
    expect(relative(total('dr2-incomer'), 1.015 * sum(DR2_FEEDERS.map(total)))).toBeLessThan(0.005);
    // Asking for sub-meters by name sums them, as a retrofit report does.
    const feeders = await energy.consumption({ ...query, groupBy: 'site', meters: DR1_FEEDERS });
    expect(feeders.rows[0]?.meters).toEqual(DR1_FEEDERS);
    expect(relative(feeders.total, sum(DR1_FEEDERS.map(total)))).toBeLessThan(1e-12);
    // An incomer and one of its feeders asked for together: the feeder is part of the incomer.
    const both = await energy.consumption({ ...query, groupBy: 'site', meters: ['dr1-incomer', 'dr1-f2'] });
    expect(both.rows[0]?.meters).toEqual(['dr1-incomer']);
    expect(relative(both.total, total('dr1-incomer'))).toBeLessThan(1e-12);
  });

  it('reports intensity per m² and per bed from the mains', async () => {
    const range = { from: FROM, to: TO };
    const intensity = await energy.intensity(range);
    const buildings = await energy.consumption({
      commodity: 'electricity',
      ...range,
      resolution: 'day',
      groupBy: 'building',
    });
    const inpatientKwh = buildings.rows.find((r) => r.key === 'main/inpatient')?.total ?? Number.NaN;
    const inpatient = intensity.rows.find((r) => r.key === 'main/inpatient');
    expect(inpatient).toMatchObject({ areaM2: 52_000, beds: 800 });
    expect(inpatient?.kwh).toBeCloseTo(inpatientKwh, 6);
    expect(inpatient?.kwhPerM2).toBeCloseTo(inpatientKwh / 52_000, 9);
    expect(inpatient?.kwhPerBed).toBeCloseTo(inpatientKwh / 800, 9);
    const site = intensity.rows.find((r) => r.key === 'main');
    expect(site?.kwh).toBeCloseTo(buildings.total ?? Number.NaN, 6);
    // No electricity main in the admin building: unmetered, not 0 kWh.
    expect(intensity.rows.find((r) => r.key === 'main/admin')?.kwh).toBeNull();
  });
});

describe('peak demand from simulated history', () => {
  const DEMAND_DAYS = 3;
  const demandTo = FROM + DEMAND_DAYS * DAY;

  /** 15-minute means of a point's stored samples, computed here from the raw rows. */
  async function blockMeans(point: string): Promise<Map<number, number>> {
    const blocks = new Map<number, number[]>();
    for (const s of await samples(data.store, point, FROM, demandTo)) {
      const start = Math.floor(s.ts / QUARTER) * QUARTER;
      blocks.set(start, [...(blocks.get(start) ?? []), s.value]);
    }
    return new Map([...blocks].map(([ts, values]) => [ts, sum(values) / values.length]));
  }

  it("gives each incomer's daily peak as the highest 15-minute mean kW of its samples, with its time", async () => {
    const report = await energy.demand({ from: FROM, to: demandTo, resolution: 'day' });
    expect(report.blockMs).toBe(QUARTER);
    expect(report.meters.map((m) => m.device)).toEqual(INCOMERS);
    for (const meter of report.meters) {
      const means = await blockMeans(`${meter.device}.power_kw`);
      expect(meter.periods).toHaveLength(DEMAND_DAYS);
      meter.periods.forEach((period, day) => {
        const start = FROM + day * DAY;
        const ofDay = [...means].filter(([ts]) => ts >= start && ts < start + DAY);
        expect(ofDay).toHaveLength(96);
        const [peakAt, peakKw] = ofDay.reduce((best, block) => (block[1] > best[1] ? block : best));
        expect(period.start).toBe(start);
        expect(period.blocks).toBe(96);
        expect(period.peakKw).toBeCloseTo(peakKw, 6);
        expect(period.peakAt).toBe(peakAt);
        expect(period.meanKw).toBeCloseTo(sum(ofDay.map(([, kw]) => kw)) / 96, 6);
        expect(period.loadFactor).toBeGreaterThan(0.3);
        expect(period.loadFactor).toBeLessThan(1);
      });
    }
  });

  it('gives DR1 its headroom: 1 − peak kVA / 2500', async () => {
    const report = await energy.demand({ from: FROM, to: demandTo, resolution: 'day' });
    const kw = await blockMeans('dr1-incomer.power_kw');
    const kvar = await blockMeans('dr1-incomer.reactive_kvar');
    let peakKva = 0;
    let peakAt = 0;
    for (const [ts, p] of kw) {
      const kva = Math.hypot(p, kvar.get(ts) ?? Number.NaN);
      if (kva > peakKva) [peakKva, peakAt] = [kva, ts];
    }
    const dr1 = report.rooms.find((r) => r.room === 'dr1');
    expect(dr1).toMatchObject({ meters: ['dr1-incomer'], ratedKva: 2500, peakAt });
    expect(dr1?.peakKva).toBeCloseTo(peakKva, 6);
    expect(dr1?.utilisation).toBeCloseTo(peakKva / 2500, 9);
    expect(1 - (dr1?.headroomKva ?? 0) / 2500).toBeCloseTo(peakKva / 2500, 9);
    expect((dr1?.headroomKva ?? 0) / 2500).toBeCloseTo(1 - peakKva / 2500, 9);
    // A healthy room: loaded, not overloaded.
    expect(dr1?.utilisation).toBeGreaterThan(0.1);
    expect(dr1?.utilisation).toBeLessThan(1);
    // The peak kVA is at least the highest day's peak kW.
    const peakKw = Math.max(...(report.meters[0]?.periods.map((p) => p.peakKw ?? 0) ?? []));
    expect(peakKva).toBeGreaterThanOrEqual(peakKw);
  });
});

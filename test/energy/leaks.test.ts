/**
 * Night-flow leak detection on a week of the demo plant's simulated water meters in a real
 * SQLite store, checked as the facilities manager reads it: a quiet week suspects nobody; a
 * pipe burst in the admin building (2 m³/h from the third night) is suspected once it has kept
 * the night flow up for 3 nights in a row, on the bus where the alarm engine sees it, and only
 * there; a night the meter was off the network breaks the run.
 */
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ScheduledFault } from '../../simulators/history.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { createEnergy, type LeakStatus } from '../../src/energy/index.js';
import { silentLogger } from '../../src/log/index.js';
import { PointBus, type PointValue } from '../../src/points/index.js';
import { MINUTE, simulatedStore, type TestStore } from './simulated-store.js';

const ZONE = 'Asia/Shanghai';
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();

/** Seven nights: the night of 10 November (01:00–05:00 on the 11th) to that of the 16th. */
const DATES = [
  '2026-11-10',
  '2026-11-11',
  '2026-11-12',
  '2026-11-13',
  '2026-11-14',
  '2026-11-15',
  '2026-11-16',
];
const FROM = local('2026-11-10T12:00');
/** Noon after the seventh night: "now" for the detector. */
const END = local('2026-11-17T12:00');
/** Noon after the night of `date`. */
const noonAfter = (date: string) =>
  DateTime.fromISO(date, { zone: ZONE }).plus({ days: 1, hours: 12 }).toMillis();

const WATCHED = ['wm-inpatient', 'wm-outpatient', 'wm-surgical', 'wm-admin', 'wm-canteen'];
const LEAK: ScheduledFault = {
  device: 'wm-admin',
  fault: { type: 'leak', flowM3h: 2 },
  // The evening before the third night.
  from: local('2026-11-12T20:00'),
};
/** The admin meter off the network through the sixth night (the 16th, 00:00–06:00). */
const OFFLINE: ScheduledFault = {
  device: 'wm-admin',
  fault: { type: 'offline' },
  from: local('2026-11-16T00:00'),
  to: local('2026-11-16T06:00'),
};

let config: PlantConfig;
const stores: TestStore[] = [];

beforeAll(() => {
  // The simulated hospital's night follows the process's clock: put it on the hospital's.
  vi.stubEnv('TZ', ZONE);
  config = loadConfig(resolve('config'));
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  vi.unstubAllEnvs();
});

async function week(faults: ScheduledFault[] = []): Promise<TestStore> {
  const data = await simulatedStore(config, { from: FROM, to: END, stepMs: 5 * MINUTE, faults }, (id) =>
    /^wm-.*\.(flow_m3h|volume_m3)$/.test(id),
  );
  stores.push(data);
  return data;
}

const baseOf = (device: string) => Number(config.simulation.devices[device]?.baseM3h);

/** Starts the detector at `now`, returns what its first check published and its status. */
async function firstCheck(
  data: TestStore,
  now: number,
): Promise<{ published: PointValue[]; status: LeakStatus }> {
  const bus = new PointBus();
  const published: PointValue[] = [];
  const firstBatch = new Promise<void>((done) =>
    bus.subscribe((batch) => {
      published.push(...batch);
      done();
    }),
  );
  const energy = createEnergy({ config, store: data.store, bus, log: silentLogger(), now: () => now });
  energy.start();
  try {
    await firstBatch;
    // The status the check kept is what the energy page shows.
    return { published, status: await energy.leaks() };
  } finally {
    energy.stop();
  }
}

const publishedValue = (published: PointValue[], id: string) => published.find((v) => v.id === id)?.value;

describe('night-flow leak detection on simulated water meters', () => {
  it('suspects nobody after a quiet week, and publishes so', async () => {
    const data = await week();
    const { published, status } = await firstCheck(data, END);
    expect(status.checkedAt).toBe(END);
    expect(status.window).toEqual({ from: '01:00', to: '05:00' });
    expect(status.meters.map((m) => m.device)).toEqual(WATCHED);
    for (const meter of status.meters) {
      expect(meter.suspected).toBe(false);
      expect(meter.wetNights).toBe(0);
      const simulated = meter.nights.slice(-7);
      expect(simulated.map((n) => n.date)).toEqual(DATES);
      for (const night of simulated) {
        expect(night.coverage).toBe(1);
        expect(night.wet).toBe(false);
        // The night floor is the building's base flow (5 % noise, the payload's rounding).
        expect(night.minimumFlow).toBeGreaterThan(0.85 * baseOf(meter.device));
        expect(night.minimumFlow).toBeLessThan(1.1 * baseOf(meter.device) + 0.02);
        expect(night.minimumFlow).toBeLessThan(meter.threshold);
      }
      // The nights before the history have no readings: unknown, not dry.
      expect(meter.nights.slice(0, -7).every((n) => n.wet === null && n.minimumFlow === null)).toBe(true);
      expect(publishedValue(published, `${meter.device}.leak_suspected`)).toBe(false);
      expect(publishedValue(published, `${meter.device}.leak_nights`)).toBe(0);
    }
    expect(published.every((v) => v.ts === END && v.quality === 'good')).toBe(true);
    // Three points per watched meter; the cooling-tower make-up meter is not watched.
    expect(published).toHaveLength(3 * WATCHED.length);
    expect(published.some((v) => v.id.startsWith('wm-energy-centre.'))).toBe(false);
  });

  it('suspects the admin building after 3 wet nights of a 2 m³/h leak, and nobody else', async () => {
    const data = await week([LEAK]);
    const { published, status } = await firstCheck(data, END);
    const admin = status.meters.find((m) => m.device === 'wm-admin');
    expect(admin?.threshold).toBe(0.3);
    expect(admin?.nights.slice(-7).map((n) => n.wet)).toEqual([false, false, true, true, true, true, true]);
    expect(admin?.wetNights).toBe(5);
    expect(admin?.suspected).toBe(true);
    const leakNight = admin?.nights[admin.nights.length - 1]?.minimumFlow ?? Number.NaN;
    expect(leakNight).toBeGreaterThan(baseOf('wm-admin') + 2 - 0.02);
    expect(leakNight).toBeLessThan(1.1 * baseOf('wm-admin') + 2 + 0.02);

    expect(publishedValue(published, 'wm-admin.leak_suspected')).toBe(true);
    expect(publishedValue(published, 'wm-admin.leak_nights')).toBeGreaterThanOrEqual(3);
    expect(publishedValue(published, 'wm-admin.night_min_flow_m3h')).toBeCloseTo(baseOf('wm-admin') + 2, 1);
    for (const other of status.meters.filter((m) => m.device !== 'wm-admin')) {
      expect(other.suspected).toBe(false);
      expect(other.wetNights).toBe(0);
      expect(publishedValue(published, `${other.device}.leak_suspected`)).toBe(false);
    }

    // Night by night: two wet nights are a cleaning crew, the third is a leak.
    const asOf = async (date: string) => {
      const energy = createEnergy({
        config,
        store: data.store,
        bus: new PointBus(),
        log: silentLogger(),
        now: () => noonAfter(date),
      });
      return (await energy.leaks(7)).meters.find((m) => m.device === 'wm-admin');
    };
    expect(await asOf('2026-11-11')).toMatchObject({ wetNights: 0, suspected: false });
    expect(await asOf('2026-11-13')).toMatchObject({ wetNights: 2, suspected: false });
    expect(await asOf('2026-11-14')).toMatchObject({ wetNights: 3, suspected: true });
  });

  it('starts the count again after a night without readings', async () => {
    const data = await week([LEAK, OFFLINE]);
    const { published, status } = await firstCheck(data, END);
    const admin = status.meters.find((m) => m.device === 'wm-admin');
    const nights = admin?.nights.slice(-7) ?? [];
    // The sixth night (01:00–05:00 on the 16th) has no readings: neither wet nor dry.
    expect(nights[5]).toMatchObject({ date: '2026-11-15', minimumFlow: null, coverage: 0, wet: null });
    expect(nights.map((n) => n.wet)).toEqual([false, false, true, true, true, null, true]);
    expect(admin?.wetNights).toBe(1);
    expect(admin?.suspected).toBe(false);
    expect(publishedValue(published, 'wm-admin.leak_suspected')).toBe(false);
    expect(publishedValue(published, 'wm-admin.leak_nights')).toBe(1);

    // Had the outage been the last night, there would be no minimum to publish, not a 0.
    const energy = createEnergy({
      config,
      store: data.store,
      bus: new PointBus(),
      log: silentLogger(),
      now: () => noonAfter('2026-11-15'),
    });
    const asOfOutage = (await energy.leaks(7)).meters.find((m) => m.device === 'wm-admin');
    expect(asOfOutage).toMatchObject({ wetNights: 0, suspected: false });
    const bus = new PointBus();
    const seen: PointValue[] = [];
    bus.subscribe((batch) => seen.push(...batch));
    const detector = createEnergy({
      config,
      store: data.store,
      bus,
      log: silentLogger(),
      now: () => noonAfter('2026-11-15'),
    });
    detector.start();
    await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0));
    detector.stop();
    expect(seen.some((v) => v.id === 'wm-admin.night_min_flow_m3h')).toBe(false);
    expect(publishedValue(seen, 'wm-admin.leak_suspected')).toBe(false);
  });
});

/**
 * A kWh counter's bad days, written by hand into a real SQLite store and read back through the
 * energy service: the power meter's uint32 register rolls over, a technician resets it, the
 * meter is replaced (recorded in energy.meterChanges), one read is garbage and the meter is
 * off the network for six hours. The feeder draws a steady 120 kW throughout, so every local
 * day used exactly 2880 kWh: the report must say so, list each event and show the outage as a
 * gap with what the counter says was used in it.
 */
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateHistory } from '../../simulators/history.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import type { Profile } from '../../src/config/schema.js';
import { createEnergy, type EnergyService } from '../../src/energy/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { PointValue } from '../../src/points/index.js';
import { PointBus } from '../../src/points/index.js';
import { DAY, emptyStore, HOUR, MINUTE, type TestStore, writeAll } from './simulated-store.js';

const ZONE = 'Asia/Shanghai';
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();

const METER = 'dr1-f3';
const POINT = `${METER}.energy_kwh`;
const FROM = local('2026-11-10T00:00');
const DAYS = 4;
const TO = FROM + DAYS * DAY;
const STEP = 5 * MINUTE;
/** 120 kW: 10 kWh per 5-minute reading, 2880 kWh per day. */
const KW = 120;
const PER_DAY = KW * 24;
const WRAP = 2 ** 32;

const FIRST = FROM - HOUR;
/** kWh drawn since the first reading. */
const used = (ts: number) => (KW * (ts - FIRST)) / HOUR;
/** The register starts 844 kWh below its wrap: it rolls over at about 06:00 on the first day. */
const START_VALUE = WRAP - 844;
/** A technician resets the register to 0 right after the 08:55 reading. */
const RESET = local('2026-11-11T09:00');
/** The meter is swapped at 10:28 (between the 10:25 and 10:30 readings); the new one starts at 1000. */
const CHANGE = local('2026-11-12T10:28');
const NEW_INITIAL = 1000;
/** One garbage read. */
const GLITCH = local('2026-11-12T18:00');
/** The meter is off the network from 02:00 to 08:00. */
const OUTAGE = { from: local('2026-11-13T02:00'), to: local('2026-11-13T08:00') };

/** What the register shows at ts. */
function register(ts: number): number {
  if (ts < RESET) return (START_VALUE + used(ts)) % WRAP;
  if (ts < CHANGE) return used(ts) - used(RESET - STEP);
  return NEW_INITIAL + used(ts) - used(CHANGE);
}
/** The old meter's final reading, as the technician noted it. */
const OLD_FINAL = used(CHANGE) - used(RESET - STEP);

function readings(): PointValue[] {
  const values: PointValue[] = [];
  for (let ts = FIRST; ts < TO + HOUR; ts += STEP) {
    if (ts >= OUTAGE.from && ts < OUTAGE.to) continue;
    const value = ts === GLITCH ? register(ts) + 500_000 : register(ts);
    values.push({ id: POINT, value, quality: 'good', ts });
  }
  return values;
}

/**
 * A second meter read every minute at 60 kW (1 kWh a minute): swapped at 10:27 while it was
 * off the network, from its 10:25 reading to the new meter's first at 10:41.
 */
const SWAPPED = 'dr1-f4';
const SWAP = local('2026-11-10T10:27');
const SWAP_GAP = { from: local('2026-11-10T10:26'), to: local('2026-11-10T10:41') };
const swappedRegister = (ts: number) => (ts < SWAP ? 250_000 + (ts - FIRST) / MINUTE : (ts - SWAP) / MINUTE);
/** What the old meter showed when it was taken out, as noted on the job sheet. */
const SWAPPED_FINAL = 250_000 + (SWAP - FIRST) / MINUTE;

function swappedReadings(): PointValue[] {
  const values: PointValue[] = [];
  for (let ts = FIRST; ts < FROM + DAY + HOUR; ts += MINUTE)
    if (ts < SWAP_GAP.from || ts >= SWAP_GAP.to)
      values.push({ id: `${SWAPPED}.energy_kwh`, value: swappedRegister(ts), quality: 'good', ts });
  return values;
}

let config: PlantConfig;
let data: TestStore;
let energy: EnergyService;

beforeAll(async () => {
  const demo = loadConfig(resolve('config'));
  config = {
    ...demo,
    energy: {
      ...demo.energy,
      meterChanges: [
        {
          device: METER,
          at: '2026-11-12T10:28',
          oldFinal: OLD_FINAL,
          newInitial: NEW_INITIAL,
          note: 'meter replaced',
        },
        {
          device: SWAPPED,
          at: '2026-11-10T10:27',
          oldFinal: SWAPPED_FINAL,
          newInitial: 0,
          note: 'CT upgrade',
        },
      ],
    },
  };
  data = emptyStore();
  await writeAll(data, [readings(), swappedReadings()]);
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
});

const query = { commodity: 'electricity', from: FROM, to: TO, groupBy: 'meter', meters: [METER] } as const;

describe('a kWh counter through rollover, reset, replacement, glitch and outage', () => {
  it('is a 32-bit register read from the power-meter profile, with the recorded change', () => {
    const meter = energy.meters.find((m) => m.device === METER);
    expect(meter).toMatchObject({ rolloverAt: WRAP, main: false, changes: [{ at: CHANGE }] });
    // The hand-made register does what it should.
    expect(register(local('2026-11-10T05:55'))).toBeGreaterThan(WRAP - 20);
    expect(register(local('2026-11-10T06:05'))).toBeLessThan(20);
    expect(register(RESET)).toBe(10);
    expect(register(local('2026-11-12T10:30'))).toBe(NEW_INITIAL + 4);
  });

  it('gives every local day its 2880 kWh: never negative, no jump', async () => {
    const report = await energy.consumption({ ...query, resolution: 'day' });
    const [row] = report.rows;
    expect(row?.buckets.map((b) => b.label)).toEqual([
      '2026-11-10',
      '2026-11-11',
      '2026-11-12',
      '2026-11-13',
    ]);
    for (const bucket of row?.buckets ?? []) expect(bucket.value).toBeCloseTo(PER_DAY, 6);
    expect(row?.total).toBeCloseTo(DAYS * PER_DAY, 6);
    expect(row?.events.some((e) => e.kind === 'jump')).toBe(false);
  });

  it('lists each event where it happened', async () => {
    const report = await energy.consumption({ ...query, resolution: 'day' });
    const events = report.rows[0]?.events ?? [];
    expect(events.map((e) => e.kind)).toEqual(['rollover', 'reset', 'replacement', 'spike']);
    expect(events.every((e) => e.meter === METER)).toBe(true);
    const [rollover, reset, replacement, spike] = events;
    // Each is dated by the reading that showed it, at the end of that reading's 5-minute window.
    expect(rollover?.before).toBeGreaterThan(WRAP - 20);
    expect(rollover?.after).toBeLessThan(20);
    expect(rollover?.ts).toBeGreaterThan(local('2026-11-10T06:00'));
    expect(rollover?.ts).toBeLessThanOrEqual(local('2026-11-10T06:10'));
    expect(reset).toMatchObject({ after: 10 });
    expect(reset?.ts).toBeGreaterThanOrEqual(RESET);
    expect(reset?.ts).toBeLessThanOrEqual(RESET + STEP);
    expect(replacement?.after).toBe(NEW_INITIAL + 4);
    expect(replacement?.message).toContain('meter replaced');
    expect(replacement?.message).not.toContain('inconsistent');
    expect(replacement?.ts).toBeGreaterThan(CHANGE);
    // Dated by the new meter's first reading (10:30), at the end of its 5-minute window.
    expect(replacement?.ts).toBeLessThanOrEqual(CHANGE + 2 * STEP);
    expect(spike?.after).toBe(register(GLITCH) + 500_000);
    expect(spike?.ts).toBeGreaterThanOrEqual(GLITCH);
    expect(spike?.ts).toBeLessThanOrEqual(GLITCH + STEP);
  });

  it('reports the outage as a gap with its consumption, inside its day', async () => {
    const report = await energy.consumption({ ...query, resolution: 'day' });
    const [row] = report.rows;
    expect(row?.gaps).toHaveLength(1);
    const [gap] = row?.gaps ?? [];
    // The gap spans the outage, give or take the reading either side.
    expect(gap?.from).toBeLessThanOrEqual(OUTAGE.from);
    expect(gap?.from).toBeGreaterThanOrEqual(OUTAGE.from - STEP);
    expect(gap?.to).toBeGreaterThanOrEqual(OUTAGE.to);
    expect(gap?.to).toBeLessThanOrEqual(OUTAGE.to + STEP);
    // Its consumption is what the counter rose by across it: 120 kW for its duration.
    expect(gap?.consumption).toBeCloseTo((KW * ((gap?.to ?? 0) - (gap?.from ?? 0))) / HOUR, 6);
    expect(gap?.consumption).toBeGreaterThanOrEqual(6 * KW);
    expect(gap).toMatchObject({ meter: METER, allocatedTo: '2026-11-13' });
    const outageDay = row?.buckets[3];
    expect(outageDay).toMatchObject({ label: '2026-11-13', includesGap: true });
    expect(outageDay?.coverage).toBeCloseTo(18 / 24, 2);
    expect(row?.buckets.slice(0, 3).every((b) => b.coverage === 1 && !b.includesGap)).toBe(true);
  });

  it('leaves the outage hours unknown rather than spread, and counts the rest hour by hour', async () => {
    const report = await energy.consumption({ ...query, resolution: 'hour' });
    const [row] = report.rows;
    const hours = row?.buckets ?? [];
    expect(hours).toHaveLength(DAYS * 24);
    const inOutage = hours.filter((h) => h.start >= OUTAGE.from && h.end <= OUTAGE.to);
    expect(inOutage).toHaveLength(6);
    expect(inOutage.every((h) => h.value === null && h.gapMs === HOUR)).toBe(true);
    for (const hour of hours) if (hour.value !== null) expect(hour.value).toBeGreaterThanOrEqual(0);
    // Away from the outage, every hour used 120 kWh, events or not.
    const clear = hours.filter((h) => h.end <= OUTAGE.from - HOUR || h.start >= OUTAGE.to + HOUR);
    for (const hour of clear) expect(hour.value).toBeCloseTo(KW, 6);
    // The gap spans several hours, so it is in no hour but still in the total.
    expect(row?.gaps[0]?.allocatedTo).toBeUndefined();
    expect(row?.total).toBeCloseTo(DAYS * PER_DAY, 6);
  });

  it('bridges a meter swapped while off the network, read more often than the report windows', async () => {
    const report = await energy.consumption({
      commodity: 'electricity',
      from: FROM,
      to: FROM + DAY,
      resolution: 'day',
      groupBy: 'meter',
      meters: [SWAPPED],
    });
    const [row] = report.rows;
    expect(row?.buckets[0]?.value).toBeCloseTo(24 * 60, 6);
    expect(row?.events.map((e) => e.kind)).toEqual(['replacement']);
    expect(row?.events[0]?.message).toContain('CT upgrade');
    expect(row?.events[0]?.message).not.toContain('inconsistent');
    // The swap took the meter off the network for longer than maxGap: a gap, with the
    // consumption of both meters across it (the old one's to its noted final reading).
    expect(row?.gaps).toHaveLength(1);
    expect(row?.gaps[0]?.from).toBeLessThan(SWAP);
    expect(row?.gaps[0]?.to).toBeGreaterThanOrEqual(SWAP_GAP.to);
    expect(row?.gaps[0]?.consumption).toBeCloseTo(
      SWAPPED_FINAL - swappedRegister(local('2026-11-10T10:25')) + swappedRegister(local('2026-11-10T10:44')),
      6,
    );
  });
});

describe('a register with a scale and an offset', () => {
  it('loses 2³² × scale at the wrap, not the offset as well', async () => {
    const demo = loadConfig(resolve('config'));
    const profile = demo.profiles.get('power-meter') as Profile & { protocol: 'modbus' };
    // A 0.01 kWh register, shown with 100 kWh added (the old meter's reading at installation).
    const scaled = {
      ...profile,
      points: profile.points.map((p) => (p.name === 'energy_kwh' ? { ...p, scale: 0.01, offset: 100 } : p)),
    };
    const cfg: PlantConfig = { ...demo, profiles: new Map([...demo.profiles, ['power-meter', scaled]]) };
    const store = emptyStore();
    try {
      // 120 kW: 1000 register steps per 5 minutes, wrapping at about 06:00.
      const startRaw = WRAP - 1000 * 84 - 400;
      const values: PointValue[] = [];
      for (let ts = FIRST; ts < FROM + DAY + HOUR; ts += STEP) {
        const raw = (startRaw + (1000 * (ts - FIRST)) / STEP) % WRAP;
        values.push({ id: POINT, value: raw * 0.01 + 100, quality: 'good', ts });
      }
      await writeAll(store, [values]);
      const service = createEnergy({
        config: cfg,
        store: store.store,
        bus: new PointBus(),
        log: silentLogger(),
      });
      expect(service.meters.find((m) => m.device === METER)?.rolloverAt).toBeCloseTo(WRAP * 0.01, 6);
      const report = await service.consumption({ ...query, from: FROM, to: FROM + DAY, resolution: 'day' });
      const [row] = report.rows;
      expect(row?.events.map((e) => e.kind)).toEqual(['rollover']);
      expect(row?.buckets[0]?.value).toBeCloseTo(PER_DAY, 3);
    } finally {
      await store.close();
    }
  });
});

describe("the simulator's rollover fault through the gateway's register decoding", () => {
  it("counts the incomer's day across the wrap and asks for the jump to be recorded", async () => {
    const demo = loadConfig(resolve('config'));
    const store = emptyStore();
    try {
      const history = simulateHistory(demo, {
        from: FIRST,
        to: FROM + DAY + HOUR,
        stepMs: STEP,
        // Sets the incomer's counter just below its uint32 ceiling: it wraps a few readings later.
        faults: [{ device: 'dr1-incomer', fault: { type: 'rollover' }, from: local('2026-11-10T12:00') }],
      });
      const kept: PointValue[][] = [];
      for (const batch of history) kept.push(batch.filter((v) => v.id.startsWith('dr1-incomer.')));
      await writeAll(store, kept);
      const service = createEnergy({
        config: demo,
        store: store.store,
        bus: new PointBus(),
        log: silentLogger(),
      });
      const report = await service.consumption({
        ...query,
        meters: ['dr1-incomer'],
        from: FROM,
        to: FROM + DAY,
        resolution: 'hour',
      });
      const [row] = report.rows;
      // The fault moves the register from about a million kWh to its ceiling in one step: to the
      // service that is an unrecorded meter change (nothing counted, asks for it to be recorded).
      expect(row?.events.map((e) => e.kind)).toEqual(['jump', 'rollover']);
      expect(row?.events[0]?.message).toContain('record the meter change');
      const [, rollover] = row?.events ?? [];
      expect(rollover?.before).toBeGreaterThan(WRAP - 1000);
      expect(rollover?.after).toBeLessThan(1000);
      for (const hour of row?.buckets ?? []) expect(hour.value).toBeGreaterThan(0);
      // The day is what the incomer drew (its power integrated), less the one step of the jump.
      const kw = kept
        .flat()
        .filter((v) => v.id === 'dr1-incomer.power_kw' && v.ts > FROM && v.ts <= FROM + DAY);
      const drawn = kw.reduce((sum, v) => sum + (Number(v.value) * STEP) / HOUR, 0);
      expect(row?.total).toBeLessThan(drawn);
      expect(row?.total).toBeGreaterThan(0.99 * drawn);
    } finally {
      await store.close();
    }
  });
});

describe('an event in the last minutes of a day', () => {
  it('is listed in that day’s report, not lost between two days', async () => {
    const store = emptyStore();
    try {
      // The register wraps between the 23:50 and 23:55 readings; the 23:55 reading is the last
      // of the day.
      const wrapAt = local('2026-11-10T23:52');
      const values: PointValue[] = [];
      for (let ts = FIRST; ts < FROM + 2 * DAY + HOUR; ts += STEP)
        values.push({
          id: POINT,
          value: (WRAP - KW * ((wrapAt - FIRST) / HOUR) + used(ts)) % WRAP,
          quality: 'good',
          ts,
        });
      await writeAll(store, [values]);
      const service = createEnergy({ config, store: store.store, bus: new PointBus(), log: silentLogger() });
      const day = (from: number) =>
        service.consumption({ ...query, from, to: from + DAY, resolution: 'day' });
      const [first, second] = [await day(FROM), await day(FROM + DAY)];
      expect(first.rows[0]?.events.map((e) => e.kind)).toEqual(['rollover']);
      expect(second.rows[0]?.events).toEqual([]);
      expect(first.total).toBeCloseTo(PER_DAY, 6);
      expect(second.total).toBeCloseTo(PER_DAY, 6);
      // Both days together list it once.
      const both = await service.consumption({ ...query, from: FROM, to: FROM + 2 * DAY, resolution: 'day' });
      expect(both.rows[0]?.events.map((e) => e.kind)).toEqual(['rollover']);
    } finally {
      await store.close();
    }
  });
});

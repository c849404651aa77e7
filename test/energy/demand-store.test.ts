/**
 * Peak demand and headroom from hand-made readings in a real SQLite store, where exact figures
 * are known: DR1's incomer carries a steady 1000 kW / 480 kvar with one 1800 kW quarter hour,
 * during which its reactive-power register could not be read.
 */
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createEnergy, type EnergyService } from '../../src/energy/index.js';
import { silentLogger } from '../../src/log/index.js';
import { PointBus, type PointValue } from '../../src/points/index.js';
import { DAY, emptyStore, MINUTE, type TestStore, writeAll } from './simulated-store.js';

const ZONE = 'Asia/Shanghai';
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const FROM = local('2026-11-10T00:00');
const PEAK = { from: local('2026-11-10T14:00'), to: local('2026-11-10T14:15') };
/** The reactive power register unreadable (a Modbus exception) from 14:00 to 14:30. */
const NO_KVAR = { from: local('2026-11-10T14:00'), to: local('2026-11-10T14:30') };

let data: TestStore;
let energy: EnergyService;

beforeAll(async () => {
  const config = loadConfig(resolve('config'));
  data = emptyStore();
  const values: PointValue[] = [];
  for (let ts = FROM; ts < FROM + DAY; ts += MINUTE) {
    const kw = ts >= PEAK.from && ts < PEAK.to ? 1800 : 1000;
    values.push({ id: 'dr1-incomer.power_kw', value: kw, quality: 'good', ts });
    if (ts < NO_KVAR.from || ts >= NO_KVAR.to)
      values.push({ id: 'dr1-incomer.reactive_kvar', value: 480, quality: 'good', ts });
  }
  await writeAll(data, [values]);
  energy = createEnergy({ config, store: data.store, bus: new PointBus(), log: silentLogger() });
});

afterAll(async () => {
  await data?.close();
});

describe('peak demand and headroom from exact readings', () => {
  it('gives the peak kW with its time, and kVA only where reactive power was read', async () => {
    const report = await energy.demand({ from: FROM, to: FROM + DAY, resolution: 'day' });
    const [day] = report.meters.find((m) => m.device === 'dr1-incomer')?.periods ?? [];
    expect(day).toMatchObject({ label: '2026-11-10', blocks: 96, peakKw: 1800, peakAt: PEAK.from });
    expect(day?.meanKw).toBeCloseTo((95 * 1000 + 1800) / 96, 9);
    // The 1800 kW block has no kvar: its kVA is unknown, not 1800.
    expect(day?.peakKva).toBeCloseTo(Math.hypot(1000, 480), 9);
    expect(day?.peakKvaAt).toBe(FROM);
  });

  it("gives a one-incomer room its incomer's peak kVA, and no headroom where nothing was read", async () => {
    const report = await energy.demand({ from: FROM, to: FROM + DAY, resolution: 'day' });
    const dr1 = report.rooms.find((r) => r.room === 'dr1');
    const kva = Math.hypot(1000, 480);
    expect(dr1).toMatchObject({ meters: ['dr1-incomer'], ratedKva: 2500, peakAt: FROM });
    expect(dr1?.peakKva).toBeCloseTo(kva, 9);
    expect(dr1?.utilisation).toBeCloseTo(kva / 2500, 9);
    expect(dr1?.headroomKva).toBeCloseTo(2500 - kva, 9);
    // DR2's incomer has no readings at all: unknown, not a room with full headroom.
    expect(report.rooms.find((r) => r.room === 'dr2')).toMatchObject({
      peakKva: null,
      utilisation: null,
      headroomKva: null,
    });
  });
});

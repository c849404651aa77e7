/**
 * The contract every TimeSeriesStore keeps, run unchanged against each backend
 * (the aedes abstract-persistence habit): write, replay, ranges, aggregates, latest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PointInfo, PointValue } from '../../src/points/index.js';
import type { TimeSeriesStore } from '../../src/storage/index.js';

const DAY = 86_400_000;
/** Yesterday, midnight UTC: recent enough for any retention policy, whole minutes for windows. */
const T0 = Math.floor(Date.now() / DAY) * DAY - DAY;

const info = (device: string, name: string, profile: string): PointInfo => ({
  id: `${device}.${name}`,
  device,
  deviceName: device,
  name,
  label: name,
  unit: '',
  site: 'main',
  building: 'inpatient',
  room: 'dr1',
  profile,
  equipment: profile,
  counter: name === 'energy_kwh',
  kind: name === 'running' ? 'state' : 'analog',
});

/** The points the contract writes, for backends that map points to their own schema. */
export const CONTRACT_CATALOG: ReadonlyMap<string, PointInfo> = new Map(
  [
    info('dr1-incomer', 'energy_kwh', 'power-meter'),
    info('dr1-incomer', 'power_kw', 'power-meter'),
    info('ch1', 'running', 'chiller'),
    info('ch1', 'power_kw', 'chiller'),
  ].map((p) => [p.id, p]),
);
const MIN = 60_000;

/** A kWh counter every minute for an hour: 1000, 1010, ... and a power reading that repeats 10..15. */
function hour(): PointValue[] {
  const values: PointValue[] = [];
  for (let i = 0; i < 60; i++) {
    values.push({ id: 'dr1-incomer.energy_kwh', value: 1000 + 10 * i, quality: 'good', ts: T0 + i * MIN });
    values.push({ id: 'dr1-incomer.power_kw', value: 10 + (i % 6), quality: 'good', ts: T0 + i * MIN });
  }
  return values;
}

export function describeStoreContract(name: string, open: () => Promise<TimeSeriesStore>): void {
  describe(`${name}: TimeSeriesStore contract`, () => {
    let store: TimeSeriesStore;
    beforeAll(async () => {
      store = await open();
      await store.write(hour());
      await store.write([
        { id: 'ch1.running', value: true, quality: 'good', ts: T0 },
        { id: 'ch1.running', value: false, quality: 'good', ts: T0 + MIN },
        { id: 'ch1.power_kw', value: 250.5, quality: 'good', ts: T0 },
        { id: 'ch1.power_kw', value: null, quality: 'comm-error', ts: T0 + MIN },
        { id: 'ch1.power_kw', value: 9999, quality: 'out-of-range', ts: T0 + 2 * MIN },
      ]);
    });
    afterAll(async () => store?.close());

    it('returns raw samples in time order, from inclusive, to exclusive', async () => {
      const rows = await store.query({
        point: 'dr1-incomer.energy_kwh',
        from: T0 + 10 * MIN,
        to: T0 + 13 * MIN,
      });
      expect(rows.map((r) => [r.ts - T0, r.value])).toEqual([
        [10 * MIN, 1100],
        [11 * MIN, 1110],
        [12 * MIN, 1120],
      ]);
    });

    it('keeps quality, stores a failed read as null and booleans as 1/0', async () => {
      const power = await store.query({ point: 'ch1.power_kw', from: T0, to: T0 + 3 * MIN });
      expect(power).toEqual([
        { ts: T0, value: 250.5, quality: 'good' },
        { ts: T0 + MIN, value: null, quality: 'comm-error' },
        { ts: T0 + 2 * MIN, value: 9999, quality: 'out-of-range' },
      ]);
      const running = await store.query({ point: 'ch1.running', from: T0, to: T0 + 2 * MIN });
      expect(running.map((r) => r.value)).toEqual([1, 0]);
    });

    it('keeps a batch holding an impossible number: that reading without a value, the others whole', async () => {
      // A float32 register can hold NaN or ±Infinity (decoded, flagged out-of-range): the
      // store keeps the reading and its quality, and nothing else in the batch is lost.
      await store.write([
        { id: 'ch1.power_kw', value: Number.NaN, quality: 'out-of-range', ts: T0 + 3 * MIN },
        { id: 'ch1.power_kw', value: Number.POSITIVE_INFINITY, quality: 'out-of-range', ts: T0 + 4 * MIN },
        { id: 'ch1.power_kw', value: 251, quality: 'good', ts: T0 + 5 * MIN },
      ]);
      const rows = await store.query({ point: 'ch1.power_kw', from: T0 + 3 * MIN, to: T0 + 6 * MIN });
      expect(rows).toEqual([
        { ts: T0 + 3 * MIN, value: null, quality: 'out-of-range' },
        { ts: T0 + 4 * MIN, value: null, quality: 'out-of-range' },
        { ts: T0 + 5 * MIN, value: 251, quality: 'good' },
      ]);
    });

    it('stores a replayed batch once', async () => {
      await store.write(hour().slice(0, 20));
      const rows = await store.query({ point: 'dr1-incomer.energy_kwh', from: T0, to: T0 + 60 * MIN });
      expect(rows).toHaveLength(60);
    });

    it('limits raw results', async () => {
      const rows = await store.query({
        point: 'dr1-incomer.power_kw',
        from: T0,
        to: T0 + 60 * MIN,
        limit: 5,
      });
      expect(rows.map((r) => r.value)).toEqual([10, 11, 12, 13, 14]);
    });

    it('aggregates per window: mean, min, max, last, and delta for counters', async () => {
      const q = { point: 'dr1-incomer.power_kw', from: T0, to: T0 + 12 * MIN, windowMs: 6 * MIN };
      expect(
        (await store.query({ ...q, aggregate: 'mean' })).map((r) => [r.ts - T0, r.value, r.count]),
      ).toEqual([
        [0, 12.5, 6],
        [6 * MIN, 12.5, 6],
      ]);
      expect((await store.query({ ...q, aggregate: 'min' })).map((r) => r.value)).toEqual([10, 10]);
      expect((await store.query({ ...q, aggregate: 'max' })).map((r) => r.value)).toEqual([15, 15]);
      expect((await store.query({ ...q, aggregate: 'last' })).map((r) => r.value)).toEqual([15, 15]);
      const energy = await store.query({ ...q, point: 'dr1-incomer.energy_kwh', aggregate: 'delta' });
      expect(energy.map((r) => r.value)).toEqual([50, 50]);
    });

    it('leaves failed reads out of aggregates', async () => {
      const [mean] = await store.query({
        point: 'ch1.power_kw',
        from: T0,
        to: T0 + 2 * MIN,
        aggregate: 'mean',
        windowMs: 2 * MIN,
      });
      expect(mean).toMatchObject({ ts: T0, value: 250.5, count: 1 });
    });

    it('answers the latest sample of each point', async () => {
      const latest = await store.latest(['dr1-incomer.energy_kwh', 'ch1.running']);
      expect([...latest.keys()].sort()).toEqual(['ch1.running', 'dr1-incomer.energy_kwh']);
      expect(latest.get('dr1-incomer.energy_kwh')).toMatchObject({ ts: T0 + 59 * MIN, value: 1590 });
      expect(latest.get('ch1.running')).toMatchObject({ ts: T0 + MIN, value: 0 });
      expect((await store.latest()).size).toBe(4);
    });

    it('answers an unknown point with nothing, and reports itself healthy', async () => {
      expect(await store.query({ point: 'nope.nothing', from: T0, to: T0 + MIN })).toEqual([]);
      expect(await store.health()).toMatchObject({ ok: true, backend: store.backend });
    });
  });
}

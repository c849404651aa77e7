import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { InfluxStore } from '../../src/storage/influx.js';
import { type Influxd, startInfluxd } from '../helpers/influxd.js';
import { CONTRACT_CATALOG, describeStoreContract } from './contract.js';
import { bodyOver, continuousQueryBodies, influxRollupBackend } from './influx-cq.js';
import { describeRollupContract } from './rollup-contract.js';

let influxd: Influxd;
beforeAll(async () => {
  influxd = await startInfluxd();
}, 30_000);
afterAll(async () => influxd?.stop());

let databases = 0;
const openStore = () =>
  InfluxStore.open(
    { host: influxd.host, port: influxd.port, database: `contract_${++databases}` },
    CONTRACT_CATALOG,
    silentLogger(),
  );

describeStoreContract('InfluxDB 1.x', openStore);
describeRollupContract('InfluxDB 1.x', async (now) => {
  const database = `contract_${++databases}`;
  const store = await InfluxStore.open(
    { host: influxd.host, port: influxd.port, database, now },
    CONTRACT_CATALOG,
    silentLogger(),
  );
  return influxRollupBackend(influxd, database, store, CONTRACT_CATALOG);
});

describe('InfluxDB schema', () => {
  it('creates the database, retention policies and rollup queries a Grafana user relies on, once', async () => {
    const store = await openStore();
    const again = await InfluxStore.open(
      { host: influxd.host, port: influxd.port, database: `contract_${databases}` },
      CONTRACT_CATALOG,
      silentLogger(),
    );
    const q = async (query: string) => {
      const res = await fetch(`${influxd.url}/query?db=contract_${databases}&q=${encodeURIComponent(query)}`);
      return JSON.stringify(await res.json());
    };
    const policies = await q('SHOW RETENTION POLICIES');
    for (const rp of ['raw', 'rollup_1m', 'rollup_1h']) expect(policies).toContain(`"${rp}"`);
    const cqs = await q('SHOW CONTINUOUS QUERIES');
    expect(cqs).toContain('cq_rollup_1m');
    expect(cqs).toContain('cq_rollup_1h');
    await store.write([{ id: 'dr1-incomer.power_kw', value: 42, quality: 'good', ts: Date.now() - 60_000 }]);
    const series = await q('SHOW SERIES');
    expect(series).toContain(
      'power-meter,building=inpatient,device=dr1-incomer,point=power_kw,room=dr1,site=main',
    );
    await again.close();
    await store.close();
  });

  it('rolls raw samples up as the continuous queries do, and answers expired ranges from the rollups', async () => {
    const store = await openStore();
    const db = `contract_${databases}`;
    const q = async (query: string) => {
      const res = await fetch(`${influxd.url}/query?db=${db}&epoch=ms&q=${encodeURIComponent(query)}`, {
        method: 'POST',
      });
      return (await res.json()) as {
        results: { series?: { name: string; values: unknown[][]; columns: string[] }[]; error?: string }[];
      };
    };
    // One recent hour of minute samples 0..59, rolled up by the CQ's own query, run now.
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
    await store.write(
      Array.from({ length: 60 }, (_, i) => ({
        id: 'dr1-incomer.power_kw',
        value: i,
        quality: 'good' as const,
        ts: hour + i * 60_000,
      })),
    );
    const cqs = await continuousQueryBodies(influxd, db);
    const body = cqs.find(({ name }) => name === 'cq_rollup_1h')?.body ?? '';
    expect(body).toMatch(/GROUP BY time\(1h\), \*$/);
    const ran = await q(bodyOver(body, hour, hour + 3_600_000));
    expect(JSON.stringify(ran)).not.toContain('error');
    const rolled = await q(
      `SELECT "value", "min", "max", "last", "count" FROM "rollup_1h"."power-meter" WHERE "point" = 'power_kw'`,
    );
    expect(rolled.results[0]?.series?.[0]?.values, JSON.stringify(rolled)).toEqual([
      [hour, 29.5, 0, 59, 59, 60],
    ]);

    // 100 days ago raw samples are gone (raw keeps 90): the store reads rollup_1h instead.
    const old = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 100 * 86_400_000;
    const line = (t: number, v: number) =>
      `power-meter,building=inpatient,device=dr1-incomer,point=power_kw,room=dr1,site=main value=${v},min=${v - 5},max=${v + 5},last=${v + 1},count=60i ${t}`;
    const write = await fetch(`${influxd.url}/write?db=${db}&rp=rollup_1h&precision=ms`, {
      method: 'POST',
      body: [line(old, 100), line(old + 3_600_000, 200)].join('\n'),
    });
    expect(write.status).toBe(204);
    const range = { point: 'dr1-incomer.power_kw', from: old, to: old + 2 * 3_600_000, windowMs: 3_600_000 };
    expect((await store.query({ ...range, aggregate: 'mean' })).map((r) => [r.ts, r.value, r.count])).toEqual(
      [
        [old, 100, 60],
        [old + 3_600_000, 200, 60],
      ],
    );
    expect(
      (await store.query({ ...range, aggregate: 'delta', windowMs: 7_200_000 })).map((r) => r.value),
    ).toEqual([110]);
    await store.close();
  });
});

describe('the unit of a point in InfluxDB', () => {
  /** The contract's points as the configuration names their units. */
  const withUnits = new Map(
    [...CONTRACT_CATALOG].map(([id, info]) => [
      id,
      { ...info, unit: info.name === 'power_kw' ? 'kW' : info.unit },
    ]),
  );
  const HOUR = 3_600_000;

  it('is a tag of the series and of its rollups; series written before it still answer by point', async () => {
    const database = `units_${++databases}`;
    const q = async (query: string) => {
      const res = await fetch(`${influxd.url}/query?db=${database}&epoch=ms&q=${encodeURIComponent(query)}`);
      return (await res.json()) as {
        results: { series?: { tags?: Record<string, string>; values: unknown[][] }[] }[];
      };
    };
    const settings = { host: influxd.host, port: influxd.port, database };
    // An hour written by a gateway from before units were stored, the next by one that stores them.
    const t0 = Math.floor(Date.now() / HOUR) * HOUR - 50 * HOUR;
    const minutes = (from: number) =>
      Array.from({ length: 60 }, (_, i) => ({
        id: 'dr1-incomer.power_kw',
        value: i,
        quality: 'good' as const,
        ts: from + i * 60_000,
      }));
    const before = await InfluxStore.open(settings, CONTRACT_CATALOG, silentLogger());
    await before.write(minutes(t0));
    const store = await InfluxStore.open(settings, withUnits, silentLogger());
    await store.write(minutes(t0 + HOUR));

    const series = JSON.stringify(await q('SHOW SERIES'));
    expect(series).toContain(
      'power-meter,building=inpatient,device=dr1-incomer,point=power_kw,room=dr1,site=main"',
    );
    expect(series).toContain(
      'power-meter,building=inpatient,device=dr1-incomer,point=power_kw,room=dr1,site=main,unit=kW"',
    );
    // The hours were long over: their rollups are made now, by the store (GROUP BY *, unit and all).
    await before.settle();
    await store.settle();
    // What a Grafana panel asks for: the unit beside the figures, for raw samples and rollups alike.
    const perUnit = (rp: string) =>
      q(
        `SELECT count("value") FROM "${rp}"."power-meter" WHERE "point" = 'power_kw' AND time >= ${t0}ms AND time < ${t0 + 2 * HOUR}ms GROUP BY "unit"`,
      ).then((answer) => (answer.results[0]?.series ?? []).map((s) => [s.tags?.unit, s.values[0]?.[1]]));
    expect(await perUnit('raw')).toEqual([
      ['', 60],
      ['kW', 60],
    ]);
    expect(await perUnit('rollup_1m')).toEqual([
      ['', 60],
      ['kW', 60],
    ]);
    expect(await perUnit('rollup_1h')).toEqual([
      ['', 1],
      ['kW', 1],
    ]);

    // The store asks by device and point: both series answer, as one.
    const range = { point: 'dr1-incomer.power_kw', from: t0, to: t0 + 2 * HOUR };
    expect(await store.query(range)).toHaveLength(120);
    expect(
      (await store.query({ ...range, aggregate: 'mean', windowMs: HOUR })).map((r) => [
        r.ts,
        r.value,
        r.count,
      ]),
    ).toEqual([
      [t0, 29.5, 60],
      [t0 + HOUR, 29.5, 60],
    ]);
    expect((await store.latest(['dr1-incomer.power_kw'])).get('dr1-incomer.power_kw')).toMatchObject({
      ts: t0 + HOUR + 59 * 60_000,
      value: 59,
    });
    await before.close();
    await store.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { InfluxStore } from '../../src/storage/influx.js';
import { type Influxd, startInfluxd } from '../helpers/influxd.js';
import { CONTRACT_CATALOG, describeStoreContract } from './contract.js';

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
    // SHOW CONTINUOUS QUERIES lists every database's: take this one's.
    const all = (await q('SHOW CONTINUOUS QUERIES')).results[0]?.series ?? [];
    const cqs = (all.find((series) => series.name === db)?.values ?? []) as [string, string][];
    const definition = cqs.find(([name]) => name === 'cq_rollup_1h')?.[1] ?? '';
    const body = /BEGIN (.*) END$/.exec(definition)?.[1];
    expect(body).toMatch(/GROUP BY time\(1h\), \*$/);
    const ran = await q(
      `${body?.replace('GROUP BY', `WHERE time >= ${hour}ms AND time < ${hour + 3_600_000}ms GROUP BY`)}`,
    );
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

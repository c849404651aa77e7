import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  );

describeStoreContract('InfluxDB 1.x', openStore);

describe('InfluxDB schema', () => {
  it('creates the database, retention policies and rollup queries a Grafana user relies on, once', async () => {
    const store = await openStore();
    const again = await InfluxStore.open(
      { host: influxd.host, port: influxd.port, database: `contract_${databases}` },
      CONTRACT_CATALOG,
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
});

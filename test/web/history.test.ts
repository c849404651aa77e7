/** The history API over a real SQLite store, as the dashboard and reports will call it. */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { buildCatalog, PointBus, PointTable, type PointValue } from '../../src/points/index.js';
import { SqliteStore } from '../../src/storage/index.js';
import { startWebServer, type WebServer } from '../../src/web/index.js';
import { plantConfig } from '../helpers/plant-config.js';

const config = plantConfig({
  lines: [{ id: 'gw', transport: 'tcp', host: '127.0.0.1', port: 1502 }],
  profiles: [
    {
      id: 'meter',
      name: 'Meter',
      equipment: 'power-meter',
      protocol: 'modbus',
      points: [
        { name: 'power_kw', table: 'holding', address: 0, unit: 'kW' },
        { name: 'energy_kwh', table: 'holding', address: 2, type: 'uint32', unit: 'kWh', counter: true },
      ],
    },
  ],
  devices: [{ id: 'dr1-incomer', name: 'DR1 Incomer', profile: 'meter', modbus: { line: 'gw', unitId: 1 } }],
});

const T0 = Date.UTC(2026, 10, 24, 0, 0, 0);
const SECONDS = 12_000; // 3 h 20 min of 1-second samples: more than one raw answer holds
const store = new SqliteStore({ path: ':memory:' });
let web: WebServer;

beforeAll(async () => {
  const values: PointValue[] = [];
  for (let i = 0; i < SECONDS; i++) {
    values.push({ id: 'dr1-incomer.power_kw', value: 100 + (i % 60), quality: 'good', ts: T0 + i * 1000 });
    values.push({ id: 'dr1-incomer.energy_kwh', value: 5000 + i / 36, quality: 'good', ts: T0 + i * 1000 });
  }
  await store.write(values);
  web = await startWebServer({
    host: '127.0.0.1',
    port: 0,
    table: new PointTable(buildCatalog(config)),
    bus: new PointBus(),
    store,
    metrics: new Registry(),
    log: silentLogger(),
    status: { startedAt: Date.now(), lines: () => [], devices: () => [], mqtt: () => ({ connected: true }) },
  });
});
afterAll(async () => {
  await web?.stop();
  await store.close();
});

interface History {
  aggregate: string;
  windowMs: number | null;
  downsampled: boolean;
  unit: string;
  values: { ts: number; value: number; count?: number }[];
}

async function history(
  point: string,
  query: string,
): Promise<{ status: number; body: History & { error?: string } }> {
  const res = await fetch(`${web.url}/api/points/${point}/history?${query}`);
  return { status: res.status, body: (await res.json()) as History & { error?: string } };
}

describe('GET /api/points/:id/history', () => {
  it('returns raw samples of a range given in ISO time', async () => {
    const from = new Date(T0 + 60_000).toISOString();
    const to = new Date(T0 + 65_000).toISOString();
    const { status, body } = await history('dr1-incomer.power_kw', `from=${from}&to=${to}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ aggregate: 'raw', unit: 'kW', downsampled: false });
    expect(body.values.map((v) => v.value)).toEqual([100, 101, 102, 103, 104]);
  });

  it('averages per window, and gives counters their consumption per window', async () => {
    const range = `from=${T0}&to=${T0 + 2 * 60_000}&window=1m`;
    const power = await history('dr1-incomer.power_kw', range);
    expect(power.body.aggregate).toBe('mean');
    expect(power.body.values.map((v) => v.value)).toEqual([129.5, 129.5]);
    const energy = await history('dr1-incomer.energy_kwh', range);
    expect(energy.body.aggregate).toBe('delta');
    expect(energy.body.values[0]?.value).toBeCloseTo(59 / 36, 6);
  });

  it('downsamples a range too long to send raw, in the store', async () => {
    const { body } = await history('dr1-incomer.power_kw', `from=${T0}&to=${T0 + SECONDS * 1000}`);
    expect(body.downsampled).toBe(true);
    expect(body.aggregate).toBe('mean');
    expect(body.windowMs).toBe(30_000);
    expect(body.values).toHaveLength(SECONDS / 30);
    expect(body.values[0]).toMatchObject({ ts: T0, count: 30 });
  });

  it('answers bad parameters with 400 and what was expected, an unknown point with 404', async () => {
    const cases: [string, RegExp][] = [
      [`from=${T0 + 1000}&to=${T0}`, /from must be before to/],
      ['from=yesterday', /from: expected an ISO 8601 time/],
      [`from=${T0}&to=${T0 + 1000}&window=5 minutes`, /window: expected a duration/],
      [`from=${T0}&to=${T0 + 1000}&agg=median`, /agg: expected one of raw, mean/],
      [`from=0&to=${T0}`, /at most 400 days/],
    ];
    for (const [query, message] of cases) {
      const { status, body } = await history('dr1-incomer.power_kw', query);
      expect(status, query).toBe(400);
      expect(body.error).toMatch(message);
    }
    expect((await history('nope.nothing', '')).status).toBe(404);
  });
});

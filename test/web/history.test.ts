/**
 * The history API over a real SQLite store (and, for several points at once, a real InfluxDB
 * too), as the dashboard and reports call it.
 */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { History as Trend } from '../../src/api-types/history.js';
import { silentLogger } from '../../src/log/index.js';
import { buildCatalog, PointBus, PointTable, type PointValue } from '../../src/points/index.js';
import { SqliteStore, type TimeSeriesStore } from '../../src/storage/index.js';
import { InfluxStore } from '../../src/storage/influx.js';
import { startWebServer, type WebServer } from '../../src/web/index.js';
import { type Influxd, startInfluxd } from '../helpers/influxd.js';
import { plantConfig } from '../helpers/plant-config.js';
import { requireTool, TOOLS } from '../helpers/tools.js';

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

/** Power cycling 100…159 kW and a counter rising 1 kWh every 36 s, each second from `t0`. */
function samples(t0: number): PointValue[] {
  const values: PointValue[] = [];
  for (let i = 0; i < SECONDS; i++) {
    values.push({ id: 'dr1-incomer.power_kw', value: 100 + (i % 60), quality: 'good', ts: t0 + i * 1000 });
    values.push({ id: 'dr1-incomer.energy_kwh', value: 5000 + i / 36, quality: 'good', ts: t0 + i * 1000 });
  }
  return values;
}

const serverOptions = {
  host: '127.0.0.1',
  port: 0,
  bus: new PointBus(),
  metrics: new Registry(),
  log: silentLogger(),
  status: { startedAt: Date.now(), lines: () => [], devices: () => [], mqtt: () => ({ connected: true }) },
};

beforeAll(async () => {
  await store.write(samples(T0));
  web = await startWebServer({ ...serverOptions, table: new PointTable(buildCatalog(config)), store });
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

/** GET /api/history over a store holding `SECONDS` of 1-second power and counter samples from `t0`. */
function describeTrendApi(name: string, open: (t0: number) => Promise<TimeSeriesStore>) {
  describe(`GET /api/history (several points at once) over ${name}`, () => {
    // Recent and on a whole hour: InfluxDB drops what is older than its raw retention.
    const t0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 4 * 3_600_000;
    let trendStore: TimeSeriesStore;
    let server: WebServer;
    const trend = async (query: string) => {
      const res = await fetch(`${server.url}/api/history?${query}`);
      return { status: res.status, body: (await res.json()) as Trend & { error?: string } };
    };

    beforeAll(async () => {
      trendStore = await open(t0);
      await trendStore.write(samples(t0));
      server = await startWebServer({
        ...serverOptions,
        table: new PointTable(buildCatalog(config)),
        store: trendStore,
      });
    }, 30_000);
    afterAll(async () => {
      await server?.stop();
      await trendStore?.close();
    });

    it('answers each point asked for over one range, with its unit', async () => {
      const { status, body } = await trend(
        `points=dr1-incomer.power_kw,dr1-incomer.energy_kwh&from=${t0 + 60_000}&to=${t0 + 65_000}`,
      );
      expect(status).toBe(200);
      expect(body).toMatchObject({ from: t0 + 60_000, to: t0 + 65_000 });
      expect(body.series.map((s) => [s.point, s.unit, s.aggregate, s.downsampled])).toEqual([
        ['dr1-incomer.power_kw', 'kW', 'raw', false],
        ['dr1-incomer.energy_kwh', 'kWh', 'raw', false],
      ]);
      expect(body.series[0]?.values.map((v) => v.value)).toEqual([100, 101, 102, 103, 104]);
      expect(body.series[1]?.values.map((v) => v.ts)).toEqual(
        [0, 1, 2, 3, 4].map((i) => t0 + 60_000 + i * 1000),
      );
    });

    it('downsamples a long range in the store, a counter to its readings (not its consumption), on one time base', async () => {
      const { body } = await trend(
        `points=dr1-incomer.power_kw,dr1-incomer.energy_kwh&from=${t0}&to=${t0 + SECONDS * 1000}`,
      );
      const [power, energy] = body.series;
      expect(power).toMatchObject({ aggregate: 'mean', windowMs: 30_000, downsampled: true });
      expect(energy).toMatchObject({ aggregate: 'last', windowMs: 30_000, downsampled: true });
      expect(power?.values).toHaveLength(SECONDS / 30);
      expect(energy?.values.map((v) => v.ts)).toEqual(power?.values.map((v) => v.ts));
      expect(power?.values[0]?.value).toBeCloseTo(114.5, 6);
      // The counter's reading at the end of its first window, as the chart of the meter shows it.
      expect(energy?.values[0]?.value).toBeCloseTo(5000 + 29 / 36, 6);
    });

    it('refuses no points, too many, an unknown one and a bad range, saying why', async () => {
      const nine = Array.from({ length: 9 }, (_, i) => `p${i}`).join(',');
      const cases: [string, number, RegExp][] = [
        ['', 400, /points: give point ids/],
        [`points=${nine}`, 400, /at most 8 points/],
        ['points=dr1-incomer.power_kw,nope.nothing', 404, /no point "nope.nothing"/],
        [`points=dr1-incomer.power_kw&from=${t0 + 1000}&to=${t0}`, 400, /from must be before to/],
        [`points=dr1-incomer.power_kw&from=0&to=${t0}`, 400, /at most 400 days/],
        [`points=dr1-incomer.power_kw&from=${t0}&to=${t0 + 1000}&agg=median`, 400, /agg: expected one of/],
      ];
      for (const [query, status, message] of cases) {
        const answer = await trend(query);
        expect(answer.status, query).toBe(status);
        expect(answer.body.error, query).toMatch(message);
      }
    });
  });
}

describeTrendApi('SQLite', async () => new SqliteStore({ path: ':memory:' }));

describe.skipIf(requireTool(TOOLS.influxd) !== undefined)('with InfluxDB', () => {
  let influxd: Influxd;
  beforeAll(async () => {
    influxd = await startInfluxd();
  }, 30_000);
  afterAll(async () => influxd?.stop());
  describeTrendApi('InfluxDB 1.x', () =>
    InfluxStore.open(
      { host: influxd.host, port: influxd.port, database: 'trends' },
      new PointTable(buildCatalog(config)).info,
      silentLogger(),
    ),
  );
});

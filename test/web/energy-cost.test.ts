/**
 * Cost and carbon over real HTTP, on ten simulated November days of the demo plant in a real
 * SQLite store, priced with the demo's energy.yaml: each building's day costed again here from
 * the consumption API's hourly figures and the tariff's schedule read plainly; the demand charge
 * from the peak-demand API; carbon and water at their factors; the CSV.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlantConfig } from '../../src/config/index.js';
import { createEnergy, type EnergyService } from '../../src/energy/index.js';
import { silentLogger } from '../../src/log/index.js';
import { PointBus } from '../../src/points/index.js';
import type { WebServer } from '../../src/web/index.js';
import { DAY, demoEnergy, HOUR, MINUTE, type TestStore } from '../energy/simulated-store.js';
import { type Json, jsonRequest, startBareWebServer } from '../helpers/web.js';
import { csvNumber, parseCsv } from './records-harness.js';

const ZONE = 'Asia/Shanghai';
const FROM = DateTime.fromISO('2026-11-10T00:00', { zone: ZONE }).toMillis();
const TO = FROM + 10 * DAY;
const RANGE = 'from=2026-11-10&to=2026-11-20';
/** A capacity charge, yuan per kVA of transformers a month, of the order provincial grids charge. */
const PER_KVA = 22;

let config: PlantConfig;
let data: TestStore;
let web: WebServer;

beforeAll(async () => {
  let energy: EnergyService;
  ({ config, data, energy } = await demoEnergy(
    { from: FROM - HOUR, to: TO + HOUR, stepMs: 15 * MINUTE },
    TO,
  ));
  web = await startBareWebServer({ energy });
});
afterAll(async () => {
  await web?.stop();
  await data?.close();
});

const get = async (path: string): Promise<Json> => {
  const res = await jsonRequest(`${web.url}${path}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
};

/** The demo tariff read plainly: the price of a local hour in November (no sharp peaks then). */
function novemberPrice(hour: number): number {
  const [tariff] = config.energy.tariffs.electricity;
  if (!tariff) throw new Error('the demo has no electricity tariff');
  const season = tariff.seasons.find((s) => s.months.includes(11));
  const start = [...(season?.schedule ?? [])].reverse().find((e) => Number(e.from.slice(0, 2)) <= hour);
  const price = start ? tariff.prices[start.band] : undefined;
  if (price === undefined) throw new Error(`no price at ${hour}:00`);
  return price;
}

describe('GET /api/energy/cost', () => {
  it("costs each building's day as its hours priced one by one at their period's price", async () => {
    const [cost, hourly] = await Promise.all([
      get(`/api/energy/cost?commodity=electricity&${RANGE}&resolution=day&groupBy=building`),
      get(`/api/energy/consumption?commodity=electricity&${RANGE}&resolution=hour&groupBy=building`),
    ]);
    expect(cost.currency).toBe('CNY');
    expect(cost.rows.length).toBeGreaterThan(1);
    for (const row of cost.rows) {
      const hours = hourly.rows.find((r: Json) => r.key === row.key);
      expect(hours, row.key).toBeDefined();
      for (const period of row.periods) {
        const inDay = hours.buckets.filter((b: Json) => b.start >= period.start && b.start < period.end);
        const expected = inDay.reduce(
          (sum: number, b: Json) =>
            sum + (b.value ?? 0) * novemberPrice(DateTime.fromMillis(b.start, { zone: ZONE }).hour),
          0,
        );
        const kwh = inDay.reduce((sum: number, b: Json) => sum + (b.value ?? 0), 0);
        expect(period.energyCost, `${row.name} ${period.label}`).toBeCloseTo(expected, 6);
        expect(period.consumption).toBeCloseTo(kwh, 6);
        expect(period.bands.reduce((s: number, b: Json) => s + b.cost, 0)).toBeCloseTo(period.energyCost, 6);
        expect(period.carbonKg).toBeCloseTo(kwh * 0.5703, 6);
        // Daytime peaks in a hospital: some, never all, of the energy falls in peak periods.
        expect(period.peakShare).toBeGreaterThan(0.1);
        expect(period.peakShare).toBeLessThan(0.9);
      }
    }
  });

  it("adds the month's demand charge: each incomer's maximum 15-minute demand × 32 yuan/kW", async () => {
    const [cost, demand] = await Promise.all([
      get(`/api/energy/cost?commodity=electricity&${RANGE}&resolution=month&groupBy=site`),
      get(`/api/energy/demand?${RANGE}&resolution=month`),
    ]);
    const peaks = demand.meters.map((m: Json) => m.periods[0].peakKw as number);
    expect(peaks.length).toBeGreaterThan(0);
    const site = cost.rows[0];
    const expectedKw = peaks.reduce((a: number, b: number) => a + b, 0);
    expect(site.periods[0].maxDemandKw).toBeCloseTo(expectedKw, 6);
    expect(site.periods[0].demandCharge).toBeCloseTo(expectedKw * 32, 6);
    expect(site.periods[0].cost).toBeCloseTo(site.periods[0].energyCost + expectedKw * 32, 6);
    expect(cost.total.cost).toBeCloseTo(site.total.cost, 6);
  });

  it('prices water at its price per m³, and says so in the CSV with a total line per building', async () => {
    const cost = await get(`/api/energy/cost?commodity=water&${RANGE}&resolution=month&groupBy=building`);
    for (const row of cost.rows) {
      expect(row.total.energyCost).toBeCloseTo(row.total.consumption * 4.9, 6);
      expect(row.total.bands).toEqual([]);
    }
    const res = await fetch(
      `${web.url}/api/energy/cost?commodity=water&${RANGE}&resolution=month&groupBy=building&format=csv`,
    );
    const [header = [], ...lines] = parseCsv(await res.text());
    expect(header).toEqual(
      expect.arrayContaining([
        'group',
        'period',
        'consumption (m³)',
        'energy cost (CNY)',
        'cost (CNY)',
        'kg CO2e',
      ]),
    );
    const totals = lines.filter((l) => l[header.indexOf('period')] === 'total');
    expect(totals.length).toBe(cost.rows.length);
    const first = cost.rows[0];
    const line = totals.find((l) => l[header.indexOf('group')] === first.name);
    expect(line?.[header.indexOf('cost (CNY)')]).toBe(csvNumber(first.total.cost));
  });

  it("by meter: the metering tree's nodes, each remainder costing its parent minus its sub-meters; the total the incomers' alone", async () => {
    const [days, month, tree] = await Promise.all([
      get(`/api/energy/cost?commodity=electricity&${RANGE}&resolution=day&groupBy=meter`),
      get(`/api/energy/cost?commodity=electricity&${RANGE}&resolution=month&groupBy=meter`),
      get(`/api/energy/consumption?commodity=electricity&${RANGE}&resolution=day&groupBy=meter`),
    ]);
    const shape = (rows: Json[]) => rows.map((r) => [r.key, r.kind, r.depth, r.parent]);
    expect(shape(days.rows)).toEqual(shape(tree.rows));
    expect(shape(month.rows)).toEqual(shape(tree.rows));
    const row = (cost: Json, key: string) => cost.rows.find((r: Json) => r.key === key);
    for (const incomer of ['dr1-incomer', 'dr2-incomer']) {
      const feeders = days.rows.filter((r: Json) => r.parent === incomer && r.kind === 'meter');
      expect(feeders.length).toBeGreaterThan(1);
      const rest = row(days, `${incomer}/unmetered`);
      const together = row(days, `${incomer}/submeters`);
      const sum = (pick: (f: Json) => number) => feeders.reduce((s: number, f: Json) => s + pick(f), 0);
      for (const [i, period] of row(days, incomer).periods.entries()) {
        for (const figure of ['consumption', 'energyCost', 'cost', 'carbonKg'] as const) {
          const children = sum((f) => f.periods[i][figure]);
          expect(together.periods[i][figure], `${incomer} ${period.label} ${figure}`).toBeCloseTo(
            children,
            6,
          );
          expect(rest.periods[i][figure], `${incomer} ${period.label} ${figure}`).toBeCloseTo(
            period[figure] - children,
            6,
          );
        }
        // Cable and transformer losses: a little, never nothing, never below zero.
        expect(rest.periods[i].cost / period.cost).toBeGreaterThan(0.005);
        expect(rest.periods[i].cost / period.cost).toBeLessThan(0.05);
      }
      // The demand charge is billed on the incomer's own maximum demand: not shared out below it.
      const top = row(month, incomer).total;
      expect(top.demandCharge).toBeGreaterThan(0);
      expect(row(month, `${incomer}/unmetered`).total.demandCharge).toBeNull();
      expect(row(month, `${incomer}/unmetered`).total.energyCost).toBeCloseTo(
        top.energyCost - sum((f) => row(month, f.key).total.energyCost),
        6,
      );
    }
    // Adding the feeders to their incomers would count their energy and money twice.
    for (const cost of [days, month]) {
      const roots = cost.rows.filter((r: Json) => r.depth === 0);
      expect(roots.map((r: Json) => r.key)).toEqual(['dr1-incomer', 'dr2-incomer']);
      for (const figure of ['consumption', 'cost', 'carbonKg'] as const)
        expect(cost.total[figure], figure).toBeCloseTo(
          roots.reduce((s: number, r: Json) => s + r.total[figure], 0),
          6,
        );
    }
    const site = await get(`/api/energy/cost?commodity=electricity&${RANGE}&resolution=month&groupBy=site`);
    expect(month.total.cost).toBeCloseTo(site.total.cost, 6);
  });

  it("with a capacity charge instead: each month's Σ ratedKva × perKva, pro rata for half a month", async () => {
    const electricity = config.energy.tariffs.electricity.map(({ demandCharge: _, ...t }) => ({
      ...t,
      capacityCharge: { perKva: PER_KVA },
    }));
    const energy = createEnergy({
      config: { ...config, energy: { ...config.energy, tariffs: { ...config.energy.tariffs, electricity } } },
      store: data.store,
      bus: new PointBus(),
      log: silentLogger(),
      now: () => TO,
    });
    const capacity = await startBareWebServer({ energy });
    try {
      const cost = async (range: string, groupBy: string) => {
        const res = await jsonRequest(
          `${capacity.url}/api/energy/cost?commodity=electricity&${range}&resolution=month&groupBy=${groupBy}`,
        );
        expect(res.status, res.text).toBe(200);
        return res.body;
      };
      // The demo's two distribution rooms, one per building, each fed by its own incomer.
      const rated = new Map([
        ['main/inpatient', 2500],
        ['main/outpatient', 2000],
      ]);
      const kva = 2500 + 2000;
      const [month, half, buildings] = await Promise.all([
        cost('from=2026-11-01&to=2026-12-01', 'site'),
        cost('from=2026-11-01&to=2026-11-16', 'site'),
        cost('from=2026-11-01&to=2026-12-01', 'building'),
      ]);
      const [whole] = month.rows[0].periods;
      expect(whole.capacityKva).toBe(kva);
      expect(whole.capacityCharge).toBeCloseTo(kva * PER_KVA, 6);
      expect(whole.demandCharge).toBeNull();
      expect(whole.cost).toBeCloseTo(whole.energyCost + kva * PER_KVA, 6);
      expect(month.total.capacityCharge).toBeCloseTo(kva * PER_KVA, 6);
      // 1–15 November: 15 of the month's 30 days.
      expect(half.rows[0].periods[0].capacityCharge).toBeCloseTo((kva * PER_KVA) / 2, 6);
      for (const row of buildings.rows)
        expect(row.total.capacityCharge, row.key).toBeCloseTo(
          (rated.get(row.key) ?? Number.NaN) * PER_KVA,
          6,
        );
      expect(buildings.total.capacityKva).toBe(kva);
      const res = await fetch(
        `${capacity.url}/api/energy/cost?commodity=electricity&from=2026-11-01&to=2026-12-01&resolution=month&groupBy=site&format=csv`,
      );
      const [header = [], ...lines] = parseCsv(await res.text());
      const total = lines.find((l) => l[header.indexOf('period')] === 'total');
      expect(total?.[header.indexOf('capacity charge (CNY)')]).toBe(csvNumber(kva * PER_KVA));
    } finally {
      await capacity.stop();
    }
  });

  it('refuses hourly costing and unknown groupings with a clear 400', async () => {
    const hour = await jsonRequest(`${web.url}/api/energy/cost?${RANGE}&resolution=hour`);
    expect(hour.status).toBe(400);
    expect(hour.body.error).toMatch(/resolution: expected one of day, month/);
  });
});

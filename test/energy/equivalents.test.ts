/**
 * Gas joins the energy figures: the boiler house's gas meter in m³, and the site's electricity
 * and gas as tonnes of standard coal equivalent, with the gas's CO₂, each day at the factor in
 * force that day. Hand-made readings in a real SQLite store, steady enough that every figure
 * is worked out by hand below, across factor changes in the middle of the range.
 */
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { energyFile } from '../../src/config/energy-schema.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { createEnergy, type EnergyService } from '../../src/energy/index.js';
import { silentLogger } from '../../src/log/index.js';
import { PointBus, type PointValue } from '../../src/points/index.js';
import type { WebServer } from '../../src/web/index.js';
import { jsonRequest, startBareWebServer } from '../helpers/web.js';
import { DAY, emptyStore, HOUR, MINUTE, type TestStore, writeAll } from './simulated-store.js';

const ZONE = 'Asia/Shanghai';
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const FROM = local('2026-11-10T00:00');
const DAYS = 4;
const TO = FROM + DAYS * DAY;
const STEP = 5 * MINUTE;

/** Steady draws: 500 kW and 300 kW on the two incomers (19 200 kWh a day), 30 m³/h of gas (720 m³ a day). */
const RATES = {
  'dr1-incomer.energy_kwh': 500,
  'dr2-incomer.energy_kwh': 300,
  'gm-boilers.gas_volume_m3': 30,
};
const KWH_PER_DAY = (500 + 300) * 24;
const M3_PER_DAY = 30 * 24;

function readings(): PointValue[] {
  const values: PointValue[] = [];
  for (let ts = FROM - HOUR; ts <= TO + HOUR; ts += STEP)
    for (const [id, perHour] of Object.entries(RATES))
      values.push({ id, value: 1000 + (perHour * (ts - FROM + HOUR)) / HOUR, quality: 'good', ts });
  return values;
}

let config: PlantConfig;
let data: TestStore;
let energy: EnergyService;
let web: WebServer;

beforeAll(async () => {
  const demo = loadConfig(resolve('config'));
  config = {
    ...demo,
    energy: {
      ...demo.energy,
      // New conversion factors from 12 November; a new gas emission factor from 13 November.
      standardCoal: {
        electricity: [
          { from: '2020-01-01', kgcePerUnit: 0.1229 },
          { from: '2026-11-12', kgcePerUnit: 0.1 },
        ],
        gas: [
          { from: '2020-01-01', kgcePerUnit: 1.2143 },
          { from: '2026-11-12', kgcePerUnit: 1.3 },
        ],
      },
      carbon: {
        ...demo.energy.carbon,
        gas: [
          { from: '2024-01-01', kgCo2ePerUnit: 2.162 },
          { from: '2026-11-13', kgCo2ePerUnit: 2 },
        ],
      },
    },
  };
  data = emptyStore();
  await writeAll(data, [readings()]);
  energy = createEnergy({
    config,
    store: data.store,
    bus: new PointBus(),
    log: silentLogger(),
    now: () => TO,
  });
  web = await startBareWebServer({ energy });
});

afterAll(async () => {
  await web?.stop();
  await data?.close();
});

/** By hand, per day: kWh × kgce/kWh ÷ 1000, m³ × kgce/m³ ÷ 1000, m³ × kg CO₂e/m³. */
const expected = [
  {
    label: '2026-11-10',
    electricityTce: (KWH_PER_DAY * 0.1229) / 1000,
    gasTce: (M3_PER_DAY * 1.2143) / 1000,
    co2: M3_PER_DAY * 2.162,
  },
  {
    label: '2026-11-11',
    electricityTce: (KWH_PER_DAY * 0.1229) / 1000,
    gasTce: (M3_PER_DAY * 1.2143) / 1000,
    co2: M3_PER_DAY * 2.162,
  },
  {
    label: '2026-11-12',
    electricityTce: (KWH_PER_DAY * 0.1) / 1000,
    gasTce: (M3_PER_DAY * 1.3) / 1000,
    co2: M3_PER_DAY * 2.162,
  },
  {
    label: '2026-11-13',
    electricityTce: (KWH_PER_DAY * 0.1) / 1000,
    gasTce: (M3_PER_DAY * 1.3) / 1000,
    co2: M3_PER_DAY * 2,
  },
];
// 19 200 kWh × 0.1229 = 2359.68 kgce; 720 m³ × 1.2143 = 874.296 kgce; 720 × 2.162 = 1556.64 kg.
expect(expected[0]?.electricityTce).toBeCloseTo(2.35968, 9);
expect(expected[0]?.gasTce).toBeCloseTo(0.874296, 9);
const TOTAL_TCE = 2 * (2.35968 + 0.874296) + 2 * (1.92 + 0.936);
const TOTAL_CO2 = 3 * 1556.64 + 1440;

describe('the gas meter', () => {
  it("is the main gas meter of its room, the boilers' own gas counters sub-meters under it", () => {
    const gas = energy.meters.filter((m) => m.commodity === 'gas');
    expect(gas.map((m) => [m.device, m.unit, m.main, m.parent ?? null])).toEqual([
      ['b1', 'm³', false, 'gm-boilers'],
      ['b2', 'm³', false, 'gm-boilers'],
      ['gm-boilers', 'm³', true, null],
    ]);
  });

  it('gives its consumption in m³ by building and day through the API', async () => {
    const { status, body } = await jsonRequest(
      `${web.url}/api/energy/consumption?commodity=gas&from=2026-11-10&to=2026-11-14&resolution=day&groupBy=building`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ commodity: 'gas', unit: 'm³' });
    expect(body.rows.map((r: { key: string; meters: string[] }) => [r.key, r.meters])).toEqual([
      ['main/energy-centre', ['gm-boilers']],
    ]);
    for (const b of body.rows[0].buckets) expect(b.value).toBeCloseTo(M3_PER_DAY, 6);
    expect(body.total).toBeCloseTo(DAYS * M3_PER_DAY, 6);
  });
});

describe('standard coal equivalent and gas CO₂', () => {
  it('converts each day at the factor in force that day', async () => {
    const result = await energy.equivalents?.({ from: FROM, to: TO, resolution: 'day' });
    if (!result) throw new Error('the service converts');
    expect(result.periods.map((p) => p.label)).toEqual(expected.map((e) => e.label));
    result.periods.forEach((p, i) => {
      const e = expected[i];
      expect(p.electricityTce).toBeCloseTo(e?.electricityTce ?? Number.NaN, 6);
      expect(p.gasTce).toBeCloseTo(e?.gasTce ?? Number.NaN, 6);
      expect(p.tce).toBeCloseTo((e?.electricityTce ?? Number.NaN) + (e?.gasTce ?? Number.NaN), 6);
      expect(p.gasCo2Kg).toBeCloseTo(e?.co2 ?? Number.NaN, 4);
    });
    expect(result.tce).toBeCloseTo(TOTAL_TCE, 6);
    expect(result.gasCo2Kg).toBeCloseTo(TOTAL_CO2, 4);
    expect(result.unconverted).toEqual({ electricityKwh: 0, gasM3: 0, gasM3NoCo2: 0 });
  });

  it('sums a month from its days, so a factor changed mid-month applies from its date', async () => {
    const { status, body } = await jsonRequest(
      `${web.url}/api/energy/consumption?commodity=electricity&from=2026-11-10&to=2026-11-14&resolution=month&groupBy=site`,
    );
    expect(status).toBe(200);
    const eq = body.equivalents;
    expect(eq.unit).toBe('tce');
    expect(eq.periods).toHaveLength(1);
    expect(eq.periods[0].tce).toBeCloseTo(TOTAL_TCE, 6);
    expect(eq.electricityTce).toBeCloseTo(2 * 2.35968 + 2 * 1.92, 6);
    expect(eq.gasTce).toBeCloseTo(2 * 0.874296 + 2 * 0.936, 6);
    expect(eq.gasCo2Kg).toBeCloseTo(TOTAL_CO2, 4);
    // The electricity answer itself is unchanged: kWh of the site.
    expect(body.total).toBeCloseTo(DAYS * KWH_PER_DAY, 4);
  });

  it('reports consumption before the first factor as unconverted, not as 0 tce', async () => {
    const late = createEnergy({
      config: {
        ...config,
        energy: {
          ...config.energy,
          standardCoal: { electricity: [{ from: '2026-11-12', kgcePerUnit: 0.1229 }], gas: [] },
        },
      },
      store: data.store,
      bus: new PointBus(),
      log: silentLogger(),
      now: () => TO,
    });
    const result = await late.equivalents?.({ from: FROM, to: TO, resolution: 'day' });
    if (!result) throw new Error('the service converts');
    expect(result.periods.map((p) => p.electricityTce)).toEqual([
      null,
      null,
      expect.any(Number),
      expect.any(Number),
    ]);
    expect(result.gasTce).toBeNull();
    expect(result.unconverted.electricityKwh).toBeCloseTo(2 * KWH_PER_DAY, 4);
    expect(result.unconverted.gasM3).toBeCloseTo(DAYS * M3_PER_DAY, 4);
  });

  it('leaves water answers without equivalents', async () => {
    const { body } = await jsonRequest(
      `${web.url}/api/energy/consumption?commodity=water&from=2026-11-10&to=2026-11-14&groupBy=site`,
    );
    expect(body.equivalents).toBeUndefined();
  });
});

describe('energy.yaml standardCoal', () => {
  it('refuses factors out of date order and factors of 0, saying why', () => {
    const result = energyFile.safeParse({
      standardCoal: {
        electricity: [
          { from: '2026-01-01', kgcePerUnit: 0.1229 },
          { from: '2025-01-01', kgcePerUnit: 0.12 },
        ],
        gas: [{ from: '2026-01-01', kgcePerUnit: 0 }],
      },
    });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'standardCoal.electricity.1.from: 2025-01-01 is not after the entry before it (2026-01-01): list them in date order',
        'standardCoal.gas.0.kgcePerUnit: a conversion factor above 0, in kgce per unit',
      ]),
    );
  });

  it('defaults to no factors and gas meters read by gas_volume_m3', () => {
    const parsed = energyFile.parse({});
    expect(parsed.standardCoal).toEqual({ electricity: [], gas: [] });
    expect(parsed.carbon.gas).toEqual([]);
    expect(parsed.gas).toEqual({ counter: 'gas_volume_m3', rate: 'gas_flow_m3h' });
  });
});

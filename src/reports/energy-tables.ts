/**
 * The energy reports as tables: the same columns in the API's CSV downloads and in the
 * monthly report's attachments. Times are local to the plant.
 */
import type {
  ConsumptionReport,
  DemandReport,
  IntensityRow,
  LeakStatus,
  RetrofitReport,
} from '../energy/index.js';
import { localTime, type Table } from './csv.js';

export function intensityTable(report: { rows: IntensityRow[] }): Table {
  return {
    columns: ['key', 'name', 'area m²', 'beds', 'kWh', 'm³', 'kWh/m²', 'kWh/bed', 'm³/m²', 'm³/bed'],
    rows: report.rows.map((x) => [
      x.key,
      x.name,
      x.areaM2,
      x.beds,
      x.kwh,
      x.m3,
      x.kwhPerM2,
      x.kwhPerBed,
      x.m3PerM2,
      x.m3PerBed,
    ]),
  };
}

export function consumptionTable(report: ConsumptionReport, zone: string): Table {
  const unit = report.unit;
  return {
    columns: [
      'period',
      'start',
      ...report.rows.map((r) => `${r.name} (${unit})`),
      `total (${unit})`,
      'notes',
    ],
    rows: report.buckets.map((bucket, i) => {
      const cells = report.rows.map((r) => r.buckets[i]);
      const values = cells.map((c) => c?.value ?? null);
      const known = values.filter((v): v is number => v !== null);
      const notes = cells.flatMap((c, j) => {
        const name = report.rows[j]?.name ?? '';
        if (!c || c.value === null) return [`${name}: no readings`];
        if (c.includesGap) return [`${name}: includes a gap in the readings`];
        // Rounded down to 0.1 %: a day short of a few minutes must not read "cover 100 %".
        if (c.coverage < 0.999) return [`${name}: readings cover ${Math.floor(c.coverage * 1000) / 10} %`];
        return [];
      });
      return [
        bucket.label,
        localTime(bucket.start, zone),
        ...values,
        known.length ? known.reduce((a, b) => a + b, 0) : null,
        notes.join('; '),
      ];
    }),
  };
}

export function demandTable(report: DemandReport, zone: string): Table {
  return {
    columns: [
      'meter',
      'room',
      'period',
      'peak kW (15 min)',
      'peak at',
      'mean kW',
      'load factor',
      'peak kVA',
      'peak kVA at',
    ],
    rows: report.meters.flatMap((m) =>
      m.periods.map((p) => [
        m.name,
        m.roomName,
        p.label,
        p.peakKw,
        localTime(p.peakAt, zone),
        p.meanKw,
        p.loadFactor,
        p.peakKva,
        localTime(p.peakKvaAt, zone),
      ]),
    ),
  };
}

export function headroomTable(report: DemandReport, zone: string): Table {
  return {
    columns: [
      'room',
      'building',
      'rated kVA',
      'peak kVA (15 min)',
      'peak at',
      'utilisation %',
      'headroom kVA',
    ],
    rows: report.rooms.map((r) => [
      r.roomName,
      r.buildingName,
      r.ratedKva,
      r.peakKva,
      localTime(r.peakAt, zone),
      r.utilisation === null ? null : r.utilisation * 100,
      r.headroomKva,
    ]),
  };
}

export function leaksTable(status: LeakStatus): Table {
  return {
    columns: ['meter', 'night of', 'minimum night flow m³/h', 'threshold m³/h', 'wet', 'coverage %'],
    rows: status.meters.flatMap((m) =>
      m.nights.map((n) => [
        m.device,
        n.date,
        n.minimumFlow,
        m.threshold,
        n.wet,
        Math.round(n.coverage * 100),
      ]),
    ),
  };
}

export function retrofitTable(reports: RetrofitReport[], zone: string): Table {
  return {
    columns: [
      'retrofit',
      'meters',
      'unit',
      'baseline from',
      'baseline to',
      'reporting from',
      'reporting to',
      'baseline per day',
      'reporting per day',
      'adjusted baseline',
      'actual',
      'savings',
      'savings %',
      'uncertainty ±',
      'confidence',
      'meets ASHRAE Guideline 14',
      'days excluded',
      'problem',
    ],
    rows: reports.map((r) => [
      r.name,
      r.meters.join(' '),
      r.unit,
      localTime(r.baseline.from, zone),
      localTime(r.baseline.to, zone),
      localTime(r.reporting.from, zone),
      localTime(r.reporting.to, zone),
      r.result?.perDay.baseline,
      r.result?.perDay.reporting,
      r.result?.adjustedBaseline,
      r.result?.actual,
      r.result?.savings,
      r.result?.savingsPct,
      r.result?.uncertainty,
      r.confidence,
      r.result?.meetsGuideline14,
      r.baseline.excluded.length + r.reporting.excluded.length,
      r.problem ?? '',
    ]),
  };
}

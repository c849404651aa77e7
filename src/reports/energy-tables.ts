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
  TreeReport,
  TreeRow,
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
  // Electricity and gas: the site's tce of the period (electricity and gas at that day's factor).
  const tce = report.equivalents?.periods;
  return {
    columns: [
      'period',
      'start',
      ...report.rows.map((r) => `${r.name} (${unit})`),
      `total (${unit})`,
      ...(tce ? ['site tce (electricity and gas)'] : []),
      'notes',
    ],
    rows: report.buckets.map((bucket, i) => {
      const cells = report.rows.map((r) => r.buckets[i]);
      const values = cells.map((c) => c?.value ?? null);
      const known = values.filter((v): v is number => v !== null);
      const notes = cells.flatMap((c, j) => {
        const name = report.rows[j]?.name ?? '';
        // An empty cell is no data, never 0.
        if (!c || c.value === null) return [`${name}: no data (no readings)`];
        if (c.includesGap) return [`${name}: includes a gap in the readings`];
        // Rounded down to 0.1 %: a day short of a few minutes must not read "cover 100 %".
        if (c.coverage < 0.999) return [`${name}: readings cover ${Math.floor(c.coverage * 1000) / 10} %`];
        return [];
      });
      // A period still going on would read as a dip: say its figures are so far.
      const sofar = bucket.partial ? [`partial: to ${localTime(report.asOf, zone)}, still going on`] : [];
      return [
        bucket.label,
        localTime(bucket.start, zone),
        ...values,
        known.length ? known.reduce((a, b) => a + b, 0) : null,
        ...(tce ? [tce[i]?.tce ?? null] : []),
        [...sofar, ...notes].join('; '),
      ];
    }),
  };
}

/**
 * The metering tree as the page shows it: a line per meter under its parent, each parent's
 * sub-meter sum and unmetered remainder, a column per period; last, the total of the top-level
 * meters alone (adding a level below would count its energy twice).
 */
export function treeTable(report: TreeReport, zone: string): Table {
  const unit = report.unit;
  const roots = report.rows.filter((r) => r.depth === 0);
  const rootSum = (i: number) => {
    const known = roots.map((r) => r.buckets[i]?.value ?? null).filter((v): v is number => v !== null);
    return known.length ? known.reduce((a, b) => a + b, 0) : null;
  };
  return {
    columns: [
      'meter',
      'key',
      'under',
      'level',
      'row',
      ...report.buckets.map((b) => `${b.label} (${unit})`),
      `total (${unit})`,
      'notes',
    ],
    rows: [
      ...report.rows.map((r) => [
        r.name,
        r.key,
        r.parent ?? '',
        r.depth,
        r.kind,
        ...r.buckets.map((b) => b.value),
        r.total,
        treeNotes(r),
      ]),
      [
        'Total (top-level meters)',
        '',
        '',
        '',
        'total',
        ...report.buckets.map((_, i) => rootSum(i)),
        report.total,
        `from ${localTime(report.from, zone)} to ${localTime(report.to, zone)} (excl.)`,
      ],
    ],
  };
}

function treeNotes(row: TreeRow): string {
  const unknown = row.buckets.filter((b) => b.value === null).length;
  return [
    row.negative ? 'below zero: the sub-meters read more than their parent, so a meter is wrong' : '',
    unknown > 0 ? `no figure for ${unknown} period(s): a meter has no readings there` : '',
  ]
    .filter(Boolean)
    .join('; ');
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

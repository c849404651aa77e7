/**
 * The cost report as a table, one line per group and period and a total line per group: what
 * an energy manager pastes into the budget sheet. Unknown figures are empty cells, not 0.
 */
import { BANDS } from '../config/tariff-schema.js';
import type { CostFigures, CostReport } from '../energy/cost.js';
import { type Cell, localTime, type Table } from './csv.js';

export function costTable(report: CostReport, zone: string): Table {
  const unit = report.unit;
  const money = report.currency ?? '';
  const bands = report.commodity === 'electricity' ? BANDS : [];
  const columns = [
    'group',
    'period',
    'start',
    `consumption (${unit})`,
    ...bands.flatMap((b) => [`${b} (${unit})`, `${b} cost (${money})`]),
    ...(bands.length ? ['peak share (%)'] : []),
    `energy cost (${money})`,
    ...(bands.length
      ? ['max demand (kW)', `demand charge (${money})`, 'capacity (kVA)', `capacity charge (${money})`]
      : []),
    `cost (${money})`,
    'kg CO2e',
    'notes',
  ];
  const line = (group: string, period: string, start: number | null, f: CostFigures): Cell[] => {
    const band = (name: string) => f.bands.find((b) => b.band === name);
    return [
      group,
      period,
      localTime(start, zone),
      f.consumption,
      ...bands.flatMap((b) => [band(b)?.consumption ?? null, band(b)?.cost ?? null]),
      ...(bands.length ? [f.peakShare === null ? null : f.peakShare * 100] : []),
      f.energyCost,
      ...(bands.length ? [f.maxDemandKw, f.demandCharge, f.capacityKva, f.capacityCharge] : []),
      f.cost,
      f.carbonKg,
      costNotes(f, unit),
    ];
  };
  return {
    columns,
    rows: report.rows.flatMap((row) => [
      ...row.periods.map((p) => line(row.name, p.label, p.start, p)),
      line(row.name, 'total', null, row.total),
    ]),
  };
}

/** What a figure leaves out: no data, hours without readings, consumption before the first tariff. */
export function costNotes(f: CostFigures, unit: string): string {
  return [
    f.consumption === null ? 'no data' : '',
    f.unknownHours > 0 ? `${Math.round(f.unknownHours)} h without readings, not costed` : '',
    f.unpriced > 0 ? `${Math.round(f.unpriced * 10) / 10} ${unit} before the first tariff, not costed` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

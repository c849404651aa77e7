// Which points a trend shows: the equipment's default, and what may be added. Points of one unit
// share a value axis; a second unit gets the right-hand axis; a third is refused (a chart with
// three scales cannot be read at a glance).
import type { MAX_HISTORY_POINTS } from '../../../src/api-types/history.js';
import type { PointInfo } from '../live.js';

/** Most points on one chart: what GET /api/history answers at once (typed as the API's limit, so the two cannot drift). */
export const MAX_POINTS: typeof MAX_HISTORY_POINTS = 8;
export const MAX_UNITS = 2;

/** What an electrician looks at first on each kind of equipment, in order of preference. */
const DEFAULTS: Record<string, string[][]> = {
  'power-meter': [['power_kw']],
  'water-meter': [['flow_m3h']],
  chiller: [['chw_supply_temp', 'chw_return_temp']],
  pump: [['flow_m3h'], ['outlet_pressure_bar']],
  'oxygen-station': [['supply_pressure_bar']],
  boiler: [['supply_temp', 'return_temp'], ['firing_rate_pct']],
  'heat-exchanger': [['secondary_supply_temp', 'secondary_return_temp']],
  'gas-meter': [['gas_flow_m3h']],
  'water-treatment': [['makeup_flow_m3h']],
};

/** The points a trend of this equipment opens with: its default, else its first measured value. */
export function defaultPoints(equipment: string, points: readonly PointInfo[]): string[] {
  const byName = new Map(points.map((p) => [p.name, p.id]));
  for (const names of DEFAULTS[equipment] ?? []) {
    const ids = names.flatMap((n) => byName.get(n) ?? []);
    if (ids.length > 0) return ids;
  }
  const first =
    points.find((p) => p.kind === 'analog' && !p.counter) ??
    points.find((p) => p.kind === 'analog') ??
    points[0];
  return first ? [first.id] : [];
}

/** The units on the chart, in the order their first point was chosen. */
export function unitsOf(chosen: readonly PointInfo[]): string[] {
  return [...new Set(chosen.map((p) => p.unit))];
}

/** Why `candidate` cannot join the chart now, or null when it can. */
export function refusal(chosen: readonly PointInfo[], candidate: PointInfo): 'full' | 'units' | null {
  if (chosen.some((p) => p.id === candidate.id)) return null;
  if (chosen.length >= MAX_POINTS) return 'full';
  const units = unitsOf(chosen);
  if (units.length >= MAX_UNITS && !units.includes(candidate.unit)) return 'units';
  return null;
}

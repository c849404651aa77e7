/**
 * Intensity KPIs a department head reports: kWh and m³ per m² of floor area and per bed, by
 * building and for the site, from the main meters and the areas and beds in site.yaml.
 */
import type { PlantConfig } from '../config/index.js';
import type { TimeSeriesStore } from '../storage/index.js';
import { consumption } from './consumption.js';
import type { Meter } from './meters.js';

export interface IntensityRow {
  key: string;
  name: string;
  nameZh?: string;
  areaM2: number | null;
  beds: number | null;
  kwh: number | null;
  m3: number | null;
  kwhPerM2: number | null;
  kwhPerBed: number | null;
  m3PerM2: number | null;
  m3PerBed: number | null;
}

const per = (value: number | null, by: number | null) => (value === null || !by ? null : value / by);

export async function intensityReport(
  store: TimeSeriesStore,
  config: PlantConfig,
  meters: readonly Meter[],
  range: { from: number; to: number },
): Promise<{ from: number; to: number; rows: IntensityRow[] }> {
  const settings = { timezone: config.energy.timezone, maxGapMs: config.energy.maxGap };
  const query = { ...range, resolution: 'day' as const, groupBy: 'building' as const };
  const [electricity, water] = await Promise.all([
    consumption(store, meters, { ...query, commodity: 'electricity' }, settings),
    consumption(store, meters, { ...query, commodity: 'water' }, settings),
  ]);
  const totalOf = (report: typeof electricity, key: string) =>
    report.rows.find((r) => r.key === key)?.total ?? null;
  const rows: IntensityRow[] = [];
  for (const site of config.sites) {
    const siteRow = { kwh: 0, m3: 0, area: 0, beds: 0, metered: { kwh: false, m3: false } };
    for (const building of site.buildings) {
      const key = `${site.id}/${building.id}`;
      const kwh = totalOf(electricity, key);
      const m3 = totalOf(water, key);
      rows.push({
        ...row(key, building.name, building.areaM2 ?? null, building.beds ?? null, kwh, m3),
        ...(building.nameZh ? { nameZh: building.nameZh } : {}),
      });
      siteRow.kwh += kwh ?? 0;
      siteRow.m3 += m3 ?? 0;
      siteRow.metered.kwh ||= kwh !== null;
      siteRow.metered.m3 ||= m3 !== null;
      siteRow.area += building.areaM2 ?? 0;
      siteRow.beds += building.beds ?? 0;
    }
    rows.push({
      ...row(
        site.id,
        site.name,
        siteRow.area || null,
        siteRow.beds || null,
        siteRow.metered.kwh ? siteRow.kwh : null,
        siteRow.metered.m3 ? siteRow.m3 : null,
      ),
      ...(site.nameZh ? { nameZh: site.nameZh } : {}),
    });
  }
  return { ...range, rows };
}

function row(
  key: string,
  name: string,
  areaM2: number | null,
  beds: number | null,
  kwh: number | null,
  m3: number | null,
): IntensityRow {
  return {
    key,
    name,
    areaM2,
    beds,
    kwh,
    m3,
    kwhPerM2: per(kwh, areaM2),
    kwhPerBed: per(kwh, beds),
    m3PerM2: per(m3, areaM2),
    m3PerBed: per(m3, beds),
  };
}

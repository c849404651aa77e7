/**
 * The campus side of the group view: every `everyMs` this gateway publishes its summary,
 * retained, on `<prefix>/<site>/summary` — its devices, today's electricity, gas, water and tce,
 * and its months since January of last year — computed by its own energy service, so the group's
 * figures are the campus's own. This month is recomputed every 10 minutes, the months before it
 * once a day (almost two years of counters are the heavy part: bench/group-summary.bench.ts); a
 * failure is logged once per kind and the last good figures stay.
 */
import { DateTime } from 'luxon';
import type { PlantConfig } from '../config/index.js';
import { type ConsumptionReport, type EnergyService, sumKnown } from '../energy/index.js';
import type { Logger } from '../log/index.js';
import { type CampusSummary, type EnergyFigures, summaryTopic } from './messages.js';

const MONTHS_EVERY_MS = 10 * 60_000;

export interface CampusSummaryOptions {
  site: string;
  config: PlantConfig;
  energy: Pick<EnergyService, 'consumption' | 'equivalents' | 'timezone'>;
  /** Polled devices, Modbus and BACnet: `unreachable` counts as down. */
  devices: () => readonly { state: string }[];
  mqtt: {
    publish(topic: string, payload: string, options?: { retain?: boolean }): Promise<void>;
    onConnect(listener: () => void): () => void;
  };
  prefix: string;
  everyMs: number;
  log: Logger;
  now?: () => number;
}

export interface CampusSummaryPublisher {
  /** Compute and publish now (also what the timer does). */
  publishNow(): Promise<void>;
  stop(): void;
}

export function startCampusSummary(options: CampusSummaryOptions): CampusSummaryPublisher {
  const { site, config, energy, mqtt, log } = options;
  const now = options.now ?? Date.now;
  const place = config.sites.find((s) => s.id === site);
  const buildings = place?.buildings ?? [];
  // The buildings that give one, summed; null when none does.
  const total = (values: (number | undefined)[]) => sumKnown(values.map((v) => v ?? null));
  const fixed = {
    v: 1 as const,
    site,
    name: place?.name ?? site,
    ...(place?.nameZh ? { nameZh: place.nameZh } : {}),
    gateway: config.gateway.gateway.name,
    everyMs: options.everyMs,
    timezone: energy.timezone,
    areaM2: total(buildings.map((b) => b.areaM2)),
    beds: total(buildings.map((b) => b.beds)),
  };
  let months: CampusSummary['months'] = { asOf: null, rows: [] };
  let today: CampusSummary['today'] = null;
  const failures = new Set<string>();
  const failed = (what: string, err: unknown) => {
    if (failures.has(what)) return;
    failures.add(what);
    log.warn(
      { err: (err as Error).message, what },
      'group summary: figures not computed (the last ones stay)',
    );
  };

  const figures = async (from: number, to: number, resolution: 'day' | 'month'): Promise<EnergyFigures[]> => {
    const query = { from, to, resolution, groupBy: 'site' as const };
    const [electricity, gas, water, equivalents] = await Promise.all([
      energy.consumption({ ...query, commodity: 'electricity' }),
      energy.consumption({ ...query, commodity: 'gas' }),
      energy.consumption({ ...query, commodity: 'water' }),
      energy.equivalents?.({ from, to, resolution }),
    ]);
    return electricity.buckets.map((_, i) => ({
      electricityKwh: bucketTotal(electricity, i),
      gasM3: bucketTotal(gas, i),
      waterM3: bucketTotal(water, i),
      tce: equivalents?.periods[i]?.tce ?? null,
    }));
  };

  const computeToday = async (at: number) => {
    const start = DateTime.fromMillis(at, { zone: energy.timezone }).startOf('day');
    const [day] = await figures(start.toMillis(), at, 'day');
    today = { date: start.toISODate() ?? '', asOf: at, ...(day ?? noFigures()) };
    failures.delete('today');
  };
  // The past months are read again once a day (a late reading, a spool replayed after an outage
  // may still change them); this month, every 10 minutes. Past months are the heavy part.
  let past: { day: string; rows: CampusSummary['months']['rows'] } | undefined;
  const computeMonths = async (at: number) => {
    const local = DateTime.fromMillis(at, { zone: energy.timezone });
    const thisMonth = local.startOf('month');
    const day = local.toISODate() ?? '';
    if (past?.day !== day) {
      const from = local.minus({ years: 1 }).startOf('year');
      const rows = await figures(from.toMillis(), thisMonth.toMillis(), 'month');
      past = {
        day,
        rows: rows.map((row, i) => ({ month: from.plus({ months: i }).toFormat('yyyy-MM'), ...row })),
      };
    }
    const [current] = await figures(thisMonth.toMillis(), at, 'month');
    months = {
      asOf: at,
      rows: [...past.rows, { month: thisMonth.toFormat('yyyy-MM'), ...(current ?? noFigures()) }],
    };
    failures.delete('months');
  };

  let busy = false;
  const publishNow = async () => {
    if (busy) return;
    busy = true;
    try {
      const at = now();
      await computeToday(at).catch((err) => failed('today', err));
      if (months.asOf === null || at - months.asOf >= MONTHS_EVERY_MS)
        await computeMonths(at).catch((err) => failed('months', err));
      const devices = options.devices();
      const summary: CampusSummary = {
        ...fixed,
        at,
        devices: { total: devices.length, down: devices.filter((d) => d.state === 'unreachable').length },
        today,
        months,
      };
      await mqtt.publish(summaryTopic(options.prefix, site), JSON.stringify(summary), { retain: true });
      failures.delete('publish');
    } catch (err) {
      failed('publish', err);
    } finally {
      busy = false;
    }
  };

  void publishNow();
  const timer = setInterval(() => void publishNow(), options.everyMs);
  timer.unref();
  // A broker that comes back (or restarted empty) gets the summary at once, not in 30 s.
  const stopOnConnect = mqtt.onConnect(() => void publishNow());
  return {
    publishNow,
    stop() {
      clearInterval(timer);
      stopOnConnect();
    },
  };
}

const noFigures = (): EnergyFigures => ({ electricityKwh: null, gasM3: null, waterM3: null, tce: null });

/** The site's figure of bucket i: its rows summed, null when none knows. */
const bucketTotal = (report: ConsumptionReport, i: number): number | null =>
  sumKnown(report.rows.map((row) => row.buckets[i]?.value ?? null));

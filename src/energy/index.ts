/**
 * Energy management from the data the gateway already stores: consumption by meter, room,
 * building and site; peak demand and headroom; intensity per m² and per bed; night-flow
 * leak detection (published as points, so alarms and the dashboard see it); and verified
 * savings of retrofits. Reads the time-series store; writes only the leak points to the bus.
 */
import { LEAK_POINTS } from '../config/derived.js';
import type { PlantConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { PointBus } from '../points/index.js';
import type { TimeSeriesStore } from '../storage/index.js';
import type { Resolution } from './calendar.js';
import { type ConsumptionQuery, type ConsumptionReport, consumption } from './consumption.js';
import { type CostQuery, type CostReport, costReport, needsCapacity, needsDemand } from './cost.js';
import { type Equivalents, equivalents, fineResolution } from './equivalents.js';
import { intensityReport } from './intensity.js';
import { leakPoints, type MeterNights, meterNights } from './leaks.js';
import { type Meter, metersOf } from './meters.js';
import { type DemandReport, demandReport, installedRooms } from './peaks.js';
import { meterTree, type TreeReport } from './tree.js';
import { type RetrofitReport, retrofitReport } from './verification.js';

export { buckets, dayOf, monthOf, parsePeriodBound, type Resolution } from './calendar.js';
export {
  type ConsumptionQuery,
  type ConsumptionReport,
  GROUPINGS,
  type Grouping,
  sumKnown,
} from './consumption.js';
export type { CostFigures, CostQuery, CostReport, CostRow } from './cost.js';
export type { EquivalentPeriod, Equivalents } from './equivalents.js';
export type { IntensityRow } from './intensity.js';
export type { MeterNights, Night } from './leaks.js';
export { COMMODITIES, type Commodity, type Meter } from './meters.js';
export type { DemandReport } from './peaks.js';
export type { TreeReport, TreeRow, TreeRowKind } from './tree.js';
export type { RetrofitReport } from './verification.js';

export interface LeakStatus {
  window: { from: string; to: string };
  nights: number;
  checkedAt: number | null;
  meters: MeterNights[];
}

export interface EnergyService {
  readonly meters: readonly Meter[];
  readonly timezone: string;
  consumption(query: ConsumptionQuery): Promise<ConsumptionReport>;
  /** Consumption by meter as the metering tree, with each level's sum and unmetered remainder. */
  tree(query: Omit<ConsumptionQuery, 'groupBy'>): Promise<TreeReport>;
  demand(query: { from: number; to: number; resolution: Resolution }): Promise<DemandReport>;
  /** Cost (time-of-use, demand charge, flat prices) and carbon of the consumption. */
  cost(query: CostQuery): Promise<CostReport>;
  intensity(range: { from: number; to: number }): ReturnType<typeof intensityReport>;
  /**
   * The site's electricity and gas in tce, and the gas's kg CO₂e, at the factors of each day.
   * (Optional so that a stand-in service without it still serves consumption.)
   */
  equivalents?(query: { from: number; to: number; resolution: Resolution }): Promise<Equivalents>;
  /** The last leak check (run by `start`), or a fresh one over `history` nights. */
  leaks(history?: number): Promise<LeakStatus>;
  retrofits(): Promise<RetrofitReport[]>;
  /** Check last night's flow now and then every leaks.checkEvery, publishing the leak points. */
  start(): void;
  /** For /metrics: meters suspected of a leak now, leak checks run and failed. */
  stats(): { leakSuspected: number; leakChecks: number; leakCheckErrors: number };
  stop(): void;
}

export interface EnergyOptions {
  config: PlantConfig;
  store: TimeSeriesStore;
  bus: PointBus;
  log: Logger;
  now?: () => number;
}

/** Nights the energy page shows per meter. */
const LEAK_HISTORY_NIGHTS = 14;

export function createEnergy(options: EnergyOptions): EnergyService {
  const { config, store, bus } = options;
  const now = options.now ?? Date.now;
  const log = options.log.child({ component: 'energy' });
  const meters = metersOf(config);
  const settings = config.energy;
  const zone = settings.timezone;
  const leakMeters = [
    ...new Set(config.derived.filter((p) => p.name === LEAK_POINTS.suspected).map((p) => p.device)),
  ];
  let lastCheck: LeakStatus | undefined;
  let timer: NodeJS.Timeout | undefined;
  let checking = false;
  const counts = { leakChecks: 0, leakCheckErrors: 0 };

  const checkLeaks = async (history: number): Promise<LeakStatus> => {
    const at = now();
    const results = await Promise.all(
      leakMeters.map((device) =>
        meterNights(store, settings.leaks, zone, device, settings.water.rate, at, history),
      ),
    );
    return { window: settings.leaks.window, nights: settings.leaks.nights, checkedAt: at, meters: results };
  };

  const runCheck = () => {
    // One check at a time: a slow store must not stack them up.
    if (checking) return;
    checking = true;
    checkLeaks(LEAK_HISTORY_NIGHTS)
      .then((status) => {
        counts.leakChecks++;
        lastCheck = status;
        bus.publish(status.meters.flatMap((m) => leakPoints(m, status.checkedAt ?? now())));
        const suspected = status.meters.filter((m) => m.suspected).map((m) => m.device);
        if (suspected.length > 0) log.warn({ meters: suspected }, 'night flow suggests a leak');
      })
      .catch((err: unknown) => {
        counts.leakCheckErrors++;
        log.error(
          { err: err instanceof Error ? err.message : String(err) },
          'leak check failed (the store did not answer?)',
        );
      })
      .finally(() => {
        checking = false;
      });
  };

  const consumptionOf = (query: ConsumptionQuery) =>
    consumption(store, meters, query, {
      timezone: zone,
      maxGapMs: settings.maxGap,
      siteNames: siteNames(config),
      siteNamesZh: siteNamesZh(config),
      now: now(),
    });

  return {
    meters,
    timezone: zone,
    consumption: consumptionOf,
    tree: async (query) => meterTree(await consumptionOf({ ...query, groupBy: 'meter' }), meters),
    demand: (query) => demandReport(store, config, meters, query, now()),
    async cost(query) {
      const [hourly, demand] = await Promise.all([
        consumptionOf({ ...query, resolution: 'hour' }).then((flat) =>
          // By meter, the tree's nodes: each level's sum and remainder priced too.
          query.groupBy === 'meter' ? meterTree(flat, meters) : flat,
        ),
        needsDemand(query, settings)
          ? demandReport(
              store,
              config,
              meters,
              { from: query.from, to: query.to, resolution: 'month' },
              now(),
            )
          : undefined,
      ]);
      return costReport(query, {
        hourly,
        ...(demand ? { demand } : {}),
        ...(needsCapacity(query, settings) ? { capacity: installedRooms(config, meters) } : {}),
        settings,
      });
    },
    intensity: (range) => intensityReport(store, config, meters, range),
    async equivalents(query) {
      const fine = { ...query, resolution: fineResolution(query.resolution), groupBy: 'site' } as const;
      const [electricity, gas] = await Promise.all([
        consumptionOf({ ...fine, commodity: 'electricity' }),
        consumptionOf({ ...fine, commodity: 'gas' }),
      ]);
      return equivalents(electricity, gas, query, settings, now());
    },
    async leaks(history) {
      if (history === undefined && lastCheck) return lastCheck;
      return checkLeaks(history ?? LEAK_HISTORY_NIGHTS);
    },
    retrofits: () =>
      Promise.all(settings.retrofits.map((r) => retrofitReport(store, config, meters, r, now()))),
    start() {
      if (timer || leakMeters.length === 0) return;
      runCheck();
      timer = setInterval(runCheck, settings.leaks.checkEvery);
      timer.unref();
    },
    stats: () => ({
      leakSuspected: lastCheck?.meters.filter((m) => m.suspected).length ?? 0,
      ...counts,
    }),
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

function siteNames(config: PlantConfig): Map<string, string> {
  return new Map(config.sites.map((s) => [s.id, s.name]));
}

function siteNamesZh(config: PlantConfig): Map<string, string> {
  return new Map(config.sites.flatMap((s) => (s.nameZh ? [[s.id, s.nameZh] as const] : [])));
}

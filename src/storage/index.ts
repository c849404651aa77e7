/**
 * Storage: every point value into a time-series store (embedded SQLite by default, or
 * InfluxDB 1.x), batched, with a disk spool so nothing is lost while the store is down.
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { PlantConfig } from '../config/index.js';
import type { PointBus, PointInfo } from '../points/index.js';
import { InfluxStore } from './influx.js';
import { Spool } from './spool.js';
import { SqliteStore } from './sqlite.js';
import type { TimeSeriesStore } from './types.js';
import { type StorageStats, StorageWriter } from './writer.js';

export { InfluxStore, type InfluxStoreOptions } from './influx.js';
export { Spool, type SpoolStats } from './spool.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
export type { Aggregate, RangeQuery, SeriesPoint, StoreHealth, TimeSeriesStore } from './types.js';
export { type StorageStats, StorageWriter } from './writer.js';

export interface StorageService {
  readonly store: TimeSeriesStore;
  stats(): StorageStats;
  stop(): Promise<void>;
}

const DEFAULT_INFLUX = { host: '127.0.0.1', port: 8086, database: 'plantwatch', rawRetention: '90d' };

export function createStore(
  config: PlantConfig,
  catalog: ReadonlyMap<string, PointInfo>,
  log?: Logger,
): TimeSeriesStore {
  const settings = config.gateway.storage;
  if (settings.backend === 'sqlite') {
    const { path, rawRetention, rollup1mRetention } = settings.sqlite;
    return new SqliteStore({
      path: resolve(path),
      retention: { rawMs: rawRetention, rollup1mMs: rollup1mRetention },
    });
  }
  return InfluxStore.create(settings.influxdb ?? DEFAULT_INFLUX, catalog, log);
}

export function startStorage(options: {
  config: PlantConfig;
  catalog: ReadonlyMap<string, PointInfo>;
  bus: PointBus;
  log: Logger;
}): StorageService {
  const settings = options.config.gateway.storage;
  const log = options.log.child({ component: 'storage' });
  const store = createStore(options.config, options.catalog, log);
  const spool = new Spool(resolve(settings.spool.path), settings.spool.maxPoints, (dropped) =>
    log.error(
      { dropped, capacity: settings.spool.maxPoints },
      'spool full: the oldest spooled points were dropped to make room (the store has been down too long)',
    ),
  );
  const writer = new StorageWriter({
    store,
    spool,
    log,
    maxBatch: settings.batch.maxPoints,
    maxDelayMs: settings.batch.maxDelay,
    writeTimeoutMs: 10_000,
    retry: { initialMs: 1000, maxMs: 30_000 },
  });
  const unsubscribe = options.bus.subscribe(writer.onValues);
  log.info({ backend: store.backend, spool: resolve(settings.spool.path) }, 'storing point values');
  return {
    store,
    stats: () => writer.stats(),
    async stop() {
      unsubscribe();
      await writer.stop();
      spool.close();
      await store.close();
    },
  };
}

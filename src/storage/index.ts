/** Storage: time series of every point value, behind one interface with several backends. */
export { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
export type { Aggregate, RangeQuery, SeriesPoint, StoreHealth, TimeSeriesStore } from './types.js';

/** Points: the normalised values every other stage consumes, and the bus they travel on. */
export { type BatchListener, PointBus } from './bus.js';
export { buildCatalog, PointTable, pointId } from './catalog.js';
export type { PointInfo, PointValue, Quality, Value } from './types.js';

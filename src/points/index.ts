/** Points: the normalised values every other stage consumes, and the bus they travel on. */
export { type BatchListener, PointBus } from './bus.js';
export { buildCatalog, PointTable, pointId } from './catalog.js';
export { type PointInfo, type PointValue, QUALITIES, type Quality, type Value } from './types.js';

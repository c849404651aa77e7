/** Discovery: find the Modbus units on a line and draft their configuration (`plantwatch scan`). */
export { draftFiles, endpointOf, FILL_IN, formatTable, writeDraft } from './draft.js';
export { type FoundUnit, type Identification, requestGap, type ScanResult, scanLine } from './scan.js';

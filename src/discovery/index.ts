/** Discovery: find the Modbus units on a line and draft their configuration (`plantwatch scan`, the admin page). */
export {
  anyUnitWarning,
  type DraftFiles,
  type DraftOptions,
  draftFiles,
  endpointOf,
  FILL_IN,
  formatTable,
  identificationOf,
  writeDraft,
} from './draft.js';
export {
  DEFAULT_RETRIES,
  type FoundUnit,
  type Identification,
  requestGap,
  type ScanProgress,
  type ScanResult,
  scanLine,
} from './scan.js';

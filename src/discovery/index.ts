/** Discovery: find the Modbus units on a line or the BACnet devices on a network, and draft their configuration (`plantwatch scan`, the admin page). */

export {
  type BacnetScanOptions,
  type BacnetScanProgress,
  type BacnetScanResult,
  scanBacnet,
  scanBacnetWith,
} from './bacnet.js';
export { bacnetDraftFiles, writeBacnetDraft } from './bacnet-draft.js';
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

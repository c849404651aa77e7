/**
 * The BACnet/IP side of the admin page's scans (jobs.ts): a scan of a port plantwatch.yaml's
 * `bacnet.ports` configures, on the gateway's own socket of that port (a second socket on the
 * same UDP port is refused), and its draft (bacnet-draft.ts).
 *
 * - A target is a port: one scan at a time each (the I-Am answers of two scans on one socket
 *   would mix). A port the gateway has not opened (no enabled device on it) is refused: scan it
 *   with the gateway stopped (`plantwatch scan bacnet`).
 * - Who-Is goes to the addresses given one by one, or to the port's broadcast address.
 * - Progress: the devices read of those that answered Who-Is, each listed once read.
 * - The draft: devices/<port>-scanned.yaml (beside the port's own devices file, not over it) and
 *   a profile per model; no port file, the port being configured already.
 */
import type { BacnetClient } from '../acquisition/bacnet/index.js';
import type { BacnetPortSettings } from '../config/schema.js';
import {
  type BacnetScanOptions,
  type BacnetScanResult,
  type FailedDevice,
  type ScannedDevice,
  scanBacnetWith,
} from './bacnet.js';
import { bacnetDraftFiles } from './bacnet-draft.js';
import {
  type BacnetScanRequest,
  type FoundView,
  type PreparedScan,
  type ScanLineView,
  type Scanner,
  ScanRefused,
} from './jobs.js';

/** The device instances BACnet allows (4194303 is the wildcard). */
export const BACNET_INSTANCES = { min: 0, max: 4_194_302 } as const;

export interface BacnetScannerOptions {
  /** The configured ports (plantwatch.yaml's bacnet.ports). */
  ports: readonly Pick<BacnetPortSettings, 'id' | 'interface' | 'udpPort' | 'broadcastAddress'>[];
  /** The gateway's open client of a port; undefined for a port it has not opened (no enabled device). */
  clientOf: (portId: string) => BacnetClient | undefined;
  /** Device and profile ids of the configuration: the draft's new ones take others. */
  takenDeviceIds?: () => readonly string[];
  takenProfileIds?: () => readonly string[];
  /** The scan (a test may put a stand-in here). */
  scan?: (client: BacnetClient, options: BacnetScanOptions) => Promise<BacnetScanResult>;
}

const endpointOfPort = (port: BacnetScannerOptions['ports'][number]) => `${port.interface}:${port.udpPort}`;

export function bacnetScanner(options: BacnetScannerOptions): Scanner<BacnetScanRequest> {
  const scan = options.scan ?? scanBacnetWith;
  const notOpen = (id: string) =>
    `port ${id} is not open in the gateway (no enabled BACnet device on it): ` +
    'scan it with the gateway stopped (plantwatch scan bacnet)';
  return {
    targets(): ScanLineView[] {
      return options.ports.map((port) => ({
        id: port.id,
        transport: 'bacnet-ip',
        endpoint: endpointOfPort(port),
        refused: options.clientOf(port.id) ? null : notOpen(port.id),
      }));
    },

    prepare(request: BacnetScanRequest): PreparedScan {
      const port = options.ports.find((p) => p.id === request.where);
      if (!port)
        throw new ScanRefused(
          `where: "${request.where}" is no configured BACnet/IP port` +
            (options.ports.length > 0 ? ` (one of ${options.ports.map((p) => p.id).join(', ')})` : ''),
          400,
        );
      const client = options.clientOf(port.id);
      if (!client) throw new ScanRefused(notOpen(port.id), 409);
      const { addresses, instances } = request;
      return {
        key: `bacnet port ${port.id}`,
        endpoint: `${port.id} (${endpointOfPort(port)}) → ${whoIsText(addresses, port.broadcastAddress)}`,
        transport: 'bacnet-ip',
        line: port.id,
        units: instances
          ? { from: instances.lowLimit, to: instances.highLimit }
          : { from: BACNET_INSTANCES.min, to: BACNET_INSTANCES.max },
        total: 0,
        async run({ signal, source, onProgress }) {
          const result = await scan(client, {
            ...(addresses.length > 0 ? { addresses } : {}),
            ...(instances ?? {}),
            waitMs: request.waitMs,
            delayMs: request.delayMs,
            retries: request.retries,
            signal,
            onProgress: (progress) => {
              if (progress.kind === 'who-is') onProgress(0, undefined, progress.found.length);
              else if (progress.kind === 'read')
                onProgress(progress.devicesDone, foundView(progress.device), progress.devicesTotal);
              else if (progress.kind === 'failed')
                onProgress(progress.devicesDone, undefined, progress.devicesTotal);
            },
          });
          const draft = new Map<string, string>();
          if (result.devices.length > 0) {
            const files = bacnetDraftFiles(result, {
              port: {
                id: port.id,
                interface: port.interface,
                udpPort: port.udpPort,
                broadcastAddress: port.broadcastAddress,
              },
              source,
              takenDeviceIds: options.takenDeviceIds?.() ?? [],
              takenProfileIds: options.takenProfileIds?.() ?? [],
            });
            draft.set(`devices/${port.id}-scanned.yaml`, files.devices);
            for (const profile of files.profiles) draft.set(`profiles/${profile.id}.yaml`, profile.text);
          }
          return {
            // The devices read, or not, of those that answered Who-Is (the total, from its progress).
            probed: result.devices.length + result.failed.filter((f) => f.instance !== undefined).length,
            found: result.devices.map(foundView),
            stopped: result.stopped,
            warning: notReadText(result.failed),
            draft,
          };
        },
      };
    },
  };
}

/** Where Who-Is goes: "127.0.0.1:40001, 127.0.0.1:40002", "10.1.0.20 … 10.1.0.40 (21 addresses)", "broadcast 10.1.255.255". */
function whoIsText(addresses: readonly string[], broadcast: string): string {
  if (addresses.length === 0) return `broadcast ${broadcast}`;
  if (addresses.length <= 3) return addresses.join(', ');
  return `${addresses[0]} … ${addresses.at(-1)} (${addresses.length} addresses)`;
}

/** The addresses that did not answer and the devices not read, for a person; null when none. */
function notReadText(failed: readonly FailedDevice[]): string | null {
  if (failed.length === 0) return null;
  return `not read: ${failed
    .map((f) => `${f.address}${f.instance !== undefined ? ` (device ${f.instance})` : ''}: ${f.reason}`)
    .join('; ')}`;
}

function foundView(device: ScannedDevice): FoundView {
  return {
    unit: device.instance,
    answered: device.readMode,
    vendor: device.vendorName ?? `vendor id ${device.vendorId}`,
    product: device.modelName ?? null,
    revision: device.firmware ?? null,
    missing: null,
    address: device.address,
    name: device.name ?? null,
    objects: device.objects.length,
    objectCount: device.objectCount,
  };
}

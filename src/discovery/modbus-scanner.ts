/**
 * The Modbus side of the admin page's scans (jobs.ts): which line a request names, whether it
 * may be scanned while the gateway runs, and the scan itself with its draft.
 *
 * - A target is a line's endpoint: the same gateway or port named by a configured line's id or
 *   by its address is one target (one scan at a time each).
 * - A line the running gateway polls over RS-485 (a serial port, or an RTU-over-TCP gateway in
 *   front of one) is refused: the port is the poller's, and a second master on the bus garbles
 *   both masters' frames. (Carrying the probes in the poller's own queue would keep the line's
 *   pace, but its transports read the four register tables only: no function 43, and
 *   modbus-serial frames RTU answers by a length known in advance.) A Modbus TCP gateway takes
 *   a second connection as a matter of course: its configured lines may be scanned while polled.
 */
import type { ModbusLineConfig } from '../config/schema.js';
import { anyUnitWarning, draftFiles, endpointOf } from './draft.js';
import {
  type FoundView,
  type PreparedScan,
  type ScanLineView,
  type Scanner,
  ScanRefused,
  type ScanRequest,
} from './jobs.js';
import { type FoundUnit, type ScanOptions, type ScanResult, scanLine } from './scan.js';
import { lineToScan } from './target.js';

export interface ModbusScannerOptions {
  /** The configured lines (lines.yaml). */
  lines: readonly ModbusLineConfig[];
  /** The ids of the lines the running gateway has open (lines with enabled devices). */
  polledLines: () => readonly string[];
  /** The scan (a test may put a stand-in here). */
  scan?: (line: ModbusLineConfig, options: ScanOptions) => Promise<ScanResult>;
}

export function modbusScanner(options: ModbusScannerOptions): Scanner {
  const scan = options.scan ?? scanLine;
  return {
    targets(): ScanLineView[] {
      const polled = new Set(options.polledLines());
      return options.lines.map((line) => ({
        id: line.id,
        transport: line.transport,
        endpoint: endpointKey(line),
        refused: polled.has(line.id) ? (pollerOwns(line) ?? null) : null,
      }));
    },

    prepare(request: ScanRequest): PreparedScan {
      const { line, configured } = resolve(options, request);
      return {
        key: endpointKey(line),
        endpoint: endpointOf(line),
        transport: line.transport,
        line: configured ? line.id : null,
        async run({ signal, source, onProgress }) {
          const result = await scan(line, {
            from: request.from,
            to: request.to,
            delayMs: request.delayMs,
            retries: request.retries,
            signal,
            onProgress: (progress) => {
              const unit = progress.justFound ? progress.found[progress.found.length - 1] : undefined;
              onProgress(progress.probed, unit && foundView(unit));
            },
          });
          const draft = new Map<string, string>();
          if (result.found.length > 0) {
            const files = draftFiles(result, { source, lineConfigured: configured });
            // Beside a configured line's own devices file, not over it.
            draft.set(`devices/${line.id}${configured ? '-scanned' : ''}.yaml`, files.devices);
            if (!configured) draft.set(`lines.${line.id}.yaml`, files.line);
          }
          return {
            probed: result.probed,
            found: result.found.map(foundView),
            stopped: result.stopped,
            warning: anyUnitWarning(result) ?? null,
            draft,
          };
        },
      };
    },
  };
}

/** The line a request names: a configured one, or one made of the address and settings. */
function resolve(
  options: ModbusScannerOptions,
  request: ScanRequest,
): { line: ModbusLineConfig; configured: boolean } {
  const named = options.lines.find((line) => line.id === request.where);
  let line: ModbusLineConfig;
  if (named) {
    // The line as configured (its baud rate, its silent interval), with this scan's timeout.
    line = { ...named, timeout: request.timeoutMs };
  } else {
    const serial = isSerialPort(request.where);
    if (!serial && !isHostPort(request.where))
      throw new ScanRefused(
        `where: "${request.where}" is no configured line, host:port or serial port (/dev/…, COMn)`,
        400,
      );
    if (request.transport && serial !== (request.transport === 'rtu'))
      throw new ScanRefused(
        serial
          ? `transport: ${request.transport} is for host:port; a serial port is rtu`
          : 'transport: rtu is for a serial port; host:port is tcp or rtu-over-tcp',
        400,
      );
    const made = lineToScan(request.where, {
      transport: request.transport,
      timeout: request.timeoutMs,
      baudRate: request.baudRate,
      parity: request.parity,
      dataBits: request.dataBits,
      stopBits: request.stopBits,
      name: request.name,
    });
    if (typeof made === 'string') throw new ScanRefused(made.replace(/\n/g, '; '), 400);
    line = made;
  }
  // The same port or gateway as a line the gateway polls, by whichever name it was given.
  const polled = new Set(options.polledLines());
  const owner = options.lines.find(
    (configured) => polled.has(configured.id) && endpointKey(configured) === endpointKey(line),
  );
  const refusal = owner && pollerOwns(owner);
  if (refusal) throw new ScanRefused(refusal, 409);
  return { line, configured: named !== undefined };
}

/** Why the running gateway's poller owns `line` so that no scan may use it, or undefined. */
function pollerOwns(line: ModbusLineConfig): string | undefined {
  if (line.transport === 'tcp') return undefined;
  const what =
    line.transport === 'rtu'
      ? `its serial port ${line.path} is open in the gateway, and a second opening fails or garbles the frames`
      : `a second connection to the RTU-over-TCP gateway ${line.host}:${line.port} puts a second master on its RS-485 bus, garbling both`;
  return (
    `line ${line.id} is polled by the gateway: ${what}. Scan it with the gateway stopped ` +
    '(plantwatch scan), or with its devices disabled'
  );
}

/** One target, however it is named: the serial port's path, or host:port (host in lower case). */
function endpointKey(line: ModbusLineConfig): string {
  return line.transport === 'rtu' ? line.path : `${line.host.toLowerCase()}:${line.port}`;
}

/** A serial port's name: /dev/… (no `..`) or COMn. */
function isSerialPort(where: string): boolean {
  if (/^\/dev\/[A-Za-z0-9._/-]+$/.test(where)) return !where.split('/').includes('..');
  return /^COM\d{1,3}$/i.test(where);
}

/** host:port (a name or an IPv4 address). */
function isHostPort(where: string): boolean {
  return /^[A-Za-z0-9.-]{1,253}:\d{1,5}$/.test(where);
}

function foundView(unit: FoundUnit): FoundView {
  const id = unit.identification;
  const said = 'missing' in id ? undefined : id;
  return {
    unit: unit.unitId,
    answered: unit.answered,
    vendor: said?.vendor ?? null,
    product: said?.product ?? null,
    revision: said?.revision ?? null,
    missing: 'missing' in id ? id.missing : null,
  };
}

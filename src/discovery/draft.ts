/**
 * What a scan found, for people (a table) and for the configuration (a draft devices file and
 * the line's entry for lines.yaml), in the config's own format: once the `FILL IN` places are
 * filled, `plantwatch check-config` takes them as they are.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ModbusLineConfig } from '../config/schema.js';
import type { FoundUnit, ScanResult } from './scan.js';

/** Where a person must put an id of their configuration (a profile, a site, a room). */
export const FILL_IN = 'FILL IN';

export function identificationOf(unit: FoundUnit): { vendor: string; product: string; revision: string } {
  const id = unit.identification;
  if ('missing' in id) return { vendor: `no identification (${id.missing})`, product: '', revision: '' };
  return { vendor: id.vendor ?? '?', product: id.product ?? '?', revision: id.revision ?? '?' };
}

/** The found units as a fixed-width table, one row a unit. */
export function formatTable(found: readonly FoundUnit[]): string {
  const header = ['unit', 'vendor', 'product', 'revision', 'answered'];
  const rows = found.map((unit) => {
    const { vendor, product, revision } = identificationOf(unit);
    return [String(unit.unitId), vendor, product, revision, unit.answered];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The line as lines.yaml has it: what was scanned, and how. */
export function lineEntry(line: ModbusLineConfig): Record<string, unknown> {
  const where =
    line.transport === 'rtu'
      ? {
          path: line.path,
          baudRate: line.baudRate,
          dataBits: line.dataBits,
          parity: line.parity,
          stopBits: line.stopBits,
        }
      : {
          host: line.host,
          port: line.port,
          ...(line.transport === 'rtu-over-tcp' && line.baudRate ? { baudRate: line.baudRate } : {}),
        };
  return {
    id: line.id,
    transport: line.transport,
    ...where,
    timeout: line.timeout,
    retries: line.retries,
    ...(line.interFrameDelay > 0 ? { interFrameDelay: line.interFrameDelay } : {}),
  };
}

function deviceEntry(line: ModbusLineConfig, unit: FoundUnit): Record<string, unknown> {
  const id = unit.identification;
  const known = 'missing' in id ? undefined : id;
  const what = [known?.vendor, known?.product].filter(Boolean).join(' ');
  return {
    id: `${line.id}-u${unit.unitId}`,
    name: what ? `${what} (unit ${unit.unitId} on ${line.id})` : `Unit ${unit.unitId} on ${line.id}`,
    profile: FILL_IN,
    site: FILL_IN,
    building: FILL_IN,
    room: FILL_IN,
    modbus: { line: line.id, unitId: unit.unitId },
    ...(known?.vendor || known?.product
      ? {
          asset: {
            ...(known.vendor ? { maker: known.vendor } : {}),
            ...(known.product ? { model: known.product } : {}),
          },
        }
      : {}),
  };
}

export interface DraftFiles {
  /** devices/<line id>.yaml */
  devices: string;
  /** lines.<line id>.yaml: the entry to add to lines.yaml, as a lines file of its own. */
  line: string;
}

export interface DraftOptions {
  /** What made the draft, for its first comment line (default `plantwatch scan`). */
  source?: string;
  /** The line is in lines.yaml already (a configured line was scanned): nothing to add there. */
  lineConfigured?: boolean;
}

/**
 * Why the units found may not be devices at all: every unit id probed answered alike, as a
 * gateway (or a single device) that answers for any unit id does. Undefined when they differ.
 */
export function anyUnitWarning(result: ScanResult): string | undefined {
  if (!result.answersAnyUnit) return undefined;
  return (
    `every unit id probed (${result.probed} of them) answered, all alike: ${endpointOf(result.line)} ` +
    'seems to answer for any unit id (some Modbus TCP gateways and single devices do), so the ' +
    "units listed need not be devices. Check the unit ids in the gateway's own settings, or " +
    'scan its serial side'
  );
}

export function draftFiles(result: ScanResult, options: DraftOptions = {}): DraftFiles {
  const { line } = result;
  const source = options.source ?? '`plantwatch scan`';
  const warning = anyUnitWarning(result);
  const header = [
    `# Draft from ${source} of ${endpointOf(line)}: ${result.found.length} unit(s) answered` +
      (result.stopped
        ? ` among the first ${result.probed} of ${result.total} unit ids probed (stopped).`
        : '.'),
    ...(warning ? ['#', ...wrapComment(`WARNING: ${warning}.`), '#'] : []),
    `# Replace every "${FILL_IN}" with an id of your configuration (profiles/, site.yaml),`,
    options.lineConfigured
      ? `# (the line ${line.id} is in lines.yaml already), then run \`plantwatch check-config\`.`
      : `# add the line from lines.${line.id}.yaml to lines.yaml, then run \`plantwatch check-config\`.`,
  ];
  const found = formatTable(result.found)
    .split('\n')
    .map((row) => `#   ${row}`);
  const devices = stringify({ devices: result.found.map((unit) => deviceEntry(line, unit)) });
  return {
    devices: [...header, ...found, devices].join('\n'),
    line: [
      `# The line scanned by ${source}: add this entry to lines.yaml.`,
      stringify({ lines: [lineEntry(line)] }),
    ].join('\n'),
  };
}

/** A long text as comment lines of at most ~100 characters, broken between words. */
function wrapComment(text: string): string[] {
  const lines: string[] = [];
  let current = '#';
  for (const word of text.split(' ')) {
    if (current.length + word.length + 1 > 100 && current !== '#') {
      lines.push(current);
      current = '#';
    }
    current += ` ${word}`;
  }
  return [...lines, current];
}

/** Write the draft into `dir`; returns the paths written. */
export function writeDraft(dir: string, result: ScanResult, options: DraftOptions = {}): string[] {
  const files = draftFiles(result, options);
  const devicesPath = join(dir, 'devices', `${result.line.id}.yaml`);
  const linePath = join(dir, `lines.${result.line.id}.yaml`);
  mkdirSync(join(dir, 'devices'), { recursive: true });
  writeFileSync(devicesPath, files.devices);
  writeFileSync(linePath, files.line);
  return [devicesPath, linePath];
}

export function endpointOf(line: ModbusLineConfig): string {
  return line.transport === 'rtu'
    ? `${line.path} (${line.baudRate} baud)`
    : `${line.host}:${line.port} (${line.transport})`;
}

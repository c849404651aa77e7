/**
 * `plantwatch scan <where>`: which Modbus unit ids answer on a gateway (host:port) or a serial
 * line (a device path), what they say they are, and a draft of their configuration.
 */
import { duration, type ModbusLineConfig, modbusLine } from '../config/schema.js';
import { endpointOf, formatTable, requestGap, scanLine, writeDraft } from '../discovery/index.js';
import { out } from './common.js';

export interface ScanCliOptions {
  transport?: string;
  units: string;
  delay: string;
  timeout: string;
  interFrameDelay?: string;
  baud?: string;
  parity?: string;
  dataBits?: string;
  stopBits?: string;
  name?: string;
  out?: string;
}

const MODBUS_UNITS = { min: 1, max: 247 };

/** "1-32" or "5": the unit ids to probe, or why not. */
export function parseUnits(text: string): { from: number; to: number } | string {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  const from = Number(match?.[1]);
  const to = Number(match?.[2] ?? match?.[1]);
  if (!match || from < MODBUS_UNITS.min || to > MODBUS_UNITS.max || from > to)
    return `--units ${text}: a range of unit ids within ${MODBUS_UNITS.min}-${MODBUS_UNITS.max}, e.g. 1-32`;
  return { from, to };
}

const numberOrUndefined = (text: string | undefined) => (text === undefined ? undefined : Number(text));

/** The line to scan, in lines.yaml's terms (validated by its schema), or why not. */
function lineToScan(where: string, opts: ScanCliOptions): ModbusLineConfig | string {
  const hostPort = /^(.+):(\d+)$/.exec(where);
  const transport = opts.transport ?? (hostPort ? 'tcp' : 'rtu');
  const id = opts.name ?? `scan-${where.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`;
  const common = {
    id,
    transport,
    timeout: opts.timeout,
    ...(opts.interFrameDelay ? { interFrameDelay: opts.interFrameDelay } : {}),
  };
  const serial = {
    baudRate: numberOrUndefined(opts.baud),
    ...(transport === 'rtu'
      ? {
          parity: opts.parity,
          dataBits: numberOrUndefined(opts.dataBits),
          stopBits: numberOrUndefined(opts.stopBits),
        }
      : {}),
  };
  const raw =
    transport === 'rtu'
      ? { ...common, path: where, ...serial }
      : {
          ...common,
          host: hostPort?.[1],
          port: numberOrUndefined(hostPort?.[2]),
          ...(transport === 'rtu-over-tcp' ? serial : {}),
        };
  const parsed = modbusLine.safeParse(raw);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((issue) => `${issue.path.join('.') || 'line'}: ${issue.message}`).join('\n');
}

export async function runScan(where: string, opts: ScanCliOptions): Promise<number> {
  const units = parseUnits(opts.units);
  const line = lineToScan(where, opts);
  const delay = duration.safeParse(opts.delay);
  if (typeof units === 'string' || typeof line === 'string' || !delay.success) {
    const problem =
      typeof units === 'string'
        ? units
        : typeof line === 'string'
          ? line
          : `--delay ${opts.delay}: a duration, e.g. 100ms`;
    process.stderr.write(`${problem}\n`);
    return 1;
  }
  const gap = requestGap(line, delay.data);
  process.stderr.write(
    `scanning units ${units.from}-${units.to} on ${endpointOf(line)}: ${line.timeout} ms timeout, ` +
      `at least ${Math.ceil(gap)} ms between requests\n`,
  );
  let result: Awaited<ReturnType<typeof scanLine>>;
  try {
    result = await scanLine(line, { ...units, delayMs: delay.data });
  } catch (err) {
    process.stderr.write(`cannot scan ${endpointOf(line)}: ${(err as Error).message}\n`);
    return 1;
  }
  if (result.found.length === 0) {
    process.stderr.write(
      `no unit answered on ${endpointOf(line)} among units ${units.from}-${units.to} ` +
        `(check the wiring, the baud rate and parity, the unit ids, or a longer --timeout)\n`,
    );
    return 1;
  }
  out(formatTable(result.found));
  if (opts.out) {
    for (const path of writeDraft(opts.out, result)) out(`wrote ${path}`);
  }
  return 0;
}

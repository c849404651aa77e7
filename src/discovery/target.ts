/**
 * What to scan, as a person names it: "host:port" of a gateway or the path of a serial port,
 * with the unit ids ("1-32") and the line's settings, made into a line in lines.yaml's terms
 * (validated by its schema), or the reason why not. Shared by `plantwatch scan` and the admin
 * page's scans (jobs.ts).
 */
import { type ModbusLineConfig, modbusLine } from '../config/schema.js';

/** The unit ids Modbus allows a device (0 is broadcast, 248-255 reserved). */
export const MODBUS_UNITS = { min: 1, max: 247 } as const;

export interface UnitRange {
  from: number;
  to: number;
}

/** "1-32" or "5": the unit ids to probe, or why not (the text quoted, for the caller to prefix). */
export function parseUnits(text: string): UnitRange | string {
  const match = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(text.trim());
  const from = Number(match?.[1]);
  const to = Number(match?.[2] ?? match?.[1]);
  if (!match || from < MODBUS_UNITS.min || to > MODBUS_UNITS.max || from > to)
    return `${text}: a range of unit ids within ${MODBUS_UNITS.min}-${MODBUS_UNITS.max}, e.g. 1-32`;
  return { from, to };
}

/** How the line behind `where` is to be spoken to; what is not given takes lines.yaml's default. */
export interface TargetSettings {
  /** tcp or rtu-over-tcp for host:port (default tcp); rtu for a path (the default there). */
  transport?: string | undefined;
  /** How long to wait for each answer: ms, or a duration ("500ms"). */
  timeout: number | string;
  interFrameDelay?: number | string | undefined;
  baudRate?: number | undefined;
  parity?: string | undefined;
  dataBits?: number | undefined;
  stopBits?: number | undefined;
  /** The line's id in the draft (default from `where`). */
  name?: string | undefined;
}

/** "host:port" split, or undefined for anything else (a serial port's path). */
export function hostAndPort(where: string): { host: string; port: number } | undefined {
  const match = /^(.+):(\d+)$/.exec(where);
  return match ? { host: match[1] as string, port: Number(match[2]) } : undefined;
}

/** The draft's line id for a target named `where`: "scan-10-0-0-5-502". */
export const scanLineId = (where: string): string =>
  `scan-${where.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`;

/** The line to scan, in lines.yaml's terms (validated by its schema), or why not. */
export function lineToScan(where: string, settings: TargetSettings): ModbusLineConfig | string {
  const hostPort = hostAndPort(where);
  const transport = settings.transport ?? (hostPort ? 'tcp' : 'rtu');
  const common = {
    id: settings.name ?? scanLineId(where),
    transport,
    timeout: settings.timeout,
    ...(settings.interFrameDelay ? { interFrameDelay: settings.interFrameDelay } : {}),
  };
  const serial = {
    baudRate: settings.baudRate,
    ...(transport === 'rtu'
      ? { parity: settings.parity, dataBits: settings.dataBits, stopBits: settings.stopBits }
      : {}),
  };
  const raw =
    transport === 'rtu'
      ? { ...common, path: where, ...serial }
      : {
          ...common,
          host: hostPort?.host,
          port: hostPort?.port,
          ...(transport === 'rtu-over-tcp' ? serial : {}),
        };
  const parsed = modbusLine.safeParse(raw);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((issue) => `${issue.path.join('.') || 'line'}: ${issue.message}`).join('\n');
}

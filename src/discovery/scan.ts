/**
 * Which unit ids answer on a Modbus line, and what they say they are. Each unit is asked for
 * one holding register: any answer, an exception included, means a device is there; silence
 * (or a TCP gateway's "target failed to respond"), still there after a retry, means nobody. A
 * unit that answered is then asked for its identification (function 43, MEI type 14).
 *
 * Some Modbus TCP gateways (and single devices behind their own IP address) answer for any unit
 * id: when every unit id probed answers alike, the result says so (`answersAnyUnit`), for the
 * list of "found" units then tells nothing about what is on the line.
 */
import {
  BadResponseError,
  EXCEPTION_NAMES,
  ModbusExceptionError,
  TimeoutError,
} from '../acquisition/modbus/errors.js';
import type { ModbusLineConfig } from '../config/schema.js';
import { openLink, type ProbeLink, silentIntervalMs } from './link.js';

/** Exceptions a Modbus TCP gateway answers for a unit id with no device behind it. */
const NOBODY_BEHIND_GATEWAY = new Set([10, 11]);
/** "Gateway target device failed to respond": the gateway's own timeout, worth a retry like silence. */
const GATEWAY_TARGET_FAILED = 11;

const READ_HOLDING = 3;
const exceptionText = (code: number) => `exception ${code} (${EXCEPTION_NAMES[code] ?? 'unknown'})`;
const ENCAPSULATED_INTERFACE = 43;
const READ_DEVICE_ID = 14;
const BASIC_IDENTIFICATION = 1;
const REGULAR_IDENTIFICATION = 2;
const ILLEGAL_DATA_VALUE = 3;
/** An identification split over more answers than this is a device looping on "more follows". */
const MAX_IDENTIFICATION_ANSWERS = 8;

/** The identification objects of the Modbus application protocol (§6.21), by id. */
export const OBJECT_NAMES: Record<number, string> = {
  0: 'VendorName',
  1: 'ProductCode',
  2: 'MajorMinorRevision',
  3: 'VendorUrl',
  4: 'ProductName',
  5: 'ModelName',
  6: 'UserApplicationName',
};

export interface Identification {
  vendor: string | undefined;
  product: string | undefined;
  revision: string | undefined;
  /** Every object the unit gave, by object id (the three above are 0, 1 and 2). */
  objects: Record<number, string>;
}

export interface FoundUnit {
  unitId: number;
  /** How it answered the probe: "register read" or the exception it answered. */
  answered: string;
  /** What it says it is, or why there is nothing to say. */
  identification: Identification | { missing: string };
}

export interface ScanOptions {
  /** The unit ids to probe, inclusive. */
  from: number;
  to: number;
  /** Least time between two requests, ms (the line's silent interval is kept if longer). */
  delayMs: number;
  /** Probes again of a unit that stayed silent before it counts as absent (default 1). */
  retries?: number;
  /** Told after each unit id probed (and identified, when it answered). */
  onProgress?: (progress: ScanProgress) => void;
  /** Stops the scan after the request under way (the link is closed at once): the result so far. */
  signal?: AbortSignal;
}

export interface ScanProgress {
  /** The unit id just probed. */
  unitId: number;
  /** Unit ids probed so far, of `total`. */
  probed: number;
  total: number;
  /** The units found so far; the last one is `unitId`'s when `justFound`. */
  found: readonly FoundUnit[];
  justFound: boolean;
}

export interface ScanResult {
  line: ModbusLineConfig;
  found: FoundUnit[];
  /** Unit ids probed: `total` unless the scan was stopped. */
  probed: number;
  total: number;
  /** The scan was stopped (its signal) before the last unit id. */
  stopped: boolean;
  /**
   * Every unit id probed (two at least) answered, and all alike: the far end answers for any
   * unit id, and the found list says nothing about which devices are there.
   */
  answersAnyUnit: boolean;
  /** Least time kept between requests, ms. */
  gapMs: number;
}

/** Probes again of a silent unit, unless told otherwise. */
export const DEFAULT_RETRIES = 1;

/** The least time between two requests on `line` for a wanted `delayMs`. */
export function requestGap(line: ModbusLineConfig, delayMs: number): number {
  return Math.max(delayMs, line.interFrameDelay, silentIntervalMs(line));
}

export async function scanLine(line: ModbusLineConfig, options: ScanOptions): Promise<ScanResult> {
  const gapMs = requestGap(line, options.delayMs);
  const total = options.to - options.from + 1;
  const { signal } = options;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const found: FoundUnit[] = [];
  let probed = 0;
  const result = () => ({
    line,
    found,
    probed,
    total,
    stopped: probed < total,
    answersAnyUnit: answersAlike(found, probed),
    gapMs,
  });
  if (signal?.aborted) return result();
  const link = await openLink(line, { gapMs });
  // Closing the link ends the request under way at once (it fails as "connection closed").
  const stop = () => void link.close();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (let unitId = options.from; unitId <= options.to && !signal?.aborted; unitId++) {
      let unit: FoundUnit | undefined;
      try {
        const answered = await probe(link, line, unitId, retries);
        if (answered !== undefined) unit = { unitId, answered, identification: await identify(link, unitId) };
      } catch (err) {
        if (signal?.aborted) break;
        throw err;
      }
      if (signal?.aborted) break;
      probed++;
      if (unit) found.push(unit);
      options.onProgress?.({ unitId, probed, total, found, justFound: unit !== undefined });
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    await link.close();
  }
  return result();
}

/** Every unit id probed (two or more) answered, the same way and with the same identification. */
function answersAlike(found: readonly FoundUnit[], probed: number): boolean {
  if (probed < 2 || found.length !== probed) return false;
  const alike = (unit: FoundUnit) => JSON.stringify([unit.answered, unit.identification]);
  const first = alike(found[0] as FoundUnit);
  return found.every((unit) => alike(unit) === first);
}

/**
 * How `unitId` answered a read of one holding register, or undefined if nobody did: silence
 * (or a gateway's "target failed to respond") is asked again `retries` times, for a unit busy
 * or a frame lost to noise once is not absent.
 */
async function probe(
  link: ProbeLink,
  line: ModbusLineConfig,
  unitId: number,
  retries: number,
): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    const answered = await probeOnce(link, line, unitId);
    if (answered !== SILENT) return answered;
    if (attempt >= retries) return undefined;
  }
}

const SILENT = Symbol('silent');

async function probeOnce(
  link: ProbeLink,
  line: ModbusLineConfig,
  unitId: number,
): Promise<string | undefined | typeof SILENT> {
  try {
    await link.request(unitId, Buffer.from([READ_HOLDING, 0, 0, 0, 1]));
    return 'register read';
  } catch (err) {
    if (err instanceof TimeoutError) return SILENT;
    // Something answered, garbled (noise, a wrong baud rate): shown, for a person to judge.
    if (err instanceof BadResponseError) return err.message;
    if (!(err instanceof ModbusExceptionError)) throw err;
    if (line.transport === 'tcp' && NOBODY_BEHIND_GATEWAY.has(err.code))
      return err.code === GATEWAY_TARGET_FAILED ? SILENT : undefined;
    return exceptionText(err.code);
  }
}

/**
 * Read Device Identification: the regular objects, or the basic ones from a unit that refuses
 * to be asked for more (the spec says it should answer at its own level; some answer 3).
 */
async function identify(link: ProbeLink, unitId: number): Promise<FoundUnit['identification']> {
  try {
    return await readIdentification(link, unitId, REGULAR_IDENTIFICATION).catch((err: unknown) => {
      if (err instanceof ModbusExceptionError && err.code === ILLEGAL_DATA_VALUE)
        return readIdentification(link, unitId, BASIC_IDENTIFICATION);
      throw err;
    });
  } catch (err) {
    if (err instanceof ModbusExceptionError)
      return { missing: `function 43 refused, ${exceptionText(err.code)}` };
    if (err instanceof TimeoutError) return { missing: 'no answer to function 43' };
    return { missing: `function 43: ${(err as Error).message}` };
  }
}

async function readIdentification(link: ProbeLink, unitId: number, code: number): Promise<Identification> {
  const objects: Record<number, string> = {};
  let objectId = 0;
  for (let answers = 0; answers < MAX_IDENTIFICATION_ANSWERS; answers++) {
    const pdu = await link.request(
      unitId,
      Buffer.from([ENCAPSULATED_INTERFACE, READ_DEVICE_ID, code, objectId]),
    );
    // 43, 14, code, conformity level, more follows, next object id, number of objects, objects.
    let at = 7;
    for (let i = 0; i < (pdu[6] ?? 0) && at + 2 <= pdu.length; i++) {
      const length = pdu[at + 1] as number;
      objects[pdu[at] as number] = pdu.toString('latin1', at + 2, at + 2 + length).trim();
      at += 2 + length;
    }
    if (pdu[4] !== 0xff || pdu[5] === undefined || pdu[5] <= objectId) break;
    objectId = pdu[5];
  }
  return { vendor: objects[0], product: objects[1], revision: objects[2], objects };
}

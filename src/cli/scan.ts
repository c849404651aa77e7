/**
 * `plantwatch scan <where>`: which Modbus unit ids answer on a gateway (host:port) or a serial
 * line (a device path), what they say they are, and a draft of their configuration. While it
 * scans, stderr tells how far it is (a serial line of 247 units takes minutes); Ctrl-C stops it
 * and keeps what was found so far.
 */
import { duration } from '../config/schema.js';
import {
  anyUnitWarning,
  endpointOf,
  formatTable,
  identificationOf,
  requestGap,
  type ScanProgress,
  type ScanResult,
  scanLine,
  writeDraft,
} from '../discovery/index.js';
import { lineToScan, parseUnits } from '../discovery/target.js';
import { out, stopOnInterrupt } from './common.js';

export { parseUnits } from '../discovery/target.js';

export interface ScanCliOptions {
  transport?: string;
  units: string;
  delay: string;
  timeout: string;
  retries: string;
  interFrameDelay?: string;
  baud?: string;
  parity?: string;
  dataBits?: string;
  stopBits?: string;
  name?: string;
  out?: string;
}

/** Without a terminal (a log, a pipe), a progress line at least this often, and at each unit found. */
export const PROGRESS_EVERY_MS = 5000;
const MAX_RETRIES = 5;

const numberOrUndefined = (text: string | undefined) => (text === undefined ? undefined : Number(text));

/**
 * Progress on stderr: on a terminal one line rewritten at each unit; otherwise a line per unit
 * found and one every PROGRESS_EVERY_MS, so that a log shows the scan is alive without a line
 * per unit id. Returns the listener, and `end` to finish the terminal's line.
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  let lastLine = performance.now();
  let pending = false;
  return {
    onProgress(progress: ScanProgress): void {
      const { unitId, probed, total, found, justFound } = progress;
      const head = `unit ${unitId}: ${probed} of ${total} probed, ${found.length} found so far`;
      const unit = justFound ? found[found.length - 1] : undefined;
      if (unit) {
        const { vendor, product } = identificationOf(unit);
        const what = [vendor, product].filter(Boolean).join(' ');
        stream.write(
          `${tty ? '\r\x1b[K' : ''}${head}; unit ${unitId} answered (${unit.answered}): ${what}\n`,
        );
        pending = false;
        lastLine = performance.now();
        return;
      }
      if (tty) {
        stream.write(`\r\x1b[K${head}`);
        pending = true;
      } else if (performance.now() - lastLine >= PROGRESS_EVERY_MS || probed === total) {
        stream.write(`${head}\n`);
        lastLine = performance.now();
      }
    },
    end(): void {
      if (pending) stream.write('\n');
      pending = false;
    },
  };
}

export async function runScan(where: string, opts: ScanCliOptions): Promise<number> {
  const units = parseUnits(opts.units);
  const line = lineToScan(where, {
    transport: opts.transport,
    timeout: opts.timeout,
    interFrameDelay: opts.interFrameDelay,
    baudRate: numberOrUndefined(opts.baud),
    parity: opts.parity,
    dataBits: numberOrUndefined(opts.dataBits),
    stopBits: numberOrUndefined(opts.stopBits),
    name: opts.name,
  });
  const delay = duration.safeParse(opts.delay);
  const retries = Number(opts.retries);
  const problem =
    typeof units === 'string'
      ? `--units ${units}`
      : typeof line === 'string'
        ? line
        : !delay.success
          ? `--delay ${opts.delay}: a duration, e.g. 100ms`
          : !Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES
            ? `--retries ${opts.retries}: a whole number from 0 to ${MAX_RETRIES}`
            : undefined;
  if (problem || typeof units === 'string' || typeof line === 'string' || !delay.success) {
    process.stderr.write(`${problem}\n`);
    return 1;
  }
  const gap = requestGap(line, delay.data);
  process.stderr.write(
    `scanning units ${units.from}-${units.to} on ${endpointOf(line)}: ${line.timeout} ms timeout, ` +
      `${retries} ${retries === 1 ? 'retry' : 'retries'} of a silent unit, ` +
      `at least ${Math.ceil(gap)} ms between requests\n`,
  );
  const progress = progressPrinter();
  const controller = new AbortController();
  const restore = stopOnInterrupt(controller);
  let result: ScanResult;
  try {
    result = await scanLine(line, {
      ...units,
      delayMs: delay.data,
      retries,
      onProgress: progress.onProgress,
      signal: controller.signal,
    });
  } catch (err) {
    progress.end();
    process.stderr.write(`cannot scan ${endpointOf(line)}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    restore();
  }
  progress.end();
  if (result.stopped) process.stderr.write(`stopped after ${result.probed} of ${result.total} unit ids\n`);
  if (result.found.length === 0) {
    const among = result.stopped
      ? `among the ${result.probed} unit ids probed`
      : `among units ${units.from}-${units.to}`;
    process.stderr.write(
      `no unit answered on ${endpointOf(line)} ${among} ` +
        `(check the wiring, the baud rate and parity, the unit ids, or a longer --timeout)\n`,
    );
    return 1;
  }
  out(formatTable(result.found));
  const warning = anyUnitWarning(result);
  if (warning) process.stderr.write(`warning: ${warning}\n`);
  if (opts.out) {
    for (const path of writeDraft(opts.out, result)) out(`wrote ${path}`);
  }
  return 0;
}

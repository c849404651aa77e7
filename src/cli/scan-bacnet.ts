/**
 * `plantwatch scan bacnet`: the BACnet/IP devices that answer Who-Is (broadcast, or the
 * addresses given), each one's objects with names and units, and a draft of their
 * configuration. While it scans, stderr tells how far it is (a controller that cannot segment
 * is read an element at a time: hundreds of requests); Ctrl-C stops it and keeps what was read.
 * Registered under `scan` (src/cli/index.ts); what it needs is imported when it runs.
 */
import type { Command } from 'commander';
import { duration } from '../config/schema.js';
import type { BacnetScanProgress, BacnetScanResult } from '../discovery/bacnet.js';
import type { ExistingProfile } from '../discovery/bacnet-draft.js';
import { out, stopOnInterrupt } from './common.js';

export interface ScanBacnetCliOptions {
  interface: string;
  port: string;
  broadcast: string;
  address?: string[];
  instances?: string;
  types?: string;
  wait: string;
  timeout: string;
  retries: string;
  delay: string;
  concurrency: string;
  name: string;
  profile?: string[];
  out?: string;
}

/** Without a terminal (a log, a pipe), a progress line at least this often, and at each device read. */
const PROGRESS_EVERY_MS = 5000;
const MAX_RETRIES = 5;
const MAX_CONCURRENCY = 32;
/** Addresses listed one by one when they did not answer; more are counted. */
const SILENT_LISTED = 10;

/**
 * `scan bacnet` under the `scan` command. Its options share names with `scan`'s own (--timeout,
 * --delay, --out…): with positional options, on the program and on `scan`, each command parses
 * only the options before its subcommand, and `scan bacnet --timeout 1s` is bacnet's. (The
 * program has no options of its own, so nothing else changes.)
 */
export function registerScanBacnet(scan: Command): void {
  scan.parent?.enablePositionalOptions();
  scan.enablePositionalOptions();
  scan
    .command('bacnet')
    .description(
      'find the BACnet/IP devices (Who-Is), read their object lists with names and units, and draft their configuration',
    )
    .option(
      '--interface <address>',
      'local address to bind (0.0.0.0 hears broadcast I-Am answers)',
      '0.0.0.0',
    )
    .option(
      '--port <udp port>',
      "local UDP port: the network's BACnet/IP port (another hears only answers sent back to it)",
      '47808',
    )
    .option(
      '--broadcast <address>',
      "where Who-Is goes: the subnet's broadcast address[:port]",
      '255.255.255.255',
    )
    .option('--address <targets...>', 'Who-Is to these instead: ip, ip:port, or a range such as 10.1.0.20-40')
    .option('--instances <range>', 'only device instances in this range, e.g. 1000-2000')
    .option('--types <list>', 'object types to read, e.g. ai,ao,av,bi,bo,bv,msv (default: every point type)')
    .option('--wait <duration>', 'how long to collect I-Am answers', '3s')
    .option('--timeout <duration>', 'how long to wait for each answer', '3s')
    .option('--retries <n>', 'asked again after a timeout', '1')
    .option('--delay <duration>', 'least time between two requests to one device', '20ms')
    .option('--concurrency <n>', 'devices read at once', '4')
    .option('--name <id>', "the port's id in the draft (bacnet.ports, devices/<id>.yaml)", 'bacnet')
    .option('--profile <files...>', 'profiles written before: the objects new since are marked')
    .option(
      '--out <dir>',
      'write devices/<name>.yaml, profiles/*.yaml and plantwatch.bacnet.<name>.yaml there',
    )
    .action(async (opts: ScanBacnetCliOptions) => {
      const code = await runScanBacnet(opts);
      // The library keeps a 10-second timer for each broadcast it sent (its transport's
      // _lastSendMessages), which would hold the process that long after the scan: exit once
      // what was written has reached the terminal or the pipe.
      await flushed(process.stdout);
      await flushed(process.stderr);
      process.exit(code);
    });
}

const flushed = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => stream.write('', () => resolve()));

/**
 * Progress on stderr: on a terminal one line rewritten as it goes; otherwise a line per device
 * read or failed and one every PROGRESS_EVERY_MS.
 */
function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  let lastLine = performance.now();
  let pending = false;
  const line = (text: string) => {
    stream.write(`${tty ? '\r\x1b[K' : ''}${text}\n`);
    pending = false;
    lastLine = performance.now();
  };
  return {
    onProgress(progress: BacnetScanProgress): void {
      switch (progress.kind) {
        case 'who-is':
          line(`${progress.found.length} device(s) answered`);
          return;
        case 'read': {
          const { device, devicesDone, devicesTotal } = progress;
          line(
            `${devicesDone} of ${devicesTotal}: device ${device.instance} (${device.address}) read, ` +
              `${device.objects.length} point object(s) of ${device.objectCount}, ${device.requests} requests`,
          );
          return;
        }
        case 'failed': {
          const { failure, devicesDone, devicesTotal } = progress;
          line(
            `${devicesDone} of ${devicesTotal}: device ${failure.instance} (${failure.address}): ${failure.reason}`,
          );
          return;
        }
        case 'reading': {
          const { device, step, done, total, devicesDone, devicesTotal } = progress;
          const text =
            `device ${device.instance} (${device.address}): ${step} ${total > 0 ? `${done}/${total}` : ''}; ` +
            `${devicesDone} of ${devicesTotal} device(s) done`;
          if (tty) {
            stream.write(`\r\x1b[K${text}`);
            pending = true;
          } else if (performance.now() - lastLine >= PROGRESS_EVERY_MS) line(text);
        }
      }
    },
    end(): void {
      if (pending) stream.write('\n');
      pending = false;
    },
  };
}

const wholeNumber = (text: string, from: number, to: number) => {
  const n = Number(text);
  return Number.isInteger(n) && n >= from && n <= to ? n : undefined;
};

function failures(result: BacnetScanResult): string[] {
  const silent = result.failed.filter((f) => f.instance === undefined);
  const listed = silent.length > SILENT_LISTED ? [] : silent;
  return [
    ...result.failed
      .filter((f) => f.instance !== undefined || listed.includes(f))
      .map(
        (f) =>
          `not read: ${f.address}${f.instance !== undefined ? ` (device ${f.instance})` : ''}: ${f.reason}`,
      ),
    ...(listed.length < silent.length ? [`${silent.length} of the addresses given did not answer`] : []),
  ];
}

export async function runScanBacnet(opts: ScanBacnetCliOptions): Promise<number> {
  const { parseBacnetTargets, parseInstanceRange, parseObjectTypes, scanBacnet } = await import(
    '../discovery/bacnet.js'
  );
  const { bacnetDraftFiles, formatDeviceTable, readExistingProfile, writeBacnetDraft } = await import(
    '../discovery/bacnet-draft.js'
  );
  const problems: string[] = [];
  const parsed = <T>(value: T | string, what: string): T | undefined => {
    if (typeof value !== 'string') return value;
    problems.push(`${what} ${value}`);
    return undefined;
  };
  const time = (text: string, what: string) => {
    const result = duration.safeParse(text);
    if (!result.success) problems.push(`${what} ${text}: a duration, e.g. 3s or 500ms`);
    return result.success ? result.data : 0;
  };
  const number = (text: string, what: string, from: number, to: number) => {
    const n = wholeNumber(text, from, to);
    if (n === undefined) problems.push(`${what} ${text}: a whole number from ${from} to ${to}`);
    return n ?? from;
  };
  const addresses = opts.address ? parsed(parseBacnetTargets(opts.address), '--address') : [];
  const limits = opts.instances ? parsed(parseInstanceRange(opts.instances), '--instances') : undefined;
  const types = opts.types ? parsed(parseObjectTypes(opts.types), '--types') : undefined;
  const waitMs = time(opts.wait, '--wait');
  const timeoutMs = time(opts.timeout, '--timeout');
  const delayMs = time(opts.delay, '--delay');
  const udpPort = number(opts.port, '--port', 1, 65535);
  const retries = number(opts.retries, '--retries', 0, MAX_RETRIES);
  const concurrency = number(opts.concurrency, '--concurrency', 1, MAX_CONCURRENCY);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(opts.name))
    problems.push(`--name ${opts.name}: an id of letters, digits, "-" or "_"`);
  const profiles: ExistingProfile[] = [];
  for (const file of opts.profile ?? []) {
    try {
      profiles.push(readExistingProfile(file));
    } catch (err) {
      problems.push(`--profile ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`${problem}\n`);
    return 1;
  }
  const where =
    addresses && addresses.length > 0
      ? `Who-Is to ${addresses.length === 1 ? addresses[0] : `${addresses.length} addresses`}`
      : `Who-Is to ${opts.broadcast}`;
  process.stderr.write(
    `scanning BACnet/IP from ${opts.interface}:${udpPort}, ${where}` +
      (limits ? `, instances ${limits.lowLimit}-${limits.highLimit}` : '') +
      `: ${timeoutMs} ms timeout, ${retries} ${retries === 1 ? 'retry' : 'retries'}, ` +
      `at least ${delayMs} ms between requests to a device, ${concurrency} device(s) at once\n`,
  );
  const progress = progressPrinter();
  const controller = new AbortController();
  const restore = stopOnInterrupt(controller);
  let result: BacnetScanResult;
  try {
    result = await scanBacnet(
      { interface: opts.interface, port: udpPort, broadcastAddress: opts.broadcast, timeoutMs },
      {
        ...(addresses && addresses.length > 0 ? { addresses } : {}),
        ...limits,
        ...(types ? { types } : {}),
        waitMs,
        delayMs,
        retries,
        concurrency,
        onProgress: progress.onProgress,
        signal: controller.signal,
      },
    );
  } catch (err) {
    progress.end();
    process.stderr.write(`cannot scan: ${(err as Error).message}\n`);
    return 1;
  } finally {
    restore();
  }
  progress.end();
  for (const line of failures(result)) process.stderr.write(`${line}\n`);
  if (result.stopped) process.stderr.write(`stopped: ${result.devices.length} device(s) read before\n`);
  if (result.devices.length === 0) {
    process.stderr.write(
      `no BACnet device read (${where}): check the broadcast address (or give --address), that UDP ` +
        `${udpPort} is the network's BACnet/IP port and not blocked, or a longer --wait and --timeout\n`,
    );
    return 1;
  }
  out(formatDeviceTable(result.devices));
  for (const device of result.devices)
    for (const problem of device.problems) process.stderr.write(`device ${device.instance}: ${problem}\n`);
  const port = { id: opts.name, interface: opts.interface, udpPort, broadcastAddress: opts.broadcast };
  const draftOptions = { port, source: '`plantwatch scan bacnet`', profiles };
  const written = opts.out ? writeBacnetDraft(opts.out, result, draftOptions) : undefined;
  const draft = written?.draft ?? bacnetDraftFiles(result, draftOptions);
  for (const profile of draft.summary) {
    const against = profile.mergedWith
      ? `; against ${profile.mergedWith}: ${profile.newObjects.length} new object(s)` +
        (profile.newObjects.length > 0 ? ` (${profile.newObjects.join(', ')})` : '') +
        (profile.goneObjects.length > 0 ? `, gone: ${profile.goneObjects.join(', ')}` : '')
      : '';
    out(
      `profile ${profile.id}: ${profile.points} point(s) for device(s) ${profile.devices.join(', ')}${against}`,
    );
  }
  if (written) for (const path of written.paths) out(`wrote ${path}`);
  else out('(--out <dir> writes the draft: devices, profiles and the port for plantwatch.yaml)');
  return 0;
}

/**
 * Scans started from the admin page: each a job that runs in the background while the page
 * asks how far it is, keeps what it found, and gives the draft to download when it is done.
 *
 * - One scan at a time per target (a key its protocol's Scanner gives: for Modbus the line's
 *   endpoint, however it was named), and a few at most at once.
 * - Each start, cancel and end is logged with who started it.
 * - Finished jobs are kept, the latest KEEP_FINISHED, for their results and drafts.
 *
 * Protocol-neutral: which targets there are, whether one may be scanned, the scan and its draft
 * are a Scanner's, one per protocol: modbus-scanner.ts (a line), bacnet-scanner.ts (a port the
 * gateway has open).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ModbusLineConfig } from '../config/schema.js';
import type { UnitRange } from './target.js';

export const SCAN_PROTOCOLS = ['modbus', 'bacnet'] as const;
export type ScanProtocol = (typeof SCAN_PROTOCOLS)[number];
export type ScanState = 'running' | 'done' | 'failed' | 'cancelled';
/** A Modbus line's transport, or a BACnet/IP port's. */
export type ScanTransport = ModbusLineConfig['transport'] | 'bacnet-ip';

/** What an admin asks of a Modbus line; checked for its bounds by the caller (the HTTP route's schema). */
export interface ScanRequest extends UnitRange {
  protocol: 'modbus';
  /** A configured line's id, "host:port", or a serial port's path. */
  where: string;
  transport?: 'tcp' | 'rtu-over-tcp' | 'rtu' | undefined;
  delayMs: number;
  timeoutMs: number;
  retries: number;
  /** The serial line's settings (rtu), and the line's id in the draft. */
  baudRate?: number | undefined;
  parity?: 'none' | 'even' | 'odd' | undefined;
  dataBits?: 7 | 8 | undefined;
  stopBits?: 1 | 2 | undefined;
  name?: string | undefined;
}

/** What an admin asks of a BACnet/IP port the gateway has open; checked like ScanRequest. */
export interface BacnetScanRequest {
  protocol: 'bacnet';
  /** The port's id in plantwatch.yaml's bacnet.ports. */
  where: string;
  /** Unicast Who-Is to each ("ip" or "ip:port"); a broadcast Who-Is when empty. */
  addresses: string[];
  /** Only devices with an instance in the range. */
  instances?: { lowLimit: number; highLimit: number } | undefined;
  /** How long to collect I-Am answers. */
  waitMs: number;
  delayMs: number;
  retries: number;
}

export type AnyScanRequest = ScanRequest | BacnetScanRequest;

/** A unit found, as the page shows it. */
export interface FoundView {
  /** Modbus: the unit id; BACnet: the device instance. */
  unit: number;
  answered: string;
  vendor: string | null;
  product: string | null;
  revision: string | null;
  /** Why there is no identification (function 43 refused, no answer), or null. */
  missing: string | null;
  /** BACnet: where it answered ("ip" or "ip:port"), its object-name, its point objects read and its object-list's length. */
  address?: string;
  name?: string | null;
  objects?: number;
  objectCount?: number;
}

export interface ScanJobView {
  id: string;
  protocol: ScanProtocol;
  /** What was asked for ("line1", "10.0.0.5:502", "/dev/ttyUSB0"), and the endpoint it is. */
  where: string;
  endpoint: string;
  transport: ScanTransport;
  /** The configured line (BACnet: port) scanned, or null for an address. */
  line: string | null;
  /** Modbus: the unit ids; BACnet: the device instances. */
  units: UnitRange;
  state: ScanState;
  /** Modbus: unit ids probed of the total; BACnet: devices read of those that answered Who-Is. */
  probed: number;
  total: number;
  found: FoundView[];
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  /** Why it failed. */
  error: string | null;
  /** Modbus: every unit id answered alike (see anyUnitWarning); BACnet: the addresses or devices not read; or null. */
  warning: string | null;
  /** The draft's files (relative paths in a configuration directory), once there is one. */
  files: string[];
}

/** A configured line (BACnet: port) as the scan form offers it. */
export interface ScanLineView {
  id: string;
  transport: ScanTransport;
  endpoint: string;
  /** Why it cannot be scanned while the gateway runs, or null. */
  refused: string | null;
}

/** A target of one of the protocols, as GET /api/config/scans lists them. */
export interface ScanTargetView extends ScanLineView {
  protocol: ScanProtocol;
}

/** A request the manager refuses: `status` is the HTTP answer (400 bad, 404 unknown, 409 conflict). */
export class ScanRefused extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409,
  ) {
    super(message);
    this.name = 'ScanRefused';
  }
}

/** A protocol's side of the scans: its targets, and a request made ready to run. */
export interface Scanner<Request = ScanRequest> {
  /** The configured targets the form offers (lines, ports), each with why it cannot be scanned now. */
  targets(): ScanLineView[];
  /** The scan a request asks for; throws ScanRefused when its target is bad or not free. */
  prepare(request: Request): PreparedScan;
}

export interface PreparedScan {
  /** One scan at a time per key (the same target, however it was named). */
  key: string;
  /** What the job shows of its target (ScanJobView's fields of the same names). */
  endpoint: string;
  transport: ScanJobView['transport'];
  line: string | null;
  /** What the job shows as its range and total before it runs (default the request's unit ids). */
  units?: UnitRange;
  total?: number;
  run(hooks: ScanHooks): Promise<ScanOutcome>;
}

export interface ScanHooks {
  /** Stops the scan: it ends soon after with what it found so far (`stopped`). */
  signal: AbortSignal;
  /** Who made the draft, for its first comment line. */
  source: string;
  /** After each unit probed: how many so far, the unit just found, if one was, and the total if it changed. */
  onProgress(probed: number, found?: FoundView, total?: number): void;
}

export interface ScanOutcome {
  probed: number;
  /** The total, when it was not known at the start (BACnet: the devices that answered Who-Is). */
  total?: number;
  found: FoundView[];
  /** Stopped by the signal before the end. */
  stopped: boolean;
  warning: string | null;
  /** The draft's files by path relative to a configuration directory; none when nothing was found. */
  draft: Map<string, string>;
}

export interface ScanJobsOptions {
  /** One Scanner per protocol; without a BACnet one, a BACnet scan is refused. */
  scanners: { modbus: Scanner<ScanRequest>; bacnet?: Scanner<BacnetScanRequest> | undefined };
  log: Logger;
  /** Scans running at once, at most (default 4). */
  maxRunning?: number;
  now?: () => number;
}

const MAX_RUNNING = 4;
export const KEEP_FINISHED = 20;
/** How long a cancel waits for the scan to end before it answers (the state may still be running). */
const CANCEL_WAIT_MS = 2000;

interface Job {
  view: ScanJobView;
  /** The target's key: one scan at a time per key. */
  key: string;
  controller: AbortController;
  /** The draft's files by relative path, once done. */
  draft: Map<string, string>;
  finished: Promise<void>;
}

export class ScanJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly options: ScanJobsOptions) {
    this.log = options.log.child({ component: 'scan' });
    this.now = options.now ?? Date.now;
  }

  /** The configured targets of every protocol, each with why it cannot be scanned now, if it cannot. */
  lines(): ScanTargetView[] {
    const { modbus, bacnet } = this.options.scanners;
    return [
      ...modbus.targets().map((target) => ({ ...target, protocol: 'modbus' as const })),
      ...(bacnet?.targets() ?? []).map((target) => ({ ...target, protocol: 'bacnet' as const })),
    ];
  }

  /** Every job kept, the newest first. */
  list(): ScanJobView[] {
    return [...this.jobs.values()].map((job) => copy(job.view)).reverse();
  }

  get(id: string): ScanJobView | undefined {
    const job = this.jobs.get(id);
    return job && copy(job.view);
  }

  /** Starts a scan; refused (ScanRefused) when the target is bad, busy or not free. */
  start(request: AnyScanRequest, startedBy: string): ScanJobView {
    const prepared = this.prepare(request);
    const running = [...this.jobs.values()].filter((job) => job.view.state === 'running');
    const busy = running.find((job) => job.key === prepared.key);
    if (busy)
      throw new ScanRefused(
        `${prepared.key} is being scanned already (scan ${busy.view.id}, started by ${busy.view.startedBy}): ` +
          'wait for it to finish or cancel it',
        409,
      );
    const maxRunning = this.options.maxRunning ?? MAX_RUNNING;
    if (running.length >= maxRunning)
      throw new ScanRefused(`${maxRunning} scans are running already: wait for one to finish`, 409);
    const view: ScanJobView = {
      id: randomBytes(6).toString('hex'),
      protocol: request.protocol,
      where: request.where,
      endpoint: prepared.endpoint,
      transport: prepared.transport,
      line: prepared.line,
      units: prepared.units,
      state: 'running',
      probed: 0,
      total: prepared.total,
      found: [],
      startedBy,
      startedAt: new Date(this.now()).toISOString(),
      finishedAt: null,
      error: null,
      warning: null,
      files: [],
    };
    const job: Job = {
      view,
      key: prepared.key,
      controller: new AbortController(),
      draft: new Map(),
      finished: Promise.resolve(),
    };
    this.jobs.set(view.id, job);
    this.forgetOld();
    this.log.info(
      { scan: view.id, actor: startedBy, target: view.endpoint, line: view.line, units: view.units },
      `${startedBy}: scan ${view.id} of ${view.endpoint} started, ` +
        `${request.protocol === 'bacnet' ? 'device instances' : 'units'} ${view.units.from}-${view.units.to}`,
    );
    job.finished = this.run(job, prepared);
    return copy(view);
  }

  /** The request made ready by its protocol's Scanner, with the range and total the job shows. */
  private prepare(request: AnyScanRequest): PreparedScan & { units: UnitRange; total: number } {
    if (request.protocol === 'bacnet') {
      const { bacnet } = this.options.scanners;
      if (!bacnet)
        throw new ScanRefused(
          'protocol: bacnet needs a BACnet/IP port in plantwatch.yaml (bacnet.ports)',
          400,
        );
      const prepared = bacnet.prepare(request);
      return { ...prepared, units: prepared.units ?? { from: 0, to: 0 }, total: prepared.total ?? 0 };
    }
    const prepared = this.options.scanners.modbus.prepare(request);
    return {
      ...prepared,
      units: prepared.units ?? { from: request.from, to: request.to },
      total: prepared.total ?? request.to - request.from + 1,
    };
  }

  /**
   * Stops a running scan (its units found so far are kept) and waits a moment for it to end:
   * the request under way ends at once, a connection being opened only at its own timeout.
   * A finished scan is left as it is.
   */
  async cancel(id: string, by: string): Promise<ScanJobView | undefined> {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    if (job.view.state === 'running') {
      this.log.info({ scan: id, actor: by }, `${by}: scan ${id} of ${job.view.endpoint} cancelled`);
      job.controller.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        job.finished,
        new Promise((resolve) => {
          timer = setTimeout(resolve, CANCEL_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    return copy(job.view);
  }

  /** A file of a job's draft, by its relative path; refused when there is no such job or file. */
  draft(id: string, file: string | undefined): { path: string; content: string } {
    const job = this.jobs.get(id);
    if (!job) throw new ScanRefused(`no scan ${id}`, 404);
    if (job.draft.size === 0)
      throw new ScanRefused(
        job.view.state === 'running'
          ? `scan ${id} is still running: its draft comes when it is done`
          : `scan ${id} found no unit: there is no draft`,
        409,
      );
    const names = [...job.draft.keys()];
    const path = file ?? names[0];
    const content = path === undefined ? undefined : job.draft.get(path);
    if (path === undefined || content === undefined)
      throw new ScanRefused(`file: one of ${names.join(', ')}`, 404);
    return { path, content };
  }

  /** Cancels every running scan and waits for them to end (the gateway is stopping). */
  async stop(): Promise<void> {
    const jobs = [...this.jobs.values()];
    for (const job of jobs) job.controller.abort();
    await Promise.all(jobs.map((job) => job.finished));
  }

  private async run(job: Job, prepared: PreparedScan): Promise<void> {
    const { view } = job;
    const started = this.now();
    try {
      const outcome = await prepared.run({
        signal: job.controller.signal,
        source: `a scan on the admin page (by ${view.startedBy}, ${view.startedAt})`,
        onProgress: (probed, found, total) => {
          view.probed = probed;
          if (found) view.found.push(found);
          if (total !== undefined) view.total = total;
        },
      });
      view.probed = outcome.probed;
      if (outcome.total !== undefined) view.total = outcome.total;
      view.found = outcome.found;
      view.warning = outcome.warning;
      view.state = outcome.stopped ? 'cancelled' : 'done';
      job.draft = outcome.draft;
      view.files = [...outcome.draft.keys()];
    } catch (err) {
      view.state = 'failed';
      view.error = `cannot scan ${view.endpoint}: ${err instanceof Error ? err.message : String(err)}`;
    }
    view.finishedAt = new Date(this.now()).toISOString();
    const summary = {
      scan: view.id,
      actor: view.startedBy,
      target: view.endpoint,
      state: view.state,
      probed: view.probed,
      found: view.found.map((unit) => unit.unit),
      durationMs: this.now() - started,
      ...(view.error ? { error: view.error } : {}),
      ...(view.warning ? { warning: view.warning } : {}),
    };
    const text =
      view.protocol === 'bacnet'
        ? `scan ${view.id} of ${view.endpoint} (started by ${view.startedBy}) ${view.state}: ${view.found.length} device(s) read of ${view.total} that answered`
        : `scan ${view.id} of ${view.endpoint} (started by ${view.startedBy}) ${view.state}: ${view.found.length} unit(s) found of ${view.probed} probed`;
    if (view.state === 'failed') this.log.warn(summary, text);
    else this.log.info(summary, text);
  }

  /** Keeps the running jobs and the latest KEEP_FINISHED finished ones. */
  private forgetOld(): void {
    const finished = [...this.jobs.values()].filter((job) => job.view.state !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.jobs.delete(job.view.id);
  }
}

const copy = (view: ScanJobView): ScanJobView => ({
  ...view,
  units: { ...view.units },
  found: view.found.map((unit) => ({ ...unit })),
  files: [...view.files],
});

/**
 * Polls one device: each poll group on its own period, staggered so a line's devices do
 * not all ask at the top of the second. A device that stops answering is marked
 * comm-error (value null, never a substitute) and then only probed on its own backoff
 * schedule, so the live devices sharing its line keep their poll rate.
 */
import type { Logger } from 'pino';
import type { ModbusDeviceConfig, ModbusPointConfig, ModbusProfile } from '../../config/schema.js';
import { type PointBus, type PointValue, pointId, type Quality, type Value } from '../../points/index.js';
import { decodeRegisters } from './codec.js';
import { RequestStats } from './diagnostics.js';
import { LineDownError, type LineIo, type LineTask, type ModbusLine } from './line.js';
import { planBlocks, type ReadBlock, splitBlock } from './plan.js';
import { ModbusExceptionError, type ReadReply, type ReadResult } from './transport.js';

/** Exceptions a gateway answers for a unit behind it that is dead: treated like a timeout. */
const GATEWAY_TARGET_EXCEPTIONS = new Set([10, 11]);

const STAGGER_WINDOW_MS = 5000;

class DeviceUnreachableError extends Error {}

/**
 * A value read, made by a constructor rather than an object literal: V8 tracks a literal's
 * allocations and, once enough of them outlive a young-generation collection, makes every
 * later one straight in the old generation ("pretenuring"). A poll's values mostly die young,
 * and tenured they cost a full collection every few seconds (bench/README.md, large plant).
 */
class Reading implements PointValue {
  constructor(
    readonly id: string,
    readonly value: Value,
    readonly quality: Quality,
    readonly ts: number,
  ) {}
}

interface PollGroup {
  name: string;
  /** The work handed to the line at each poll (made once, not per poll). */
  task: LineTask;
  periodMs: number;
  blocks: ReadBlock[];
  points: ModbusPointConfig[];
  /** When the next poll is due (ms since the epoch), and what the line's clock calls then. */
  dueAt: number;
  onDue: () => void;
  inFlight: boolean;
  /**
   * For staleness, the words each block (by index) last answered, copied into an array of the
   * block's own, and when (0: no good answer since). Decoded again only if they turn stale:
   * holding every value's point object, or each answer's array, for a period made them
   * old-generation garbage at every poll.
   */
  lastWords: Uint16Array[];
  lastReadAt: number[];
  lastSuccess?: number;
  staleReported: boolean;
  /** Each block's points' ids, by block and point (built with the blocks, not looked up per value). */
  blockIds: string[][];
  /** The poll under way: its line, the block being read, the values so far. */
  io: LineIo | undefined;
  next: number;
  values: PointValue[];
  /** The reply to every read of this group's polls (made once). */
  reply: ReadReply;
}

export type DeviceState = 'starting' | 'ok' | 'unreachable';

export interface DeviceSnapshot {
  id: string;
  line: string;
  unitId: number;
  state: DeviceState;
  /** Requests per poll of all groups: what coalescing achieved. */
  blocks: Record<string, { table: string; start: number; count: number }[]>;
  /**
   * While unreachable, the wait before the device is asked again: its line's reconnection
   * wait while the line is down (unless its own probe is due later), else its own backoff.
   */
  backoffMs: number;
  nextProbeAt?: string;
  lastError?: string;
  requests: number;
  responses: number;
  timeouts: number;
  exceptions: Record<string, number>;
  meanResponseMs: number;
  maxResponseMs: number;
  requestsPerSecond: number;
}

export interface DevicePollerOptions {
  device: ModbusDeviceConfig;
  profile: ModbusProfile;
  line: ModbusLine;
  bus: PointBus;
  log: Logger;
  staleAfterPeriods: number;
  now?: () => number;
}

/** Keep a block's answer for staleness, in the block's own array (bits as 0/1). */
function remember(group: PollGroup, block: number, data: ReadResult, ts: number): void {
  let words = group.lastWords[block];
  if (words?.length !== data.length) {
    words = new Uint16Array(data.length);
    group.lastWords[block] = words;
  }
  for (let i = 0; i < data.length; i++) words[i] = Number(data[i]);
  group.lastReadAt[block] = ts;
}

export class DevicePoller {
  readonly stats = new RequestStats();
  private readonly groups: PollGroup[];
  private readonly device: ModbusDeviceConfig;
  private readonly line: ModbusLine;
  private readonly bus: PointBus;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly staleAfterPeriods: number;
  /** Each point's id, built once: a new `device.point` string per value per read was garbage. */
  private readonly ids = new Map<ModbusPointConfig, string>();
  private state: DeviceState = 'starting';
  /** The wait the next failed probe will impose (doubled at each). */
  private backoffMs: number;
  /** The wait imposed by the last failure, and when it ends (0: asked at the next poll). */
  private probeDelayMs = 0;
  private nextProbeAt = 0;
  private probing = false;
  private lastError: string | undefined;
  private stopped = false;
  private readonly offLine: (reason: string) => void;
  private readonly onLine: () => void;

  constructor(options: DevicePollerOptions) {
    this.device = options.device;
    this.line = options.line;
    this.bus = options.bus;
    this.now = options.now ?? Date.now;
    this.staleAfterPeriods = options.staleAfterPeriods;
    this.log = options.log.child({ device: options.device.id, line: options.line.config.id });
    this.backoffMs = this.line.config.backoff.initial;
    for (const point of options.profile.points) this.ids.set(point, pointId(options.device.id, point.name));
    this.groups = Object.entries(options.profile.pollGroups)
      .map(([name, periodMs]) => {
        const points = options.profile.points.filter((p) => p.poll === name);
        const blocks = planBlocks(points, options.profile);
        const group: PollGroup = {
          name,
          task: {
            unitId: this.device.modbus.unitId,
            stats: this.stats,
            run: (io) => this.pollGroup(io, group),
            done: (err) => this.pollDone(group, err),
          },
          dueAt: 0,
          onDue: () => this.onDue(group),
          periodMs,
          points,
          blocks,
          blockIds: this.idsOf(blocks),
          inFlight: false,
          lastWords: [],
          lastReadAt: [],
          staleReported: false,
          io: undefined,
          next: 0,
          values: [],
          reply: {
            answered: (data) => this.blockAnswered(group, data),
            refused: (err) => this.blockRefused(group, err),
          },
        };
        return group;
      })
      .filter((g) => g.points.length > 0);
    this.offLine = (reason) => this.markUnreachable(`line down: ${reason}`, false);
    // Back on line: ask at once, unless the device itself is in backoff for not answering
    // (a reopened TCP session does not make a dead unit alive).
    this.onLine = () => {
      for (const group of this.groups) this.tick(group);
    };
  }

  /**
   * Start polling; `phase` in [0,1) staggers this device within each period, counted from
   * `origin` (the same for every device, so that devices given the same phase poll together).
   */
  start(phase: number, origin = this.now()): void {
    this.line.on('down', this.offLine);
    this.line.on('up', this.onLine);
    // Spread over the period, but no more than STAGGER_WINDOW_MS: after a start every value
    // should be known within seconds, not only once the 60-second counters come round.
    for (const group of this.groups) {
      this.schedule(group, origin + phase * Math.min(group.periodMs, STAGGER_WINDOW_MS));
    }
  }

  stop(): void {
    this.stopped = true;
    this.line.off('down', this.offLine);
    this.line.off('up', this.onLine);
    for (const group of this.groups) this.line.clock.cancel(group.dueAt, group.onDue);
  }

  /** Drift-free: the k-th poll is due at first + k·period; a late tick skips to the next slot. */
  private schedule(group: PollGroup, due: number): void {
    if (this.stopped) return;
    group.dueAt = due;
    this.line.clock.at(due, group.onDue);
  }

  private onDue(group: PollGroup): void {
    this.tick(group);
    let next = group.dueAt + group.periodMs;
    const now = this.now();
    if (next <= now) next += Math.ceil((now - next + 1) / group.periodMs) * group.periodMs;
    this.schedule(group, next);
  }

  private tick(group: PollGroup): void {
    if (this.stopped) return;
    this.reportStaleness(group);
    if (!this.line.connected) return;
    if (group.inFlight) {
      // The previous poll has not even been sent: the line is overloaded. Skip, don't pile up.
      this.line.stats.overruns++;
      return;
    }
    if (this.state === 'unreachable') {
      if (this.now() < this.nextProbeAt || this.probing) return;
      this.probing = true;
    }
    group.inFlight = true;
    this.line.submit(group.task);
  }

  private pollDone(group: PollGroup, err: Error | undefined): void {
    group.inFlight = false;
    this.probing = false;
    if (err) this.failed(err);
    else this.succeeded(group);
  }

  /**
   * A poll: its blocks read one after another, then its values published as one batch. Driven
   * by the group's reply, with no promise or async frame per poll or per block: this runs a
   * thousand times a second.
   */
  private pollGroup(io: LineIo, group: PollGroup): void {
    group.io = io;
    group.next = 0;
    group.values = [];
    this.readNext(group, io);
  }

  private readNext(group: PollGroup, io: LineIo): void {
    const block = group.blocks[group.next];
    if (!block) {
      group.io = undefined;
      this.bus.publish(group.values);
      io.finish();
      return;
    }
    io.read(block.table, block.start, block.count, group.reply);
  }

  private blockAnswered(group: PollGroup, data: ReadResult): void {
    const io = group.io;
    if (!io) return;
    const i = group.next;
    const block = group.blocks[i] as ReadBlock;
    const ids = group.blockIds[i] as string[];
    const ts = this.now();
    remember(group, i, data, ts);
    const points = block.points;
    for (let k = 0; k < points.length; k++) {
      const { point, index } = points[k] as ReadBlock['points'][number];
      group.values.push(this.decode(point, data, index, ts, ids[k] as string));
    }
    group.next = i + 1;
    this.readNext(group, io);
  }

  private blockRefused(group: PollGroup, err: Error): void {
    const io = group.io;
    if (!io) return;
    const block = group.blocks[group.next] as ReadBlock;
    group.lastReadAt[group.next] = 0;
    let outcome: 'split' | 'marked';
    try {
      outcome = this.refused(group, block, err);
    } catch (failure) {
      group.io = undefined;
      io.finish(failure as Error);
      return;
    }
    // A split replaced the block at `next` by its parts: read them now.
    if (outcome === 'marked') group.next++;
    this.readNext(group, io);
  }

  /**
   * A block the device answered with an exception: "illegal data address" splits it (and the
   * split is kept), a gateway's "target failed" means the device is gone, anything else marks
   * the block's points comm-error among the poll's values. Errors that are no answer at all
   * are rethrown.
   */
  private refused(group: PollGroup, block: ReadBlock, err: unknown): 'split' | 'marked' {
    if (!(err instanceof ModbusExceptionError)) throw err;
    if (GATEWAY_TARGET_EXCEPTIONS.has(err.code)) throw new DeviceUnreachableError(err.message);
    if (err.code === 2) {
      const parts = splitBlock(block);
      if (parts) {
        group.blocks.splice(group.blocks.indexOf(block), 1, ...parts);
        group.blockIds = this.idsOf(group.blocks);
        group.lastReadAt = [];
        this.log.info(
          { table: block.table, start: block.start, count: block.count, into: parts.length },
          'device refused a block read (exception 2): split it',
        );
        return 'split';
      }
    }
    this.log.warn(
      {
        table: block.table,
        start: block.start,
        count: block.count,
        points: block.points.map((p) => p.point.name),
        err: err.message,
      },
      'device answered a read with an exception',
    );
    const ts = this.now();
    for (const { point } of block.points) group.values.push(this.commError(point, ts));
    return 'marked';
  }

  private decode(
    point: ModbusPointConfig,
    data: ArrayLike<number | boolean>,
    index: number,
    ts: number,
    id: string,
  ): PointValue {
    const value =
      point.table === 'coil' || point.table === 'discrete'
        ? Boolean(data[index])
        : decodeRegisters(point, data as ArrayLike<number>, index);
    const outOfRange =
      typeof value === 'number' &&
      (!Number.isFinite(value) ||
        (point.range !== undefined && (value < point.range[0] || value > point.range[1])));
    return new Reading(id, value, outOfRange ? 'out-of-range' : 'good', ts);
  }

  private commError(point: ModbusPointConfig, ts: number): PointValue {
    return { id: this.idOf(point), value: null, quality: 'comm-error', ts };
  }

  private idOf(point: ModbusPointConfig): string {
    return this.ids.get(point) ?? pointId(this.device.id, point.name);
  }

  private idsOf(blocks: readonly ReadBlock[]): string[][] {
    return blocks.map((block) => block.points.map(({ point }) => this.idOf(point)));
  }

  private succeeded(group: PollGroup): void {
    group.lastSuccess = this.now();
    group.staleReported = false;
    this.lastError = undefined;
    if (this.state === 'ok') return;
    const recovered = this.state === 'unreachable';
    this.state = 'ok';
    this.backoffMs = this.line.config.backoff.initial;
    this.probeDelayMs = 0;
    this.nextProbeAt = 0;
    if (recovered) {
      this.log.info('device answering again');
      // Refresh the other groups now rather than leaving them comm-error for a whole slow period.
      for (const other of this.groups) if (other !== group) this.tick(other);
    }
  }

  private failed(err: unknown): void {
    if (this.stopped) return;
    if (err instanceof LineDownError) return; // the line's 'down' event already marked us
    const message = err instanceof Error ? err.message : String(err);
    this.markUnreachable(message, true);
  }

  private markUnreachable(reason: string, backoff: boolean): void {
    this.lastError = reason;
    if (backoff) {
      this.probeDelayMs = this.backoffMs;
      this.nextProbeAt = this.now() + this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, this.line.config.backoff.max);
    }
    if (this.state === 'unreachable') return;
    this.state = 'unreachable';
    this.log.warn({ reason }, 'device not answering: comm-error until it does');
    const ts = this.now();
    for (const group of this.groups) group.lastReadAt = [];
    this.bus.publish(this.groups.flatMap((g) => g.points.map((p) => this.commError(p, ts))));
  }

  /** A good value not refreshed for staleAfterPeriods periods (overloaded line) turns stale. */
  private reportStaleness(group: PollGroup): void {
    if (this.state !== 'ok' || group.staleReported || group.lastSuccess === undefined) return;
    if (this.now() - group.lastSuccess <= this.staleAfterPeriods * group.periodMs) return;
    group.staleReported = true;
    const stale: PointValue[] = [];
    group.blocks.forEach((block, i) => {
      const data = group.lastWords[i];
      const ts = group.lastReadAt[i];
      const ids = group.blockIds[i];
      if (!data || !ts || !ids) return;
      for (const [k, { point, index }] of block.points.entries()) {
        const last = this.decode(point, data, index, ts, ids[k] as string);
        if (last.quality === 'good') stale.push({ ...last, quality: 'stale' });
      }
    });
    this.bus.publish(stale);
  }

  /** While unreachable: what the device really waits for before it is asked again, if anything. */
  private wait(): { delayMs: number; dueAt: number } | undefined {
    if (this.state !== 'unreachable') return undefined;
    const line = this.line.waitingToReconnect();
    const own = this.nextProbeAt > 0 ? { delayMs: this.probeDelayMs, dueAt: this.nextProbeAt } : undefined;
    if (!line) return own;
    return own && own.dueAt > line.dueAt ? own : line;
  }

  snapshot(): DeviceSnapshot {
    const now = this.now();
    const wait = this.wait();
    return {
      id: this.device.id,
      line: this.line.config.id,
      unitId: this.device.modbus.unitId,
      state: this.state,
      blocks: Object.fromEntries(
        this.groups.map((g) => [
          g.name,
          g.blocks.map(({ table, start, count }) => ({ table, start, count })),
        ]),
      ),
      backoffMs: wait?.delayMs ?? 0,
      ...(wait ? { nextProbeAt: new Date(wait.dueAt).toISOString() } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...this.stats.snapshot(now),
    };
  }
}

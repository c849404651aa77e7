/**
 * One BACnet device: each of its poll groups read at its own period (the first polls of a
 * port's devices spread over the period), its COV subscriptions, and its state. Its requests
 * go through the port's queue on their own: a dead device waits out its own timeouts, never
 * another device's. A device that does not answer within its timeout makes all its points
 * comm-error at once (value null: the comm-loss alarms see it), is probed again on a backoff,
 * and, when its address was found by Who-Is, looked for again (it may have moved); at its first
 * answer after, it is good again and its subscriptions are made again.
 */
import type { BACNetAddress, BACNetObjectID, CovNotifyPayload } from '@bacnet-js/client';
import type { Logger } from 'pino';
import type { PointBus, PointValue } from '../../points/index.js';
import { describeReceiver, macText, sameReceiver } from './address.js';
import { CovSubscriptions } from './cov.js';
import type { BacnetDeviceSpec } from './devices-from-config.js';
import { pointValueOf } from './point-values.js';
import { type PlannedPoint, type PollGroupPlan, pollGroupsOf } from './poll-groups.js';
import type { BacnetPort, WhoIsRequest } from './port.js';
import { BacnetDeviceReader, type ReadMode, type RequestRunner, type SegmentationSupport } from './reader.js';

/** First polls of a port's devices spread over their period, but over no more than this (as Modbus). */
const STAGGER_WINDOW_MS = 5_000;
/** The longest wait between probes of a device that does not answer, and between its Who-Is. */
const MAX_BACKOFF_MS = 30_000;
/** Who-Is for a device not found yet: again after this, doubling up to MAX_BACKOFF_MS. */
const FIRST_WHO_IS_RETRY_MS = 1_000;

export type BacnetDeviceState = 'starting' | 'ok' | 'unreachable';

export interface BacnetDeviceSnapshot {
  id: string;
  /** The port's id in plantwatch.yaml. */
  port: string;
  instance: number;
  /** Its IP address (given, or found by Who-Is; a router's for a routed device), or null while not found. */
  address: string | null;
  /** Behind a router: the remote network and the station's MAC address (hex). */
  network?: number;
  mac?: string;
  state: BacnetDeviceState;
  mode: ReadMode;
  maxApdu?: number;
  segmentation?: SegmentationSupport;
  /** Objects asked for per ReadPropertyMultiple now (halved after an answer too long). */
  objectsPerRequest?: number;
  /** Objects whose COV subscription holds (notifications come): not polled. */
  covActive: string[];
  /** Objects whose subscription the device refused, and its answer: polled. */
  covRefused: { object: string; reason: string }[];
  requests: number;
  timeouts: number;
  lastError?: string;
}

interface GroupState {
  plan: PollGroupPlan;
  timer: NodeJS.Timeout | undefined;
  /** When the next poll is due (Date.now() clock). */
  dueAt: number;
  inFlight: boolean;
  /** When the group last read or republished (performance.now()), for staleness. */
  lastSuccess: number | undefined;
  /** Its points' last good values, published stale if reads stop coming. */
  lastGood: Map<string, PointValue>;
  staleReported: boolean;
}

export interface DevicePollerOptions {
  spec: BacnetDeviceSpec;
  port: BacnetPort;
  bus: PointBus;
  log: Logger;
  now: () => number;
  staleAfterPeriods: number;
  /** Its subscriber process id, unique on the port: its COV notifications are told apart by it. */
  processId: number;
}

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class BacnetDevicePoller {
  private readonly spec: BacnetDeviceSpec;
  private readonly port: BacnetPort;
  private readonly bus: PointBus;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly groups: GroupState[];
  private readonly points: PlannedPoint[];
  private readonly reader: BacnetDeviceReader;
  private readonly cov: CovSubscriptions;
  private receiver: BACNetAddress | undefined;
  private state: BacnetDeviceState = 'starting';
  private lastError: string | undefined;
  private requests = 0;
  private timeouts = 0;
  private stopped = false;
  /** Probes of an unreachable device: the next not before nextProbeAt (performance.now()). */
  private backoffMs: number;
  private nextProbeAt = 0;
  private probing = false;
  /** Who-Is for this device: when it last went, the wait before the next, its timer. */
  private whoIsAt: number | undefined;
  private whoIsDelayMs = FIRST_WHO_IS_RETRY_MS;
  private whoIsTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DevicePollerOptions) {
    this.spec = options.spec;
    this.port = options.port;
    this.bus = options.bus;
    this.now = options.now;
    this.log = options.log.child({ device: options.spec.id, port: options.spec.port });
    this.receiver = options.spec.receiver;
    const plans = pollGroupsOf(this.spec.id, this.spec.profile);
    this.points = plans.flatMap((g) => g.points);
    this.groups = plans.map((plan) => ({
      plan,
      timer: undefined,
      dueAt: 0,
      inFlight: false,
      lastSuccess: undefined,
      lastGood: new Map(),
      staleReported: false,
    }));
    this.backoffMs = Math.min(...plans.map((g) => g.periodMs), MAX_BACKOFF_MS);
    const send: RequestRunner = (service, request, flags) => {
      this.requests++;
      return this.port
        .request(service, request, {
          segmented: flags.segmented,
          probe: this.state === 'unreachable',
          timeoutMs: this.spec.timeoutMs,
        })
        .catch((err: unknown) => {
          if (errorMessage(err) === 'ERR_TIMEOUT') this.timeouts++;
          throw err;
        });
    };
    this.reader = new BacnetDeviceReader(
      this.port.client,
      { address: this.receiver ?? {}, instance: this.spec.instance }, // set when found by Who-Is
      {
        send,
        maxObjectsPerRequest: this.spec.profile.maxObjectsPerRequest,
        onBatchHalved: (from, to, reason) =>
          this.log.info(
            { from, to, reason },
            'BACnet answer too long for the device: fewer objects per request',
          ),
      },
    );
    this.cov = new CovSubscriptions({
      deviceId: this.spec.id,
      lifetimeMs: this.spec.profile.covLifetime,
      confirmed: this.spec.profile.covConfirmed,
      points: this.points.filter((p) => p.cov),
      subscribe: (object, lifetime, confirmed) => this.subscribe(object, lifetime, confirmed, send),
      bus: this.bus,
      log: this.log,
      now: this.now,
      onRenewed: () => this.port.stats.subscriptionsRenewed++,
    });
    for (const point of this.points) {
      if (point.config.cov && !point.cov)
        this.log.warn(
          { point: point.config.name },
          'cov: true on a property other than present-value: COV notifications carry only present-value; polled',
        );
    }
    this.port.onCovNotification(options.processId, (payload) => this.covNotified(payload));
  }

  get instance(): number {
    return this.spec.instance;
  }

  /** For the port's periodic Who-Is: devices whose address was found (not given) are looked for again. */
  get rediscovery(): WhoIsRequest | undefined {
    return this.spec.receiver ? undefined : { target: this.spec.whoIsTarget, instance: this.spec.instance };
  }

  /**
   * Starts polling; `phase` in [0,1) staggers this device within each period, counted from
   * `origin` (the same for the port's devices). A device without an address is looked for first.
   */
  start(phase: number, origin: number): void {
    if (!this.receiver) this.lookFor();
    for (const group of this.groups)
      this.schedule(group, origin + phase * Math.min(group.plan.periodMs, STAGGER_WINDOW_MS));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.whoIsTimer);
    for (const group of this.groups) clearTimeout(group.timer);
    this.cov.stop();
  }

  /** An I-Am for its instance: where it is now, unless the configuration says where. */
  found(receiver: BACNetAddress): void {
    if (this.stopped || this.spec.receiver) return;
    if (this.spec.network !== undefined && receiver.net !== this.spec.network) return;
    if (sameReceiver(receiver, this.receiver)) return;
    const moved = this.receiver !== undefined;
    this.receiver = receiver;
    this.reader.setReceiver(receiver);
    clearTimeout(this.whoIsTimer);
    this.whoIsTimer = undefined;
    this.whoIsDelayMs = FIRST_WHO_IS_RETRY_MS;
    this.log.info(
      { address: describeReceiver(receiver) },
      moved ? 'BACnet device found at another address' : 'BACnet device found by Who-Is',
    );
    if (this.state === 'unreachable') {
      // Ask at once rather than at the end of the backoff: it has just said it is there.
      this.nextProbeAt = 0;
      for (const group of this.groups) this.tick(group);
    }
  }

  snapshot(): BacnetDeviceSnapshot {
    const receiver = this.receiver;
    const cov = this.cov.snapshot();
    const reader = this.reader;
    return {
      id: this.spec.id,
      port: this.spec.port,
      instance: this.spec.instance,
      address: receiver?.address ?? null,
      ...(receiver?.net !== undefined ? { network: receiver.net, mac: macText(receiver.adr ?? []) } : {}),
      state: this.state,
      mode: reader.mode,
      ...(reader.maxApdu !== undefined ? { maxApdu: reader.maxApdu } : {}),
      ...(reader.segmentation !== undefined ? { segmentation: reader.segmentation } : {}),
      ...(reader.batch !== undefined ? { objectsPerRequest: reader.batch } : {}),
      covActive: cov.active,
      covRefused: cov.refused,
      requests: this.requests,
      timeouts: this.timeouts,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  private subscribe(
    object: BACNetObjectID,
    lifetime: number,
    confirmed: boolean,
    send: RequestRunner,
  ): Promise<void> {
    const receiver = this.receiver;
    if (!receiver) return Promise.reject(new Error('not found by Who-Is'));
    return send(
      'subscribeCov',
      (options) =>
        this.port.client.subscribeCov(
          receiver,
          object,
          this.options.processId,
          false,
          confirmed,
          lifetime,
          options,
        ),
      { segmented: false },
    );
  }

  private covNotified(payload: CovNotifyPayload): void {
    // Typed a number, decoded an object id: the initiating device's.
    const initiating = payload.initiatingDeviceId as unknown as number | BACNetObjectID;
    const instance = typeof initiating === 'number' ? initiating : initiating.instance;
    if (this.stopped || instance !== this.spec.instance) return;
    if (this.state !== 'ok') return; // what a device we count as gone says waits for its next poll
    this.cov.notified(payload);
  }

  /** Who-Is for its instance now, and again later until it answers (see found). */
  private lookFor(): void {
    if (this.stopped) return;
    this.whoIsAt ??= performance.now();
    this.port.whoIs(this.spec.whoIsTarget, this.spec.instance);
    clearTimeout(this.whoIsTimer);
    this.whoIsTimer = setTimeout(() => {
      if (!this.receiver) this.lookFor();
    }, this.whoIsDelayMs);
    this.whoIsDelayMs = Math.min(this.whoIsDelayMs * 2, MAX_BACKOFF_MS, this.port.settings.rediscover);
  }

  /** Drift-free: the k-th poll is due at first + k·period; a late one skips to the next slot. */
  private schedule(group: GroupState, due: number): void {
    if (this.stopped) return;
    group.dueAt = due;
    group.timer = setTimeout(() => this.onDue(group), Math.max(0, due - Date.now()));
  }

  private onDue(group: GroupState): void {
    this.tick(group);
    let next = group.dueAt + group.plan.periodMs;
    const now = Date.now();
    if (next <= now) next += Math.ceil((now - next + 1) / group.plan.periodMs) * group.plan.periodMs;
    this.schedule(group, next);
  }

  private tick(group: GroupState): void {
    if (this.stopped) return;
    this.reportStaleness(group);
    if (!this.receiver) {
      // Not found yet: comm-error once its first Who-Is has had a timeout's time to be answered.
      if (this.whoIsAt !== undefined && performance.now() - this.whoIsAt > this.spec.timeoutMs)
        this.markUnreachable(`not found by Who-Is (device instance ${this.spec.instance})`);
      return;
    }
    if (group.inFlight) return; // the last poll has not ended: skipped, not piled up
    if (this.state === 'unreachable') {
      if (this.probing || performance.now() < this.nextProbeAt) return;
      this.probing = true;
    }
    group.inFlight = true;
    void this.poll(group).finally(() => {
      group.inFlight = false;
      this.probing = false;
    });
  }

  /** One poll: the points no subscription holds are read; the held ones' last values published again. */
  private async poll(group: GroupState): Promise<void> {
    const polled = group.plan.points.filter((p) => !(p.cov && this.cov.holds(p.ref.object)));
    const held = this.cov.lastValues(group.plan.points, this.now());
    if (polled.length === 0) {
      this.published(group, held);
      return;
    }
    try {
      const readings = await this.reader.read(polled.map((p) => p.ref));
      if (this.stopped) return;
      const ts = this.now();
      const values = readings.map((reading, i) =>
        pointValueOf((polled[i] as PlannedPoint).config, reading, ts),
      );
      this.answered();
      this.published(group, [...held, ...values]);
    } catch (err) {
      if (this.stopped) return; // closing the socket fails the read under way: not the device's fault
      this.failed(err);
    }
  }

  private published(group: GroupState, values: PointValue[]): void {
    group.lastSuccess = performance.now();
    group.staleReported = false;
    for (const value of values) {
      if (value.quality === 'good') group.lastGood.set(value.id, value);
      else group.lastGood.delete(value.id);
    }
    this.bus.publish(values);
  }

  private answered(): void {
    const was = this.state;
    this.state = 'ok';
    this.lastError = undefined;
    this.backoffMs = Math.min(...this.groups.map((g) => g.plan.periodMs), MAX_BACKOFF_MS);
    this.nextProbeAt = 0;
    if (was === 'ok') return;
    this.log.info(
      { mode: this.reader.mode, address: describeReceiver(this.receiver) },
      was === 'unreachable' ? 'BACnet device answering again' : 'BACnet device answering',
    );
    this.cov.start();
    // Back: the other groups now, rather than comm-error for a whole slow period.
    if (was === 'unreachable') for (const group of this.groups) this.tick(group);
  }

  private failed(err: unknown): void {
    const reason = errorMessage(err);
    this.nextProbeAt = performance.now() + this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.markUnreachable(reason);
    // Its address was found by Who-Is: it may have moved (a new DHCP lease).
    if (!this.spec.receiver) this.lookFor();
  }

  private markUnreachable(reason: string): void {
    this.lastError = reason;
    if (this.state === 'unreachable') return;
    this.state = 'unreachable';
    this.log.warn({ reason }, 'BACnet device not answering: comm-error until it does');
    this.cov.lost();
    const ts = this.now();
    for (const group of this.groups) group.lastGood.clear();
    this.bus.publish(
      this.points.map((p): PointValue => ({ id: p.id, value: null, quality: 'comm-error', ts })),
    );
  }

  /** A good value not refreshed for staleAfterPeriods periods (a port overloaded) turns stale. */
  private reportStaleness(group: GroupState): void {
    if (this.state !== 'ok' || group.staleReported || group.lastSuccess === undefined) return;
    if (performance.now() - group.lastSuccess <= this.options.staleAfterPeriods * group.plan.periodMs) return;
    group.staleReported = true;
    this.bus.publish([...group.lastGood.values()].map((value) => ({ ...value, quality: 'stale' })));
  }
}

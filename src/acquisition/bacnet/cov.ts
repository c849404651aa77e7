/**
 * One device's COV subscriptions (SubscribeCOV), one per object with a `cov: true` point,
 * under the device's own subscriber process id. Each object is in one of these states:
 *
 * - none: not subscribed (not yet, or lost: the device stopped answering);
 * - subscribing / awaiting: asked, and (awaiting) acknowledged, but no notification yet;
 * - active: notifications come; its points are not polled, and their last value is published
 *   again at the group's period with a fresh timestamp (the dashboard fades old values, storage
 *   expects samples);
 * - silent: was active, but nothing came for longer than the lifetime although the device
 *   answers (a restart forgot it, or its COV is broken): polled again until a notification comes;
 * - refused: the device answered the subscription with an error, reject or abort: polled, and
 *   asked again only when the device comes back.
 *
 * Every object is subscribed again at about half the lifetime (a renewal; BACnet devices send a
 * notification for it, which keeps a quiet object active) and when the device comes back.
 * Everything but active is polled at its group's period.
 */
import type { BACNetObjectID, CovNotifyPayload } from '@bacnet-js/client';
import type { Logger } from 'pino';
import type { PointBus, PointValue } from '../../points/index.js';
import type { PropertyAnswer } from './decode.js';
import { readingsOf } from './decode.js';
import { pointValueOf } from './point-values.js';
import { objectKey, type PlannedPoint } from './poll-groups.js';
import { isDeviceAnswer } from './reader.js';

type CovState = 'none' | 'subscribing' | 'awaiting' | 'active' | 'silent' | 'refused';

interface CovObject {
  object: BACNetObjectID;
  /** "analog-input:1", as the profile names it. */
  text: string;
  points: PlannedPoint[];
  state: CovState;
  /** When the last notification came (performance.now()). */
  heardAt: number;
  /** Why the device refused it. */
  reason: string | undefined;
  /** What the last notification said, published again while the subscription holds. */
  last: PointValue[];
}

export interface CovOptions {
  deviceId: string;
  lifetimeMs: number;
  confirmed: boolean;
  /** The device's points with `cov: true` on a present-value. */
  points: readonly PlannedPoint[];
  /** Sends one SubscribeCOV (lifetime in seconds); rejects as the library does. */
  subscribe: (object: BACNetObjectID, lifetimeSeconds: number, confirmed: boolean) => Promise<void>;
  bus: PointBus;
  log: Logger;
  now: () => number;
  /** A renewal the device acknowledged (for the port's metrics). */
  onRenewed: () => void;
}

export interface CovSnapshot {
  active: string[];
  refused: { object: string; reason: string }[];
}

export class CovSubscriptions {
  private readonly objects = new Map<string, CovObject>();
  private renewTimer: NodeJS.Timeout | undefined;
  /** Bumped when the subscriptions are lost or stopped: a subscribing loop under way gives up. */
  private generation = 0;

  constructor(private readonly options: CovOptions) {
    for (const point of options.points) {
      const key = objectKey(point.ref.object);
      let entry = this.objects.get(key);
      if (!entry) {
        entry = {
          object: point.ref.object,
          text: point.object,
          points: [],
          state: 'none',
          heardAt: 0,
          reason: undefined,
          last: [],
        };
        this.objects.set(key, entry);
      }
      entry.points.push(point);
    }
  }

  get empty(): boolean {
    return this.objects.size === 0;
  }

  /** Subscribes every object (the device answers: first time, or back), and renews at half the lifetime. */
  start(): void {
    if (this.empty) return;
    clearInterval(this.renewTimer);
    this.renewTimer = setInterval(() => void this.subscribeAll(true), this.options.lifetimeMs / 2);
    void this.subscribeAll(false);
  }

  /** The device stopped answering: its subscriptions count for nothing until it is back. */
  lost(): void {
    this.generation++;
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    for (const entry of this.objects.values()) {
      if (entry.state !== 'refused') entry.state = 'none';
      entry.last = [];
    }
  }

  stop(): void {
    this.lost();
  }

  /**
   * Whether the object's points are held by a live subscription (not to be polled). An active
   * subscription heard nothing of for longer than its lifetime turns silent here.
   */
  holds(object: BACNetObjectID): boolean {
    const entry = this.objects.get(objectKey(object));
    if (entry?.state !== 'active') return false;
    if (performance.now() - entry.heardAt <= this.options.lifetimeMs) return true;
    entry.state = 'silent';
    this.options.log.warn(
      { object: entry.text, lifetimeMs: this.options.lifetimeMs },
      'BACnet device sent no COV notification for longer than the lifetime: polled until one comes',
    );
    return false;
  }

  /** The last notified values of the held objects among `points`, stamped `ts`. */
  lastValues(points: readonly PlannedPoint[], ts: number): PointValue[] {
    const ids = new Set(points.map((p) => p.id));
    const values: PointValue[] = [];
    for (const entry of this.objects.values()) {
      if (entry.state !== 'active') continue;
      for (const value of entry.last) if (ids.has(value.id)) values.push({ ...value, ts });
    }
    return values;
  }

  /** A notification for one of this device's subscriptions: its values published at once. */
  notified(payload: CovNotifyPayload): void {
    const entry = this.objects.get(objectKey(payload.monitoredObjectId));
    if (!entry || entry.state === 'none' || entry.state === 'refused') return;
    const answers: PropertyAnswer[] = payload.values.map((v) => ({ id: v.property.id, values: v.value }));
    const ts = this.options.now();
    const readings = readingsOf(
      entry.points.map((p) => p.ref),
      answers,
    );
    const values = readings.map((reading, i) =>
      pointValueOf((entry.points[i] as PlannedPoint).config, reading, ts),
    );
    if (entry.state === 'silent')
      this.options.log.info({ object: entry.text }, 'BACnet COV notifications again: no longer polled');
    entry.state = 'active';
    entry.heardAt = performance.now();
    entry.last = values;
    this.options.bus.publish(values);
  }

  snapshot(): CovSnapshot {
    const entries = [...this.objects.values()];
    return {
      active: entries.filter((e) => e.state === 'active').map((e) => e.text),
      refused: entries.flatMap((e) =>
        e.state === 'refused' ? [{ object: e.text, reason: e.reason ?? 'refused' }] : [],
      ),
    };
  }

  /** One object after another (a controller takes them better so than all at once). */
  private async subscribeAll(renewal: boolean): Promise<void> {
    const generation = this.generation;
    const lifetime = Math.max(1, Math.round(this.options.lifetimeMs / 1000));
    for (const entry of this.objects.values()) {
      if (generation !== this.generation) return;
      if (renewal && entry.state === 'refused') continue;
      const renewing = entry.state === 'active' || entry.state === 'awaiting' || entry.state === 'silent';
      if (!renewing) entry.state = 'subscribing';
      try {
        await this.options.subscribe(entry.object, lifetime, this.options.confirmed);
        if (generation !== this.generation) return;
        // A notification may have come before the acknowledgement was handled: active stays active.
        if (entry.state === 'subscribing') entry.state = 'awaiting';
        entry.reason = undefined;
        if (renewing) this.options.onRenewed();
      } catch (err) {
        if (generation !== this.generation) return;
        if (isDeviceAnswer(err)) {
          const reason = (err as Error).message;
          if (entry.state !== 'refused')
            this.options.log.warn(
              { device: this.options.deviceId, object: entry.text, reason },
              'BACnet device refused a COV subscription: the object is polled',
            );
          entry.state = 'refused';
          entry.reason = reason;
        } else {
          // No answer: whether the device is gone, the polls tell; the object is polled meanwhile.
          entry.state = 'none';
        }
      }
    }
  }
}

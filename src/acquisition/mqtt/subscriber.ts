/**
 * Subscribes to every MQTT device's topic and turns its messages into point values on the
 * bus. Garbage is counted and logged (rate-limited), never thrown; so are readings stamped in
 * the future (logged per device); a device that goes quiet for its profile's staleAfter has
 * its points republished once as stale.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { PlantConfig } from '../../config/index.js';
import type { MqttDeviceConfig, MqttProfile } from '../../config/schema.js';
import { type PointBus, type PointValue, pointId } from '../../points/index.js';
import { mapPayload } from './payload.js';

const LOG_SAMPLE_CHARS = 200;
const LOG_INTERVAL_MS = 10_000;

/** At most one log line per interval; the lines held back are counted for the next one. */
class LogThrottle {
  private last = Number.NEGATIVE_INFINITY;
  private held = 0;

  /** How many were held back since the last line, or undefined when this one is held back too. */
  pass(now: number): number | undefined {
    if (now - this.last < LOG_INTERVAL_MS) {
      this.held++;
      return undefined;
    }
    const held = this.held;
    this.last = now;
    this.held = 0;
    return held;
  }
}

interface Watched {
  device: MqttDeviceConfig;
  profile: MqttProfile;
  lastMessage: number;
  stale: boolean;
  last: Map<string, PointValue>;
  /** A meter with a wrong clock sends every reading wrong: one line per device per interval. */
  futureLog: LogThrottle;
}

export interface SubscriberStats {
  messagesReceived: number;
  malformedPayloads: number;
  /** Readings refused for a timestamp further ahead than the profile's maxClockSkew. */
  futureTimestamps: number;
}

export class DeviceSubscriber {
  readonly stats: SubscriberStats = { messagesReceived: 0, malformedPayloads: 0, futureTimestamps: 0 };
  private readonly byTopic = new Map<string, Watched>();
  private staleTimer: NodeJS.Timeout | undefined;
  private readonly malformedLog = new LogThrottle();

  constructor(
    config: PlantConfig,
    private readonly bus: PointBus,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    const started = this.now();
    for (const device of config.devices) {
      if (!device.enabled || !('mqtt' in device)) continue;
      const profile = config.profiles.get(device.profile);
      if (profile?.protocol !== 'mqtt') continue;
      this.byTopic.set(device.mqtt.topic, {
        device,
        profile,
        lastMessage: started,
        stale: false,
        last: new Map(),
        futureLog: new LogThrottle(),
      });
    }
  }

  get topics(): string[] {
    return [...this.byTopic.keys()];
  }

  /** Attach to a connected (or connecting) client; resubscribes on every reconnect. */
  attach(client: MqttClient): void {
    const subscribe = () => {
      if (this.topics.length === 0) return;
      client.subscribe(this.topics, { qos: 1 }, (err) => {
        if (err) this.log.warn({ err: err.message }, 'MQTT device subscription failed');
      });
    };
    client.on('connect', subscribe);
    if (client.connected) subscribe();
    client.on('message', (topic, payload) => this.handle(topic, payload));
    const shortest = Math.min(...[...this.byTopic.values()].map((w) => w.profile.staleAfter));
    if (Number.isFinite(shortest)) {
      this.staleTimer = setInterval(() => this.checkStale(), Math.max(100, Math.min(shortest / 4, 10_000)));
      this.staleTimer.unref();
    }
  }

  stop(): void {
    clearInterval(this.staleTimer);
  }

  handle(topic: string, payload: Buffer): void {
    const watched = this.byTopic.get(topic);
    if (!watched) return; // republished points and other traffic: not device data
    this.stats.messagesReceived++;
    const arrival = this.now();
    const { values, problems, futureTs } = mapPayload(
      watched.device,
      watched.profile,
      payload.toString('utf8'),
      arrival,
    );
    if (problems.length > 0) this.malformed(topic, payload, problems);
    if (futureTs !== undefined) this.future(watched, payload, futureTs, arrival);
    if (values.length === 0) return;
    watched.lastMessage = arrival;
    watched.stale = false;
    for (const v of values) watched.last.set(v.id, v);
    this.bus.publish(values);
  }

  private malformed(topic: string, payload: Buffer, problems: string[]): void {
    this.stats.malformedPayloads++;
    const similarSuppressed = this.malformedLog.pass(this.now());
    if (similarSuppressed === undefined) return;
    this.log.warn(
      {
        topic,
        problems,
        payload: payload.subarray(0, LOG_SAMPLE_CHARS).toString('utf8'),
        bytes: payload.length,
        similarSuppressed,
      },
      'malformed MQTT device payload',
    );
  }

  private future(
    { device, profile, futureLog }: Watched,
    payload: Buffer,
    stamped: number,
    arrival: number,
  ): void {
    this.stats.futureTimestamps++;
    const similarSuppressed = futureLog.pass(arrival);
    if (similarSuppressed === undefined) return;
    this.log.warn(
      {
        device: device.id,
        topic: device.mqtt.topic,
        stamped: new Date(stamped).toISOString(),
        aheadMs: stamped - arrival,
        maxClockSkewMs: profile.maxClockSkew,
        payload: payload.subarray(0, LOG_SAMPLE_CHARS).toString('utf8'),
        similarSuppressed,
      },
      'MQTT reading stamped ahead of the gateway clock: refused, its points bad-timestamp (check the meter clock)',
    );
  }

  private checkStale(): void {
    const now = this.now();
    for (const watched of this.byTopic.values()) {
      if (watched.stale || now - watched.lastMessage <= watched.profile.staleAfter) continue;
      watched.stale = true;
      this.log.warn(
        { device: watched.device.id, topic: watched.device.mqtt.topic },
        'MQTT device silent: points stale',
      );
      const stale = watched.profile.points.map((p): PointValue => {
        const id = pointId(watched.device.id, p.name);
        const last = watched.last.get(id);
        return { id, value: last?.value ?? null, quality: 'stale', ts: now };
      });
      this.bus.publish(stale);
    }
  }
}

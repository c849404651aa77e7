/**
 * MQTT acquisition: the broker (embedded aedes, or an external one such as Mosquitto),
 * device topics mapped to points, and every point republished for any client to watch.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { ownSite, type PlantConfig } from '../../config/index.js';
import { buildCatalog, type PointBus } from '../../points/index.js';
import { linkTopic } from '../../vocabulary/group-topics.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker.js';
import { Republisher } from './republisher.js';
import { DeviceSubscriber } from './subscriber.js';

export { mapPayload, parseTimestamp } from './payload.js';
export { payloadFor, topicFor } from './republisher.js';
export { filterWithin, topicMatches } from './topic-filter.js';

export interface MqttStats {
  /** false: plantwatch.yaml has no mqtt: section, so there is no broker and no connection. */
  enabled: boolean;
  connected: boolean;
  messagesReceived: number;
  malformedPayloads: number;
  /** Device readings refused for a timestamp too far ahead of the gateway's clock. */
  futureTimestamps: number;
  republished: number;
  republishBacklog: number;
  reconnects: number;
  deniedLogins?: number;
  deniedPublishes?: number;
  deniedSubscribes?: number;
  /** Embedded broker: connections refused over maxConnections / maxConnectionsPerAddress. */
  refusedConnections?: number;
  /** Embedded broker: connections closed for a packet over the size allowed. */
  oversizePackets?: number;
  /** Embedded broker: connections closed for not logging in within connectTimeout. */
  connectTimeouts?: number;
  openConnections?: number;
  lastError?: string;
}

export interface MqttService {
  /** false without an mqtt: section: nothing is opened and publish refuses. */
  readonly enabled: boolean;
  /** URL a local client uses to reach the broker the gateway uses (the real port if config said 0); '' when off. */
  readonly brokerUrl: string;
  readonly embedded: boolean;
  stats(): MqttStats;
  /**
   * Publish on the gateway's own connection (alarm states, notifications). QoS 1; rejects
   * when the broker has not taken it within the timeout, so a caller can retry.
   */
  publish(topic: string, payload: string, options?: { retain?: boolean; timeoutMs?: number }): Promise<void>;
  /** Called on every (re)connection of the gateway's client, e.g. to republish retained state. */
  onConnect(listener: () => void): () => void;
  /**
   * How another client in this gateway (the group view) reaches the same broker with the
   * gateway's own rights: the embedded broker's internal login, or the external broker's account.
   */
  readonly ownLogin?: { url: string; username?: string | undefined; password?: string | undefined };
  stop(): Promise<void>;
}

export interface MqttServiceOptions {
  config: PlantConfig;
  bus: PointBus;
  log: Logger;
  now?: () => number;
}

/** The gateway without MQTT: no broker, no subscriber, no republisher. */
function mqttOff(log: Logger): MqttService {
  log.info('MQTT is off (no mqtt: section in plantwatch.yaml): no broker opened, nothing republished');
  return {
    enabled: false,
    brokerUrl: '',
    embedded: false,
    stats: () => ({
      enabled: false,
      connected: false,
      messagesReceived: 0,
      malformedPayloads: 0,
      futureTimestamps: 0,
      republished: 0,
      republishBacklog: 0,
      reconnects: 0,
    }),
    publish: () => Promise.reject(new Error('MQTT is off (no mqtt: section in plantwatch.yaml)')),
    onConnect: () => () => {},
    stop: async () => {},
  };
}

export async function startMqtt({ config, bus, log, now }: MqttServiceOptions): Promise<MqttService> {
  const settings = config.gateway.mqtt;
  const mqttLog = log.child({ component: 'mqtt' });
  if (!settings) return mqttOff(mqttLog);
  let embedded: EmbeddedBroker | undefined;
  let client: MqttClient;
  const site = ownSite(config);
  const link =
    settings.republish.enabled && site
      ? { topic: linkTopic(settings.republish.prefix, site), offline: JSON.stringify({ online: false }) }
      : undefined;
  if (settings.broker.mode === 'embedded') {
    // Only this campus's own topics are the gateway's alone: on a group's broker another campus's
    // gateway publishes under its own site (when its account's filters say so).
    const republishPrefix = settings.republish.prefix;
    const reservedRoot = site ? `${republishPrefix}/${site}` : republishPrefix;
    embedded = await startEmbeddedBroker(settings.broker, { republishPrefix, reservedRoot }, mqttLog);
    client = mqtt.connect(embedded.url, {
      ...embedded.internal,
      clientId: `plantwatch-gateway-${process.pid}`,
      reconnectPeriod: 1000,
    });
  } else {
    const { url, username, password, clientId } = settings.broker;
    client = mqtt.connect(url, {
      username,
      password,
      clientId: clientId ?? `plantwatch-${config.gateway.gateway.name}-${process.pid}`,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      ...(link
        ? { will: { topic: link.topic, payload: Buffer.from(link.offline), qos: 1, retain: true } }
        : {}),
    });
  }
  // The campus's link for the group view: online at every connection, offline by the broker's
  // last will when the connection is lost without a goodbye (a cut WAN, a crash).
  if (link)
    client.on('connect', () => {
      client.publish(link.topic, JSON.stringify({ online: true, at: Date.now() }), { qos: 1, retain: true });
    });
  const brokerUrl = embedded?.url ?? (settings.broker.mode === 'external' ? settings.broker.url : '');
  const state = { reconnects: 0, lastError: undefined as string | undefined, wasConnected: false };
  client.on('connect', () => {
    if (state.wasConnected) mqttLog.info({ broker: brokerUrl }, 'MQTT connection restored');
    state.wasConnected = true;
  });
  client.on('reconnect', () => state.reconnects++);
  client.on('error', (err) => {
    // Logged once per distinct error: a broker that stays down must not flood the log.
    if (err.message !== state.lastError)
      mqttLog.warn({ broker: brokerUrl, err: err.message }, 'MQTT client error');
    state.lastError = err.message;
  });
  client.on('offline', () => {
    if (state.wasConnected) mqttLog.warn({ broker: brokerUrl }, 'MQTT connection lost: retrying');
  });

  const subscriber = new DeviceSubscriber(config, bus, mqttLog, now);
  subscriber.attach(client);
  let unsubscribe = () => {};
  let republisher: Republisher | undefined;
  if (settings.republish.enabled) {
    const catalog = new Map(buildCatalog(config).map((p) => [p.id, p]));
    republisher = new Republisher(client, catalog, settings.republish);
    unsubscribe = bus.subscribe(republisher.onValues);
  }
  // Wait briefly for the first connection so start-up logs say whether MQTT works.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, embedded ? 2000 : 5000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });

  return {
    enabled: true,
    brokerUrl,
    embedded: embedded !== undefined,
    stats: () => ({
      enabled: true,
      connected: client.connected,
      ...subscriber.stats,
      republished: republisher?.republished ?? 0,
      republishBacklog: republisher?.backlog ?? 0,
      reconnects: state.reconnects,
      ...(embedded
        ? {
            deniedLogins: embedded.denied.logins,
            deniedPublishes: embedded.denied.publishes,
            deniedSubscribes: embedded.denied.subscribes,
            refusedConnections: embedded.refused.connections,
            oversizePackets: embedded.refused.oversizePackets,
            connectTimeouts: embedded.refused.connectTimeouts,
            openConnections: embedded.openConnections(),
          }
        : {}),
      ...(state.lastError ? { lastError: state.lastError } : {}),
    }),
    publish(topic, payload, { retain = false, timeoutMs = 10_000 } = {}) {
      // Offline: refuse at once rather than pile copies in mqtt.js's queue while the caller retries.
      if (!client.connected) return Promise.reject(new Error('MQTT broker not connected'));
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`MQTT broker did not take the message within ${timeoutMs} ms`)),
          timeoutMs,
        );
        client.publish(topic, payload, { qos: 1, retain }, (err) => {
          clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        });
      });
    },
    onConnect(listener) {
      client.on('connect', listener);
      return () => client.off('connect', listener);
    },
    ...(embedded
      ? { ownLogin: { url: embedded.url, ...embedded.internal } }
      : settings.broker.mode === 'external'
        ? {
            ownLogin: {
              url: settings.broker.url,
              username: settings.broker.username,
              password: settings.broker.password,
            },
          }
        : {}),
    async stop() {
      unsubscribe();
      subscriber.stop();
      // A clean stop says so itself: the broker sends no last will for a DISCONNECT.
      if (link && client.connected)
        await client.publishAsync(link.topic, link.offline, { qos: 1, retain: true }).catch(() => {});
      await client.endAsync(true).catch(() => {});
      await embedded?.close();
    },
  };
}

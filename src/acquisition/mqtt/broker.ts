/**
 * The embedded MQTT broker (aedes): username/password logins and per-user topic ACLs
 * from the config, plus one internal login for the gateway itself, generated at start
 * and never written anywhere.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import type { GatewaySettings, MqttUser } from '../../config/schema.js';
import { filterWithin, topicMatches } from './topic-filter.js';

type EmbeddedSettings = Extract<GatewaySettings['mqtt']['broker'], { mode: 'embedded' }>;

export interface EmbeddedBroker {
  url: string;
  /** The gateway's own credentials: full rights. */
  internal: { username: string; password: string };
  denied: { logins: number; publishes: number; subscribes: number };
  close(): Promise<void>;
}

interface Identity {
  user?: MqttUser;
  internal?: boolean;
  anonymous?: boolean;
}

function sameSecret(a: string, b: Buffer | undefined): boolean {
  if (!b) return false;
  const left = Buffer.from(a);
  return left.length === b.length && timingSafeEqual(left, b);
}

export async function startEmbeddedBroker(
  settings: EmbeddedSettings,
  republishPrefix: string,
  log: Logger,
): Promise<EmbeddedBroker> {
  const internal = {
    username: `plantwatch-gateway-${randomBytes(4).toString('hex')}`,
    password: randomBytes(24).toString('hex'),
  };
  const identities = new WeakMap<object, Identity>();
  const denied = { logins: 0, publishes: 0, subscribes: 0 };
  const readOnlyFilters = [`${republishPrefix}/#`];

  const broker = await Aedes.createBroker({
    drainTimeout: 30_000,
    authenticate(client, username, password, callback) {
      if (username === internal.username && sameSecret(internal.password, password)) {
        identities.set(client, { internal: true });
        return callback(null, true);
      }
      const user = settings.users.find((u) => u.username === username);
      if (user && sameSecret(user.password, password)) {
        identities.set(client, { user });
        return callback(null, true);
      }
      if (username === undefined && settings.allowAnonymousRead) {
        identities.set(client, { anonymous: true });
        return callback(null, true);
      }
      denied.logins++;
      log.warn({ client: client.id, username }, 'MQTT login refused');
      const error = Object.assign(new Error('bad user name or password'), { returnCode: 4 });
      return callback(error, false);
    },
    authorizePublish(client, packet, callback) {
      const who = client ? identities.get(client) : undefined;
      const allowed =
        who?.internal === true ||
        (!packet.topic.startsWith('$') &&
          who?.user?.publish.some((f) => topicMatches(f, packet.topic)) === true);
      if (allowed) return callback(null);
      denied.publishes++;
      log.warn({ client: client?.id, topic: packet.topic }, 'MQTT publish refused by ACL');
      callback(new Error(`not allowed to publish to ${packet.topic}`));
    },
    authorizeSubscribe(client, subscription, callback) {
      const who = identities.get(client);
      const filters = who?.internal
        ? ['#']
        : who?.user
          ? who.user.subscribe
          : who?.anonymous
            ? readOnlyFilters
            : [];
      if (filterWithin(subscription.topic, filters)) return callback(null, subscription);
      denied.subscribes++;
      log.warn({ client: client.id, topic: subscription.topic }, 'MQTT subscription refused by ACL');
      // A refused filter gets SUBACK 0x80 rather than a dropped connection.
      callback(null, null);
    },
  });

  const server: Server = createServer(broker.handle);
  const closeBroker = () => new Promise<void>((resolve) => broker.close(() => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new Error(
                `MQTT broker cannot listen on ${settings.host}:${settings.port}: the port is in use (another broker? change mqtt.broker.port)`,
              )
            : err,
        ),
      );
      server.listen(settings.port, settings.host, () => resolve());
    });
  } catch (err) {
    await closeBroker();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host;
  return {
    url: `mqtt://${host}:${port}`,
    internal,
    denied,
    async close() {
      await closeBroker();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

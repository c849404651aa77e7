/**
 * The embedded MQTT broker (aedes): username/password logins and per-user topic ACLs
 * from the config, plus one internal login for the gateway itself, generated at start
 * and never written anywhere.
 *
 * - No login, a wrong password: CONNACK 4 (unless allowAnonymousRead: subscribe to the
 *   republished topics only).
 * - Publish: only to topics a user's `publish` filters match; nobody but the gateway
 *   publishes under the republish prefix (plantwatch/#) or $SYS, whatever the filters say.
 *   A refused publish is dropped and its client disconnected (MQTT 3.1.1 has no refusal).
 * - Subscribe: only within a user's `subscribe` filters; otherwise SUBACK 0x80.
 * - A client id in use by another login cannot be taken over (CONNACK 2), and the gateway's
 *   own client id prefix is reserved: a viewer cannot knock the gateway's client off.
 * - Connections, packet sizes and the time to log in are bounded before aedes buffers
 *   anything (connection-guard.ts).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import type { MqttSettings, MqttUser } from '../../config/schema.js';
import { ConnectionGuard, type RefusalCounts } from './connection-guard.js';
import { filterWithin, topicMatches } from './topic-filter.js';

type EmbeddedSettings = Extract<MqttSettings['broker'], { mode: 'embedded' }>;

export interface EmbeddedBroker {
  url: string;
  /** The gateway's own credentials: full rights. */
  internal: { username: string; password: string };
  denied: { logins: number; publishes: number; subscribes: number };
  /** Connections refused or closed by the limits (connection-guard.ts). */
  refused: RefusalCounts;
  openConnections(): number;
  close(): Promise<void>;
}

interface Identity {
  user?: MqttUser;
  internal?: boolean;
  anonymous?: boolean;
}

/** Whether some topic matches both filters ("#" the rest, "+" one level). */
export function filterOverlaps(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const l = x[i];
    const r = y[i];
    if (l === '#' || r === '#') return true;
    if (l === undefined || r === undefined) return false;
    if (l !== '+' && r !== '+' && l !== r) return false;
  }
  return true;
}

function sameSecret(a: string, b: Buffer | undefined): boolean {
  if (!b) return false;
  const left = Buffer.from(a);
  return left.length === b.length && timingSafeEqual(left, b);
}

export async function startEmbeddedBroker(
  settings: EmbeddedSettings,
  /**
   * The republish prefix (anonymous clients may read under it), and the topics only the gateway
   * publishes under: `<prefix>/<its site>`, or the whole prefix.
   */
  { republishPrefix, reservedRoot }: { republishPrefix: string; reservedRoot: string },
  log: Logger,
): Promise<EmbeddedBroker> {
  const internal = {
    username: `plantwatch-gateway-${randomBytes(4).toString('hex')}`,
    password: randomBytes(24).toString('hex'),
  };
  const identities = new WeakMap<object, Identity>();
  /** Connected clients by client id. */
  const live = new Map<string, object>();
  const denied = { logins: 0, publishes: 0, subscribes: 0 };
  const readOnlyFilters = [`${republishPrefix}/#`];
  /** Topics only the gateway publishes: its republished points and alarms. */
  const reserved = (topic: string) => topic.startsWith('$') || topicMatches(`${reservedRoot}/#`, topic);
  for (const user of settings.users) {
    const overlapping = user.publish.filter((f) => filterOverlaps(f, `${reservedRoot}/#`));
    if (overlapping.length > 0)
      log.warn(
        { username: user.username, filters: overlapping },
        `MQTT user may not publish under ${reservedRoot}/ (the gateway's own topics) whatever its publish filters say`,
      );
  }
  const identityOf = (who: Identity | undefined) =>
    who?.internal
      ? '(gateway)'
      : who?.user
        ? `user:${who.user.username}`
        : who?.anonymous
          ? '(anonymous)'
          : '';
  /** The gateway's own client id (see index.ts): no other login may use it. */
  const gatewayClientId = /^plantwatch-gateway-/;

  const guard = new ConnectionGuard(
    {
      maxPacketSize: settings.maxPacketSize,
      maxConnections: settings.maxConnections,
      maxConnectionsPerAddress: settings.maxConnectionsPerAddress,
      connectTimeoutMs: settings.connectTimeout,
    },
    log,
  );
  const broker = await Aedes.createBroker({
    drainTimeout: 30_000,
    // The guard closes late logins, logged and counted; aedes' own timer (from the CONNECT's
    // arrival, silent) is only a backstop behind it.
    connectTimeout: settings.connectTimeout + 5000,
    authenticate(client, username, password, callback) {
      let who: Identity | undefined;
      if (username === internal.username && sameSecret(internal.password, password)) who = { internal: true };
      else {
        const user = settings.users.find((u) => u.username === username);
        if (user && sameSecret(user.password, password)) who = { user };
        else if (username === undefined && settings.allowAnonymousRead) who = { anonymous: true };
      }
      if (!who) {
        denied.logins++;
        log.warn({ client: client.id, username }, 'MQTT login refused');
        const error = Object.assign(new Error('bad user name or password'), { returnCode: 4 });
        return callback(error, false);
      }
      // A connection with the id of a live client replaces it: only the same login may do that.
      const current = live.get(client.id);
      const holder = current ? identityOf(identities.get(current)) : undefined;
      if (
        (holder !== undefined && holder !== identityOf(who)) ||
        (!who.internal && gatewayClientId.test(client.id))
      ) {
        denied.logins++;
        log.warn(
          { client: client.id, username },
          'MQTT login refused: client id reserved or in use by another login',
        );
        const error = Object.assign(new Error('client id in use'), { returnCode: 2 });
        return callback(error, false);
      }
      identities.set(client, who);
      return callback(null, true);
    },
    authorizePublish(client, packet, callback) {
      const who = client ? identities.get(client) : undefined;
      const allowed =
        who?.internal === true ||
        (!reserved(packet.topic) && who?.user?.publish.some((f) => topicMatches(f, packet.topic)) === true);
      if (allowed) return callback(null);
      denied.publishes++;
      log.warn(
        { client: client?.id, username: who?.user?.username, topic: packet.topic },
        'MQTT publish refused by ACL (dropped, client disconnected)',
      );
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
      log.warn(
        { client: client.id, username: who?.user?.username, topic: subscription.topic },
        'MQTT subscription refused by ACL',
      );
      // A refused filter gets SUBACK 0x80 rather than a dropped connection.
      callback(null, null);
    },
  });

  broker.on('client', (client) => {
    live.set(client.id, client);
    const who = identities.get(client);
    guard.loggedIn(client.conn, { client: client.id, username: who?.user?.username ?? identityOf(who) });
  });
  broker.on('clientDisconnect', (client) => {
    if (live.get(client.id) === client) live.delete(client.id);
  });

  const server: Server = createServer((socket) => guard.accept(socket, (s) => broker.handle(s)));
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
    refused: guard.refused,
    openConnections: () => guard.openConnections,
    async close() {
      await closeBroker();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

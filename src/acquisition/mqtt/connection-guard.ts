/**
 * Limits on the embedded broker's connections, enforced on the socket before aedes parses a
 * byte: aedes 1.x builds its mqtt-packet parser without a size limit, and mqtt-packet buffers a
 * packet's whole declared length before parsing it, so one client declaring a 100 MB CONNECT
 * made the gateway hold 100 MB before its login was even checked.
 *
 * - At most `maxConnections` open connections, `maxConnectionsPerAddress` from one address.
 * - Before login, the packets a client sends (its CONNECT and anything pipelined behind it)
 *   total at most PRE_LOGIN_BYTES; once logged in, each packet at most `maxPacketSize`. A
 *   packet's declared size is read from its fixed header as it streams in, so an oversized one
 *   is refused after its first 5 bytes, not after it has been received.
 * - A client not logged in within `connectTimeoutMs` of connecting is closed.
 *
 * Every refusal closes the socket, is counted, and is logged with the peer's address. Refusals
 * before login are what a flood is made of: per address and kind, the first is logged, then at
 * most one per 10 s carrying the number of similar ones not logged (`similarSuppressed`).
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

/**
 * What a client may send before its login is answered: a CONNECT carries a client id, a user
 * name, a password and perhaps a small will, a few hundred bytes in practice.
 */
export const PRE_LOGIN_BYTES = 4096;
const LOG_INTERVAL_MS = 10_000;
/** Addresses the log throttle remembers; past that it starts afresh (a few more log lines). */
const MAX_THROTTLED_KEYS = 1000;
/** A fixed header is a type byte and a remaining length of 1 to 4 bytes. */
const MAX_HEADER_BYTES = 5;

export interface GuardLimits {
  maxPacketSize: number;
  maxConnections: number;
  maxConnectionsPerAddress: number;
  connectTimeoutMs: number;
}

export interface RefusalCounts {
  /** Refused at accept: over maxConnections or maxConnectionsPerAddress. */
  connections: number;
  /** Closed for a packet over the pre-login allowance or maxPacketSize. */
  oversizePackets: number;
  /** Closed for not logging in within connectTimeout. */
  connectTimeouts: number;
}

/** Who a logged-in connection belongs to, for the log. */
export interface Login {
  client: string;
  username?: string;
}

/**
 * Follows MQTT fixed headers through a byte stream cut anywhere: reports each packet's size
 * (header included) as soon as its header is complete, without keeping any of its bytes.
 */
export class FixedHeaderReader {
  /** Body bytes of the current packet still to come. */
  private skip = 0;
  /** Header bytes of the next packet seen so far (0: at a packet's start). */
  private header = 0;
  private length = 0;

  /**
   * Reads `chunk`; calls `onPacket` with each completed header's packet size (Infinity for a
   * length longer than 4 bytes, which MQTT forbids). Returns false as soon as `onPacket` does.
   */
  feed(chunk: Buffer, onPacket: (size: number) => boolean): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const byte = chunk[i++] as number;
      if (this.header === 0) {
        this.header = 1;
        this.length = 0;
        continue;
      }
      this.length += (byte & 0x7f) * 128 ** (this.header - 1);
      this.header++;
      if (byte & 0x80) {
        if (this.header === MAX_HEADER_BYTES) return onPacket(Number.POSITIVE_INFINITY);
        continue;
      }
      const size = this.header + this.length;
      this.skip = this.length;
      this.header = 0;
      if (!onPacket(size)) return false;
    }
    return true;
  }
}

/** For each kind of refusal and address: whether to log this one, and how many were not. */
class RefusalThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  /** The number of similar refusals not logged since the last one; undefined: do not log. */
  next(key: string, now: number): number | undefined {
    const entry = this.last.get(key);
    if (entry && now - entry.at < LOG_INTERVAL_MS) {
      entry.suppressed++;
      return undefined;
    }
    if (!entry && this.last.size >= MAX_THROTTLED_KEYS) this.last.clear();
    this.last.set(key, { at: now, suppressed: 0 });
    return entry?.suppressed ?? 0;
  }
}

interface Watched {
  socket: Socket;
  address: string;
  reader: FixedHeaderReader;
  /** Bytes of the packets declared before login. */
  declared: number;
  login?: Login;
  timer?: NodeJS.Timeout;
}

type Refusal = 'connections' | 'oversizePackets' | 'connectTimeouts';

export class ConnectionGuard {
  readonly refused: RefusalCounts = { connections: 0, oversizePackets: 0, connectTimeouts: 0 };
  private readonly perAddress = new Map<string, number>();
  private readonly watched = new WeakMap<object, Watched>();
  private readonly throttle = new RefusalThrottle();
  private open = 0;

  constructor(
    private readonly limits: GuardLimits,
    private readonly log: Logger,
  ) {}

  get openConnections(): number {
    return this.open;
  }

  /** Hands a new connection to `handle` (the broker), or closes it when over a limit. */
  accept(socket: Socket, handle: (socket: Socket) => void): void {
    const address = socket.remoteAddress ?? 'unknown';
    const { maxConnections, maxConnectionsPerAddress } = this.limits;
    if (this.open >= maxConnections) {
      this.refuseConnection(
        socket,
        address,
        maxConnections,
        'MQTT connection refused: the broker is at maxConnections',
      );
      return;
    }
    if ((this.perAddress.get(address) ?? 0) >= maxConnectionsPerAddress) {
      this.refuseConnection(
        socket,
        address,
        maxConnectionsPerAddress,
        'MQTT connection refused: too many from this address (maxConnectionsPerAddress)',
      );
      return;
    }
    const watched = this.track(socket, address);
    handle(socket);
    // Added after the broker's 'readable' listener, 'data' does not switch the socket to
    // flowing mode: it is emitted with each chunk the broker reads, before the broker parses it.
    socket.on('data', (chunk: Buffer) => this.inspect(watched, chunk));
  }

  /** The connection's client has logged in: the pre-login allowance and timer no longer apply. */
  loggedIn(connection: object, login: Login): void {
    const watched = this.watched.get(connection);
    if (!watched) return;
    watched.login = login;
    clearTimeout(watched.timer);
  }

  private track(socket: Socket, address: string): Watched {
    const watched: Watched = { socket, address, reader: new FixedHeaderReader(), declared: 0 };
    this.watched.set(socket, watched);
    this.open++;
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    watched.timer = setTimeout(() => this.timedOut(watched), this.limits.connectTimeoutMs);
    watched.timer.unref();
    socket.once('close', () => this.untrack(watched));
    return watched;
  }

  private untrack(watched: Watched): void {
    clearTimeout(watched.timer);
    this.open--;
    const left = (this.perAddress.get(watched.address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(watched.address, left);
    else this.perAddress.delete(watched.address);
  }

  private inspect(watched: Watched, chunk: Buffer): void {
    if (watched.socket.destroyed) return;
    watched.reader.feed(chunk, (size) => {
      const limit = watched.login
        ? this.limits.maxPacketSize
        : Math.min(PRE_LOGIN_BYTES, this.limits.maxPacketSize);
      // Before login the allowance is for all packets together (a CONNECT and what follows it).
      if (!watched.login) watched.declared += size;
      const declared = watched.login ? size : watched.declared;
      if (declared <= limit) return true;
      this.refuse(watched, 'oversizePackets', 'MQTT connection closed: packet over the size allowed', {
        limit,
        declaredBytes: Number.isFinite(declared) ? declared : 'over 4 length bytes',
      });
      return false;
    });
  }

  private timedOut(watched: Watched): void {
    if (watched.login || watched.socket.destroyed) return;
    this.refuse(watched, 'connectTimeouts', 'MQTT connection closed: no login within connectTimeout', {
      limit: this.limits.connectTimeoutMs,
    });
  }

  private refuseConnection(socket: Socket, address: string, limit: number, message: string): void {
    this.refused.connections++;
    this.report(message, address, { port: socket.remotePort, limit }, false);
    socket.destroy();
  }

  private refuse(watched: Watched, kind: Refusal, message: string, details: Record<string, unknown>): void {
    this.refused[kind]++;
    const { socket, address, login } = watched;
    const fields = { port: socket.remotePort, loggedIn: login !== undefined, ...login, ...details };
    this.report(message, address, fields, login !== undefined);
    socket.destroy();
  }

  /** A logged-in client's refusal is always logged; one before login is throttled (a flood). */
  private report(message: string, peer: string, fields: Record<string, unknown>, always: boolean): void {
    const suppressed = always ? 0 : this.throttle.next(`${message}\n${peer}`, Date.now());
    if (suppressed === undefined) return;
    this.log.warn({ peer, ...fields, ...(suppressed > 0 ? { similarSuppressed: suppressed } : {}) }, message);
  }
}

/**
 * A simulated BBMD (BACnet/IP Broadcast Management Device, Annex J.4) on its own address: it
 * keeps a foreign-device table, distributes a registered foreign device's broadcasts on its
 * subnet, and forwards the broadcasts heard there (devices' I-Am) to its foreign devices. No
 * broadcast distribution table: it is the only BBMD. Raw UDP with a BVLC codec of its own; the
 * NPDUs it carries are passed on untouched.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Logger } from 'pino';

const BACNET_PORT = 47808;
const BVLL_TYPE_BACNET_IP = 0x81;
const BVLC_HEADER_BYTES = 4;
/** Forwarded-NPDU's header: the BVLC's 4 octets and the originating B/IP address (6). */
const FORWARDED_HEADER_BYTES = 10;
/** What a BBMD adds to a registration's TTL before it drops the entry (J.5.2.3). */
const DEFAULT_GRACE_MS = 30_000;
/** An entry of Read-Foreign-Device-Table-Ack: B/IP address (6), TTL (2), seconds remaining (2). */
const FDT_ENTRY_BYTES = 10;

/** BVLC functions (J.2). */
export const Bvlc = {
  RESULT: 0x00,
  READ_BDT: 0x02,
  FORWARDED_NPDU: 0x04,
  REGISTER_FOREIGN_DEVICE: 0x05,
  READ_FDT: 0x06,
  READ_FDT_ACK: 0x07,
  DELETE_FDT_ENTRY: 0x08,
  DISTRIBUTE_BROADCAST_TO_NETWORK: 0x09,
  ORIGINAL_UNICAST_NPDU: 0x0a,
  ORIGINAL_BROADCAST_NPDU: 0x0b,
} as const;

/** BVLC-Result codes (J.2.1.1). */
export const BvlcResult = {
  SUCCESS: 0x0000,
  READ_BDT_NAK: 0x0020,
  REGISTER_FOREIGN_DEVICE_NAK: 0x0030,
  READ_FDT_NAK: 0x0040,
  DELETE_FDT_ENTRY_NAK: 0x0050,
  DISTRIBUTE_BROADCAST_TO_NETWORK_NAK: 0x0060,
} as const;

export interface BvlcMessage {
  function: number;
  /** Forwarded-NPDU only: the B/IP address the NPDU came from ("ip" or "ip:port"). */
  originating?: string;
  /** What follows the header: an NPDU, a TTL, a result code, a table. */
  body: Buffer;
}

/** "ip" when the port is 47808, else "ip:port": as @bacnet-js/client writes addresses. */
export function bipAddress(ip: string, port: number): string {
  return port === BACNET_PORT ? ip : `${ip}:${port}`;
}

/** A B/IP address as BVLC and NPDU carry it: 4 octets of IP, 2 of port. */
export function encodeBip(address: string): Buffer {
  const [ip = '', port] = address.split(':');
  const octets = ip.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255))
    throw new Error(`not a B/IP address: ${address}`);
  const bytes = Buffer.alloc(6);
  bytes.set(octets);
  bytes.writeUInt16BE(port === undefined ? BACNET_PORT : Number(port), 4);
  return bytes;
}

export function decodeBip(bytes: Buffer): string {
  return bipAddress([...bytes.subarray(0, 4)].join('.'), bytes.readUInt16BE(4));
}

/** A BVLC message, or undefined for anything that is not one (wrong type, length that lies). */
export function decodeBvlc(datagram: Buffer): BvlcMessage | undefined {
  if (datagram.length < BVLC_HEADER_BYTES || datagram[0] !== BVLL_TYPE_BACNET_IP) return undefined;
  if (datagram.readUInt16BE(2) !== datagram.length) return undefined;
  const fn = datagram[1] ?? -1;
  if (fn === Bvlc.FORWARDED_NPDU) {
    if (datagram.length < FORWARDED_HEADER_BYTES) return undefined;
    return {
      function: fn,
      originating: decodeBip(datagram.subarray(4, 10)),
      body: datagram.subarray(FORWARDED_HEADER_BYTES),
    };
  }
  return { function: fn, body: datagram.subarray(BVLC_HEADER_BYTES) };
}

export function encodeBvlc(fn: number, body: Buffer, originating?: string): Buffer {
  const head = Buffer.from([BVLL_TYPE_BACNET_IP, fn, 0, 0]);
  const parts = originating === undefined ? [head, body] : [head, encodeBip(originating), body];
  const datagram = Buffer.concat(parts);
  datagram.writeUInt16BE(datagram.length, 2);
  return datagram;
}

export const bvlcResult = (code: number) => {
  const body = Buffer.alloc(2);
  body.writeUInt16BE(code);
  return encodeBvlc(Bvlc.RESULT, body);
};

export interface SimulatedBbmdOptions {
  /** Its own address on the subnet it serves; port 47808 unless given. */
  address: string;
  port?: number;
  /** The subnet's broadcast address, where it distributes and where it hears devices' broadcasts. */
  broadcastAddress: string;
  /** Beyond the TTL before an entry is dropped: 30 s as BACnet says unless a test wants less. */
  graceMs?: number;
  /** Refuse every registration (BVLC-Result NAK 0x0030), as a BBMD with a full table does. */
  refuseRegistrations?: boolean;
  now?: () => number;
  log: Logger;
}

export interface ForeignDeviceEntry {
  /** The foreign device's B/IP address ("ip" or "ip:port"). */
  address: string;
  ttlSeconds: number;
  /** Seconds until the BBMD drops it: TTL plus grace from its last registration. */
  remainingSeconds: number;
  /** Registrations it made (the first and each renewal) since the BBMD started. */
  registrations: number;
}

interface Entry {
  ttlSeconds: number;
  expiresAt: number;
  registrations: number;
}

export class SimulatedBbmd {
  /** What it did, as a test counts it. */
  readonly counts = {
    registrations: 0,
    refusedRegistrations: 0,
    distributed: 0,
    refusedDistributions: 0,
    forwardedToForeignDevices: 0,
  };
  private readonly table = new Map<string, Entry>();
  private readonly unicast: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  private readonly broadcast: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  private readonly port: number;
  private readonly now: () => number;
  private readonly graceMs: number;
  /** Refuse registrations from now on (or accept them again). */
  refuseRegistrations: boolean;

  private constructor(private readonly options: SimulatedBbmdOptions) {
    this.port = options.port ?? BACNET_PORT;
    this.now = options.now ?? Date.now;
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.refuseRegistrations = options.refuseRegistrations ?? false;
    for (const socket of [this.unicast, this.broadcast]) {
      socket.on('message', (datagram, rinfo) => this.receive(datagram, rinfo));
      socket.on('error', (err) => options.log.error({ err }, 'simulated BBMD socket error'));
    }
  }

  /** Resolves once both sockets are bound. */
  static async start(options: SimulatedBbmdOptions): Promise<SimulatedBbmd> {
    const bbmd = new SimulatedBbmd(options);
    const bind = (socket: Socket, address: string) =>
      new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(bbmd.port, address, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    await bind(bbmd.unicast, options.address);
    await bind(bbmd.broadcast, options.broadcastAddress);
    bbmd.unicast.setBroadcast(true);
    return bbmd;
  }

  /** Its foreign-device table, entries past their TTL and grace left out. */
  foreignDevices(): ForeignDeviceEntry[] {
    this.expire();
    return [...this.table].map(([address, entry]) => ({
      address,
      ttlSeconds: entry.ttlSeconds,
      remainingSeconds: Math.max(0, Math.ceil((entry.expiresAt - this.now()) / 1000)),
      registrations: entry.registrations,
    }));
  }

  close(): void {
    this.unicast.close();
    this.broadcast.close();
  }

  private expire(): void {
    const now = this.now();
    for (const [address, entry] of this.table) if (entry.expiresAt <= now) this.table.delete(address);
  }

  private send(datagram: Buffer, to: string): void {
    const [ip = '', port] = to.split(':');
    this.unicast.send(datagram, port === undefined ? BACNET_PORT : Number(port), ip);
  }

  private receive(datagram: Buffer, rinfo: RemoteInfo): void {
    // Its own distribution, heard back on the broadcast socket.
    if (rinfo.address === this.options.address && rinfo.port === this.port) return;
    const message = decodeBvlc(datagram);
    if (!message) return;
    const from = bipAddress(rinfo.address, rinfo.port);
    this.expire();
    switch (message.function) {
      case Bvlc.REGISTER_FOREIGN_DEVICE:
        this.register(from, message.body);
        break;
      case Bvlc.READ_FDT:
        this.send(this.tableAck(), from);
        break;
      case Bvlc.DELETE_FDT_ENTRY: {
        const address = message.body.length >= 6 ? decodeBip(message.body.subarray(0, 6)) : undefined;
        const deleted = address !== undefined && this.table.delete(address);
        this.send(bvlcResult(deleted ? BvlcResult.SUCCESS : BvlcResult.DELETE_FDT_ENTRY_NAK), from);
        break;
      }
      case Bvlc.READ_BDT:
        // No broadcast distribution table: a BBMD alone on the internetwork.
        this.send(bvlcResult(BvlcResult.READ_BDT_NAK), from);
        break;
      case Bvlc.DISTRIBUTE_BROADCAST_TO_NETWORK:
        this.distribute(from, message.body);
        break;
      case Bvlc.ORIGINAL_BROADCAST_NPDU:
        // A broadcast on its subnet (a device's I-Am): on to every foreign device.
        this.forwardToForeignDevices(from, message.body);
        break;
      default:
        // Unicast NPDUs for the BBMD itself (it is no BACnet device here), results, forwarded
        // NPDUs (it has no peer BBMDs): nothing to do.
        break;
    }
  }

  private register(from: string, body: Buffer): void {
    if (this.refuseRegistrations || body.length < 2) {
      this.counts.refusedRegistrations++;
      this.options.log.debug({ from }, 'simulated BBMD refuses a foreign-device registration');
      this.send(bvlcResult(BvlcResult.REGISTER_FOREIGN_DEVICE_NAK), from);
      return;
    }
    const ttlSeconds = body.readUInt16BE(0);
    const previous = this.table.get(from);
    this.table.set(from, {
      ttlSeconds,
      expiresAt: this.now() + ttlSeconds * 1000 + this.graceMs,
      registrations: (previous?.registrations ?? 0) + 1,
    });
    this.counts.registrations++;
    this.send(bvlcResult(BvlcResult.SUCCESS), from);
  }

  private distribute(from: string, npdu: Buffer): void {
    if (!this.table.has(from)) {
      this.counts.refusedDistributions++;
      this.send(bvlcResult(BvlcResult.DISTRIBUTE_BROADCAST_TO_NETWORK_NAK), from);
      return;
    }
    this.counts.distributed++;
    const forwarded = encodeBvlc(Bvlc.FORWARDED_NPDU, npdu, from);
    this.send(forwarded, this.options.broadcastAddress);
    for (const address of this.table.keys()) if (address !== from) this.send(forwarded, address);
  }

  private forwardToForeignDevices(from: string, npdu: Buffer): void {
    const forwarded = encodeBvlc(Bvlc.FORWARDED_NPDU, npdu, from);
    for (const address of this.table.keys()) {
      this.counts.forwardedToForeignDevices++;
      this.send(forwarded, address);
    }
  }

  private tableAck(): Buffer {
    const entries = this.foreignDevices().map((entry) => {
      const bytes = Buffer.alloc(FDT_ENTRY_BYTES);
      encodeBip(entry.address).copy(bytes);
      bytes.writeUInt16BE(entry.ttlSeconds, 6);
      bytes.writeUInt16BE(Math.min(0xffff, entry.remainingSeconds), 8);
      return bytes;
    });
    return encodeBvlc(Bvlc.READ_FDT_ACK, Buffer.concat(entries));
  }
}

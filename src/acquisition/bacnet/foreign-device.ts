/**
 * Devices on other IP subnets and behind BACnet routers. A broadcast Who-Is stays on its own
 * subnet: the gateway registers with the subnet's BBMD as a foreign device (and again before the
 * registration's time-to-live runs out), then asks the BBMD to distribute its Who-Is there. The
 * answers come back forwarded by the BBMD, each carrying the device's own address. A device
 * behind a router (MS/TP) is addressed through the router's IP address with its network number
 * and station MAC (address.ts, `configuredReceiver`).
 */
import type { BvlcResultPayload, IAMResult } from '@bacnet-js/client';
import type { BaseEventContent } from '@bacnet-js/client/dist/lib/EventTypes.js';
import type { Logger } from 'pino';
import type { BacnetClient } from './client.js';

const BACNET_PORT = 47808;
/** BVLC-Result codes (Annex J.2.1). */
const RESULT_REGISTER_NAK = 0x0030;
const RESULT_DISTRIBUTE_NAK = 0x0060;
/** The TTL travels in whole seconds, two octets. */
const MAX_TTL_SECONDS = 0xffff;
const DEFAULT_RETRY_MIN_MS = 1_000;
const DEFAULT_RETRY_MAX_MS = 60_000;
/** A global broadcast: every network the routers know. */
export const GLOBAL_NETWORK = 0xffff;

/** "ip:port", the port always written: how the library compares addresses. */
function withPort(address: string): string {
  return address.includes(':') ? address : `${address}:${BACNET_PORT}`;
}

/** "ip", or "ip:port" when the port is not 47808: how the library writes a sender's address. */
function libraryAddress(address: string): string {
  return address.endsWith(`:${BACNET_PORT}`) ? address.slice(0, -`:${BACNET_PORT}`.length) : address;
}

export interface ForeignDeviceOptions {
  /** The BBMD: "ip" or "ip:port" (47808 unless given). */
  address: string;
  /** The registration's time-to-live; sent in whole seconds (1–65535). */
  ttlMs: number;
  /** Register again this long after each success: half the TTL unless given. */
  renewAfterMs?: number;
  /** The first retry after a failure; each further failure doubles it, up to `retryMaxMs`. */
  retryMinMs?: number;
  /** Never longer between retries than this, nor than the renewal interval (default 60 s). */
  retryMaxMs?: number;
}

export type ForeignDeviceState = 'registering' | 'registered' | 'failed' | 'stopped';

export interface ForeignDeviceStatus {
  /** The BBMD, "ip:port". */
  bbmd: string;
  state: ForeignDeviceState;
  ttlSeconds: number;
  /** Successful registrations (the first and every renewal). */
  registrations: number;
  /** Failed attempts since the last success. */
  failures: number;
  lastError?: string;
  /** When the last success came (ms since the epoch). */
  registeredAt?: number;
}

export interface ForeignDeviceRegistration {
  status(): ForeignDeviceStatus;
  /** Stops renewing; the BBMD drops the entry when its TTL (and 30 s grace) runs out. */
  stop(): void;
}

/** The library's error message for a failed registration, as something a site engineer can act on. */
function registrationError(err: unknown, bbmd: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const nak = /Result:(\d+)/.exec(message);
  if (nak) {
    const code = Number(nak[1]);
    return code === RESULT_REGISTER_NAK
      ? `BBMD ${bbmd} refused the foreign-device registration (BVLC-Result NAK 0x0030): its foreign-device table is full, or it does not accept foreign devices`
      : `BBMD ${bbmd} answered the foreign-device registration with BVLC-Result 0x${code.toString(16).padStart(4, '0')}`;
  }
  if (message === 'ERR_TIMEOUT')
    return `BBMD ${bbmd} did not answer the foreign-device registration within the APDU timeout: wrong address or port, a firewall, or not a BBMD`;
  return `foreign-device registration with BBMD ${bbmd} failed: ${message}`;
}

/**
 * Registers `client` with the BBMD as a foreign device and keeps it registered: again after
 * `renewAfterMs` (half the TTL: BACnet gives the BBMD 30 s of grace beyond the TTL, this keeps
 * well inside it), after a failure with a doubling backoff, and at once when the BBMD refuses
 * to distribute a broadcast because it no longer knows the gateway (restarted: NAK 0x0060).
 * Never throws into the caller: failures are logged and kept in `status()`.
 */
export function registerForeignDevice(
  client: BacnetClient,
  options: ForeignDeviceOptions,
  log: Logger,
): ForeignDeviceRegistration {
  const bbmd = withPort(options.address);
  const ttlSeconds = Math.min(MAX_TTL_SECONDS, Math.max(1, Math.round(options.ttlMs / 1000)));
  const renewAfterMs = options.renewAfterMs ?? (ttlSeconds * 1000) / 2;
  const retryMinMs = options.retryMinMs ?? DEFAULT_RETRY_MIN_MS;
  const retryMaxMs = Math.min(options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS, renewAfterMs);
  const status: ForeignDeviceStatus = {
    bbmd,
    state: 'registering',
    ttlSeconds,
    registrations: 0,
    failures: 0,
  };
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<void> | undefined;

  const schedule = (delayMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => void register(), delayMs);
    timer.unref();
  };

  const register = (): Promise<void> => {
    if (status.state === 'stopped') return Promise.resolve();
    // One attempt at a time: a NAK'd distribution during a renewal joins the renewal.
    attempt ??= (async () => {
      clearTimeout(timer);
      try {
        await client.registerForeignDevice({ address: bbmd }, ttlSeconds);
        if (status.state === 'stopped') return;
        if (status.state !== 'registered')
          log.info({ bbmd, ttlSeconds }, `BACnet: registered with BBMD ${bbmd} as a foreign device`);
        status.state = 'registered';
        status.registrations++;
        status.failures = 0;
        status.registeredAt = Date.now();
        schedule(renewAfterMs);
      } catch (err) {
        if (status.state === 'stopped') return;
        if (err instanceof Error && err.message === 'ERR_CLOSED') {
          // The gateway closed its socket: nothing left to keep registered.
          stop();
          return;
        }
        const message = registrationError(err, bbmd);
        // The first failure, and any change of cause, is an error; the same cause again is not news.
        if (status.state !== 'failed' || message !== status.lastError)
          log.error({ bbmd, failures: status.failures + 1 }, `BACnet: ${message}; retrying`);
        else log.debug({ bbmd, failures: status.failures + 1 }, `BACnet: ${message}; retrying`);
        status.state = 'failed';
        status.lastError = message;
        status.failures++;
        schedule(Math.min(retryMaxMs, retryMinMs * 2 ** (status.failures - 1)));
      } finally {
        attempt = undefined;
      }
    })();
    return attempt;
  };

  const onResult = (content: BaseEventContent & { payload: BvlcResultPayload }) => {
    const sender = content.header?.sender.address;
    if (sender === undefined || withPort(sender) !== bbmd) return;
    if (content.payload.resultCode !== RESULT_DISTRIBUTE_NAK || status.state === 'stopped') return;
    log.warn(
      { bbmd },
      `BACnet: BBMD ${bbmd} no longer knows this gateway (restarted, or the registration expired): registering again`,
    );
    status.lastError = `BBMD ${bbmd} refused to distribute a broadcast (BVLC-Result NAK 0x0060): not registered`;
    if (status.state === 'registered') status.state = 'registering';
    void register();
  };
  function stop() {
    status.state = 'stopped';
    clearTimeout(timer);
    client.off('bvlcResult', onResult);
  }
  client.on('bvlcResult', onResult);
  void register();

  return { status: () => ({ ...status }), stop };
}

/** A device as its I-Am told: where it answers, and how to address it there. */
export interface FoundDevice {
  /**
   * Its B/IP address ("ip" or "ip:port"): the device's own, or its router's when `network` is
   * set. For an answer forwarded by a BBMD, the originating address, never the BBMD's.
   */
  address: string;
  /** Behind a router: the remote network number the answer came from (its SNET)… */
  network?: number;
  /** …and the station's MAC on it, in hex ("0a"): the SADR. */
  mac?: string;
  instance: number;
  maxApdu: number;
  vendorId: number;
}

export interface CollectOptions {
  /** How long to collect I-Am answers: a BBMD or a router adds a hop, an MS/TP token a wait. */
  waitMs: number;
}

/**
 * Collects the I-Am answers to the Who-Is `send` sends, for `waitMs`. The library gives the
 * UDP sender as `header.sender.address`, the BVLC Forwarded-NPDU's originating address as
 * `forwardedFrom`, and the NPDU's SNET/SADR as `net`/`adr`: the device's own address is the
 * originating one when there is one.
 */
export async function collectIAm(
  client: BacnetClient,
  send: () => void,
  options: CollectOptions,
): Promise<FoundDevice[]> {
  const found = new Map<string, FoundDevice>();
  const onIAm = (content: BaseEventContent & { payload: IAMResult }) => {
    const sender = content.header?.sender;
    const address = sender?.forwardedFrom || sender?.address;
    if (!sender || !address) return;
    const { deviceId, maxApdu, vendorId } = content.payload;
    const device: FoundDevice = { address, instance: deviceId, maxApdu, vendorId };
    if (sender.net !== undefined && sender.net !== GLOBAL_NETWORK) {
      device.network = sender.net;
      if (sender.adr?.length) device.mac = Buffer.from(sender.adr).toString('hex');
    }
    found.set(`${deviceId}@${address}/${device.network ?? ''}/${device.mac ?? ''}`, device);
  };
  client.on('iAm', onIAm);
  try {
    send();
    await new Promise((resolve) => setTimeout(resolve, options.waitMs));
  } finally {
    client.off('iAm', onIAm);
  }
  return [...found.values()].sort((a, b) => a.instance - b.instance);
}

export class BbmdRefusedError extends Error {
  constructor(bbmd: string) {
    super(
      `BBMD ${bbmd} refused to distribute the Who-Is (BVLC-Result NAK 0x0060): this gateway is not registered with it (yet, or any more)`,
    );
    this.name = 'BbmdRefusedError';
  }
}

export interface BbmdWhoIsOptions extends CollectOptions {
  lowLimit?: number;
  highLimit?: number;
}

/**
 * Who-Is on the BBMD's subnet (BVLC Distribute-Broadcast-To-Network): the devices there, each
 * with its own address. Rejects with BbmdRefusedError when the BBMD refuses (the gateway is not
 * registered: registerForeignDevice's handle registers again on that refusal by itself).
 */
export async function whoIsThroughBbmd(
  client: BacnetClient,
  bbmd: string,
  options: BbmdWhoIsOptions,
): Promise<FoundDevice[]> {
  const target = withPort(bbmd);
  let refused = false;
  const onResult = (content: BaseEventContent & { payload: BvlcResultPayload }) => {
    const sender = content.header?.sender.address;
    if (sender !== undefined && withPort(sender) === target)
      refused ||= content.payload.resultCode === RESULT_DISTRIBUTE_NAK;
  };
  client.on('bvlcResult', onResult);
  try {
    const limits =
      options.lowLimit !== undefined && options.highLimit !== undefined
        ? { lowLimit: options.lowLimit, highLimit: options.highLimit }
        : undefined;
    const found = await collectIAm(
      client,
      () => client.whoIsThroughBBMD({ address: libraryAddress(target) }, limits),
      options,
    );
    if (refused) throw new BbmdRefusedError(target);
    return found;
  } finally {
    client.off('bvlcResult', onResult);
  }
}

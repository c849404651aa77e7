/**
 * One configured BACnet/IP port (plantwatch.yaml `bacnet.ports[]`): its socket, the queue its
 * confirmed requests go through, Who-Is (for one device, and again every `rediscover` for the
 * devices whose address was found, not given), I-Am and COV notifications handed to whoever
 * listens, and the port's counters for metrics.
 */
import {
  type BACNetAddress,
  ConfirmedServiceChoice,
  type CovNotifyPayload,
  type IAMResult,
  type ServiceOptions,
} from '@bacnet-js/client';
import type { BaseEventContent } from '@bacnet-js/client/dist/lib/EventTypes.js';
import type { Logger } from 'pino';
import type { BacnetPortSettings } from '../../config/index.js';
import { normaliseAddress, receiverOfSender } from './address.js';
import { type BacnetClient, openBacnetClient } from './client.js';
import { RequestQueue } from './queue.js';
import type { BacnetServiceName } from './reader.js';

/**
 * Confirmed requests outstanding at once on one port. One socket and invoke ids 0–255 for all of
 * its devices; a controller takes a few requests at a time; 8 keeps a busy site's polls flowing
 * (the large-site test: 120 devices) without a burst of hundreds of datagrams.
 */
export const MAX_IN_FLIGHT_PER_PORT = 8;

export interface BacnetPortStats {
  id: string;
  /** Confirmed requests sent, by service. */
  requests: Record<BacnetServiceName, number>;
  whoIs: number;
  /** Requests that got no answer within their device's timeout. */
  timeouts: number;
  /** COV notifications received (confirmed and unconfirmed) for this gateway's subscriptions. */
  covNotifications: number;
  /** Subscriptions renewed (acknowledged re-subscriptions of a live one). */
  subscriptionsRenewed: number;
  inFlight: number;
  queued: number;
  peakInFlight: number;
}

export interface WhoIsRequest {
  /** Where it goes: undefined for the local broadcast. */
  target: BACNetAddress | undefined;
  instance: number;
}

type IAmListener = (instance: number, receiver: BACNetAddress) => void;
type CovListener = (payload: CovNotifyPayload) => void;

export class BacnetPort {
  readonly stats: BacnetPortStats;
  private readonly queue = new RequestQueue(MAX_IN_FLIGHT_PER_PORT);
  private readonly iAmListeners: IAmListener[] = [];
  private readonly covListeners = new Map<number, CovListener>();
  private rediscoverTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly settings: BacnetPortSettings,
    readonly client: BacnetClient,
    private readonly log: Logger,
  ) {
    this.stats = {
      id: settings.id,
      requests: { readProperty: 0, readPropertyMultiple: 0, subscribeCov: 0 },
      whoIs: 0,
      timeouts: 0,
      covNotifications: 0,
      subscriptionsRenewed: 0,
      inFlight: 0,
      queued: 0,
      peakInFlight: 0,
    };
    client.on('error', (err) => log.error({ err, port: settings.id }, 'BACnet/IP socket error'));
    client.on('iAm', (content: BaseEventContent & { payload: IAMResult }) => {
      // The payload's own `address` is left undefined by the library: the sender is in the header.
      const sender = content.header?.sender;
      const receiver = sender && receiverOfSender(sender);
      if (!receiver) return;
      for (const listener of this.iAmListeners) listener(content.payload.deviceId, receiver);
    });
    client.on('covNotifyUnconfirmed', (content) => this.covNotified(content.payload));
    client.on('covNotify', (content) => {
      // A confirmed notification is acknowledged, or the device sends it again (and counts us dead).
      const sender = content.header?.sender;
      if (sender && content.invokeId !== undefined)
        client.simpleAckResponse(sender, ConfirmedServiceChoice.CONFIRMED_COV_NOTIFICATION, content.invokeId);
      this.covNotified(content.payload);
    });
  }

  /**
   * Binds the port's socket: BacnetPortInUseError (naming the port, address and UDP port) when
   * another program holds it. `timeoutMs`: the longest request timeout of its devices.
   */
  static async open(settings: BacnetPortSettings, timeoutMs: number, log: Logger): Promise<BacnetPort> {
    const client = await openBacnetClient({
      id: settings.id,
      interface: settings.interface,
      port: settings.udpPort,
      broadcastAddress: settings.broadcastAddress,
      timeoutMs,
    });
    return new BacnetPort(settings, client, log);
  }

  get id(): string {
    return this.settings.id;
  }

  /** One confirmed request through the port's queue, with an invoke id of its own. */
  request<T>(
    service: BacnetServiceName,
    send: (options: ServiceOptions) => Promise<T>,
    flags: { segmented: boolean; probe: boolean; timeoutMs: number },
  ): Promise<T> {
    this.stats.requests[service]++;
    return this.queue
      .run((invokeId) => send({ invokeId }), flags)
      .catch((err: unknown) => {
        if (err instanceof Error && err.message === 'ERR_TIMEOUT') this.stats.timeouts++;
        throw err;
      });
  }

  /**
   * The port's client for others on the same socket (the admin page's scan): its reads go
   * through the port's queue, so they take invoke ids the pollers are not awaiting and count
   * against the bound in flight. Sent straight through the library, a scan's request could take
   * the id of a poll still in flight, and that poll's device would be reported silent.
   */
  sharedClient(): BacnetClient {
    const { client } = this;
    const flags = { segmented: true, probe: false, timeoutMs: this.settings.apduTimeout };
    const readProperty: BacnetClient['readProperty'] = (receiver, objectId, propertyId, options) =>
      this.request(
        'readProperty',
        (queued) => client.readProperty(receiver, objectId, propertyId, { ...options, ...queued }),
        flags,
      );
    const readPropertyMultiple: BacnetClient['readPropertyMultiple'] = (receiver, specs, options) =>
      this.request(
        'readPropertyMultiple',
        (queued) => client.readPropertyMultiple(receiver, specs, { ...options, ...queued }),
        flags,
      );
    return new Proxy(client, {
      get(target, property, receiver) {
        if (property === 'readProperty') return readProperty;
        if (property === 'readPropertyMultiple') return readPropertyMultiple;
        const value: unknown = Reflect.get(target, property, receiver);
        // Listeners, Who-Is and the rest act on the socket itself.
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Who-Is for the instances from `low` to `high`: locally, or to a remote network; and through the BBMD. */
  whoIs(target: BACNetAddress | undefined, low: number, high = low): void {
    const limits = { lowLimit: low, highLimit: high };
    this.stats.whoIs++;
    if (target) this.client.whoIs(target, limits);
    else this.client.whoIs(limits);
    const bbmd = this.settings.bbmd;
    // Devices on other IP subnets hear it through the BBMD (once registered as a foreign device).
    if (bbmd && !target) this.client.whoIsThroughBBMD({ address: normaliseAddress(bbmd.address) }, limits);
  }

  onIAm(listener: IAmListener): void {
    this.iAmListeners.push(listener);
  }

  /** Notifications for `processId` (one per device) go to `listener`. */
  onCovNotification(processId: number, listener: CovListener): void {
    this.covListeners.set(processId, listener);
  }

  /**
   * Every `rediscover`, one Who-Is per target (the local link, each remote network) covering
   * the instances `devices()` lists: the devices whose address was found, to find them again
   * where they moved (a new DHCP lease).
   */
  startRediscovery(devices: () => WhoIsRequest[]): void {
    clearInterval(this.rediscoverTimer);
    this.rediscoverTimer = setInterval(() => {
      const byTarget = new Map<string, { target: BACNetAddress | undefined; instances: number[] }>();
      for (const { target, instance } of devices()) {
        const key = JSON.stringify(target ?? null);
        const entry = byTarget.get(key) ?? { target, instances: [] };
        entry.instances.push(instance);
        byTarget.set(key, entry);
      }
      for (const { target, instances } of byTarget.values())
        this.whoIs(target, Math.min(...instances), Math.max(...instances));
    }, this.settings.rediscover);
  }

  snapshotStats(): BacnetPortStats {
    return {
      ...this.stats,
      requests: { ...this.stats.requests },
      inFlight: this.queue.inFlight,
      queued: this.queue.queued,
      peakInFlight: this.queue.peakInFlight,
    };
  }

  close(): void {
    clearInterval(this.rediscoverTimer);
    this.queue.close();
    this.client.close();
  }

  private covNotified(payload: CovNotifyPayload | undefined): void {
    if (!payload) return;
    const listener = this.covListeners.get(payload.subscriberProcessId);
    if (!listener) {
      this.log.debug(
        { port: this.id, processId: payload.subscriberProcessId },
        'BACnet COV notification for no subscription of ours',
      );
      return;
    }
    this.stats.covNotifications++;
    listener(payload);
  }
}

/** Who-Is: the devices on the link, with their addresses and instances, as they answer. */
import type { BACNetAddress, IAMResult } from '@bacnet-js/client';
import type { BaseEventContent } from '@bacnet-js/client/dist/lib/EventTypes.js';
import { receiverOfSender } from './address.js';
import type { BacnetClient } from './client.js';

export interface DiscoveredDevice {
  /** "ip" or "ip:port" as the library addresses it (port 47808 left out); a router's for a routed device. */
  address: string;
  /** Behind a router: the device's network and MAC address there (the I-Am's source). */
  network?: number;
  mac?: number[];
  /** Where to send its requests (address, and network/MAC when routed). */
  receiver?: BACNetAddress;
  instance: number;
  /** As its I-Am says (the library's own server announces its buffer, 1482: read the device object). */
  maxApdu: number;
  segmentation?: number;
  vendorId: number;
}

export interface DiscoverOptions {
  /** How long to collect I-Am answers: devices answer at once, but a busy router does not. */
  waitMs: number;
  lowLimit?: number;
  highLimit?: number;
  /** A unicast Who-Is to one address (a device off the local subnet) instead of a broadcast. */
  address?: string;
  /** A Who-Is to a remote network (DNET, through its router): the devices behind it answer. */
  network?: number;
}

export async function discoverDevices(
  client: BacnetClient,
  options: DiscoverOptions,
): Promise<DiscoveredDevice[]> {
  const found = new Map<number, DiscoveredDevice>();
  const onIAm = (content: BaseEventContent & { payload: IAMResult }) => {
    // The payload's own `address` (typed in IAMResult) is left undefined by the library 3.3: the
    // sender's address is in the header.
    const sender = content.header?.sender;
    const receiver = sender && receiverOfSender(sender);
    if (!receiver?.address) return;
    const { deviceId, maxApdu, segmentation, vendorId } = content.payload;
    found.set(deviceId, {
      address: receiver.address,
      ...(receiver.net !== undefined ? { network: receiver.net, mac: receiver.adr ?? [] } : {}),
      receiver,
      instance: deviceId,
      maxApdu,
      segmentation,
      vendorId,
    });
  };
  client.on('iAm', onIAm);
  try {
    const limits =
      options.lowLimit !== undefined && options.highLimit !== undefined
        ? { lowLimit: options.lowLimit, highLimit: options.highLimit }
        : undefined;
    const target: BACNetAddress | undefined =
      options.address !== undefined || options.network !== undefined
        ? {
            ...(options.address !== undefined ? { address: options.address } : {}),
            ...(options.network !== undefined ? { net: options.network } : {}),
          }
        : undefined;
    if (target) client.whoIs(target, limits);
    else if (limits) client.whoIs(limits);
    else client.whoIs();
    await new Promise((resolve) => setTimeout(resolve, options.waitMs));
  } finally {
    client.off('iAm', onIAm);
  }
  return [...found.values()].sort((a, b) => a.instance - b.instance);
}

/** Who-Is: the devices on the link, with their addresses and instances, as they answer. */
import type { IAMResult } from '@bacnet-js/client';
import type { BaseEventContent } from '@bacnet-js/client/dist/lib/EventTypes.js';
import type { BacnetClient } from './client.js';

export interface DiscoveredDevice {
  /** "ip" or "ip:port" as the library addresses it (port 47808 left out). */
  address: string;
  instance: number;
  maxApdu: number;
  vendorId: number;
}

export interface DiscoverOptions {
  /** How long to collect I-Am answers: devices answer at once, but a busy router does not. */
  waitMs: number;
  lowLimit?: number;
  highLimit?: number;
  /** A unicast Who-Is to one address (a device off the local subnet) instead of a broadcast. */
  address?: string;
}

export async function discoverDevices(
  client: BacnetClient,
  options: DiscoverOptions,
): Promise<DiscoveredDevice[]> {
  const found = new Map<number, DiscoveredDevice>();
  const onIAm = (content: BaseEventContent & { payload: IAMResult }) => {
    // The payload's own `address` (typed in IAMResult) is left undefined by the library 3.3: the
    // sender's address is in the header.
    const address = content.header?.sender.address;
    const { deviceId, maxApdu, vendorId } = content.payload;
    if (address !== undefined) found.set(deviceId, { address, instance: deviceId, maxApdu, vendorId });
  };
  client.on('iAm', onIAm);
  try {
    const limits =
      options.lowLimit !== undefined && options.highLimit !== undefined
        ? { lowLimit: options.lowLimit, highLimit: options.highLimit }
        : undefined;
    if (options.address !== undefined) client.whoIs({ address: options.address }, limits);
    else if (limits) client.whoIs(limits);
    else client.whoIs();
    await new Promise((resolve) => setTimeout(resolve, options.waitMs));
  } finally {
    client.off('iAm', onIAm);
  }
  return [...found.values()].sort((a, b) => a.instance - b.instance);
}

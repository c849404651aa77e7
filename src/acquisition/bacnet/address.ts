/**
 * Where a BACnet device is, as @bacnet-js/client addresses it (a BACNetAddress, its
 * "receiver"): an IP address ("10.1.0.21", or "10.1.0.21:47809" off the standard port), and for a
 * device behind a BACnet router (MS/TP, another network) the router's IP address with the remote
 * network number (`net`) and the station's MAC address there (`adr`).
 */
import type { BACNetAddress } from '@bacnet-js/client';

/** The 47808 the library leaves out of an address it reports. */
const STANDARD_PORT_SUFFIX = ':47808';

/** "0A" → [10]: the station address behind a router, in octets. */
export function macBytes(mac: string): number[] {
  return (mac.match(/[0-9A-Fa-f]{2}/g) ?? []).map((octet) => Number.parseInt(octet, 16));
}

/** [10] → "0a". */
export function macText(adr: readonly number[]): string {
  return adr.map((octet) => octet.toString(16).padStart(2, '0')).join('');
}

/** "10.1.0.21:47808" is "10.1.0.21" to the library: its transport reports senders that way. */
export function normaliseAddress(address: string): string {
  return address.endsWith(STANDARD_PORT_SUFFIX) ? address.slice(0, -STANDARD_PORT_SUFFIX.length) : address;
}

export interface DevicePlace {
  address?: string | undefined;
  network?: number | undefined;
  mac?: string | undefined;
}

/**
 * The receiver the configuration gives a device, or undefined when it is to be found by Who-Is
 * (no address; or a remote network without the station's MAC address).
 */
export function configuredReceiver(place: DevicePlace): BACNetAddress | undefined {
  if (place.address === undefined) return undefined;
  const address = normaliseAddress(place.address);
  if (place.network === undefined) return { address };
  if (place.mac === undefined) return undefined;
  return { address, net: place.network, adr: macBytes(place.mac) };
}

/**
 * Where a Who-Is for the device goes: undefined for the local broadcast; the remote network's
 * broadcast (DNET, no DADR) for a device behind a router, through the router's address when given.
 */
export function whoIsTarget(place: DevicePlace): BACNetAddress | undefined {
  if (place.network === undefined) return undefined;
  return {
    ...(place.address !== undefined ? { address: normaliseAddress(place.address) } : {}),
    net: place.network,
  };
}

/**
 * The receiver an I-Am came from: the sender's address (the originator's when a BBMD forwarded
 * it), with the source network and MAC address when a router relayed it from another network.
 */
export function receiverOfSender(sender: BACNetAddress): BACNetAddress | undefined {
  const address = sender.forwardedFrom ?? sender.address;
  if (address === undefined || address === null) return undefined;
  const routed = sender.net !== undefined && sender.net > 0 && sender.net !== 0xffff;
  return routed ? { address, net: sender.net, adr: [...(sender.adr ?? [])] } : { address };
}

export function sameReceiver(a: BACNetAddress | undefined, b: BACNetAddress | undefined): boolean {
  return describeReceiver(a) === describeReceiver(b);
}

/** "10.1.0.21", "10.2.0.1 network 5 station 0a": for logs. */
export function describeReceiver(receiver: BACNetAddress | undefined): string {
  if (!receiver?.address) return 'unknown';
  if (receiver.net === undefined) return receiver.address;
  return `${receiver.address} network ${receiver.net} station ${macText(receiver.adr ?? [])}`;
}

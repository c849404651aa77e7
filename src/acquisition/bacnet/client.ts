/** One BACnet/IP socket for the gateway, opened so that a port already taken is said plainly. */
import bacnet from '@bacnet-js/client';
import { installRequestTable } from './request-table.js';

/**
 * The library is CommonJS with its client class at `exports.default`: Node's ESM loader gives the
 * whole exports object as the default import (the class at `.default`), vitest's interop the class
 * itself.
 */
export const BACnetClient =
  (bacnet as unknown as { default?: typeof bacnet.default }).default ??
  (bacnet as unknown as typeof bacnet.default);
export type BacnetClient = InstanceType<typeof BACnetClient>;

export const BACNET_PORT = 47808;

export interface BacnetClientOptions {
  /** The port's id in plantwatch.yaml (`bacnet.ports[].id`), named by errors. */
  id?: string;
  /** The local address to bind: 0.0.0.0 (every interface, hears broadcast I-Am) unless given. */
  interface?: string;
  port?: number;
  /** Where Who-Is goes: the subnet's broadcast address (127.255.255.255 on loopback). */
  broadcastAddress: string;
  /** How long a request waits for its answer: the time a dead device takes to be comm-error. */
  timeoutMs: number;
}

export class BacnetPortInUseError extends Error {
  constructor(address: string, port: number, id?: string) {
    const which = id === undefined ? 'BACnet/IP' : `BACnet/IP port "${id}"`;
    super(
      `${which}: UDP ${address}:${port} is already in use: another BACnet application on this host (a BMS workstation, a second gateway)? Stop it, or set another interface or udpPort.`,
    );
    this.name = 'BacnetPortInUseError';
  }
}

/**
 * Resolves once the socket is bound. The socket does not share its port (reuseAddr false, where
 * the library would share it): two programs on one port each miss the answers the other gets.
 * The client awaits its requests in a RequestTable (request-table.ts), not the library's own.
 */
export async function openBacnetClient(options: BacnetClientOptions): Promise<BacnetClient> {
  const address = options.interface ?? '0.0.0.0';
  const port = options.port ?? BACNET_PORT;
  const client = new BACnetClient({
    interface: address,
    port,
    broadcastAddress: options.broadcastAddress,
    apduTimeout: options.timeoutMs,
    reuseAddr: false,
  });
  // Its own table of awaited requests loses some when invoke ids come round fast (request-table.ts).
  installRequestTable(client, options.timeoutMs);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      client.close();
      reject(err.code === 'EADDRINUSE' ? new BacnetPortInUseError(address, port, options.id) : err);
    };
    client.once('error', onError);
    client.once('listening', () => {
      client.off('error', onError);
      resolve();
    });
  });
  return client;
}

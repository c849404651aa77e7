/** One BACnet/IP socket for the gateway, opened so that a port already taken is said plainly. */
import bacnet from '@bacnet-js/client';

const BACnetClient = bacnet.default;
export type BacnetClient = InstanceType<typeof BACnetClient>;

export const BACNET_PORT = 47808;

export interface BacnetClientOptions {
  /** The local address to bind: 0.0.0.0 (every interface, hears broadcast I-Am) unless given. */
  interface?: string;
  port?: number;
  /** Where Who-Is goes: the subnet's broadcast address (127.255.255.255 on loopback). */
  broadcastAddress: string;
  /** How long a request waits for its answer: the time a dead device takes to be comm-error. */
  timeoutMs: number;
}

export class BacnetPortInUseError extends Error {
  constructor(address: string, port: number) {
    super(
      `BACnet/IP: UDP ${address}:${port} is already in use: another BACnet application on this host (a BMS workstation, a second gateway)? Stop it or bind another address.`,
    );
    this.name = 'BacnetPortInUseError';
  }
}

/**
 * Resolves once the socket is bound. The socket does not share its port (reuseAddr false, where
 * the library would share it): two programs on one port each miss the answers the other gets.
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
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      client.close();
      reject(err.code === 'EADDRINUSE' ? new BacnetPortInUseError(address, port) : err);
    };
    client.once('error', onError);
    client.once('listening', () => {
      client.off('error', onError);
      resolve();
    });
  });
  return client;
}

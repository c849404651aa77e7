/**
 * A Modbus TCP gateway that fails at the TCP level, for the acquisition's edge cases: it takes
 * each connection and closes it at once ('close': its connection limit reached), or resets it
 * (RST) at the first request ('reset': a watchdog or a firewall). It counts the connections
 * and says when each came, which is what a line's reconnection backoff shows as.
 */
import { createServer, type Socket } from 'node:net';

export interface FailingGateway {
  port: number;
  /** When each connection was accepted (Date.now()), in order. */
  connectedAt: number[];
  stop(): Promise<void>;
}

export async function startFailingGateway(mode: 'close' | 'reset'): Promise<FailingGateway> {
  const sockets: Socket[] = [];
  const connectedAt: number[] = [];
  const server = createServer((socket) => {
    connectedAt.push(Date.now());
    sockets.push(socket);
    socket.on('error', () => {});
    if (mode === 'close') socket.end();
    else socket.once('data', () => socket.resetAndDestroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    connectedAt,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** An RTU-over-TCP gateway: raw RTU frames on a TCP socket, as cheap serial servers do. */
import { createServer, type Socket } from 'node:net';
import type { LineResponder } from './responder.js';
import { attachRtuSlave } from './rtu-slave.js';

export async function startRtuTcpServer(
  responder: LineResponder,
  host: string,
  port: number,
  baudRate?: number,
): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    attachRtuSlave(socket, responder, { baudRate });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

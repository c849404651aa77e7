/**
 * UDP ports free on 127.0.0.1 now, all different (held together while they are chosen): for
 * BACnet/IP sockets, which the library binds to 47808 when given 0.
 */
import { createSocket, type Socket } from 'node:dgram';

export async function freeUdpPorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, host, resolve));
    sockets.push(socket);
  }
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

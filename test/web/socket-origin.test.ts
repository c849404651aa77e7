/**
 * Live data only to the gateway's own pages: a WebSocket is not bound by CORS, so a page on
 * another port of the same host (same site: the SameSite=Strict cookie goes along) could open
 * socket.io with the signed-in user's session and read every value. Real socket.io clients
 * sending the Origin a browser would send.
 */
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebServer } from '../../src/web/index.js';
import { demoWebServer, type LogLine, login } from '../auth/harness.js';

let server: Awaited<ReturnType<typeof demoWebServer>>;
let web: WebServer;
let lines: LogLine[];
let cookie = '';
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await demoWebServer({ allowedOrigins: ['https://plant.example.cn'] });
  ({ web, lines } = server);
  cookie = (await login(web.url, 'electrician', 'electrician-demo')).cookie ?? '';
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(() => server?.stop());

/** 'connected', or the handshake's refusal. */
function connectFrom(origin: string | undefined, transport: 'websocket' | 'polling'): Promise<string> {
  const socket = connectSocket(web.url, {
    transports: [transport],
    reconnection: false,
    timeout: 5000,
    extraHeaders: { cookie, ...(origin ? { origin } : {}) },
  });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(`refused: ${err.message}`));
  });
}

describe('socket.io handshake origin', () => {
  it('refuses a page on another port of the same host, over WebSocket and polling, and logs it', async () => {
    const foreign = `http://127.0.0.1:${web.port + 1}`;
    expect(await connectFrom(foreign, 'websocket')).toMatch(/^refused/);
    expect(await connectFrom(foreign, 'polling')).toMatch(/^refused/);
    expect(await connectFrom('null', 'websocket')).toMatch(/^refused/);
    expect(lines.some((l) => l.msg?.includes(`live connection refused: Origin ${foreign}`))).toBe(true);
  });

  it("lets the gateway's own pages, an allowed origin and non-browser clients connect", async () => {
    expect(await connectFrom(web.url, 'websocket')).toBe('connected');
    expect(await connectFrom(web.url, 'polling')).toBe('connected');
    expect(await connectFrom('https://plant.example.cn', 'websocket')).toBe('connected');
    expect(await connectFrom(undefined, 'websocket')).toBe('connected');
  });
});

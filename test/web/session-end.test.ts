/**
 * An open dashboard stops receiving live values the moment its session ends: at logout, when
 * an admin disables the user, and when the password is reset. Real socket.io clients, real
 * HTTP; the periodic re-check is left at its minute, so only the immediate path can pass.
 */
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebServer } from '../../src/web/index.js';
import { demoWebServer, login } from '../auth/harness.js';
import { until } from '../helpers/wait.js';
import { jsonRequest } from '../helpers/web.js';

let server: Awaited<ReturnType<typeof demoWebServer>>;
let web: WebServer;
let admin = '';
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await demoWebServer({ sessionRecheckMs: 60_000 });
  ({ web } = server);
  admin = (await login(web.url, 'admin', 'admin-demo')).cookie ?? '';
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(() => server?.stop());

interface Dashboard {
  socket: Socket;
  /** What the socket saw, in order: 'session-ended', then 'disconnect: <reason>'. */
  events: string[];
}

async function openDashboard(cookie: string): Promise<Dashboard> {
  const socket = connectSocket(web.url, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { cookie },
  });
  sockets.push(socket);
  const events: string[] = [];
  socket.on('session-ended', () => events.push('session-ended'));
  socket.on('disconnect', (reason) => events.push(`disconnect: ${reason}`));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return { socket, events };
}

async function newUser(username: string, password: string): Promise<string> {
  const added = await jsonRequest(`${web.url}/api/users`, {
    cookie: admin,
    body: { username, role: 'electrician', password },
  });
  expect(added.status).toBe(201);
  const { cookie } = await login(web.url, username, password);
  if (!cookie) throw new Error(`${username} could not log in`);
  return cookie;
}

/** Waits (at most a second) for the server to end the dashboard's socket, as the user sees it. */
async function endedWithinASecond(dashboard: Dashboard) {
  await until('the socket dropped', () => !dashboard.socket.connected, 1000);
  expect(dashboard.events).toEqual(['session-ended', 'disconnect: io server disconnect']);
}

describe('an open socket whose session ends', () => {
  it('is dropped within a second of logout; another session of the same user stays', async () => {
    const cookie = await newUser('li', 'li-password-1');
    const other = (await login(web.url, 'li', 'li-password-1')).cookie ?? '';
    const leaving = await openDashboard(cookie);
    const staying = await openDashboard(other);
    expect((await jsonRequest(`${web.url}/api/auth/logout`, { cookie, body: {} })).status).toBe(204);
    await endedWithinASecond(leaving);
    expect(staying.socket.connected).toBe(true);
    expect(staying.events).toEqual([]);
  });

  it('is dropped within a second of an admin disabling the user', async () => {
    const cookie = await newUser('zhou', 'zhou-password-1');
    const dashboard = await openDashboard(cookie);
    const adminDashboard = await openDashboard(admin);
    expect((await jsonRequest(`${web.url}/api/users/zhou/disable`, { cookie: admin, body: {} })).status).toBe(
      200,
    );
    await endedWithinASecond(dashboard);
    expect(adminDashboard.socket.connected).toBe(true);
  });

  it('is dropped within a second of a password reset', async () => {
    const cookie = await newUser('sun', 'sun-password-1');
    const dashboard = await openDashboard(cookie);
    const reset = await jsonRequest(`${web.url}/api/users/sun/password`, {
      cookie: admin,
      body: { password: 'sun-password-2' },
    });
    expect(reset.status).toBe(200);
    await endedWithinASecond(dashboard);
  });
});

/**
 * A real express server on 127.0.0.1:0 with the auth module mounted the way the gateway
 * will mount it, a pino logger whose lines the test can read, and a movable clock.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { pino } from 'pino';
import { Server as SocketServer } from 'socket.io';
import { afterEach, beforeEach } from 'vitest';
import { type Auth, type AuthOptions, authSettings, createAuth } from '../../src/auth/index.js';
import type { WebServerOptions } from '../../src/web/index.js';
import { startBareWebServer } from '../helpers/web.js';

export const HOUR = 3_600_000;

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A logger writing JSON lines into `lines`. */
export function capturingLogger() {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  return { log, lines };
}

/** A clock that only moves when told. */
export function manualClock(start = Date.parse('2026-03-02T07:00:00Z')) {
  let at = start;
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

/** A fresh directory, removed by the returned function. */
/** Login on, with the demo accounts, users kept in `dir`: what the API and dashboard tests sign in to. */
export function demoAuth(dir: string, log: AuthOptions['log']): Promise<Auth> {
  return createAuth({
    log,
    env: {},
    settings: authSettings.parse({ enabled: true, users: `${dir}/users.db`, demoAccounts: true }),
  });
}

/** The gateway's web server alone, with login on and the demo accounts, in its own temp dir. */
export async function demoWebServer(options: Partial<WebServerOptions> = {}) {
  const temp = tempDir();
  const { log, lines } = capturingLogger();
  const auth = await demoAuth(temp.dir, log);
  const web = await startBareWebServer({ log, auth, ...options });
  return {
    auth,
    web,
    lines,
    async stop() {
      await web.stop();
      auth.close();
      temp.remove();
    },
  };
}

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-auth-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestServer {
  url: string;
  auth: Auth;
  /** Everything the auth module logged. */
  lines: LogLine[];
  io: SocketServer;
  stop(): Promise<void>;
}

export interface PerTest {
  /** This test's fresh temp directory. */
  readonly dir: string;
  /** The server the test started, if any: stopped after the test. */
  server: TestServer | undefined;
}

/** A temp directory for each test of the file and the server it starts there, both removed after it. */
export function serverPerTest(): PerTest {
  let temp: ReturnType<typeof tempDir> | undefined;
  const state: PerTest = {
    get dir() {
      if (!temp) throw new Error('serverPerTest: no test is running');
      return temp.dir;
    },
    server: undefined,
  };
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(async () => {
    await state.server?.stop();
    state.server = undefined;
    temp?.remove();
    temp = undefined;
  });
  return state;
}

type Overrides = Partial<Omit<AuthOptions, 'settings' | 'log'>> & { settings?: Record<string, unknown> };

/** createAuth with the given settings (over the defaults), behind a real HTTP server. */
export async function startAuthServer(usersFile: string, overrides: Overrides = {}): Promise<TestServer> {
  const { log, lines } = capturingLogger();
  const auth = await createAuth({
    ...overrides,
    log,
    env: overrides.env ?? {},
    settings: authSettings.parse({ users: usersFile, ...overrides.settings }),
  });
  const app = express();
  app.use(express.json());
  app.use('/api', auth.router);
  app.use(auth.authenticate);
  app.get('/api/open', (req, res) => {
    res.json({ user: req.user?.username ?? null });
  });
  app.get('/api/points', auth.requireRole(), (_req, res) => {
    res.json([]);
  });
  app.post('/api/alarms/:id/ack', auth.requireRole('electrician'), (req, res) => {
    res.json({ acknowledgedBy: req.user?.username });
  });
  app.get('/api/reports', auth.requireRole('energy-manager'), (_req, res) => {
    res.json({ report: 'ok' });
  });
  app.get('/api/users', auth.requireRole('admin'), (_req, res) => {
    res.json(auth.users.list().map((u) => u.username));
  });
  const server: Server = createServer(app);
  const io = new SocketServer(server);
  io.use(auth.socketAuth);
  io.on('connection', (socket) => {
    socket.emit('hello', socket.data.user);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    auth,
    lines,
    io,
    async stop() {
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        server.closeAllConnections();
      });
      auth.close();
    },
  };
}

/** POST /api/auth/login; returns the response and the session cookie ("pw_session=…") it set, if any. */
export async function login(url: string, username: string, password: string, cookie?: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ username, password }),
  });
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('pw_session='));
  return { res, setCookie, cookie: setCookie?.split(';')[0] };
}

/**
 * POST /api/auth/login from the loopback address `from` (any of 127.0.0.0/8): the client
 * socket is bound to it, so the server sees a different client address for real.
 */
export function loginFrom(
  url: string,
  from: string,
  username: string,
  password: string,
): Promise<{ status: number; retryAfter: string | undefined; cookie: string | undefined }> {
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/auth/login`,
      {
        method: 'POST',
        localAddress: from,
        agent: false,
        timeout: 10_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          const session = res.headers['set-cookie']?.find((c) => c.startsWith('pw_session='));
          resolve({ status: res.statusCode ?? 0, retryAfter, cookie: session?.split(';')[0] });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`login from ${from} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function get(url: string, path: string, cookie?: string): Promise<Response> {
  return fetch(`${url}${path}`, { headers: cookie ? { cookie } : {} });
}

const CLI = ['--import', 'tsx', 'src/cli/index.ts'];

/** `plantwatch …` (the CLI from source) in a child process, its output collected. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const { PLANTWATCH_PASSWORD: _unset, ...inherited } = process.env;
    const child = spawn(process.execPath, [...CLI, ...args], {
      env: { ...inherited, PLANTWATCH_LOG_FORMAT: 'json', ...env },
      // stdin is not a terminal: without PLANTWATCH_PASSWORD there is no password to read.
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end();
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me. */
import express, { type Request, type Response, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { z } from 'zod';
import type {
  loginRoute,
  meRoute,
  Permission as PermissionJson,
  Role as RoleJson,
} from '../api-types/auth.js';
import type { Answer, Describes } from '../api-types/route.js';
import { readCookie, SESSION_COOKIE, sessionCookieOptions } from './cookies.js';
import type { SessionEvents } from './events.js';
import { MAX_PASSWORD_LENGTH } from './passwords.js';
import { type Permission, permissionsOf, type Role } from './roles.js';
import { isPublishedDemoPassword } from './seed.js';
import type { SessionStore } from './sessions.js';
import type { LoginThrottle } from './throttle.js';
import type { AuthUser } from './types.js';
import { normalizeUsername, type UserStore } from './users.js';

export interface LoginLimit {
  /** Failed logins allowed per client address in one window. */
  max: number;
  windowMs: number;
}

export interface RouterDeps {
  users: UserStore;
  sessions: SessionStore;
  throttle: LoginThrottle;
  /** Told of each logout, so the session's live sockets are dropped at once. */
  events: SessionEvents;
  /** NODE_ENV=production: the published demo passwords are refused whatever the account. */
  production: boolean;
  userFromCookie: (cookieHeader: string | undefined) => AuthUser | undefined;
  log: Logger;
  secureCookies: boolean;
  sessionMaxMs: number;
  loginLimit: LoginLimit;
}

const loginBody = z.object({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

/** The same answer for an unknown user, a disabled one and a wrong password. */
const BAD_LOGIN = { error: 'invalid username or password' };

// The shared schema (src/api-types/auth.ts) names the same roles and permissions.
const described: [Describes<Role, RoleJson>, Describes<Permission, PermissionJson>] = [true, true];
void described;

const view = (user: AuthUser): Answer<typeof meRoute> & Answer<typeof loginRoute> => ({
  ...user,
  permissions: permissionsOf(user.role),
});

export function authRouter(deps: RouterDeps): Router {
  const router = Router();
  router.post('/auth/login', loginLimiter(deps), express.json({ limit: '4kb' }), (req, res, next) => {
    login(deps, req, res).catch(next);
  });
  router.post('/auth/logout', (req, res) => logout(deps, req, res));
  router.get('/auth/me', (req, res) => {
    const user = req.user ?? deps.userFromCookie(req.headers.cookie);
    if (!user) {
      res.status(401).json({ error: 'login required' });
      return;
    }
    res.json(view(user));
  });
  return router;
}

/**
 * Per client address; successful logins do not count, so a control room whose shift logs
 * in from one machine is not locked out by its own colleagues.
 */
function loginLimiter(deps: RouterDeps) {
  return rateLimit({
    windowMs: deps.loginLimit.windowMs,
    limit: deps.loginLimit.max,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res, _next, options) => {
      deps.log.warn({ ip: req.ip }, 'login rate limit reached');
      res.status(options.statusCode).json({ error: 'too many login attempts; try again later' });
    },
  });
}

async function login(deps: RouterDeps, req: Request, res: Response): Promise<void> {
  const body = loginBody.safeParse(req.body);
  if (!body.success) {
    res.status(400).json({ error: 'username and password are required' });
    return;
  }
  const { username, password } = body.data;
  const key = normalizeUsername(username);
  if (refusedUnverified(deps, req, res, key, password)) return;
  const user = await deps.users.verify(key, password);
  if (!user) {
    deps.throttle.failed(key, req.ip);
    deps.log.warn({ username: key, ip: req.ip }, 'login failed');
    res.status(401).json(BAD_LOGIN);
    return;
  }
  deps.throttle.succeeded(user.username, req.ip);
  // A fresh id at every login: a session id planted before login is worth nothing.
  const previous = readCookie(req.headers.cookie);
  if (previous) deps.sessions.delete(previous);
  const token = deps.sessions.create(user.username);
  res.cookie(SESSION_COOKIE, token, sessionCookieOptions(deps.secureCookies, deps.sessionMaxMs));
  deps.log.info({ username: user.username, role: user.role, ip: req.ip }, 'login');
  res.json(
    view({
      username: user.username,
      name: user.name,
      role: user.role,
      ...(user.sites ? { sites: user.sites } : {}),
    }),
  );
}

/** Answers and returns true when the attempt is refused before any password is verified. */
function refusedUnverified(
  deps: RouterDeps,
  req: Request,
  res: Response,
  key: string,
  password: string,
): boolean {
  const waitMs = deps.throttle.waitMs(key, req.ip);
  if (waitMs > 0) {
    // The lockout itself was logged once when it began; each refusal is not worth a warning.
    deps.log.debug({ username: key, ip: req.ip }, 'login refused: locked after too many failures');
    res.set('Retry-After', String(Math.ceil(waitMs / 1000)));
    res.status(429).json({ error: 'too many failed logins; try again later' });
    return true;
  }
  if (deps.production && isPublishedDemoPassword(password)) {
    deps.throttle.failed(key, req.ip);
    deps.log.warn(
      { username: key, ip: req.ip },
      'login refused: a published demo password (NODE_ENV=production)',
    );
    res.status(401).json(BAD_LOGIN);
    return true;
  }
  return false;
}

function logout(deps: RouterDeps, req: Request, res: Response): void {
  const token = readCookie(req.headers.cookie);
  if (token) {
    const user = deps.userFromCookie(req.headers.cookie);
    deps.sessions.delete(token);
    if (user) {
      deps.log.info({ username: user.username, ip: req.ip }, 'logout');
      deps.events.emit({ username: user.username, reason: 'logout' });
    }
  }
  res.clearCookie(SESSION_COOKIE, sessionCookieOptions(deps.secureCookies));
  res.status(204).end();
}

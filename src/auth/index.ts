/**
 * Login and roles: a user store and server-side sessions in SQLite, argon2id passwords,
 * the /api/auth routes, and the guards the web server puts in front of its routes and
 * socket.io. See README.md in this folder.
 */
import type Database from 'better-sqlite3';
import type { RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import type { BackoffOptions } from './backoff.js';
import { readCookie } from './cookies.js';
import { openAuthDb } from './db.js';
import { SessionEvents, type SessionsEndedListener } from './events.js';
import { authenticate, requireCampus, requireRole, socketAuth, socketCampus } from './guards.js';
import { KnownAddresses } from './known-addresses.js';
import { verifyDummy } from './passwords.js';
import type { Role } from './roles.js';
import { authRouter, type LoginLimit } from './router.js';
import { isProduction, seedUsers } from './seed.js';
import { SessionStore } from './sessions.js';
import type { AuthSettings } from './settings.js';
import { LoginThrottle } from './throttle.js';
import type { AuthUser } from './types.js';
import { UserStore } from './users.js';

export { DEFAULT_BACKOFF } from './backoff.js';
export { SESSION_COOKIE } from './cookies.js';
export type { SessionEndReason, SessionsEnded, SessionsEndedListener } from './events.js';
export { onCampus } from './guards.js';
export { MIN_PASSWORD_LENGTH } from './passwords.js';
export { can, isRole, PERMISSIONS, type Permission, permissionsOf, ROLES, type Role } from './roles.js';
export type { LoginLimit } from './router.js';
export { AuthConfigError, DEMO_ACCOUNTS } from './seed.js';
export { type AuthSettings, authSettings } from './settings.js';
export { DEFAULT_ACCOUNT_BACKOFF } from './throttle.js';
export type { AuthUser } from './types.js';
export { checkedSites, type NewUser, SITE_ID, type User, UserError, UserStore } from './users.js';

export type { BackoffOptions };

export interface AuthOptions {
  settings: AuthSettings;
  log: Logger;
  /** The clock sessions and backoff run on (tests move it). */
  now?: () => number;
  /** Where bootstrapAdmin's password and NODE_ENV are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Failed logins per client address; 10 per 15 minutes by default. */
  loginLimit?: LoginLimit;
  /** Backoff per (username, client address) after repeated failures. */
  backoff?: Partial<BackoffOptions>;
  /** Backoff per username over all addresses, except those it has logged in from before. */
  accountBackoff?: Partial<BackoffOptions>;
}

export interface Auth {
  /** POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me, mounted at /api like the other routers. */
  router: Router;
  /** Sets req.user from a live session cookie, or leaves it unset; never refuses. */
  authenticate: RequestHandler;
  /** 401 JSON without a session, 403 JSON with the wrong role (admin always passes; none: any user). */
  requireRole: (...roles: Role[]) => RequestHandler;
  /** io.use(auth.socketAuth): refuses a socket without a live session; sets socket.data.user. */
  socketAuth: (socket: Socket, next: (err?: Error) => void) => void;
  /**
   * After requireRole: 403 JSON `{ error: 'forbidden', why: 'not your campus' }`, logged, for a
   * user whose `sites` leave out `site`, this gateway's own campus (a user without: every campus).
   */
  requireCampus: (site: string | undefined) => RequestHandler;
  /** io.use(auth.socketCampus(site)) after socketAuth: the same, refused with Error('forbidden'). */
  socketCampus: (site: string | undefined) => (socket: Socket, next: (err?: Error) => void) => void;
  /** The user of a Cookie header's live session, e.g. to re-check a long-lived socket. */
  userFromCookie: (cookieHeader: string | undefined) => AuthUser | undefined;
  /**
   * Calls `listener` whenever sessions end in this process (logout, password reset, user
   * disabled), naming the user; returns the function that unsubscribes. Changes the CLI
   * makes from another process are not told: re-check sockets periodically as well.
   */
  onSessionsEnded: (listener: SessionsEndedListener) => () => void;
  users: UserStore;
  close(): void;
}

const DEFAULT_LOGIN_LIMIT: LoginLimit = { max: 10, windowMs: 15 * 60_000 };
const PURGE_EVERY_MS = 3_600_000;

/** Opens the store, creates the bootstrap admin and demo accounts if configured, and builds the middleware. */
export async function createAuth(options: AuthOptions): Promise<Auth> {
  const { settings } = options;
  const now = options.now ?? Date.now;
  const log = options.log.child({ component: 'auth' });
  const env = options.env ?? process.env;
  const db = openAuthDb(settings.users);
  try {
    const events = new SessionEvents(log);
    const users = new UserStore(db, now, events);
    const policy = {
      idleMs: settings.sessionIdle,
      maxMs: Math.max(settings.sessionMax, settings.sessionIdle),
    };
    const sessions = new SessionStore(db, policy, now);
    await seedUsers(users, settings, env, log);
    // Login on (the default) with nobody to sign in: safe, but the dashboard is of no use yet.
    if (!users.list().some((user) => user.role === 'admin' && !user.disabled))
      log.error(
        { users: settings.users },
        'login is on and no admin can sign in: add one with `plantwatch user add <name> --role admin` or set auth.bootstrapAdmin',
      );
    await verifyDummy(''); // the dummy hash is made now, not during the first login
    sessions.purgeExpired();
    const userFromCookie = resolver(users, sessions);
    const router = authRouter({
      users,
      sessions,
      throttle: new LoginThrottle(now, new KnownAddresses(db, now), log, {
        pair: options.backoff,
        account: options.accountBackoff,
      }),
      events,
      production: isProduction(env),
      userFromCookie,
      log,
      secureCookies: settings.secureCookies,
      sessionMaxMs: policy.maxMs,
      loginLimit: options.loginLimit ?? DEFAULT_LOGIN_LIMIT,
    });
    const purge = setInterval(() => sessions.purgeExpired(), PURGE_EVERY_MS);
    purge.unref();
    return {
      router,
      authenticate: authenticate(userFromCookie),
      requireRole: (...roles) => requireRole(userFromCookie, log, roles),
      socketAuth: socketAuth(userFromCookie, log),
      requireCampus: (site) => requireCampus(log, site),
      socketCampus: (site) => socketCampus(log, site),
      userFromCookie,
      onSessionsEnded: (listener) => events.on(listener),
      users,
      close() {
        clearInterval(purge);
        db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** A session is only as good as its user: a disabled or deleted user's session admits no one. */
function resolver(users: UserStore, sessions: SessionStore) {
  return (cookieHeader: string | undefined): AuthUser | undefined => {
    const token = readCookie(cookieHeader);
    const session = token ? sessions.resume(token) : undefined;
    const user = session ? users.get(session.username) : undefined;
    if (!user || user.disabled) return undefined;
    return {
      username: user.username,
      name: user.name,
      role: user.role,
      ...(user.sites ? { sites: [...user.sites] } : {}),
    };
  };
}

/** The user store alone, for the CLI: no sessions purged, no accounts seeded. */
export function openUserStore(path: string): { users: UserStore; close(): void } {
  const db: Database.Database = openAuthDb(path);
  return { users: new UserStore(db), close: () => db.close() };
}

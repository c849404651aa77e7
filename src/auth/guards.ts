/** Express and socket.io middleware that turn a session cookie into a user, or refuse. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import type { Role } from './roles.js';
import type { AuthUser } from './types.js';

/** Resolves a Cookie header to the user of its live session. */
export type UserFromCookie = (cookieHeader: string | undefined) => AuthUser | undefined;

export function authenticate(userFromCookie: UserFromCookie): RequestHandler {
  return (req, _res, next) => {
    const user = userFromCookie(req.headers.cookie);
    if (user) req.user = user;
    else delete req.user;
    next();
  };
}

/**
 * Admits a signed-in user holding one of `roles` (admin always; no roles: any signed-in
 * user). 401 without a session, 403 with the wrong role; each refusal is logged.
 */
export function requireRole(
  userFromCookie: UserFromCookie,
  log: Logger,
  roles: readonly Role[],
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // Works with or without authenticate() in front of it.
    const user = req.user ?? userFromCookie(req.headers.cookie);
    if (!user) {
      deny(log, req, res, 401, undefined, 'login required');
      return;
    }
    req.user = user;
    if (user.role !== 'admin' && roles.length > 0 && !roles.includes(user.role)) {
      deny(log, req, res, 403, user, `needs role ${roles.join(' or ')}`);
      return;
    }
    next();
  };
}

/**
 * Whether `user` works for the campus `site` (this gateway's own): a user without `sites` works
 * for every campus. A user with `sites` on a gateway that names no campus of its own is not
 * admitted: which campus's data it serves cannot be told.
 */
export function onCampus(user: AuthUser, site: string | undefined): boolean {
  return user.sites === undefined || (site !== undefined && user.sites.includes(site));
}

/** Why a user of other campuses is refused, in the 403's body and the log. */
const NOT_YOUR_CAMPUS = 'not your campus';

/**
 * Admits a request whose signed-in user works for the campus `site` (onCampus); refuses one of
 * other campuses with 403 `{ error: 'forbidden', why: 'not your campus' }`, logged like the
 * other denials. A request without a user passes on (requireRole answers those). Admins are
 * scoped like everyone else.
 */
export function requireCampus(log: Logger, site: string | undefined): RequestHandler {
  return (req, res, next) => {
    const { user } = req;
    if (user && !onCampus(user, site)) {
      deny(log, req, res, 403, user, NOT_YOUR_CAMPUS, { site: site ?? null, sites: user.sites });
      return;
    }
    next();
  };
}

function deny(
  log: Logger,
  req: Request,
  res: Response,
  status: 401 | 403,
  user: AuthUser | undefined,
  why: string,
  campus?: { site: string | null; sites: string[] | undefined },
) {
  log.warn(
    {
      method: req.method,
      path: req.originalUrl,
      user: user?.username ?? null,
      role: user?.role,
      ip: req.ip,
      status,
      ...campus,
    },
    `access denied: ${why}`,
  );
  res
    .status(status)
    .json({ error: status === 401 ? 'login required' : 'forbidden', ...(campus ? { why } : {}) });
}

/** io.use(socketAuth): a socket without a live session cookie is refused with Error('unauthorized'). */
export function socketAuth(userFromCookie: UserFromCookie, log: Logger) {
  return (socket: Socket, next: (err?: Error) => void): void => {
    const user = userFromCookie(socket.handshake.headers.cookie);
    if (!user) {
      log.warn(
        {
          transport: 'socket.io',
          namespace: socket.nsp.name,
          user: null,
          ip: socket.handshake.address,
          status: 401,
        },
        'access denied: login required',
      );
      next(new Error('unauthorized'));
      return;
    }
    socket.data.user = user;
    next();
  };
}

/**
 * io.use(socketCampus(…)) after socketAuth: live values and alarms are this campus's, so a user
 * of other campuses (onCampus) is refused with Error('forbidden'), logged.
 */
export function socketCampus(log: Logger, site: string | undefined) {
  return (socket: Socket, next: (err?: Error) => void): void => {
    const user = socket.data.user as AuthUser | undefined;
    if (user && !onCampus(user, site)) {
      log.warn(
        {
          transport: 'socket.io',
          namespace: socket.nsp.name,
          user: user.username,
          role: user.role,
          ip: socket.handshake.address,
          status: 403,
          site: site ?? null,
          sites: user.sites,
        },
        `access denied: ${NOT_YOUR_CAMPUS}`,
      );
      next(new Error('forbidden'));
      return;
    }
    next();
  };
}

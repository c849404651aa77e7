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

function deny(
  log: Logger,
  req: Request,
  res: Response,
  status: 401 | 403,
  user: AuthUser | undefined,
  why: string,
) {
  log.warn(
    {
      method: req.method,
      path: req.originalUrl,
      user: user?.username ?? null,
      role: user?.role,
      ip: req.ip,
      status,
    },
    `access denied: ${why}`,
  );
  res.status(status).json({ error: status === 401 ? 'login required' : 'forbidden' });
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

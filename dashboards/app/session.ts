// Who is signed in, from GET /api/auth/me: 200 → the user and what the role may do;
// 401 → a login is needed; 404 → the gateway runs without login (auth.enabled false), and the
// header's "On duty" name (duty.ts) names who acts instead.
import type { LoginBody, Me, Permission, SessionUser } from '../../src/api-types/auth.js';
import { ApiError, request } from './api.js';

export type User = SessionUser;

export const session: {
  /** Login on, off, or not known yet (gateway unreachable). */
  mode: 'unknown' | 'on' | 'off';
  user: User | null;
} = { mode: 'unknown', user: null };

/** Asks the gateway who is signed in; a network failure leaves the mode as it was. */
export async function checkSession(): Promise<typeof session> {
  try {
    session.user = await request<Me>('/api/auth/me', { anonymous: true });
    session.mode = 'on';
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 404) {
      session.mode = 'off';
      session.user = null;
    } else if (err.status === 401) {
      session.mode = 'on';
      session.user = null;
    }
  }
  return session;
}

/** True when the gateway asks for a login and nobody is signed in. */
export const needsLogin = (): boolean => session.mode === 'on' && !session.user;

/** With login off every control is offered (the gateway checks nothing either). */
export const can = (permission: Permission): boolean =>
  session.mode === 'off' || Boolean(session.user?.permissions.includes(permission));

export type LoginResult = { ok: true } | { ok: false; status: number; error: string };

/** Signs in; a refusal (401 wrong name or password, 429 too many tries) is a result, no network is an error. */
export async function login(username: string, password: string): Promise<LoginResult> {
  try {
    const body: LoginBody = { username, password };
    session.user = await request<Me>('/api/auth/login', { body, anonymous: true });
    session.mode = 'on';
    return { ok: true };
  } catch (err) {
    if (err instanceof ApiError && err.status !== 0)
      return { ok: false, status: err.status, error: err.message };
    throw err;
  }
}

export async function logout(): Promise<void> {
  await request('/api/auth/logout', { method: 'POST', anonymous: true }).catch(() => undefined);
  session.user = null;
}

/** The session is gone (a 401 from the API, or the socket refused). */
export function forget(): void {
  if (session.mode !== 'off') session.mode = 'on';
  session.user = null;
}

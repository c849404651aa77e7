// Who is signed in, from GET /api/auth/me: 200 → the user and what the role may do;
// 401 → a login is needed; 404 → the gateway runs without login (auth.enabled false), and the
// header's "On duty" name (duty.js) names who acts instead.

/** @typedef {{ username: string, name: string, role: string, permissions: string[] }} User */

export const session = {
  /** @type {'unknown' | 'on' | 'off'} login on, off, or not known yet (gateway unreachable) */
  mode: /** @type {'unknown' | 'on' | 'off'} */ ('unknown'),
  /** @type {User | null} */
  user: null,
};

/** Asks the gateway who is signed in; a network failure leaves the mode as it was. */
export async function checkSession() {
  let res;
  try {
    res = await fetch('/api/auth/me', { headers: { accept: 'application/json' } });
  } catch {
    return session;
  }
  if (res.status === 404) {
    session.mode = 'off';
    session.user = null;
  } else if (res.ok) {
    session.mode = 'on';
    session.user = await res.json();
  } else if (res.status === 401) {
    session.mode = 'on';
    session.user = null;
  }
  return session;
}

/** True when the gateway asks for a login and nobody is signed in. */
export const needsLogin = () => session.mode === 'on' && !session.user;

/** With login off every control is offered (the gateway checks nothing either). @param {string} permission */
export const can = (permission) =>
  session.mode === 'off' || Boolean(session.user?.permissions.includes(permission));

/**
 * @param {string} username @param {string} password
 * @returns {Promise<{ ok: true } | { ok: false, status: number, error: string }>}
 */
export async function login(username, password) {
  const res = await fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) return { ok: false, status: res.status, error: body.error ?? res.statusText };
  session.mode = 'on';
  session.user = body;
  return { ok: true };
}

export async function logout() {
  await fetch('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
  session.user = null;
}

/** The session is gone (a 401 from the API, or the socket refused). */
export function forget() {
  if (session.mode !== 'off') session.mode = 'on';
  session.user = null;
}

/** The session cookie, read without a cookie-parsing dependency: one name, base64url values. */
import type { CookieOptions } from 'express';

export const SESSION_COOKIE = 'pw_session';

/** The value of cookie `name` in a Cookie header, if present. */
export function readCookie(header: string | undefined, name = SESSION_COOKIE): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value.length > 0 ? value : undefined;
  }
  return undefined;
}

/**
 * HttpOnly: page scripts cannot read it. SameSite=Strict: other sites cannot make a
 * browser send it (no cross-site request forgery). Secure once served over https.
 */
export function sessionCookieOptions(secure: boolean, maxAgeMs?: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure,
    ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }),
  };
}

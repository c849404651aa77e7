/**
 * Password hashing: argon2id through @node-rs/argon2 (prebuilt binaries, no compiler at
 * install). Its defaults (19 MiB, 2 passes, 1 lane) are OWASP's recommended minimum.
 */
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** Shorter passwords are refused, except for the documented demo accounts. */
export const MIN_PASSWORD_LENGTH = 10;
/** Hashing cost grows with length: a megabyte "password" must not tie up the gateway. */
export const MAX_PASSWORD_LENGTH = 1024;

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** False for a wrong password and for a stored hash that does not parse. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, allowShort = false): string | undefined {
  if (password.length === 0) return 'the password is empty';
  if (!allowShort && password.length < MIN_PASSWORD_LENGTH)
    return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH)
    return `the password must have at most ${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}

let dummy: Promise<string> | undefined;

/**
 * Verifies against a throwaway hash, so a login for an unknown or disabled user costs as
 * long as a real one and usernames cannot be probed by timing.
 */
export async function verifyDummy(password: string): Promise<false> {
  dummy ??= hash(randomBytes(16).toString('hex'));
  await verifyPassword(await dummy, password);
  return false;
}

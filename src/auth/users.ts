/** Dashboard users: who they are, their role, their argon2id password hash. */
import type Database from 'better-sqlite3';
import { normalizeUsername } from '../vocabulary/users.js';
import type { SessionEndReason, SessionEvents } from './events.js';
import { hashPassword, passwordProblem, verifyDummy, verifyPassword } from './passwords.js';
import { isRole, ROLES, type Role } from './roles.js';

export interface User {
  username: string;
  /** The name people are shown, e.g. "Wang Wei (night shift)". */
  name: string;
  role: Role;
  /** The campuses (site ids) the user works for; absent: every campus. */
  sites?: string[];
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  name?: string;
  /** The campuses (site ids) the user works for; absent (or null): every campus. */
  sites?: readonly string[] | null;
}

/** A refused user operation, with a message fit to show the person who asked. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

const USERNAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

// Records name people too (src/records/handover.ts): the rule lives below both.
export { normalizeUsername };

function checkedUsername(username: string): string {
  const normal = normalizeUsername(username);
  if (!USERNAME.test(normal))
    throw new UserError(
      `invalid username "${username}": 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`,
    );
  return normal;
}

/** A campus's id, as config ids are written (site.yaml, gateway.site). */
export const SITE_ID = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * The campuses as stored: each id checked, duplicates dropped; undefined (every campus) for
 * absent or null. An empty list is refused: a user of no campus could use no gateway at all.
 */
export function checkedSites(sites: readonly string[] | null | undefined): string[] | undefined {
  if (sites === undefined || sites === null) return undefined;
  const ids = [...new Set(sites.map((site) => site.trim()))];
  if (ids.length === 0)
    throw new UserError(
      'a user needs at least one campus (site id): an empty list would admit them nowhere; give none for every campus',
    );
  const bad = ids.find((site) => !SITE_ID.test(site));
  if (bad !== undefined)
    throw new UserError(
      `invalid site id "${bad}": lower-case letters, digits, "-" or "_", starting with a letter or digit (e.g. "main", "east")`,
    );
  return ids;
}

/** The sites column: NULL for every campus, else the JSON array. */
const sitesColumn = (sites: string[] | undefined): string | null =>
  sites === undefined ? null : JSON.stringify(sites);

/**
 * The sites column read back. Anything but NULL or a JSON array of strings (a hand edit gone
 * wrong) admits no campus, rather than every one.
 */
function sitesOf(column: string | null): string[] | undefined {
  if (column === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(column);
    if (Array.isArray(parsed) && parsed.every((site) => typeof site === 'string')) return parsed;
  } catch {
    // Not JSON: falls through to no campus.
  }
  return [];
}

function checkedPassword(password: string, allowShort: boolean): string {
  const problem = passwordProblem(password, allowShort);
  if (problem) throw new UserError(problem);
  return password;
}

interface UserRow {
  username: string;
  name: string;
  role: string;
  password_hash: string;
  created_at: number;
  updated_at: number;
  disabled: number;
  sites: string | null;
}

function toUser(row: UserRow): User {
  // A role edited by hand into something unknown gets no rights, rather than a guess.
  if (!isRole(row.role)) throw new UserError(`user "${row.username}" has an unknown role "${row.role}"`);
  const sites = sitesOf(row.sites);
  return {
    username: row.username,
    name: row.name,
    role: row.role,
    ...(sites ? { sites } : {}),
    disabled: row.disabled !== 0,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class UserStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
    /** Told when a user's sessions end here (absent in the CLI: no one in that process listens). */
    private readonly events?: SessionEvents,
  ) {}

  /**
   * Adds a user; refuses a taken username, an unknown role, a password under the minimum or a
   * bad campus list (an invalid site id, or none at all).
   * `allowShortPassword` is for the documented demo accounts only.
   */
  async add(user: NewUser, options: { allowShortPassword?: boolean } = {}): Promise<User> {
    const username = checkedUsername(user.username);
    if (!isRole(user.role)) throw new UserError(`unknown role "${user.role}" (one of ${ROLES.join(', ')})`);
    const sites = checkedSites(user.sites);
    const hash = await hashPassword(checkedPassword(user.password, options.allowShortPassword ?? false));
    if (this.row(username)) throw new UserError(`user "${username}" already exists`);
    const at = this.now();
    this.db
      .prepare(
        'INSERT INTO users (username, name, role, password_hash, created_at, updated_at, sites) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(username, user.name?.trim() || username, user.role, hash, at, at, sitesColumn(sites));
    return this.mustGet(username);
  }

  get(username: string): User | undefined {
    const row = this.row(normalizeUsername(username));
    return row ? toUser(row) : undefined;
  }

  list(): User[] {
    return this.db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username').all().map(toUser);
  }

  /** A new password ends every session of the user: whoever had the old one is logged out. */
  async setPassword(username: string, password: string): Promise<void> {
    const user = this.mustGet(username);
    const hash = await hashPassword(checkedPassword(password, false));
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?')
        .run(hash, this.now(), user.username);
      this.deleteSessions(user.username);
    })();
    this.events?.emit({ username: user.username, reason: 'password changed' });
  }

  /**
   * Sets the campuses the user works for (null: every campus). Sessions go on: each request
   * reads the user afresh, so the change holds from the next one.
   */
  setSites(username: string, sites: readonly string[] | null): User {
    const user = this.mustGet(username);
    const checked = checkedSites(sites);
    this.db
      .prepare('UPDATE users SET sites = ?, updated_at = ? WHERE username = ?')
      .run(sitesColumn(checked), this.now(), user.username);
    return this.mustGet(user.username);
  }

  /** A disabled user cannot log in and loses every session at once; the record is kept for the audit trail. */
  disable(username: string): void {
    this.setDisabled(username, true);
  }

  enable(username: string): void {
    this.setDisabled(username, false);
  }

  /**
   * The user whose password this is, or undefined: unknown, disabled or wrong password all
   * look alike and take as long, so neither the answer nor its timing names the reason.
   */
  async verify(username: string, password: string): Promise<User | undefined> {
    const found = this.row(normalizeUsername(username));
    const row = found?.disabled === 0 && isRole(found.role) ? found : undefined;
    if (!row) {
      await verifyDummy(password);
      return undefined;
    }
    return (await verifyPassword(row.password_hash, password)) ? toUser(row) : undefined;
  }

  private setDisabled(username: string, disabled: boolean): void {
    const user = this.mustGet(username);
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE users SET disabled = ?, updated_at = ? WHERE username = ?')
        .run(disabled ? 1 : 0, this.now(), user.username);
      if (disabled) this.deleteSessions(user.username);
    })();
    if (disabled) this.events?.emit({ username: user.username, reason: 'user disabled' });
  }

  /** Ends every session of the user, e.g. of an account found with a published password. */
  endSessions(username: string, reason: SessionEndReason): void {
    const user = this.mustGet(username);
    this.deleteSessions(user.username);
    this.events?.emit({ username: user.username, reason });
  }

  private deleteSessions(username: string): void {
    this.db.prepare('DELETE FROM sessions WHERE username = ?').run(username);
  }

  private row(username: string): UserRow | undefined {
    return this.db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?').get(username);
  }

  private mustGet(username: string): User {
    const user = this.get(username);
    if (!user) throw new UserError(`no user "${normalizeUsername(username)}"`);
    return user;
  }
}

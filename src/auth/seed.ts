/**
 * Accounts made at start: the first admin from config and an environment variable (never a
 * password written in a file), and the documented demo accounts for the demo only.
 */
import type { Logger } from 'pino';
import { DEMO_PASSWORDS, isProduction, PUBLISHED_DEMO_PASSWORDS } from '../vocabulary/demo-passwords.js';
import { MIN_PASSWORD_LENGTH } from './passwords.js';
import type { Role } from './roles.js';
import type { AuthSettings } from './settings.js';
import type { UserStore } from './users.js';

export { isProduction, isPublishedDemoPassword } from '../vocabulary/demo-passwords.js';

/** The demo's accounts, documented in src/auth/README.md; refused in production. */
export const DEMO_ACCOUNTS: readonly {
  username: string;
  password: string;
  role: Role;
  name: string;
  /** The campuses the account works for; absent: every campus. */
  sites?: readonly string[];
}[] = [
  { username: 'admin', password: DEMO_PASSWORDS.admin, role: 'admin', name: 'Demo administrator' },
  {
    username: 'electrician',
    password: DEMO_PASSWORDS.electrician,
    role: 'electrician',
    name: 'Demo electrician',
  },
  {
    // Works on the east campus only: refused (403) on the main hospital's gateway but in its
    // group view, where it sees the east campus.
    username: 'east-electrician',
    password: DEMO_PASSWORDS.eastElectrician,
    role: 'electrician',
    name: 'Demo electrician (East Campus)',
    sites: ['east'],
  },
  {
    username: 'manager',
    password: DEMO_PASSWORDS.manager,
    role: 'energy-manager',
    name: 'Demo energy manager',
  },
];

/** A configuration that cannot be honoured; the gateway should not start with it. */
export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }
}

export async function seedUsers(
  users: UserStore,
  settings: AuthSettings,
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<void> {
  if (settings.demoAccounts) await addDemoAccounts(users, env, log);
  if (settings.bootstrapAdmin) await addBootstrapAdmin(users, settings.bootstrapAdmin, env, log);
  if (isProduction(env)) await reportDemoPasswords(users, log);
}

/**
 * In production, names every enabled account whose password is a published demo password
 * (a users.db carried over from the demo) and ends its sessions. The account is not
 * disabled: logins with those passwords are refused anyway, and disabling the only admin
 * would leave no one to fix it from the dashboard.
 */
async function reportDemoPasswords(users: UserStore, log: Logger): Promise<void> {
  const checks = users
    .list()
    .filter((user) => !user.disabled)
    .flatMap((user) => PUBLISHED_DEMO_PASSWORDS.map((password) => ({ user, password })));
  const found = new Set<string>();
  // Verified side by side: argon2 runs on the thread pool, which bounds how many at once.
  await Promise.all(
    checks.map(async ({ user, password }) => {
      if (await users.verify(user.username, password)) found.add(user.username);
    }),
  );
  for (const username of [...found].sort()) {
    users.endSessions(username, 'published demo password');
    log.error(
      { username },
      `account "${username}" has a published demo password; logins with it are refused and its sessions were ended: ` +
        `give it a new one (\`plantwatch user passwd ${username}\`) or disable it (\`plantwatch user disable ${username}\`)`,
    );
  }
}

async function addDemoAccounts(users: UserStore, env: NodeJS.ProcessEnv, log: Logger): Promise<void> {
  if (isProduction(env))
    throw new AuthConfigError(
      'auth.demoAccounts: the demo accounts have published passwords and are refused when NODE_ENV=production ' +
        '(set auth.bootstrapAdmin or run `plantwatch user add`)',
    );
  for (const account of DEMO_ACCOUNTS) {
    if (users.get(account.username)) continue;
    await users.add(account, { allowShortPassword: true });
    log.warn(
      { username: account.username, role: account.role, ...(account.sites ? { sites: account.sites } : {}) },
      'demo account created (demo only)',
    );
  }
}

async function addBootstrapAdmin(
  users: UserStore,
  admin: NonNullable<AuthSettings['bootstrapAdmin']>,
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<void> {
  if (users.get(admin.username)) return;
  const password = env[admin.passwordEnv];
  if (!password)
    throw new AuthConfigError(
      `auth.bootstrapAdmin: environment variable ${admin.passwordEnv} is not set; it holds the password of the first admin "${admin.username}"`,
    );
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new AuthConfigError(
      `auth.bootstrapAdmin: the password in ${admin.passwordEnv} must have at least ${MIN_PASSWORD_LENGTH} characters`,
    );
  await users.add({ username: admin.username, password, role: 'admin', name: 'Administrator' });
  log.info({ username: admin.username }, 'first admin created from auth.bootstrapAdmin');
}

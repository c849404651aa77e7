/**
 * Accounts made at start: the first admin from config and an environment variable (never a
 * password written in a file), and the documented demo accounts for the demo only.
 */
import type { Logger } from 'pino';
import { MIN_PASSWORD_LENGTH } from './passwords.js';
import type { Role } from './roles.js';
import type { AuthSettings } from './settings.js';
import type { UserStore } from './users.js';

/** The demo's accounts, documented in src/auth/README.md; refused in production. */
export const DEMO_ACCOUNTS: readonly { username: string; password: string; role: Role; name: string }[] = [
  { username: 'admin', password: 'admin-demo', role: 'admin', name: 'Demo administrator' },
  { username: 'electrician', password: 'electrician-demo', role: 'electrician', name: 'Demo electrician' },
  { username: 'manager', password: 'manager-demo', role: 'energy-manager', name: 'Demo energy manager' },
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
}

async function addDemoAccounts(users: UserStore, env: NodeJS.ProcessEnv, log: Logger): Promise<void> {
  if (env.NODE_ENV === 'production')
    throw new AuthConfigError(
      'auth.demoAccounts: the demo accounts have published passwords and are refused when NODE_ENV=production ' +
        '(set auth.bootstrapAdmin or run `plantwatch user add`)',
    );
  for (const account of DEMO_ACCOUNTS) {
    if (users.get(account.username)) continue;
    await users.add(account, { allowShortPassword: true });
    log.warn({ username: account.username, role: account.role }, 'demo account created (demo only)');
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

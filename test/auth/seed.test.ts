/** Accounts made at start: the first admin from an environment variable, and the demo accounts. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthConfigError, authSettings, createAuth } from '../../src/auth/index.js';
import { capturingLogger, login, startAuthServer, type TestServer, tempDir } from './harness.js';

let dir: ReturnType<typeof tempDir>;
let server: TestServer | undefined;
beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  dir.remove();
});

const bootstrapAdmin = { username: 'chief', passwordEnv: 'PW_ADMIN_PASSWORD' };

function create(settings: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  return createAuth({
    settings: authSettings.parse({ users: `${dir.dir}/users.db`, ...settings }),
    log: capturingLogger().log,
    env,
  });
}

describe('a store without an admin', () => {
  it('says at start that nobody can administer the gateway, and how to add an admin', async () => {
    const { log, lines } = capturingLogger();
    const auth = await createAuth({
      settings: authSettings.parse({ users: `${dir.dir}/users.db` }),
      log,
      env: {},
    });
    auth.close();
    expect(
      lines.some(
        (l) =>
          l.level === 50 && l.msg.includes('no admin can sign in') && l.msg.includes('plantwatch user add'),
      ),
    ).toBe(true);
  });
});

describe('bootstrapAdmin', () => {
  it('creates the first admin from the environment variable, once', async () => {
    server = await startAuthServer(`${dir.dir}/users.db`, {
      settings: { bootstrapAdmin },
      env: { PW_ADMIN_PASSWORD: 'first admin password' },
    });
    expect(server.auth.users.get('chief')).toMatchObject({ role: 'admin', disabled: false });
    expect((await login(server.url, 'chief', 'first admin password')).res.status).toBe(200);
    await server.stop();
    // A later start with another value in the variable leaves the admin's password alone.
    server = await startAuthServer(`${dir.dir}/users.db`, {
      settings: { bootstrapAdmin },
      env: { PW_ADMIN_PASSWORD: 'some other password' },
    });
    expect((await login(server.url, 'chief', 'first admin password')).res.status).toBe(200);
    expect(server.auth.users.list()).toHaveLength(1);
  });

  it('refuses to start, naming the variable, when it is unset or too short', async () => {
    await expect(create({ bootstrapAdmin }, {})).rejects.toThrow(
      /auth\.bootstrapAdmin: environment variable PW_ADMIN_PASSWORD is not set/,
    );
    await expect(create({ bootstrapAdmin }, { PW_ADMIN_PASSWORD: 'short' })).rejects.toThrow(
      /PW_ADMIN_PASSWORD must have at least 10 characters/,
    );
  });

  it('needs no variable once the admin exists', async () => {
    (await create({ bootstrapAdmin }, { PW_ADMIN_PASSWORD: 'first admin password' })).close();
    (await create({ bootstrapAdmin }, {})).close();
  });
});

describe('demoAccounts', () => {
  it('creates the documented demo accounts with their roles', async () => {
    server = await startAuthServer(`${dir.dir}/users.db`, { settings: { demoAccounts: true } });
    expect(server.auth.users.list().map((u) => [u.username, u.role])).toEqual([
      ['admin', 'admin'],
      ['east-electrician', 'electrician'],
      ['electrician', 'electrician'],
      ['manager', 'energy-manager'],
    ]);
    for (const [username, password] of [
      ['admin', 'admin-demo'],
      ['east-electrician', 'east-electrician-demo'],
      ['electrician', 'electrician-demo'],
      ['manager', 'manager-demo'],
    ] as const) {
      expect((await login(server.url, username, password)).res.status).toBe(200);
    }
  });

  it('is refused when NODE_ENV=production', async () => {
    const attempt = create({ demoAccounts: true }, { NODE_ENV: 'production' });
    await expect(attempt).rejects.toBeInstanceOf(AuthConfigError);
    await expect(attempt).rejects.toThrow(/auth\.demoAccounts: .*refused when NODE_ENV=production/);
  });
});

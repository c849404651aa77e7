/**
 * A users.db that once held the demo accounts, started in production without them: their
 * published passwords let no one in, and the start names each account that still has one.
 */
import { describe, expect, it } from 'vitest';
import { capturingLogger, demoAuth, get, login, serverPerTest, startAuthServer } from './harness.js';

const t = serverPerTest();

const CHIEF = { username: 'chief', password: 'a real admin password', role: 'admin' as const };

/** Starts the auth server on the users file; stopped after the test. */
async function started(overrides: Parameters<typeof startAuthServer>[1]) {
  t.server = await startAuthServer(`${t.dir}/users.db`, overrides);
  return t.server;
}

/** The demo era: demo accounts created, the electrician given a real password, a demo session opened. */
async function demoEraUsersDb(): Promise<{ demoSession: string | undefined }> {
  const demo = await demoAuth(t.dir, capturingLogger().log);
  await demo.users.add(CHIEF);
  await demo.users.setPassword('electrician', 'electrician real password');
  demo.close();
  // The session an admin-demo login opened in the demo era (sessions survive restarts).
  const era = await started({ settings: { demoAccounts: true } });
  const { cookie } = await login(era.url, 'admin', 'admin-demo');
  await era.stop();
  t.server = undefined;
  return { demoSession: cookie };
}

const production = () =>
  started({ env: { NODE_ENV: 'production' }, settings: { enabled: true, demoAccounts: false } });

describe('published demo passwords in production', () => {
  it('are refused at login (401, logged), while real passwords work', async () => {
    await demoEraUsersDb();
    const server = await production();
    for (const [username, password] of [
      ['admin', 'admin-demo'],
      ['manager', 'manager-demo'],
      // Any account: the published passwords are refused whoever claims them.
      ['chief', 'admin-demo'],
    ] as const) {
      const attempt = await login(server.url, username, password);
      expect(attempt.res.status, username).toBe(401);
      expect(await attempt.res.json()).toEqual({ error: 'invalid username or password' });
      expect(attempt.setCookie).toBeUndefined();
    }
    const refusals = server.lines.filter((l) => l.msg.startsWith('login refused: a published demo password'));
    expect(refusals.map((l) => [l.username, l.ip, l.level])).toEqual([
      ['admin', '127.0.0.1', 40],
      ['manager', '127.0.0.1', 40],
      ['chief', '127.0.0.1', 40],
    ]);
    expect((await login(server.url, 'chief', CHIEF.password)).res.status).toBe(200);
    expect((await login(server.url, 'electrician', 'electrician real password')).res.status).toBe(200);
  });

  it('are reported at start, one error per account naming what to do, and their sessions end', async () => {
    const { demoSession } = await demoEraUsersDb();
    expect(demoSession).toBeDefined();
    const server = await production();
    const reports = server.lines.filter((l) => l.level === 50);
    expect(reports.map((l) => l.username).sort()).toEqual(['admin', 'east-electrician', 'manager']);
    for (const report of reports) {
      expect(report.msg).toContain(`plantwatch user passwd ${report.username}`);
      expect(report.msg).toContain(`plantwatch user disable ${report.username}`);
    }
    // The session opened with admin-demo before production admits no one now.
    expect((await get(server.url, '/api/auth/me', demoSession)).status).toBe(401);
    // Reported, not disabled: a new password (CLI or admin API) makes the account usable again.
    expect(server.auth.users.get('admin')?.disabled).toBe(false);
  });

  it('are neither checked nor refused outside production', async () => {
    await demoEraUsersDb();
    const server = await started({ settings: { demoAccounts: false } });
    expect(server.lines.filter((l) => l.level >= 50)).toEqual([]);
    expect((await login(server.url, 'admin', 'admin-demo')).res.status).toBe(200);
  });
});

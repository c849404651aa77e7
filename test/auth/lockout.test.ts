/**
 * Failed logins from many client addresses (real sockets bound to different 127.x.y.z
 * addresses) must not lock an account's owner out: throttling is per (account, address) and
 * per address, and the per-account guard spares addresses the account has logged in from.
 */
import { describe, expect, it } from 'vitest';
import { loginFrom, manualClock, serverPerTest, startAuthServer } from './harness.js';

const OWNER = { username: 'chief', password: 'the chief admin password', role: 'admin' as const };
const MINUTE = 60_000;

const t = serverPerTest();

async function start(clock: ReturnType<typeof manualClock>) {
  const server = await startAuthServer(`${t.dir}/users.db`, { now: clock.now });
  t.server = server;
  if (!server.auth.users.get(OWNER.username)) await server.auth.users.add(OWNER);
  return server;
}

/** An attacker's next address: each guess comes from a fresh one. */
let attacker = 0;
const nextAttacker = () => {
  attacker += 1;
  return `127.9.${Math.floor(attacker / 250)}.${(attacker % 250) + 1}`;
};

async function guessFromRotatingAddresses(url: string, guesses: number) {
  for (let i = 0; i < guesses; i++) {
    const { status } = await loginFrom(url, nextAttacker(), OWNER.username, `guess ${i}`);
    expect([401, 429]).toContain(status);
  }
}

describe('failed logins from rotating addresses', () => {
  it('never lock the owner out of an address they logged in from before, even after a restart', async () => {
    const clock = manualClock();
    const first = await start(clock);
    expect((await loginFrom(first.url, '127.0.0.2', OWNER.username, OWNER.password)).status).toBe(200);
    await first.stop();
    // Remembered in the users file: a restart does not make the control room a stranger.
    const srv = await start(clock);
    await guessFromRotatingAddresses(srv.url, 12);
    expect((await loginFrom(srv.url, '127.0.0.2', OWNER.username, OWNER.password)).status).toBe(200);
    // Renewing the attack each quarter hour changes nothing for the owner.
    for (let round = 0; round < 3; round++) {
      clock.advance(14 * MINUTE);
      await guessFromRotatingAddresses(srv.url, 2);
      expect((await loginFrom(srv.url, '127.0.0.2', OWNER.username, OWNER.password)).status).toBe(200);
    }
  });

  it('still slow down guessing from new addresses, and log the lockout once, naming account and address', async () => {
    const clock = manualClock();
    const srv = await start(clock);
    await guessFromRotatingAddresses(srv.url, 10);
    const stranger = await loginFrom(srv.url, '127.8.0.1', OWNER.username, OWNER.password);
    expect(stranger.status).toBe(429);
    expect(Number(stranger.retryAfter)).toBeGreaterThan(0);
    await guessFromRotatingAddresses(srv.url, 3);
    const lockouts = srv.lines.filter((l) => l.msg.startsWith('login locked'));
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]).toMatchObject({
      level: 40,
      username: OWNER.username,
      ip: expect.stringMatching(/^127\.9\./),
      scope: 'account',
    });
    clock.advance(15 * MINUTE + 1);
    expect((await loginFrom(srv.url, '127.8.0.1', OWNER.username, OWNER.password)).status).toBe(200);
  });
});

describe('failed logins from one address', () => {
  it('lock that (account, address) pair only, logged once', async () => {
    const clock = manualClock();
    const srv = await start(clock);
    for (let i = 0; i < 5; i++)
      expect((await loginFrom(srv.url, '127.0.0.5', OWNER.username, 'wrong password')).status).toBe(401);
    expect((await loginFrom(srv.url, '127.0.0.5', OWNER.username, OWNER.password)).status).toBe(429);
    // The owner, at another machine never used before, is not held back by them.
    expect((await loginFrom(srv.url, '127.0.0.6', OWNER.username, OWNER.password)).status).toBe(200);
    // The wait passes, the address fails again: the same lockout, longer, not logged anew.
    clock.advance(1500);
    expect((await loginFrom(srv.url, '127.0.0.5', OWNER.username, 'wrong password')).status).toBe(401);
    expect((await loginFrom(srv.url, '127.0.0.5', OWNER.username, OWNER.password)).status).toBe(429);
    const lockouts = srv.lines.filter((l) => l.msg.startsWith('login locked'));
    expect(lockouts.map((l) => [l.username, l.ip, l.scope])).toEqual([
      [OWNER.username, '127.0.0.5', 'address'],
    ]);
  });
});

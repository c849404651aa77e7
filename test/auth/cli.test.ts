/** `plantwatch user …` as an admin runs it: a real process against the config's users file. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openUserStore } from '../../src/auth/index.js';
import { runCli, tempDir } from './harness.js';

const run = runCli;

const tmp = tempDir();
afterAll(() => tmp.remove());
const usersFile = join(tmp.dir, 'data', 'users.db');
writeFileSync(join(tmp.dir, 'plantwatch.yaml'), `auth:\n  users: ${usersFile}\n`);
writeFileSync(
  join(tmp.dir, 'site.yaml'),
  'sites:\n  - id: main\n    name: Main hospital\n    buildings:\n      - id: a\n        name: Block A\n',
);
const config = ['-c', tmp.dir];
// Each command is a process that loads the CLI through tsx: about two seconds apiece.
const SLOW = 60_000;

describe('plantwatch user', () => {
  it(
    'adds users with the password from PLANTWATCH_PASSWORD and lists them',
    async () => {
      const added = await run(
        ['user', 'add', 'alice', '--role', 'electrician', '--name', 'Alice Li', ...config],
        {
          PLANTWATCH_PASSWORD: 'alice password 1',
        },
      );
      expect(added).toMatchObject({ code: 0, stdout: 'added alice (electrician)\n' });
      expect(added.stdout + added.stderr).not.toContain('alice password 1');
      const admin = await run(['user', 'add', 'root', '--role', 'admin', ...config], {
        PLANTWATCH_PASSWORD: 'root password 1',
      });
      expect(admin.code).toBe(0);

      const list = await run(['user', 'list', ...config]);
      expect(list.code).toBe(0);
      const lines = list.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^USERNAME\s+ROLE\s+STATE\s+CREATED\s+NAME$/);
      expect(lines[1]).toMatch(/^alice\s+electrician\s+active\s+\d{4}-\d\d-\d\d\s+Alice Li$/);
      expect(lines[2]).toMatch(/^root\s+admin\s+active\s+\d{4}-\d\d-\d\d\s+root$/);

      const store = openUserStore(usersFile);
      try {
        expect(await store.users.verify('alice', 'alice password 1')).toMatchObject({ role: 'electrician' });
      } finally {
        store.close();
      }
    },
    SLOW,
  );

  it(
    'refuses an unknown role, a short password, a taken name and a missing password, exiting 1',
    async () => {
      const pw = { PLANTWATCH_PASSWORD: 'long enough pw' };
      const role = await run(['user', 'add', 'bob', '--role', 'wizard', ...config], pw);
      expect(role.code).toBe(1);
      expect(role.stderr).toContain('unknown role "wizard" (one of electrician, energy-manager, admin)');
      const short = await run(['user', 'add', 'bob', '--role', 'electrician', ...config], {
        PLANTWATCH_PASSWORD: 'short',
      });
      expect(short).toMatchObject({ code: 1, stderr: 'the password must have at least 10 characters\n' });
      const taken = await run(['user', 'add', 'ALICE', '--role', 'admin', ...config], pw);
      expect(taken).toMatchObject({ code: 1, stderr: 'user "alice" already exists\n' });
      const noPassword = await run(['user', 'add', 'bob', '--role', 'electrician', ...config]);
      expect(noPassword.code).toBe(1);
      expect(noPassword.stderr).toContain('set PLANTWATCH_PASSWORD or run this command on a terminal');
    },
    SLOW,
  );

  it(
    'changes a password and disables a user',
    async () => {
      const passwd = await run(['user', 'passwd', 'alice', ...config], {
        PLANTWATCH_PASSWORD: 'alice password 2',
      });
      expect(passwd.code).toBe(0);
      const disabled = await run(['user', 'disable', 'alice', ...config]);
      expect(disabled).toMatchObject({ code: 0 });
      expect((await run(['user', 'list', ...config])).stdout).toMatch(/^alice\s+electrician\s+disabled\s/m);
      const missing = await run(['user', 'disable', 'nobody', ...config]);
      expect(missing).toMatchObject({ code: 1, stderr: 'no user "nobody"\n' });

      const store = openUserStore(usersFile);
      try {
        store.users.enable('alice');
        expect(await store.users.verify('alice', 'alice password 2')).toBeDefined();
      } finally {
        store.close();
      }
    },
    SLOW,
  );
});

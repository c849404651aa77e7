/**
 * `plantwatch user add|list|passwd|disable`: manage dashboard users in the file the
 * config's auth.users names. Passwords come from PLANTWATCH_PASSWORD or a terminal prompt
 * without echo, never from the command line (it shows in `ps` and shell history).
 */
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/index.js';
import { openUserStore, UserError, type UserStore } from './index.js';
import { isRole, ROLES } from './roles.js';
import { authSettings } from './settings.js';

export const PASSWORD_ENV = 'PLANTWATCH_PASSWORD';

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}

/** The users file of the configuration in `dir` (auth.users, or its default). */
function usersFileOf(dir: string): string {
  const config = loadConfig(resolve(dir));
  return (config.gateway.auth ?? authSettings.parse({})).users;
}

/** Opens the store, runs `action`, and turns a refusal or a bad config into a message and exit code 1. */
async function withUsers(
  dir: string,
  action: (users: UserStore) => Promise<number> | number,
): Promise<number> {
  let store: ReturnType<typeof openUserStore>;
  try {
    store = openUserStore(usersFileOf(dir));
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message);
    throw err;
  }
  try {
    return await action(store.users);
  } catch (err) {
    if (err instanceof UserError || err instanceof PasswordInputError) return fail(err.message);
    throw err;
  } finally {
    store.close();
  }
}

export function userAdd(
  dir: string,
  username: string,
  opts: { role: string; name?: string },
): Promise<number> {
  if (!isRole(opts.role))
    return Promise.resolve(fail(`unknown role "${opts.role}" (one of ${ROLES.join(', ')})`));
  const role = opts.role;
  return withUsers(dir, async (users) => {
    // Refused before asking for a password nobody will use.
    if (users.get(username)) throw new UserError(`user "${username.toLowerCase()}" already exists`);
    const password = await readNewPassword();
    const user = await users.add({ username, password, role, name: opts.name });
    out(`added ${user.username} (${user.role})`);
    return 0;
  });
}

export function userList(dir: string): Promise<number> {
  return withUsers(dir, (users) => {
    const rows = users
      .list()
      .map((u) => [
        u.username,
        u.role,
        u.disabled ? 'disabled' : 'active',
        new Date(u.createdAt).toISOString().slice(0, 10),
        u.name,
      ]);
    for (const line of table([['USERNAME', 'ROLE', 'STATE', 'CREATED', 'NAME'], ...rows])) out(line);
    return 0;
  });
}

export function userPasswd(dir: string, username: string): Promise<number> {
  return withUsers(dir, async (users) => {
    if (!users.get(username)) throw new UserError(`no user "${username.toLowerCase()}"`);
    await users.setPassword(username, await readNewPassword());
    out(`password of ${username.toLowerCase()} changed; its sessions were ended`);
    return 0;
  });
}

export function userDisable(dir: string, username: string): Promise<number> {
  return withUsers(dir, (users) => {
    users.disable(username);
    out(`disabled ${username.toLowerCase()}; its sessions were ended`);
    return 0;
  });
}

/** Columns padded to their widest cell. */
function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

class PasswordInputError extends Error {}

async function readNewPassword(): Promise<string> {
  const fromEnv = process.env[PASSWORD_ENV];
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY)
    throw new PasswordInputError(`no password: set ${PASSWORD_ENV} or run this command on a terminal`);
  const first = await promptHidden('New password: ');
  const second = await promptHidden('Repeat it: ');
  if (first !== second) throw new PasswordInputError('the passwords differ; nothing was changed');
  return first;
}

/** Reads one line from the terminal with echo off; Ctrl-C aborts. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolvePassword, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolvePassword(typed);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new PasswordInputError('cancelled; nothing was changed'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

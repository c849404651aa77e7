/**
 * `plantwatch user add|list|set|passwd|disable`: manage dashboard users in the file the
 * config's auth.users names. Passwords come from PLANTWATCH_PASSWORD or a terminal prompt
 * without echo, never from the command line (it shows in `ps` and shell history).
 */
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/index.js';
import { checkedSites, openUserStore, UserError, type UserStore } from './index.js';
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

/** `--sites east,main` as a list (checked: site ids, at least one); undefined without the option. */
function sitesOption(sites: string | undefined): string[] | undefined {
  return sites === undefined
    ? undefined
    : checkedSites(sites.split(',').filter((site) => site.trim() !== ''));
}

/** The campuses as `user list` and the messages show them. */
const campuses = (sites: readonly string[] | undefined) => (sites ? sites.join(',') : 'all');

export function userAdd(
  dir: string,
  username: string,
  opts: { role: string; name?: string; sites?: string },
): Promise<number> {
  if (!isRole(opts.role))
    return Promise.resolve(fail(`unknown role "${opts.role}" (one of ${ROLES.join(', ')})`));
  const role = opts.role;
  return withUsers(dir, async (users) => {
    // Refused before asking for a password nobody will use.
    const sites = sitesOption(opts.sites);
    if (users.get(username)) throw new UserError(`user "${username.toLowerCase()}" already exists`);
    const password = await readNewPassword();
    const user = await users.add({ username, password, role, name: opts.name, sites });
    out(`added ${user.username} (${user.role}${user.sites ? `, campuses ${campuses(user.sites)}` : ''})`);
    return 0;
  });
}

/** `user set <name> --sites east,main | --all-sites`: what a user works for, changed in place. */
export function userSet(
  dir: string,
  username: string,
  opts: { sites?: string; allSites?: boolean },
): Promise<number> {
  if ((opts.sites === undefined) === !opts.allSites)
    return Promise.resolve(
      fail('say which campuses: --sites <id,id,…> or --all-sites (one of them, not both)'),
    );
  return withUsers(dir, (users) => {
    const user = users.setSites(username, opts.allSites ? null : (sitesOption(opts.sites) ?? null));
    out(`${user.username} now works for ${user.sites ? `campuses ${campuses(user.sites)}` : 'every campus'}`);
    return 0;
  });
}

/**
 * The users as a table. The SITES column (the campuses each works for, "all" for every campus)
 * is shown once any user is scoped to campuses: a gateway without campus scoping lists as before.
 */
export function userList(dir: string): Promise<number> {
  return withUsers(dir, (users) => {
    const all = users.list();
    const scoped = all.some((u) => u.sites !== undefined);
    const rows = all.map((u) => [
      u.username,
      u.role,
      u.disabled ? 'disabled' : 'active',
      new Date(u.createdAt).toISOString().slice(0, 10),
      ...(scoped ? [campuses(u.sites)] : []),
      u.name,
    ]);
    const head = ['USERNAME', 'ROLE', 'STATE', 'CREATED', ...(scoped ? ['SITES'] : []), 'NAME'];
    for (const line of table([head, ...rows])) out(line);
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

/** The user store on its own: what it refuses and what it keeps. */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openUserStore, UserError } from '../../src/auth/index.js';
import { tempDir } from './harness.js';

// One store for the file: each test adds its own names.
const dir = tempDir();
const file = `${dir.dir}/users.db`;
const store = openUserStore(file);
afterAll(() => {
  store.close();
  dir.remove();
});

describe('UserStore', () => {
  it('stores an argon2id hash, never the password', async () => {
    await store.users.add({ username: 'hash-check', password: 'a long password', role: 'admin' });
    const db = new Database(file, { readonly: true });
    const row = db.prepare('SELECT password_hash FROM users WHERE username = ?').get('hash-check') as {
      password_hash: string;
    };
    db.close();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row.password_hash).not.toContain('a long password');
  });

  it('refuses short passwords, unknown roles, bad and taken usernames', async () => {
    await expect(
      store.users.add({ username: 'bob', password: 'short', role: 'electrician' }),
    ).rejects.toThrow('the password must have at least 10 characters');
    await expect(
      store.users.add({ username: 'bob', password: 'long enough pw', role: 'wizard' as 'admin' }),
    ).rejects.toThrow(/unknown role "wizard"/);
    await expect(
      store.users.add({ username: 'bob smith', password: 'long enough pw', role: 'admin' }),
    ).rejects.toBeInstanceOf(UserError);
    await store.users.add({ username: 'Carol', password: 'long enough pw', role: 'energy-manager' });
    await expect(
      store.users.add({ username: 'carol', password: 'long enough pw', role: 'admin' }),
    ).rejects.toThrow('user "carol" already exists');
    expect(store.users.get('CAROL')).toMatchObject({
      username: 'carol',
      name: 'carol',
      role: 'energy-manager',
    });
  });

  it('verifies passwords, and not for a disabled user', async () => {
    await store.users.add({
      username: 'dave',
      password: 'daves password',
      role: 'electrician',
      name: 'Dave',
    });
    expect(await store.users.verify('dave', 'daves password')).toMatchObject({
      username: 'dave',
      name: 'Dave',
    });
    expect(await store.users.verify('dave', 'wrong password')).toBeUndefined();
    store.users.disable('dave');
    expect(await store.users.verify('dave', 'daves password')).toBeUndefined();
    store.users.enable('dave');
    expect(await store.users.verify('dave', 'daves password')).toBeDefined();
  });
});

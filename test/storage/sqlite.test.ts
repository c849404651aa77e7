import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/storage/index.js';
import { describeStoreContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'plantwatch-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreContract('SQLite', async () => new SqliteStore({ path: join(dir, 'contract.db') }));

describe('SQLite store on disk', () => {
  it('keeps what it wrote across a reopen', async () => {
    const path = join(dir, 'reopen.db');
    const first = new SqliteStore({ path });
    await first.write([{ id: 'wm-admin.volume_m3', value: 123.4, quality: 'good', ts: 1_000 }]);
    await first.close();
    const second = new SqliteStore({ path });
    expect(await second.query({ point: 'wm-admin.volume_m3', from: 0, to: 2_000 })).toEqual([
      { ts: 1_000, value: 123.4, quality: 'good' },
    ]);
    await second.close();
  });
});

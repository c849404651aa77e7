import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { backfillDemoHistory } from '../../simulators/backfill.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { until } from '../helpers/wait.js';

const DAY = 86_400_000;
const now = Date.UTC(2026, 10, 20, 6, 0);
const plan = { now, days: 8, stepMs: 5 * 60_000 };
const dir = mkdtempSync(join(tmpdir(), 'plantwatch-backfill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function demoConfigAt(storePath: string) {
  const config = loadConfig(resolve('config'));
  config.gateway.storage = {
    ...config.gateway.storage,
    backend: 'sqlite',
    sqlite: { ...config.gateway.storage.sqlite, path: storePath },
  };
  return config;
}

/** Per point: how many samples, the first and last time, and the sum of the values. */
function contents(storePath: string) {
  const db = new Database(storePath, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT p.name AS id, count(*) AS n, min(s.ts) AS first, max(s.ts) AS last, total(s.value) AS sum
           FROM samples s JOIN points p ON p.id = s.point GROUP BY p.name ORDER BY p.name`,
      )
      .all();
  } finally {
    db.close();
  }
}

function sampleCount(storePath: string): number {
  if (!existsSync(storePath)) return 0;
  try {
    const db = new Database(storePath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // the child has not made the table yet
  }
}

function startBackfillChild(storePath: string): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/simulators/backfill-child.ts',
      'config',
      storePath,
      String(plan.now),
      String(plan.days),
      String(plan.stepMs),
    ],
    { stdio: 'ignore' },
  );
}

describe('the demo back-fill, interrupted on a first start', () => {
  it('is finished by the next start: the same history as one that ran through, no step twice', async () => {
    const whole = join(dir, 'whole.db');
    const wholeCounters = await backfillDemoHistory(demoConfigAt(whole), silentLogger(), plan);

    const interrupted = join(dir, 'interrupted.db');
    const child = startBackfillChild(interrupted);
    const exited = new Promise((done) => child.once('exit', done));
    await until('the first values of the history in the store', () => sampleCount(interrupted) > 0, 60_000);
    child.kill('SIGKILL'); // as a timeout or a second Ctrl-C would, mid-way
    await exited;
    const halfWritten = sampleCount(interrupted);
    expect(halfWritten).toBeGreaterThan(0);
    expect(halfWritten).toBeLessThan(sampleCount(whole));
    expect(JSON.parse(readFileSync(`${interrupted}.history.json`, 'utf8')).completed).toBe(false);

    const resumedCounters = await backfillDemoHistory(demoConfigAt(interrupted), silentLogger(), {
      ...plan,
      now: plan.now + DAY, // the next start comes later: the plan made first is finished
    });
    expect(contents(interrupted)).toEqual(contents(whole));
    expect(resumedCounters).toEqual(wholeCounters);
    expect(JSON.parse(readFileSync(`${interrupted}.history.json`, 'utf8')).completed).toBe(true);

    // Once finished, a later start writes nothing more.
    await backfillDemoHistory(demoConfigAt(interrupted), silentLogger(), {
      ...plan,
      now: plan.now + 2 * DAY,
    });
    expect(sampleCount(interrupted)).toBe(sampleCount(whole));
  }, 120_000);

  it('leaves alone a store that has readings and no plan (older demo data or a real plant)', async () => {
    const store = join(dir, 'older.db');
    await backfillDemoHistory(demoConfigAt(store), silentLogger(), { ...plan, days: 1 });
    rmSync(`${store}.history.json`);
    const before = sampleCount(store);
    await backfillDemoHistory(demoConfigAt(store), silentLogger(), plan);
    expect(sampleCount(store)).toBe(before);
  }, 60_000);
});

/**
 * InfluxDB with logins on (`auth-enabled = true`), as a hospital's IT runs it: an admin
 * creates the schema once, and the gateway's account may only READ and WRITE its database.
 * Against a real influxd whose query log shows which statements it executed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { Spool, StorageWriter } from '../../src/storage/index.js';
import { InfluxStore, type InfluxStoreOptions } from '../../src/storage/influx.js';
import { capturingLogger } from '../auth/harness.js';
import { createUser, type Influxd, influxConfigDir, startInfluxd } from '../helpers/influxd.js';
import { until } from '../helpers/wait.js';
import { CONTRACT_CATALOG } from './contract.js';

let influxd: Influxd;
const dir = mkdtempSync(join(tmpdir(), 'plantwatch-influx-auth-'));
beforeAll(async () => {
  influxd = await startInfluxd({ auth: true, queryLog: true });
}, 30_000);
afterAll(async () => {
  await influxd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const settings = (database: string, login: { username: string; password: string }): InfluxStoreOptions => ({
  host: influxd.host,
  port: influxd.port,
  database,
  ...login,
});
const admin = () => influxd.admin ?? { username: '', password: '' };
/** The schema as an admin's start (or `plantwatch influx-schema --admin`) leaves it. */
const openAsAdmin = (database: string, extra: Partial<InfluxStoreOptions> = {}) =>
  InfluxStore.open({ ...settings(database, admin()), ...extra }, CONTRACT_CATALOG, silentLogger());

/** As an admin: create a user with `privilege` on `database` (READ+WRITE is GRANT ALL). */
const user = (name: string, database?: string, privilege?: string) =>
  createUser(influxd, name, database, privilege);

async function retentionPolicies(database: string): Promise<unknown[][]> {
  const answer = await influxd.query(`SHOW RETENTION POLICIES ON "${database}"`);
  return answer.body.results?.[0]?.series?.[0]?.values ?? [];
}

const value = (ts: number) => ({ id: 'dr1-incomer.power_kw', value: 42.5, quality: 'good' as const, ts });
/** What influxd executed while `action` ran: every statement, and the schema changes among them. */
async function executedDuring(action: () => Promise<unknown>) {
  const from = await influxd.mark();
  await action();
  const all = influxd.executed().slice(from, (await influxd.mark()) - 1);
  return { all, changes: all.filter((q) => /^(CREATE|ALTER|DROP|GRANT)/.test(q)) };
}

describe('InfluxDB with a least-privilege account', () => {
  it('starts, writes and reads back with READ+WRITE on a schema an admin created, changing nothing', async () => {
    await openAsAdmin('site_a');
    expect(await retentionPolicies('site_a')).toContainEqual(['raw', '2160h0m0s', '24h0m0s', 1, true]);
    const gateway = await user('gw_a', 'site_a');
    const { log, lines } = capturingLogger();
    const ts = Date.now() - 60_000;

    const start = await executedDuring(async () => {
      const store = await InfluxStore.open(settings('site_a', gateway), CONTRACT_CATALOG, log);
      await store.write([value(ts)]);
      expect(await store.query({ point: 'dr1-incomer.power_kw', from: ts, to: ts + 1 })).toEqual([
        { ts, value: 42.5, quality: 'good' },
      ]);
    });
    // It looked (databases, policies, continuous queries) and, all being as configured, changed nothing.
    expect(start.all).toContain('SHOW RETENTION POLICIES ON site_a');
    expect(start.changes).toEqual([]);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('writes on when the configured retention differs, and says once which ALTER an admin must run', async () => {
    await openAsAdmin('site_b');
    const gateway = await user('gw_b', 'site_b');
    const { log, lines } = capturingLogger();

    const store = await InfluxStore.open(
      { ...settings('site_b', gateway), rawRetention: '30d' },
      CONTRACT_CATALOG,
      log,
    );
    await store.write([value(Date.now() - 1000)]);
    await store.write([value(Date.now())]);

    const notices = lines.filter((l) => l.level >= 40);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      level: 40,
      user: 'gw_b',
      statements: ['ALTER RETENTION POLICY "raw" ON "site_b" DURATION 30d'],
    });
    expect(notices[0]?.msg).toContain('"raw" has duration 2160h0m0s');
    expect(notices[0]?.msg).toContain('an admin must run');
    // Not changed behind the admin's back: influxd refused, the policy keeps 90 days.
    expect(await retentionPolicies('site_b')).toContainEqual(['raw', '2160h0m0s', '24h0m0s', 1, true]);
  });

  it('with READ missing (WRITE only), writes and says what it could not check', async () => {
    await openAsAdmin('site_w');
    const writer = await user('gw_w', 'site_w', 'WRITE');
    const { log, lines } = capturingLogger();
    const store = await InfluxStore.open(settings('site_w', writer), CONTRACT_CATALOG, log);
    await store.write([value(Date.now())]);
    const notice = lines.find((l) => l.level === 40);
    expect(notice?.msg).toContain('could not check retention policies and continuous queries of "site_w"');
    expect(notice?.statements).toEqual(['GRANT ALL ON "site_w" TO "gw_w"']);

    // Values two hours late: recomputing their rollups needs READ. Refused, said once, not retried
    // (which would hold up the writer), and writing goes on.
    for (const ts of [Date.now() - 7_200_000, Date.now() - 7_100_000]) {
      await store.write([value(ts)]);
      await store.settle();
    }
    const refused = lines.filter((l) => l.msg.includes('are not in rollup_1m'));
    expect(refused).toHaveLength(1);
    expect(refused[0]?.err).toContain('403');
  });

  it('with the schema missing: a clear error naming the statements, values spooled, written once an admin has run them', async () => {
    const gateway = await user('gw_c');
    const expected = [
      'CREATE DATABASE "site_c"',
      'CREATE RETENTION POLICY "raw" ON "site_c" DURATION 90d REPLICATION 1 DEFAULT',
      'CREATE RETENTION POLICY "rollup_1m" ON "site_c" DURATION 400d REPLICATION 1',
      'CREATE RETENTION POLICY "rollup_1h" ON "site_c" DURATION INF REPLICATION 1',
    ];

    const failure = await InfluxStore.open(
      settings('site_c', gateway),
      CONTRACT_CATALOG,
      silentLogger(),
    ).catch((err: unknown) => err as Error);
    expect(failure).toBeInstanceOf(Error);
    for (const statement of [...expected, 'GRANT ALL ON "site_c" TO "gw_c"']) {
      expect((failure as Error).message).toContain(`${statement};`);
    }
    expect((failure as Error).message).toContain('nothing can be written to database "site_c"');

    // The gateway's writer: the store counts as down, values go to the spool, nothing is lost.
    const { log, lines } = capturingLogger();
    const store = InfluxStore.create(settings('site_c', gateway), CONTRACT_CATALOG, log);
    const spool = new Spool(join(dir, 'missing-schema.db'), 100_000);
    const writer = new StorageWriter({
      store,
      spool,
      log,
      maxBatch: 10,
      maxDelayMs: 20,
      writeTimeoutMs: 5000,
      retry: { initialMs: 100, maxMs: 200 },
    });
    const ts = Date.now() - 5000;
    writer.onValues([value(ts), value(ts + 1000)]);
    await until(
      'the store counted down',
      () => writer.stats().storeUp === false && writer.stats().spool.points === 2,
    );
    const down = lines.find((l) => l.msg.startsWith('time-series store not writable'));
    expect(down?.err).toContain('CREATE DATABASE "site_c";');
    expect(JSON.stringify(lines)).not.toMatch(/\\n\s+at /); // a message, not a stack
    // Said once by the store, however often the writer retries.
    await until('a few retries', () => writer.stats().writeFailures >= 3, 5000);
    expect(lines.filter((l) => l.level === 50 && l.msg.includes('nothing can be written'))).toHaveLength(1);

    // The admin runs what the message said; the next retry writes the spooled values.
    for (const statement of [...expected, 'GRANT ALL ON "site_c" TO "gw_c"']) {
      expect(JSON.stringify((await influxd.query(statement)).body)).not.toContain('error');
    }
    await until('spool replayed', () => writer.stats().spool.points === 0 && writer.stats().storeUp, 10_000);
    expect(await store.query({ point: 'dr1-incomer.power_kw', from: ts, to: ts + 2000 })).toHaveLength(2);
    // The gateway's own account created the continuous queries (READ and WRITE suffice for those).
    const cqs = JSON.stringify((await influxd.query('SHOW CONTINUOUS QUERIES')).body);
    expect(cqs).toContain('cq_rollup_1m');
    await writer.stop();
    spool.close();
  }, 30_000);
});

describe('InfluxDB retention policies at each start', () => {
  it('are not altered when the configuration is unchanged, and altered when a duration changed', async () => {
    const first = { rawShardDuration: '1d' };
    await openAsAdmin('site_d', first);
    const unchanged = await executedDuring(() => openAsAdmin('site_d', first));
    expect(unchanged.all).toContain('SHOW RETENTION POLICIES ON site_d');
    expect(unchanged.changes).toEqual([]);

    const changed = await executedDuring(() =>
      openAsAdmin('site_d', { ...first, rawRetention: '30d', rollup1hShardDuration: '4w' }),
    );
    // Only what changed, and no REPLICATION clause (an Enterprise cluster's admin owns that).
    expect(changed.changes).toEqual([
      'ALTER RETENTION POLICY raw ON site_d DURATION 30d',
      'ALTER RETENTION POLICY rollup_1h ON site_d SHARD DURATION 4w',
    ]);
    const policies = await retentionPolicies('site_d');
    expect(policies).toContainEqual(['raw', '720h0m0s', '24h0m0s', 1, true]);
    expect(policies).toContainEqual(['rollup_1h', '0s', '672h0m0s', 1, false]);
  });
});

/** `plantwatch <args>` as an admin runs it: exit code and output. */
function plantwatch(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', ...args],
      { env: { ...process.env, ...env }, timeout: 20_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('plantwatch influx-schema', () => {
  it("prints the InfluxQL an admin runs, and with --admin runs it: the gateway's user then starts cleanly", async () => {
    const config = influxConfigDir(
      `storage:\n  backend: influxdb\n  influxdb: { host: 127.0.0.1, port: ${influxd.port}, database: site_e, username: gw_e, rawRetention: 30d }\n`,
    );
    try {
      const printed = await plantwatch(['influx-schema', '-c', config.dir]);
      expect(printed.code).toBe(0);
      expect(printed.stdout.trim().split('\n')).toEqual([
        'CREATE DATABASE "site_e";',
        'CREATE RETENTION POLICY "raw" ON "site_e" DURATION 30d REPLICATION 1 DEFAULT;',
        'CREATE RETENTION POLICY "rollup_1m" ON "site_e" DURATION 400d REPLICATION 1;',
        'CREATE RETENTION POLICY "rollup_1h" ON "site_e" DURATION INF REPLICATION 1;',
        expect.stringMatching(/^CREATE CONTINUOUS QUERY "cq_rollup_1m" ON "site_e" BEGIN .* END;$/),
        expect.stringMatching(/^CREATE CONTINUOUS QUERY "cq_rollup_1h" ON "site_e" BEGIN .* END;$/),
        'GRANT ALL ON "site_e" TO "gw_e";',
      ]);
      expect(printed.stderr).toContain('CREATE USER "gw_e"');

      const refused = await plantwatch(['influx-schema', '-c', config.dir, '--admin', 'admin']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('set PLANTWATCH_INFLUX_ADMIN_PASSWORD');

      const gateway = await user('gw_e');
      const env = { PLANTWATCH_INFLUX_ADMIN_PASSWORD: admin().password };
      const applied = await plantwatch(['influx-schema', '-c', config.dir, '--admin', 'admin'], env);
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);
      expect(applied.stdout).toContain('done: CREATE DATABASE "site_e"');
      expect(applied.stdout).toContain('done: GRANT ALL ON "site_e" TO "gw_e"');
      expect(await retentionPolicies('site_e')).toContainEqual(['raw', '720h0m0s', '24h0m0s', 1, true]);

      const { log, lines } = capturingLogger();
      const start = await executedDuring(async () => {
        const store = await InfluxStore.open(
          { ...settings('site_e', gateway), rawRetention: '30d' },
          CONTRACT_CATALOG,
          log,
        );
        await store.write([value(Date.now())]);
      });
      expect(start.changes).toEqual([]);
      expect(lines.filter((l) => l.level >= 40)).toEqual([]);

      const again = await plantwatch(['influx-schema', '-c', config.dir, '--admin', 'admin'], env);
      expect(again.stdout).toContain('database "site_e" already as configured');
    } finally {
      config.cleanup();
    }
  }, 60_000);
});

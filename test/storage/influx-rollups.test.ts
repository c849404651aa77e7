/**
 * Values that reach InfluxDB late, through the gateway's own writer and spool, into a real
 * influxd with logins on and the account the deployment guide gives a gateway (READ and WRITE
 * on its database, schema made by an admin): influxd stopped for fifty minutes of data time
 * while values keep coming, and a gateway killed with SIGKILL while its values wait in the
 * spool. Data time runs three days back through the store's clock, with influxd's continuous
 * queries played on it (influx-cq.ts); afterwards every minute's rollup must be the aggregate of
 * its raw samples, and every hour's that of its minutes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { InfluxStore, type InfluxStoreOptions, Spool, StorageWriter } from '../../src/storage/index.js';
import { createUser, type Influxd, startInfluxd } from '../helpers/influxd.js';
import { until } from '../helpers/wait.js';
import { CONTRACT_CATALOG } from './contract.js';
import { influxRollupBackend } from './influx-cq.js';
import { DATA_START, expectRollupsMatchRaw, HOUR, MIN, ROLLUP_POINTS, readings } from './rollup-contract.js';

let influxd: Influxd;
const dir = mkdtempSync(join(tmpdir(), 'plantwatch-influx-rollups-'));
beforeAll(async () => {
  influxd = await startInfluxd({ auth: true });
}, 30_000);
afterAll(async () => {
  await influxd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The schema as `plantwatch influx-schema --admin` leaves it, and the gateway's READ+WRITE login. */
async function gatewayAccount(database: string): Promise<InfluxStoreOptions> {
  const server = { host: influxd.host, port: influxd.port, database };
  await (await InfluxStore.open({ ...server, ...influxd.admin }, CONTRACT_CATALOG, silentLogger())).close();
  return { ...server, ...(await createUser(influxd, `gw_${database}`, database)) };
}

/** The gateway's writer, with small batches and quick retries; settling every few batches. */
const writerFor = (store: InfluxStore, spool: Spool) =>
  new StorageWriter({
    store,
    spool,
    log: silentLogger(),
    maxBatch: 60,
    maxDelayMs: 10,
    writeTimeoutMs: 2000,
    retry: { initialMs: 100, maxMs: 400 },
    settleEvery: 600,
  });

/** Everything the writer was given is in the store and settled, and the spool is empty. */
const drained = (writer: StorageWriter) => () => {
  const stats = writer.stats();
  return stats.storeUp && stats.buffered === 0 && stats.spool.points === 0;
};

describe('late values into the InfluxDB rollups, as the gateway writes them', () => {
  it('an influxd stopped for 50 minutes of data time: once the spool is drained, every minute and hour holds all its values', async () => {
    const settings = await gatewayAccount('outage');
    let now = DATA_START;
    const store = InfluxStore.create({ ...settings, now: () => now }, CONTRACT_CATALOG, silentLogger());
    const spool = new Spool(join(dir, 'outage.db'), 1_000_000);
    const writer = writerFor(store, spool);
    const backend = influxRollupBackend(influxd, 'outage', store, CONTRACT_CATALOG);
    // Half a minute of readings at a time; influxd is down from 00:19:30 to 01:10:30.
    let up = true;
    for (let half = 0; half < 240; half++) {
      if (half === 39 || half === 141) {
        await (up ? influxd.kill() : influxd.start());
        up = !up;
      }
      const from = DATA_START + half * 30_000;
      now = from + 30_000;
      writer.onValues(readings(from, now));
      await until('values written or spooled', () => writer.stats().buffered === 0, 10_000, 5);
      // influxd rolls up each minute as it ends, from what it holds by then; not while it is down.
      if (up && half % 2 === 1) await backend.scheduled(now + 1000);
    }
    await until('spool replayed', drained(writer), 20_000, 50);
    // At least what came during the outage went through the spool.
    const outage = readings(DATA_START + 19.5 * MIN, DATA_START + 70.5 * MIN);
    expect(writer.stats().replayed).toBeGreaterThanOrEqual(outage.length);
    // Data time moves on past the last windows' ends, and the gateway stops.
    now += 30_000;
    await writer.stop();
    spool.close();
    await expectRollupsMatchRaw(backend, ROLLUP_POINTS, DATA_START, DATA_START + 2 * HOUR);
  }, 60_000);

  it('a gateway killed with SIGKILL mid-replay: the next one replays the rest at start, and every rollup holds all its values', async () => {
    const settings = await gatewayAccount('killed');
    const path = join(dir, 'killed.db');
    const values = readings(DATA_START, DATA_START + 6 * HOUR);
    const valuesFile = join(dir, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(values));
    await influxd.kill();
    // A gateway spools what it cannot write; influxd comes back, and the gateway is killed while replaying.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import { readFileSync } from 'node:fs';
         import { silentLogger } from './src/log/index.ts';
         import { InfluxStore, Spool, StorageWriter } from './src/storage/index.ts';
         const spool = new Spool(process.env.SPOOL, 1_000_000);
         const store = InfluxStore.create(JSON.parse(process.env.SETTINGS), new Map(JSON.parse(process.env.CATALOG)), silentLogger());
         const writer = new StorageWriter({ store, spool, log: silentLogger(), maxBatch: 20, maxDelayMs: 10,
           writeTimeoutMs: 2000, retry: { initialMs: 100, maxMs: 400 }, settleEvery: 200 });
         const values = JSON.parse(readFileSync(process.env.VALUES, 'utf8'));
         writer.onValues(values);
         setInterval(() => { if (spool.points === values.length) process.stdout.write('spooled\\n'); }, 20);`,
      ],
      {
        env: {
          ...process.env,
          SPOOL: path,
          SETTINGS: JSON.stringify(settings),
          CATALOG: JSON.stringify([...CONTRACT_CATALOG]),
          VALUES: valuesFile,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let said = '';
    child.stdout.on('data', (chunk: Buffer) => (said += chunk.toString()));
    try {
      await until('all values spooled', () => said.includes('spooled'), 20_000, 20);
      await influxd.start();
      const stored = async () => {
        const answer = await influxd.query('SELECT count("quality") FROM "raw"./.*/', { db: 'killed' });
        const counts = (answer.body.results?.[0]?.series ?? []).map((series) =>
          Number(series.values?.[0]?.[1]),
        );
        return counts.reduce((sum, n) => sum + n, 0);
      };
      await until('a third replayed', async () => (await stored()) >= values.length / 3, 20_000, 5);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }

    const store = InfluxStore.create(settings, CONTRACT_CATALOG, silentLogger());
    const spool = new Spool(path, 1_000_000);
    expect(spool.points).toBeGreaterThan(0);
    const writer = writerFor(store, spool); // replays the spool at once
    await until('spool replayed', drained(writer), 20_000, 50);
    await writer.stop();
    spool.close();
    const backend = influxRollupBackend(influxd, 'killed', store, CONTRACT_CATALOG);
    expect(await backend.rollups('1h', 'ch1.power_kw', DATA_START, DATA_START + 6 * HOUR)).toHaveLength(6);
    await expectRollupsMatchRaw(backend, ROLLUP_POINTS, DATA_START, DATA_START + 6 * HOUR);
  }, 60_000);
});

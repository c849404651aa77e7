/**
 * Store-and-forward against a real influxd that goes away mid-stream: every value lands
 * exactly once, in order, with its original timestamp. And the spool itself: bounded,
 * oldest first, and whole batches only after a `kill -9`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { PointInfo, PointValue } from '../../src/points/index.js';
import { InfluxStore, Spool, StorageWriter } from '../../src/storage/index.js';
import { startInfluxd } from '../helpers/influxd.js';
import { sleep, until } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'plantwatch-spool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meter: PointInfo = {
  id: 'dr1-incomer.energy_kwh',
  device: 'dr1-incomer',
  deviceName: 'DR1 Incomer',
  name: 'energy_kwh',
  label: 'Energy',
  unit: 'kWh',
  site: 'main',
  building: 'inpatient',
  room: 'dr1',
  profile: 'power-meter',
  equipment: 'power-meter',
  counter: true,
  kind: 'analog',
};

const reading = (i: number, base: number): PointValue => ({
  id: meter.id,
  value: 1000 + i,
  quality: 'good',
  ts: base + i * 1000,
});

describe('an InfluxDB outage mid-stream', () => {
  it('ends with every value in InfluxDB exactly once, in order, with its original time', async () => {
    const influxd = await startInfluxd();
    try {
      const store = InfluxStore.create(
        { host: influxd.host, port: influxd.port, database: 'outage' },
        new Map([[meter.id, meter]]),
      );
      const spool = new Spool(join(dir, 'outage.db'), 1_000_000);
      const logged: { msg: string }[] = [];
      const writer = new StorageWriter({
        store,
        spool,
        log: pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) }),
        maxBatch: 20,
        maxDelayMs: 30,
        writeTimeoutMs: 2000,
        retry: { initialMs: 200, maxMs: 800 },
      });
      const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
      const total = 300;
      for (let i = 0; i < total; i++) {
        if (i === 100) await influxd.kill();
        if (i === 200) await influxd.start();
        writer.onValues([reading(i, base)]);
        await sleep(5);
      }
      await until(
        'spool replayed',
        () => {
          const s = writer.stats();
          return s.spool.points === 0 && s.buffered === 0 && s.storeUp;
        },
        20_000,
        100,
      );
      const stats = writer.stats();
      expect(stats.writeFailures).toBeGreaterThan(1);
      expect(stats.replayed).toBeGreaterThan(0);
      // One warning for the outage and one line when it ends, not one per failed retry.
      const said = (text: string) => logged.filter((l) => l.msg.startsWith(text)).length;
      expect(said('time-series store not writable')).toBe(1);
      expect(said('time-series store writable again')).toBe(1);
      const rows = await store.query({ point: meter.id, from: base, to: base + total * 1000 });
      expect(rows).toHaveLength(total);
      expect(rows.map((r) => r.ts)).toEqual(Array.from({ length: total }, (_, i) => base + i * 1000));
      expect(rows.map((r) => r.value)).toEqual(Array.from({ length: total }, (_, i) => 1000 + i));
      await writer.stop();
      spool.close();
    } finally {
      await influxd.stop();
    }
  }, 60_000);
});

describe('writes to an InfluxDB that is away', () => {
  it('each fail with the reason (connection refused), and the first after it is back goes through', async () => {
    const influxd = await startInfluxd();
    try {
      const store = await InfluxStore.open(
        { host: influxd.host, port: influxd.port, database: 'away' },
        new Map([[meter.id, meter]]),
      );
      const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
      await store.write([reading(0, base)]);
      await influxd.kill();
      // Back to back, as a writer's retries and a busy plant's batches come: each says why.
      for (let i = 1; i <= 3; i++) {
        const failure = await store.write([reading(i, base)]).then(
          () => new Error('written while influxd was down'),
          (err: unknown) => err as Error,
        );
        expect(failure.message).toMatch(/ECONNREFUSED/);
      }
      await influxd.start();
      await store.write([reading(4, base)]);
      const rows = await store.query({ point: meter.id, from: base, to: base + 5000 });
      expect(rows.map((r) => r.value)).toEqual([1000, 1004]);
    } finally {
      await influxd.stop();
    }
  }, 60_000);
});

describe('the spool', () => {
  it('gives way oldest first when full, and says how much it dropped', () => {
    const dropped: number[] = [];
    const spool = new Spool(join(dir, 'bounded.db'), 1000, (n) => dropped.push(n));
    const base = 1_700_000_000_000;
    for (let b = 0; b < 15; b++)
      spool.push(Array.from({ length: 100 }, (_, i) => reading(b * 100 + i, base)));
    expect(spool.points).toBe(1000);
    expect(spool.droppedPoints).toBe(500);
    expect(dropped.reduce((a, n) => a + n, 0)).toBe(500);
    // The oldest that is left is batch 5: batches 0-4 gave way.
    expect(spool.peek()?.values[0]?.value).toBe(1000 + 500);
    spool.close();
  });

  it('holds only whole batches after the gateway is killed with SIGKILL mid-write', async () => {
    const path = join(dir, 'killed.db');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import { Spool } from './src/storage/spool.ts';
         const spool = new Spool(${JSON.stringify(path)}, 10_000_000);
         let i = 0;
         setInterval(() => {
           for (let k = 0; k < 20; k++, i++) {
             spool.push(Array.from({ length: 50 }, (_, j) => ({ id: 'p', value: i, quality: 'good', ts: i * 100 + j })));
           }
           if (i >= 200) process.stdout.write('going\\n');
         }, 1);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await sleep(100);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const spool = new Spool(path, 10_000_000);
    const { batches, points } = spool.stats();
    expect(batches).toBeGreaterThanOrEqual(200);
    expect(points).toBe(batches * 50);
    // Every batch reads back whole, oldest first.
    let previous = -1;
    for (let batch = spool.peek(); batch; batch = spool.peek()) {
      expect(batch.values).toHaveLength(50);
      expect(Number(batch.values[0]?.value)).toBeGreaterThan(previous);
      previous = Number(batch.values[0]?.value);
      spool.ack(batch);
    }
    expect(spool.empty).toBe(true);
    spool.close();
  }, 30_000);
});

/**
 * Storage throughput: points/s into SQLite and into a real local influxd (ours beside a
 * bare line-protocol client posting the same batches, in the same run), and the rate at
 * which the spool replays after an outage. Medians of 3 runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/log/index.js';
import type { PointInfo, PointValue } from '../src/points/index.js';
import {
  InfluxStore,
  Spool,
  SqliteStore,
  StorageWriter,
  type TimeSeriesStore,
} from '../src/storage/index.js';
import { startInfluxd } from '../test/helpers/influxd.js';
import type { Figure } from './figure.js';

const DEVICES = 50;
const POINTS_PER_DEVICE = 20;
const BATCH = 5000;

const catalog = new Map<string, PointInfo>();
for (let d = 0; d < DEVICES; d++) {
  for (let p = 0; p < POINTS_PER_DEVICE; p++) {
    const info: PointInfo = {
      id: `pm${d}.p${p}`,
      device: `pm${d}`,
      deviceName: `Meter ${d}`,
      name: `p${p}`,
      label: `p${p}`,
      unit: 'kW',
      site: 'main',
      building: 'inpatient',
      room: 'dr1',
      profile: 'power-meter',
      equipment: 'power-meter',
      counter: false,
      kind: 'analog',
    };
    catalog.set(info.id, info);
  }
}
const ids = [...catalog.keys()];

/** `total` values, one per point per second, starting `start` ms. */
function values(total: number, start: number): PointValue[] {
  const out: PointValue[] = new Array(total);
  for (let i = 0; i < total; i++) {
    out[i] = {
      id: ids[i % ids.length] as string,
      value: (i % 997) * 0.5,
      quality: 'good',
      ts: start + Math.floor(i / ids.length) * 1000,
    };
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function pointsPerSecond(
  write: (batch: PointValue[]) => Promise<void>,
  data: PointValue[],
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < data.length; i += BATCH) await write(data.slice(i, i + BATCH));
  return data.length / ((performance.now() - started) / 1000);
}

function lineProtocol(batch: PointValue[]): string {
  return batch
    .map((v) => {
      const info = catalog.get(v.id) as PointInfo;
      return `${info.profile},building=${info.building},device=${info.device},point=${info.name},room=${info.room},site=${info.site} value=${v.value},quality="${v.quality}" ${v.ts}`;
    })
    .join('\n');
}

async function sqliteFigures(dir: string): Promise<Figure[]> {
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const store = new SqliteStore({ path: join(dir, `bench-${r}.db`) });
    runs.push(await pointsPerSecond((b) => store.write(b), values(500_000, Date.now() - 86_400_000)));
    await store.close();
  }
  return [{ name: 'SQLite store, 5,000-point batches', value: Math.round(median(runs)), unit: 'points/s' }];
}

async function influxFigures(): Promise<Figure[]> {
  const influxd = await startInfluxd();
  try {
    const ours: number[] = [];
    const bare: number[] = [];
    for (let r = 0; r < 3; r++) {
      const start = Date.now() - 3_600_000 * (r + 2);
      const store = await InfluxStore.open(
        { host: influxd.host, port: influxd.port, database: `bench_ours_${r}` },
        catalog,
        silentLogger(),
      );
      ours.push(await pointsPerSecond((b) => store.write(b), values(300_000, start)));
      await fetch(`${influxd.url}/query?q=${encodeURIComponent(`CREATE DATABASE bench_bare_${r}`)}`, {
        method: 'POST',
      });
      bare.push(
        await pointsPerSecond(
          async (b) => {
            const res = await fetch(`${influxd.url}/write?db=bench_bare_${r}&precision=ms`, {
              method: 'POST',
              body: lineProtocol(b),
            });
            if (res.status !== 204) throw new Error(`bare write: HTTP ${res.status}`);
          },
          values(300_000, start),
        ),
      );
    }
    return [
      {
        name: 'InfluxDB store (ours), 5,000-point batches',
        value: Math.round(median(ours)),
        unit: 'points/s',
      },
      {
        name: 'InfluxDB bare line-protocol client, same batches',
        value: Math.round(median(bare)),
        unit: 'points/s',
      },
      { name: 'ours ÷ bare client', value: Math.round((median(ours) / median(bare)) * 100) / 100, unit: '×' },
    ];
  } finally {
    await influxd.stop();
  }
}

async function replayFigure(dir: string): Promise<Figure[]> {
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const spool = new Spool(join(dir, `spool-${r}.db`), 10_000_000);
    const data = values(200_000, Date.now() - 86_400_000);
    for (let i = 0; i < data.length; i += BATCH) spool.push(data.slice(i, i + BATCH));
    const store: TimeSeriesStore = new SqliteStore({ path: join(dir, `replay-${r}.db`) });
    const started = performance.now();
    const writer = new StorageWriter({
      store,
      spool,
      log: silentLogger(),
      maxBatch: BATCH,
      maxDelayMs: 1000,
      writeTimeoutMs: 10_000,
      retry: { initialMs: 100, maxMs: 1000 },
    });
    while (!spool.empty) await new Promise((resolve) => setTimeout(resolve, 5));
    runs.push(data.length / ((performance.now() - started) / 1000));
    await writer.stop();
    spool.close();
    await store.close();
  }
  return [
    { name: 'spool replay into SQLite after an outage', value: Math.round(median(runs)), unit: 'points/s' },
  ];
}

export async function run(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-bench-'));
  try {
    return [...(await sqliteFigures(dir)), ...(await influxFigures()), ...(await replayFigure(dir))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The whole in-process pipeline, as one device read flows through it: register words →
 * decoded, scaled points with their quality (the codec, as the poller does) → the point bus →
 * the latest-value table, the alarm rules (the demo's rules on 1,000 power meters, journal on
 * disk) and the storage writer's batches into the store (SQLite, then a real local influxd).
 * Points/s from the first read to the last batch written; medians of 3 runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeRegisters } from '../src/acquisition/modbus/codec.js';
import { planBlocks } from '../src/acquisition/modbus/plan.js';
import { startAlarms } from '../src/alarms/index.js';
import { loadConfig, type PlantConfig } from '../src/config/index.js';
import type { DeviceConfig, ModbusProfile } from '../src/config/schema.js';
import { silentLogger } from '../src/log/index.js';
import { buildCatalog, PointBus, PointTable, type PointValue, pointId } from '../src/points/index.js';
import {
  InfluxStore,
  Spool,
  SqliteStore,
  StorageWriter,
  type TimeSeriesStore,
} from '../src/storage/index.js';
import { startInfluxd } from '../test/helpers/influxd.js';
import type { Figure } from './figure.js';

const METERS = 1000;
const CYCLES = 30;

/** The demo plant with 1,000 more power meters, five to a distribution room as in DR1. */
function bigPlant(): PlantConfig {
  const config = loadConfig(resolve('config'));
  const template = config.devices.find((d) => d.id === 'dr1-f2') as DeviceConfig;
  const meters: DeviceConfig[] = Array.from({ length: METERS }, (_, i) => ({
    ...template,
    id: `pm${i}`,
    name: `Meter ${i}`,
  }));
  return { ...config, devices: [...config.devices, ...meters] };
}

/** One read's register words per meter: plausible values (≈230 V, PF 0.92, 50 Hz), moving a little. */
function wordsFor(profile: ModbusProfile, cycle: number, meter: number): Map<number, number[]> {
  const blocks = planBlocks(profile.points, profile);
  const words = new Map<number, number[]>();
  for (const block of blocks) {
    const data = new Array<number>(block.count).fill(0);
    for (const { point, index } of block.points) {
      const raw = point.name.startsWith('voltage')
        ? 230 + ((meter + cycle) % 5)
        : point.name === 'power_factor'
          ? 920
          : point.name === 'frequency_hz'
            ? 5000
            : 100 + cycle;
      if (point.type === 'float32') {
        const buffer = Buffer.alloc(4);
        buffer.writeFloatBE(raw);
        const [hi, lo] = [buffer.readUInt16BE(0), buffer.readUInt16BE(2)];
        data[index] = point.order === 'CDAB' ? lo : hi;
        data[index + 1] = point.order === 'CDAB' ? hi : lo;
      } else if (point.type === 'uint32') {
        data[index] = 0;
        data[index + 1] = raw & 0xffff;
      } else data[index] = raw & 0xffff;
    }
    words.set(block.start, data);
  }
  return words;
}

/** What the poller does with a response: decode, scale, judge the range. */
function decodeRead(
  ids: string[][],
  blocks: ReturnType<typeof planBlocks>,
  words: Map<number, number[]>,
  ts: number,
): PointValue[] {
  const values: PointValue[] = [];
  for (const [b, block] of blocks.entries()) {
    const data = words.get(block.start) ?? [];
    for (const [p, { point, index }] of block.points.entries()) {
      const value =
        point.table === 'coil' || point.table === 'discrete' ? true : decodeRegisters(point, data, index);
      const outOfRange =
        typeof value === 'number' &&
        (!Number.isFinite(value) ||
          (point.range !== undefined && (value < point.range[0] || value > point.range[1])));
      values.push({
        id: ids[b]?.[p] ?? '',
        value,
        quality: outOfRange ? 'out-of-range' : 'good',
        ts,
      });
    }
  }
  return values;
}

async function pipelineRun(
  config: PlantConfig,
  store: TimeSeriesStore,
  dir: string,
  run: number,
): Promise<number> {
  const log = silentLogger();
  const bus = new PointBus();
  const table = new PointTable(buildCatalog(config));
  bus.subscribe((values) => table.update(values));
  const spool = new Spool(join(dir, `spool-${run}.db`), 5_000_000, () => {});
  const writer = new StorageWriter({
    store,
    spool,
    log,
    maxBatch: 5000,
    maxDelayMs: 1000,
    writeTimeoutMs: 30_000,
    retry: { initialMs: 1000, maxMs: 30_000 },
  });
  bus.subscribe(writer.onValues);
  const alarms = startAlarms({
    config,
    bus,
    read: (id) => table.get(id),
    log,
    journalPath: join(dir, `alarms-${run}.db`),
  });
  const profile = config.profiles.get('power-meter') as ModbusProfile;
  const meters = config.devices.filter((d) => d.id.startsWith('pm'));
  // Planned once per profile, as the poller does.
  const blocks = planBlocks(profile.points, profile);
  // Words prepared beforehand: the bench measures the gateway, not the test's own encoding.
  const reads = Array.from({ length: CYCLES }, (_, cycle) =>
    meters.map((_m, i) => wordsFor(profile, cycle, i)),
  );
  // Point ids built once per device, as the poller builds them.
  const ids = meters.map((m) => blocks.map((b) => b.points.map(({ point }) => pointId(m.id, point.name))));
  const base = Date.now() - 3_600_000 * (run + 2);
  let points = 0;
  const started = performance.now();
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const ts = base + cycle * 1000;
    for (let i = 0; i < meters.length; i++) {
      const batch = decodeRead(ids[i] ?? [], blocks, reads[cycle]?.[i] ?? new Map(), ts);
      points += batch.length;
      bus.publish(batch);
    }
    // Let the writer's batches go out between cycles, as the event loop would between polls.
    await new Promise((r) => setImmediate(r));
  }
  await writer.stop();
  const seconds = (performance.now() - started) / 1000;
  await alarms.stop();
  spool.close();
  return points / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function run(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-pipeline-bench-'));
  const config = bigPlant();
  const catalog = new Map(buildCatalog(config).map((p) => [p.id, p]));
  try {
    const sqlite: number[] = [];
    for (let r = 0; r < 3; r++) {
      const store = new SqliteStore({ path: join(dir, `sqlite-${r}.db`), maintenanceIntervalMs: 0 });
      sqlite.push(await pipelineRun(config, store, dir, r));
      await store.close();
    }
    const influx: number[] = [];
    // BENCH_PIPELINE_INFLUX=0: SQLite only (a quicker look at one store, e.g. under --cpu-prof).
    const influxd = process.env.BENCH_PIPELINE_INFLUX === '0' ? undefined : await startInfluxd();
    try {
      for (let r = 0; influxd && r < 3; r++) {
        const store = await InfluxStore.open(
          { host: influxd.host, port: influxd.port, database: `pipeline_${r}` },
          catalog,
          silentLogger(),
        );
        influx.push(await pipelineRun(config, store, dir, 10 + r));
        await store.close();
      }
    } finally {
      await influxd?.stop();
    }
    return [
      {
        name: `pipeline → SQLite, ${METERS} meters × ${CYCLES} reads (target 200,000)`,
        value: Math.round(median(sqlite)),
        unit: 'points/s',
      },
      {
        name: `pipeline → influxd, ${METERS} meters × ${CYCLES} reads (target 50,000)`,
        value: Math.round(median(influx)),
        unit: 'points/s',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

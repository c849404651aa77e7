/**
 * A real SqliteStore in a temp directory, filled with the demo plant's simulated history (or
 * with hand-made readings), for the energy service's tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeHistory } from '../../simulators/backfill.js';
import { type HistoryOptions, simulateHistory } from '../../simulators/history.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { createEnergy, type EnergyService } from '../../src/energy/index.js';
import { silentLogger } from '../../src/log/index.js';
import { PointBus, type PointValue } from '../../src/points/index.js';
import { SqliteStore } from '../../src/storage/index.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The points the energy service reads: counters, rates, reactive power. */
export const ENERGY_POINTS = /\.(energy_kwh|power_kw|reactive_kvar|volume_m3|flow_m3h)$/;

export interface TestStore {
  store: SqliteStore;
  /** The database file, for a test that tampers with it. */
  path: string;
  /** Rows written. */
  written: number;
  close(): Promise<void>;
}

export function emptyStore(): TestStore {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-energy-'));
  const path = join(dir, 'energy.db');
  const store = new SqliteStore({ path, maintenanceIntervalMs: 0 });
  return {
    store,
    path,
    written: 0,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes values in transactions of a few thousand rows, as the demo's first start does. */
export async function writeAll(target: TestStore, values: Iterable<PointValue[]>): Promise<void> {
  target.written += await writeHistory(target.store, values);
}

/** A store holding the simulated history's energy points (or those `keep` selects). */
export async function simulatedStore(
  config: PlantConfig,
  options: HistoryOptions,
  keep: (id: string) => boolean = (id) => ENERGY_POINTS.test(id),
): Promise<TestStore> {
  const target = emptyStore();
  await writeAll(
    target,
    (function* () {
      for (const batch of simulateHistory(config, options)) yield batch.filter((v) => keep(v.id));
    })(),
  );
  return target;
}

/** Raw samples of a point with from ≤ ts < to, as numbers. */
export async function samples(
  store: SqliteStore,
  point: string,
  from: number,
  to: number,
): Promise<{ ts: number; value: number }[]> {
  const rows = await store.query({ point, from, to });
  return rows.map((r) => ({ ts: r.ts, value: Number(r.value) }));
}

/** The last stored value of a point before `ts` (what its counter read by then). */
export async function lastBefore(store: SqliteStore, point: string, ts: number): Promise<number> {
  const rows = await samples(store, point, ts - DAY, ts);
  const last = rows[rows.length - 1];
  if (!last) throw new Error(`no sample of ${point} in the day before ${new Date(ts).toISOString()}`);
  return last.value;
}

/**
 * A demo configuration's energy service over its simulated history, its clock at `now`: the main
 * hospital's (config/) unless `dir` names another, the energy points unless `keep` says which.
 */
export async function demoEnergy(
  history: { from: number; to: number; stepMs: number },
  now: number,
  options: { dir?: string; keep?: (id: string) => boolean } = {},
): Promise<{ config: PlantConfig; data: TestStore; energy: EnergyService }> {
  const config = loadConfig(resolve(options.dir ?? 'config'));
  const data = await simulatedStore(config, history, options.keep);
  const energy = createEnergy({
    config,
    store: data.store,
    bus: new PointBus(),
    log: silentLogger(),
    now: () => now,
  });
  return { config, data, energy };
}

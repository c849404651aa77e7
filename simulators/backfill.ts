/**
 * The demo's past: on the first `npm start` the embedded store is empty, and energy pages,
 * leak detection and savings need weeks of data. So the demo writes weeks of simulated
 * history (simulation.yaml `history`, 15-minute steps: the LED retrofit 30 days ago, a kitchen tap left running the
 * last few nights) before the live plant starts. Counters then carry on from where the
 * stored history ends, on this and every later start, so no counter ever appears to reset.
 */
import { resolve } from 'node:path';
import type { PlantConfig } from '../src/config/index.js';
import type { Logger } from '../src/log/index.js';
import type { PointValue } from '../src/points/index.js';
import { SqliteStore, type TimeSeriesStore } from '../src/storage/index.js';
import { simulateHistory } from './history.js';

const DAY = 86_400_000;

export interface BackfillOptions {
  days?: number;
  stepMs?: number;
  now?: number;
}

function counterIds(config: PlantConfig): string[] {
  return config.devices.flatMap((device) =>
    device.enabled
      ? (config.profiles
          .get(device.profile)
          ?.points.filter((p) => p.counter)
          .map((p) => `${device.id}.${p.name}`) ?? [])
      : [],
  );
}

/**
 * Fills an empty SQLite store with simulated history; returns the counters' last stored
 * values (point id → value) for the live simulator to continue from. Other backends: nothing.
 */
export async function backfillDemoHistory(
  config: PlantConfig,
  log: Logger,
  options: BackfillOptions = {},
): Promise<Map<string, number>> {
  const storage = config.gateway.storage;
  if (storage.backend !== 'sqlite') return new Map();
  const store = new SqliteStore({ path: resolve(storage.sqlite.path), maintenanceIntervalMs: 0 });
  try {
    const counters = counterIds(config);
    const stored = await store.latest(counters);
    if (stored.size === 0 && (options.days ?? config.simulation.history.days) > 0)
      await fill(store, config, log, options);
    const latest = stored.size > 0 ? stored : await store.latest(counters);
    return new Map(
      [...latest].flatMap(([id, sample]) =>
        typeof sample.value === 'number' ? [[id, sample.value] as const] : [],
      ),
    );
  } finally {
    await store.close();
  }
}

async function fill(
  store: SqliteStore,
  config: PlantConfig,
  log: Logger,
  options: BackfillOptions,
): Promise<void> {
  const now = options.now ?? Date.now();
  const days = options.days ?? config.simulation.history.days;
  const from = now - days * DAY;
  log.info(
    { days },
    `first start: writing ${days} days of simulated plant history for the energy and records pages`,
  );
  const started = Date.now();
  const leakDevice = config.devices.some((d) => d.id === 'wm-canteen') ? 'wm-canteen' : undefined;
  const faults = leakDevice
    ? [{ device: leakDevice, fault: { type: 'leak' as const, flowM3h: 0.8 }, from: now - 4.5 * DAY }]
    : [];
  const history = simulateHistory(config, { from, to: now, stepMs: options.stepMs ?? 15 * 60_000, faults });
  const written = await writeHistory(store, history);
  store.maintain(now);
  log.info(
    { points: written, seconds: Math.round((Date.now() - started) / 100) / 10 },
    'simulated history written',
  );
}

/**
 * Writes simulated batches into a store in transactions of about 20,000 values (far faster
 * than one per step); `keep` picks the values wanted. Returns how many were written.
 */
export async function writeHistory(
  store: TimeSeriesStore,
  batches: Iterable<readonly PointValue[]>,
  keep: (value: PointValue) => boolean = () => true,
): Promise<number> {
  let pending: PointValue[] = [];
  let written = 0;
  for (const batch of batches) {
    for (const value of batch) if (keep(value)) pending.push(value);
    if (pending.length >= 20_000) {
      await store.write(pending);
      written += pending.length;
      pending = [];
    }
  }
  await store.write(pending);
  return written + pending.length;
}

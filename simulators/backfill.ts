/**
 * The demo's past: on the first `npm start` the embedded store is empty, and energy pages,
 * leak detection and savings need weeks of data. So the demo writes weeks of simulated
 * history (simulation.yaml `history`, 15-minute steps: the LED retrofit 30 days ago, a kitchen tap left running the
 * last few nights) before the live plant starts. Counters then carry on from where the
 * stored history ends, on this and every later start, so no counter ever appears to reset.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
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
 * What a back-fill writes, kept beside the store until it has been written whole: the same
 * plan gives the same history, so a start interrupted half-way (Ctrl-C, a timeout, a crash)
 * is resumed by the next one from where the store ends instead of leaving the demo without
 * its weeks of history for good.
 */
interface HistoryPlan {
  from: number;
  to: number;
  stepMs: number;
  completed: boolean;
}

function planFile(storePath: string): string {
  return `${storePath}.history.json`;
}

function readPlan(file: string): HistoryPlan | undefined {
  try {
    const plan = JSON.parse(readFileSync(file, 'utf8')) as Partial<HistoryPlan>;
    const numbers = [plan.from, plan.to, plan.stepMs].every(
      (n) => typeof n === 'number' && Number.isFinite(n),
    );
    return numbers && typeof plan.completed === 'boolean' ? (plan as HistoryPlan) : undefined;
  } catch {
    return undefined; // absent or unreadable: a store from before plans were kept, or none
  }
}

/** Written whole or not at all (a rename), so a kill mid-write cannot leave half a plan. */
function writePlan(file: string, plan: HistoryPlan): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(plan));
  renameSync(`${file}.tmp`, file);
}

/**
 * Fills an empty SQLite store with simulated history, or finishes one an earlier start left
 * half-written; returns the counters' last stored values (point id → value) for the live
 * simulator to continue from. Other backends: nothing.
 */
export async function backfillDemoHistory(
  config: PlantConfig,
  log: Logger,
  options: BackfillOptions = {},
): Promise<Map<string, number>> {
  const storage = config.gateway.storage;
  if (storage.backend !== 'sqlite') return new Map();
  const path = resolve(storage.sqlite.path);
  const store = new SqliteStore({ path, maintenanceIntervalMs: 0 });
  try {
    const counters = counterIds(config);
    const days = options.days ?? config.simulation.history.days;
    const plan = days > 0 ? await historyToWrite(store, counters, planFile(path), days, options) : undefined;
    if (plan) await fill(store, config, log, plan, planFile(path));
    const latest = await store.latest(counters);
    return new Map(
      [...latest].flatMap(([id, sample]) =>
        typeof sample.value === 'number' ? [[id, sample.value] as const] : [],
      ),
    );
  } finally {
    await store.close();
  }
}

/**
 * The plan still to write and the time the store already holds it up to: a new plan for an
 * empty store, the unfinished one for a store an interrupted back-fill left, else nothing (a
 * store with readings and no plan predates plans or holds a real plant's data: left alone).
 */
async function historyToWrite(
  store: SqliteStore,
  counters: readonly string[],
  file: string,
  days: number,
  options: BackfillOptions,
): Promise<(HistoryPlan & { after: number }) | undefined> {
  const stored = await store.latest(counters);
  if (stored.size === 0) {
    const to = options.now ?? Date.now();
    const plan = { from: to - days * DAY, to, stepMs: options.stepMs ?? 15 * 60_000, completed: false };
    writePlan(file, plan);
    return { ...plan, after: Number.NEGATIVE_INFINITY };
  }
  const unfinished = readPlan(file);
  if (!unfinished || unfinished.completed) return undefined;
  return { ...unfinished, after: Math.max(...[...stored.values()].map((sample) => sample.ts)) };
}

async function fill(
  store: SqliteStore,
  config: PlantConfig,
  log: Logger,
  plan: HistoryPlan & { after: number },
  file: string,
): Promise<void> {
  const { from, to, stepMs, after } = plan;
  const days = Math.round((to - from) / DAY);
  const resuming = after > from;
  log.info(
    { days, ...(resuming ? { resumingAfter: new Date(after).toISOString() } : {}) },
    resuming
      ? `finishing the ${days} days of simulated plant history an earlier start left half-written`
      : `first start: writing ${days} days of simulated plant history for the energy and records pages`,
  );
  const started = Date.now();
  const leakDevice = config.devices.some((d) => d.id === 'wm-canteen') ? 'wm-canteen' : undefined;
  const faults = leakDevice
    ? [{ device: leakDevice, fault: { type: 'leak' as const, flowM3h: 0.8 }, from: to - 4.5 * DAY }]
    : [];
  // The whole history is stepped again (counters integrate from its start), but only what the
  // store does not hold yet is written: writeHistory commits whole steps, so the store ends
  // on a step boundary.
  const history = simulateHistory(config, { from, to, stepMs, faults, anchor: to });
  const written = await writeHistory(store, history, (value) => value.ts > after);
  store.maintain(to);
  writePlan(file, { from, to, stepMs, completed: true });
  log.info(
    { points: written, seconds: Math.round((Date.now() - started) / 100) / 10 },
    'simulated history written',
  );
}

/**
 * Writes simulated batches into a store in transactions of about 20,000 values (far faster
 * than one per step), each ending with a whole step; `keep` picks the values wanted. Returns
 * how many were written.
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

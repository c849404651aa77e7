/**
 * For the reliability tests (test/e2e: flapping device, serial unplug, SIGTERM under load)
 * and the soak bench: alarm delays a test can wait for, point values recorded with the time
 * they arrived, the samples a SQLite store holds, a gateway child process, and a watch on
 * the test process for what would crash a gateway (unhandled rejections, uncaught errors).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll } from 'vitest';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { PointBus, PointValue } from '../../src/points/index.js';
import { type DemoConfig, demoConfigCopy, editYaml } from './demo-config.js';
import { assertTool, TOOLS } from './tools.js';

/**
 * Set a comm-loss rule's `after` in a demo copy's alarms.yaml: the demo's 30 s and 2 min are
 * right for a hospital, too long for a test to sit through.
 */
export async function setCommLossAfter(dir: string, ruleId: string, after: string): Promise<void> {
  await editYaml(join(dir, 'alarms.yaml'), (doc) => {
    const rules = doc.get('rules') as {
      items: { get(k: string): unknown; set(k: string, v: unknown): void }[];
    };
    const rule = rules.items.find((r) => r.get('id') === ruleId);
    if (rule?.get('type') !== 'comm-loss') throw new Error(`no comm-loss rule "${ruleId}" in alarms.yaml`);
    rule.set('after', after);
  })();
}

export interface DemoPlant {
  demo: DemoConfig;
  config: PlantConfig;
  gateway: Gateway;
  simulator: PlantSimulator;
  /** Stop the simulator and the gateway (which flushes its store); once, however often called. */
  stop(): Promise<void>;
  /** Stop, then delete the demo copy. */
  cleanup(): Promise<void>;
}

/** The demo plant and its gateway, both in this process, with one comm-loss rule's delay shortened. */
export async function startDemoPlant(commLoss: { rule: string; after: string }): Promise<DemoPlant> {
  assertTool(TOOLS.socat); // the demo's RS-485 line is a socat pseudo-terminal pair
  const demo = await demoConfigCopy();
  await setCommLossAfter(demo.dir, commLoss.rule, commLoss.after);
  const config = loadConfig(demo.dir);
  const gateway = await startGateway({ config, log: silentLogger() });
  const simulator = await startPlantSimulator(config, { log: silentLogger() }).catch(async (err: unknown) => {
    await gateway.stop();
    throw err;
  });
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= simulator.stop().then(() => gateway.stop());
    return stopped;
  };
  return {
    demo,
    config,
    gateway,
    simulator,
    stop,
    async cleanup() {
      await stop();
      demo.cleanup();
    },
  };
}

/**
 * In a test file: the demo plant started before its tests and cleaned up after them, and
 * crashes watched meanwhile (an in-process gateway's unhandled rejection lands here).
 */
export function useDemoPlant(commLoss: { rule: string; after: string }): {
  readonly plant: DemoPlant;
  readonly crashes: string[];
} {
  const crashes = watchCrashes();
  let plant: DemoPlant | undefined;
  beforeAll(async () => {
    plant = await startDemoPlant(commLoss);
  }, 30_000);
  afterAll(async () => {
    await plant?.cleanup();
    crashes.stop();
  });
  return {
    get plant() {
      if (!plant) throw new Error('the demo plant did not start');
      return plant;
    },
    crashes: crashes.errors,
  };
}

/** A point value as a consumer of the bus saw it, with the wall-clock time it arrived. */
export interface Arrival extends PointValue {
  at: number;
}

/** Every value published on `bus` from now on, in order, with its arrival time. */
export function recordArrivals(bus: PointBus): { values: Arrival[]; stop(): void } {
  const values: Arrival[] = [];
  const stop = bus.subscribe((batch) => {
    const at = Date.now();
    for (const v of batch) values.push({ ...v, at });
  });
  return { values, stop };
}

/** The key a stored sample and a published value share: "<device>.<point>@<epoch ms>". */
export const sampleKey = (id: string, ts: number) => `${id}@${Math.round(ts)}`;

/** The keys of every raw sample in a SQLite store file (opened read-only, after its gateway stopped). */
export function storedSampleKeys(path: string): Set<string> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT p.name AS id, s.ts AS ts FROM samples s JOIN points p ON p.id = s.point')
      .all() as { id: string; ts: number }[];
    return new Set(rows.map((r) => sampleKey(r.id, r.ts)));
  } finally {
    db.close();
  }
}

/** Values a bus consumer saw that the store does not hold (at most `limit`, for a readable failure). */
export function missingFromStore(values: readonly PointValue[], stored: ReadonlySet<string>, limit = 10) {
  const missing = values.map((v) => sampleKey(v.id, v.ts)).filter((key) => !stored.has(key));
  return { count: missing.length, first: missing.slice(0, limit) };
}

/**
 * What would take a gateway process down, seen in the test's own process (where an
 * in-process gateway runs): unhandled promise rejections and uncaught exceptions.
 */
export function watchCrashes(): { errors: string[]; stop(): void } {
  const errors: string[] = [];
  const onRejection = (reason: unknown) => errors.push(`unhandled rejection: ${String(reason)}`);
  const onException = (err: Error) => errors.push(`uncaught exception: ${err.stack ?? err.message}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    errors,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

export interface GatewayChild {
  process: ChildProcess;
  /** Exit code and signal, once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last few kB of what it wrote (JSON log lines), for a failure message. */
  output(): string;
  /** SIGKILL if it still runs (cleanup). */
  kill(): void;
}

/** `plantwatch start -c <dir>` in a child process, as an operator (or systemd) runs it. */
export function startGatewayChild(dir: string, nodeFlags: string[] = []): GatewayChild {
  const child = spawn(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', 'src/cli/index.ts', 'start', '-c', dir],
    {
      env: { ...process.env, PLANTWATCH_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    exited,
    output: () => output,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * The BACnet scan tests' worker, run inside a network namespace of its own
 * (test/helpers/netns-worker.ts): simulated devices on 127.0.0.2–127.0.0.6 and the scanning
 * side on 127.0.0.9 (not 127.0.0.1: the library's server side skips requests from
 * 127.0.0.1:47808), driven by the test's calls; the CLI is run from here too, so that it is in
 * the namespace.
 */
import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { type SimObjectConfig, SimulatedBacnetDevice } from '../../simulators/bacnet/device.js';
import { type BacnetScanOptions, type BacnetScanProgress, scanBacnet } from '../../src/discovery/bacnet.js';
import { repoRoot } from '../../src/repo-root.js';
import { serveCalls } from '../helpers/netns-worker.js';
import {
  BROADCAST,
  CLI_ADDRESS,
  DEVICES,
  type DeviceKey,
  METER_ADDED,
  METER_OBJECTS,
  METER_REMOVED,
  SCANNER_ADDRESS,
  TIMEOUT_MS,
} from './bacnet-scan-plant.js';

const log = pino({ level: process.env.PLANTWATCH_LOG_LEVEL ?? 'silent' });
const simulators = new Map<DeviceKey, SimulatedBacnetDevice>();

async function startDevice(
  key: DeviceKey,
  objects?: SimObjectConfig[],
  onRequest?: (phase: 'received' | 'answered') => void,
): Promise<void> {
  const device = DEVICES[key];
  simulators.set(
    key,
    await SimulatedBacnetDevice.start({
      ...device,
      objects: objects ?? [...device.objects],
      vendorName: 'Plantwatch simulators',
      broadcastAddress: BROADCAST,
      log,
      ...(onRequest ? { onRequest } : {}),
    }),
  );
}

const simulator = (key: DeviceKey) => {
  const device = simulators.get(key);
  if (!device) throw new Error(`call start first: no ${key} device`);
  return device;
};

const handlers = {
  async start(): Promise<void> {
    for (const key of Object.keys(DEVICES) as DeviceKey[]) if (key !== 'flaky') await startDevice(key);
    simulator('dead').setOnline(false);
  },

  /** The flaky device: it answers Who-Is (not a confirmed request), then nothing from its first request on. */
  async startFlaky(): Promise<void> {
    await startDevice('flaky', undefined, (phase) => {
      if (phase === 'received') simulator('flaky').setOnline(false);
    });
  },

  stop(key: DeviceKey): void {
    simulator(key).close();
    simulators.delete(key);
  },

  /** One scan from SCANNER_ADDRESS, with the progress it reported counted by kind. */
  async scan(
    options: Partial<Pick<BacnetScanOptions, 'addresses' | 'lowLimit' | 'highLimit' | 'types'>> = {},
  ) {
    const progress: Record<BacnetScanProgress['kind'], number> = {
      'who-is': 0,
      reading: 0,
      read: 0,
      failed: 0,
    };
    const before = Object.fromEntries(
      [...simulators].map(([key, device]) => [key, { ...device.requests }]),
    ) as Record<DeviceKey, SimulatedBacnetDevice['requests']>;
    const result = await scanBacnet(
      { interface: SCANNER_ADDRESS, broadcastAddress: BROADCAST, timeoutMs: TIMEOUT_MS },
      {
        waitMs: TIMEOUT_MS,
        delayMs: 0,
        ...options,
        onProgress: (p) => {
          progress[p.kind]++;
        },
      },
    );
    const requests = Object.fromEntries(
      [...simulators].map(([key, device]) => [
        key,
        {
          readProperty: device.requests.readProperty - before[key].readProperty,
          readPropertyMultiple: device.requests.readPropertyMultiple - before[key].readPropertyMultiple,
        },
      ]),
    ) as Record<DeviceKey, { readProperty: number; readPropertyMultiple: number }>;
    return { result, progress, requests };
  },

  /** The meter restarted after its program changed: objects added, one taken away. */
  async reprogramMeter(): Promise<void> {
    simulator('meter').close();
    await startDevice('meter', [
      ...METER_OBJECTS.filter((o) => o.type !== METER_REMOVED.type || o.instance !== METER_REMOVED.instance),
      ...METER_ADDED,
    ]);
  },

  /** `plantwatch scan bacnet <args>` as a user runs it, in this namespace. */
  cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/index.ts', 'scan', 'bacnet', '--interface', CLI_ADDRESS, ...args],
        { cwd: repoRoot(), env: { ...process.env, PLANTWATCH_LOG_FORMAT: 'json' } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  },
};

export type BacnetScanLab = typeof handlers;

serveCalls(handlers, () => {
  for (const device of simulators.values()) device.close();
});

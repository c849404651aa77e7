/**
 * Three devices on one port, two of them dead: the live one's values still come at its period
 * (each device's requests wait on their own answers, never another device's timeouts), the dead
 * ones turn comm-error within their timeout (what the comm-loss alarms see: no good reading), and
 * one that comes back is good again without a restart. On 127.0.0.1 (host-plant.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedBacnetDevice } from '../../../simulators/bacnet/device.js';
import { type BacnetService, startBacnet } from '../../../src/acquisition/bacnet/index.js';
import { freeUdpPort, labConfig, log, recordingBus, sleep, startSimulator } from './host-plant.js';

const PERIOD_MS = 300;
/** Longer than the period: a poll of a dead device outlasts several of the live one's. */
const TIMEOUT_MS = 1_000;

const PROFILE = {
  id: 'ahu',
  name: 'AHU',
  equipment: 'air-handling-unit',
  protocol: 'bacnet',
  pollGroups: { default: PERIOD_MS },
  points: [
    { name: 'supply_temp', object: 'AI1' },
    { name: 'fan_running', object: 'BV1', kind: 'state' },
  ],
};

const KEYS = ['live', 'dead1', 'dead2'] as const;
type Key = (typeof KEYS)[number];

describe('BACnet devices that do not answer', () => {
  const sims = new Map<Key, SimulatedBacnetDevice>();
  const recorder = recordingBus();
  let service: BacnetService;
  const sim = (key: Key) => sims.get(key) as SimulatedBacnetDevice;
  const snapshot = (key: Key) => service.devices().find((d) => d.id === key);

  beforeAll(async () => {
    for (const [i, key] of KEYS.entries()) sims.set(key, await startSimulator({ instance: i + 1 }));
    sim('dead1').setOnline(false);
    sim('dead2').setOnline(false);
    const config = labConfig({
      gatewayPort: await freeUdpPort(),
      apduTimeout: TIMEOUT_MS,
      profiles: [PROFILE],
      devices: KEYS.map((key, i) => ({
        id: key,
        profile: 'ahu',
        instance: i + 1,
        address: sim(key).address,
      })),
    });
    service = await startBacnet({ config, bus: recorder.bus, log });
  });
  afterAll(async () => {
    await service?.stop();
    for (const device of sims.values()) device.close();
  });

  it('turns the dead devices comm-error within their timeout, value null', async () => {
    for (const key of ['dead1', 'dead2'] as const) {
      const value = await recorder.until(`${key}.supply_temp`, () => true, PERIOD_MS + TIMEOUT_MS + 500);
      expect(value).toMatchObject({ value: null, quality: 'comm-error' });
      expect(recorder.latest.get(`${key}.fan_running`)).toMatchObject({ value: null, quality: 'comm-error' });
      expect(snapshot(key)).toMatchObject({ state: 'unreachable', lastError: 'ERR_TIMEOUT' });
    }
    expect(service.stats().ports[0]?.timeouts).toBeGreaterThanOrEqual(2);
  });

  it('keeps the live device’s values coming at its period meanwhile', async () => {
    const since = Date.now();
    await sleep(6 * PERIOD_MS);
    const times = recorder
      .of('live.supply_temp')
      .filter((v) => v.ts >= since)
      .map((v) => v.ts);
    expect(times.length).toBeGreaterThanOrEqual(5);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(Math.max(...gaps)).toBeLessThan(2 * PERIOD_MS); // never behind a dead one’s 1 s timeout
    expect(recorder.latest.get('live.supply_temp')).toMatchObject({ value: 16.5, quality: 'good' });
    expect(snapshot('live')).toMatchObject({ state: 'ok', timeouts: 0 });
  });

  it('makes a device that comes back good again, without a restart', async () => {
    sim('dead1').setOnline(true);
    // Probed on a backoff that starts at its period and has doubled a few times by now.
    const back = await recorder.until('dead1.supply_temp', (v) => v.quality === 'good', 4_000);
    expect(back.value).toBe(16.5);
    expect(snapshot('dead1')?.state).toBe('ok');
    expect(snapshot('dead2')?.state).toBe('unreachable');
  });
});

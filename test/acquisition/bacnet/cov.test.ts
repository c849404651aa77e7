/**
 * COV subscriptions against simulated devices, as the night shift would see them on the bus: a
 * change arrives at once instead of at the next poll, the point is not asked for while its
 * subscription holds (its last value published again at its period), and where COV fails (a
 * device that refuses it, one that restarts and forgets it, one that accepts and then says
 * nothing) the point is polled. Lifetimes of 2 s (the schema's minimum is a minute) so that
 * renewals show within the test; on 127.0.0.1 without a namespace (host-plant.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedBacnetDevice } from '../../../simulators/bacnet/device.js';
import { type BacnetService, startBacnet } from '../../../src/acquisition/bacnet/index.js';
import { freeUdpPort, labConfig, log, recordingBus, sleep, startSimulator } from './host-plant.js';

const PERIOD_MS = 700;
const LIFETIME_MS = 2_000;
const TIMEOUT_MS = 400;

const profile = (id: string, covConfirmed: boolean) => ({
  id,
  name: id,
  equipment: 'air-handling-unit',
  protocol: 'bacnet',
  pollGroups: { default: PERIOD_MS },
  covConfirmed,
  points: [
    { name: 'supply_temp', object: 'AI1', cov: true },
    { name: 'fan_running', object: 'BV1', cov: true, kind: 'state' },
    { name: 'duct_pressure', object: 'AI2' },
  ],
});

const DEVICES = {
  unconfirmed: { instance: 1, profile: 'ahu' },
  confirmed: { instance: 2, profile: 'ahu-confirmed' },
  refusing: { instance: 3, profile: 'ahu', cov: 'refuse' as const },
  silent: { instance: 4, profile: 'ahu' },
  restarting: { instance: 5, profile: 'ahu' },
};
type Key = keyof typeof DEVICES;

describe('BACnet COV subscriptions', () => {
  const sims = new Map<Key, SimulatedBacnetDevice>();
  const recorder = recordingBus();
  let service: BacnetService;
  const sim = (key: Key) => sims.get(key) as SimulatedBacnetDevice;
  const snapshot = (key: Key) => service.devices().find((d) => d.id === key);

  beforeAll(async () => {
    for (const [key, { profile: _, ...options }] of Object.entries(DEVICES) as [Key, (typeof DEVICES)[Key]][])
      sims.set(key, await startSimulator(options));
    const config = labConfig({
      gatewayPort: await freeUdpPort(),
      apduTimeout: TIMEOUT_MS,
      profiles: [profile('ahu', false), profile('ahu-confirmed', true)],
      devices: (Object.keys(DEVICES) as Key[]).map((key) => ({
        id: key,
        profile: DEVICES[key].profile,
        instance: DEVICES[key].instance,
        address: sim(key).address,
      })),
      covLifetimeMs: { ahu: LIFETIME_MS, 'ahu-confirmed': LIFETIME_MS },
    });
    service = await startBacnet({ config, bus: recorder.bus, log });
    const start = performance.now();
    const subscribed = () =>
      (['unconfirmed', 'confirmed', 'silent', 'restarting'] as const).every(
        (key) => snapshot(key)?.covActive.length === 2,
      );
    while (!subscribed()) {
      if (performance.now() - start > 3_000)
        throw new Error(`not subscribed: ${JSON.stringify(service.devices())}`);
      await sleep(20);
    }
  });
  afterAll(async () => {
    await service?.stop();
    for (const device of sims.values()) device.close();
  });

  it.each(['unconfirmed', 'confirmed'] as const)(
    'carries a change at once (%s notifications), and does not ask while the subscription holds',
    async (key) => {
      const device = sim(key);
      expect(device.covSubscriptions().map((s) => s.confirmed)).toEqual([
        key === 'confirmed',
        key === 'confirmed',
      ]);
      const reads = device.presentValueReadsOf('analog-input', 1);
      const changedAt = performance.now();
      device.set('analog-input', 1, { value: 19.5 });
      device.set('binary-value', 1, { value: false });
      await recorder.until(`${key}.supply_temp`, (v) => v.value === 19.5, 300);
      await recorder.until(`${key}.fan_running`, (v) => v.value === false, 300);
      expect(performance.now() - changedAt).toBeLessThan(PERIOD_MS / 2); // not waiting for a poll
      await sleep(2 * PERIOD_MS);
      // Not polled: its value comes again at each period all the same, stamped anew.
      expect(device.presentValueReadsOf('analog-input', 1)).toBe(reads);
      expect(device.presentValueReadsOf('analog-input', 2)).toBeGreaterThan(0); // the other point is polled
      const lately = recorder.of(`${key}.supply_temp`).filter((v) => v.ts >= Date.now() - 2 * PERIOD_MS);
      expect(lately.length).toBeGreaterThanOrEqual(2);
      expect(lately.every((v) => v.value === 19.5 && v.quality === 'good')).toBe(true);
      expect(new Set(lately.map((v) => v.ts)).size).toBe(lately.length);
      if (key === 'confirmed') expect(device.notifications.acknowledged).toBe(device.notifications.confirmed);
    },
  );

  it('renews subscriptions at about half their lifetime', async () => {
    const before = service.stats().ports[0]?.subscriptionsRenewed ?? 0;
    await sleep(LIFETIME_MS / 2 + 300);
    expect(service.stats().ports[0]?.subscriptionsRenewed ?? 0).toBeGreaterThanOrEqual(before + 2);
    expect(service.stats().ports[0]?.covNotifications).toBeGreaterThan(0);
  });

  it('polls the objects of a device that refuses COV, and says so', async () => {
    expect(snapshot('refusing')).toMatchObject({
      covActive: [],
      covRefused: [
        { object: 'analog-input:1', reason: 'BacnetError - Class:1 - Code:45' },
        { object: 'binary-value:1', reason: 'BacnetError - Class:1 - Code:45' },
      ],
    });
    sim('refusing').set('analog-input', 1, { value: 21 });
    await recorder.until('refusing.supply_temp', (v) => v.value === 21, PERIOD_MS + 300);
  });

  it('polls the objects of a device that accepts COV but says nothing for longer than the lifetime', async () => {
    const device = sim('silent');
    expect(snapshot('silent')?.covActive).toHaveLength(2);
    device.setCov('silent'); // its COV breaks: subscriptions accepted, never notified
    device.set('analog-input', 1, { value: 22 });
    const changedAt = performance.now();
    await sleep(PERIOD_MS + 200);
    expect(recorder.latest.get('silent.supply_temp')?.value).toBe(16.5); // still held, by its word
    // A whole lifetime without a notification: polled, the change seen.
    await recorder.until('silent.supply_temp', (v) => v.value === 22, LIFETIME_MS + PERIOD_MS + 500);
    expect(performance.now() - changedAt).toBeGreaterThan(LIFETIME_MS - PERIOD_MS);
    expect(snapshot('silent')?.covActive).toEqual([]);
    expect(device.covSubscriptions()).toHaveLength(2); // renewed all along: the device accepted them
  });

  it('subscribes again after a device restarts and forgets its subscriptions', async () => {
    const device = sim('restarting');
    expect(snapshot('restarting')?.covActive).toHaveLength(2);
    device.restart();
    expect(device.covSubscriptions()).toEqual([]);
    device.set('analog-input', 1, { value: 23 });
    // The renewal (half the lifetime at most) subscribes again, and its first notification tells.
    const renewed = performance.now();
    await recorder.until('restarting.supply_temp', (v) => v.value === 23, LIFETIME_MS / 2 + 500);
    // Both objects are subscribed again in that renewal, one request after the other: the second
    // may still be on its way when the first one's notification arrives.
    while (device.covSubscriptions().length < 2 && performance.now() - renewed < LIFETIME_MS / 2 + 500)
      await sleep(20);
    expect(device.covSubscriptions()).toHaveLength(2);
  });

  it('subscribes again when a device that went silent comes back, and polls it meanwhile', async () => {
    const device = sim('restarting');
    device.restart(PERIOD_MS + TIMEOUT_MS + 300); // off long enough to be counted gone
    await recorder.until(
      'restarting.supply_temp',
      (v) => v.quality === 'comm-error',
      2 * PERIOD_MS + TIMEOUT_MS + 500,
    );
    expect(snapshot('restarting')?.covActive).toEqual([]);
    device.set('analog-input', 1, { value: 24 });
    await recorder.until('restarting.supply_temp', (v) => v.value === 24 && v.quality === 'good', 4_000);
    const start = performance.now();
    while (snapshot('restarting')?.covActive.length !== 2) {
      if (performance.now() - start > 2_000)
        throw new Error(`not subscribed again: ${JSON.stringify(snapshot('restarting'))}`);
      await sleep(20);
    }
    device.set('analog-input', 1, { value: 25 });
    await recorder.until('restarting.supply_temp', (v) => v.value === 25, 300);
  });
});

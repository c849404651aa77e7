/**
 * The BACnet/IP service as the gateway starts it, from a configuration, inside a network
 * namespace of its own (test/helpers/netns-worker.ts): a device at its configured address, one
 * found by Who-Is (which then moves to another address), one not there at first, a device that
 * stops answering, and a port another program holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackNetnsUnavailable, type NetnsWorker, startNetnsWorker } from '../../helpers/netns-worker.js';
import type { BacnetLab } from './lab.js';
import { DEVICES, LATE_DEVICE, MOVED_ADDRESS, NAMESPACE_ADDRESSES, TAKEN_ADDRESS } from './plant.js';

const LAB = new URL('./lab.ts', import.meta.url).pathname;
const PERIOD_MS = 250;
const TIMEOUT_MS = 600;
const REDISCOVER_MS = 1_500;
/** A dead device is comm-error by one period (the next poll) plus one timeout, and some scheduling. */
const COMM_ERROR_WITHIN_MS = PERIOD_MS + TIMEOUT_MS + 400;

describe.skipIf(loopbackNetnsUnavailable() !== undefined)('BACnet/IP service from the configuration', () => {
  let lab: NetnsWorker<BacnetLab>;

  beforeAll(async () => {
    lab = await startNetnsWorker<BacnetLab>(LAB, NAMESPACE_ADDRESSES);
    await lab.call('start');
    await lab.call('startService', PERIOD_MS, TIMEOUT_MS, REDISCOVER_MS);
    await lab.call('waitForQuality', 'modern.supply-temp', 'good', 5_000);
    await lab.call('waitForQuality', 'old.supply-temp', 'good', 5_000);
  });
  afterAll(async () => {
    await lab?.remove();
  });

  it('publishes the configured device and the one found by Who-Is, each read its own way', async () => {
    const devices = await lab.call('serviceDevices');
    expect(
      devices.slice(0, 2).map(({ id, port, address, state, mode }) => ({ id, port, address, state, mode })),
    ).toEqual([
      {
        id: 'modern',
        port: 'bms',
        address: DEVICES.modern.address,
        state: 'ok',
        mode: 'read-property-multiple',
      },
      { id: 'old', port: 'bms', address: DEVICES.old.address, state: 'ok', mode: 'read-property' },
    ]);
    const stats = await lab.call('serviceStats');
    expect(stats?.ports[0]).toMatchObject({ id: 'bms', timeouts: expect.any(Number) });
    expect(stats?.ports[0]?.whoIs).toBeGreaterThan(0);
    expect(stats?.ports[0]?.requests.readPropertyMultiple).toBeGreaterThan(0);
  });

  it('makes a device that is not there comm-error, and finds it by Who-Is once it comes', async () => {
    const missing = await lab.call('waitForQuality', 'late.supply-temp', 'comm-error', 3_000);
    expect(missing.value).toBeNull();
    const before = (await lab.call('serviceDevices')).find((d) => d.id === 'late');
    expect(before).toMatchObject({ address: null, state: 'unreachable' });
    expect(before?.lastError).toContain('not found by Who-Is');

    await lab.call('startLateDevice');
    // Asked for again at each rediscovery (and its own retries): found within one of those.
    await lab.call('waitForQuality', 'late.supply-temp', 'good', REDISCOVER_MS + 1_500);
    const after = (await lab.call('serviceDevices')).find((d) => d.id === 'late');
    expect(after).toMatchObject({ address: LATE_DEVICE.address, state: 'ok' });
  });

  it('marks a device that stops answering comm-error within its timeout, and good again when it returns', async () => {
    await lab.call('setOnline', 'modern', false);
    const down = await lab.call('waitForQuality', 'modern.fan-running', 'comm-error', COMM_ERROR_WITHIN_MS);
    expect(down.value).toBeNull();
    const devices = await lab.call('serviceDevices');
    expect(devices.find((d) => d.id === 'modern')).toMatchObject({
      state: 'unreachable',
      lastError: 'ERR_TIMEOUT',
    });
    expect(devices.find((d) => d.id === 'modern')?.timeouts).toBeGreaterThan(0);
    // The other device on the link is not held up by the dead one.
    expect(devices.find((d) => d.id === 'old')?.state).toBe('ok');
    await lab.call('waitForQuality', 'old.fan-running', 'good', PERIOD_MS * 4);

    await lab.call('setOnline', 'modern', true);
    const up = await lab.call(
      'waitForQuality',
      'modern.fan-running',
      'good',
      COMM_ERROR_WITHIN_MS + PERIOD_MS * 2,
    );
    expect(up.value).toBe(true);
  });

  it('finds a device whose address it found by Who-Is again when it moves to another address', async () => {
    await lab.call('move', 'old', MOVED_ADDRESS);
    // Not the bound under test here (dead-devices.test.ts holds it): room for a loaded machine.
    await lab.call('waitForQuality', 'old.supply-temp', 'comm-error', COMM_ERROR_WITHIN_MS * 5);
    await lab.call('waitForQuality', 'old.supply-temp', 'good', REDISCOVER_MS + 2_000);
    const old = (await lab.call('serviceDevices')).find((d) => d.id === 'old');
    expect(old).toMatchObject({ address: MOVED_ADDRESS, state: 'ok' });
  });

  it('says plainly which port is taken when another program holds its UDP port', async () => {
    const error = await lab.call('startOnTakenPort', TAKEN_ADDRESS);
    expect(error?.name).toBe('BacnetPortInUseError');
    expect(error?.message).toContain('BACnet/IP port "bms"');
    expect(error?.message).toContain(`UDP ${TAKEN_ADDRESS}:47808 is already in use`);
  });
});

/**
 * The BACnet/IP service as the gateway will run it: pollers publishing onto the point bus, a
 * device that stops answering, and a port another program holds. Inside a network namespace of
 * its own (test/helpers/netns-worker.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackNetnsUnavailable, type NetnsWorker, startNetnsWorker } from '../../helpers/netns-worker.js';
import type { BacnetLab } from './lab.js';
import { NAMESPACE_ADDRESSES, TAKEN_ADDRESS } from './plant.js';

const LAB = new URL('./lab.ts', import.meta.url).pathname;
const PERIOD_MS = 250;
const TIMEOUT_MS = 600;
/** A dead device is comm-error by one period (the next poll) plus one timeout, and some scheduling. */
const COMM_ERROR_WITHIN_MS = PERIOD_MS + TIMEOUT_MS + 400;

describe.skipIf(loopbackNetnsUnavailable() !== undefined)('BACnet/IP service', () => {
  let lab: NetnsWorker<BacnetLab>;

  beforeAll(async () => {
    lab = await startNetnsWorker<BacnetLab>(LAB, NAMESPACE_ADDRESSES);
    await lab.call('start');
    await lab.call('startService', PERIOD_MS, TIMEOUT_MS);
    await lab.call('waitForQuality', 'modern.supply-temp', 'good', 5_000);
    await lab.call('waitForQuality', 'old.supply-temp', 'good', 5_000);
  });
  afterAll(async () => {
    await lab?.remove();
  });

  it('publishes both devices’ points, each device read its own way', async () => {
    const devices = await lab.call('serviceDevices');
    expect(devices.map(({ id, state, mode }) => ({ id, state, mode }))).toEqual([
      { id: 'modern', state: 'ok', mode: 'read-property-multiple' },
      { id: 'old', state: 'ok', mode: 'read-property' },
    ]);
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
    // The other device on the link is not held up by the dead one.
    expect(devices.find((d) => d.id === 'old')?.state).toBe('ok');
    await lab.call('waitForQuality', 'old.fan-running', 'good', PERIOD_MS * 4);

    await lab.call('setOnline', 'modern', true);
    const up = await lab.call('waitForQuality', 'modern.fan-running', 'good', COMM_ERROR_WITHIN_MS);
    expect(up.value).toBe(true);
  });

  it('says plainly that the UDP port is taken when another program holds it', async () => {
    const error = await lab.call('openOnTakenPort', TAKEN_ADDRESS);
    expect(error?.name).toBe('BacnetPortInUseError');
    expect(error?.message).toContain(`UDP ${TAKEN_ADDRESS}:47808 is already in use`);
  });
});

/**
 * Discovery and reading against two simulated devices inside a network namespace of their own
 * (test/helpers/netns-worker.ts): what a commissioning engineer checks when a BACnet
 * controller is added: it is found, its points read right, its faults show.
 */
import { Reliability } from '@bacnet-js/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectsPerRequest } from '../../../src/acquisition/bacnet/index.js';
import { loopbackNetnsUnavailable, type NetnsWorker, startNetnsWorker } from '../../helpers/netns-worker.js';
import type { BacnetLab } from './lab.js';
import { DEVICES, NAMESPACE_ADDRESSES, OBJECTS } from './plant.js';

const LAB = new URL('./lab.ts', import.meta.url).pathname;

/** What each point should read: the simulator's value as BACnet carries it (REAL is float32). */
const expected = (device: string) =>
  OBJECTS.map((o) => ({
    id: `${device}.${o.name}`,
    value: typeof o.value === 'number' ? Math.fround(o.value) : o.value,
    quality: 'good',
  }));

describe.skipIf(loopbackNetnsUnavailable() !== undefined)('BACnet/IP discovery and reading', () => {
  let lab: NetnsWorker<BacnetLab>;

  beforeAll(async () => {
    lab = await startNetnsWorker<BacnetLab>(LAB, NAMESPACE_ADDRESSES);
    await lab.call('start');
  });
  afterAll(async () => {
    await lab?.remove();
  });

  it('finds both devices by Who-Is, with their addresses and instances', async () => {
    const found = await lab.call('discover');
    expect(found.map(({ address, instance }) => ({ address, instance }))).toEqual(
      [DEVICES.modern, DEVICES.old].map(({ address, instance }) => ({ address, instance })),
    );
  });

  it('reads every point with ReadPropertyMultiple in fewer requests than objects, each answer within max-APDU', async () => {
    const result = await lab.call('read', 'modern');
    expect(result.readings).toEqual(expected('modern'));
    expect(result.mode).toBe('read-property-multiple');
    // The device counts what it was asked: several objects per request, and more than one
    // request because its 206-octet APDU cannot hold all ten answers (it aborts a larger one).
    const perRequest = objectsPerRequest(DEVICES.modern.maxApdu);
    expect(perRequest).toBeLessThan(OBJECTS.length);
    expect(result.readPropertyMultiple).toBe(Math.ceil(OBJECTS.length / perRequest));
    expect(result.readPropertyMultiple).toBeLessThan(OBJECTS.length);
  });

  it('falls back to ReadProperty for the device that refuses ReadPropertyMultiple, reading the same values', async () => {
    const first = await lab.call('read', 'old');
    expect(first.mode).toBe('read-property');
    expect(first.readings).toEqual(expected('old'));
    // Once refused, not asked again: the next read is ReadProperty only.
    const again = await lab.call('read', 'old');
    expect(again.readings).toEqual(first.readings);
    expect(again.readProperty).toBe(again.clientRequests);
    expect(again.readProperty).toBeGreaterThan(0);
  });

  it.each(['modern', 'old'] as const)(
    'maps fault, out-of-service and overridden to point qualities (%s device)',
    async (device) => {
      await lab.call('set', device, 'analog-input', 1, { reliability: Reliability.OVER_RANGE });
      await lab.call('set', device, 'analog-input', 2, { reliability: Reliability.COMMUNICATION_FAILURE });
      await lab.call('set', device, 'analog-value', 2, { outOfService: true });
      await lab.call('set', device, 'binary-value', 1, { overridden: true });
      try {
        const { readings } = await lab.call('read', device);
        const byName = new Map(readings.map((r) => [r.id.slice(device.length + 1), r]));
        // A sensor fault keeps its reading but is not plant state, as Modbus marks out-of-range.
        expect(byName.get('supply-temp')).toMatchObject({
          quality: 'out-of-range',
          value: Math.fround(16.5),
        });
        // The controller lost its own sensor: nothing to trust.
        expect(byName.get('return-temp')).toMatchObject({ quality: 'comm-error', value: null });
        // Frozen by hand, not measured.
        expect(byName.get('fan-speed')?.quality).toBe('stale');
        // Driven by a local hand switch: still what the plant does.
        expect(byName.get('fan-running')).toMatchObject({ quality: 'good', value: true });
        expect(byName.get('outside-temp')?.quality).toBe('good');
      } finally {
        await lab.call('set', device, 'analog-input', 1, { reliability: Reliability.NO_FAULT_DETECTED });
        await lab.call('set', device, 'analog-input', 2, { reliability: Reliability.NO_FAULT_DETECTED });
        await lab.call('set', device, 'analog-value', 2, { outOfService: false });
        await lab.call('set', device, 'binary-value', 1, { overridden: false });
      }
    },
  );
});

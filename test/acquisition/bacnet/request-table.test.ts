/**
 * Invoke ids come round fast on a busy port: a request that reuses the id of one answered a
 * moment before must still get its answer (the library's own table of awaited requests drops it
 * when its sweep for the earlier one comes while it is out, and its promise never settles).
 * Against a simulated device on 127.0.0.1 (host-plant.ts).
 */
import { ObjectType, PropertyIdentifier } from '@bacnet-js/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedBacnetDevice } from '../../../simulators/bacnet/device.js';
import { type BacnetClient, openBacnetClient } from '../../../src/acquisition/bacnet/index.js';
import { RequestTable } from '../../../src/acquisition/bacnet/request-table.js';
import { freeUdpPort, HOST, sleep, startSimulator } from './host-plant.js';

// The second request must be out when the first's timeout ends: sent within (T − 2D, T − D) of
// the first, here 200 ms from either edge, so a loaded machine's late timers do not miss it.
const TIMEOUT_MS = 1_500;
const ANSWER_DELAY_MS = 400;

describe('awaiting BACnet answers by invoke id', () => {
  let device: SimulatedBacnetDevice;
  let client: BacnetClient;

  beforeAll(async () => {
    device = await startSimulator({ instance: 7, answerDelayMs: ANSWER_DELAY_MS });
    client = await openBacnetClient({
      interface: HOST,
      port: await freeUdpPort(),
      broadcastAddress: '127.255.255.255',
      timeoutMs: TIMEOUT_MS,
    });
  });
  afterAll(() => {
    client?.close();
    device?.close();
  });

  const readName = () =>
    client.readProperty(
      { address: device.address },
      { type: ObjectType.DEVICE, instance: 7 },
      PropertyIdentifier.OBJECT_NAME,
      { invokeId: 42 },
    );

  it('answers a request whose invoke id was used by one answered just before', async () => {
    await readName();
    // Sent again when the first one's timeout ends while this one is out: it must still be answered.
    await sleep(TIMEOUT_MS - ANSWER_DELAY_MS - 200);
    const second = await Promise.race([readName(), sleep(3 * TIMEOUT_MS).then(() => 'never settled')]);
    expect(second).toMatchObject({ values: [{ value: 'AHU 7' }] });
  });

  it('times a request out on its own timer, and forgets an answered one at once', async () => {
    const table = new RequestTable(100);
    const answered = table.add(1);
    expect(table.resolve(1, null, 'answer')).toBe(true);
    await expect(answered).resolves.toBe('answer');
    expect(table.resolve(1, null, 'late')).toBe(false);
    const silent = table.add(2);
    await expect(silent).rejects.toThrow('ERR_TIMEOUT');
    const closed = table.add(3);
    table.clear(true);
    await expect(closed).rejects.toThrow('ERR_TIMEOUT');
  });
});

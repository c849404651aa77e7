/**
 * Big reads: forty objects from devices whose APDU holds five of them. A device that sends
 * segmented answers is asked for all forty at once (the library reassembles the segments); one
 * that does not is asked five at a time; one whose max-APDU says more than it can send aborts
 * the long answers, and the gateway halves its batch until they fit, instead of failing the
 * read; the profile's maxObjectsPerRequest caps a batch. On 127.0.0.1 (host-plant.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimObjectConfig, SimulatedBacnetDevice } from '../../../simulators/bacnet/device.js';
import { type BacnetService, objectsPerRequest, startBacnet } from '../../../src/acquisition/bacnet/index.js';
import { freeUdpPort, labConfig, log, recordingBus, sleep, startSimulator } from './host-plant.js';

const PERIOD_MS = 500;
const APDU = 206;
const OBJECTS: SimObjectConfig[] = Array.from({ length: 40 }, (_, i) => ({
  type: 'analog-input',
  instance: i + 1,
  name: `t${i + 1}`,
  value: 20 + i / 4,
}));

const profile = (id: string, maxObjectsPerRequest?: number) => ({
  id,
  name: id,
  equipment: 'other',
  protocol: 'bacnet',
  pollGroups: { default: PERIOD_MS },
  ...(maxObjectsPerRequest !== undefined ? { maxObjectsPerRequest } : {}),
  points: OBJECTS.map((o) => ({ name: o.name, object: `AI${o.instance}` })),
});

const DEVICES = {
  segmenting: { instance: 1, profile: 'all', segmentation: 'both' as const },
  plain: { instance: 2, profile: 'all' },
  overclaiming: { instance: 3, profile: 'all', claimedMaxApdu: 1476 },
  capped: { instance: 4, profile: 'capped', segmentation: 'both' as const },
};
type Key = keyof typeof DEVICES;

describe('BACnet segmentation and big reads', () => {
  const sims = new Map<Key, SimulatedBacnetDevice>();
  const recorder = recordingBus();
  let service: BacnetService;
  const sim = (key: Key) => sims.get(key) as SimulatedBacnetDevice;
  const snapshot = (key: Key) => service.devices().find((d) => d.id === key);

  /** Waits for the end of `key`'s next poll (its last object's value published). */
  async function pollEnded(key: Key): Promise<void> {
    const polls = recorder.of(`${key}.t40`).length;
    const start = performance.now();
    while (recorder.of(`${key}.t40`).length === polls) {
      if (performance.now() - start > 3_000) throw new Error(`${key}: no poll ended`);
      await sleep(5);
    }
  }

  /** ReadPropertyMultiple requests one poll of `key` takes now: counted over three whole polls. */
  async function requestsPerPoll(key: Key): Promise<number> {
    await pollEnded(key);
    const before = sim(key).requests.readPropertyMultiple;
    for (let poll = 0; poll < 3; poll++) await pollEnded(key);
    return (sim(key).requests.readPropertyMultiple - before) / 3;
  }

  beforeAll(async () => {
    for (const [key, { profile: _, ...options }] of Object.entries(DEVICES) as [Key, (typeof DEVICES)[Key]][])
      sims.set(key, await startSimulator({ ...options, maxApdu: APDU, objects: OBJECTS }));
    const config = labConfig({
      gatewayPort: await freeUdpPort(),
      profiles: [profile('all'), profile('capped', 10)],
      devices: (Object.keys(DEVICES) as Key[]).map((key) => ({
        id: key,
        profile: DEVICES[key].profile,
        instance: DEVICES[key].instance,
        address: sim(key).address,
      })),
    });
    service = await startBacnet({ config, bus: recorder.bus, log });
  });
  afterAll(async () => {
    await service?.stop();
    for (const device of sims.values()) device.close();
  });

  it('reads all forty objects in one request from a device that segments its answers', async () => {
    expect(await requestsPerPoll('segmenting')).toBe(1);
    for (const o of OBJECTS)
      expect(recorder.latest.get(`segmenting.${o.name}`)).toMatchObject({ value: o.value, quality: 'good' });
    expect(snapshot('segmenting')).toMatchObject({ segmentation: 'both', maxApdu: APDU });
  });

  it('reads a device that does not segment as many objects at a time as its APDU holds', async () => {
    expect(await requestsPerPoll('plain')).toBe(Math.ceil(OBJECTS.length / objectsPerRequest(APDU)));
    expect(snapshot('plain')).toMatchObject({
      segmentation: 'none',
      objectsPerRequest: objectsPerRequest(APDU),
    });
  });

  it('halves the batch of a device that aborts answers its max-APDU says it takes, and reads every point', async () => {
    expect(await requestsPerPoll('overclaiming')).toBeLessThanOrEqual(Math.ceil(OBJECTS.length / 4));
    const batch = snapshot('overclaiming')?.objectsPerRequest ?? 0;
    expect(batch).toBeGreaterThanOrEqual(1);
    expect(batch).toBeLessThan(objectsPerRequest(1476));
    expect(batch).toBeLessThanOrEqual(objectsPerRequest(APDU)); // what its APDU really holds
    for (const o of OBJECTS)
      expect(recorder.latest.get(`overclaiming.${o.name}`)).toMatchObject({
        value: o.value,
        quality: 'good',
      });
  });

  it('asks for no more objects at once than the profile’s maxObjectsPerRequest', async () => {
    expect(await requestsPerPoll('capped')).toBe(4);
    expect(snapshot('capped')?.objectsPerRequest).toBe(10);
  });
});

/**
 * A large site: 120 devices on one port, each answering 40 ms late (a busy controller). Their
 * first polls are spread over the period rather than fired in the same millisecond, and the
 * requests outstanding on the port never exceed its bound (counted by the devices themselves),
 * while every device's points still come. On 127.0.0.1 (host-plant.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedBacnetDevice } from '../../../simulators/bacnet/device.js';
import {
  type BacnetService,
  MAX_IN_FLIGHT_PER_PORT,
  startBacnet,
} from '../../../src/acquisition/bacnet/index.js';
import { freeUdpPort, labConfig, log, recordingBus, startSimulator } from './host-plant.js';

const DEVICES = 120;
const PERIOD_MS = 1_000;
const ANSWER_DELAY_MS = 40;

const PROFILE = {
  id: 'vav',
  name: 'VAV box',
  equipment: 'air-handling-unit',
  protocol: 'bacnet',
  pollGroups: { default: PERIOD_MS },
  points: [
    { name: 'room_temp', object: 'AI1' },
    { name: 'fan_running', object: 'BV1', kind: 'state' },
  ],
};

describe('BACnet on a large site', () => {
  const sims: SimulatedBacnetDevice[] = [];
  const recorder = recordingBus();
  let service: BacnetService;
  /** Requests received and not yet answered, over all devices, and the most at once. */
  let outstanding = 0;
  let peak = 0;
  /** When each device got its first request (performance.now()). */
  const firstRequest = new Map<number, number>();

  beforeAll(async () => {
    for (let i = 0; i < DEVICES; i++) {
      const instance = 100 + i;
      sims.push(
        await startSimulator({
          instance,
          answerDelayMs: ANSWER_DELAY_MS,
          onRequest: (phase) => {
            if (phase === 'received') {
              if (!firstRequest.has(instance)) firstRequest.set(instance, performance.now());
              peak = Math.max(peak, ++outstanding);
            } else outstanding--;
          },
        }),
      );
    }
    const config = labConfig({
      gatewayPort: await freeUdpPort(),
      apduTimeout: 3_000,
      profiles: [PROFILE],
      devices: sims.map((sim) => ({
        id: `vav${sim.instance}`,
        profile: 'vav',
        instance: sim.instance,
        address: sim.address,
      })),
    });
    service = await startBacnet({ config, bus: recorder.bus, log });
    const start = performance.now();
    while (
      [...Array(DEVICES).keys()].some(
        (i) => recorder.latest.get(`vav${100 + i}.room_temp`)?.quality !== 'good',
      )
    ) {
      if (performance.now() - start > 8_000)
        throw new Error(
          `not every device read within 8 s: ${JSON.stringify(service.stats())} ${JSON.stringify(
            service
              .devices()
              .filter((d) => d.state !== 'ok')
              .slice(0, 3),
          )} ${[...recorder.latest.values()].filter((v) => v.quality === 'good').length}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  afterAll(async () => {
    await service?.stop();
    for (const sim of sims) sim.close();
  });

  it('spreads the first polls over the period', () => {
    const times = [...firstRequest.values()].sort((a, b) => a - b);
    expect(times).toHaveLength(DEVICES);
    const span = (times.at(-1) as number) - (times[0] as number);
    expect(span).toBeGreaterThan(PERIOD_MS * 0.5);
    // No burst: in any tenth of the period about a tenth of the devices (12), never all at once;
    // the bound leaves room for timers a loaded machine fires late and together.
    const window = PERIOD_MS / 10;
    const most = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + window).length));
    expect(most).toBeLessThanOrEqual(DEVICES / 4);
  });

  it('keeps the requests outstanding on the port within its bound, and reads every device', () => {
    expect(peak).toBeLessThanOrEqual(MAX_IN_FLIGHT_PER_PORT);
    // The bound was needed: 120 devices × 3 first requests × 40 ms would have had more in flight.
    expect(peak).toBe(MAX_IN_FLIGHT_PER_PORT);
    const stats = service.stats().ports[0];
    expect(stats?.peakInFlight).toBe(MAX_IN_FLIGHT_PER_PORT);
    expect(stats?.timeouts).toBe(0);
    expect(service.devices().every((d) => d.state === 'ok')).toBe(true);
  });
});

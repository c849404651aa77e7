/**
 * A gateway restarted on its BACnet/IP port (a service restart, a configuration reload) binds it
 * again at once: stopping closes the socket, so "address already in use" after a restart, which
 * peers' users meet, does not happen here; and a second gateway on a port still held is refused
 * by name rather than sharing it. On 127.0.0.1 (host-plant.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedBacnetDevice } from '../../../simulators/bacnet/device.js';
import { BacnetPortInUseError, startBacnet } from '../../../src/acquisition/bacnet/index.js';
import type { PlantConfig } from '../../../src/config/index.js';
import { freeUdpPort, labConfig, log, recordingBus, startSimulator } from './host-plant.js';

const PROFILE = {
  id: 'ahu',
  name: 'AHU',
  equipment: 'air-handling-unit',
  protocol: 'bacnet',
  pollGroups: { default: 200 },
  points: [{ name: 'supply_temp', object: 'AI1' }],
};

describe('a BACnet/IP port across gateway restarts', () => {
  let device: SimulatedBacnetDevice;
  let config: PlantConfig;

  beforeAll(async () => {
    device = await startSimulator({ instance: 7 });
    config = labConfig({
      gatewayPort: await freeUdpPort(),
      profiles: [PROFILE],
      devices: [{ id: 'ahu', profile: 'ahu', instance: 7, address: device.address }],
    });
  });
  afterAll(() => device?.close());

  it('binds the same UDP port again right after a stop, three times, and reads each time', async () => {
    for (let run = 1; run <= 3; run++) {
      const recorder = recordingBus();
      const service = await startBacnet({ config, bus: recorder.bus, log });
      try {
        const value = await recorder.until('ahu.supply_temp', (v) => v.quality === 'good', 3_000);
        expect(value.value, `run ${run}`).toBeTypeOf('number');
      } finally {
        await service.stop();
      }
    }
  });

  it('refuses a second gateway on a port the first still holds, naming the port', async () => {
    const first = await startBacnet({ config, bus: recordingBus().bus, log });
    try {
      await expect(startBacnet({ config, bus: recordingBus().bus, log })).rejects.toBeInstanceOf(
        BacnetPortInUseError,
      );
    } finally {
      await first.stop();
    }
    // The refused start left nothing behind: the port is free again once the first stops.
    const again = await startBacnet({ config, bus: recordingBus().bus, log });
    await again.stop();
  });
});

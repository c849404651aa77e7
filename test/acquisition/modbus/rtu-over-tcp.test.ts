/**
 * Raw RTU frames over TCP (a transparent serial server), against the plant simulator: two
 * units on one line, each read in two requests per poll, so that every answer is followed at
 * once by the next request. The answers must keep coming (modbus-serial's port for this
 * resets what it expects after its answer handler returns: a request made inside it was lost).
 */
import { afterEach, expect, it } from 'vitest';
import { type PlantSimulator, startPlantSimulator } from '../../../simulators/index.js';
import { type ModbusService, startModbus } from '../../../src/acquisition/modbus/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { freePort } from '../../helpers/modbus-tcp-device.js';
import { plantConfig } from '../../helpers/plant-config.js';
import { recordingBus } from '../../helpers/recorder.js';
import { until } from '../../helpers/wait.js';

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

it('reads two units in two requests each per poll, poll after poll, without a timeout', async () => {
  const port = await freePort();
  const config = plantConfig({
    lines: [{ id: 'gw485', transport: 'rtu-over-tcp', host: '127.0.0.1', port, timeout: 500, retries: 0 }],
    profiles: [
      {
        id: 'split',
        name: 'Two blocks apart',
        equipment: 'other',
        protocol: 'modbus',
        pollGroups: { fast: '200ms' },
        maxGap: 2,
        points: [
          { name: 'low', table: 'holding', address: 0, poll: 'fast' },
          { name: 'high', table: 'holding', address: 50, poll: 'fast' },
        ],
      },
    ],
    devices: [1, 2].map((unit) => ({
      id: `u${unit}`,
      name: `Unit ${unit}`,
      profile: 'split',
      modbus: { line: 'gw485', unitId: unit },
    })),
  });
  const simulator: PlantSimulator = await startPlantSimulator(config, { log: silentLogger() });
  running.push(simulator);
  const { bus, history } = recordingBus();
  const modbus: ModbusService = startModbus({ config, bus, log: silentLogger() });
  running.push(modbus);

  const good = (id: string) => history.filter((v) => v.id === id && v.quality === 'good').length;
  await until('five good readings of every point', () =>
    ['u1.low', 'u1.high', 'u2.low', 'u2.high'].every((id) => good(id) >= 5),
  );
  const line = modbus.lines()[0]!;
  expect(line.timeouts).toBe(0);
  expect(history.filter((v) => v.quality !== 'good')).toEqual([]);
  // Two requests per poll: the blocks were not merged across the gap.
  expect(modbus.devices().find((d) => d.id === 'u1')?.blocks.fast).toHaveLength(2);
}, 15_000);

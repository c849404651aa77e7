/**
 * A slow RS-485 segment asked for more than it can carry: the gateway measures the wire
 * utilisation, skips polls instead of queueing them without end, and says so in the log.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, expect, it } from 'vitest';
import { type PlantSimulator, startPlantSimulator } from '../../../simulators/index.js';
import { type ModbusService, startModbus } from '../../../src/acquisition/modbus/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { PointBus } from '../../../src/points/index.js';
import { freePort } from '../../helpers/modbus-tcp-device.js';
import { plantConfig } from '../../helpers/plant-config.js';

let simulator: PlantSimulator | undefined;
let modbus: ModbusService | undefined;
afterAll(async () => {
  await modbus?.stop();
  await simulator?.stop();
});

it('reports an overloaded 1200-baud line, counts skipped polls and keeps the queue short', async () => {
  const port = await freePort();
  const points = Array.from({ length: 40 }, (_, i) => ({
    name: `r${i}`,
    table: 'holding',
    address: i,
    poll: 'fast',
  }));
  const config = plantConfig({
    lines: [
      { id: 'slow-485', transport: 'rtu-over-tcp', host: '127.0.0.1', port, baudRate: 1200, timeout: 2000 },
    ],
    profiles: [
      {
        id: 'block',
        name: 'Block',
        equipment: 'other',
        protocol: 'modbus',
        pollGroups: { fast: '300ms' },
        points,
      },
    ],
    devices: [1, 2, 3].map((unit) => ({
      id: `m${unit}`,
      name: `Meter ${unit}`,
      profile: 'block',
      modbus: { line: 'slow-485', unitId: unit },
    })),
  });
  simulator = await startPlantSimulator(config, { log: silentLogger() });
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'warn' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  modbus = startModbus({ config, bus: new PointBus(), log });
  // Each 40-register read is ~0.8 s of wire time at 1200 baud; three devices want one every 300 ms.
  await new Promise((r) => setTimeout(r, 4000));
  const line = modbus.lines()[0]!;
  expect(line.wireUtilisation).toBeGreaterThan(0.6);
  expect(line.overruns).toBeGreaterThan(5);
  expect(line.queueLength).toBeLessThanOrEqual(3);
  expect(lines.some((l) => String(l.msg).includes('overloaded') && l.line === 'slow-485')).toBe(true);
}, 15_000);

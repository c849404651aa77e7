/**
 * Every data type in every word/byte order, served by the simulator over Modbus TCP and
 * RTU-over-TCP and read back by the gateway's poller: what a meter writes is what an
 * electrician sees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { type ModbusService, startModbus } from '../../src/acquisition/modbus/index.js';
import { registerCount } from '../../src/config/index.js';
import { dataTypes, wordOrders } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/index.js';
import { PointBus, type PointValue } from '../../src/points/index.js';
import { freePort } from '../helpers/modbus-tcp-device.js';
import { plantConfig } from '../helpers/plant-config.js';

const numericTypes = dataTypes.filter((t) => t !== 'bool');

/** A value each type can hold exactly, negative where the type allows. */
const SAMPLE: Record<string, number> = {
  int16: -12345,
  uint16: 54321,
  int32: -123456789,
  uint32: 3456789012,
  float32: 1234.5,
  int64: -9007199254740,
  uint64: 9007199254740,
  float64: -98765.4321,
};

const points: object[] = [];
let address = 0;
for (const type of numericTypes) {
  for (const order of wordOrders) {
    points.push({ name: `${type}_${order}`, table: 'holding', address, type, order, poll: 'fast' });
    address += registerCount({ type, table: 'holding' });
  }
}
points.push({
  name: 'scaled_temp',
  table: 'input',
  address: 0,
  type: 'int16',
  scale: 0.1,
  offset: -50,
  poll: 'fast',
});
points.push({ name: 'trip_bit', table: 'input', address: 1, type: 'bool', bit: 5, poll: 'fast' });
points.push({ name: 'run_coil', table: 'coil', address: 3, type: 'bool', poll: 'fast' });
points.push({ name: 'door_input', table: 'discrete', address: 7, type: 'bool', poll: 'fast' });

let simulator: PlantSimulator;
let modbus: ModbusService;
const latest = new Map<string, PointValue>();

beforeAll(async () => {
  const [tcpPort, rtuPort] = [await freePort(), await freePort()];
  const config = plantConfig({
    lines: [
      { id: 'tcp', transport: 'tcp', host: '127.0.0.1', port: tcpPort, timeout: 500 },
      {
        id: 'rtu-gw',
        transport: 'rtu-over-tcp',
        host: '127.0.0.1',
        port: rtuPort,
        timeout: 500,
        baudRate: 115200,
      },
    ],
    profiles: [
      {
        id: 'all-types',
        name: 'Every type',
        equipment: 'other',
        protocol: 'modbus',
        pollGroups: { fast: '200ms' },
        points,
      },
    ],
    devices: [
      { id: 'dev-tcp', name: 'TCP device', profile: 'all-types', modbus: { line: 'tcp', unitId: 7 } },
      { id: 'dev-rtu', name: 'RTU device', profile: 'all-types', modbus: { line: 'rtu-gw', unitId: 12 } },
    ],
  });
  simulator = await startPlantSimulator(config, { log: silentLogger() });
  for (const device of ['dev-tcp', 'dev-rtu']) {
    for (const type of numericTypes) {
      for (const order of wordOrders) simulator.setValue(device, `${type}_${order}`, SAMPLE[type] as number);
    }
    simulator.setValue(device, 'scaled_temp', 7.3);
    simulator.setValue(device, 'trip_bit', true);
    simulator.setValue(device, 'run_coil', true);
    simulator.setValue(device, 'door_input', false);
  }
  const bus = new PointBus();
  bus.subscribe((values) => {
    for (const v of values) latest.set(v.id, v);
  });
  modbus = startModbus({ config, bus, log: silentLogger() });
}, 20_000);

afterAll(async () => {
  await modbus?.stop();
  await simulator?.stop();
});

async function settled(device: string): Promise<void> {
  const end = Date.now() + 8000;
  while (Date.now() < end) {
    const all = points.every(
      (p) => latest.get(`${device}.${(p as { name: string }).name}`)?.quality === 'good',
    );
    if (all) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const bad = points
    .map((p) => `${device}.${(p as { name: string }).name}`)
    .filter((id) => latest.get(id)?.quality !== 'good');
  throw new Error(`not good: ${bad.join(', ')}`);
}

describe.each(['dev-tcp', 'dev-rtu'])('%s', (device) => {
  it.each(numericTypes.flatMap((type) => wordOrders.map((order) => [type, order] as const)))(
    '%s in %s order reads back exactly',
    async (type, order) => {
      await settled(device);
      const value = latest.get(`${device}.${type}_${order}`)?.value as number;
      if (type.startsWith('float')) expect(value).toBeCloseTo(SAMPLE[type] as number, 3);
      else expect(value).toBe(SAMPLE[type]);
    },
  );

  it('applies scale and offset, single bits, coils and discrete inputs', async () => {
    await settled(device);
    expect(latest.get(`${device}.scaled_temp`)?.value).toBeCloseTo(7.3, 6);
    expect(latest.get(`${device}.trip_bit`)?.value).toBe(true);
    expect(latest.get(`${device}.run_coil`)?.value).toBe(true);
    expect(latest.get(`${device}.door_input`)?.value).toBe(false);
  });
});

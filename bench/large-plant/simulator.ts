/**
 * One simulator child of `large-plant.bench.ts`: serves its share of the large plant's
 * gateways (Modbus TCP, one port each, every unit id behind it) with the simulators' own
 * parts (physics, register banks, LineResponder, modbus-serial's ServerTCP), and counts the
 * requests it answers. Driven over IPC:
 *   argv[2]: JSON { ports, index, shards }
 *   → { type: 'ready' }
 *   ← { type: 'count' }  → { type: 'count', requests, cpuMicros }
 *   ← { type: 'stop' }   (closes and exits)
 */

import { Faults } from '../../simulators/faults.js';
import { LineResponder } from '../../simulators/modbus/responder.js';
import { startTcpServer } from '../../simulators/modbus/tcp-server.js';
import { PlantModel } from '../../simulators/plant.js';
import { buildBank, type RegisterBank } from '../../simulators/register-bank.js';
import type { ModbusDeviceConfig } from '../../src/config/schema.js';
import { largePlant, shard } from './plant.js';

const { ports, index, shards } = JSON.parse(process.argv[2] ?? '{}') as {
  ports: number[];
  index: number;
  shards: number;
};
const config = largePlant(ports, shard(index, shards));
const plant = new PlantModel(config);
const faults = new Faults(plant);
const devices = config.devices as ModbusDeviceConfig[];
const banks = new Map<string, RegisterBank>();
const refresh = () => {
  for (const device of devices) {
    const profile = config.profiles.get(device.profile);
    if (profile?.protocol === 'modbus') banks.set(device.id, buildBank(profile, plant.values(device.id)));
  }
};
refresh();
setInterval(() => {
  plant.step();
  refresh();
}, 1000);

const responders: LineResponder[] = [];
const servers: { close(): Promise<void> }[] = [];
for (const line of config.lines) {
  if (line.transport !== 'tcp') continue;
  const units = new Map(devices.filter((d) => d.modbus.line === line.id).map((d) => [d.modbus.unitId, d.id]));
  const responder = new LineResponder(line, units, banks, faults);
  responders.push(responder);
  servers.push(await startTcpServer(responder, line.host, line.port));
}

process.on('message', (message: { type: string }) => {
  if (message.type === 'count') {
    const cpu = process.cpuUsage();
    process.send?.({
      type: 'count',
      requests: responders.reduce((sum, r) => sum + r.requests, 0),
      cpuMicros: cpu.user + cpu.system,
    });
  } else if (message.type === 'stop') {
    void Promise.all(servers.map((s) => s.close())).finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });

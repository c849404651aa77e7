/**
 * A simulator child of `bacnet.bench.ts`: one kind of simulated device, many of them, in a
 * process of its own (their CPU is not the gateway's), counting the requests they answer.
 *   argv[2]: JSON { mode, devices, ports? }  (ports: the Modbus devices' TCP ports)
 *   → { type: 'ready', devices: [{ instance, port }] }
 *   ← { type: 'count' }  → { type: 'count', requests, cpuMicros }
 *   ← { type: 'stop' }   (closes and exits)
 * BACnet devices: `OBJECTS` analog inputs whose present values move, each device on its own UDP
 * port of 127.0.0.1; in mode bacnet-rp they refuse ReadPropertyMultiple. Modbus devices: the
 * simulators' LineResponder and TCP server over register banks refreshed every second.
 */
import { EngineeringUnits } from '@bacnet-js/client';
import { pino } from 'pino';
import { type SimObjectConfig, SimulatedBacnetDevice } from '../../simulators/bacnet/device.js';
import { Faults } from '../../simulators/faults.js';
import { LineResponder } from '../../simulators/modbus/responder.js';
import { startTcpServer } from '../../simulators/modbus/tcp-server.js';
import { PlantModel } from '../../simulators/plant.js';
import { buildBank, type RegisterBank } from '../../simulators/register-bank.js';
import type { ModbusDeviceConfig } from '../../src/config/schema.js';
import { type Mode, modbusPlant, OBJECTS } from './plant.js';

const { mode, devices, ports } = JSON.parse(process.argv[2] ?? '{}') as {
  mode: Mode;
  devices: number;
  ports?: number[];
};
const log = pino({ level: 'warn' }, pino.destination(2));

let count: () => number;
let close: () => Promise<void>;
let started: { instance: number; port: number }[] = [];

if (mode === 'modbus') {
  const config = modbusPlant(ports ?? []);
  const plant = new PlantModel(config);
  const faults = new Faults(plant);
  const banks = new Map<string, RegisterBank>();
  const refresh = () => {
    for (const device of config.devices) {
      const profile = config.profiles.get(device.profile);
      if (profile?.protocol !== 'modbus') continue;
      const values: Record<string, number> = {};
      for (const point of profile.points) values[point.name] = 20 + Math.random() * 5;
      banks.set(device.id, buildBank(profile, values));
    }
  };
  refresh();
  setInterval(refresh, 1000);
  const responders: LineResponder[] = [];
  const servers: { close(): Promise<void> }[] = [];
  for (const line of config.lines) {
    if (line.transport !== 'tcp') continue;
    const units = new Map(
      (config.devices as ModbusDeviceConfig[])
        .filter((d) => d.modbus.line === line.id)
        .map((d) => [d.modbus.unitId, d.id]),
    );
    const responder = new LineResponder(line, units, banks, faults);
    responders.push(responder);
    servers.push(await startTcpServer(responder, line.host, line.port));
  }
  count = () => responders.reduce((sum, r) => sum + r.requests, 0);
  close = async () => {
    await Promise.all(servers.map((s) => s.close()));
  };
} else {
  const objects: SimObjectConfig[] = Array.from({ length: OBJECTS }, (_, i) => ({
    type: 'analog-input',
    instance: i + 1,
    name: `ai${i + 1}`,
    units: EngineeringUnits.DEGREES_CELSIUS,
    value: () => 20 + Math.random() * 5,
  }));
  const sims: SimulatedBacnetDevice[] = [];
  for (let i = 0; i < devices; i++)
    sims.push(
      await SimulatedBacnetDevice.start({
        address: '127.0.0.1',
        port: 0,
        instance: 1000 + i,
        name: `Controller ${1000 + i}`,
        objects,
        refuseReadPropertyMultiple: mode === 'bacnet-rp',
        log,
      }),
    );
  started = sims.map((s) => ({ instance: s.instance, port: s.port }));
  count = () => sims.reduce((sum, s) => sum + s.requests.readProperty + s.requests.readPropertyMultiple, 0);
  close = async () => {
    for (const sim of sims) sim.close();
  };
}

process.on('message', (message: { type: string }) => {
  if (message.type === 'count') {
    const cpu = process.cpuUsage();
    process.send?.({ type: 'count', requests: count(), cpuMicros: cpu.user + cpu.system });
  } else if (message.type === 'stop') {
    void close().finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready', devices: started });

/**
 * Simulated Modbus lines for the scan: the simulator's own servers (Modbus TCP gateway, RTU
 * over TCP, an RS-485 pseudo-terminal pair) with the simulator's responders, which answer
 * Read Device Identification from the devices' profiles and note when each request came in.
 */
import { Faults } from '../../simulators/faults.js';
import { identitiesOf, LineResponder } from '../../simulators/modbus/responder.js';
import { startRtuTcpServer } from '../../simulators/modbus/rtu-tcp-server.js';
import { startTcpServer } from '../../simulators/modbus/tcp-server.js';
import { PlantModel } from '../../simulators/plant.js';
import { buildBank, type RegisterBank } from '../../simulators/register-bank.js';
import { SimulatedSerialLine } from '../../simulators/serial/serial-line.js';
import type { PlantConfig } from '../../src/config/index.js';
import type { ModbusLineConfig, RegisterTable } from '../../src/config/schema.js';
import { plantConfig } from '../helpers/plant-config.js';
import { chillerProfile, meterProfile } from '../simulators/fixtures.js';

/** A meter whose profile names its maker and model: it answers function 43 with them. */
export const identifiedMeter = { ...meterProfile, id: 'id-meter', maker: 'Acme Metering', model: 'PM-710' };
/** The test chiller's profile names no maker: it refuses function 43 (exception 1). */
export const anonymousChiller = chillerProfile;

/** A responder that keeps when each request arrived (performance.now()). */
export class RecordingResponder extends LineResponder {
  readonly arrivals: number[] = [];

  override answer(unitId: number, table: RegisterTable, start: number, count: number) {
    this.arrivals.push(performance.now());
    return super.answer(unitId, table, start, count);
  }

  override identify(unitId: number) {
    this.arrivals.push(performance.now());
    return super.identify(unitId);
  }
}

export interface SimulatedLines {
  responders: Map<string, RecordingResponder>;
  stop(): Promise<void>;
}

/** Every line of `config` served by the simulator's servers for its transport. */
export async function serveLines(config: PlantConfig): Promise<SimulatedLines> {
  const faults = new Faults(new PlantModel(config));
  const banks = new Map<string, RegisterBank>();
  for (const device of config.devices) {
    const profile = config.profiles.get(device.profile);
    if (profile?.protocol === 'modbus') banks.set(device.id, buildBank(profile, {}));
  }
  const identities = identitiesOf(config);
  const responders = new Map<string, RecordingResponder>();
  const closers: (() => Promise<void>)[] = [];
  for (const line of config.lines) {
    const units = new Map(devicesOn(config, line.id).map((d) => [d.unitId, d.id]));
    const responder = new RecordingResponder(line, units, banks, faults, identities);
    responders.set(line.id, responder);
    closers.push(await serve(line, responder));
  }
  return {
    responders,
    async stop() {
      for (const close of closers.reverse()) await close();
    },
  };
}

async function serve(line: ModbusLineConfig, responder: LineResponder): Promise<() => Promise<void>> {
  if (line.transport === 'tcp') {
    const server = await startTcpServer(responder, line.host, line.port);
    return () => server.close();
  }
  if (line.transport === 'rtu-over-tcp') {
    const server = await startRtuTcpServer(responder, line.host, line.port, line.baudRate);
    return () => server.close();
  }
  const serial = new SimulatedSerialLine(line, responder);
  await serial.plugIn();
  return () => serial.unplug();
}

/**
 * Three lines with gaps in their unit ids: a Modbus TCP gateway, an RTU-over-TCP gateway and
 * an RS-485 line, each with identified meters and one chiller that refuses function 43.
 */
export function scanPlant(tcpPort: number, rtuTcpPort: number, ttyPath: string): PlantConfig {
  const quick = { timeout: 300, backoff: { initial: 300, max: 1000 } };
  return plantConfig({
    lines: [
      { id: 'gw-tcp', transport: 'tcp', host: '127.0.0.1', port: tcpPort, ...quick },
      { id: 'gw-rtu', transport: 'rtu-over-tcp', host: '127.0.0.1', port: rtuTcpPort, ...quick },
      { id: 'rs485', transport: 'rtu', path: ttyPath, baudRate: 19200, ...quick },
    ],
    profiles: [identifiedMeter, anonymousChiller],
    devices: [
      { id: 'm2', name: 'Meter 2', profile: identifiedMeter.id, modbus: { line: 'gw-tcp', unitId: 2 } },
      { id: 'ch5', name: 'Chiller 5', profile: anonymousChiller.id, modbus: { line: 'gw-tcp', unitId: 5 } },
      { id: 'm9', name: 'Meter 9', profile: identifiedMeter.id, modbus: { line: 'gw-tcp', unitId: 9 } },
      { id: 'r1', name: 'Meter R1', profile: identifiedMeter.id, modbus: { line: 'gw-rtu', unitId: 1 } },
      { id: 'rch3', name: 'Chiller R3', profile: anonymousChiller.id, modbus: { line: 'gw-rtu', unitId: 3 } },
      { id: 'r7', name: 'Meter R7', profile: identifiedMeter.id, modbus: { line: 'gw-rtu', unitId: 7 } },
      { id: 's4', name: 'Meter S4', profile: identifiedMeter.id, modbus: { line: 'rs485', unitId: 4 } },
    ],
  });
}

/** The devices of `line` in `config`, by unit id, in unit order. */
export function devicesOn(
  config: PlantConfig,
  line: string,
): { unitId: number; id: string; profile: string }[] {
  return config.devices
    .flatMap((d) =>
      'modbus' in d && d.modbus.line === line
        ? [{ unitId: d.modbus.unitId, id: d.id, profile: d.profile }]
        : [],
    )
    .sort((a, b) => a.unitId - b.unitId);
}

export function lineOf(config: PlantConfig, id: string): ModbusLineConfig {
  const line = config.lines.find((l) => l.id === id);
  if (!line) throw new Error(`no line ${id}`);
  return line;
}

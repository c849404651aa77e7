/**
 * Simulated Modbus lines for the scan: the simulator's own servers (Modbus TCP gateway, RTU
 * over TCP, an RS-485 pseudo-terminal pair) with the simulator's responders, which answer
 * Read Device Identification from the devices' profiles and note when each request came in.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseDocument, type YAMLSeq } from 'yaml';
import { Faults } from '../../simulators/faults.js';
import { type DeviceIdentity, identitiesOf, LineResponder } from '../../simulators/modbus/responder.js';
import { startRtuTcpServer } from '../../simulators/modbus/rtu-tcp-server.js';
import { startTcpServer } from '../../simulators/modbus/tcp-server.js';
import { PlantModel } from '../../simulators/plant.js';
import { buildBank, type RegisterBank } from '../../simulators/register-bank.js';
import { SimulatedSerialLine } from '../../simulators/serial/serial-line.js';
import type { PlantConfig } from '../../src/config/index.js';
import type { ModbusLineConfig, RegisterTable } from '../../src/config/schema.js';
import { FILL_IN } from '../../src/discovery/index.js';
import { freePorts } from '../helpers/modbus-tcp-device.js';
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

/** What a responder is made of: the line, its units (unit id → device id), and the plant's banks. */
export interface ResponderParts {
  line: ModbusLineConfig;
  units: Map<number, string>;
  banks: Map<string, RegisterBank>;
  faults: Faults;
  identities: Map<string, DeviceIdentity>;
}

const recording = (parts: ResponderParts) =>
  new RecordingResponder(parts.line, parts.units, parts.banks, parts.faults, parts.identities);

/** The register banks, faults and identities of `config`'s Modbus devices, as the simulator has them. */
function plantParts(config: PlantConfig): Omit<ResponderParts, 'line' | 'units'> {
  const banks = new Map<string, RegisterBank>();
  for (const device of config.devices) {
    const profile = config.profiles.get(device.profile);
    if (profile?.protocol === 'modbus') banks.set(device.id, buildBank(profile, {}));
  }
  return { banks, faults: new Faults(new PlantModel(config)), identities: identitiesOf(config) };
}

/** Every line of `config` served by the simulator's servers for its transport. */
export async function serveLines(config: PlantConfig): Promise<SimulatedLines> {
  const parts = plantParts(config);
  const responders = new Map<string, RecordingResponder>();
  const closers: (() => Promise<void>)[] = [];
  for (const line of config.lines) {
    const units = new Map(devicesOn(config, line.id).map((d) => [d.unitId, d.id]));
    const responder = recording({ ...parts, line, units });
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

/**
 * One line of `config` served alone (no socat needed for a TCP line), by a responder of the
 * test's making when given: `make` gets the parts the simulator's own responder is made of.
 */
export async function serveLine(
  config: PlantConfig,
  lineId: string,
  make: (parts: ResponderParts) => RecordingResponder = recording,
): Promise<{ line: ModbusLineConfig; responder: RecordingResponder; stop: () => Promise<void> }> {
  const line = lineOf(config, lineId);
  const units = new Map(devicesOn(config, lineId).map((d) => [d.unitId, d.id]));
  const responder = make({ ...plantParts(config), line, units });
  return { line, responder, stop: await serve(line, responder) };
}

/**
 * The plant's Modbus TCP gateway (gw-tcp: units 2, 5 and 9) alone on a free loopback port,
 * answered by `make`'s responder when given: for the tests of the scan's API and page, and of
 * gateways that misbehave.
 */
export async function serveTcpGateway(make?: (parts: ResponderParts) => RecordingResponder) {
  const [port, unused] = await freePorts(2);
  const config = scanPlant(port as number, unused as number, '/dev/null/unused');
  return { config, ...(await serveLine(config, 'gw-tcp', make)) };
}

/**
 * A gateway that answers for any unit id as if it were the first device of the line (some
 * Modbus TCP gateways, and single devices behind their own address, do).
 */
export function answeringAnyUnit(parts: ResponderParts): RecordingResponder {
  const [device] = parts.units.values();
  if (!device) throw new Error(`no device on ${parts.line.id}`);
  const units = new Map(Array.from({ length: 247 }, (_, i) => [i + 1, device] as const));
  return recording({ ...parts, units });
}

/** A responder whose units in `flaky` stay silent at their first read (a frame lost to noise). */
export function silentOnceFor(flaky: readonly number[]) {
  return (parts: ResponderParts): RecordingResponder => {
    const silentYet = new Set(flaky);
    return new (class extends RecordingResponder {
      override answer(unitId: number, table: RegisterTable, start: number, count: number) {
        if (!silentYet.delete(unitId)) return super.answer(unitId, table, start, count);
        this.arrivals.push(performance.now());
        return Promise.resolve('silent' as const);
      }
    })(parts.line, parts.units, parts.banks, parts.faults, parts.identities);
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

/**
 * Fill every FILL IN of a draft in `configDir` with ids the configuration had (`before`), and
 * add its line to lines.yaml: what a person does before check-config. Paths are relative to
 * `configDir`; without `lines` the line is configured already.
 */
export function fillDraft(
  configDir: string,
  before: PlantConfig,
  files: { devices: string; lines?: string },
): void {
  const site = before.sites[0];
  const building = site?.buildings[0];
  const room = building?.rooms[0];
  const profile = [...before.profiles.values()].find((p) => p.protocol === 'modbus');
  if (!site || !building || !room || !profile) throw new Error('the config has no site, room or profile');
  const devicesPath = join(configDir, files.devices);
  const devices = parseDocument(readFileSync(devicesPath, 'utf8'));
  const filled = { profile: profile.id, site: site.id, building: building.id, room: room.id };
  for (const item of (devices.get('devices') as YAMLSeq).items as {
    get(k: string): unknown;
    set(k: string, v: unknown): void;
  }[])
    for (const [key, value] of Object.entries(filled)) if (item.get(key) === FILL_IN) item.set(key, value);
  writeFileSync(devicesPath, devices.toString());
  if (!files.lines) return;
  const entry = parse(readFileSync(join(configDir, files.lines), 'utf8')) as { lines: unknown[] };
  const linesPath = join(configDir, 'lines.yaml');
  const linesDoc = parseDocument(readFileSync(linesPath, 'utf8'));
  for (const line of entry.lines) (linesDoc.get('lines') as YAMLSeq).items.push(linesDoc.createNode(line));
  writeFileSync(linesPath, linesDoc.toString());
}

/**
 * The simulated hospital plant: serves every device of a config from its own profile,
 * over the transport its line names (Modbus TCP, RTU on a socat pty, RTU over TCP), MQTT
 * or BACnet/IP, with believable physics and injectable faults.
 */

import type { PlantConfig } from '../src/config/index.js';
import type { ModbusDeviceConfig } from '../src/config/schema.js';
import type { Logger } from '../src/log/index.js';
import { silentLogger } from '../src/log/index.js';
import { type PlantBacnetDevices, startPlantBacnetDevices } from './bacnet/plant-devices.js';
import { startControlApi } from './control-api.js';
import { type FaultController, Faults } from './faults.js';
import { type DemoInbox, startDemoInbox } from './inbox.js';
import { identitiesOf, LineResponder } from './modbus/responder.js';
import { startRtuTcpServer } from './modbus/rtu-tcp-server.js';
import { startTcpServer } from './modbus/tcp-server.js';
import { startMqttMeters } from './mqtt-meters.js';
import { PlantModel } from './plant.js';
import { buildBank, type RegisterBank } from './register-bank.js';
import { socatAvailable } from './serial/pty-pair.js';
import { SimulatedSerialLine } from './serial/serial-line.js';

export { backfillDemoHistory } from './backfill.js';
export type { Fault, FaultController } from './faults.js';
export type { DemoInbox, InboxMessage } from './inbox.js';

/**
 * How the simulated meters log in to the gateway's MQTT broker: the external broker's own
 * login, or the embedded broker's `simulator` user (else the first user allowed to publish).
 */
export function simulatorMqttLogin(config: PlantConfig, brokerUrl: string) {
  const broker = config.gateway.mqtt?.broker;
  if (!broker) return { url: brokerUrl };
  if (broker.mode === 'external') {
    return { url: broker.url, username: broker.username, password: broker.password };
  }
  const user =
    broker.users.find((u) => u.username === 'simulator') ?? broker.users.find((u) => u.publish.length > 0);
  return { url: brokerUrl, username: user?.username, password: user?.password };
}

/** The plant's protocols, for starting some of them only (`simulate --only bacnet`). */
export const SIMULATED_PROTOCOLS = ['modbus', 'mqtt', 'bacnet'] as const;
export type SimulatedProtocol = (typeof SIMULATED_PROTOCOLS)[number];

export interface StartSimulatorOptions {
  log?: Logger;
  /** Serve only the devices of these protocols, and no demo inbox (default: every device, and the inbox). */
  only?: readonly SimulatedProtocol[];
  mqtt?: { url: string; username?: string; password?: string };
  control?: boolean;
  now?: () => number;
  tickMs?: number;
  /** Counters' values to carry on from (point id → value), e.g. the end of stored history. */
  counters?: ReadonlyMap<string, number>;
}

export interface PlantSimulator {
  readonly faults: FaultController;
  setValue(deviceId: string, point: string, value: number | boolean): void;
  values(deviceId: string): Record<string, number | boolean>;
  readonly endpoints: { line: string; transport: string; where: string }[];
  /** The demo inbox, when `simulation.inbox` is configured and enabled. */
  readonly inbox: DemoInbox | undefined;
  /** Start the MQTT meters (when the broker they publish to comes up after the simulator). */
  connectMeters(login: { url: string; username?: string; password?: string }): void;
  unplug(lineId: string): Promise<void>;
  replug(lineId: string): Promise<void>;
  stop(): Promise<void>;
}

type Closable = { close(): Promise<void> };

export async function startPlantSimulator(
  config: PlantConfig,
  options: StartSimulatorOptions = {},
): Promise<PlantSimulator> {
  const log = options.log ?? silentLogger();
  const plant = new PlantModel(config, options.now);
  for (const [id, value] of options.counters ?? []) {
    const dot = id.indexOf('.');
    const device = id.slice(0, dot);
    if (plant.has(device))
      plant
        .model(device)
        .counter?.(id.slice(dot + 1))
        ?.set(value);
  }
  const tickMs = options.tickMs ?? 1000;
  const faults = new Faults(plant, tickMs);
  const banks = new Map<string, RegisterBank>();
  const serves = (protocol: SimulatedProtocol) => !options.only || options.only.includes(protocol);
  const modbusDevices = serves('modbus')
    ? config.devices.filter((d): d is ModbusDeviceConfig => d.enabled && 'modbus' in d)
    : [];
  let bacnet: PlantBacnetDevices | undefined;

  const refreshBanks = () => {
    for (const device of modbusDevices) {
      const profile = config.profiles.get(device.profile);
      if (profile?.protocol === 'modbus') banks.set(device.id, buildBank(profile, plant.values(device.id)));
    }
  };
  refreshBanks();
  const tick = () => {
    plant.step();
    refreshBanks();
    bacnet?.refresh();
  };
  const ticker = setInterval(tick, tickMs);
  ticker.unref();
  // A fault shows on the wire at once, not at the next tick.
  const controller: FaultController = {
    inject: (device, fault) => {
      faults.inject(device, fault);
      tick();
    },
    clear: (device, type) => {
      faults.clear(device, type);
      tick();
    },
    list: () => faults.list(),
  };

  const closables: Closable[] = [];
  const endpoints: PlantSimulator['endpoints'] = [];
  const serialLines = new Map<string, SimulatedSerialLine>();
  let inbox: DemoInbox | undefined;
  const stopAll = async () => {
    clearInterval(ticker);
    for (const c of closables.splice(0).reverse()) await c.close().catch(() => {});
  };

  const connectMeters = (login: { url: string; username?: string; password?: string }) => {
    // No MQTT meters in this plant (or not asked for): no client, no endpoint to list.
    if (!serves('mqtt') || !config.devices.some((d) => d.enabled && 'mqtt' in d)) return;
    closables.push(startMqttMeters(config, plant, login, faults, log, options.now));
    endpoints.push({ line: 'mqtt', transport: 'MQTT meters', where: login.url });
  };

  // What each device says of itself to Read Device Identification (function 43), as `scan` reads it.
  const identities = identitiesOf(config);
  try {
    for (const line of config.lines) {
      const units = new Map(
        modbusDevices.filter((d) => d.modbus.line === line.id).map((d) => [d.modbus.unitId, d.id]),
      );
      if (units.size === 0) continue;
      const responder = new LineResponder(line, units, banks, faults, identities);
      if (line.transport === 'tcp') {
        closables.push(await startTcpServer(responder, line.host, line.port));
        endpoints.push({ line: line.id, transport: 'Modbus TCP', where: `${line.host}:${line.port}` });
      } else if (line.transport === 'rtu-over-tcp') {
        closables.push(await startRtuTcpServer(responder, line.host, line.port, line.baudRate));
        endpoints.push({
          line: line.id,
          transport: 'Modbus RTU over TCP',
          where: `${line.host}:${line.port}`,
        });
      } else if (!socatAvailable()) {
        log.warn(
          { line: line.id, path: line.path },
          'socat is not installed: this RS-485 line cannot be simulated (apt-get install socat)',
        );
      } else {
        const serial = new SimulatedSerialLine(line, responder);
        await serial.plugIn();
        serialLines.set(line.id, serial);
        closables.push({ close: () => serial.unplug() });
        endpoints.push({ line: line.id, transport: `Modbus RTU ${line.baudRate} baud`, where: line.path });
      }
    }
    if (serves('bacnet')) {
      const devices = await startPlantBacnetDevices(config, plant, faults, log);
      bacnet = devices;
      closables.push(devices);
      for (const e of devices.endpoints)
        endpoints.push({
          line: e.device,
          transport: `BACnet/IP device ${e.instance}${e.role === 'card' ? ' (card)' : ''}`,
          where: `${e.host}:${e.port}`,
        });
    }
    if (options.mqtt) connectMeters(options.mqtt);
    const { host, port } = config.simulation.control;
    // The inbox is the demo's, not the plant's: a plant started for some protocols only has none.
    if (config.simulation.inbox?.enabled && !options.only) {
      inbox = await startDemoInbox({ host, smtpPort: config.simulation.inbox.smtpPort, log });
      closables.push(inbox);
      endpoints.push({ line: 'inbox', transport: 'demo inbox, SMTP', where: `${host}:${inbox.smtpPort}` });
    }
    if (options.control) {
      const api = await startControlApi(host, port, controller, (id) => plant.values(id), inbox);
      closables.push(api);
      endpoints.push({ line: 'control', transport: 'fault-injection API', where: api.url });
      if (inbox) {
        endpoints.push({
          line: 'inbox',
          transport: 'demo inbox, webhooks',
          where: `${api.url}/inbox/webhook/<group>`,
        });
        endpoints.push({ line: 'inbox', transport: 'demo inbox, read', where: `${api.url}/inbox` });
      }
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  for (const e of endpoints) log.info(e, `simulating ${e.line}: ${e.transport} at ${e.where}`);

  const serialLine = (lineId: string) => {
    const line = serialLines.get(lineId);
    if (!line) throw new Error(`no simulated serial line "${lineId}"`);
    return line;
  };
  return {
    faults: controller,
    endpoints,
    inbox,
    setValue(deviceId, point, value) {
      plant.setOverride(deviceId, point, value);
      refreshBanks();
    },
    values: (deviceId) => plant.values(deviceId),
    connectMeters,
    unplug: (lineId) => serialLine(lineId).unplug(),
    replug: (lineId) => serialLine(lineId).plugIn(),
    stop: stopAll,
  };
}

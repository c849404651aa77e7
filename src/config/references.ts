/**
 * Checks that need more than one file: ids unique, references resolvable, register
 * definitions coherent. Each problem names the file and key where the user fixes it.
 */
import type { ConfigIssue, ParsedFile, PlantConfig } from './load.js';
import { formatPath } from './load.js';
import { registerOverlaps } from './overlaps.js';
import { registerCount } from './registers.js';
import type {
  BacnetDeviceConfig,
  DeviceConfig,
  ModbusPointConfig,
  Profile,
  SimulationConfig,
} from './schema.js';

interface Files {
  config: PlantConfig;
  gatewayFile?: ParsedFile<unknown>;
  siteFile?: ParsedFile<{ sites: PlantConfig['sites'] }>;
  linesFile?: ParsedFile<{ lines: PlantConfig['lines'] }>;
  profileFiles: ParsedFile<Profile>[];
  deviceFiles: ParsedFile<{ devices: DeviceConfig[] }>[];
  simulationFile?: ParsedFile<SimulationConfig>;
}

type Path = (string | number)[];

class IssueSink {
  readonly issues: ConfigIssue[] = [];
  at(file: ParsedFile<unknown> | undefined, path: Path, message: string): void {
    if (!file) return;
    this.issues.push({ file: file.file, path: formatPath(path), line: file.lineOf(path), message });
  }
}

/** Reports the second and later holders of a key already seen. */
function uniqueness(sink: IssueSink, what: string, show: (key: string) => string = (key) => `"${key}"`) {
  const seen = new Map<string, string>();
  return (key: string, file: ParsedFile<unknown> | undefined, path: Path) => {
    const first = seen.get(key);
    if (first !== undefined)
      sink.at(file, path, `duplicate ${what} ${show(key)} (first defined at ${first})`);
    else {
      const line = file?.lineOf(path);
      seen.set(key, `${file?.file ?? '?'}${line === undefined ? '' : `:${line}`}`);
    }
  };
}

export function checkReferences(files: Files): ConfigIssue[] {
  const sink = new IssueSink();
  const rooms = checkSites(files, sink);
  checkGatewaySite(files, sink);
  checkLines(files, sink);
  checkBacnetPorts(files, sink);
  files.profileFiles.forEach((file) => {
    if (file.data) checkProfile(file.data, file, sink);
  });
  checkDevices(files, rooms, sink);
  checkSimulation(files, sink);
  return sink.issues;
}

/** Returns the set of "site/building/room" keys that exist. */
function checkSites({ config, siteFile }: Files, sink: IssueSink): Set<string> {
  const rooms = new Set<string>();
  const siteIds = uniqueness(sink, 'site id');
  config.sites.forEach((site, s) => {
    siteIds(site.id, siteFile, ['sites', s, 'id']);
    const buildingIds = uniqueness(sink, `building id in site ${site.id}`);
    site.buildings.forEach((building, b) => {
      buildingIds(building.id, siteFile, ['sites', s, 'buildings', b, 'id']);
      const roomIds = uniqueness(sink, `room id in building ${building.id}`);
      building.rooms.forEach((room, r) => {
        roomIds(room.id, siteFile, ['sites', s, 'buildings', b, 'rooms', r, 'id']);
        rooms.add(`${site.id}/${building.id}/${room.id}`);
      });
    });
  });
  return rooms;
}

function checkGatewaySite({ config, gatewayFile }: Files, sink: IssueSink): void {
  const site = config.gateway.gateway.site;
  if (site !== undefined && !config.sites.some((s) => s.id === site)) {
    sink.at(
      gatewayFile,
      ['gateway', 'site'],
      `unknown site "${site}" (expected one of: ${config.sites.map((s) => s.id).join(', ')})`,
    );
  }
}

function checkLines({ config, linesFile }: Files, sink: IssueSink): void {
  const lineIds = uniqueness(sink, 'line id');
  // One owner per serial port or gateway socket: two lines on one endpoint would interleave frames.
  const endpoints = uniqueness(sink, 'line endpoint');
  config.lines.forEach((line, i) => {
    lineIds(line.id, linesFile, ['lines', i, 'id']);
    const endpoint = line.transport === 'rtu' ? line.path : `${line.host}:${line.port}`;
    endpoints(endpoint, linesFile, ['lines', i]);
    if (line.backoff.initial > line.backoff.max) {
      sink.at(linesFile, ['lines', i, 'backoff'], 'backoff.initial must not exceed backoff.max');
    }
  });
}

/** One owner per UDP socket: two ports on one interface and UDP port would each lose the other's answers. */
function checkBacnetPorts({ config, gatewayFile }: Files, sink: IssueSink): void {
  const ids = uniqueness(sink, 'BACnet port id');
  const sockets = uniqueness(sink, 'BACnet/IP socket');
  config.gateway.bacnet?.ports.forEach((port, i) => {
    ids(port.id, gatewayFile, ['bacnet', 'ports', i, 'id']);
    sockets(`${port.interface}:${port.udpPort}`, gatewayFile, ['bacnet', 'ports', i, 'udpPort']);
  });
}

function checkProfile(profile: Profile, file: ParsedFile<unknown>, sink: IssueSink): void {
  const names = uniqueness(sink, 'point name');
  profile.points.forEach((point, i) => {
    names(point.name, file, ['points', i, 'name']);
  });
  if (profile.protocol === 'mqtt') return;
  profile.points.forEach((point, i) => {
    if (!(point.poll in profile.pollGroups)) {
      sink.at(
        file,
        ['points', i, 'poll'],
        `unknown poll group "${point.poll}" (expected one of: ${Object.keys(profile.pollGroups).join(', ')})`,
      );
    }
  });
  if (profile.protocol !== 'modbus') return;
  profile.points.forEach((point, i) => {
    const path = ['points', i];
    const problem = modbusPointProblem(point, profile.maxBlockRegisters);
    if (problem) sink.at(file, path, problem);
  });
  for (const overlap of registerOverlaps(profile.points))
    sink.at(file, ['points', overlap.index, overlap.key], overlap.message);
}

/** Register definitions that cannot be read as written. */
export function modbusPointProblem(point: ModbusPointConfig, maxBlockRegisters: number): string | undefined {
  const bitTable = point.table === 'coil' || point.table === 'discrete';
  if (bitTable && point.type !== 'bool') return `a ${point.table} is read as type bool (got ${point.type})`;
  if (!bitTable && point.type === 'bool' && point.bit === undefined) {
    return 'type bool on a register needs `bit` (which bit of the register)';
  }
  if (point.bit !== undefined && bitTable) return '`bit` applies to registers, not coils or discrete inputs';
  if (point.bit !== undefined && point.type !== 'bool' && point.type !== 'uint16' && point.type !== 'int16') {
    return `\`bit\` needs a 16-bit register (type bool or uint16, got ${point.type})`;
  }
  const count = registerCount(point);
  if (point.address + count > 65536) return `address ${point.address} + ${count} registers runs past 65535`;
  if (count > maxBlockRegisters)
    return `type ${point.type} needs ${count} registers, more than maxBlockRegisters ${maxBlockRegisters}`;
  if (point.counter && point.type === 'bool') return 'a counter must be numeric';
  return undefined;
}

function checkDevices({ config, deviceFiles }: Files, rooms: Set<string>, sink: IssueSink): void {
  const deviceIds = uniqueness(sink, 'device id');
  const unitsOnLine = uniqueness(sink, 'unit id', (key) => {
    const [line, unit] = key.split('#');
    return `${unit} on line "${line}"`;
  });
  const topics = uniqueness(sink, 'MQTT topic');
  const bacnetInstances = uniqueness(sink, 'BACnet device instance', (key) => {
    const [port, instance] = key.split('#');
    return `${instance} on BACnet port "${port}"`;
  });
  const lines = new Map(config.lines.map((line) => [line.id, line]));
  for (const file of deviceFiles) {
    file.data?.devices.forEach((device, i) => {
      const path: Path = ['devices', i];
      deviceIds(device.id, file, [...path, 'id']);
      const roomKey = `${device.site}/${device.building}/${device.room}`;
      if (!rooms.has(roomKey))
        sink.at(file, [...path, 'room'], `unknown room "${roomKey}" (site/building/room in site.yaml)`);
      const profile = config.profiles.get(device.profile);
      if (!profile) {
        sink.at(
          file,
          [...path, 'profile'],
          `unknown profile "${device.profile}" (expected one of: ${[...config.profiles.keys()].join(', ')})`,
        );
        return;
      }
      if ('modbus' in device) {
        if (profile.protocol !== 'modbus')
          sink.at(
            file,
            [...path, 'modbus'],
            `profile "${profile.id}" is ${profile.protocol}, the device has a modbus connection`,
          );
        if (!lines.has(device.modbus.line)) {
          sink.at(
            file,
            [...path, 'modbus', 'line'],
            `unknown line "${device.modbus.line}" (expected one of: ${[...lines.keys()].join(', ') || 'none: add it to lines.yaml'})`,
          );
        }
        unitsOnLine(`${device.modbus.line}#${device.modbus.unitId}`, file, [...path, 'modbus', 'unitId']);
      } else if ('mqtt' in device) {
        if (profile.protocol !== 'mqtt')
          sink.at(
            file,
            [...path, 'mqtt'],
            `profile "${profile.id}" is ${profile.protocol}, the device has an mqtt connection`,
          );
        topics(device.mqtt.topic, file, [...path, 'mqtt', 'topic']);
      } else {
        if (profile.protocol !== 'bacnet')
          sink.at(
            file,
            [...path, 'bacnet'],
            `profile "${profile.id}" is ${profile.protocol}, the device has a bacnet connection`,
          );
        const port = bacnetPortProblem(device, config);
        if (typeof port === 'string')
          sink.at(file, [...path, 'bacnet', ...(device.bacnet.port ? ['port'] : [])], port);
        else bacnetInstances(`${port.id}#${device.bacnet.instance}`, file, [...path, 'bacnet', 'instance']);
      }
    });
  }
}

/** The device's BACnet/IP port, or what is wrong with its `bacnet.port`. */
function bacnetPortProblem(device: BacnetDeviceConfig, config: PlantConfig): { id: string } | string {
  const ports = config.gateway.bacnet?.ports ?? [];
  const choices = ports.map((p) => p.id).join(', ');
  if (ports.length === 0)
    return `BACnet device "${device.id}" needs plantwatch.yaml's bacnet: section (bacnet: { ports: [{ id: bms }] }): no BACnet/IP port is open`;
  if (device.bacnet.port === undefined) {
    const only = ports.length === 1 ? ports[0] : undefined;
    return only ?? `which BACnet port: add bacnet.port (expected one of: ${choices})`;
  }
  const port = ports.find((p) => p.id === device.bacnet.port);
  return port ?? `unknown BACnet port "${device.bacnet.port}" (expected one of: ${choices})`;
}

function checkSimulation({ config, simulationFile }: Files, sink: IssueSink): void {
  const ids = new Set(config.devices.map((d) => d.id));
  for (const deviceId of Object.keys(config.simulation.devices)) {
    if (!ids.has(deviceId)) sink.at(simulationFile, ['devices', deviceId], `unknown device "${deviceId}"`);
  }
}

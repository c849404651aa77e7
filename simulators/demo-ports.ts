/**
 * The demo on a machine where its default ports are taken: Debian's `apt-get install
 * mosquitto` (the README's own install line) starts a system broker on 1883; a BMS workstation
 * holds a BACnet/IP port. A port the demo configuration leaves at its `${VAR:-default}` moves
 * to a free one, logged; a port somebody chose (the variable set, or a number written in
 * the file) is kept, and a clash is reported as the gateway reports it. `plantwatch
 * start` never moves a port.
 */
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { PlantConfig } from '../src/config/index.js';
import type { Logger } from '../src/log/index.js';

/** The port the system gives on `host` for `port` (0: any free one), or undefined when taken. */
function listenable(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

/** The UDP port the system gives on `host` for `port` (0: any free one), or undefined when taken. */
function udpListenable(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    // Not shared (reuseAddr false), as the gateway opens its BACnet/IP port.
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, host, () => {
      const bound = socket.address().port;
      socket.close(() => resolve(bound));
    });
  });
}

/** The variable `file` writes this key with as `${VAR:-default}`, when VAR is not set; else undefined. */
export function defaultVariable(
  configDir: string,
  file: string,
  key: (string | number)[],
  env: NodeJS.ProcessEnv,
): string | undefined {
  const path = join(configDir, file);
  if (!existsSync(path)) return undefined;
  const raw = parseDocument(readFileSync(path, 'utf8')).getIn(key);
  const variable = typeof raw === 'string' ? /^\$\{(\w+):-[^}]*\}$/.exec(raw.trim())?.[1] : undefined;
  return variable !== undefined && env[variable] === undefined ? variable : undefined;
}

/** Whether plantwatch.yaml writes this key as `${VAR:-default}` and VAR is not set. */
function leftAtDefault(configDir: string, key: (string | number)[], env: NodeJS.ProcessEnv): boolean {
  return defaultVariable(configDir, 'plantwatch.yaml', key, env) !== undefined;
}

/**
 * A free port in place of `port` when `file` leaves it at its default and it is taken, with the
 * variable that would choose it; undefined to keep it.
 */
async function replacement(
  configDir: string,
  key: (string | number)[],
  host: string,
  port: number,
  env: NodeJS.ProcessEnv,
  probe = listenable,
  file = 'plantwatch.yaml',
): Promise<{ port: number; variable: string } | undefined> {
  const variable = defaultVariable(configDir, file, key, env);
  if (variable === undefined || (await probe(host, port)) !== undefined) return undefined;
  const free = await probe(host, 0);
  return free === undefined ? undefined : { port: free, variable };
}

/** The demo's configuration with its taken default web, MQTT and BACnet/IP ports moved to free ones. */
export async function offTakenDefaultPorts(
  configDir: string,
  config: PlantConfig,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PlantConfig> {
  let gateway = config.gateway;
  const { web } = gateway;
  const moved = await replacement(configDir, ['web', 'port'], web.host, web.port, env);
  if (moved !== undefined) {
    const webPort = moved.port;
    log.warn(
      { key: 'web.port', taken: web.port, port: webPort },
      `port ${web.port} is taken (another service?): the demo's dashboard listens on ${webPort} instead (${moved.variable} chooses)`,
    );
    const publicUrl =
      web.publicUrl && leftAtDefault(configDir, ['web', 'publicUrl'], env)
        ? web.publicUrl.replace(`:${web.port}`, `:${webPort}`)
        : web.publicUrl;
    gateway = { ...gateway, web: { ...web, port: webPort, ...(publicUrl ? { publicUrl } : {}) } };
  }
  const mqtt = gateway.mqtt;
  const broker = mqtt?.broker;
  if (mqtt && broker?.mode === 'embedded') {
    const key = ['mqtt', 'broker', 'port'];
    const mqttPort = await replacement(configDir, key, broker.host, broker.port, env);
    if (mqttPort !== undefined) {
      log.warn(
        { key: 'mqtt.broker.port', taken: broker.port, port: mqttPort.port },
        `port ${broker.port} is taken (a system Mosquitto?): the demo's MQTT broker listens on ${mqttPort.port} instead (${mqttPort.variable} chooses)`,
      );
      gateway = { ...gateway, mqtt: { ...mqtt, broker: { ...broker, port: mqttPort.port } } };
    }
  }
  const bacnet = gateway.bacnet;
  if (bacnet) {
    let movedAny = false;
    const ports = [];
    for (const [i, settings] of bacnet.ports.entries()) {
      const key = ['bacnet', 'ports', i, 'udpPort'];
      const { interface: host, udpPort } = settings;
      const udp = await replacement(configDir, key, host, udpPort, env, udpListenable);
      if (udp !== undefined) {
        log.warn(
          { key: `bacnet.ports[${i}].udpPort`, taken: udpPort, port: udp.port },
          `UDP port ${udpPort} is taken (another BACnet application?): the demo's BACnet/IP port "${settings.id}" opens ${udp.port} instead (${udp.variable} chooses)`,
        );
        movedAny = true;
      }
      ports.push(udp === undefined ? settings : { ...settings, udpPort: udp.port });
    }
    if (movedAny) gateway = { ...gateway, bacnet: { ...bacnet, ports } };
  }
  return gateway === config.gateway ? config : { ...config, gateway };
}

/**
 * The simulated plant's own ports off taken defaults, as offTakenDefaultPorts does for the
 * gateway's: each Modbus TCP or RTU-over-TCP line lines.yaml leaves at its `${VAR:-default}`
 * (the simulator serves it there, the gateway polls it there: both read this configuration) and
 * simulation.yaml's fault-injection API. The demo's second campus (config/east/) runs on these.
 */
export async function offTakenPlantPorts(
  configDir: string,
  config: PlantConfig,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PlantConfig> {
  let changed = false;
  const lines: PlantConfig['lines'] = [];
  for (const [i, line] of config.lines.entries()) {
    // An RS-485 line is a serial path, not a port.
    if (line.transport === 'rtu') {
      lines.push(line);
      continue;
    }
    const key = ['lines', i, 'port'];
    const moved = await replacement(configDir, key, line.host, line.port, env, listenable, 'lines.yaml');
    if (moved === undefined) {
      lines.push(line);
      continue;
    }
    log.warn(
      { key: `lines[${i}].port`, line: line.id, taken: line.port, port: moved.port },
      `port ${line.port} is taken (another service?): the demo's line "${line.id}" is served on ${moved.port} instead (${moved.variable} chooses)`,
    );
    lines.push({ ...line, port: moved.port });
    changed = true;
  }
  let simulation = config.simulation;
  const { host, port } = simulation.control;
  const control = await replacement(
    configDir,
    ['control', 'port'],
    host,
    port,
    env,
    listenable,
    'simulation.yaml',
  );
  if (control !== undefined) {
    log.warn(
      { key: 'control.port', taken: port, port: control.port },
      `port ${port} is taken (another service?): the demo's fault injection listens on ${control.port} instead (${control.variable} chooses)`,
    );
    simulation = { ...simulation, control: { host, port: control.port } };
    changed = true;
  }
  return changed ? { ...config, lines, simulation } : config;
}

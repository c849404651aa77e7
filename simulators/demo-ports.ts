/**
 * The demo on a machine where its default ports are taken: Debian's `apt-get install
 * mosquitto` (the README's own install line) starts a system broker on 1883; a BMS workstation
 * holds a BACnet/IP port. A port the demo configuration leaves at its `${VAR:-default}` moves
 * to a free one, logged; a port somebody chose (the variable set, or a number written in
 * plantwatch.yaml) is kept, and a clash is reported as the gateway reports it. `plantwatch
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

/** Whether plantwatch.yaml writes this key as `${VAR:-default}` and VAR is not set. */
function leftAtDefault(configDir: string, key: (string | number)[], env: NodeJS.ProcessEnv): boolean {
  const file = join(configDir, 'plantwatch.yaml');
  if (!existsSync(file)) return false;
  const raw = parseDocument(readFileSync(file, 'utf8')).getIn(key);
  const variable = typeof raw === 'string' ? /^\$\{(\w+):-[^}]*\}$/.exec(raw.trim())?.[1] : undefined;
  return variable !== undefined && env[variable] === undefined;
}

/** A free port in place of `port` when it is a default and taken; undefined to keep it. */
async function replacement(
  configDir: string,
  key: (string | number)[],
  host: string,
  port: number,
  env: NodeJS.ProcessEnv,
  probe = listenable,
): Promise<number | undefined> {
  if (!leftAtDefault(configDir, key, env) || (await probe(host, port)) !== undefined) return undefined;
  return probe(host, 0);
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
  const webPort = await replacement(configDir, ['web', 'port'], web.host, web.port, env);
  if (webPort !== undefined) {
    log.warn(
      { key: 'web.port', taken: web.port, port: webPort },
      `port ${web.port} is taken (another service?): the demo's dashboard listens on ${webPort} instead (PLANTWATCH_WEB_PORT chooses)`,
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
        { key: 'mqtt.broker.port', taken: broker.port, port: mqttPort },
        `port ${broker.port} is taken (a system Mosquitto?): the demo's MQTT broker listens on ${mqttPort} instead (PLANTWATCH_MQTT_PORT chooses)`,
      );
      gateway = { ...gateway, mqtt: { ...mqtt, broker: { ...broker, port: mqttPort } } };
    }
  }
  const bacnet = gateway.bacnet;
  if (bacnet) {
    let moved = false;
    const ports = [];
    for (const [i, settings] of bacnet.ports.entries()) {
      const key = ['bacnet', 'ports', i, 'udpPort'];
      const { interface: host, udpPort } = settings;
      const udp = await replacement(configDir, key, host, udpPort, env, udpListenable);
      if (udp !== undefined) {
        log.warn(
          { key: `bacnet.ports[${i}].udpPort`, taken: udpPort, port: udp },
          `UDP port ${udpPort} is taken (another BACnet application?): the demo's BACnet/IP port "${settings.id}" opens ${udp} instead (PLANTWATCH_BACNET_PORT chooses)`,
        );
        moved = true;
      }
      ports.push(udp === undefined ? settings : { ...settings, udpPort: udp });
    }
    if (moved) gateway = { ...gateway, bacnet: { ...bacnet, ports } };
  }
  return gateway === config.gateway ? config : { ...config, gateway };
}

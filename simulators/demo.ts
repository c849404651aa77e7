/**
 * The demo (`npm start`): the simulated hospital plant and the gateway together, on the
 * demo configuration, moved off taken default ports; and the hospital group's second campus,
 * the east campus (the configuration's east/ folder), with its own simulated plant, gateway
 * and dashboard in the same process, publishing to the main gateway's broker.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Companion, runGateway } from '../src/cli/gateway.js';
import type { PlantConfig } from '../src/config/index.js';
import { type Gateway, startGateway } from '../src/gateway/index.js';
import { loadPlantConfig } from '../src/gateway/load-config.js';
import type { Logger } from '../src/log/index.js';
import { FAULT_COMMAND } from './cli.js';
import { defaultVariable, offTakenDefaultPorts, offTakenPlantPorts } from './demo-ports.js';
import {
  backfillDemoHistory,
  type PlantSimulator,
  simulatorMqttLogin,
  startPlantSimulator,
} from './index.js';

/** The east campus's configuration: this folder of the main hospital's. */
export const EAST_CAMPUS_DIR = 'east';

type MqttLogin = ReturnType<typeof simulatorMqttLogin>;

export function runDemo(configDir: string): Promise<number> {
  return runGateway(configDir, (config, log) => startDemoPlant(configDir, config, log));
}

async function startDemoPlant(configDir: string, loaded: PlantConfig, log: Logger): Promise<Companion> {
  let config = await offTakenDefaultPorts(configDir, loaded, log);
  // The simulated plant comes up first, so the gateway finds its devices at the first try;
  // its MQTT meters connect once the gateway's broker listens.
  const counters = await backfillDemoHistory(config, log);
  // The east campus is made ready now, its history written while nothing else runs (a back-fill
  // holds the event loop for seconds); it starts once the main gateway, whose broker it
  // publishes to, is up.
  const eastLog = log.child({ campus: EAST_CAMPUS_DIR });
  const east = await prepareCampus(join(configDir, EAST_CAMPUS_DIR), eastLog);
  if (east) config = linkingMovedCampus(config, east);
  const simulator = await startPlantSimulator(config, {
    counters,
    log: log.child({ component: 'simulator' }),
    control: true,
  });
  let campus: Promise<RunningCampus | undefined> | undefined;
  return {
    config,
    started(gateway) {
      const meters = simulatorMqttLogin(config, gateway.mqtt.brokerUrl);
      simulator.connectMeters(meters);
      logSummary(config, gateway, log, east);
      if (!east) return;
      // Started beside the running main hospital, not awaited: Ctrl-C stops the demo meanwhile.
      const { brokerUrl } = gateway.mqtt;
      campus = startCampus(east, brokerUrl ? { brokerUrl, meters } : undefined, eastLog);
    },
    // The east campus stops first, while the broker it publishes to still runs: its gateway, its plant.
    async stopBeforeGateway() {
      try {
        await (await campus)?.stop();
      } catch (err) {
        eastLog.error({ err: messageOf(err) }, 'the east campus did not stop cleanly');
      }
    },
    stop: () => simulator.stop(),
  };
}

/** A campus ready to start: its configuration off taken ports, its history written. */
interface PreparedCampus {
  dir: string;
  config: PlantConfig;
  /** Its dashboard's address and fault-injection port as configured, before a taken port moved them. */
  configured: { url: string | undefined; controlPort: number };
  counters: Map<string, number>;
}

interface RunningCampus {
  gateway: Gateway;
  /** Its gateway, then its plant. */
  stop(): Promise<void>;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The campus of `dir`, ready to start; undefined without one, or (logged) when it cannot be. */
async function prepareCampus(dir: string, log: Logger): Promise<PreparedCampus | undefined> {
  if (!existsSync(join(dir, 'plantwatch.yaml'))) return undefined;
  try {
    const loaded = loadPlantConfig(resolve(dir));
    const config = await offTakenPlantPorts(dir, await offTakenDefaultPorts(dir, loaded, log), log);
    const counters = await backfillDemoHistory(config, log);
    const configured = { url: loaded.gateway.web.publicUrl, controlPort: loaded.simulation.control.port };
    return { dir, config, configured, counters };
  } catch (err) {
    log.error(
      { err: messageOf(err), config: dir },
      `the east campus (${dir}) cannot start: the main hospital runs without it`,
    );
    return undefined;
  }
}

/** The main hospital's group view linking the campus's dashboard where it moved (off a taken port). */
function linkingMovedCampus(config: PlantConfig, campus: PreparedCampus): PlantConfig {
  const group = config.gateway.group;
  const moved = campus.config.gateway.web.publicUrl;
  const configured = campus.configured.url?.replace(/\/+$/, '');
  if (!group || !moved || !configured || moved.replace(/\/+$/, '') === configured) return config;
  const site = campus.config.gateway.gateway.site;
  const campuses = group.campuses.map((c) =>
    c.site === site && c.url === configured ? { ...c, url: moved.replace(/\/+$/, '') } : c,
  );
  return { ...config, gateway: { ...config.gateway, group: { ...group, campuses } } };
}

/**
 * Starts the campus's plant, then its gateway on the main gateway's broker (the demo group's
 * central one, wherever it came up), then its MQTT meters, logged in there as the main plant's
 * meters are (without a main broker: as the campus's configuration says). Undefined, logged,
 * when it cannot: the main hospital keeps running.
 */
async function startCampus(
  campus: PreparedCampus,
  central: { brokerUrl: string; meters: MqttLogin } | undefined,
  log: Logger,
): Promise<RunningCampus | undefined> {
  const config = central ? onBroker(campus.config, central.brokerUrl) : campus.config;
  let simulator: PlantSimulator | undefined;
  try {
    simulator = await startPlantSimulator(config, {
      counters: campus.counters,
      log: log.child({ component: 'simulator' }),
      control: true,
    });
    const gateway = await startGateway({ config, log });
    simulator.connectMeters(central?.meters ?? simulatorMqttLogin(config, gateway.mqtt.brokerUrl));
    const { web } = config.gateway;
    const listening = { web: `${web.host}:${new URL(gateway.web.url).port}`, control: controlOf(config) };
    log.info(
      { dashboard: gateway.web.url, listening },
      `east campus running: dashboard ${gateway.web.url} (listening on ${listening.web}), ` +
        `fault injection on ${listening.control}: \`${faultCommand(campus)}\``,
    );
    const plant = simulator;
    return {
      gateway,
      stop: async () => {
        try {
          await gateway.stop();
        } finally {
          await plant.stop();
        }
      },
    };
  } catch (err) {
    await simulator?.stop().catch(() => {});
    log.error(
      { err: messageOf(err), config: campus.dir },
      `the east campus (${campus.dir}) could not start: the main hospital runs without it`,
    );
    return undefined;
  }
}

/** The campus's gateway on the broker at `url`, when it is configured for an external broker. */
function onBroker(config: PlantConfig, url: string): PlantConfig {
  const mqtt = config.gateway.mqtt;
  if (mqtt?.broker.mode !== 'external') return config;
  return { ...config, gateway: { ...config.gateway, mqtt: { ...mqtt, broker: { ...mqtt.broker, url } } } };
}

/** Where each part listens (its bound address, not only a URL to open) and how to play with it. */
function logSummary(config: PlantConfig, gateway: Gateway, log: Logger, east?: PreparedCampus): void {
  const webPort = new URL(gateway.web.url).port;
  const broker = config.gateway.mqtt?.broker;
  const mqttListens =
    broker?.mode === 'embedded' ? `${broker.host}:${new URL(gateway.mqtt.brokerUrl).port}` : 'external';
  const bacnet = (config.gateway.bacnet?.ports ?? []).map((p) => `${p.interface}:${p.udpPort}`);
  const listening = {
    web: `${config.gateway.web.host}:${webPort}`,
    mqtt: mqttListens,
    control: controlOf(config),
    ...(bacnet.length > 0 ? { bacnet } : {}),
  };
  // The east campus starts now, beside the main hospital: its own line says when it runs.
  const campus = east && {
    dashboard: dashboardOf(east.config),
    control: controlOf(east.config),
    command: faultCommand(east),
  };
  log.info(
    {
      dashboard: gateway.web.url,
      broker: gateway.mqtt.brokerUrl,
      listening,
      ...(campus ? { east: campus } : {}),
    },
    `demo running: dashboard ${gateway.web.url} (listening on ${listening.web}), MQTT broker ${gateway.mqtt.brokerUrl} ` +
      `(listening on ${listening.mqtt}), ${bacnet.length > 0 ? `BACnet/IP on UDP ${bacnet.join(', ')}, ` : ''}` +
      `fault injection on ${listening.control}: ` +
      `\`${FAULT_COMMAND} <device> <type>\` (see \`${FAULT_COMMAND} --help\`)` +
      (campus
        ? `; east campus (starting): dashboard ${campus.dashboard}, fault injection on ${campus.control}: \`${campus.command}\``
        : ''),
  );
}

const controlOf = (config: PlantConfig) =>
  `${config.simulation.control.host}:${config.simulation.control.port}`;

/** The dashboard's address as the configuration gives it (its web port moved already). */
function dashboardOf(config: PlantConfig): string {
  const { host, port, publicUrl } = config.gateway.web;
  return publicUrl ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
}

/** How to inject a fault into the campus's plant: the command finds its control port in its configuration, a moved one by its variable. */
function faultCommand({ dir, config, configured }: PreparedCampus): string {
  const { port } = config.simulation.control;
  const variable =
    port === configured.controlPort
      ? undefined
      : defaultVariable(dir, 'simulation.yaml', ['control', 'port'], process.env);
  return `${variable ? `${variable}=${port} ` : ''}${FAULT_COMMAND} --config ${dir} <device> <type>`;
}

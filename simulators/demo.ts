/**
 * The demo (`npm start`): the simulated hospital plant and the gateway together, on the
 * demo configuration, moved off taken default ports.
 */
import { type Companion, runGateway } from '../src/cli/gateway.js';
import type { PlantConfig } from '../src/config/index.js';
import type { Gateway } from '../src/gateway/index.js';
import type { Logger } from '../src/log/index.js';
import { FAULT_COMMAND } from './cli.js';
import { offTakenDefaultPorts } from './demo-ports.js';
import { backfillDemoHistory, simulatorMqttLogin, startPlantSimulator } from './index.js';

export function runDemo(configDir: string): Promise<number> {
  return runGateway(configDir, (config, log) => startDemoPlant(configDir, config, log));
}

async function startDemoPlant(configDir: string, loaded: PlantConfig, log: Logger): Promise<Companion> {
  const config = await offTakenDefaultPorts(configDir, loaded, log);
  // The simulated plant comes up first, so the gateway finds its devices at the first try;
  // its MQTT meters connect once the gateway's broker listens.
  const counters = await backfillDemoHistory(config, log);
  const simulator = await startPlantSimulator(config, {
    counters,
    log: log.child({ component: 'simulator' }),
    control: true,
  });
  return {
    config,
    started(gateway) {
      simulator.connectMeters(simulatorMqttLogin(config, gateway.mqtt.brokerUrl));
      logSummary(config, gateway, log);
    },
    stop: () => simulator.stop(),
  };
}

/** Where each part listens (its bound address, not only a URL to open) and how to play with it. */
function logSummary(config: PlantConfig, gateway: Gateway, log: Logger): void {
  const { host, port } = config.simulation.control;
  const webPort = new URL(gateway.web.url).port;
  const broker = config.gateway.mqtt?.broker;
  const mqttListens =
    broker?.mode === 'embedded' ? `${broker.host}:${new URL(gateway.mqtt.brokerUrl).port}` : 'external';
  const bacnet = (config.gateway.bacnet?.ports ?? []).map((p) => `${p.interface}:${p.udpPort}`);
  const listening = {
    web: `${config.gateway.web.host}:${webPort}`,
    mqtt: mqttListens,
    control: `${host}:${port}`,
    ...(bacnet.length > 0 ? { bacnet } : {}),
  };
  log.info(
    { dashboard: gateway.web.url, broker: gateway.mqtt.brokerUrl, listening },
    `demo running: dashboard ${gateway.web.url} (listening on ${listening.web}), MQTT broker ${gateway.mqtt.brokerUrl} ` +
      `(listening on ${listening.mqtt}), ${bacnet.length > 0 ? `BACnet/IP on UDP ${bacnet.join(', ')}, ` : ''}` +
      `fault injection on ${listening.control}: ` +
      `\`${FAULT_COMMAND} <device> <type>\` (see \`${FAULT_COMMAND} --help\`)`,
  );
}

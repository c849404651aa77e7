/** An MQTT client on a gateway's embedded broker, logged in as the demo's read-only viewer (a BMS, mosquitto_sub). */
import mqtt, { type MqttClient } from 'mqtt';
import type { PlantConfig } from '../../src/config/index.js';
import type { Gateway } from '../../src/gateway/index.js';

export function connectAsViewer(gateway: Gateway, config: PlantConfig): Promise<MqttClient> {
  const broker = config.gateway.mqtt?.broker;
  const viewer = broker?.mode === 'embedded' ? broker.users.find((u) => u.username === 'viewer') : undefined;
  return mqtt.connectAsync(gateway.mqtt.brokerUrl, {
    username: viewer?.username,
    password: viewer?.password,
    reconnectPeriod: 0,
  });
}

/**
 * Meters that report over MQTT: one client publishes each device's JSON reading, built
 * from the profile's own field paths, every `publishEvery` seconds.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { PlantConfig } from '../src/config/index.js';
import type { MqttDeviceConfig, MqttProfile } from '../src/config/schema.js';
import { WaterMeterModel } from './physics/water-meter.js';
import type { PlantModel } from './plant.js';

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] = (node[key] as Record<string, unknown>) ?? {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

export function payloadOf(profile: MqttProfile, values: Record<string, unknown>, time: number): string {
  const payload: Record<string, unknown> = {};
  for (const point of profile.points) {
    const raw = values[point.name];
    if (typeof raw !== 'number') continue;
    setPath(payload, point.json, Math.round(((raw - point.offset) / point.scale) * 1000) / 1000);
  }
  if (profile.timestamp) setPath(payload, profile.timestamp, new Date(time).toISOString());
  return JSON.stringify(payload);
}

export interface MqttMeters {
  close(): Promise<void>;
}

export function startMqttMeters(
  config: PlantConfig,
  plant: PlantModel,
  login: { url: string; username?: string; password?: string },
  log: Logger,
): MqttMeters {
  const meters = config.devices.filter((d): d is MqttDeviceConfig => d.enabled && 'mqtt' in d);
  const client: MqttClient = mqtt.connect(login.url, {
    username: login.username,
    password: login.password,
    clientId: `plantwatch-simulator-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    reconnectPeriod: 1000,
  });
  client.on('error', (err) => log.warn({ err: err.message }, 'simulated meters: MQTT error'));
  const publish = (device: MqttDeviceConfig) => {
    if (!client.connected) return;
    const profile = config.profiles.get(device.profile);
    if (profile?.protocol !== 'mqtt') return;
    const values = plant.values(device.id);
    client.publish(device.mqtt.topic, payloadOf(profile, values, Date.now()), { qos: 1 });
  };
  const timers = meters.map((device) => {
    const model = plant.model(device.id);
    const every = model instanceof WaterMeterModel ? model.publishEverySeconds : 5;
    const timer = setInterval(() => publish(device), every * 1000);
    timer.unref();
    return timer;
  });
  client.on('connect', () => {
    for (const device of meters) publish(device);
  });
  return {
    async close() {
      for (const t of timers) clearInterval(t);
      await client.endAsync(true).catch(() => {});
    },
  };
}

/**
 * Meters that report over MQTT: one client publishes each device's JSON reading, built
 * from the profile's own field paths, every `publishEvery` seconds.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { z } from 'zod';
import type { PlantConfig } from '../src/config/index.js';
import type { MqttDeviceConfig, MqttProfile } from '../src/config/schema.js';
import type { Logger } from '../src/log/index.js';
import type { Faults } from './faults.js';
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

/** The reading as the meter would send it: raw units (the gateway applies scale and offset). */
export function payloadOf(profile: MqttProfile, values: Record<string, unknown>, time: number): string {
  const payload: Record<string, unknown> = {};
  for (const point of profile.points) {
    const raw = values[point.name];
    let field: unknown;
    if (typeof raw === 'number') field = Math.round(((raw - point.offset) / point.scale) * 1000) / 1000;
    else if (typeof raw === 'boolean') field = point.kind === 'state' ? raw : Number(raw);
    else continue;
    // "." is a meter that publishes one bare number.
    if (point.json === '.') return JSON.stringify(field);
    setPath(payload, point.json, field);
  }
  if (profile.timestamp) setPath(payload, profile.timestamp, new Date(time).toISOString());
  return JSON.stringify(payload);
}

const PublishEvery = z.number().positive().max(3600).default(5);

/** Seconds between a meter's readings, from its simulation params (validated here, not by the physics). */
function publishEverySeconds(config: PlantConfig, deviceId: string): number {
  const parsed = PublishEvery.safeParse(config.simulation.devices[deviceId]?.publishEvery);
  if (!parsed.success) {
    throw new Error(
      `simulation.yaml: devices.${deviceId}: publishEvery: expected seconds between 0 and 3600 (${parsed.error.issues[0]?.message})`,
    );
  }
  return parsed.data;
}

export interface MqttMeters {
  close(): Promise<void>;
}

export function startMqttMeters(
  config: PlantConfig,
  plant: PlantModel,
  login: { url: string; username?: string; password?: string },
  faults: Faults,
  log: Logger,
  now: () => number = Date.now,
): MqttMeters {
  const meters = config.devices.filter((d): d is MqttDeviceConfig => d.enabled && 'mqtt' in d);
  const periods = meters.map((device) => publishEverySeconds(config, device.id));
  const client: MqttClient = mqtt.connect(login.url, {
    username: login.username,
    password: login.password,
    clientId: `plantwatch-simulator-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    reconnectPeriod: 1000,
  });
  // One warning per outage, not one per reconnect attempt (every second while the broker is down).
  let warned = false;
  client.on('error', (err) => {
    if (warned) return;
    warned = true;
    log.warn({ err: err.message, url: login.url }, 'simulated meters: MQTT broker unreachable, retrying');
  });
  const pending = new Set<NodeJS.Timeout>();
  const send = (device: MqttDeviceConfig, payload: string) => {
    if (client.connected) client.publish(device.mqtt.topic, payload, { qos: 1 });
  };
  const publish = (device: MqttDeviceConfig) => {
    if (!client.connected) return;
    const profile = config.profiles.get(device.profile);
    if (profile?.protocol !== 'mqtt') return;
    const comm = faults.comm(device.id);
    // An offline meter (dead battery, lost Wi-Fi) sends nothing: the gateway marks it stale.
    if (comm.offline) return;
    const payload = payloadOf(profile, plant.values(device.id), now());
    if (comm.delayMs === 0) return send(device, payload);
    // A slow meter (buffered by its concentrator): the reading arrives late, stamped when taken.
    const timer = setTimeout(() => {
      pending.delete(timer);
      send(device, payload);
    }, comm.delayMs);
    pending.add(timer);
  };
  const timers = meters.map((device, i) => {
    const every = periods[i] as number;
    const timer = setInterval(() => publish(device), every * 1000);
    timer.unref();
    return timer;
  });
  client.on('connect', () => {
    if (warned) log.info({ url: login.url }, 'simulated meters: MQTT broker reachable again');
    warned = false;
    for (const device of meters) publish(device);
  });
  return {
    async close() {
      for (const t of timers) clearInterval(t);
      for (const t of pending) clearTimeout(t);
      await client.endAsync(true).catch(() => {});
    },
  };
}

/**
 * Meters that report over MQTT, against a real in-process aedes broker: the JSON the
 * profile describes, on the device's topic, with the login given, at the configured
 * period, and again after the broker comes back.
 */
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { freePort } from '../helpers/modbus-tcp-device.js';
import { plantConfig } from '../helpers/plant-config.js';
import { until } from '../helpers/wait.js';

const waterProfile = {
  id: 'wm',
  name: 'Water meter',
  equipment: 'water-meter',
  protocol: 'mqtt',
  timestamp: 'meta.ts',
  points: [
    { name: 'volume_m3', json: 'meter.total_m3', counter: true },
    { name: 'flow_m3h', json: 'flow', scale: 0.001 }, // the meter sends litres per hour
  ],
};
const o2Profile = {
  id: 'o2',
  name: 'Oxygen (MQTT)',
  equipment: 'oxygen-station',
  protocol: 'mqtt',
  points: [
    { name: 'supply_pressure_bar', json: 'p' },
    { name: 'low_pressure_alarm', json: 'alarm', kind: 'state' },
  ],
};

const config = plantConfig({
  profiles: [waterProfile, o2Profile],
  devices: [
    { id: 'wm-ward', name: 'Ward meter', profile: 'wm', mqtt: { topic: 'water/ward' } },
    { id: 'o2', name: 'Oxygen', profile: 'o2', mqtt: { topic: 'gas/o2' } },
  ],
  simulation: {
    devices: { 'wm-ward': { baseM3h: 0.5, peakM3h: 6, publishEvery: 0.3 }, o2: { publishEvery: 60 } },
  },
});

let port: number;
let broker: Awaited<ReturnType<typeof Aedes.createBroker>>;
let server: Server;
let listener: MqttClient;
let sim: PlantSimulator | undefined;
const logins: (string | undefined)[] = [];
const received: { topic: string; payload: unknown; at: number }[] = [];

async function startBroker(): Promise<void> {
  broker = await Aedes.createBroker({
    authenticate(_client, username, password, callback) {
      logins.push(username);
      callback(null, username === undefined || String(password) === 'sim-secret');
    },
  });
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}

async function stopBroker(): Promise<void> {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Connected clients keep a net.Server open: the broker's close ended them already.
  });
}

async function connectListener(): Promise<void> {
  listener = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 200 });
  listener.on('message', (topic, payload) =>
    received.push({ topic, payload: JSON.parse(String(payload)), at: Date.now() }),
  );
  await new Promise<void>((resolve) => listener.once('connect', () => resolve()));
  await listener.subscribeAsync(['water/#', 'gas/#']);
}

beforeAll(async () => {
  port = await freePort();
  await startBroker();
  await connectListener();
});
afterAll(async () => {
  await sim?.stop();
  await listener?.endAsync(true);
  await stopBroker();
});

describe('MQTT meters', () => {
  it('publish nothing when no broker is given', async () => {
    const quiet = await startPlantSimulator(config);
    expect(quiet.endpoints.some((e) => e.line === 'mqtt')).toBe(false);
    await new Promise((r) => setTimeout(r, 400));
    await quiet.stop();
    expect(received).toHaveLength(0);
  });

  it('publish the profile JSON at once, with their login, then every publishEvery seconds', async () => {
    sim = await startPlantSimulator(config, {
      mqtt: { url: `mqtt://127.0.0.1:${port}`, username: 'simulator', password: 'sim-secret' },
    });
    const first = await until('the oxygen reading', () => received.find((m) => m.topic === 'gas/o2'));
    expect(logins).toContain('simulator');
    expect(first.payload).toEqual({ p: expect.closeTo(4.2, 1), alarm: false });

    await until('three water readings', () => received.filter((m) => m.topic === 'water/ward').length >= 3);
    const water = received.filter((m) => m.topic === 'water/ward');
    const reading = water[0]!.payload as { meter: { total_m3: number }; flow: number; meta: { ts: string } };
    expect(reading.meter.total_m3).toBeGreaterThan(0);
    expect(reading.flow).toBeGreaterThan(400); // litres per hour: at least the 0.5 m³/h base
    expect(Math.abs(Date.parse(reading.meta.ts) - water[0]!.at)).toBeLessThan(2000);
    // The period by the meter's own stamps: a busy test process bunches arrivals, not stamps.
    const stamp = (m: (typeof water)[number]) => Date.parse((m.payload as typeof reading).meta.ts);
    const gap = stamp(water[2]!) - stamp(water[1]!);
    expect(gap).toBeGreaterThan(150);
    expect(gap).toBeLessThan(1000);
    // The oxygen station publishes once a minute: only the reading at connect so far.
    expect(received.filter((m) => m.topic === 'gas/o2')).toHaveLength(1);
  });

  it('a leak shows in the published flow', async () => {
    const before = Number(sim!.values('wm-ward').flow_m3h);
    sim!.faults.inject('wm-ward', { type: 'leak', flowM3h: 20 });
    const since = Date.now();
    const leaking = await until('a reading after the leak', () =>
      received.find((m) => m.topic === 'water/ward' && m.at > since),
    );
    expect((leaking.payload as { flow: number }).flow).toBeGreaterThan((before + 19) * 1000);
  });

  it('reconnect by themselves when the broker comes back', async () => {
    await stopBroker();
    await listener.endAsync(true);
    await startBroker();
    await connectListener();
    const since = Date.now();
    await until(
      'a reading after the broker restarted',
      () => received.find((m) => m.topic === 'water/ward' && m.at > since),
      6000,
    );
  }, 10_000);

  it('refuse a bad publishEvery, naming the device and the key', async () => {
    const bad = plantConfig({
      profiles: [waterProfile],
      devices: [{ id: 'wm-x', name: 'X', profile: 'wm', mqtt: { topic: 'water/x' } }],
      simulation: { devices: { 'wm-x': { publishEvery: 'often' } } },
    });
    await expect(startPlantSimulator(bad, { mqtt: { url: `mqtt://127.0.0.1:${port}` } })).rejects.toThrow(
      /devices\.wm-x: publishEvery/,
    );
  });
});

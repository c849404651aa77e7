/**
 * Fuzz end to end: the gateway's MQTT service (embedded aedes broker, ACLs, subscriber)
 * receives ~1,000 hostile messages from a real mqtt client, on the device's topic and on
 * random topics, plus raw garbage on bare TCP sockets; it must keep running, count every
 * malformed device payload, publish only sound values, and still map the next valid reading.
 * A subscriber that threw on garbage would crash the process from the mqtt client's message
 * event (vitest fails the run on the uncaught error); one that miscounted or stopped mapping
 * fails the counts and the last reading below.
 */
import { connect as tcpConnect } from 'node:net';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import { mapPayload, startMqtt } from '../../src/acquisition/mqtt/index.js';
import type { MqttDeviceConfig, MqttProfile } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/index.js';
import { plantConfig } from '../helpers/plant-config.js';
import { recordingBus } from '../helpers/recorder.js';
import { until } from '../helpers/wait.js';
import { payloadArb } from './arbitraries.js';
import { reportScenario, SEED } from './fuzz.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const MESSAGES = 1_000;
const DEVICE_TOPIC = 'meters/water/fuzz';

const profile = {
  id: 'water-meter',
  name: 'Water meter',
  equipment: 'water-meter',
  protocol: 'mqtt',
  timestamp: 'ts',
  points: [
    { name: 'volume_m3', json: 'total', counter: true, unit: 'm³' },
    { name: 'flow_m3h', json: 'flow', unit: 'm³/h', range: [0, 200] },
  ],
};

/** Topics anyone might publish to: the device's, its neighbours, "$" topics, unicode, very long. */
const topicArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(DEVICE_TOPIC) },
  {
    weight: 4,
    arbitrary: fc
      .array(
        fc.constantFrom(
          'meters',
          'water',
          'fuzz',
          '',
          '$SYS',
          'plantwatch',
          'main',
          'é',
          '🚀',
          'a b',
          'x'.repeat(300),
        ),
        {
          minLength: 1,
          maxLength: 6,
        },
      )
      .map((levels) => levels.join('/'))
      .filter((t) => t.length > 0),
  },
);

it('keeps running through ~1,000 hostile messages, counts the malformed ones and maps the next good one', async () => {
  const start = Date.now();
  const config = plantConfig({
    gateway: {
      mqtt: {
        broker: {
          mode: 'embedded',
          host: '127.0.0.1',
          port: 0,
          // Allowed everything the broker lets a user have, so random topics reach its routing.
          users: [{ username: 'fuzzer', password: 'fuzz', publish: ['#'], subscribe: ['#'] }],
        },
      },
    },
    profiles: [profile],
    devices: [{ id: 'wm-fuzz', name: 'Fuzzed meter', profile: 'water-meter', mqtt: { topic: DEVICE_TOPIC } }],
  });
  const { bus, latest, history } = recordingBus();
  const svc = await startMqtt({ config, bus, log: silentLogger() });
  cleanup.push(() => svc.stop());
  await until('gateway connected to its broker', () => svc.stats().connected);

  // A refused publish ("$" topics, the gateway's own) makes aedes drop that client: connect a new one then.
  let sender: mqtt.MqttClient | undefined;
  let connections = 0;
  const connected = async () => {
    if (sender?.connected) return sender;
    const previous = sender;
    if (previous) await previous.endAsync(true);
    const fresh = await mqtt.connectAsync(svc.brokerUrl, {
      username: 'fuzzer',
      password: 'fuzz',
      reconnectPeriod: 0,
    });
    fresh.on('error', () => {});
    connections++;
    sender = fresh;
    cleanup.push(() => fresh.endAsync(true));
    return fresh;
  };

  const messages = fc.sample(fc.tuple(topicArb, payloadArb), { seed: SEED, numRuns: MESSAGES });
  const device = config.devices[0] as MqttDeviceConfig;
  const mqttProfile = config.profiles.get('water-meter') as MqttProfile;
  let toDevice = 0;
  let malformed = 0;
  let withValues = 0;
  let refusedByClient = 0;
  for (const [topic, text] of messages) {
    if (topic === DEVICE_TOPIC) {
      toDevice++;
      // What the unit says of this payload: the service must count exactly these as malformed.
      const mappedNow = mapPayload(device, mqttProfile, text, Date.now());
      if (mappedNow.problems.length > 0) malformed++;
      if (mappedNow.values.length > 0) withValues++;
    }
    // QoS 1: the broker has taken it when this resolves, so the counts below are final. A
    // publish the ACL refuses closes the connection without a PUBACK: settle on close too.
    const client = await connected();
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await Promise.race([client.publishAsync(topic, text, { qos: 1 }).catch(() => refusedByClient++), closed]);
  }

  // Raw garbage on bare sockets: a broken client must cost the broker nothing but that socket.
  const [host, port] = new URL(svc.brokerUrl).host.split(':') as [string, string];
  const garbage = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 512 }), { seed: SEED, numRuns: 50 });
  await Promise.all(
    garbage.map(
      (bytes) =>
        new Promise<void>((resolve) => {
          const socket = tcpConnect(Number(port), host, () => socket.end(Buffer.from(bytes)));
          socket.on('error', () => resolve());
          socket.on('close', () => resolve());
          socket.setTimeout(2000, () => socket.destroy());
        }),
    ),
  );

  await until('every device message handled', () => svc.stats().messagesReceived === toDevice, 10_000);
  expect(svc.stats().malformedPayloads).toBe(malformed);
  expect(svc.stats().connected).toBe(true);
  // Whatever reached the bus is sound: no non-finite number, no invalid time.
  for (const v of history) {
    if (typeof v.value === 'number') expect(Number.isFinite(v.value)).toBe(true);
    expect(Number.isFinite(new Date(v.ts).getTime())).toBe(true);
  }

  // The next valid reading, from a fresh client (the broker still accepts logins), arrives.
  const meter = await mqtt.connectAsync(svc.brokerUrl, {
    username: 'fuzzer',
    password: 'fuzz',
    reconnectPeriod: 0,
  });
  cleanup.push(() => meter.endAsync(true));
  const flow = 123.25;
  await meter.publishAsync(DEVICE_TOPIC, JSON.stringify({ total: 5, flow, ts: new Date().toISOString() }), {
    qos: 1,
  });
  await until('the valid reading on the bus', () => latest.get('wm-fuzz.flow_m3h')?.value === flow);
  expect(latest.get('wm-fuzz.flow_m3h')?.quality).toBe('good');

  reportScenario(
    'mqtt broker end-to-end',
    messages.length + garbage.length,
    start,
    `${toDevice} to the device topic (${malformed} malformed, counted ${svc.stats().malformedPayloads}; ${withValues} gave values), ` +
      `${messages.length - toDevice} to random topics, ${garbage.length} raw garbage sockets, ` +
      `${svc.stats().deniedPublishes ?? 0} publishes denied, ${refusedByClient} refused client-side, ${connections} sender connections`,
  );
}, 30_000);

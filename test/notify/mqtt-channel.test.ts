/**
 * The MQTT channel through a real aedes broker on 127.0.0.1 and a real mqtt.js client: a
 * subscriber gets the webhook's JSON document on the topic named after site and priority.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmEvent } from '../../src/alarms/types.js';
import { createMqttChannel, expandTopic } from '../../src/notify/channels/index.js';
import type { OutgoingMessage } from '../../src/notify/types.js';
import { until } from '../helpers/wait.js';

const T0 = Date.UTC(2025, 0, 15, 3, 12, 0);

const event: AlarmEvent = {
  seq: 7,
  alarmId: 'low-pressure@o2',
  rule: 'low-pressure',
  kind: 'activated',
  from: 'normal',
  to: 'active-unacknowledged',
  ts: T0,
  priority: 'high',
  message: 'Oxygen supply pressure 3.1 bar',
  value: 3.1,
  limit: 3.5,
  notify: true,
  site: 'north-campus',
  building: 'Main building',
  room: 'Oxygen station',
  device: 'o2',
  equipment: 'oxygen-station',
};

const message: OutgoingMessage = {
  kind: 'alarm',
  priority: 'high',
  subject: '[HIGH] Oxygen supply pressure low — Oxygen station, Main building',
  text: 'Oxygen supply pressure 3.1 bar (limit 3.5 bar).',
  events: [event],
  audience: 'gas-team',
  ts: T0 + 20,
};

let broker: Awaited<ReturnType<typeof Aedes.createBroker>>;
let server: Server;
let url: string;
let publisher: MqttClient;
let subscriber: MqttClient;
const received: { topic: string; payload: string }[] = [];

beforeAll(async () => {
  broker = await Aedes.createBroker();
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  publisher = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 });
  subscriber = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 });
  subscriber.on('message', (topic, payload) => received.push({ topic, payload: payload.toString('utf8') }));
  await subscriber.subscribeAsync('plantwatch/notify/#', { qos: 1 });
});

afterAll(async () => {
  await publisher?.endAsync();
  await subscriber?.endAsync();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('MQTT channel', () => {
  it('publishes the message JSON on the topic expanded with site and priority', async () => {
    const channel = createMqttChannel({
      topic: 'plantwatch/notify/{site}/{priority}',
      publish: async (topic, payload) => {
        await publisher.publishAsync(topic, payload, { qos: 1 });
      },
    });
    expect(channel.id).toBe('mqtt');
    await channel.send(message, [
      { id: 'li', name: 'Li Wei', email: 'li.wei@hospital.example' },
      { id: 'tom', name: 'Tom Berg' },
    ]);
    const got = await until('the notification on the broker', () => received[0]);
    expect(got.topic).toBe('plantwatch/notify/north-campus/high');
    expect(JSON.parse(got.payload)).toEqual({
      kind: 'alarm',
      priority: 'high',
      subject: message.subject,
      text: message.text,
      audience: 'gas-team',
      ts: '2025-01-15T03:12:00.020Z',
      recipients: [
        { id: 'li', name: 'Li Wei' },
        { id: 'tom', name: 'Tom Berg' },
      ],
      events: [{ ...event, ts: '2025-01-15T03:12:00.000Z' }],
    });
    expect(got.payload).not.toContain('hospital.example');
    await channel.close();
  });

  it('rejects when the publish fails, so delivery can retry', async () => {
    const channel = createMqttChannel({
      id: 'bms',
      topic: 'plantwatch/notify/{site}',
      publish: () => Promise.reject(new Error('client disconnected')),
    });
    await expect(channel.send(message, [])).rejects.toThrow('client disconnected');
  });

  it('keeps placeholder values from adding topic levels or wildcards', () => {
    const odd = { ...message, events: [{ ...event, site: 'north/+#' }] };
    expect(expandTopic('n/{site}/{priority}', odd)).toBe('n/north___/high');
    expect(expandTopic('n/{site}', { ...message, events: [] })).toBe('n/unknown');
  });
});

/**
 * Alarm states on MQTT through a real Mosquitto: retained per alarm, and set again after the
 * broker restarts (it keeps nothing), so a client connecting later still reads what is wrong.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { publishAlarmStates } from '../../src/gateway/alarm-topics.js';
import { silentLogger } from '../../src/log/index.js';
import { type AlarmHarness, alarmHarness } from '../alarms/harness.js';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';

const TRIP = {
  id: 'trip',
  profile: 'chiller',
  type: 'state',
  point: 'tripped',
  equals: true,
  priority: 'critical',
};

let broker: Mosquitto;
let h: AlarmHarness;
const clients: MqttClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true);
  await h?.stop();
  await broker?.stop();
});

/** The retained state a client connecting now reads for this alarm. */
async function retainedState(topic: string): Promise<{ state: string; id: string }> {
  const reader = mqtt.connect(broker.url, { reconnectPeriod: 0 });
  clients.push(reader);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no retained message on ${topic}`)), 5000);
    reader.on('message', (_t, payload, packet) => {
      if (!packet.retain) return;
      clearTimeout(timer);
      resolve(JSON.parse(payload.toString()));
    });
    reader.subscribe(topic);
  });
}

describe('alarm states on MQTT', () => {
  it('are retained per alarm and set again after the broker restarts', async () => {
    broker = await startMosquitto();
    h = alarmHarness([TRIP]);
    const gateway = mqtt.connect(broker.url, { reconnectPeriod: 200 });
    clients.push(gateway);
    await new Promise((resolve) => gateway.once('connect', resolve));
    const stop = publishAlarmStates(
      h.service,
      {
        publish: (topic, payload, options) =>
          gateway.publishAsync(topic, payload, { qos: 1, ...options }).then(() => {}),
        onConnect: (listener) => {
          gateway.on('connect', listener);
          return () => gateway.off('connect', listener);
        },
      },
      'plantwatch',
      silentLogger(),
    );
    const topic = 'plantwatch/main/alarms/trip@ch1';
    expect(await retainedState(topic)).toMatchObject({ id: 'trip@ch1', state: 'normal' });

    h.set('ch1.tripped', true);
    await expect
      .poll(async () => (await retainedState(topic)).state, { timeout: 5000 })
      .toBe('active-unacknowledged');

    await broker.restart(); // persistence off: the broker forgot every retained message
    await new Promise((resolve) => gateway.once('connect', resolve));
    // (polled: a reader subscribing while the resync is in flight gets it live, not retained)
    await expect
      .poll(async () => (await retainedState(topic)).state, { timeout: 12_000 })
      .toBe('active-unacknowledged');
    stop();
  }, 30_000);
});

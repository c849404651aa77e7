/**
 * Alarms on MQTT, for any client (a BMS, a pager gateway, a wall display):
 * `<prefix>/<site>/alarms/<alarm id>` holds each alarm's current state, retained, so a new
 * subscriber learns what is wrong now; `<prefix>/<site>/alarm-events` carries every
 * transition as it happens.
 */

import type { MqttService } from '../acquisition/mqtt/index.js';
import type { AlarmService } from '../alarms/index.js';
import type { Logger } from '../log/index.js';

export function publishAlarmStates(
  alarms: AlarmService,
  mqtt: Pick<MqttService, 'publish'>,
  prefix: string,
  log: Logger,
): () => void {
  let failures = 0;
  const publish = (topic: string, payload: unknown, retain: boolean) =>
    mqtt.publish(topic, JSON.stringify(payload), { retain }).catch((err: Error) => {
      // The journal has the event; MQTT is a courtesy copy. Logged, not retried.
      if (failures++ % 100 === 0)
        log.warn({ err: err.message, topic, failures }, 'alarm not published on MQTT');
    });
  return alarms.subscribe((event) => {
    const status = alarms.get(event.alarmId);
    void publish(`${prefix}/${event.site}/alarms/${event.alarmId}`, status, true);
    void publish(`${prefix}/${event.site}/alarm-events`, event, false);
  });
}

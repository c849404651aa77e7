/**
 * Alarms on MQTT, for any client (a BMS, a pager gateway, a wall display):
 * `<prefix>/<site>/alarms/<alarm id>` holds each alarm's current state, retained, so a new
 * subscriber learns what is wrong now; `<prefix>/<site>/alarm-events` carries every
 * transition as it happens; after a broker outage the retained states are set again.
 */

import type { MqttService } from '../acquisition/mqtt/index.js';
import type { AlarmService } from '../alarms/index.js';
import type { Logger } from '../log/index.js';

export function publishAlarmStates(
  alarms: AlarmService,
  mqtt: Pick<MqttService, 'publish' | 'onConnect'>,
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
  const stateTopic = (site: string, id: string) => `${prefix}/${site}/alarms/${id}`;
  const stopEvents = alarms.subscribe((event) => {
    void publish(stateTopic(event.site, event.alarmId), alarms.get(event.alarmId), true);
    void publish(`${prefix}/${event.site}/alarm-events`, event, false);
  });
  // At start, and on every reconnection (transitions while the broker was away were not
  // published), the retained state of every alarm is set again: no subscriber reads a stale one.
  const resync = () => {
    for (const status of alarms.list({ includeNormal: true }))
      void publish(stateTopic(status.site, status.id), status, true);
  };
  resync();
  const stopResync = mqtt.onConnect(resync);
  return () => {
    stopEvents();
    stopResync();
  };
}

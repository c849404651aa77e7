/**
 * MQTT channel: the message as the webhook's JSON document, published on a topic that may
 * name the site and the priority, so a building-management system or a pager gateway can
 * subscribe to just what concerns it. The connection belongs to whoever passes `publish`.
 */
import type { Channel, OutgoingMessage } from '../types.js';
import { messageJson } from './webhook.js';

export interface MqttChannelOptions {
  id?: string;
  /** e.g. "plantwatch/notifications/{site}/{priority}". */
  topic: string;
  publish: (topic: string, payload: string) => Promise<void>;
}

/** A value put into a topic level must not add levels or wildcards. */
const topicLevel = (value: string): string => value.replace(/[/#+]/g, '_') || '_';

export function expandTopic(template: string, message: OutgoingMessage): string {
  const site = message.events[0]?.site ?? 'unknown';
  return template
    .replaceAll('{site}', topicLevel(site))
    .replaceAll('{priority}', topicLevel(message.priority));
}

export function createMqttChannel(options: MqttChannelOptions): Channel {
  return {
    id: options.id ?? 'mqtt',
    async send(message, to) {
      await options.publish(expandTopic(options.topic, message), JSON.stringify(messageJson(message, to)));
    },
    async close() {
      // The client is shared with the rest of the gateway and closed by its owner.
    },
  };
}

/**
 * Notifications: who is on duty (roster), what they get and when (dispatcher), in which words
 * (compose), through which channels (channels/, each behind its own Delivery queue).
 */
import type { AlarmEvent } from '../alarms/types.js';
import { type NotifySettings, notificationsEnabled } from '../config/notify-schema.js';
import type { Logger } from '../log/index.js';
import { createEmailChannel, createMqttChannel, createWebhookChannel } from './channels/index.js';
import { Delivery } from './delivery.js';
import { NotificationDispatcher, type NotifierStats } from './dispatcher.js';
import { DutyRoster } from './roster.js';
import type { Channel, DeliveryStats } from './types.js';

export {
  NOTIFY_DISABLED,
  type NotifySettings,
  notificationsEnabled,
  notifyFile,
} from '../config/notify-schema.js';
export * from './compose.js';
export {
  type DeliveryTarget,
  type DispatcherOptions,
  NotificationDispatcher,
  type NotifierStats,
} from './dispatcher.js';
export { DutyRoster, type Shift, type ShiftInfo, type TeamRoute } from './roster.js';
export * from './types.js';

export interface NotifierOptions {
  settings: NotifySettings;
  log: Logger;
  /** Publishes on the gateway's MQTT connection; without it the mqtt channel is left out. */
  publishMqtt?: (topic: string, payload: string) => Promise<void>;
  /** The dashboard's address (web.publicUrl): messages link to their alarm there. */
  publicUrl?: string;
}

export interface Notifier {
  readonly roster: DutyRoster;
  readonly enabled: boolean;
  /** Give it every alarm event (an AlarmListener). */
  handle(event: AlarmEvent): void;
  /** After a restart: these activations are still unacknowledged, keep escalating them. */
  resume(activations: readonly AlarmEvent[]): void;
  stats(): { notifier: NotifierStats; deliveries: DeliveryStats[] };
  /** Stop the timers, then drain (bounded) and close every channel. */
  close(): Promise<void>;
}

function createChannels(options: NotifierOptions): Channel[] {
  const { channels } = options.settings;
  const { log } = options;
  const list: Channel[] = [];
  if (channels.email) {
    const { timeout, ...email } = channels.email;
    list.push(
      createEmailChannel({ ...email, id: 'email', timeoutMs: timeout, lang: options.settings.lang }, log),
    );
  }
  for (const { timeout, lang, ...webhook } of channels.webhooks) {
    list.push(
      createWebhookChannel({ ...webhook, timeoutMs: timeout, lang: lang ?? options.settings.lang }, log),
    );
  }
  if (channels.mqtt && options.publishMqtt) {
    list.push(createMqttChannel({ id: 'mqtt', topic: channels.mqtt.topic, publish: options.publishMqtt }));
  } else if (channels.mqtt) {
    log.warn('notify.yaml configures MQTT notifications but the gateway has no MQTT connection for them');
  }
  return list;
}

export function startNotifier(options: NotifierOptions): Notifier {
  const { settings, log } = options;
  const roster = new DutyRoster(settings);
  const deliveries = new Map(createChannels(options).map((ch) => [ch.id, new Delivery(ch, log)] as const));
  const dispatcher = new NotificationDispatcher({
    settings,
    roster,
    deliveries,
    log,
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
  });
  return {
    roster,
    enabled: notificationsEnabled(settings),
    handle: (event) => dispatcher.handle(event),
    resume: (activations) => {
      for (const activation of activations) dispatcher.resumeEscalation(activation);
    },
    stats: () => ({
      notifier: dispatcher.stats(),
      deliveries: [...deliveries.values()].map((d) => d.stats()),
    }),
    async close() {
      dispatcher.stop();
      await Promise.all([...deliveries.values()].map((d) => d.close()));
    },
  };
}

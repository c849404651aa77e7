export { createEmailChannel, type EmailChannelOptions } from './email.js';
export { createMqttChannel, expandTopic, type MqttChannelOptions } from './mqtt.js';
export {
  chatText,
  createWebhookChannel,
  type MessageJson,
  messageJson,
  WEBHOOK_FORMATS,
  type WebhookChannelOptions,
  type WebhookFormat,
} from './webhook.js';

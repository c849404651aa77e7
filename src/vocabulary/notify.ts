/**
 * What a webhook channel can speak: notify.yaml is validated against this list (src/config)
 * and the webhook channel formats each (src/notify/channels/webhook.ts). Constants only.
 */
export const WEBHOOK_FORMATS = ['json', 'text', 'slack', 'wecom', 'dingtalk', 'feishu'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

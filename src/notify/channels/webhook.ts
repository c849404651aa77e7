/**
 * Webhook channel: one HTTP POST per message, to a generic receiver (JSON or plain text) or
 * to a chat group's robot (Slack, WeCom 企业微信, DingTalk 钉钉, Feishu 飞书). The chat robots
 * answer HTTP 200 even when they refuse a message, with an error code in the body, so the
 * body is checked too: a refused message must reject, or the delivery queue never retries.
 */
import type { AlarmEvent, RaisedBy } from '../../alarms/types.js';
import type { Language } from '../../config/names.js';
import type { Logger } from '../../log/index.js';
import { WEBHOOK_FORMATS, type WebhookFormat } from '../../vocabulary/notify.js';
import { type Channel, inLanguage, nameIn, type OutgoingMessage, type Recipient } from '../types.js';

// The list is vocabulary (src/vocabulary/notify.ts), so that notify.yaml is validated without
// importing the channels; re-exported here, next to the code that formats each.
export { WEBHOOK_FORMATS, type WebhookFormat };

export interface WebhookChannelOptions {
  id: string;
  url: string;
  format: WebhookFormat;
  headers?: Record<string, string>;
  /** Whole request, answer included (default 10 s). */
  timeoutMs?: number;
  /** The language of the chat group's posts (default English). */
  lang?: Language;
}

/** The JSON document a generic webhook or the MQTT channel receives. */
export interface MessageJson {
  kind: OutgoingMessage['kind'];
  priority: OutgoingMessage['priority'];
  subject: string;
  text: string;
  /** The same in Chinese, for a receiver that shows one language or the other. */
  subjectZh?: string;
  textZh?: string;
  audience: string;
  ts: string;
  /** Names only: e-mail addresses are not spread to webhooks and brokers. */
  recipients: { id: string; name: string }[];
  /** Times as ISO 8601, the raising reading's too. */
  events: (Omit<AlarmEvent, 'ts' | 'raised'> & {
    ts: string;
    raised?: Omit<RaisedBy, 'ts'> & { ts: string };
  })[];
}

const isoTime = (ts: number): string => new Date(ts).toISOString();

function eventJson({ raised, ...event }: AlarmEvent): MessageJson['events'][number] {
  return {
    ...event,
    ts: isoTime(event.ts),
    ...(raised ? { raised: { ...raised, ts: isoTime(raised.ts) } } : {}),
  };
}

export function messageJson(message: OutgoingMessage, to: readonly Recipient[]): MessageJson {
  return {
    kind: message.kind,
    priority: message.priority,
    subject: message.subject,
    text: message.text,
    ...(message.zh ? { subjectZh: message.zh.subject, textZh: message.zh.text } : {}),
    audience: message.audience,
    ts: isoTime(message.ts),
    recipients: to.map((r) => ({ id: r.id, name: r.name })),
    events: message.events.map(eventJson),
  };
}

/** What a person reads in a chat group: the subject, the text, and who is on duty. */
export function chatText(message: OutgoingMessage, to: readonly Recipient[], lang: Language = 'en'): string {
  const said = inLanguage(message, lang);
  const lines = [said.subject, '', said.text];
  const names = to.map((r) => nameIn(r, lang)).join(lang === 'zh' ? '、' : ', ');
  if (to.length > 0) lines.push('', lang === 'zh' ? `值班：${names}` : `On duty: ${names}`);
  return lines.join('\n');
}

/**
 * Longest text each robot takes, in UTF-8 bytes. WeCom documents 2048 bytes for text.content;
 * Feishu refuses request bodies over 20 KB; the others are kept well under their limits.
 */
const TEXT_LIMIT_BYTES: Record<WebhookFormat, number> = {
  json: Number.POSITIVE_INFINITY,
  text: Number.POSITIVE_INFINITY,
  slack: 39_000,
  wecom: 2048,
  dingtalk: 15_000,
  feishu: 18_000,
};

/** Cut at a character boundary so the robot gets valid UTF-8 and an ellipsis says it was cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const ellipsis = '…';
  let budget = maxBytes - Buffer.byteLength(ellipsis);
  let out = '';
  for (const char of text) {
    budget -= Buffer.byteLength(char);
    if (budget < 0) break;
    out += char;
  }
  return out + ellipsis;
}

interface RequestBody {
  contentType: string;
  body: string;
}

export function webhookBody(
  format: WebhookFormat,
  message: OutgoingMessage,
  to: readonly Recipient[],
  lang: Language = 'en',
): RequestBody {
  const json = (value: unknown): RequestBody => ({
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(value),
  });
  const content = truncateUtf8(chatText(message, to, lang), TEXT_LIMIT_BYTES[format]);
  switch (format) {
    case 'json':
      return json(messageJson(message, to));
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', body: content };
    case 'slack':
      return json({ text: content });
    case 'wecom':
    case 'dingtalk':
      return json({ msgtype: 'text', text: { content } });
    case 'feishu':
      return json({ msg_type: 'text', content: { text: content } });
  }
}

const excerpt = (body: string, max = 200): string => (body.length > max ? `${body.slice(0, max)}…` : body);

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The refusal a chat robot put in a 200 answer, if any: WeCom and DingTalk answer
 * {errcode, errmsg}, Feishu {code, msg} (older hooks {StatusCode, StatusMessage}).
 */
export function robotRefusal(format: WebhookFormat, body: string): string | undefined {
  if (format !== 'wecom' && format !== 'dingtalk' && format !== 'feishu') return undefined;
  const reply = parseJsonObject(body);
  if (!reply) return `unexpected answer: ${excerpt(body) || '(empty)'}`;
  const fields =
    format === 'feishu'
      ? [
          ['code', 'msg'],
          ['StatusCode', 'StatusMessage'],
        ]
      : [['errcode', 'errmsg']];
  for (const [codeKey, messageKey] of fields as [string, string][]) {
    const code = reply[codeKey];
    if (typeof code === 'number' && code !== 0) {
      return `${codeKey} ${code}: ${String(reply[messageKey] ?? '')}`.trim();
    }
  }
  return undefined;
}

/** Why fetch failed, without the URL (it carries the robot's secret key). */
function fetchFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  return cause ? `${message} (${cause})` : message;
}

/** The configured headers win, Content-Type included, whatever their case. */
function requestHeaders(contentType: string, configured: Record<string, string> = {}): Headers {
  const headers = new Headers({ 'content-type': contentType });
  for (const [name, value] of Object.entries(configured)) headers.set(name, value);
  return headers;
}

function checkedUrl(id: string, url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`webhook channel ${id}: not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`webhook channel ${id}: only http and https URLs are accepted, not ${parsed.protocol}`);
  }
  return parsed;
}

export function createWebhookChannel(options: WebhookChannelOptions, log: Logger): Channel {
  const url = checkedUrl(options.id, options.url);
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Only the origin is ever logged: the path or query of a robot URL is its secret.
  const where = url.origin;
  const fail = (reason: string) => new Error(`webhook ${options.id} (${where}): ${reason}`);

  async function post(request: RequestBody): Promise<{ status: number; body: string }> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: requestHeaders(request.contentType, options.headers),
        body: request.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: response.status, body: await response.text() };
    } catch (err) {
      throw fail(fetchFailure(err, timeoutMs));
    }
  }

  return {
    id: options.id,
    async send(message, to) {
      const { status, body } = await post(webhookBody(options.format, message, to, options.lang));
      if (status < 200 || status > 299) throw fail(`HTTP ${status}: ${excerpt(body)}`);
      const refusal = robotRefusal(options.format, body);
      if (refusal) throw fail(refusal);
      log.debug({ channel: options.id, subject: message.subject, status }, 'webhook delivered');
    },
    async close() {
      // Nothing held open: fetch's keep-alive sockets belong to the global dispatcher.
    },
  };
}

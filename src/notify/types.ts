/**
 * What the notifier sends and through what. A channel only knows how to deliver one message
 * to some people; who is on duty, escalation, floods and digests are decided before it.
 */
import type { AlarmEvent, Priority } from '../alarms/types.js';
import type { Language } from '../config/names.js';

/** A person from the duty roster. */
export interface Recipient {
  id: string;
  name: string;
  nameZh?: string;
  email?: string;
  /** The language of this person's e-mails (notify.yaml's `lang` unless the person says). */
  lang?: Language;
}

/** A message's words in one language. */
export interface Wording {
  subject: string;
  text: string;
}

export const MESSAGE_KINDS = ['alarm', 'escalation', 'flood-summary', 'digest', 'chatter'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** One notification, already worded; a channel formats it for its medium. */
export interface OutgoingMessage {
  kind: MessageKind;
  /** The most urgent priority among the events it carries. */
  priority: Priority;
  /** One line: "[CRITICAL] Chiller 1 tripped — Chiller plant, Energy centre". */
  subject: string;
  /** Plain text body, several lines, in the words an electrician reads at 3 a.m. */
  text: string;
  /** The same subject and text in Chinese (compose.ts writes both; a channel picks one). */
  zh?: Wording;
  /** The alarm events it reports (one for an alarm, many for a summary or a digest). */
  events: AlarmEvent[];
  /** Team or escalation level it was routed to, e.g. "electricians" or "shift-lead". */
  audience: string;
  /** Epoch ms when it was composed. */
  ts: number;
}

export interface Channel {
  /** Channel id from the config, e.g. "email", "electricians-group", "mqtt". */
  readonly id: string;
  /**
   * Deliver one message to these people (e-mail uses their addresses; a chat-group webhook or
   * an MQTT topic reaches its group and lists their names). Rejects when delivery failed, so
   * the caller can retry.
   */
  send(message: OutgoingMessage, to: readonly Recipient[]): Promise<void>;
  close(): Promise<void>;
}

/** Per-channel delivery counters, for /metrics and /api/notifications. */
export interface DeliveryStats {
  channel: string;
  sent: number;
  failedAttempts: number;
  /** Messages given up after the last retry (each is logged). */
  dropped: number;
  queued: number;
  lastError?: string;
}

/** The message in a recipient's language: its Chinese words where it has them, else English. */
export function inLanguage(message: OutgoingMessage, lang: Language): OutgoingMessage {
  return lang === 'zh' && message.zh ? { ...message, ...message.zh } : message;
}

/** A recipient's name in a language. */
export const nameIn = (recipient: Recipient, lang: Language): string =>
  (lang === 'zh' ? recipient.nameZh : undefined) ?? recipient.name;

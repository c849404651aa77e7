/**
 * E-mail channel over SMTP (nodemailer). One connection per message rather than a pool:
 * alarm mail is rare, and a pooled connection left idle is one the server has usually
 * dropped by the time the next alarm comes. Every phase of the SMTP dialogue is bounded, so
 * a dead or silent server makes a send reject instead of hanging the delivery queue.
 */
import nodemailer, {
  type SMTPSentMessageInfo,
  type SMTPTransportOptions,
  type Transporter,
} from 'nodemailer';
import type { Language } from '../../config/names.js';
import type { Logger } from '../../log/index.js';
import { type Channel, inLanguage, type OutgoingMessage, type Recipient } from '../types.js';

/** The SMTP server of notify.yaml's `channels.email`, as every mail of the gateway reaches it. */
export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
  secure?: boolean;
  auth?: { user: string; pass: string };
  /** Bound on DNS, on connecting, on the greeting and on each silence during the dialogue, ms. */
  timeout?: number;
}

/** The bound on each phase of the SMTP dialogue when notify.yaml sets none. */
export const SMTP_TIMEOUT_MS = 10_000;

export type SmtpTransport = Transporter<SMTPSentMessageInfo, SMTPTransportOptions>;

/**
 * The one way the gateway reaches its SMTP server (alarm mail and the monthly report alike):
 * the same server and the same bounds, so a silent server stops either after the same time.
 */
export function createSmtpTransport(settings: SmtpSettings): SmtpTransport {
  const timeoutMs = settings.timeout ?? SMTP_TIMEOUT_MS;
  return nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure ?? false,
    ...(settings.auth ? { auth: settings.auth } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  });
}

export interface EmailChannelOptions extends Omit<SmtpSettings, 'timeout'> {
  id?: string;
  from: string;
  /** SmtpSettings' `timeout` (default 10 s). */
  timeoutMs?: number;
  /** The language of a recipient who has none of their own (default English). */
  lang?: Language;
}

/** Alarm ids the message reports, once each, for mail filters and threading. */
export const alarmIdsHeader = (message: OutgoingMessage): string =>
  [...new Set(message.events.map((e) => e.alarmId))].join(', ');

const isUrgent = (message: OutgoingMessage): boolean =>
  message.priority === 'critical' || message.priority === 'high';

const addressesOf = (to: readonly Recipient[]): string[] => to.flatMap((r) => (r.email ? [r.email] : []));

/** The recipients by the language they read, each language's e-mail sent once to its group. */
function byLanguage(to: readonly Recipient[], fallback: Language): Map<Language, Recipient[]> {
  const groups = new Map<Language, Recipient[]>();
  for (const r of to) {
    const lang = r.lang ?? fallback;
    groups.set(lang, [...(groups.get(lang) ?? []), r]);
  }
  return groups;
}

export function createEmailChannel(options: EmailChannelOptions, log: Logger): Channel {
  const id = options.id ?? 'email';
  const transport = createSmtpTransport({ ...options, timeout: options.timeoutMs });

  return {
    id,
    async send(message, to) {
      if (addressesOf(to).length === 0) {
        log.debug({ channel: id, subject: message.subject }, 'no recipient has an e-mail address; not sent');
        return;
      }
      for (const [lang, group] of byLanguage(to, options.lang ?? 'en')) {
        const addresses = addressesOf(group);
        if (addresses.length > 0) await sendOne(inLanguage(message, lang), addresses);
      }
    },
    async close() {
      transport.close();
    },
  };

  async function sendOne(message: OutgoingMessage, addresses: string[]): Promise<void> {
    const info = await transport.sendMail({
      from: options.from,
      to: addresses,
      subject: message.subject,
      text: message.text,
      // nodemailer writes X-Priority: 1 (Highest), X-MSMail-Priority and Importance for 'high'.
      priority: isUrgent(message) ? 'high' : 'normal',
      headers: message.events.length > 0 ? { 'X-Plantwatch-Alarm': alarmIdsHeader(message) } : {},
    });
    // Some addresses refused but others accepted: resending would mail the accepted ones twice.
    if (info.rejected.length > 0) {
      log.warn(
        { channel: id, subject: message.subject, rejected: info.rejected },
        'e-mail refused for some recipients',
      );
    }
    log.debug({ channel: id, subject: message.subject, accepted: info.accepted.length }, 'e-mail sent');
  }
}

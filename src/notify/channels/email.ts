/**
 * E-mail channel over SMTP (nodemailer). One connection per message rather than a pool:
 * alarm mail is rare, and a pooled connection left idle is one the server has usually
 * dropped by the time the next alarm comes. Every phase of the SMTP dialogue is bounded, so
 * a dead or silent server makes a send reject instead of hanging the delivery queue.
 */
import nodemailer, { type SMTPTransportOptions } from 'nodemailer';
import type { Language } from '../../config/names.js';
import type { Logger } from '../../log/index.js';
import { type Channel, inLanguage, type OutgoingMessage, type Recipient } from '../types.js';

export interface EmailChannelOptions {
  id?: string;
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
  secure?: boolean;
  from: string;
  auth?: { user: string; pass: string };
  /** Bound on connecting, on the greeting and on each silence during the dialogue (default 10 s). */
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
  const timeoutMs = options.timeoutMs ?? 10_000;
  const smtpOptions: SMTPTransportOptions = {
    host: options.host,
    port: options.port,
    secure: options.secure ?? false,
    ...(options.auth ? { auth: options.auth } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  };
  const transport = nodemailer.createTransport(smtpOptions);

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

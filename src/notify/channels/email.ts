/**
 * E-mail channel over SMTP (nodemailer). One connection per message rather than a pool:
 * alarm mail is rare, and a pooled connection left idle is one the server has usually
 * dropped by the time the next alarm comes. Every phase of the SMTP dialogue is bounded, so
 * a dead or silent server makes a send reject instead of hanging the delivery queue.
 */
import nodemailer, { type SMTPTransportOptions } from 'nodemailer';
import type { Logger } from '../../log/index.js';
import type { Channel, OutgoingMessage, Recipient } from '../types.js';

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
}

/** Alarm ids the message reports, once each, for mail filters and threading. */
export const alarmIdsHeader = (message: OutgoingMessage): string =>
  [...new Set(message.events.map((e) => e.alarmId))].join(', ');

const isUrgent = (message: OutgoingMessage): boolean =>
  message.priority === 'critical' || message.priority === 'high';

const addressesOf = (to: readonly Recipient[]): string[] => to.flatMap((r) => (r.email ? [r.email] : []));

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
      const addresses = addressesOf(to);
      if (addresses.length === 0) {
        log.debug({ channel: id, subject: message.subject }, 'no recipient has an e-mail address; not sent');
        return;
      }
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
    },
    async close() {
      transport.close();
    },
  };
}

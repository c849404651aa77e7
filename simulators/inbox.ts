/**
 * The demo inbox: where the notifier's e-mail and webhook posts land when there is no real
 * mail server or chat group, so someone running `npm start` sees what would have gone out.
 * E-mail arrives over SMTP (smtp-server on the control host); webhook posts arrive through
 * the control API, which hands their bodies to `recordWebhook`. Both are kept in memory,
 * newest last, the oldest dropped beyond `maxMessages`.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../src/log/index.js';

export interface InboxEmail {
  channel: 'email';
  /** Increasing number, so a reader can tell what is new since it last looked. */
  seq: number;
  receivedAt: string;
  /** The From header (decoded), else the envelope sender. */
  from: string;
  /** The envelope recipients: everyone the mail went to, Bcc included. */
  to: string[];
  subject: string;
  /** The first text/plain part, transfer encoding and charset undone. */
  text: string;
}

export interface InboxWebhook {
  channel: 'webhook';
  seq: number;
  receivedAt: string;
  /** The :group of the URL the post went to (stands for one chat group or receiver). */
  group: string;
  /** How the body was read: which robot's shape it had, or plain text. */
  format: 'wecom/dingtalk' | 'feishu' | 'slack' | 'json' | 'text';
  subject: string;
  text: string;
  contentType: string;
  raw: string;
}

export type InboxMessage = InboxEmail | InboxWebhook;
export type InboxChannel = InboxMessage['channel'];

export interface DemoInbox {
  /** The port the SMTP server listens on (the one asked for, or the one given for 0). */
  readonly smtpPort: number;
  /** Newest first; with a channel, only that channel's, typed as such. */
  messages(channel: 'email'): InboxEmail[];
  messages(channel: 'webhook'): InboxWebhook[];
  messages(channel?: InboxChannel): InboxMessage[];
  /** Record a webhook post; throws InboxInputError for a body that cannot be what it claims. */
  recordWebhook(group: string, contentType: string | undefined, body: string): InboxWebhook;
  clear(): number;
  close(): Promise<void>;
}

export interface DemoInboxOptions {
  host: string;
  smtpPort: number;
  log: Logger;
  maxMessages?: number;
}

/** A webhook body the inbox refuses: the control API answers it with 400 and this message. */
export class InboxInputError extends Error {}

/** Alarm mail is a few kB; a megabyte leaves room and still bounds what a client can make us hold. */
const MAX_MAIL_BYTES = 1024 * 1024;

export async function startDemoInbox(options: DemoInboxOptions): Promise<DemoInbox> {
  const { log } = options;
  const maxMessages = options.maxMessages ?? 500;
  const stored: InboxMessage[] = [];
  let seq = 0;
  const keep = <T extends InboxMessage>(message: T): T => {
    stored.push(message);
    if (stored.length > maxMessages) stored.splice(0, stored.length - maxMessages);
    return message;
  };

  const smtp = new SMTPServer({
    banner: 'Plantwatch demo inbox',
    authOptional: true,
    // Whatever credentials notify.yaml carries are accepted: this inbox guards nothing.
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'demo' }),
    disabledCommands: ['STARTTLS'],
    size: MAX_MAIL_BYTES,
    logger: false,
    // A stop must not wait the default 30 s for a client that keeps its connection open.
    closeTimeout: 1000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      // Past the size limit smtp-server keeps streaming: stop keeping what will be refused anyway.
      stream.on('data', (chunk: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          const err = Object.assign(new Error(`message over ${MAX_MAIL_BYTES} bytes`), { responseCode: 552 });
          callback(err);
          return;
        }
        const mail = readMail(Buffer.concat(chunks));
        const envelopeFrom = session.envelope.mailFrom;
        const message = keep<InboxEmail>({
          channel: 'email',
          seq: ++seq,
          receivedAt: new Date().toISOString(),
          from: mail.from || (envelopeFrom ? envelopeFrom.address : ''),
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: mail.subject,
          text: mail.text,
        });
        log.info(
          { channel: 'email', to: message.to, subject: message.subject },
          `demo inbox: e-mail to ${message.to.join(', ')}: ${message.subject}`,
        );
        callback();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort, options.host, () => {
      smtp.off('error', reject);
      resolve();
    });
  });
  // smtp-server emits connection errors (a client that resets) here; unheard, they would crash.
  smtp.on('error', (err: Error) => log.debug({ err: err.message }, 'demo inbox: SMTP connection error'));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  return {
    smtpPort,
    // One implementation for the overloads: the filter is what makes the narrower types true.
    messages: ((channel?: InboxChannel) =>
      stored.filter((m) => !channel || m.channel === channel).reverse()) as DemoInbox['messages'],
    recordWebhook(group, contentType, body) {
      const read = readWebhook(contentType ?? '', body);
      const message = keep<InboxWebhook>({
        channel: 'webhook',
        seq: ++seq,
        receivedAt: new Date().toISOString(),
        group,
        ...read,
        contentType: contentType ?? '',
        raw: body,
      });
      log.info(
        { channel: 'webhook', group, subject: message.subject },
        `demo inbox: webhook to group "${group}": ${message.subject}`,
      );
      return message;
    },
    clear: () => stored.splice(0).length,
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}

// ---------------------------------------------------------------- webhook bodies

type ReadWebhook = Pick<InboxWebhook, 'format' | 'subject' | 'text'>;

/** The chat robots put subject and text in one message; its first line is the subject. */
function fromChatText(format: ReadWebhook['format'], content: string): ReadWebhook {
  const subject = content.split('\n', 1)[0]?.trim() ?? '';
  return { format, subject, text: content };
}

const field = (value: unknown, ...path: string[]): string | undefined => {
  let at = value;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === 'string' ? at : undefined;
};

export function readWebhook(contentType: string, body: string): ReadWebhook {
  if (body.trim() === '') throw new InboxInputError('empty webhook body: nothing to record');
  const saysJson = /\bjson\b/i.test(contentType);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    if (saysJson) {
      throw new InboxInputError(
        `malformed JSON in the webhook body (Content-Type ${contentType}): ${(err as Error).message}`,
      );
    }
    // Not JSON and not claiming to be: plain text, as the notifier's "text" format sends.
    return fromChatText('text', body);
  }
  // WeCom and DingTalk: {msgtype: 'text', text: {content}}; markdown {markdown: {content|text}}.
  const robot =
    field(json, 'text', 'content') ?? field(json, 'markdown', 'content') ?? field(json, 'markdown', 'text');
  if (robot !== undefined && field(json, 'msgtype') !== undefined)
    return fromChatText('wecom/dingtalk', robot);
  // Feishu: {msg_type: 'text', content: {text}}.
  const feishu = field(json, 'content', 'text');
  if (feishu !== undefined && field(json, 'msg_type') !== undefined) return fromChatText('feishu', feishu);
  const subject = field(json, 'subject');
  const text = field(json, 'text');
  if (subject === undefined && text !== undefined) return fromChatText('slack', text);
  // The notifier's generic JSON (subject, text, events, ...), or any other JSON, shown whole.
  return { format: 'json', subject: subject ?? '(JSON without a subject)', text: text ?? body };
}

// ---------------------------------------------------------------- e-mail, minimally read

/*
 * Enough MIME for what nodemailer writes: folded headers, RFC 2047 encoded words, a single
 * part or nested multiparts, quoted-printable / base64 / 7bit / 8bit, any charset that
 * TextDecoder knows. The raw bytes are held as a latin1 string (one char per byte) until a
 * charset is known. Not a general mail parser: no attachments, no HTML rendering.
 */

interface MimePart {
  headers: Map<string, string>;
  body: string;
}

function decodeBytes(bytes: Buffer, charset = 'utf-8'): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    // An unknown charset label: UTF-8 is the likeliest right guess.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

const latin1Bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

function quotedPrintableBytes(input: string): Buffer {
  const soft = input.replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft[i] === '=' ? soft.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      out.push(soft.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** RFC 2047: adjacent encoded words join without their whitespace, and are decoded together. */
function decodeHeader(value: string): string {
  const words = /=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g;
  const joined = value.replace(/(\?=)\s+(?==\?)/g, '$1');
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: Buffer[] } | undefined;
  const flush = () => {
    if (pending) out += decodeBytes(Buffer.concat(pending.bytes), pending.charset);
    pending = undefined;
  };
  for (const match of joined.matchAll(words)) {
    const [whole, rawCharset = 'utf-8', encoding = 'Q', data = ''] = match;
    const charset = rawCharset.split('*')[0] ?? 'utf-8'; // drop an RFC 2231 language tag
    if (match.index > last) {
      flush();
      out += decodeBytes(latin1Bytes(joined.slice(last, match.index)));
    }
    const bytes =
      encoding.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64')
        : quotedPrintableBytes(data.replace(/_/g, ' '));
    if (pending && pending.charset.toLowerCase() !== charset.toLowerCase()) flush();
    pending ??= { charset, bytes: [] };
    pending.bytes.push(bytes);
    last = match.index + whole.length;
  }
  flush();
  return out + decodeBytes(latin1Bytes(joined.slice(last)));
}

function splitPart(raw: string): MimePart {
  const match = /\r?\n\r?\n/.exec(raw);
  const head = match ? raw.slice(0, match.index) : raw;
  const body = match ? raw.slice(match.index + match[0].length) : '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function headerParam(value: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return match ? (match[1] ?? match[2]) : undefined;
}

function bodyText(part: MimePart): string {
  const encoding = part.headers.get('content-transfer-encoding')?.toLowerCase() ?? '7bit';
  const charset = headerParam(part.headers.get('content-type') ?? '', 'charset');
  const bytes =
    encoding === 'base64'
      ? Buffer.from(part.body.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? quotedPrintableBytes(part.body)
        : latin1Bytes(part.body);
  return decodeBytes(bytes, charset).replace(/\r\n/g, '\n').replace(/\n$/, '');
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first text/plain part, else the first text part of any kind, depth first. */
function findText(part: MimePart, depth = 0): MimePart | undefined {
  const type = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (!type.startsWith('multipart/')) return type.startsWith('text/') ? part : undefined;
  const boundary = headerParam(part.headers.get('content-type') ?? '', 'boundary');
  if (!boundary || depth > 5) return undefined;
  const delimiter = `--${boundary}`;
  // Before the first delimiter is a preamble, after the closing one an epilogue: neither is a part.
  const closed = part.body.includes(`${delimiter}--`);
  const pieces = part.body.split(new RegExp(`\\r?\\n?${escapeRegExp(delimiter)}(?:--)?[ \\t]*\\r?\\n?`));
  const children = pieces.slice(1, closed ? -1 : undefined).map(splitPart);
  const found = children.map((c) => findText(c, depth + 1)).filter((p) => p !== undefined);
  const isPlain = (p: MimePart) =>
    (p.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith('text/plain');
  return found.find(isPlain) ?? found[0];
}

export function readMail(raw: Buffer): { from: string; subject: string; text: string } {
  const top = splitPart(raw.toString('latin1'));
  const textPart = findText(top);
  return {
    from: decodeHeader(top.headers.get('from') ?? ''),
    subject: decodeHeader(top.headers.get('subject') ?? ''),
    text: textPart
      ? bodyText(textPart)
      : `(no text part: ${top.headers.get('content-type') ?? 'unknown content type'})`,
  };
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that keeps what it receives, and a minimal
 * MIME reader: enough for what nodemailer writes (multipart/mixed, an HTML part, attachments
 * in base64 or quoted-printable, RFC 2047 subjects).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { PlantConfig } from '../../src/config/index.js';

export interface MimePart {
  headers: Map<string, string>;
  /** Lower-case type without parameters, e.g. "text/html". */
  type: string;
  /** The attachment's file name (Content-Disposition or Content-Type name), if any. */
  filename?: string;
  /** The decoded body as UTF-8 text (leaf parts only). */
  text: string;
  /** The decoded body's bytes (leaf parts only): a PDF as it was attached. */
  content: Buffer;
  parts: MimePart[];
}

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: string;
  mail: MimePart;
}

function decodeQuotedPrintable(input: string): string {
  const soft = input.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i] as string;
    const hex = soft.slice(i + 1, i + 3);
    if (c === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, encoding: string, data: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

/** A header parameter such as boundary="x" or filename=a.csv. */
function param(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const match = new RegExp(`(?:^|;)\\s*${name}\\*?=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(header);
  const value = match?.[1] ?? match?.[2];
  return value === undefined ? undefined : decodeEncodedWords(value);
}

export function parseMime(raw: string): MimePart {
  const split = raw.search(/\r?\n\r?\n/);
  const head = (split < 0 ? raw : raw.slice(0, split)).replace(/\r?\n[ \t]+/g, ' ');
  const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(
        line.slice(0, colon).trim().toLowerCase(),
        decodeEncodedWords(line.slice(colon + 1).trim()),
      );
  }
  const contentType = headers.get('content-type') ?? 'text/plain';
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const filename = param(headers.get('content-disposition'), 'filename') ?? param(contentType, 'name');
  const part: MimePart = {
    headers,
    type,
    text: '',
    content: Buffer.alloc(0),
    parts: [],
    ...(filename ? { filename } : {}),
  };
  const boundary = param(contentType, 'boundary');
  if (type.startsWith('multipart/') && boundary) {
    const chunks = body.split(`--${boundary}`);
    // chunks[0] is the preamble; the last one starts with "--" (the closing delimiter).
    for (const chunk of chunks.slice(1)) {
      if (chunk.startsWith('--')) break;
      part.parts.push(parseMime(chunk.replace(/^\r?\n/, '').replace(/\r?\n$/, '')));
    }
    return part;
  }
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  part.content =
    encoding === 'quoted-printable'
      ? Buffer.from(decodeQuotedPrintable(body), 'utf8')
      : encoding === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
        : Buffer.from(body, 'utf8');
  part.text = part.content.toString('utf8');
  return part;
}

/** Every leaf part, depth first. */
export function leaves(part: MimePart): MimePart[] {
  return part.parts.length === 0 ? [part] : part.parts.flatMap(leaves);
}

export interface MailSink {
  port: number;
  received: ReceivedMail[];
  close(): Promise<void>;
}

/** An SMTP server on 127.0.0.1 (on `port`, or a free one) that keeps every mail. */
export async function startMailSink(port = 0): Promise<MailSink> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom;
        received.push({
          envelopeFrom: from ? from.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          raw,
          mail: parseMime(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `config` with its e-mail channel on a test's SMTP port on 127.0.0.1. */
export function mailingTo(config: PlantConfig, port: number): PlantConfig {
  const email = config.notify.channels.email;
  if (!email) throw new Error('the config has no e-mail channel');
  return {
    ...config,
    notify: {
      ...config.notify,
      channels: { ...config.notify.channels, email: { ...email, host: '127.0.0.1', port, timeout: 2000 } },
    },
  };
}

export interface StallingSmtp {
  port: number;
  /** Per connection that got as far as MAIL FROM: how long the client waited there before it hung up, ms. */
  stalls: number[];
  close(): Promise<void>;
}

/**
 * An SMTP server on 127.0.0.1 that greets, answers EHLO and then never answers MAIL FROM: a
 * relay that hangs mid-dialogue (its disk full, its spam filter stuck). It measures how long
 * each client waits there before it gives up.
 */
export async function startStallingSmtp(): Promise<StallingSmtp> {
  const stalls: number[] = [];
  const stalledAt = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Its own idle limit, and the wait for clients at close, far beyond any client's.
    socketTimeout: 120_000,
    closeTimeout: 100,
    onMailFrom(_address, session) {
      stalledAt.set(session.id, Date.now()); // and no answer, ever
    },
    onClose(session) {
      const at = stalledAt.get(session.id);
      if (at !== undefined) stalls.push(Date.now() - at);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    stalls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

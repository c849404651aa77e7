/**
 * The TCP ports this process listens on, and on which address, read from the kernel
 * (/proc/net/tcp{,6} matched against this process's socket descriptors): what a port scan
 * of the machine would find open because of code running in this test, and nothing else.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ListeningSocket {
  /** "127.0.0.1", "0.0.0.0", "::", "::1", … */
  address: string;
  port: number;
}

/** The inodes of this process's open sockets. */
function socketInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // closed between listing and reading
    }
  }
  return inodes;
}

/** /proc/net/tcp writes an IPv4 address as 8 hex digits in host (little-endian) order. */
function ipv4(hex: string): string {
  return [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join('.');
}

/** IPv6: four 32-bit words, each in host order. */
function ipv6(hex: string): string {
  if (/^0{32}$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  const words = [0, 8, 16, 24].map((i) => (hex.slice(i, i + 8).match(/../g) ?? []).reverse().join(''));
  return words.join('').replace(/(.{4})(?!$)/g, '$1:');
}

function listening(file: string, decode: (hex: string) => string, mine: Set<string>): ListeningSocket[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[3] === '0A' && mine.has(fields[9] ?? ''))
    .map((fields) => {
      const [hexAddress = '', hexPort = ''] = (fields[1] ?? '').split(':');
      return { address: decode(hexAddress), port: Number.parseInt(hexPort, 16) };
    });
}

export function listeningSockets(): ListeningSocket[] {
  const mine = socketInodes();
  return [...listening('/proc/net/tcp', ipv4, mine), ...listening('/proc/net/tcp6', ipv6, mine)];
}

/** Ports listened on now that were not in `before`. */
export function newListeners(before: readonly ListeningSocket[]): ListeningSocket[] {
  const key = (s: ListeningSocket) => `${s.address}:${s.port}`;
  const old = new Set(before.map(key));
  return listeningSockets().filter((s) => !old.has(key(s)));
}

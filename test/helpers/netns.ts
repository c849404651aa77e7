/**
 * A second machine on a private link, for tests that must reach the gateway from an address
 * that is not loopback (browsers trust loopback in ways they trust no LAN address): a
 * network namespace joined to this one by a veth pair on its own /30, and a chromium wrapper
 * that runs the browser inside it. Needs root and iproute2's `ip`; remove() in afterAll.
 */
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM } from './browser.js';
import { findTool, missingMessage, skipReason, TOOLS } from './tools.js';
import { until } from './wait.js';

/** iproute2's ip: /bin/ip or /usr/sbin/ip as the system has it; its absence is netnsUnavailable's. */
const IP = findTool(TOOLS.ip.binary) ?? TOOLS.ip.binary;
const CALL_TIMEOUT_MS = 5_000;

export interface NetNs {
  /** The namespace's name (ip netns). */
  name: string;
  /** This side of the link: where a server listens to be reached from the namespace. */
  hostAddress: string;
  /** The namespace's side. */
  nsAddress: string;
  /** An executable that runs chromium inside the namespace (playwright's executablePath). */
  chromium: string;
  remove(): void;
}

/** Why namespaces cannot be made here, or undefined when they can; under CI a reason fails the run (skipReason). */
export function netnsUnavailable(): string | undefined {
  const reasons = [TOOLS.ip, TOOLS.chromium].filter((tool) => !findTool(tool.binary)).map(missingMessage);
  if (process.getuid?.() !== 0) reasons.push('network namespaces need root');
  return skipReason(reasons);
}

const ip = (...args: string[]) => execFileSync(IP, args, { stdio: 'pipe', timeout: CALL_TIMEOUT_MS });

/**
 * A /30 in 10.231.0.0/16 no interface here uses yet, picked at random so test files running
 * side by side (each its own process) do not meet.
 */
function freeSubnet(): [string, string] {
  const taken = ip('-4', '-o', 'addr', 'show').toString();
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = randomInt(0, 16_384) * 4;
    const prefix = `10.231.${base >> 8}.`;
    const host = `${prefix}${(base & 255) + 1}`;
    const peer = `${prefix}${(base & 255) + 2}`;
    if (!taken.includes(` ${host}/`) && !taken.includes(` ${peer}/`)) return [host, peer];
  }
  throw new Error('no free /30 in 10.231.0.0/16');
}

/** The namespace's side is up with carrier and no address still tentative: nothing more will change. */
function settled(name: string, nsIf: string) {
  return () => {
    const link = ip('-n', name, '-o', 'link', 'show', nsIf).toString();
    const addrs = ip('-n', name, '-o', 'addr', 'show').toString();
    return link.includes('LOWER_UP') && !addrs.includes('tentative');
  };
}

export async function createNetNs(): Promise<NetNs> {
  // Interface names are at most 15 characters: "pw" + pid + a random tag + side.
  const tag = `${process.pid.toString(36)}${randomInt(0, 36 ** 3).toString(36)}`;
  const name = `plantwatch-test-${process.pid}-${tag}`;
  const hostIf = `pw${tag}h`;
  const nsIf = `pw${tag}n`;
  const [hostAddress, nsAddress] = freeSubnet();
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-netns-'));
  const remove = () => {
    // Deleting the namespace takes its veth end, and with it the pair; the host end is
    // deleted too so nothing lingers while the kernel tidies up.
    for (const args of [
      ['link', 'del', hostIf],
      ['netns', 'del', name],
    ]) {
      try {
        ip(...args);
      } catch {
        // Already gone (or never made, when creation failed half way).
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    ip('netns', 'add', name);
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', name);
    ip('addr', 'add', `${hostAddress}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    // No IPv6 link-local address: its arrival a second later (after duplicate address
    // detection) is a network change, on which chromium aborts its requests in flight.
    ip('-n', name, 'link', 'set', nsIf, 'addrgenmode', 'none');
    ip('-n', name, 'addr', 'add', `${nsAddress}/30`, 'dev', nsIf);
    ip('-n', name, 'link', 'set', nsIf, 'up');
    ip('-n', name, 'link', 'set', 'lo', 'up');
    await until(`the link ${nsIf} in ${name} to settle`, settled(name, nsIf), 5_000, 50);
  } catch (err) {
    remove();
    throw err;
  }
  // playwright drives chromium over a pipe (fds 3 and 4), which `ip netns exec` passes on.
  const chromium = join(dir, 'chromium-in-netns');
  writeFileSync(chromium, `#!/bin/sh\nexec ${IP} netns exec '${name}' '${CHROMIUM}' "$@"\n`);
  chmodSync(chromium, 0o755);
  return { name, hostAddress, nsAddress, chromium, remove };
}

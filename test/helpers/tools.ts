/**
 * The programs the tests start for real (chromium, socat, influxd, mosquitto, openssl, …),
 * and what a missing one does: under CI it fails the run naming the Debian package to
 * install (.ci/run installs them all); elsewhere the tests that need it are skipped, saying so
 * on stderr, so that nothing is ever skipped in silence.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Tool {
  /** An absolute path, or a name looked up on PATH. */
  binary: string;
  /** The Debian package that installs it. */
  apt: string;
}

/** Whether this run is CI's: CI=true (or any value but empty, 0 and false, as CI services set it). */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Where `binary` is: itself when it is a path, else the first PATH entry that has it. */
export function findTool(binary: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (binary.includes('/')) return executable(binary) ? binary : undefined;
  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  return dirs.map((dir) => join(dir, binary)).find(executable);
}

/** What to tell whoever runs the tests when `tool` is missing. */
export const missingMessage = (tool: Tool) => `${tool.binary} not found: apt-get install ${tool.apt}`;

/**
 * Why the tests needing `tools` cannot run here, or undefined when every one is installed.
 * Under CI a missing tool throws instead (at collection, it fails the test file); elsewhere
 * the reason is also printed, so a skip is seen. Use as `describe.skipIf(requireTool(…) !== undefined)`.
 */
export function requireTool(...tools: Tool[]): string | undefined {
  return skipReason(tools.filter((tool) => findTool(tool.binary) === undefined).map(missingMessage));
}

/**
 * Like requireTool, for reasons other than a missing program (no root for network namespaces):
 * `reasons` empty means the tests can run; under CI any reason fails the run.
 */
export function skipReason(reasons: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (reasons.length === 0) return undefined;
  const reason = reasons.join('; ');
  if (underCi(env)) throw new Error(`${reason} (CI runs every test: .ci/run installs what they need)`);
  if (!warned.has(reason)) console.warn(`skipped: ${reason}`);
  warned.add(reason);
  return reason;
}

/** Reasons already printed by this test file: once is enough. */
const warned = new Set<string>();

/** For a helper about to start `tool` (influxd, mosquitto, openssl): fails, naming the package, when it is missing. */
export function assertTool(tool: Tool): string {
  const path = findTool(tool.binary);
  if (path === undefined) throw new Error(missingMessage(tool));
  return path;
}

/** The tools the tests use, with their Debian packages. */
export const TOOLS = {
  socat: { binary: 'socat', apt: 'socat' },
  openssl: { binary: 'openssl', apt: 'openssl' },
  fcList: { binary: 'fc-list', apt: 'fontconfig' },
  ip: { binary: 'ip', apt: 'iproute2' },
  pdftotext: { binary: '/usr/bin/pdftotext', apt: 'poppler-utils' },
  chromium: { binary: process.env.PLANTWATCH_CHROMIUM ?? '/usr/bin/chromium', apt: 'chromium' },
  influxd: { binary: process.env.INFLUXD_BIN ?? '/usr/bin/influxd', apt: 'influxdb' },
  mosquitto: { binary: process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto', apt: 'mosquitto' },
} as const satisfies Record<string, Tool>;

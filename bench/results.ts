/**
 * Results files: bench/results/<start time>[-<name>].json, each with the machine it ran on
 * (run.ts writes every bench's figures; a bench with more to keep than its figures writes its own).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function machine() {
  return {
    host: hostname(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Writes `{ started, machine, ...doc }` and answers the file's path. */
export function writeResults(started: Date, doc: object, name?: string): string {
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const out = join(here, 'results', `${stamp}${name ? `-${name}` : ''}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ started: started.toISOString(), machine: machine(), ...doc }, null, 2)}\n`,
  );
  return out;
}

#!/usr/bin/env node
/**
 * Checks the production dependency tree (what a site runs; dev tools excluded):
 *
 * 1. known advisories: `npm audit --omit=dev`. A high or critical one fails (exit 1).
 *    Where the advisory service cannot be reached (an offline plant network, a registry
 *    mirror without the audit endpoint, this project's CI), that is said plainly and the
 *    check goes on: exit 0, or 2 with --strict (run it so before a release, where it is reachable).
 * 2. patch level: `npm outdated --omit=dev --all` lists every package, direct or not, that the
 *    lock file holds below the newest version its range allows. Those are printed (fixed by
 *    `npm update --omit=dev`); with --strict they fail too (exit 1).
 *
 * Usage: npm run audit [-- --strict]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const strict = process.argv.includes('--strict');
const { devDependencies = {} } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
);

function npm(args) {
  const run = spawnSync('npm', args, { encoding: 'utf8', timeout: 180_000 });
  return { status: run.status, stdout: run.stdout ?? '', stderr: run.stderr ?? '', error: run.error };
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** 'failed' (high or critical found), 'passed', or 'unreachable'. */
function advisories() {
  const run = npm(['audit', '--omit=dev', '--json']);
  const report = parseJson(run.stdout);
  const counts = report?.metadata?.vulnerabilities;
  if (!counts) {
    const why = report?.message ?? report?.error?.summary ?? String(run.error ?? 'no answer');
    process.stdout.write(`advisories: NOT CHECKED: the advisory service could not be reached (${why})\n`);
    return 'unreachable';
  }
  const summary = ['critical', 'high', 'moderate', 'low']
    .map((level) => `${counts[level] ?? 0} ${level}`)
    .join(', ');
  process.stdout.write(`advisories: ${summary} in the production tree\n`);
  for (const [name, entry] of Object.entries(report.vulnerabilities ?? {}))
    process.stdout.write(
      `  ${entry.severity}: ${name} ${entry.range ?? ''} ${entry.fixAvailable ? '(fix available)' : ''}\n`,
    );
  return (counts.critical ?? 0) + (counts.high ?? 0) > 0 ? 'failed' : 'passed';
}

/** Packages the lock holds below what their range allows; undefined when the registry cannot be asked. */
function behind() {
  const run = npm(['outdated', '--omit=dev', '--all', '--json']);
  const report = parseJson(run.stdout || '{}');
  if (!report || report.error) {
    process.stdout.write(
      `patch level: NOT CHECKED (${report?.error?.summary ?? 'no answer from the registry'})\n`,
    );
    return undefined;
  }
  const stale = new Set();
  for (const [name, entries] of Object.entries(report)) {
    // Our own dev tools (e.g. @types/node, pinned to the oldest Node we support) are ours to choose.
    if (name in devDependencies) continue;
    for (const entry of [entries].flat())
      if (entry.current && entry.wanted && entry.current !== entry.wanted)
        stale.add(`${name} ${entry.current} → ${entry.wanted}`);
  }
  process.stdout.write(
    stale.size === 0
      ? 'patch level: every production package is at the newest version its range allows\n'
      : `patch level: ${stale.size} package(s) behind, run \`npm update --omit=dev\`:\n${[...stale].map((s) => `  ${s}\n`).join('')}`,
  );
  return stale.size;
}

const audit = advisories();
const stale = behind();
if (audit === 'failed' || (strict && (stale ?? 0) > 0)) process.exitCode = 1;
else if (audit === 'unreachable' && strict) process.exitCode = 2;

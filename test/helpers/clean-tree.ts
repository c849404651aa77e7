/**
 * `npm test` must leave the checkout as it found it. The global setup takes a snapshot of
 * `git status` (tracked and untracked files, and the content of every file already dirty, so
 * a test rewriting a file someone is editing is seen too) and its teardown compares.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Each dirty path (relative to the checkout's root): its status letters and a hash of its content. */
export interface TreeSnapshot {
  root: string;
  files: Map<string, string>;
}

const git = (cwd: string, args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  });

/** The checkout `cwd` is in, or undefined outside one (a tarball) or without git. */
function checkoutRoot(cwd: string): string | undefined {
  try {
    return git(cwd, ['rev-parse', '--show-toplevel']).trim();
  } catch {
    return undefined;
  }
}

function contentHash(path: string): string {
  if (!existsSync(path)) return 'deleted';
  if (statSync(path).isDirectory()) return 'directory'; // a nested checkout, listed as one entry
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** `git status` of the checkout `cwd` is in, or undefined when it is in none. */
export function snapshotTree(cwd: string): TreeSnapshot | undefined {
  const root = checkoutRoot(cwd);
  if (root === undefined) return undefined;
  // -z: paths as they are (no quoting); a rename's entry is followed by its old path.
  const fields = git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all']).split('\0');
  const files = new Map<string, string>();
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] as string;
    if (entry === '') continue;
    const status = entry.slice(0, 2);
    const path = entry.slice(3);
    files.set(path, `${status} ${contentHash(join(root, path))}`);
    if (status.includes('R') || status.includes('C')) i++; // skip the old path
  }
  return { root, files };
}

/** The paths whose status or content differ between two snapshots, except those `allowed`. */
export function changedFiles(
  before: TreeSnapshot,
  after: TreeSnapshot,
  allowed: (path: string) => boolean = () => false,
): string[] {
  const paths = new Set([...before.files.keys(), ...after.files.keys()]);
  return [...paths]
    .filter((path) => before.files.get(path) !== after.files.get(path))
    .filter((path) => !allowed(path))
    .sort();
}

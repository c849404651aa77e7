/**
 * The guard that keeps `npm test` from changing the checkout, on a git repository of its own:
 * which changes it names, and that outside a checkout there is nothing to guard.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { changedFiles, snapshotTree } from './clean-tree.js';
import { requireTool } from './tools.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-clean-tree-test-'));
  dirs.push(dir);
  return dir;
}

/** A repository with two committed files and one already edited, as a checkout mid-work is. */
function checkout() {
  const dir = tempDir();
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs', 'shot.png'), 'old picture');
  writeFileSync(join(dir, 'work.ts'), 'committed');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', 'start');
  writeFileSync(join(dir, 'work.ts'), 'being edited');
  return dir;
}

describe.skipIf(requireTool({ binary: 'git', apt: 'git' }) !== undefined)('the clean-tree guard', () => {
  it('names a rewritten tracked file, a new file and a rewrite of a file already edited', () => {
    const dir = checkout();
    const before = snapshotTree(dir);
    if (!before) throw new Error('no snapshot of a git checkout');
    expect(changedFiles(before, snapshotTree(dir) ?? before)).toEqual([]);

    writeFileSync(join(dir, 'docs', 'shot.png'), 'new picture');
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'left-behind.txt'), 'x');
    writeFileSync(join(dir, 'work.ts'), 'overwritten by a test');
    const after = snapshotTree(dir);
    if (!after) throw new Error('no snapshot of a git checkout');
    expect(changedFiles(before, after)).toEqual(['docs/shot.png', 'out/left-behind.txt', 'work.ts']);
    // What `npm run screenshots` may write.
    expect(changedFiles(before, after, (path) => path.startsWith('docs/'))).toEqual([
      'out/left-behind.txt',
      'work.ts',
    ]);
  });

  it('names a file a test deleted, and none it restored', () => {
    const dir = checkout();
    const before = snapshotTree(dir);
    if (!before) throw new Error('no snapshot of a git checkout');
    rmSync(join(dir, 'docs', 'shot.png'));
    const deleted = snapshotTree(dir);
    expect(deleted && changedFiles(before, deleted)).toEqual(['docs/shot.png']);
    writeFileSync(join(dir, 'docs', 'shot.png'), 'old picture');
    const restored = snapshotTree(dir);
    expect(restored && changedFiles(before, restored)).toEqual([]);
  });

  it('has nothing to guard outside a checkout', () => {
    expect(snapshotTree(tempDir())).toBeUndefined();
  });
});

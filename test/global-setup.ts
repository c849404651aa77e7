// Once before any test: bundle the dashboard as `npm run build` does, so the gateways the tests
// start serve the pages' current source (src/web serves dist/dashboard/). And a guard: a run
// that changes the checkout (a tracked file rewritten, a file left behind) fails, naming them.
import type { TestProject } from 'vitest/node';
// @ts-expect-error -- a plain ES module script without type declarations
import { buildDashboard } from '../bin/build-dashboard.mjs';
import { changedFiles, snapshotTree } from './helpers/clean-tree.js';
import { underCi } from './helpers/tools.js';

/** `npm run screenshots` (PLANTWATCH_SCREENSHOTS=1) is the one run meant to write into the checkout. */
const allowedChanges = (path: string) =>
  process.env.PLANTWATCH_SCREENSHOTS === '1' && path.startsWith('docs/screenshots/');

/**
 * Watch mode runs while its user edits files, and PLANTWATCH_TREE_EDITS=1 says others edit the
 * working tree during the run (helpers sharing one): such changes are no test's doing. CI
 * always guards.
 */
const othersEdit = (project: TestProject) =>
  !underCi() && (project.vitest.config.watch || process.env.PLANTWATCH_TREE_EDITS === '1');

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const before = othersEdit(project) ? undefined : snapshotTree(process.cwd());
  await buildDashboard();
  if (!before) return undefined;
  return () => {
    const after = snapshotTree(before.root);
    const changed = after ? changedFiles(before, after, allowedChanges) : [];
    if (changed.length === 0) return;
    const message = [
      'The tests changed the checkout (git status); a test may write only under the temporary directory:',
      ...changed.map((path) => `  ${path}`),
      'Restore what a test changed (git restore, rm). A file edited by hand while the tests ran',
      "(a shared working tree) is no test's doing: run again when the edits are done, or with PLANTWATCH_TREE_EDITS=1.",
    ].join('\n');
    // Vitest only logs a teardown's error ("error during close"); the exit code is what CI sees.
    process.exitCode = 1;
    throw new Error(message);
  };
}

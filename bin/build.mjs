#!/usr/bin/env node
// `npm run build`: the production gateway (src/, tsconfig.build.json) and the dashboard's
// bundles. With --demo (`npm start`), the demo too (src/ and simulators/, tsconfig.demo.json),
// into the same dist/. A step whose output is newer than all its inputs is skipped, and tsc
// runs incrementally (its .tsbuildinfo in dist/): an unchanged checkout starts in a second or
// two instead of recompiling everything (about 80 s on a busy 2-core machine).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDashboard, dashboardUpToDate } from './build-dashboard.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const PROJECTS = {
  gateway: { tsconfig: 'tsconfig.build.json', dirs: ['src'], buildInfo: 'dist/build.tsbuildinfo' },
  demo: { tsconfig: 'tsconfig.demo.json', dirs: ['src', 'simulators'], buildInfo: 'dist/demo.tsbuildinfo' },
};

/** The latest change under these paths: files, and folders (a file deleted or renamed). */
function newestChange(paths) {
  let newest = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  for (const path of paths) visit(join(root, path));
  return newest;
}

/** Compiles a project with tsc unless its last build is newer than every source and setting. */
function compile({ tsconfig, dirs, buildInfo }) {
  const stamp = join(root, buildInfo);
  const inputs = [...dirs, tsconfig, 'tsconfig.json', 'package.json', 'package-lock.json'];
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestChange(inputs)) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const { status } = spawnSync(process.execPath, [tsc, '-p', join(root, tsconfig)], { stdio: 'inherit' });
  // tsc leaves its build info as it was when nothing needed emitting: mark this check as done,
  // or, when it failed, as never done (tsc writes build info with errors too).
  const when = status === 0 ? new Date() : new Date(0);
  if (existsSync(stamp)) utimesSync(stamp, when, when);
  if (status !== 0) process.exit(status ?? 1);
}

compile(process.argv.includes('--demo') ? PROJECTS.demo : PROJECTS.gateway);
if (!dashboardUpToDate()) await buildDashboard();

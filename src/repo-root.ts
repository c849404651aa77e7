import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo's root (dashboards/, node_modules/), whether running from src/ (tests) or dist/src/ (npm start). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Where `npm run build` (bin/build-dashboard.mjs) puts the dashboard's bundles: app/, live/, report/. */
export function dashboardBuildDir(): string {
  return join(repoRoot(), 'dist', 'dashboard');
}

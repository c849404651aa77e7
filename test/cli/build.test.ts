/**
 * `npm start` rebuilds only what changed: the dashboard's bundles count as up to date until
 * one of the files they were built from (a page, a src/ module it imports, a package) is newer.
 */
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ES module script without type declarations
import { buildDashboard, dashboardUpToDate } from '../../bin/build-dashboard.mjs';

const outDir = mkdtempSync(join(tmpdir(), 'plantwatch-dashboard-build-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the dashboard build', () => {
  it('is stale before the first build, up to date after it, and stale again once an input is newer', async () => {
    expect(dashboardUpToDate({ outDir })).toBe(false);
    await buildDashboard({ outDir });
    expect(dashboardUpToDate({ outDir })).toBe(true);
    // As if dashboards/app/main.ts had been saved after the build: the record of the build is older.
    utimesSync(join(outDir, 'inputs.json'), new Date(0), new Date(0));
    expect(dashboardUpToDate({ outDir })).toBe(false);
    await buildDashboard({ outDir });
    expect(dashboardUpToDate({ outDir })).toBe(true);
    // A minified build is not the one asked for.
    expect(dashboardUpToDate({ outDir, minify: true })).toBe(false);
  }, 60_000);
});

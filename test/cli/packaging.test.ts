/**
 * A production install carries the gateway, not the demo: the production command line's
 * import graph reaches nothing under simulators/ and no demo-only package, the production
 * build compiles src/ alone, and the package npm would publish holds no simulator file.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Packages only the demo uses (the demo inbox's SMTP server). */
const DEMO_PACKAGES = ['smtp-server'];

describe('the production gateway without the demo', () => {
  it("imports nothing under simulators/ from its command line, however deep, nor the demo's packages", async () => {
    const result = await build({
      entryPoints: ['src/cli/index.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('src/cli/index.ts');
    // Sanity: the graph is traced through the lazily imported commands too.
    expect(inputs).toContain('src/gateway/index.ts');
    expect(inputs.filter((file) => file.startsWith('simulators/'))).toEqual([]);
    const packages = Object.values(result.metafile.inputs).flatMap((input) =>
      input.imports.filter((i) => i.external).map((i) => i.path),
    );
    expect(packages).toContain('express');
    for (const name of DEMO_PACKAGES) expect(packages.filter((p) => p.startsWith(name))).toEqual([]);
  });

  it('lists the demo-only packages as development dependencies', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const name of DEMO_PACKAGES) {
      expect(Object.keys(pkg.dependencies)).not.toContain(name);
      expect(Object.keys(pkg.devDependencies)).toContain(name);
    }
  });

  it('compiles src/ alone in the production build', async () => {
    const tsc = import.meta.resolve('typescript/bin/tsc').replace('file://', '');
    const { stdout } = await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--listFilesOnly'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const own = stdout
      .split('\n')
      .filter((file) => file.startsWith(process.cwd()) && !file.includes('/node_modules/'));
    expect(own.some((file) => file.endsWith('/src/cli/index.ts'))).toBe(true);
    expect(own.filter((file) => !file.startsWith(`${process.cwd()}/src/`))).toEqual([]);
  }, 120_000);

  it('packs no simulator file and no demo launcher', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[];
    const files = (pack?.files ?? []).map((f) => f.path);
    expect(files).toContain('bin/plantwatch.js');
    expect(files).toContain('dashboards/app/index.html');
    expect(files.filter((f) => /(^|\/)simulators\//.test(f) || f.includes('plantwatch-demo'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('config/') || f.startsWith('test/'))).toEqual([]);
  }, 120_000);
});

#!/usr/bin/env node
// Bundles the dashboard's TypeScript into dist/dashboard/ with esbuild (in the tree through tsx,
// and pinned in devDependencies): one file per page, with a source map, in well under a second.
// `npm run build` runs it; the test suite runs it once before any test (test/global-setup.ts).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each page's entry (a .ts, or a .js not yet converted) and how the page loads it. */
const ENTRIES = [
  { name: 'app/main', format: 'esm' }, // <script type="module"> in dashboards/app/index.html
  { name: 'live/app', format: 'iife' }, // a classic <script> in dashboards/live/index.html
  { name: 'report/charts', format: 'iife' }, // inlined in the monthly report's PDF page
];

function entry(name) {
  for (const ext of ['.ts', '.js']) {
    const file = join(root, 'dashboards', name + ext);
    if (existsSync(file)) return file;
  }
  throw new Error(`dashboard entry dashboards/${name}.ts not found`);
}

/** What the last build read (esbuild's metafile): written last, so its time is the build's. */
const INPUTS_FILE = 'inputs.json';

/** Builds every page's bundle; resolves to the output folder. */
export async function buildDashboard({ outDir = join(root, 'dist', 'dashboard'), minify = false } = {}) {
  const results = await Promise.all(
    ENTRIES.map(({ name, format }) =>
      build({
        entryPoints: [entry(name)],
        outfile: join(outDir, `${name}.js`),
        bundle: true,
        format,
        target: ['chrome109', 'firefox115', 'safari16'],
        sourcemap: true,
        minify,
        legalComments: 'none',
        logLevel: 'warning',
        metafile: true,
        absWorkingDir: root, // the metafile's inputs relative to the checkout
      }),
    ),
  );
  const inputs = [
    relative(root, fileURLToPath(import.meta.url)),
    ...results.flatMap((r) => Object.keys(r.metafile.inputs)),
  ];
  writeFileSync(join(outDir, INPUTS_FILE), JSON.stringify({ minify, inputs: [...new Set(inputs)] }));
  return outDir;
}

/**
 * Whether the bundles in outDir are those of the current sources: built as asked (minified
 * or not), and none of the files the last build read (pages, the src/ modules they import,
 * packages, this script) changed or went missing since.
 */
export function dashboardUpToDate({ outDir = join(root, 'dist', 'dashboard'), minify = false } = {}) {
  const record = join(outDir, INPUTS_FILE);
  if (!existsSync(record)) return false;
  const builtAt = statSync(record).mtimeMs;
  const last = JSON.parse(readFileSync(record, 'utf8'));
  if (last.minify !== minify || !Array.isArray(last.inputs)) return false;
  return last.inputs.every((input) => {
    const file = join(root, input);
    return existsSync(file) && statSync(file).mtimeMs <= builtAt;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDashboard({ minify: process.argv.includes('--minify') });
}

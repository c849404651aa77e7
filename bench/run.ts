/**
 * Runs every *.bench.ts in this folder, or those whose names contain one of the arguments
 * (`npm run bench -- large-plant pipeline`), prints each figure as it comes, and writes them
 * all, with the machine they ran on and how busy it was, to bench/results/<start time>.json.
 */
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Figure } from './figure.js';
import { writeResults } from './results.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((name) => f.includes(name)))
  .sort();

const started = new Date();
const results: { file: string; loadBefore: number; loadAfter: number; seconds: number; figures: Figure[] }[] =
  [];
for (const file of files) {
  const loadBefore = loadavg()[0] ?? 0;
  const t0 = performance.now();
  const mod = (await import(pathToFileURL(join(here, file)).href)) as {
    run: () => Figure[] | Promise<Figure[]>;
  };
  const figures = await mod.run();
  for (const figure of figures) {
    console.log(
      `${file.padEnd(22)} ${figure.name.padEnd(50)} ${figure.value.toLocaleString('en-US').padStart(14)} ${figure.unit}`,
    );
  }
  results.push({
    file,
    loadBefore,
    loadAfter: loadavg()[0] ?? 0,
    seconds: Math.round((performance.now() - t0) / 1000),
    figures,
  });
}

const out = writeResults(started, { results });
console.log(`\nfigures written to ${out}`);

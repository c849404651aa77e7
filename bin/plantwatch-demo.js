#!/usr/bin/env node
// The demo's command line (demo, simulate, fault), from a checkout only: compiled from
// simulators/ by `npm start` (bin/build.mjs --demo). A production install has neither.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/simulators/program.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'the demo is not built here: run `npm start` (or `npm run build:demo`) in the checkout\n',
  );
  process.exit(1);
}
await import(entry.href);

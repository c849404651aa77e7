// Module loader hooks (they run on the loader's own thread) for record-modules.mjs.
import { appendFileSync } from 'node:fs';

let file;

export function initialize(target) {
  file = target;
}

export async function load(url, context, nextLoad) {
  if (file) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}

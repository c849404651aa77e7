/**
 * `plantwatch init <dir>`: writes a production starting point (init-templates.ts) and says
 * which environment variables it needs. Never writes over a directory in use unless asked.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { repoRoot } from '../repo-root.js';
import { INIT_FILES, INIT_PROFILE, INIT_VARIABLES } from './init-templates.js';

export interface InitOptions {
  /** Write into a directory that already has files (the written ones are replaced). */
  force?: boolean;
}

/** Why `dir` cannot be written into, or undefined when it can. */
function refusal(dir: string, force: boolean): string | undefined {
  if (!existsSync(dir)) return undefined;
  if (!statSync(dir).isDirectory()) return `${dir} exists and is not a directory`;
  if (force || readdirSync(dir).length === 0) return undefined;
  return `${dir} is not empty: choose a new directory, or pass --force to write the starting files over what is there`;
}

function writeFiles(dir: string): string[] {
  const written: string[] = [];
  for (const [name, text] of Object.entries(INIT_FILES)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    written.push(name);
  }
  const profile = join('profiles', `${INIT_PROFILE}.yaml`);
  mkdirSync(join(dir, 'profiles'), { recursive: true });
  copyFileSync(join(repoRoot(), 'config', profile), join(dir, profile));
  written.push(profile);
  return written;
}

function nextSteps(dir: string, written: readonly string[]): string {
  const width = Math.max(...INIT_VARIABLES.map((v) => v.name.length));
  return [
    `Wrote a production starting point in ${dir}:`,
    ...written.map((name) => `  ${name}`),
    '',
    'Fill in what the files mark FILL IN (addresses, unit ids, people, time zone), then set',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own ${file:…} syntax.
    'these environment variables (or write ${file:/run/secrets/<name>} in their place):',
    ...INIT_VARIABLES.map((v) => `  ${v.name.padEnd(width)}  ${v.holds}`),
    '',
    'The gateway refuses to start while one is missing, naming it. Check, then start:',
    `  plantwatch check-config ${dir}`,
    `  NODE_ENV=production plantwatch start -c ${dir}`,
    'The dashboard answers on 127.0.0.1:8080 only until plantwatch.yaml says otherwise (web.host).',
  ].join('\n');
}

/** Writes the starting point into `dir`; the exit code (0 written, 1 refused). */
export async function runInit(dir: string, options: InitOptions = {}): Promise<number> {
  const target = resolve(dir);
  const refused = refusal(target, options.force ?? false);
  if (refused) {
    process.stderr.write(`plantwatch init: ${refused}\n`);
    return 1;
  }
  const written = writeFiles(target);
  process.stdout.write(`${nextSteps(target, written)}\n`);
  return 0;
}

/**
 * The examples of a markdown file, read so a test can run them as a reader would:
 * - a ```sh block is a list of commands (a line ending in `\` continues on the next), each run
 *   with bash and expected to exit 0; a ```text or ```json block right after it (blank lines
 *   between at most) is what those commands print;
 * - `<!-- example: skip — why -->` on the line before a ```sh block: not run (say why);
 * - `<!-- example: `command` after file:line `old` → `new` and … -->` before a ```text block:
 *   that block is what `command` prints on a fresh copy of the configuration with each edit
 *   made on its line (an error message, say); the edit must find `old` on that line.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ConfigEdit {
  file: string;
  line: number;
  old: string;
  replacement: string;
}

export type DocExample =
  | { kind: 'commands'; line: number; commands: string[]; shown?: ShownOutput }
  | { kind: 'skipped'; line: number; commands: string[]; why: string }
  | { kind: 'output-of'; line: number; command: string; edits: ConfigEdit[]; shown: ShownOutput };

export interface ShownOutput {
  lang: 'text' | 'json';
  text: string;
}

interface Block {
  lang: string;
  /** 1-based line of the opening fence. */
  line: number;
  body: string[];
  marker?: string;
  /** Index of the line after the closing fence. */
  next: number;
}

const FENCE = /^(\s*)```([\w-]*)\s*$/;
const MARKER = /^\s*<!--\s*example:\s*(.*?)\s*-->\s*$/;
const EDIT = /(\S+):(\d+) `([^`]*)` → `([^`]*)`/g;

/** Every fenced block from `start` on, with the example marker on the line before it. */
function blockAt(lines: readonly string[], start: number): Block | undefined {
  for (let i = start; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (!open) continue;
    const indent = open[1] ?? '';
    const body: string[] = [];
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end] ?? '')) {
      body.push((lines[end] ?? '').slice(indent.length));
      end++;
    }
    const before = lines.slice(0, i).findLast((l) => l.trim() !== '');
    const marker = before === undefined ? undefined : MARKER.exec(before)?.[1];
    return { lang: open[2] ?? '', line: i + 1, body, marker, next: end + 1 };
  }
  return undefined;
}

/** A ```text or ```json block that directly follows (blank lines only between), unmarked. */
function outputAfter(lines: readonly string[], block: Block): Block | undefined {
  const rest = lines.slice(block.next);
  const gap = rest.findIndex((l) => l.trim() !== '');
  if (gap < 0) return undefined;
  const next = blockAt(lines, block.next + gap);
  if (!next || next.line !== block.next + gap + 1) return undefined;
  return (next.lang === 'text' || next.lang === 'json') && next.marker === undefined ? next : undefined;
}

/** The commands of a shell block: continuation lines joined, comment-only lines left out. */
export function commandsOf(body: readonly string[]): string[] {
  const joined = body.join('\n').replace(/\\\n\s*/g, ' ');
  return joined.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

function parseOutputMarker(marker: string, line: number): { command: string; edits: ConfigEdit[] } {
  const command = /^`([^`]+)`/.exec(marker)?.[1];
  if (!command) throw new Error(`line ${line}: an example marker must start with the \`command\` it shows`);
  const edits = [...marker.matchAll(EDIT)].map(([, file, at, old, replacement]) => ({
    file: file ?? '',
    line: Number(at),
    old: old ?? '',
    replacement: replacement ?? '',
  }));
  return { command, edits };
}

export function readDocExamples(markdown: string): DocExample[] {
  const lines = markdown.split('\n');
  const examples: DocExample[] = [];
  for (let block = blockAt(lines, 0); block; block = blockAt(lines, block.next)) {
    if (block.lang === 'sh') {
      const commands = commandsOf(block.body);
      const skip = block.marker && /^skip\b\W*(.*)$/.exec(block.marker);
      if (skip) {
        examples.push({ kind: 'skipped', line: block.line, commands, why: skip[1] || 'no reason given' });
        continue;
      }
      const output = outputAfter(lines, block);
      const shown = output && { lang: output.lang as ShownOutput['lang'], text: output.body.join('\n') };
      examples.push({ kind: 'commands', line: block.line, commands, shown });
      if (output) block = output;
    } else if (block.marker && (block.lang === 'text' || block.lang === 'json')) {
      const shown = { lang: block.lang, text: block.body.join('\n') } as const;
      examples.push({
        kind: 'output-of',
        line: block.line,
        ...parseOutputMarker(block.marker, block.line),
        shown,
      });
    }
  }
  return examples;
}

/**
 * A directory to run examples in, as if it were a checkout: src, simulators and node_modules
 * of this one, `config` a copy of `configDir` (edited by the caller at will), and on PATH
 * `plantwatch` (this checkout's CLI, from source) and a `curl` that fails on an HTTP error
 * (--fail-with-body: a refused request is a failed example, with the reason printed).
 */
export interface ExampleDir {
  dir: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export function exampleDir(configDir: string, repo = process.cwd()): ExampleDir {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-examples-'));
  for (const entry of ['src', 'simulators', 'node_modules', 'package.json', 'tsconfig.json'])
    symlinkSync(join(repo, entry), join(dir, entry));
  // The demo copy of a running gateway keeps its stores and serial links there: not config.
  cpSync(configDir, join(dir, 'config'), { recursive: true, filter: (src) => !/\/(data|tty)$/.test(src) });
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  const script = (name: string, text: string) => writeFileSync(join(bin, name), text, { mode: 0o755 });
  script(
    'plantwatch',
    `#!/bin/sh\nexec ${join(repo, 'node_modules/.bin/tsx')} ${join(repo, 'src/cli/index.ts')} "$@"\n`,
  );
  const path = process.env.PATH ?? '';
  const curl = path
    .split(':')
    .map((d) => join(d, 'curl'))
    .find((c) => existsSync(c));
  // Without a real curl the shim must not call itself.
  script(
    'curl',
    `#!/bin/sh\n${curl ? `exec ${curl} --fail-with-body "$@"` : 'echo "curl is not installed" >&2; exit 127'}\n`,
  );
  const env = { ...process.env, PATH: `${bin}:${path}` };
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Make each edit in `dir` (a path such as config/lines.yaml, relative to it); throws when `old` is not on its line. */
export function applyEdits(dir: string, edits: readonly ConfigEdit[]): void {
  for (const edit of edits) {
    const path = join(dir, edit.file);
    const lines = readFileSync(path, 'utf8').split('\n');
    const text = lines[edit.line - 1];
    if (text === undefined || !text.includes(edit.old))
      throw new Error(
        `${edit.file}:${edit.line} does not hold \`${edit.old}\` (it reads: ${text ?? 'no such line'})`,
      );
    lines[edit.line - 1] = text.replace(edit.old, edit.replacement);
    writeFileSync(path, lines.join('\n'));
  }
}

/**
 * A documented command as it runs here: `npx plantwatch` is this checkout's CLI, and the
 * documented gateway address (127.0.0.1:8080 or localhost:8080) the test's gateway.
 */
export function asRunHere(command: string, webPort?: number): string {
  const local = command.replace(/\bnpx plantwatch\b/g, 'plantwatch');
  return webPort === undefined
    ? local
    : local.replace(/\b(?:127\.0\.0\.1|localhost):8080\b/g, `127.0.0.1:${webPort}`);
}

/**
 * The programs an example may run here; anything else (apt-get, npm ci, …) is refused before it
 * runs, so a block left unmarked cannot install or delete anything: mark it skipped.
 */
const RUNNABLE = /^(?:curl|plantwatch|npx plantwatch|npx tsx src\/cli\/index\.ts)\b/;

/** Why `command` may not run here, or undefined when every part of it may. */
export function notRunnable(command: string): string | undefined {
  const parts = command.replace(/\s#\s.*$/, '').split(/&&|\|\||;/);
  const other = parts.map((p) => p.trim()).find((p) => !RUNNABLE.test(p));
  return other === undefined
    ? undefined
    : `\`${other}\` is not a command this test runs; mark its block <!-- example: skip — why -->`;
}

export interface CommandResult {
  code: number;
  /** stdout and stderr together, in the order written. */
  output: string;
}

export function runCommand(command: string, where: ExampleDir, timeoutMs = 30_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `exec 2>&1\n${command}`],
      { cwd: where.dir, env: where.env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, output: stdout });
      },
    );
  });
}

/** What varies from run to run (times) made equal; trailing blanks and blank end lines dropped. */
export function normaliseText(text: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?/g, '<time>')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trimEnd();
}

/**
 * Fuzz: loadConfig on a copy of the demo configuration (config/) with random mutations of
 * its YAML files — a key deleted, a value of another type, unknown keys, random bytes, a
 * duplicated key line, huge and non-finite numbers, truncation, alias bombs, unset ${VARS},
 * a file emptied or removed. It must either load or throw a ConfigError whose every issue
 * names a file (and a line where the file parsed), never another exception type.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue } from '../../src/config/index.js';
// The whole check, alarm rules against the plant included (as `plantwatch run` loads it).
import { loadPlantConfig } from '../../src/gateway/load-config.js';
import { fuzz } from './fuzz.js';

let dir: string;
/** Every YAML file of the copy, relative to it, with its original text. */
let originals: [string, string][];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plantwatch-fuzz-config-'));
  cpSync('config', dir, { recursive: true });
  const walk = (sub: string): string[] =>
    readdirSync(join(dir, sub), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(sub, e.name)) : /\.ya?ml$/.test(e.name) ? [join(sub, e.name)] : [],
    );
  originals = walk('').map((f) => [f, readFileSync(join(dir, f), 'utf8')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------- mutations

type Path = (string | number)[];

/** Every path in a YAML document that leads to a map entry or a sequence item. */
function pathsOf(node: unknown, at: Path = []): Path[] {
  if (isMap(node))
    return node.items.flatMap((pair) => {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== 'string' && typeof key !== 'number') return [];
      return [[...at, key], ...pathsOf(pair.value, [...at, key])];
    });
  if (isSeq(node)) return node.items.flatMap((item, i) => [[...at, i], ...pathsOf(item, [...at, i])]);
  return [];
}

/** Values of every type a config value could wrongly be, hostile numbers included. */
const strangeValue = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    -0,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
    '',
    '__proto__',
    'constructor',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a config file's ${VAR}, unset on purpose.
    '${PLANTWATCH_FUZZ_UNSET}',
    '5 parsecs',
    '-1ms',
    '99999999999999999999h',
    '名前',
  ),
  fc.string({ maxLength: 12 }),
  fc.double(),
  fc.integer(),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'id', 'x', 'prototype'), fc.integer(), {
    maxKeys: 2,
  }),
);

const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('delete-key' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('change-type' as const), pick: fc.nat(), value: strangeValue }),
  fc.record({
    kind: fc.constant('unknown-key' as const),
    pick: fc.nat(),
    key: fc.constantFrom('__proto__', 'constructor', 'registr', 'extra', 'prototype', 'ümlaut', ''),
    value: strangeValue,
  }),
  fc.record({ kind: fc.constant('duplicate-key-line' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('random-bytes' as const),
    pick: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    replace: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('truncate' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('huge-number' as const),
    pick: fc.nat(),
    text: fc.constantFrom(
      '1e400',
      '-1e400',
      '.nan',
      '.inf',
      '-.inf',
      '0x7fffffffffffffffffff',
      `1${'0'.repeat(400)}`,
    ),
  }),
  fc.record({ kind: fc.constant('alias-bomb' as const), width: fc.integer({ min: 2, max: 12 }) }),
  fc.record({ kind: fc.constant('bom-and-tabs' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('empty-file' as const),
    text: fc.constantFrom('', '~', '[]', '42', '"x"', '---\n---\n'),
  }),
  fc.record({ kind: fc.constant('remove-file' as const) }),
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

/** Apply one mutation to one file's text; undefined removes the file. */
function mutate(text: string, m: Mutation): string | undefined {
  const lines = text.split('\n');
  const editDoc = (edit: (doc: ReturnType<typeof parseDocument>, paths: Path[]) => void) => {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) return text; // already broken by an earlier mutation
    const paths = pathsOf(doc.contents);
    if (paths.length === 0) return text;
    try {
      edit(doc, paths);
      return doc.toString();
    } catch {
      // The edit went through an alias or removed an anchor an alias still names (after an
      // alias bomb): a harness limit, not the loader's; this mutation is skipped.
      return text;
    }
  };
  switch (m.kind) {
    case 'delete-key':
      return editDoc((doc, paths) => doc.deleteIn(paths[m.pick % paths.length] as Path));
    case 'change-type':
      return editDoc((doc, paths) =>
        doc.setIn(paths[m.pick % paths.length] as Path, doc.createNode(m.value)),
      );
    case 'unknown-key':
      return editDoc((doc, paths) => {
        const maps = [[] as Path, ...paths].filter((p) =>
          isMap(p.length ? doc.getIn(p, true) : doc.contents),
        );
        const at = maps[m.pick % maps.length] as Path;
        const map = (at.length ? doc.getIn(at, true) : doc.contents) as Node;
        if (isMap(map)) map.add(doc.createPair(m.key, m.value));
      });
    case 'huge-number':
      return editDoc((doc, paths) => {
        const scalars = paths.filter((p) => typeof doc.getIn(p) === 'number');
        const target = scalars.length ? scalars : paths;
        const node = doc.getIn(target[m.pick % target.length] as Path, true);
        if (isScalar(node)) {
          // A plain scalar the YAML parser reads itself: 1e400 is Infinity, .nan is NaN.
          node.value = m.text;
          node.type = 'PLAIN';
        }
      });
    case 'duplicate-key-line': {
      const keyed = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*[\w-]+:/.test(l));
      if (keyed.length === 0) return text;
      const [line, i] = keyed[m.pick % keyed.length] as readonly [string, number];
      lines.splice(i + 1, 0, line);
      return lines.join('\n');
    }
    case 'random-bytes': {
      const at = m.pick % (text.length + 1);
      const bytes = Buffer.from(m.bytes).toString('latin1');
      return text.slice(0, at) + bytes + text.slice(m.replace ? at + bytes.length : at);
    }
    case 'truncate':
      return text.slice(0, m.pick % (text.length + 1));
    case 'alias-bomb': {
      // Each level refers to the previous one `width` times: width^6 nodes once expanded.
      const levels = ['fuzz0: &l0 [lol, lol]'];
      for (let i = 1; i < 6; i++)
        levels.push(
          `fuzz${i}: &l${i} [${Array(m.width)
            .fill(`*l${i - 1}`)
            .join(', ')}]`,
        );
      return `${text.trimEnd()}\n${levels.join('\n')}\n`;
    }
    case 'bom-and-tabs': {
      const i = m.pick % Math.max(1, lines.length);
      lines[i] = `\t${lines[i] ?? ''}`;
      return `\uFEFF${lines.join('\n')}`;
    }
    case 'empty-file':
      return m.text;
    case 'remove-file':
      return undefined;
  }
}

// ---------------------------------------------------------------- the property

/**
 * A ConfigError a user can act on: every issue names one of the files of the directory (or
 * the directory), says something, and gives a line inside that file when it has one. A
 * loader that let a TypeError, a RangeError from the YAML library ("Excessive alias count")
 * or a zod exception escape fails here, as does an issue without a file.
 */
function badIssue(issue: ConfigIssue, files: Map<string, string>): string | undefined {
  if (typeof issue.file !== 'string' || issue.file === '') return 'an issue without a file';
  if (typeof issue.message !== 'string' || issue.message.trim() === '')
    return `${issue.file}: an empty message`;
  if (typeof issue.path !== 'string') return `${issue.file}: path ${String(issue.path)}`;
  const rel = relative(dir, join(process.cwd(), issue.file));
  const text = files.get(rel);
  const named =
    text !== undefined || rel === '' || issue.message.includes('missing') || existsSync(join(dir, rel));
  if (!named) return `${issue.file} is not a file of the configuration`;
  // A key path points into a file that parsed: the user is told its line too.
  // (An empty file has no line to point at: "timezone: expected string" is all there is to say.)
  if (
    issue.path !== '' &&
    issue.line === undefined &&
    text !== undefined &&
    parseDocument(text).contents !== null
  )
    return `${issue.file}: ${issue.path} without a line`;
  if (issue.line !== undefined) {
    if (!Number.isInteger(issue.line) || issue.line < 1) return `${issue.file}: line ${issue.line}`;
    const count = text === undefined ? Number.POSITIVE_INFINITY : text.split('\n').length + 1;
    if (issue.line > count) return `${issue.file}: line ${issue.line} of ${count}`;
  }
  return undefined;
}

describe('fuzz: configuration files', () => {
  it('the demo configuration loads as it is', () => {
    expect(() => loadPlantConfig(dir, { env: {} })).not.toThrow();
  });

  it('a mutated configuration loads or throws a ConfigError naming file and line, never anything else', async () => {
    const outcomes = { loaded: 0, refused: 0, issues: 0 };
    const property = fc.property(
      fc.array(fc.tuple(fc.nat(), mutationArb), { minLength: 1, maxLength: 3 }),
      (mutations) => {
        const files = new Map(originals);
        for (const [pick, m] of mutations) {
          const names = [...files.keys()];
          const name = names[pick % names.length] as string;
          const next = mutate(files.get(name) as string, m);
          if (next === undefined) files.delete(name);
          else files.set(name, next);
        }
        for (const [name] of originals) {
          const text = files.get(name);
          if (text === undefined) rmSync(join(dir, name), { force: true });
          else writeFileSync(join(dir, name), text);
        }
        try {
          loadPlantConfig(dir, { env: {} });
          outcomes.loaded++;
        } catch (err) {
          if (!(err instanceof ConfigError))
            throw new Error(
              `${(err as Error)?.name}: ${(err as Error)?.message} (not a ConfigError)\n${(err as Error)?.stack?.split('\n').slice(0, 4).join('\n')}`,
            );
          outcomes.refused++;
          outcomes.issues += err.issues.length;
          if (err.issues.length === 0) throw new Error('a ConfigError without issues');
          for (const issue of err.issues) {
            const bad = badIssue(issue, files);
            if (bad) throw new Error(`${bad}: ${JSON.stringify(issue)}`);
          }
        }
        return true;
      },
    );
    const summary = await fuzz('config loadConfig mutations', property, 200, {
      extra: () => `${outcomes.loaded} loaded, ${outcomes.refused} refused with ${outcomes.issues} issues`,
    });
    expect(summary.failures).toBe(0);
  }, 50_000);
});

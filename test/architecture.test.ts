/**
 * The layering of src/, checked on every test run. Bottom to top:
 *
 * - vocabulary: the words several modules and the dashboard share (alarm priorities, states,
 *   event kinds, notify-on; webhook formats; mimic passive kinds and pump duties; what makes two
 *   usernames one). Constants and tiny pure functions; imports nothing, not even Node (the
 *   dashboard bundles it).
 * - clock, log: utilities.
 * - config: configuration is data. It reads the YAML files, validates each against its schema
 *   (the lists come from vocabulary) and checks the references between files; it imports no
 *   feature module. What only a feature module can check in its own section (the alarm rules
 *   against the plant's points) is that module's SectionCheck (src/alarms/section-check.ts),
 *   handed to loadConfig by src/gateway/load-config.ts.
 * - points, api-types (the HTTP API contract with the dashboard: the web server and auth's
 *   routes both speak it, and it imports no server code),
 *   then the feature modules (acquisition, storage, alarms, notify, energy, records, auth...),
 *   then web, gateway and cli, which put them together.
 *
 * The test checks the part that matters most: no import cycle between the top-level folders
 * (a cycle means none of them can be understood or tested without the others), and that
 * vocabulary and config stay at the bottom.
 * Type-only imports count: they vanish at run time but still couple the modules (a change of the
 * type breaks the importer), and a cycle of types is how a cycle of values starts. Dynamic
 * `import()` and re-exports count as well. Only relative imports are followed (packages are not
 * src/); imports made from outside src/ (simulators/, test/) are not read.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '..');
const srcRoot = join(repoRoot, 'src');

/** One import of one file by another, both relative to the repository. */
interface FileEdge {
  from: string;
  to: string;
}

function sourceFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFilesUnder(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `./x.js` → `./x.ts` (NodeNext spelling), or a folder's index.ts; undefined when not a source file. */
function resolveRelative(importer: string, specifier: string): string | undefined {
  const base = resolve(dirname(importer), specifier);
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/** Every relative import (type-only, re-exports and dynamic import() included) of every file under src/. */
function importEdges(files: string[]): FileEdge[] {
  return files.flatMap((file) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    return importedFiles
      .filter(({ fileName }) => fileName.startsWith('.'))
      .flatMap(({ fileName }) => {
        const target = resolveRelative(file, fileName);
        return target ? [{ from: relative(repoRoot, file), to: relative(repoRoot, target) }] : [];
      });
  });
}

/** The top-level folder of src/ a file belongs to ("alarms"), or the loose file's own name. */
function layerOf(repoRelativeFile: string): string {
  const [top] = relative('src', repoRelativeFile).split(sep);
  if (top === '..') return repoRelativeFile.split(sep)[0] ?? repoRelativeFile; // simulators/...
  return top ?? repoRelativeFile;
}

/** Folder → folder → one file-level import that makes the edge (the first found, for the report). */
type LayerGraph = Map<string, Map<string, FileEdge>>;

function layerGraph(edges: FileEdge[]): LayerGraph {
  const graph: LayerGraph = new Map();
  for (const edge of edges) {
    const [from, to] = [layerOf(edge.from), layerOf(edge.to)];
    if (!graph.has(from)) graph.set(from, new Map());
    if (!graph.has(to)) graph.set(to, new Map());
    if (from !== to && !graph.get(from)?.has(to)) graph.get(from)?.set(to, edge);
  }
  return graph;
}

/** Strongly connected components of more than one folder (Tarjan): each holds at least one cycle. */
function tangledComponents(graph: LayerGraph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    lowLink.set(node, index.get(node) as number);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node) as number, lowLink.get(next) as number));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node) as number, index.get(next) as number));
      }
    }
    if (lowLink.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) components.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}

/** The shortest cycle through `start` inside its component, as folders start → … → start. */
function shortestCycleThrough(graph: LayerGraph, start: string, component: Set<string>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0] as string) as string);
        return [...path, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

/** A readable account of every cycle: one cycle per folder, one file-level import per step. */
function describeCycles(graph: LayerGraph): string[] {
  const seen = new Set<string>();
  return tangledComponents(graph).flatMap((component) => {
    const members = new Set(component);
    return component.flatMap((start) => {
      const cycle = shortestCycleThrough(graph, start, members);
      const key = [...cycle.slice(1)].sort().join(',');
      if (seen.has(key)) return [];
      seen.add(key);
      const steps = cycle.slice(1).map((to, step) => {
        const from = cycle[step] as string;
        const edge = graph.get(from)?.get(to) as FileEdge;
        return `  ${from} -> ${to}: ${edge.from} imports ${edge.to}`;
      });
      return [`cycle ${cycle.join(' -> ')}\n${steps.join('\n')}`];
    });
  });
}

describe('the layering of src/', () => {
  const edges = importEdges(sourceFilesUnder(srcRoot));

  it('reads the imports of the service (the check is not vacuous)', () => {
    const layers = layerGraph(edges);
    expect(layers.get('config')?.size ?? 0).toBeGreaterThan(0);
    expect([...layers.keys()]).toEqual(expect.arrayContaining(['alarms', 'config', 'points', 'records']));
  });

  it('has no import cycle between the top-level folders of src/', () => {
    expect(describeCycles(layerGraph(edges)).join('\n')).toBe('');
  });

  it('keeps configuration as data: config imports no feature module', () => {
    const below = new Set(['config', 'vocabulary', 'clock', 'log']);
    const upward = edges.filter((edge) => layerOf(edge.from) === 'config' && !below.has(layerOf(edge.to)));
    expect(upward.map((edge) => `${edge.from} imports ${edge.to}`)).toEqual([]);
  });

  it('keeps the vocabulary at the bottom: it imports nothing, not even Node (the dashboard bundles it)', () => {
    const files = sourceFilesUnder(join(srcRoot, 'vocabulary'));
    expect(files.length).toBeGreaterThan(0);
    const imports = files.flatMap((file) =>
      ts
        .preProcessFile(readFileSync(file, 'utf8'), true, true)
        .importedFiles.filter(({ fileName }) => !fileName.startsWith('./'))
        .map(({ fileName }) => `${relative(repoRoot, file)} imports ${fileName}`),
    );
    expect(imports).toEqual([]);
  });

  it('plugs the login system in at the top: only web, gateway and cli import auth', () => {
    const users = new Set(['auth', 'web', 'gateway', 'cli']);
    const intoAuth = edges.filter((edge) => layerOf(edge.to) === 'auth' && !users.has(layerOf(edge.from)));
    expect(intoAuth.map((edge) => `${edge.from} imports ${edge.to}`)).toEqual([]);
  });

  it('finds a cycle when there is one (the checker itself works)', () => {
    const graph = layerGraph([
      { from: 'src/a/x.ts', to: 'src/b/y.ts' },
      { from: 'src/b/y.ts', to: 'src/c/z.ts' },
      { from: 'src/c/z.ts', to: 'src/a/w.ts' },
      { from: 'src/c/z.ts', to: 'src/d/v.ts' },
    ]);
    expect(describeCycles(graph)).toEqual([
      'cycle a -> b -> c -> a\n' +
        '  a -> b: src/a/x.ts imports src/b/y.ts\n' +
        '  b -> c: src/b/y.ts imports src/c/z.ts\n' +
        '  c -> a: src/c/z.ts imports src/a/w.ts',
    ]);
  });
});

/**
 * Transpiles a bench child and every module it imports by relative path (TypeScript →
 * JavaScript, no type check: `npm run typecheck` does that) under node_modules/.cache, so
 * that the child runs on plain `node` as the gateway does in production: under tsx the same
 * process carries its loader (about 35 MB more RSS, and compilation on first import).
 * Packages resolve from the project's node_modules, above the output folder.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(ROOT, 'node_modules/.cache/plantwatch-bench');

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Returns the path of the compiled entry (a .js file under node_modules/.cache). */
export function compileChild(entry: string): string {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  // Below node_modules no package.json above says "module": say it here.
  writeFileSync(join(OUT, 'package.json'), '{ "type": "module" }\n');
  const done = new Set<string>();
  const pending = [resolve(entry)];
  for (let file = pending.pop(); file; file = pending.pop()) {
    if (done.has(file)) continue;
    done.add(file);
    const target = join(OUT, relative(ROOT, file));
    mkdirSync(dirname(target), { recursive: true });
    if (!file.endsWith('.ts')) {
      copyFileSync(file, target);
      continue;
    }
    const source = readFileSync(file, 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        sourceMap: false,
      },
    });
    writeFileSync(target.replace(/\.ts$/, '.js'), outputText);
    for (const match of outputText.matchAll(RELATIVE_IMPORT)) {
      const spec = match[1] as string;
      const imported = resolve(dirname(file), spec);
      pending.push(imported.endsWith('.js') ? imported.replace(/\.js$/, '.ts') : imported);
    }
  }
  return join(OUT, relative(ROOT, resolve(entry))).replace(/\.ts$/, '.js');
}

/**
 * The dashboard's source keeps to the rules of issue #18, checked on the files themselves so a
 * later change cannot slip back: TypeScript only (no hand-written .js), one fetch helper
 * (app/api.ts), data put in the page as text (no innerHTML), and times formatted through
 * app/time.ts in the plant's zone (no toLocaleTimeString / toLocaleDateString, which use the
 * browser's zone).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', 'dashboards');

function files(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

const all = files().map((f) => relative(root, f));
/** Every script, .js too: the checks below hold whatever a file is written in. */
const sources = all.filter((f) => /\.(ts|js|mjs|cjs)$/.test(f));
/** Source files whose text matches `pattern`, but the `except` ones. */
const matching = (pattern: RegExp, except: string[] = []) =>
  sources.filter((f) => !except.includes(f) && pattern.test(readFileSync(join(root, f), 'utf8')));

describe('the dashboard source', () => {
  it('is TypeScript: no hand-written .js', () => {
    expect(sources.length).toBeGreaterThan(30);
    expect(sources.filter((f) => !f.endsWith('.ts'))).toEqual([]);
  });

  it('calls the gateway through app/api.ts only', () => {
    expect(matching(/\bfetch\(|XMLHttpRequest/, ['app/api.ts'])).toEqual([]);
  });

  it('never puts data in the page as HTML', () => {
    expect(matching(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/)).toEqual([]);
  });

  it("formats times through app/time.ts (the plant's zone), never the browser's zone", () => {
    expect(matching(/toLocale(Time|Date)String|toLocaleString\(\s*undefined,\s*\{[^}]*hour/)).toEqual([]);
  });

  it('loads each page script from the bundle, not the socket.io client the gateway serves', () => {
    const pages = all.filter((f) => f.endsWith('.html'));
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages)
      expect(readFileSync(join(root, page), 'utf8'), page).not.toMatch(/socket\.io\/socket\.io\.js/);
  });
});

/**
 * Data-driven configuration cases (see test/fixtures/config/README.md): each folder is
 * `_base` plus its own files, and says the exact errors or the facts expected.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, formatIssue, loadConfig, type PlantConfig } from '../../src/config/index.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'config');
const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !e.name.startsWith('_'))
  .map((e) => e.name)
  .sort();

const work = mkdtempSync(join(tmpdir(), 'plantwatch-config-cases-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `_base` with the case's files laid over it and its delete.txt applied. */
function assemble(name: string): string {
  const dir = join(work, name);
  cpSync(join(FIXTURES, '_base'), dir, { recursive: true });
  cpSync(join(FIXTURES, name), dir, {
    recursive: true,
    filter: (src) => !/expected\.(err|json)$|delete\.txt$/.test(src),
  });
  const deletions = join(FIXTURES, name, 'delete.txt');
  if (existsSync(deletions)) {
    for (const file of readFileSync(deletions, 'utf8').split('\n').filter(Boolean)) rmSync(join(dir, file));
  }
  return dir;
}

/** Error lines with the case directory's path taken off, so they read as the user sees them. */
function errorsOf(dir: string): string[] {
  try {
    loadConfig(dir, { env: { PW_TEST_PRESENT: 'yes' } });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const prefix = `${relative(process.cwd(), dir)}/`;
    return err.issues.map((issue) => formatIssue(issue).replaceAll(prefix, ''));
  }
  return [];
}

function facts(config: PlantConfig) {
  return {
    devices: config.devices.length,
    points: config.devices.reduce((n, d) => n + (config.profiles.get(d.profile)?.points.length ?? 0), 0),
    lines: Object.fromEntries(config.lines.map((l) => [l.id, l])),
  };
}

describe('configuration cases', () => {
  it.each(cases)('%s', (name) => {
    const dir = assemble(name);
    const errFile = join(FIXTURES, name, 'expected.err');
    if (existsSync(errFile)) {
      const expected = readFileSync(errFile, 'utf8').split('\n').filter(Boolean);
      expect(errorsOf(dir)).toEqual(expected);
      return;
    }
    const expected = JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8'));
    expect(errorsOf(dir)).toEqual([]);
    expect(facts(loadConfig(dir, { env: {} }))).toMatchObject(expected);
  });
});

describe('the demo configuration', () => {
  it('loads, and describes the hospital plant the simulators serve', () => {
    const config = loadConfig('config');
    const byProfile = (p: string) => config.devices.filter((d) => d.profile === p).map((d) => d.id);
    expect(byProfile('chiller')).toEqual(['ch1', 'ch2']);
    expect(byProfile('vsd-pump')).toHaveLength(6);
    expect(byProfile('water-meter')).toHaveLength(6);
    expect(byProfile('power-meter').filter((id) => id.endsWith('incomer'))).toEqual([
      'dr1-incomer',
      'dr2-incomer',
    ]);
    expect(config.devices.find((d) => d.id === 'o2-station')?.critical).toBe(true);
    expect(new Set(config.lines.map((l) => l.transport))).toEqual(new Set(['tcp', 'rtu', 'rtu-over-tcp']));
    for (const id of Object.keys(config.simulation.devices)) {
      expect(config.devices.map((d) => d.id)).toContain(id);
    }
  });
});

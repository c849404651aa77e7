/**
 * What a missing program does to the tests that need it: under CI the run fails naming the
 * package to install; elsewhere the tests are skipped, saying why on stderr.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { assertTool, findTool, requireTool, TOOLS, underCi } from './tools.js';

const NOWHERE = { binary: 'plantwatch-no-such-program', apt: 'plantwatch-no-such-package' };

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('requireTool', () => {
  it('under CI=true, throws for a missing program, naming the package to install', () => {
    vi.stubEnv('CI', 'true');
    expect(() => requireTool(NOWHERE)).toThrow(
      'plantwatch-no-such-program not found: apt-get install plantwatch-no-such-package',
    );
  });

  it('elsewhere, gives the reason to skip and prints it', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const reason = requireTool(NOWHERE);
    expect(reason).toBe('plantwatch-no-such-program not found: apt-get install plantwatch-no-such-package');
    expect(warn).toHaveBeenCalledWith(`skipped: ${reason}`);
  });

  it('names every missing program of several, and none that is there', () => {
    vi.stubEnv('CI', 'false');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const here = { binary: process.execPath, apt: 'nodejs' };
    const elsewhere = { binary: '/nonexistent/chromium', apt: 'chromium' };
    expect(requireTool(here)).toBeUndefined();
    expect(requireTool(here, NOWHERE, elsewhere)).toBe(
      'plantwatch-no-such-program not found: apt-get install plantwatch-no-such-package; ' +
        '/nonexistent/chromium not found: apt-get install chromium',
    );
  });

  it('takes CI=1 and CI=TRUE for CI, and CI=0, false or unset for not', () => {
    expect(['true', 'TRUE', '1', 'yes'].map((CI) => underCi({ CI }))).toEqual([true, true, true, true]);
    expect(['0', 'false', ''].map((CI) => underCi({ CI }))).toEqual([false, false, false]);
    expect(underCi({})).toBe(false);
  });
});

describe('findTool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-tools-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a program on PATH only where it may be run', () => {
    const script = join(dir, 'plantwatch-tool');
    writeFileSync(script, '#!/bin/sh\n');
    const env = { PATH: ['/nonexistent', dir].join(delimiter) };
    chmodSync(script, 0o644);
    expect(findTool('plantwatch-tool', env)).toBeUndefined();
    chmodSync(script, 0o755);
    expect(findTool('plantwatch-tool', env)).toBe(script);
    expect(findTool(script, { PATH: '' })).toBe(script);
  });

  it('assertTool, for a helper about to start one, fails naming the package', () => {
    expect(() => assertTool(NOWHERE)).toThrow('apt-get install plantwatch-no-such-package');
    expect(assertTool({ binary: process.execPath, apt: 'nodejs' })).toBe(process.execPath);
  });
});

describe('the tools the tests use', () => {
  // apt_packages=( … ) over several lines, each perhaps with a comment.
  const list = /^apt_packages=\(([\s\S]*?)^\)/m.exec(readFileSync('.ci/run', 'utf8'))?.[1] ?? '';
  const ciPackages = list
    .replace(/#.*$/gm, '')
    .split(/\s+/)
    .filter((name) => name !== '');

  it('each names its Debian package, which .ci/run installs', () => {
    for (const tool of Object.values(TOOLS)) expect(ciPackages, tool.binary).toContain(tool.apt);
  });

  it("the README's install line names the same packages as .ci/run", () => {
    const readme =
      /^apt-get install -y (.*)$/m.exec(readFileSync('README.md', 'utf8'))?.[1]?.split(/\s+/) ?? [];
    expect(readme.sort()).toEqual([...ciPackages].sort());
  });
});

/**
 * `plantwatch check-config` refuses an alarm rule the plant cannot satisfy, naming the file, key
 * and line: the alarm system checks its own section (src/alarms/section-check.ts), which
 * configuration no longer does by itself (test/architecture.test.ts), so the command must load
 * through src/gateway/load-config.ts.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'config');
const work = mkdtempSync(join(tmpdir(), 'plantwatch-check-rules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function checkConfig(dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'check-config', dir], {
      env: { ...process.env, PLANTWATCH_LOG_FORMAT: 'json' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('plantwatch check-config and the alarm rules', () => {
  it('exits 1 naming the file, key and line of a rule on a point the device does not have', async () => {
    const dir = join(work, 'alarm-unknown-point');
    cpSync(join(FIXTURES, '_base'), dir, { recursive: true });
    cpSync(join(FIXTURES, 'alarm-unknown-point', 'alarms.yaml'), join(dir, 'alarms.yaml'));
    const expected = readFileSync(join(FIXTURES, 'alarm-unknown-point', 'expected.err'), 'utf8').trim();

    const { code, stdout, stderr } = await checkConfig(dir);

    expect(stdout).not.toMatch(/OK/);
    expect(code).toBe(1);
    expect(stderr).toContain(`${relative(process.cwd(), dir)}/${expected}`);
  });
});

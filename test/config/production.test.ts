/**
 * The demo's published passwords under NODE_ENV=production: its embedded broker's users are
 * refused at load, like its dashboard accounts are at start, each named by file, key and user.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, formatIssue, loadConfig } from '../../src/config/index.js';
import { PUBLISHED_DEMO_PASSWORDS } from '../../src/vocabulary/demo-passwords.js';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';

let demo: DemoConfig | undefined;
afterEach(() => demo?.cleanup());

function problems(dir: string, env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(dir, { env });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((issue) => formatIssue({ ...issue, file: issue.file.replace(/^.*\//, '') }));
  }
}

describe('published demo passwords in production', () => {
  it("refuses the demo broker's users, naming file, line, key and user", async () => {
    demo = await demoConfigCopy();
    const errors = problems(demo.dir, { NODE_ENV: 'production' });
    expect(errors).toHaveLength(3);
    const yaml = readFileSync(join(demo.dir, 'plantwatch.yaml'), 'utf8').split('\n');
    // The east campus's gateway logs in to this broker too (config/east/plantwatch.yaml).
    [
      ['simulator', 'simulator-demo'],
      ['viewer', 'viewer-demo'],
      ['plantwatch-east', 'east-demo'],
    ].forEach(([user, password], i) => {
      const error = errors[i] ?? '';
      expect(error).toMatch(
        new RegExp(
          `^plantwatch\\.yaml:(\\d+): mqtt\\.broker\\.users\\[${i}\\]\\.password: MQTT user "${user}"`,
        ),
      );
      expect(error).toContain(`"${password}"`);
      expect(error).toContain('NODE_ENV=production');
      // The line named is the one holding that user's password.
      const line = Number(/^plantwatch\.yaml:(\d+)/.exec(error)?.[1]);
      expect(yaml[line - 1]).toMatch(/password:/);
    });
  });

  it('loads once the passwords come from the environment, and the demo loads outside production', async () => {
    demo = await demoConfigCopy();
    expect(
      problems(demo.dir, {
        NODE_ENV: 'production',
        PLANTWATCH_SIM_MQTT_PASSWORD: 'sim-own-secret',
        PLANTWATCH_VIEWER_MQTT_PASSWORD: 'viewer-own-secret',
        PLANTWATCH_EAST_MQTT_PASSWORD: 'east-own-secret',
      }),
    ).toEqual([]);
    expect(problems(demo.dir, {})).toEqual([]);
  });

  it('has one list of published passwords: every password default of the demo is in it', () => {
    const text = readFileSync('config/plantwatch.yaml', 'utf8');
    const defaults = [...text.matchAll(/\$\{[A-Z_]*PASSWORD[A-Z_]*:-([^}]+)\}/g)].map((m) => m[1]);
    expect(defaults.length).toBeGreaterThan(0);
    for (const password of defaults) expect(PUBLISHED_DEMO_PASSWORDS).toContain(password);
  });
});

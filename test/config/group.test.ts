/**
 * plantwatch.yaml's group: section and sharedProfiles, as check-config reports them: each
 * error names the file, the line and the key, and says what was expected.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, formatIssue, loadConfig } from '../../src/config/index.js';
import { type DemoConfig, demoConfigCopy, editYaml } from '../helpers/demo-config.js';

let demo: DemoConfig | undefined;
afterEach(() => {
  demo?.cleanup();
  demo = undefined;
});

function problems(dir: string): string[] {
  try {
    loadConfig(dir);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((issue) => formatIssue({ ...issue, file: issue.file.replace(/^.*\//, '') }));
  }
}

describe('group: in plantwatch.yaml', () => {
  it('loads the demo’s: its campuses, names and default silence', () => {
    const group = loadConfig('config').gateway.group;
    expect(group?.campuses.map((c) => [c.site, c.url])).toEqual([
      ['main', 'http://127.0.0.1:8080'],
      ['east', 'http://127.0.0.1:8081'],
    ]);
    expect([group?.name, group?.nameZh, group?.silentAfter]).toEqual([
      'City Hospital Group',
      '市医院集团',
      90_000,
    ]);
  });

  it('names each mistake: a campus twice, an address that is not http(s), a silence that is no duration', async () => {
    demo = await demoConfigCopy();
    await editYaml(join(demo.dir, 'plantwatch.yaml'), (doc) => {
      doc.setIn(['group', 'campuses', 1, 'site'], 'main');
      doc.setIn(['group', 'campuses', 0, 'url'], 'ftp://10.1.0.5');
      doc.setIn(['group', 'silentAfter'], 'soon');
    })();
    const found = problems(demo.dir).join('\n');
    expect(found).toMatch(/plantwatch\.yaml:\d+: group\.campuses\[1\]\.site: campus "main" is listed twice/);
    expect(found).toMatch(/plantwatch\.yaml:\d+: group\.campuses\[0\]\.url: the campus dashboard's address/);
    expect(found).toMatch(
      /plantwatch\.yaml:\d+: group\.silentAfter: a duration such as "90s" or "5m" \(got "soon"\)/,
    );
  });
});

describe('sharedProfiles', () => {
  it('gives the east campus the group’s profiles from config/profiles', () => {
    const east = loadConfig('config/east');
    expect(east.profiles.get('boiler')?.name).toBe(loadConfig('config').profiles.get('boiler')?.name);
  });

  it('names a folder that is not there', async () => {
    demo = await demoConfigCopy();
    await editYaml(join(demo.dir, 'plantwatch.yaml'), (doc) => {
      doc.set('sharedProfiles', doc.createNode(['../no-such-folder']));
    })();
    expect(problems(demo.dir).join('\n')).toMatch(
      /plantwatch\.yaml:\d+: sharedProfiles: folder ".*no-such-folder" not found/,
    );
  });
});

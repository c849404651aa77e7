/**
 * Configured names in English, Chinese or both: `name: Chiller 1`, `name: { en, zh }` or one
 * language alone, loaded as `name` (English, else Chinese) plus `nameZh`; a name that is none
 * of these is refused with the file, the key, the line and what was expected.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { type DemoConfig, demoConfigCopy, editYaml } from '../helpers/demo-config.js';

let demo: DemoConfig | undefined;
afterEach(() => {
  demo?.cleanup();
  demo = undefined;
});

function issuesOf(dir: string) {
  try {
    loadConfig(dir);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

describe('the demo names every place, device, point, rule and task in both languages', () => {
  it('loads English as name and Chinese as nameZh', async () => {
    demo = await demoConfigCopy({ maintenance: true });
    const config = loadConfig(demo.dir);
    expect(config.devices.find((d) => d.id === 'ch1')).toMatchObject({
      name: 'Chiller 1',
      nameZh: '1号冷水机组',
    });
    const room = config.sites[0]?.buildings.flatMap((b) => b.rooms).find((r) => r.id === 'pump-room');
    expect(room).toMatchObject({ name: 'Pump Room (secondary water supply)', nameZh: '二次供水泵房' });
    expect(config.profiles.get('chiller')?.points[0]).toMatchObject({
      label: 'Chilled water supply temperature',
      labelZh: '冷冻水供水温度',
    });
    expect(config.alarms.rules.find((r) => r.id === 'chiller-trip')?.messageZh).toBe(
      '{deviceName}跳闸（{building}{room}）',
    );
    expect(config.maintenance.tasks[0]?.titleZh).toBe('1号冷水机组年度保养');
    const unnamed = [
      ...config.devices.filter((d) => !d.nameZh).map((d) => d.id),
      ...config.sites
        .flatMap((s) => s.buildings.flatMap((b) => b.rooms))
        .filter((r) => !r.nameZh)
        .map((r) => r.id),
      ...[...config.profiles.values()].flatMap((p) =>
        p.points.filter((pt) => !pt.labelZh).map((pt) => `${p.id}.${pt.name}`),
      ),
      ...config.alarms.rules.filter((r) => r.message && !r.messageZh).map((r) => r.id),
    ];
    expect(unnamed).toEqual([]);
  });
});

describe('a name in one language, or in none', () => {
  it('takes either language alone: a Chinese name alone is the name too', async () => {
    demo = await demoConfigCopy();
    await editYaml(join(demo.dir, 'devices', 'chiller-plant.yaml'), (doc) => {
      doc.setIn(['devices', 0, 'name'], doc.createNode({ zh: '1号冷水机组' }));
      doc.setIn(['devices', 1, 'name'], doc.createNode({ en: 'Chiller 2' }));
    })();
    const config = loadConfig(demo.dir);
    expect(config.devices[0]).toMatchObject({ name: '1号冷水机组', nameZh: '1号冷水机组' });
    expect(config.devices[1]?.name).toBe('Chiller 2');
    expect(config.devices[1]?.nameZh).toBeUndefined();
  });

  it('names the file, the key and what was expected', async () => {
    demo = await demoConfigCopy();
    await editYaml(join(demo.dir, 'devices', 'chiller-plant.yaml'), (doc) => {
      doc.setIn(['devices', 0, 'name'], doc.createNode({ en: 'Chiller 1', cn: '1号冷水机组' }));
      doc.setIn(['devices', 1, 'name'], doc.createNode({ zh: '' }));
    })();
    await editYaml(join(demo.dir, 'site.yaml'), (doc) => {
      doc.setIn(['sites', 0, 'name'], doc.createNode({}));
    })();
    const where = (file: string) => file.replace(/^.*plantwatch-demo-[^/]+\//, '');
    const issues = issuesOf(demo.dir).map((i) => `${where(i.file)}: ${i.path}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'devices/chiller-plant.yaml: devices[0].name: a name, or { en: …, zh: … } with at least one of the two (unknown key cn)',
        'devices/chiller-plant.yaml: devices[1].name.zh: empty: write the text, or leave this language out',
        'site.yaml: sites[0].name: a name, or { en: …, zh: … } with at least one of the two (got {})',
      ]),
    );
  });
});

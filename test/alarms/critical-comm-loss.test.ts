/**
 * A device marked `critical: true` has a critical comm-loss alarm without a rule of its own
 * (config/README.md, devices/*.yaml): raised when the device goes silent, shown in /api/alarms,
 * returned when it answers again; not doubled when alarms.yaml already has a comm-loss rule for
 * it; and counted by `plantwatch check-config`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { expandRules } from '../../src/alarms/index.js';
import { CRITICAL_COMM_LOSS_RULE } from '../../src/alarms/rules.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { demoConfigCopy, editYaml } from '../helpers/demo-config.js';
import { startTcpDevice, type TcpDevice } from '../helpers/modbus-tcp-device.js';
import { type ConfigParts, plantConfig } from '../helpers/plant-config.js';
import { until } from '../helpers/wait.js';

const run = promisify(execFile);
const ALARM = `${CRITICAL_COMM_LOSS_RULE}@o2`;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An oxygen station read over Modbus TCP, marked critical, with the alarm rules given. */
function oxygenPlant(port: number, dir: string, rules: unknown[] = []) {
  const parts: ConfigParts = {
    lines: [
      {
        id: 'o2-gw',
        transport: 'tcp',
        host: '127.0.0.1',
        port,
        timeout: 300,
        backoff: { initial: 250, max: 1000 },
      },
    ],
    profiles: [
      {
        id: 'o2-station',
        name: 'Oxygen station',
        equipment: 'oxygen-station',
        protocol: 'modbus',
        pollGroups: { fast: '250ms' },
        points: [{ name: 'supply_kpa', table: 'holding', address: 0, poll: 'fast', unit: 'kPa' }],
      },
    ],
    devices: [
      { id: 'o2', name: 'Oxygen station', profile: 'o2-station', critical: true, modbus: { line: 'o2-gw' } },
    ],
    gateway: {
      web: { host: '127.0.0.1', port: 0 },
      storage: { sqlite: { path: join(dir, 'plantwatch.db') }, spool: { path: join(dir, 'spool.db') } },
      records: { path: join(dir, 'records.db') },
    },
    alarms: {
      settings: { journal: join(dir, 'alarms.db'), tick: '250ms', criticalCommLoss: { after: '2s' } },
      rules,
    },
  };
  return plantConfig(parts);
}

function tmpDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-critical-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface ListedAlarm {
  id: string;
  priority: string;
  state: string;
  device?: string;
}

/** The alarm as the dashboard's list shows it (every state). */
async function listed(gateway: Gateway, id: string): Promise<ListedAlarm | undefined> {
  const res = await fetch(`${gateway.web.url}/api/alarms?all=1`);
  const alarms = (await res.json()) as ListedAlarm[];
  return alarms.find((a) => a.id === id);
}

describe('a critical device without a comm-loss rule', () => {
  it('raises a critical comm-loss alarm when it goes silent, and returns when it answers again', async () => {
    const device: TcpDevice = await startTcpDevice({ 1: { holding: { 0: 420 } } });
    cleanups.push(() => device.stop());
    const gateway = await startGateway({ config: oxygenPlant(device.port, tmpDir()), log: silentLogger() });
    cleanups.push(() => gateway.stop());

    await until(
      'the oxygen station read',
      () => gateway.table.get('o2.supply_kpa')?.quality === 'good',
      10_000,
    );
    expect(await listed(gateway, ALARM)).toMatchObject({
      priority: 'critical',
      state: 'normal',
      device: 'o2',
    });

    (device.units[1] as { silent?: boolean }).silent = true;
    await until(
      'the comm-loss alarm raised',
      async () => (await listed(gateway, ALARM))?.state === 'active-unacknowledged',
      15_000,
      100,
    );
    const raised = await listed(gateway, ALARM);
    expect(raised).toMatchObject({ priority: 'critical', device: 'o2' });
    // Also in the list of what is wrong now, the dashboard's default view.
    const active = (await (await fetch(`${gateway.web.url}/api/alarms`)).json()) as ListedAlarm[];
    expect(active.map((a) => a.id)).toContain(ALARM);

    (device.units[1] as { silent?: boolean }).silent = false;
    await until(
      'the alarm returned',
      async () => (await listed(gateway, ALARM))?.state === 'returned-unacknowledged',
      15_000,
      100,
    );
  }, 60_000);
});

describe('which comm-loss alarm a critical device has', () => {
  const commLossOf = (rules: unknown[]) => {
    const config = oxygenPlant(1, '/nonexistent', rules);
    const { alarms, problems } = expandRules(config, config.alarms.rules);
    return { problems, alarms: alarms.map((a) => [a.definition.id, a.definition.priority]) };
  };

  it('is the one of alarms.yaml when a comm-loss rule watches it, not a second one', () => {
    const ownRule = { id: 'o2-silent', device: 'o2', type: 'comm-loss', after: '1m', priority: 'high' };
    expect(commLossOf([ownRule])).toEqual({ problems: [], alarms: [['o2-silent@o2', 'high']] });
  });

  it("is the gateway's own, critical, beside rules of other kinds", () => {
    const limit = {
      id: 'o2-low',
      device: 'o2',
      type: 'low',
      point: 'supply_kpa',
      limit: 350,
      priority: 'critical',
    };
    expect(commLossOf([limit])).toEqual({
      problems: [],
      alarms: [
        ['o2-low@o2', 'critical'],
        [ALARM, 'critical'],
      ],
    });
  });

  it("refuses a rule that takes the gateway's own alarm's id", () => {
    const clash = {
      id: CRITICAL_COMM_LOSS_RULE,
      device: 'o2',
      type: 'low',
      point: 'supply_kpa',
      limit: 1,
      priority: 'low',
    };
    expect(commLossOf([clash]).problems).toEqual([
      expect.objectContaining({ rule: 0, path: ['id'], message: expect.stringContaining('critical device') }),
    ]);
  });
});

describe('plantwatch check-config', () => {
  /** The "N alarm rule(s) → M alarm(s)" of check-config's answer. */
  async function alarmCount(dir: string): Promise<number> {
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      'src/cli/index.ts',
      'check-config',
      dir,
    ]);
    const count = /→ (\d+) alarm\(s\)/.exec(stdout)?.[1];
    if (count === undefined) throw new Error(`no alarm count in: ${stdout}`);
    return Number(count);
  }

  it("counts the critical devices' comm-loss alarms when no rule of alarms.yaml writes them", async () => {
    const demo = await demoConfigCopy();
    cleanups.push(() => demo.cleanup());
    const before = await alarmCount(demo.dir);
    // The demo's hand-written comm-loss rules for its critical devices (the incomers, oxygen).
    await editYaml(join(demo.dir, 'alarms.yaml'), (doc) => {
      const rules = doc.get('rules') as { items: { get(key: string): unknown }[] };
      rules.items = rules.items.filter(
        (r) => !['critical-comm-loss', 'oxygen-comm-loss'].includes(String(r.get('id'))),
      );
    })();
    // One alarm for one, as before: the gateway's own in place of each removed rule's.
    expect(await alarmCount(demo.dir)).toBe(before);
  }, 60_000);
});

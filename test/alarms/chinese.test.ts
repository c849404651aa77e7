/**
 * An alarm in Chinese, as the night shift reads it on a Chinese dashboard: the device, room and
 * point in their configured Chinese names, the condition and the words around the rule's in
 * Chinese, beside the English ones; and the journal keeps both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlarmJournal, type AlarmService, startAlarms } from '../../src/alarms/index.js';
import { siteFile } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/index.js';
import { buildCatalog, PointBus, PointTable } from '../../src/points/index.js';
import { plantConfig } from '../helpers/plant-config.js';

const MIN = 60_000;
/** 03:00 in Shanghai. */
const T0 = Date.parse('2026-11-25T03:00:00+08:00');

const PROFILE = {
  id: 'chiller',
  name: { en: 'Chiller', zh: '冷水机组' },
  equipment: 'chiller',
  protocol: 'modbus',
  points: [
    {
      name: 'chw_supply_temp',
      label: { en: 'Chilled water supply temperature', zh: '冷冻水供水温度' },
      unit: '°C',
      table: 'input',
      address: 0,
      type: 'int16',
      scale: 0.1,
    },
    { name: 'tripped', label: { zh: '跳闸' }, table: 'input', address: 12, type: 'bool', bit: 1 },
  ],
};

const DEVICE = {
  id: 'ch1',
  name: { en: 'Chiller 1', zh: '1号冷水机组' },
  profile: 'chiller',
  modbus: { line: 'l1', unitId: 1 },
};

/** No message of its own: the default words, in both languages. */
const HIGH = {
  id: 'chw-high',
  device: 'ch1',
  type: 'high',
  point: 'chw_supply_temp',
  limit: 9,
  deadband: 0.5,
  onDelay: '1m',
  priority: 'high',
};

const TRIP = {
  id: 'trip',
  device: 'ch1',
  type: 'state',
  point: 'tripped',
  equals: true,
  priority: 'critical',
  message: { en: '{deviceName} TRIPPED ({room})', zh: '{deviceName}跳闸（{building}{room}）' },
};

let service: AlarmService;
let home: string;
let bus: PointBus;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  home = mkdtempSync(join(tmpdir(), 'plantwatch-zh-'));
  const config = plantConfig({
    profiles: [PROFILE],
    devices: [DEVICE],
    alarms: { settings: { tick: 100, timezone: 'Asia/Shanghai' }, rules: [HIGH, TRIP] },
  });
  config.sites = siteFile.parse({
    sites: [
      {
        id: 'main',
        name: { en: 'Main Hospital', zh: '总院' },
        buildings: [
          {
            id: 'b1',
            name: { en: 'Energy Centre', zh: '能源中心' },
            rooms: [{ id: 'r1', name: { en: 'Chiller Plant', zh: '冷冻站' }, kind: 'chiller-plant' }],
          },
        ],
      },
    ],
  }).sites;
  bus = new PointBus();
  const table = new PointTable(buildCatalog(config));
  bus.subscribe((values) => table.update(values));
  const journal = new AlarmJournal(join(home, 'alarms.db'));
  service = startAlarms({ config, bus, read: (id) => table.get(id), log: silentLogger(), journal });
});

afterEach(async () => {
  await service.stop();
  rmSync(home, { recursive: true, force: true });
  vi.useRealTimers();
});

const set = (id: string, value: number | boolean) =>
  bus.publish([{ id, value, quality: 'good', ts: Date.now() }]);

describe('an alarm in Chinese', () => {
  it('names the device, the room and the point in Chinese, with the condition in Chinese', () => {
    set('ch1.chw_supply_temp', 7);
    expect(service.get('chw-high@ch1')).toMatchObject({
      deviceName: 'Chiller 1',
      deviceNameZh: '1号冷水机组',
      roomName: 'Chiller Plant',
      roomNameZh: '冷冻站',
      buildingNameZh: '能源中心',
      condition: 'chw_supply_temp > 9 °C (deadband 0.5), for 1m',
      conditionZh: '冷冻水供水温度 > 9 °C（回差 0.5），持续 1 分钟',
      messageZh:
        '1号冷水机组：冷冻水供水温度 7 °C，正常——报警条件：冷冻水供水温度 > 9 °C（回差 0.5），持续 1 分钟',
    });
  });

  it('says the default words in Chinese while active and once returned', () => {
    set('ch1.chw_supply_temp', 10.5);
    vi.advanceTimersByTime(MIN + 200);
    expect(service.get('chw-high@ch1')?.messageZh).toBe(
      '1号冷水机组：冷冻水供水温度过高，10.5 °C（限值 9 °C）',
    );
    vi.advanceTimersByTime(11 * MIN);
    set('ch1.chw_supply_temp', 8);
    expect(service.get('chw-high@ch1')).toMatchObject({
      message:
        'Chiller 1: Chilled water supply temperature high, 10.5 °C (limit 9 °C) (returned to normal 03:12, now 8 °C)',
      messageZh: '1号冷水机组：冷冻水供水温度过高，10.5 °C（限值 9 °C）（03:12 恢复正常，现为 8 °C）',
    });
  });

  it("uses the rule's Chinese message, and the journal keeps both languages", () => {
    set('ch1.tripped', true);
    expect(service.get('trip@ch1')).toMatchObject({
      message: 'Chiller 1 TRIPPED (Chiller Plant)',
      messageZh: '1号冷水机组跳闸（能源中心冷冻站）',
      conditionZh: '跳闸 = 是',
    });
    const [activated] = service.history({ alarm: 'trip@ch1' });
    expect(activated).toMatchObject({
      kind: 'activated',
      message: 'Chiller 1 TRIPPED (Chiller Plant)',
      messageZh: '1号冷水机组跳闸（能源中心冷冻站）',
      deviceNameZh: '1号冷水机组',
      roomNameZh: '冷冻站',
    });
  });
});

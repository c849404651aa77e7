/**
 * A small plant for alarm tests: a chiller, a pump and a meter, the real point bus and table,
 * the real alarm service with its journal in a temp directory, and vitest's fake clock so
 * delays and shelving run in milliseconds of test time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { type AlarmEvent, AlarmJournal, type AlarmService, startAlarms } from '../../src/alarms/index.js';
import { silentLogger } from '../../src/log/index.js';
import { buildCatalog, PointBus, PointTable, type Quality, type Value } from '../../src/points/index.js';
import { plantConfig } from '../helpers/plant-config.js';

const line = { modbus: { line: 'l1', unitId: 1 } };

export const PROFILES = [
  {
    id: 'chiller',
    name: 'Chiller',
    equipment: 'chiller',
    protocol: 'modbus',
    points: [
      { name: 'chw_supply_temp', unit: '°C', table: 'input', address: 0, type: 'int16', scale: 0.1 },
      { name: 'chw_return_temp', unit: '°C', table: 'input', address: 1, type: 'int16', scale: 0.1 },
      { name: 'tripped', table: 'input', address: 12, type: 'bool', bit: 1 },
      { name: 'fault_code', table: 'input', address: 13, kind: 'state' },
    ],
  },
  {
    id: 'pump',
    name: 'Pump',
    equipment: 'pump',
    protocol: 'modbus',
    points: [
      { name: 'running', table: 'holding', address: 0, type: 'bool', bit: 0 },
      { name: 'pressure_bar', unit: 'bar', table: 'holding', address: 5, scale: 0.01 },
    ],
  },
];

export const DEVICES = [
  { id: 'ch1', name: 'Chiller 1', profile: 'chiller', ...line },
  { id: 'ch2', name: 'Chiller 2', profile: 'chiller', ...line, critical: true },
  { id: 'p1', name: 'Pump 1', profile: 'pump', ...line },
  { id: 'p2', name: 'Pump 2', profile: 'pump', ...line },
];

/** A chiller's fault code, alarmed while not 0: what a returned alarm must still quote. */
export const FAULT_CODE_RULE = {
  id: 'fault',
  profile: 'chiller',
  type: 'state',
  point: 'fault_code',
  notEquals: 0,
  priority: 'high',
  message: '{deviceName}: fault code {value}',
};

/** Chilled-water supply above 9 °C, with a deadband. */
export const CHW_HIGH_RULE = {
  id: 'chw-high',
  profile: 'chiller',
  type: 'high',
  point: 'chw_supply_temp',
  limit: 9,
  deadband: 0.5,
  priority: 'high',
  message: '{deviceName}: chilled water {value} {unit} above {limit} {unit}',
};

export interface AlarmHarness {
  service: AlarmService;
  events: AlarmEvent[];
  /** Publish a reading now, as acquisition would. */
  set(id: string, value: Value, quality?: Quality): void;
  /** Let time pass (ticks run). */
  advance(ms: number): void;
  state(id: string): string | undefined;
  kinds(id?: string): string[];
  /** The disk goes away under the journal. */
  closeJournal(): void;
  /** Stop and start again on the same journal, as a gateway restart does. */
  restart(): AlarmHarness;
  stop(): Promise<void>;
}

export function alarmHarness(
  rules: unknown[],
  settings: Record<string, unknown> = {},
  dir?: string,
): AlarmHarness {
  const home = dir ?? mkdtempSync(join(tmpdir(), 'plantwatch-alarms-'));
  const config = plantConfig({
    profiles: PROFILES,
    devices: DEVICES,
    // ch2 is critical, so it has the gateway's own comm-loss alarm (src/alarms/rules.ts): quiet
    // for the minutes these tests let pass, unless a test sets criticalCommLoss itself.
    alarms: { settings: { tick: 100, criticalCommLoss: { after: '7d' }, ...settings }, rules },
  });
  const bus = new PointBus();
  const table = new PointTable(buildCatalog(config));
  bus.subscribe((values) => table.update(values));
  const journal = new AlarmJournal(join(home, 'alarms.db'));
  const service = startAlarms({ config, bus, read: (id) => table.get(id), log: silentLogger(), journal });
  const events: AlarmEvent[] = [];
  service.subscribe((e) => events.push(e));
  return {
    service,
    events,
    set: (id, value, quality = 'good') => bus.publish([{ id, value, quality, ts: Date.now() }]),
    advance: (ms) => vi.advanceTimersByTime(ms),
    state: (id) => service.get(id)?.state,
    kinds: (id) => events.filter((e) => !id || e.alarmId === id).map((e) => e.kind),
    closeJournal: () => journal.close(),
    restart() {
      void service.stop();
      return alarmHarness(rules, settings, home);
    },
    async stop() {
      await service.stop();
      if (!dir) rmSync(home, { recursive: true, force: true });
    },
  };
}

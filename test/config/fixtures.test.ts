/**
 * Data-driven configuration cases (see test/fixtures/config/README.md): each folder is
 * `_base` plus its own files, and says the exact errors or the facts expected.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandRules } from '../../src/alarms/index.js';
import {
  ConfigError,
  formatIssue,
  loadConfig,
  type PlantConfig,
  registerCount,
} from '../../src/config/index.js';
import { loadPlantConfig } from '../../src/gateway/load-config.js';

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

/** The environment every case is loaded with: PW_TEST_PRESENT is set, nothing else is. */
const ENV = { PW_TEST_PRESENT: 'yes' };

/** Error lines with the case directory's path taken off, so they read as the user sees them. */
function load(dir: string): { config?: PlantConfig; errors: string[] } {
  try {
    return { config: loadPlantConfig(dir, { env: ENV }), errors: [] };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const rel = relative(process.cwd(), dir);
    const strip = (line: string) => (rel ? line.replaceAll(`${rel}/`, '') : line);
    return { errors: err.issues.map((issue) => strip(formatIssue(issue))) };
  }
}

/** What an expected.json may state about a configuration that loads. */
function facts(config: PlantConfig) {
  return {
    devices: config.devices.length,
    enabledDevices: config.devices.filter((d) => d.enabled).length,
    points: config.devices.reduce((n, d) => n + (config.profiles.get(d.profile)?.points.length ?? 0), 0),
    profiles: [...config.profiles.keys()].sort(),
    critical: config.devices.filter((d) => d.critical).map((d) => d.id),
    lineCount: config.lines.length,
    lines: Object.fromEntries(config.lines.map((l) => [l.id, l])),
    gateway: config.gateway,
    alarmTimezone: config.alarms.settings.timezone,
    alarms: expandRules(config, config.alarms.rules)
      .alarms.map((a) => a.definition.id)
      .sort(),
  };
}

describe('configuration cases', () => {
  it('has a good number of error cases and valid cases', () => {
    const kinds = cases.map((name) => existsSync(join(FIXTURES, name, 'expected.err')));
    expect(kinds.filter(Boolean).length).toBeGreaterThanOrEqual(15);
    expect(kinds.filter((k) => !k).length).toBeGreaterThanOrEqual(3);
  });

  it.each(cases)('%s', (name) => {
    const dir = assemble(name);
    const errFile = join(FIXTURES, name, 'expected.err');
    const { config, errors } = load(dir);
    if (existsSync(errFile)) {
      const expected = readFileSync(errFile, 'utf8').split('\n').filter(Boolean);
      expect(expected.length, 'an expected.err lists at least one problem').toBeGreaterThan(0);
      expect(errors).toEqual(expected);
      return;
    }
    const expected = JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8'));
    expect(errors).toEqual([]);
    expect(facts(config as PlantConfig)).toMatchObject(expected);
  });

  it('reports the same problems whatever the working directory', () => {
    const dir = assemble('many-problems-at-once');
    const before = load(dir).errors;
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(load('.').errors).toEqual(before);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('the demo configuration', () => {
  // The demo must load without any environment: every ${VAR} has a default.
  const config = loadConfig('config', { env: {} });
  const device = (id: string) => {
    const found = config.devices.find((d) => d.id === id);
    if (!found) throw new Error(`no device ${id}`);
    return found;
  };
  const modbusOf = (id: string) => {
    const d = device(id);
    return 'modbus' in d ? d.modbus : undefined;
  };

  it('has the hospital plant the simulators serve, device by device', () => {
    const byProfile = (p: string) =>
      config.devices
        .filter((d) => d.profile === p)
        .map((d) => d.id)
        .sort();
    expect(byProfile('chiller')).toEqual(['ch1', 'ch2']);
    expect(byProfile('vsd-pump')).toEqual(['pbw1', 'pbw2', 'pchw1', 'pchw2', 'pcw1', 'pcw2', 'phc1', 'phc2']);
    expect(byProfile('power-meter')).toEqual(
      [
        'dr1-incomer',
        'dr1-f1',
        'dr1-f2',
        'dr1-f3',
        'dr1-f4',
        'dr2-incomer',
        'dr2-f1',
        'dr2-f2',
        'dr2-f3',
      ].sort(),
    );
    expect(byProfile('water-meter')).toEqual(
      ['wm-admin', 'wm-canteen', 'wm-energy-centre', 'wm-inpatient', 'wm-outpatient', 'wm-surgical'].sort(),
    );
    expect(byProfile('oxygen-station')).toEqual(['o2-station']);
    expect(byProfile('weather-station')).toEqual(['weather']);
    expect(byProfile('ahu-theatre')).toEqual(['ahu-or1', 'ahu-or2', 'ahu-or3', 'ahu-or4']);
    expect(byProfile('elevator')).toEqual(['lift-ip1', 'lift-ip2', 'lift-op1', 'lift-op2']);
    expect(byProfile('boiler')).toEqual(['b1', 'b2']);
    expect(byProfile('heat-exchanger')).toEqual(['hx1', 'hx2']);
    expect(byProfile('gas-meter')).toEqual(['gm-boilers']);
    expect(byProfile('makeup-water')).toEqual(['mw1']);
    expect(config.devices).toHaveLength(41);
    expect(config.devices.every((d) => d.enabled && d.site === 'main')).toBe(true);
    expect(
      config.devices
        .filter((d) => d.critical)
        .map((d) => d.id)
        .sort(),
    ).toEqual(['dr1-incomer', 'dr2-incomer', 'o2-station']);
    expect(device('ch1').name).toBe('Chiller 1');
    expect(device('dr1-incomer').name).toBe('DR1 Incomer');
  });

  it('has the site, buildings and rooms', () => {
    expect(config.sites.map((s) => [s.id, s.name])).toEqual([['main', 'Main Hospital']]);
    const buildings = config.sites[0]?.buildings ?? [];
    expect(buildings.map((b) => b.id)).toEqual([
      'inpatient',
      'outpatient',
      'surgical',
      'admin',
      'canteen',
      'energy-centre',
    ]);
    const inpatient = buildings.find((b) => b.id === 'inpatient');
    expect(inpatient).toMatchObject({ beds: 800, areaM2: 52000 });
    expect(inpatient?.rooms.find((r) => r.id === 'dr1')).toMatchObject({
      kind: 'distribution-room',
      ratedKva: 2500,
    });
    const outpatient = buildings.find((b) => b.id === 'outpatient');
    expect(outpatient).toMatchObject({ areaM2: 38000 });
    expect(outpatient?.rooms.find((r) => r.id === 'dr2')).toMatchObject({
      kind: 'distribution-room',
      ratedKva: 2000,
    });
    const energy = buildings.find((b) => b.id === 'energy-centre');
    expect(energy?.rooms.map((r) => r.id)).toEqual(
      expect.arrayContaining(['chiller-plant', 'pump-room', 'oxygen-station']),
    );
    expect(device('ch1')).toMatchObject({ building: 'energy-centre', room: 'chiller-plant' });
    expect(device('pbw1')).toMatchObject({ building: 'energy-centre', room: 'pump-room' });
    expect(device('o2-station')).toMatchObject({ building: 'energy-centre', room: 'oxygen-station' });
    expect(energy?.rooms.find((r) => r.id === 'boiler-room')).toMatchObject({
      kind: 'boiler-room',
      nameZh: '锅炉房',
    });
    expect(energy?.rooms.find((r) => r.id === 'heat-station')).toMatchObject({
      kind: 'heat-station',
      nameZh: '换热站',
    });
    for (const id of ['b1', 'b2', 'gm-boilers', 'mw1'])
      expect(device(id)).toMatchObject({ building: 'energy-centre', room: 'boiler-room' });
    for (const id of ['hx1', 'hx2', 'phc1', 'phc2'])
      expect(device(id)).toMatchObject({ building: 'energy-centre', room: 'heat-station' });
    expect(device('dr2-f2')).toMatchObject({ building: 'outpatient', room: 'dr2' });
    const surgical = buildings.find((b) => b.id === 'surgical');
    expect(surgical?.rooms.find((r) => r.id === 'operating-theatres')).toMatchObject({
      kind: 'operating-theatre',
      name: 'Operating Theatres OR1–OR4',
      nameZh: '手术部（1–4号手术室）',
    });
    for (const id of ['ahu-or1', 'ahu-or2', 'ahu-or3', 'ahu-or4'])
      expect(device(id)).toMatchObject({ building: 'surgical', room: 'operating-theatres' });
  });

  it("puts the theatres' air-handling units on BACnet/IP, each on its own loopback port", () => {
    // The gateway on 127.0.0.1 but not on 47808: the simulators' BACnet library ignores 127.0.0.1:47808.
    expect(config.gateway.bacnet?.ports).toEqual([
      {
        id: 'bms',
        interface: '127.0.0.1',
        udpPort: 47900,
        broadcastAddress: '127.255.255.255',
        apduTimeout: 3000,
        rediscover: 600_000,
      },
    ]);
    expect(
      loadConfig('config', { env: { PLANTWATCH_BACNET_PORT: '47950' } }).gateway.bacnet?.ports[0]?.udpPort,
    ).toBe(47950);
    const bacnetOf = (id: string) => {
      const d = device(id);
      return 'bacnet' in d ? d.bacnet : undefined;
    };
    ['ahu-or1', 'ahu-or2', 'ahu-or3', 'ahu-or4'].forEach((id, i) => {
      expect(bacnetOf(id), id).toEqual({
        port: 'bms',
        instance: 3001 + i,
        address: `127.0.0.1:${47901 + i}`,
      });
      expect(device(id).profile).toBe('ahu-theatre');
    });
    // The chillers' BACnet cards: simulated beside their Modbus cards, not polled by the demo.
    expect(config.simulation.devices.ch1).toMatchObject({
      bacnetCard: 'chiller-bacnet',
      bacnetInstance: 1001,
      bacnetAddress: '127.0.0.1:47911',
    });
    expect(config.simulation.devices.ch2).toMatchObject({
      bacnetCard: 'chiller-bacnet',
      bacnetInstance: 1002,
      bacnetAddress: '127.0.0.1:47912',
    });
    expect(bacnetOf('ch1')).toBeUndefined();
    const ahu = config.profiles.get('ahu-theatre');
    expect(ahu).toMatchObject({
      protocol: 'bacnet',
      equipment: 'air-handling-unit',
      pollGroups: { default: 5000, slow: 60_000 },
    });
    if (ahu?.protocol !== 'bacnet') return;
    const point = (name: string) => ahu.points.find((p) => p.name === name);
    expect(point('room_pressure_pa')).toMatchObject({
      object: { text: 'analog-input:1' },
      unit: 'Pa',
      cov: true,
    });
    expect(point('supply_fan_running')).toMatchObject({ object: { text: 'binary-input:1' }, cov: true });
    expect(point('filter_dp_pa')).toMatchObject({ poll: 'slow', cov: false });
  });

  it('puts every Modbus device on its line and unit id', () => {
    const lines = Object.fromEntries(config.lines.map((l) => [l.id, l]));
    const endpoint = (id: string) => {
      const l = lines[id];
      return l?.transport === 'rtu' ? [l.transport, l.path] : [l?.transport, l?.host, l?.port];
    };
    expect(endpoint('ch1-tcp')).toEqual(['tcp', '127.0.0.1', 15021]);
    expect(endpoint('ch2-tcp')).toEqual(['tcp', '127.0.0.1', 15022]);
    expect(endpoint('oxygen-tcp')).toEqual(['tcp', '127.0.0.1', 15023]);
    expect(endpoint('plant-pumps-gw')).toEqual(['rtu-over-tcp', '127.0.0.1', 15030]);
    expect(endpoint('dr1-meters')).toEqual(['tcp', '127.0.0.1', 15031]);
    expect(endpoint('dr2-meters')).toEqual(['rtu-over-tcp', '127.0.0.1', 15032]);
    expect(endpoint('pump-room-rs485')).toEqual(['rtu', '/tmp/plantwatch/pump-room-rs485']);
    expect(endpoint('lifts-gw')).toEqual(['tcp', '127.0.0.1', 15040]);
    const moved = loadConfig('config', { env: { PLANTWATCH_LIFTS_PORT: '15140' } });
    expect(moved.lines.find((l) => l.id === 'lifts-gw')).toMatchObject({ port: 15140 });
    expect(endpoint('boilers-gw')).toEqual(['tcp', '127.0.0.1', 15041]);
    const boilersMoved = loadConfig('config', { env: { PLANTWATCH_BOILERS_PORT: '15141' } });
    expect(boilersMoved.lines.find((l) => l.id === 'boilers-gw')).toMatchObject({ port: 15141 });
    expect(lines['plant-pumps-gw']).toMatchObject({ baudRate: 19200 });
    expect(lines['dr2-meters']).toMatchObject({ baudRate: 9600 });
    expect(lines['pump-room-rs485']).toMatchObject({
      baudRate: 9600,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      interFrameDelay: 4,
    });
    for (const line of config.lines) {
      expect(line.timeout, line.id).toBeGreaterThanOrEqual(500);
      expect(line.timeout, line.id).toBeLessThanOrEqual(1000);
      expect(line.retries, line.id).toBe(1);
      expect(line.backoff, line.id).toEqual({ initial: 1000, max: 30_000 });
    }
    const wiring: Record<string, [string, number]> = {
      ch1: ['ch1-tcp', 1],
      ch2: ['ch2-tcp', 1],
      'o2-station': ['oxygen-tcp', 1],
      pchw1: ['plant-pumps-gw', 1],
      pchw2: ['plant-pumps-gw', 2],
      pcw1: ['plant-pumps-gw', 3],
      pcw2: ['plant-pumps-gw', 4],
      'dr1-incomer': ['dr1-meters', 1],
      'dr1-f1': ['dr1-meters', 2],
      'dr1-f2': ['dr1-meters', 3],
      'dr1-f3': ['dr1-meters', 4],
      'dr1-f4': ['dr1-meters', 5],
      'dr2-incomer': ['dr2-meters', 1],
      'dr2-f1': ['dr2-meters', 2],
      'dr2-f2': ['dr2-meters', 3],
      'dr2-f3': ['dr2-meters', 4],
      pbw1: ['pump-room-rs485', 1],
      pbw2: ['pump-room-rs485', 2],
      'lift-ip1': ['lifts-gw', 1],
      'lift-ip2': ['lifts-gw', 2],
      'lift-op1': ['lifts-gw', 3],
      'lift-op2': ['lifts-gw', 4],
      b1: ['boilers-gw', 1],
      b2: ['boilers-gw', 2],
      'gm-boilers': ['boilers-gw', 3],
      mw1: ['boilers-gw', 4],
      hx1: ['boilers-gw', 5],
      hx2: ['boilers-gw', 6],
      phc1: ['boilers-gw', 7],
      phc2: ['boilers-gw', 8],
    };
    for (const [id, [line, unitId]] of Object.entries(wiring))
      expect(modbusOf(id), id).toEqual({ line, unitId });
  });

  it('has water meters on MQTT, one topic per building', () => {
    for (const building of ['inpatient', 'outpatient', 'surgical', 'admin', 'canteen', 'energy-centre']) {
      const d = device(`wm-${building}`);
      expect(d.building).toBe(building);
      expect('mqtt' in d && d.mqtt.topic).toBe(`meters/water/${building}`);
    }
  });

  it("treats a trapped passenger as the most urgent event, and keeps each lift's statutory dates", () => {
    const rule = (id: string) => config.alarms.rules.find((r) => r.id === id);
    expect(rule('lift-passenger-trapped')).toMatchObject({
      profile: 'elevator',
      type: 'state',
      point: 'passenger_trapped',
      priority: 'critical',
    });
    expect(rule('lift-fault')).toMatchObject({ point: 'fault_code', notEquals: 0, priority: 'high' });
    expect(rule('lift-comm-loss')).toMatchObject({ type: 'comm-loss', priority: 'medium' });
    // A critical alarm opens a work order by itself and reaches the shift lead within minutes.
    expect(config.gateway.records.autoWorkOrders).toContain('critical');
    expect(config.notify.routing.critical?.escalate?.[0]).toEqual({ after: 300_000, to: 'shift-lead' });
    expect(config.notify.teams.find((t) => t.equipment.includes('elevator'))?.id).toBe('electricians');
    for (const lift of ['lift-ip1', 'lift-ip2', 'lift-op1', 'lift-op2']) {
      const tasks = config.maintenance.tasks.filter((t) => t.device === lift);
      expect(tasks.find((t) => 'days' in t.every && t.every.days !== undefined)?.every, lift).toEqual({
        days: 15,
      });
      expect(
        tasks.find((t) => t.due !== undefined),
        lift,
      ).toMatchObject({ every: { months: 12 } });
    }
  });

  it("has the boiler house's default alarms, as a boiler house sets them", () => {
    const rule = (id: string) => config.alarms.rules.find((r) => r.id === id);
    expect(rule('boiler-low-water')).toMatchObject({
      profile: 'boiler',
      type: 'low-low',
      priority: 'critical',
    });
    expect(rule('boiler-burner-lockout')).toMatchObject({ point: 'lockout', equals: true, priority: 'high' });
    expect(rule('boiler-over-pressure')).toMatchObject({ type: 'high', limit: 6, priority: 'high' });
    expect(rule('boiler-flue-high')).toMatchObject({ type: 'high', point: 'flue_temp', priority: 'medium' });
    expect(rule('makeup-continuous')).toMatchObject({
      profile: 'makeup-water',
      onDelay: 7_200_000,
      priority: 'medium',
    });
    // The circulation pumps are vsd-pumps: their trip is the pumps' drive-fault alarm.
    expect(rule('pump-fault')).toMatchObject({ profile: 'vsd-pump', priority: 'high' });
    expect(device('phc1').profile).toBe('vsd-pump');
  });

  it('has profiles with the point names the simulators and alarms use', () => {
    const names = (id: string) =>
      config.profiles
        .get(id)
        ?.points.map((p) => p.name)
        .sort();
    expect(names('chiller')).toEqual(
      [
        'chw_supply_temp',
        'chw_return_temp',
        'cw_inlet_temp',
        'cw_outlet_temp',
        'load_pct',
        'power_kw',
        'running',
        'tripped',
        'fault_code',
        'run_hours',
      ].sort(),
    );
    expect(names('vsd-pump')).toEqual(
      [
        'running',
        'speed_hz',
        'current_a',
        'power_kw',
        'flow_m3h',
        'outlet_pressure_bar',
        'run_hours',
        'fault',
      ].sort(),
    );
    expect(names('power-meter')).toEqual(
      [
        'voltage_l1',
        'voltage_l2',
        'voltage_l3',
        'current_l1',
        'current_l2',
        'current_l3',
        'power_kw',
        'reactive_kvar',
        'power_factor',
        'frequency_hz',
        'energy_kwh',
        'max_demand_kw',
        'breaker_closed',
      ].sort(),
    );
    expect(names('water-meter')).toEqual(['flow_m3h', 'volume_m3']);
    expect(names('oxygen-station')).toEqual(
      ['supply_pressure_bar', 'tank_level_pct', 'purity_pct', 'low_pressure_alarm'].sort(),
    );
    expect(names('ahu-theatre')).toEqual(
      [
        'room_pressure_pa',
        'room_temp',
        'room_rh',
        'supply_air_temp',
        'return_air_temp',
        'filter_dp_pa',
        'air_changes_per_hour',
        'supply_fan_speed_pct',
        'chw_valve_pct',
        'supply_fan_running',
        'theatre_in_use',
      ].sort(),
    );
    // The chillers' BACnet card carries the Modbus card's points, by the same names.
    expect(names('chiller-bacnet')).toEqual(names('chiller'));
    expect(names('boiler')).toEqual(
      [
        'supply_temp',
        'return_temp',
        'shell_pressure_bar',
        'water_level_pct',
        'firing_rate_pct',
        'flue_temp',
        'gas_flow_m3h',
        'heat_output_kw',
        'burner_on',
        'lockout',
        'enabled',
        'fault_code',
        'gas_volume_m3',
        'burner_starts',
        'run_hours',
      ].sort(),
    );
    expect(names('heat-exchanger')).toEqual(
      [
        'primary_supply_temp',
        'primary_return_temp',
        'secondary_supply_temp',
        'secondary_return_temp',
        'primary_dp_kpa',
        'secondary_dp_kpa',
        'valve_pct',
        'heat_kw',
      ].sort(),
    );
    expect(names('gas-meter')).toEqual(['gas_flow_m3h', 'gas_volume_m3', 'pressure_kpa']);
    expect(names('makeup-water')).toEqual(
      ['makeup_flow_m3h', 'hardness_mmol_l', 'makeup_valve_open', 'makeup_volume_m3'].sort(),
    );
    expect(names('elevator')).toEqual(
      [
        'in_service',
        'running',
        'direction',
        'floor',
        'door_open',
        'fault_code',
        'passenger_trapped',
        'run_count',
        'run_hours',
      ].sort(),
    );
  });

  it('maps registers the way real devices do', () => {
    const point = (profile: string, name: string) => {
      const p = config.profiles.get(profile);
      if (p?.protocol !== 'modbus') throw new Error(`${profile} is not a Modbus profile`);
      return { profile: p, point: p.points.find((x) => x.name === name) };
    };
    expect(point('chiller', 'chw_supply_temp').point).toMatchObject({
      table: 'input',
      type: 'int16',
      scale: 0.1,
      unit: '°C',
    });
    expect(point('chiller', 'tripped').point).toMatchObject({ type: 'bool', bit: expect.any(Number) });
    expect(point('power-meter', 'power_kw').point).toMatchObject({
      type: 'float32',
      order: 'CDAB',
      unit: 'kW',
    });
    expect(point('power-meter', 'energy_kwh').point).toMatchObject({
      type: 'uint32',
      order: 'ABCD',
      counter: true,
      poll: 'slow',
    });
    expect(point('power-meter', 'power_factor').point).toMatchObject({ type: 'int16', scale: 0.001 });
    expect(point('power-meter', 'frequency_hz').point).toMatchObject({
      type: 'uint16',
      scale: 0.01,
      unit: 'Hz',
    });
    expect(point('power-meter', 'breaker_closed').point).toMatchObject({ table: 'coil', type: 'bool' });
    const meter = point('power-meter', 'voltage_l1').profile;
    expect(meter.maxBlockRegisters).toBe(60);
    expect(meter.pollGroups).toEqual({ fast: 2000, slow: 60_000 });
    // An address hole: registers nobody maps between two mapped ones.
    const used = new Set(
      meter.points
        .filter((p) => p.table === 'holding')
        .flatMap((p) => Array.from({ length: registerCount(p) }, (_, i) => p.address + i)),
    );
    const top = Math.max(...used);
    expect([...Array(top).keys()].some((a) => !used.has(a))).toBe(true);
    for (const counter of ['energy_kwh']) expect(point('power-meter', counter).point?.poll).toBe('slow');
    expect(point('chiller', 'run_hours').point).toMatchObject({ counter: true, poll: 'slow', unit: 'h' });
    expect(point('vsd-pump', 'run_hours').point).toMatchObject({ counter: true, poll: 'slow', unit: 'h' });
    const water = config.profiles.get('water-meter');
    expect(water).toMatchObject({ protocol: 'mqtt', timestamp: 'ts' });
    expect(water?.points.find((p) => p.name === 'volume_m3')).toMatchObject({
      json: 'total_m3',
      counter: true,
      unit: 'm³',
    });
    expect(water?.points.find((p) => p.name === 'flow_m3h')).toMatchObject({
      json: 'flow_m3h',
      unit: 'm³/h',
    });
    for (const profile of config.profiles.values()) {
      for (const p of profile.points) {
        expect(p.label, `${profile.id}.${p.name}`).toBeTruthy();
        const digital = 'type' in p && p.type === 'bool';
        const analog = !digital && !p.counter && p.kind !== 'state';
        if (analog) expect(p.range, `${profile.id}.${p.name}`).toBeDefined();
      }
    }
  });

  it('runs an embedded broker with a publishing simulator and a read-only viewer', () => {
    const { gateway } = config;
    // The demo answers on this machine only: listening on the network is a site's written choice.
    expect(gateway.web).toEqual({
      host: '127.0.0.1',
      port: 8080,
      publicUrl: 'http://127.0.0.1:8080',
      metricsPublic: false,
      allowedOrigins: [],
      trustProxy: false,
    });
    expect(gateway.log.level).toBe('info');
    expect(gateway.mqtt?.republish.prefix).toBe('plantwatch');
    const broker = gateway.mqtt?.broker;
    expect(broker).toMatchObject({ mode: 'embedded', host: '127.0.0.1', port: 1883 });
    if (broker?.mode !== 'embedded') return;
    expect(broker.users).toEqual([
      { username: 'simulator', password: 'simulator-demo', publish: ['meters/#'], subscribe: ['meters/#'] },
      { username: 'viewer', password: 'viewer-demo', publish: [], subscribe: ['plantwatch/#'] },
      {
        username: 'plantwatch-east',
        password: 'east-demo',
        publish: ['plantwatch/east/#', 'meters/east/#'],
        subscribe: ['meters/east/#'],
      },
    ]);
    const withEnv = loadConfig('config', {
      env: {
        PLANTWATCH_SIM_MQTT_PASSWORD: 's3cret',
        PLANTWATCH_VIEWER_MQTT_PASSWORD: 'v13w',
        PLANTWATCH_EAST_MQTT_PASSWORD: 'e4st',
      },
    }).gateway.mqtt?.broker;
    expect(withEnv?.mode === 'embedded' && withEnv.users.map((u) => u.password)).toEqual([
      's3cret',
      'v13w',
      'e4st',
    ]);
  });

  it('gives the simulators physics only for devices that exist', () => {
    for (const id of Object.keys(config.simulation.devices)) {
      expect(config.devices.map((d) => d.id)).toContain(id);
    }
  });
});

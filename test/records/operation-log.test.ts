/**
 * The equipment operation log, from real parts: a day of the demo plant simulated at
 * one-minute steps with Chiller 1 tripping at 11:00 for half an hour, written to a SQLite
 * store and fed to the alarm engine on the simulated clock, an electrician acknowledging
 * the trip at 11:05. The assertions are what an accreditation auditor reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { simulateHistory } from '../../simulators/history.js';
import { type AlarmService, createAlarms } from '../../src/alarms/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { buildCatalog, PointBus, type PointInfo, PointTable } from '../../src/points/index.js';
import { type OperationLog, operationLog, type Shift } from '../../src/records/operation-log.js';
import { SqliteStore } from '../../src/storage/index.js';

const ZONE = 'Asia/Shanghai';
const MINUTE = 60_000;
const at = (time: string) => DateTime.fromISO(`2026-07-14T${time}`, { zone: ZONE }).toMillis();

const DAY_SHIFT: Shift = { from: at('08:00'), to: at('20:00'), label: 'Day shift 2026-07-14' };
const ELECTRICIAN = 'electrician';
const ACK_COMMENT = 'HP switch reset on site; condenser tubes to be cleaned';

let dir: string;
let config: PlantConfig;
let store: SqliteStore;
let alarms: AlarmService;
let catalog: Map<string, PointInfo>;

const sources = () => ({ store, alarms, catalog });

beforeAll(async () => {
  // The physics follow the process's local clock: run it on the hospital's.
  vi.stubEnv('TZ', ZONE);
  // Only the alarm service's tick timer: the simulated clock is injected everywhere else.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  dir = mkdtempSync(join(tmpdir(), 'plantwatch-oplog-'));
  config = loadConfig(resolve('config'));
  const points = buildCatalog(config);
  catalog = new Map(points.map((p) => [p.id, p]));
  store = new SqliteStore({ path: join(dir, 'plantwatch.db'), maintenanceIntervalMs: 0 });

  let now = at('06:00');
  const bus = new PointBus();
  const table = new PointTable(points);
  bus.subscribe((values) => table.update(values));
  alarms = createAlarms({
    config,
    bus,
    read: (id) => table.get(id),
    log: silentLogger(),
    journalPath: join(dir, 'alarms.db'),
    now: () => now,
  });
  alarms.start();

  const history = simulateHistory(config, {
    from: at('06:00'),
    to: at('21:00'),
    stepMs: MINUTE,
    faults: [{ device: 'ch1', fault: { type: 'trip' }, from: at('11:00'), to: at('11:30') }],
  });
  for (const batch of history) {
    now = batch[0]?.ts ?? now;
    await store.write(batch);
    // As acquisition does: the batch on the bus, then the alarm service's own tick.
    bus.publish(batch);
    vi.advanceTimersByTime(config.alarms.settings.tick);
    if (now === at('11:05')) alarms.acknowledge('chiller-trip@ch1', ELECTRICIAN, ACK_COMMENT);
  }
});

afterAll(async () => {
  await alarms?.stop();
  await store?.close();
  vi.useRealTimers();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const value = (log: OperationLog, point: string) => log.values.find((v) => v.point === point);

describe('operation log of a chiller that tripped during the day shift', () => {
  let log: OperationLog;
  beforeAll(async () => {
    log = await operationLog(sources(), 'ch1', DAY_SHIFT);
  });

  it('names the equipment and where it is', () => {
    expect(log).toMatchObject({
      device: 'ch1',
      deviceName: 'Chiller 1',
      equipment: 'chiller',
      building: 'energy-centre',
      room: 'chiller-plant',
      buildingName: 'Energy Centre',
      roomName: 'Chiller Plant',
      shift: DAY_SHIFT,
    });
    expect(log.dataCoverage).toBeCloseTo(1, 3);
  });

  it('stopped once and started once, and ran 11.5 of the 12 hours', () => {
    expect(log.running).toMatchObject({ starts: 1, stops: 1 });
    expect(log.running?.runHours).toBeCloseTo(11.5, 2);
    // The chiller's own counter shows whole hours.
    expect(Math.abs((log.running?.meterRunHours ?? 0) - 11.5)).toBeLessThanOrEqual(1);
    const counter = log.counters.find((c) => c.point === 'run_hours');
    expect(counter).toMatchObject({ label: 'Run hours', unit: 'h' });
    expect(counter?.rise).toBe(log.running?.meterRunHours);
    expect((counter?.last ?? 0) - (counter?.first ?? 0)).toBe(counter?.rise);
  });

  it('gives plausible min, max and mean of the chilled-water supply temperature', () => {
    const supply = value(log, 'chw_supply_temp');
    expect(supply).toMatchObject({ label: 'Chilled water supply temperature', unit: '°C', samples: 720 });
    // 7 °C while running; towards the building's 12.5 °C return while tripped.
    expect(supply?.min).toBeGreaterThan(6.7);
    expect(supply?.min).toBeLessThan(7.1);
    expect(supply?.max).toBeGreaterThan(11.5);
    expect(supply?.max).toBeLessThanOrEqual(12.5);
    expect(supply?.mean).toBeGreaterThan(7.1);
    expect(supply?.mean).toBeLessThan(7.5);
    // Analog values only: no states, no counters.
    expect(log.values.map((v) => v.point)).not.toContain('running');
    expect(log.values.map((v) => v.point)).not.toContain('run_hours');
    expect(log.values.map((v) => v.point)).toContain('power_kw');
  });

  it('lists the trip alarm with who acknowledged it and when, and when it cleared', () => {
    const trip = log.alarms.find((a) => a.alarmId === 'chiller-trip@ch1');
    expect(trip).toEqual({
      alarmId: 'chiller-trip@ch1',
      priority: 'critical',
      message: 'Chiller 1 TRIPPED (Chiller Plant, Energy Centre)',
      messageZh: '1号冷水机组跳闸（能源中心冷冻站）',
      activatedAt: at('11:00'),
      acknowledgedAt: at('11:05'),
      acknowledgedBy: ELECTRICIAN,
      comment: ACK_COMMENT,
      returnedAt: at('11:30'),
      clearedAt: at('11:30'),
    });
    // The fault code came with it; nobody acknowledged that one, so it is not cleared.
    const code = log.alarms.find((a) => a.alarmId === 'chiller-fault-code@ch1');
    expect(code).toMatchObject({ priority: 'high', activatedAt: at('11:00'), returnedAt: at('11:30') });
    expect(code?.acknowledgedBy).toBeUndefined();
    expect(code?.clearedAt).toBeUndefined();
    expect(log.alarms.every((a) => a.alarmId.endsWith('@ch1'))).toBe(true);
  });
});

describe('operation logs of the other equipment', () => {
  it('shows Chiller 2 running the whole shift, with no trip', async () => {
    const log = await operationLog(sources(), 'ch2', DAY_SHIFT);
    expect(log.running).toMatchObject({ starts: 0, stops: 0 });
    expect(log.running?.runHours).toBeCloseTo(12, 2);
    expect(log.alarms.filter((a) => a.alarmId.startsWith('chiller-'))).toEqual([]);
    // It carried the plant alone for half an hour.
    expect(value(log, 'load_pct')?.max).toBeGreaterThan(value(ch1Values, 'load_pct')?.max ?? 0);
  });

  let ch1Values: OperationLog;
  beforeAll(async () => {
    ch1Values = await operationLog(sources(), 'ch1', {
      from: at('08:00'),
      to: at('11:00'),
      label: 'morning',
    });
  });

  it('carries a state and an open alarm into a shift that starts during the trip', async () => {
    const log = await operationLog(sources(), 'ch1', {
      from: at('11:15'),
      to: at('12:15'),
      label: 'handover',
    });
    // Tripped at 11:15 (carried in), back at 11:30: one start, no stop inside this hour.
    expect(log.running).toMatchObject({ starts: 1, stops: 0 });
    expect(log.running?.runHours).toBeCloseTo(0.75, 2);
    const trip = log.alarms.find((a) => a.alarmId === 'chiller-trip@ch1');
    expect(trip).toMatchObject({
      activatedAt: at('11:00'),
      acknowledgedBy: ELECTRICIAN,
      clearedAt: at('11:30'),
    });
  });

  it('has no running section for a meter, and its kWh counter rise', async () => {
    const log = await operationLog(sources(), 'dr1-incomer', DAY_SHIFT);
    expect(log.running).toBeNull();
    const kwh = log.counters.find((c) => c.point === 'energy_kwh');
    const kw = value(log, 'power_kw');
    // kWh over the shift ≈ mean kW × 12 h.
    expect(kwh?.rise).toBeGreaterThan(0);
    expect((kwh?.rise ?? 0) / ((kw?.mean ?? 0) * 12)).toBeCloseTo(1, 1);
  });

  it('reports the coverage of a shift that reaches past the data', async () => {
    const log = await operationLog(sources(), 'ch2', {
      from: at('15:00'),
      to: at('23:00'),
      label: 'evening',
    });
    // Data until 21:00: six of the eight hours (each sample stands a few minutes past the last).
    expect(log.dataCoverage).toBeGreaterThan(0.74);
    expect(log.dataCoverage).toBeLessThan(0.76);
    expect(log.running?.runHours).toBeCloseTo(6, 1);
  });

  it('refuses an unknown device, naming it, and a shift that ends before it starts', async () => {
    await expect(operationLog(sources(), 'ch9', DAY_SHIFT)).rejects.toThrow(/unknown device "ch9"/);
    await expect(
      operationLog(sources(), 'ch1', { from: DAY_SHIFT.to, to: DAY_SHIFT.from, label: 'backwards' }),
    ).rejects.toThrow(/must end after it starts/);
  });
});

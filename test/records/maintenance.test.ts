/** Maintenance records against a real SQLite file: due and overdue by run hours and by calendar, and who did what. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRecordsDb } from '../../src/records/db.js';
import { MaintenanceBook, type MaintenanceTask, type TaskStatus } from '../../src/records/maintenance.js';

const ZONE = 'Asia/Shanghai';
/** Epoch ms of a local time in Shanghai. */
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();

const pumpService: MaintenanceTask = {
  id: 'pump-2-service',
  device: 'pump-2',
  title: 'Bearing and seal service',
  every: { runHours: 2000 },
  lastDone: { date: '2025-06-01', runHours: 10_000 },
};
const chillerAnnual: MaintenanceTask = {
  id: 'chiller-1-annual',
  device: 'chiller-1',
  title: 'Annual service',
  team: 'hvac',
  every: { months: 12 },
  lastDone: { date: '2025-11-01' },
};
const upsMonthly: MaintenanceTask = {
  id: 'ups-1-monthly',
  device: 'ups-1',
  title: 'Battery check',
  every: { months: 1 },
  lastDone: { date: '2026-01-31' },
};
const generatorTest: MaintenanceTask = {
  id: 'gen-1-test',
  device: 'gen-1',
  title: 'Load test',
  every: { days: 30 },
};
const tasks = [pumpService, chillerAnnual, upsMonthly, generatorTest];

let dir: string;
let file: string;
let db: Database.Database;
let clock: number;
let book: MaintenanceBook;
/** Run-hours counters by point id, as the point bus would give them. */
let counters: Record<string, number>;
const readRunHours = (pointId: string) => counters[pointId];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plantwatch-maintenance-'));
  file = join(dir, 'records.db');
  db = openRecordsDb(file);
  clock = local('2026-02-10T09:00');
  counters = { 'pump-2.run_hours': 11_850 };
  book = new MaintenanceBook(db, tasks, ZONE, () => clock);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function statusOf(id: string, at = clock): TaskStatus {
  const found = book.status(readRunHours, at).find((s) => s.task.id === id);
  if (!found) throw new Error(`no status for ${id}`);
  return found;
}

describe('MaintenanceBook run-hours tasks', () => {
  it('is due soon within 10 % of the interval, and overdue past it', () => {
    expect(statusOf('pump-2-service')).toMatchObject({
      state: 'due-soon',
      lastRunHours: 10_000,
      dueRunHours: 12_000,
      runHoursNow: 11_850,
      remainingRunHours: 150,
      message: 'Bearing and seal service (pump-2): due in 150 h (at 12,000 h, counter at 11,850 h)',
    });
    counters['pump-2.run_hours'] = 12_100;
    expect(statusOf('pump-2-service')).toMatchObject({
      state: 'overdue',
      remainingRunHours: -100,
      message: 'Bearing and seal service (pump-2): overdue by 100 h (due at 12,000 h, counter at 12,100 h)',
    });
    counters['pump-2.run_hours'] = 11_000;
    expect(statusOf('pump-2-service').state).toBe('ok');
  });

  it('is unknown while the counter cannot be read', () => {
    counters = {};
    expect(statusOf('pump-2-service')).toMatchObject({
      state: 'unknown',
      message: 'Bearing and seal service (pump-2): run hours unreadable (point pump-2.run_hours)',
    });
  });

  it('needs the counter reading on completion, and counts the next interval from it', () => {
    expect(() => book.complete('pump-2-service', 'chen')).toThrow(
      '"Bearing and seal service" (pump-2) is due by run hours: give the counter reading when it was done',
    );
    counters['pump-2.run_hours'] = 12_100;
    book.complete('pump-2-service', 'chen', { runHours: 12_100, notes: 'new seal kit' });
    expect(statusOf('pump-2-service')).toMatchObject({
      state: 'ok',
      lastDoneBy: 'chen',
      lastRunHours: 12_100,
      dueRunHours: 14_100,
      remainingRunHours: 2000,
    });
  });
});

describe('MaintenanceBook calendar tasks', () => {
  it('a yearly task done 2025-11-01 is ok in June, due soon in October, overdue by 24 days on 2026-11-25', () => {
    expect(statusOf('chiller-1-annual', local('2026-06-01T10:00')).state).toBe('ok');
    expect(statusOf('chiller-1-annual', local('2026-10-15T10:00'))).toMatchObject({
      state: 'due-soon',
      remainingDays: 17,
      message: 'Annual service (chiller-1): due in 17 days (2026-11-01)',
    });
    expect(statusOf('chiller-1-annual', local('2026-11-01T23:00')).message).toBe(
      'Annual service (chiller-1): due today (2026-11-01)',
    );
    expect(statusOf('chiller-1-annual', local('2026-11-25T10:00'))).toMatchObject({
      state: 'overdue',
      lastDoneAt: local('2025-11-01T00:00'),
      dueAt: local('2026-11-01T00:00'),
      remainingDays: -24,
      message: 'Annual service (chiller-1): overdue by 24 days (due 2026-11-01)',
    });
  });

  it('adds calendar months in the local zone: 31 January + 1 month is 28 February', () => {
    expect(statusOf('ups-1-monthly')).toMatchObject({
      state: 'ok',
      dueAt: local('2026-02-28T00:00'),
      remainingDays: 18,
      message: 'Battery check (ups-1): next due 2026-02-28 (in 18 days)',
    });
    // A month's notice would make a monthly task always due: it gets a tenth of its interval (2.8 days).
    expect(statusOf('ups-1-monthly', local('2026-02-25T09:00')).state).toBe('ok');
    expect(statusOf('ups-1-monthly', local('2026-02-26T09:00'))).toMatchObject({
      state: 'due-soon',
      remainingDays: 2,
    });
  });

  it('calls a task never done and with no earlier record overdue', () => {
    expect(statusOf('gen-1-test')).toEqual({
      task: generatorTest,
      state: 'overdue',
      message: 'Load test (gen-1): never recorded',
      messageZh: 'Load test (gen-1)：从无保养记录',
    });
  });

  it('resets the due date on completion', () => {
    const at = local('2026-11-26T15:00');
    clock = local('2026-11-26T17:00');
    book.complete('chiller-1-annual', 'sun', { at, notes: 'refrigerant topped up' });
    expect(statusOf('chiller-1-annual', local('2026-11-27T09:00'))).toMatchObject({
      state: 'ok',
      lastDoneAt: at,
      lastDoneBy: 'sun',
      dueAt: local('2027-11-26T00:00'),
      remainingDays: 364,
    });
    // Asked about a time before the completion, the old record still stands.
    expect(statusOf('chiller-1-annual', local('2026-11-25T10:00')).state).toBe('overdue');
  });

  it('lists overdue tasks first, then due soon, unknown and ok', () => {
    counters = {};
    const states = book.status(readRunHours, local('2026-11-25T10:00')).map((s) => [s.task.id, s.state]);
    expect(states).toEqual([
      ['ups-1-monthly', 'overdue'],
      ['chiller-1-annual', 'overdue'],
      ['gen-1-test', 'overdue'],
      ['pump-2-service', 'unknown'],
    ]);
  });
});

describe('MaintenanceBook records', () => {
  it('keeps who did what when, across a reopen', () => {
    book.complete('chiller-1-annual', 'sun', { at: local('2026-01-05T10:00'), notes: 'condenser cleaned' });
    book.complete('ups-1-monthly', 'chen', { at: local('2026-02-01T09:00') });
    book.complete('pump-2-service', 'chen', { at: local('2026-02-03T09:00'), runHours: 11_900 });
    db.close();
    db = openRecordsDb(file);
    book = new MaintenanceBook(db, tasks, ZONE, () => clock);
    const history = book.history();
    expect(history.map((r) => [r.taskId, r.doneBy])).toEqual([
      ['pump-2-service', 'chen'],
      ['ups-1-monthly', 'chen'],
      ['chiller-1-annual', 'sun'],
    ]);
    expect(history[2]).toEqual({
      id: history[2]!.id,
      taskId: 'chiller-1-annual',
      device: 'chiller-1',
      title: 'Annual service',
      doneAt: local('2026-01-05T10:00'),
      doneBy: 'sun',
      notes: 'condenser cleaned',
      recordedAt: clock,
    });
    expect(history[0]?.runHours).toBe(11_900);
    expect(book.history({ device: 'ups-1' }).map((r) => r.taskId)).toEqual(['ups-1-monthly']);
    expect(book.history({ task: 'chiller-1-annual' })).toHaveLength(1);
    expect(
      book.history({ from: local('2026-02-01T00:00'), to: local('2026-02-02T00:00') }).map((r) => r.taskId),
    ).toEqual(['ups-1-monthly']);
    expect(book.history({ limit: 1 })).toHaveLength(1);
  });

  it('refuses an unknown task, a missing user, and unusable tasks', () => {
    expect(() => book.complete('boiler-9', 'chen')).toThrow('unknown maintenance task "boiler-9"');
    expect(() => book.complete('chiller-1-annual', ' ')).toThrow(
      'completing "Annual service" needs the user who did it',
    );
    expect(() => book.complete('pump-2-service', 'chen', { runHours: -5 })).toThrow(
      'invalid run-hours reading -5 for "Bearing and seal service" (pump-2)',
    );
    expect(() => new MaintenanceBook(db, [pumpService, pumpService], ZONE)).toThrow(
      'maintenance task "pump-2-service" is listed twice',
    );
    expect(() => new MaintenanceBook(db, [{ ...upsMonthly, every: { months: 0 } }], ZONE)).toThrow(
      'maintenance task "ups-1-monthly": every.months must be a positive number',
    );
    expect(
      () => new MaintenanceBook(db, [{ ...upsMonthly, lastDone: { date: '2026-02-30' } }], ZONE),
    ).toThrow('maintenance task "ups-1-monthly": invalid lastDone date "2026-02-30" (expected "YYYY-MM-DD")');
    expect(() => new MaintenanceBook(db, tasks, 'Nowhere/City')).toThrow('unknown time zone "Nowhere/City"');
  });
});

describe("MaintenanceBook statutory dates: a lift's 15-day visit and its inspection certificate", () => {
  const visit: MaintenanceTask = {
    id: 'lift-1-visit',
    device: 'lift-1',
    title: 'Lift maintenance visit',
    every: { days: 15 },
    warnBefore: { days: 3 },
    lastDone: { date: '2026-02-01' },
  };
  const certificate: MaintenanceTask = {
    id: 'lift-1-inspection',
    device: 'lift-1',
    title: 'Annual inspection',
    every: { months: 12 },
    due: '2026-03-14',
    warnBefore: { days: 30 },
  };
  const lifts = () => new MaintenanceBook(db, [visit, certificate], ZONE, () => clock);
  const liftStatus = (id: string, at: number) => {
    const found = lifts()
      .status(readRunHours, at)
      .find((s) => s.task.id === id);
    if (!found) throw new Error(`no status for ${id}`);
    return found;
  };

  it('the visit is due 15 days after the last one, listed 3 days before, overdue the day after', () => {
    expect(liftStatus('lift-1-visit', local('2026-02-10T09:00'))).toMatchObject({
      state: 'ok',
      dueAt: local('2026-02-16T00:00'),
    });
    expect(liftStatus('lift-1-visit', local('2026-02-13T09:00'))).toMatchObject({
      state: 'due-soon',
      message: 'Lift maintenance visit (lift-1): due in 3 days (2026-02-16)',
    });
    expect(liftStatus('lift-1-visit', local('2026-02-17T09:00'))).toMatchObject({
      state: 'overdue',
      message: 'Lift maintenance visit (lift-1): overdue by 1 day (due 2026-02-16)',
    });
  });

  it('the certificate is due on its expiry with no completion on record, listed 30 days before', () => {
    expect(liftStatus('lift-1-inspection', local('2026-02-10T09:00'))).toMatchObject({
      state: 'ok',
      dueAt: local('2026-03-14T00:00'),
      remainingDays: 32,
      message: 'Annual inspection (lift-1): next due 2026-03-14 (in 32 days)',
    });
    expect(liftStatus('lift-1-inspection', local('2026-02-12T09:00'))).toMatchObject({
      state: 'due-soon',
      messageZh: 'Annual inspection (lift-1)：30 天后到期（2026-03-14）',
    });
    expect(liftStatus('lift-1-inspection', local('2026-03-15T09:00'))).toMatchObject({
      state: 'overdue',
      remainingDays: -1,
    });
  });

  it('an inspection recorded before the expiry moves it on by the interval from that day', () => {
    const book = lifts();
    // An old record does not bring the certificate's date forward.
    book.complete('lift-1-inspection', 'inspector', { at: local('2025-01-20T10:00') });
    expect(liftStatus('lift-1-inspection', local('2026-02-10T09:00')).dueAt).toBe(local('2026-03-14T00:00'));
    book.complete('lift-1-inspection', 'inspector', {
      at: local('2026-03-02T10:00'),
      notes: 'certificate renewed',
    });
    expect(liftStatus('lift-1-inspection', local('2026-03-20T09:00'))).toMatchObject({
      state: 'ok',
      lastDoneBy: 'inspector',
      dueAt: local('2027-03-02T00:00'),
    });
  });

  it('refuses a due date that is not one, or one on a run-hours task', () => {
    expect(() => new MaintenanceBook(db, [{ ...certificate, due: '2026-02-30' }], ZONE)).toThrow(
      'maintenance task "lift-1-inspection": invalid due date "2026-02-30" (expected "YYYY-MM-DD")',
    );
    expect(() => new MaintenanceBook(db, [{ ...certificate, every: { runHours: 1000 } }], ZONE)).toThrow(
      'maintenance task "lift-1-inspection": a due date goes with a calendar interval (days or months), not run hours',
    );
  });
});

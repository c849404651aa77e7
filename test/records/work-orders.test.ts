/** Work orders against a real SQLite file: each step, the refused ones, persistence and the monthly KPIs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRecordsDb } from '../../src/records/db.js';
import {
  DuplicateWorkOrderError,
  type NewWorkOrder,
  UnknownWorkOrderError,
  WorkOrderBook,
  WorkOrderError,
  WorkOrderStateError,
} from '../../src/records/work-orders.js';

const ZONE = 'Asia/Shanghai';
const MIN = 60_000;
const HOUR = 60 * MIN;
/** Epoch ms of a local time in Shanghai. */
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const START = local('2026-03-02T08:00');

const pumpFault: NewWorkOrder = {
  title: 'Chilled-water pump 2 tripped',
  source: 'alarm',
  alarmId: 'pump-2.trip',
  device: 'pump-2',
  site: 'main',
  building: 'B1',
  room: 'plant-room',
  team: 'electrical',
  priority: 'high',
};
const hotlineCall: NewWorkOrder = {
  title: 'No light in ward 5 corridor',
  source: 'hotline',
  reporter: 'Nurse Li, ext. 5123',
  site: 'main',
  team: 'electrical',
  priority: 'medium',
};

let dir: string;
let file: string;
let db: Database.Database;
let clock: number;
let book: WorkOrderBook;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plantwatch-work-orders-'));
  file = join(dir, 'records.db');
  db = openRecordsDb(file);
  clock = START;
  book = new WorkOrderBook(db, () => clock, ZONE);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('WorkOrderBook steps', () => {
  it('numbers orders by local year and sequence, and keeps who opened them', () => {
    const first = book.create(pumpFault, 'wang');
    const second = book.create(hotlineCall, 'zhao');
    expect(first).toEqual({
      ...pumpFault,
      id: first.id,
      number: 'WO-2026-000001',
      status: 'open',
      createdAt: START,
      createdBy: 'wang',
      history: [{ at: START, user: 'wang', action: 'created' }],
    });
    expect(second.number).toBe('WO-2026-000002');
    expect(second.reporter).toBe('Nurse Li, ext. 5123');
    // 00:30 on 1 January in Shanghai is still 31 December in UTC: the local year counts.
    const newYear = book.create(hotlineCall, 'zhao', local('2027-01-01T00:30'));
    expect(newYear.number).toBe('WO-2027-000001');
  });

  it('goes open → accepted → on-site → completed, recording each step', () => {
    const { id } = book.create(pumpFault, 'wang');
    const accepted = book.accept(id, 'chen', START + 5 * MIN);
    expect(accepted).toMatchObject({ status: 'accepted', acceptedAt: START + 5 * MIN, acceptedBy: 'chen' });
    const onSite = book.arrive(id, 'chen', START + 20 * MIN);
    expect(onSite).toMatchObject({ status: 'on-site', arrivedAt: START + 20 * MIN, acceptedBy: 'chen' });
    const done = book.complete(id, 'chen', 'Reset the overload relay; motor current normal', START + HOUR);
    expect(done).toMatchObject({
      status: 'completed',
      completedAt: START + HOUR,
      completedBy: 'chen',
      resolution: 'Reset the overload relay; motor current normal',
    });
    expect(done.history).toEqual([
      { at: START, user: 'wang', action: 'created' },
      { at: START + 5 * MIN, user: 'chen', action: 'accepted' },
      { at: START + 20 * MIN, user: 'chen', action: 'arrived' },
      {
        at: START + HOUR,
        user: 'chen',
        action: 'completed',
        comment: 'Reset the overload relay; motor current normal',
      },
    ]);
  });

  it('takes arrival on an open order as its acceptance, at the same moment', () => {
    const { id } = book.create(pumpFault, 'wang');
    clock = START + 15 * MIN;
    expect(book.arrive(id, 'chen')).toMatchObject({
      status: 'on-site',
      acceptedAt: START + 15 * MIN,
      acceptedBy: 'chen',
      arrivedAt: START + 15 * MIN,
    });
  });

  it('completes an open order fixed over the phone, with no arrival time', () => {
    const { id } = book.create(hotlineCall, 'zhao');
    const done = book.complete(id, 'zhao', 'Breaker in DB-5 was off; caller reset it', START + 10 * MIN);
    expect(done.status).toBe('completed');
    expect(done.acceptedAt).toBeUndefined();
    expect(done.arrivedAt).toBeUndefined();
  });

  it('cancels with a reason from open, accepted or on-site', () => {
    const open = book.create(hotlineCall, 'zhao');
    const accepted = book.accept(book.create(hotlineCall, 'zhao').id, 'chen');
    const onSite = book.arrive(book.create(hotlineCall, 'zhao').id, 'chen');
    for (const order of [open, accepted, onSite]) {
      expect(book.cancel(order.id, 'zhao', 'duplicate call', START + MIN)).toMatchObject({
        status: 'cancelled',
        cancelledAt: START + MIN,
        cancelledBy: 'zhao',
        cancelReason: 'duplicate call',
      });
    }
    expect(() => book.cancel(book.create(hotlineCall, 'zhao').id, 'zhao', '  ')).toThrow(
      'a work order needs a reason for cancelling',
    );
  });

  it('refuses steps the status does not allow, naming the order, its status and the step', () => {
    const done = book.create(pumpFault, 'wang');
    book.complete(done.id, 'chen', 'fixed');
    const cancelled = book.create(hotlineCall, 'zhao');
    book.cancel(cancelled.id, 'zhao', 'caller fixed it');
    const accepted = book.create(hotlineCall, 'zhao');
    book.accept(accepted.id, 'chen');
    const onSite = book.create(hotlineCall, 'zhao');
    book.arrive(onSite.id, 'chen');

    expect(() => book.accept(done.id, 'chen')).toThrow(
      'cannot accept work order WO-2026-000001: it is completed, and only an order that is open can be accepted',
    );
    expect(() => book.accept(accepted.id, 'chen')).toThrow(
      'cannot accept work order WO-2026-000003: it is accepted, and only an order that is open can be accepted',
    );
    expect(() => book.accept(onSite.id, 'chen')).toThrow(/WO-2026-000004: it is on-site/);
    expect(() => book.arrive(onSite.id, 'chen')).toThrow(
      'cannot arrive work order WO-2026-000004: it is on-site, and only an order that is open or accepted can be arrived at',
    );
    expect(() => book.arrive(cancelled.id, 'chen')).toThrow(/WO-2026-000002: it is cancelled/);
    expect(() => book.complete(cancelled.id, 'chen', 'fixed')).toThrow(
      'cannot complete work order WO-2026-000002: it is cancelled, and only an order that is open or accepted or on-site can be completed',
    );
    expect(() => book.complete(done.id, 'chen', 'again')).toThrow(WorkOrderStateError);
    expect(() => book.cancel(done.id, 'zhao', 'oops')).toThrow(
      'cannot cancel work order WO-2026-000001: it is completed, and only an order that is open or accepted or on-site can be cancelled',
    );
    expect(() => book.cancel(cancelled.id, 'zhao', 'again')).toThrow(WorkOrderStateError);
  });

  it('refuses an unknown id, a step dated before the last one, and missing text', () => {
    expect(() => book.accept(999, 'chen')).toThrow(UnknownWorkOrderError);
    expect(() => book.accept(999, 'chen')).toThrow('no work order with id 999');
    expect(book.get(999)).toBeUndefined();
    const { id } = book.create(pumpFault, 'wang');
    expect(() => book.arrive(id, 'chen', START - MIN)).toThrow(
      'cannot arrive work order WO-2026-000001 at 2026-03-01T23:59:00.000Z: that is before its last entry (created at 2026-03-02T00:00:00.000Z)',
    );
    book.accept(id, 'chen', START + 10 * MIN);
    expect(() => book.complete(id, 'chen', 'fixed', START + 5 * MIN)).toThrow(
      /before its last entry \(accepted/,
    );
    expect(() => book.comment(id, 'chen', 'late note', START)).toThrow(/before its last entry/);
    expect(() => book.complete(id, 'chen', '')).toThrow('a work order needs a resolution (what was done)');
    expect(() => book.accept(id, ' ')).toThrow('every work-order step needs the user who took it');
    expect(book.get(id)?.status).toBe('accepted');
  });

  it('refuses orders without a title, site or team, or with an unknown priority or source', () => {
    expect(() => book.create({ ...hotlineCall, title: ' ' }, 'zhao')).toThrow('a work order needs a title');
    expect(() => book.create({ ...hotlineCall, team: '' }, 'zhao')).toThrow('a work order needs a team');
    expect(() => book.create({ ...hotlineCall, priority: 'urgent' as 'high' }, 'zhao')).toThrow(
      'unknown priority "urgent" (one of critical, high, medium, low)',
    );
    expect(() => book.create({ ...hotlineCall, source: 'email' as 'other' }, 'zhao')).toThrow(WorkOrderError);
  });

  it('opens one order per alarm until it is closed', () => {
    const first = book.create(pumpFault, 'system');
    expect(book.openForAlarm('pump-2.trip')?.number).toBe(first.number);
    book.accept(first.id, 'chen');
    let refused: unknown;
    try {
      book.create(pumpFault, 'system');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DuplicateWorkOrderError);
    expect((refused as DuplicateWorkOrderError).message).toBe(
      'alarm pump-2.trip already has work order WO-2026-000001 (accepted); one alarm opens one order',
    );
    expect((refused as DuplicateWorkOrderError).existing.id).toBe(first.id);
    book.complete(first.id, 'chen', 'fixed');
    expect(book.openForAlarm('pump-2.trip')).toBeUndefined();
    const again = book.create(pumpFault, 'system');
    expect(again.number).toBe('WO-2026-000002');
    expect(book.openForAlarm('pump-2.trip')?.id).toBe(again.id);
  });

  it('adds comments in any state, closed orders included', () => {
    const { id } = book.create(hotlineCall, 'zhao');
    book.complete(id, 'chen', 'replaced the lamp', START + MIN);
    const noted = book.comment(id, 'chen', 'the fitting is old: plan a replacement', START + 2 * MIN);
    expect(noted.status).toBe('completed');
    expect(noted.history.at(-1)).toEqual({
      at: START + 2 * MIN,
      user: 'chen',
      action: 'commented',
      comment: 'the fitting is old: plan a replacement',
    });
  });

  it('lists by status, team, device, alarm and creation time, newest first, with history', () => {
    const pump = book.create(pumpFault, 'system', START);
    const light = book.create(hotlineCall, 'zhao', START + HOUR);
    const ahu = book.create(
      {
        title: 'AHU-3 filter alarm',
        source: 'patrol',
        device: 'ahu-3',
        site: 'main',
        team: 'hvac',
        priority: 'low',
      },
      'sun',
      START + 2 * HOUR,
    );
    book.accept(light.id, 'chen', START + 2 * HOUR);
    const numbers = (orders: { number: string }[]) => orders.map((o) => o.number);
    expect(numbers(book.list())).toEqual([ahu.number, light.number, pump.number]);
    expect(numbers(book.list({ status: ['accepted', 'on-site'] }))).toEqual([light.number]);
    expect(numbers(book.list({ team: 'electrical' }))).toEqual([light.number, pump.number]);
    expect(numbers(book.list({ device: 'ahu-3' }))).toEqual([ahu.number]);
    expect(numbers(book.list({ alarmId: 'pump-2.trip' }))).toEqual([pump.number]);
    expect(numbers(book.list({ from: START + HOUR, to: START + 2 * HOUR }))).toEqual([light.number]);
    const [newest] = book.list({ team: 'electrical', limit: 1 });
    expect(newest?.history.map((h) => h.action)).toEqual(['created', 'accepted']);
    expect(book.getByNumber('wo-2026-000003')?.id).toBe(ahu.id);
  });

  it('keeps orders and their history in the file across a reopen', () => {
    const { id } = book.create(pumpFault, 'wang');
    book.arrive(id, 'chen', START + 20 * MIN);
    const before = book.get(id);
    db.close();
    db = openRecordsDb(file);
    const reopened = new WorkOrderBook(db, () => clock, ZONE);
    expect(reopened.get(id)).toEqual(before);
    expect(reopened.create(hotlineCall, 'zhao').number).toBe('WO-2026-000002');
    expect(() => reopened.create(pumpFault, 'system')).toThrow(DuplicateWorkOrderError);
  });
});

describe('WorkOrderBook.kpis', () => {
  /** Creates an order at a local time and takes the given steps, minutes after creation. */
  function order(
    team: string,
    createdLocal: string,
    priority: NewWorkOrder['priority'],
    steps: { accept?: number; arrive?: number; complete?: number; cancel?: number },
  ) {
    const at = local(createdLocal);
    const { id } = book.create({ ...hotlineCall, team, priority }, 'zhao', at);
    if (steps.accept !== undefined) book.accept(id, 'chen', at + steps.accept * MIN);
    if (steps.arrive !== undefined) book.arrive(id, 'chen', at + steps.arrive * MIN);
    if (steps.complete !== undefined) book.complete(id, 'chen', 'fixed', at + steps.complete * MIN);
    if (steps.cancel !== undefined) book.cancel(id, 'zhao', 'duplicate', at + steps.cancel * MIN);
  }

  beforeEach(() => {
    // Before the period: not counted.
    order('electrical', '2025-12-31T23:30', 'high', { accept: 1, arrive: 2, complete: 3 });
    // January, electrical: three visits, one phone fix, one cancelled, one still open.
    order('electrical', '2026-01-05T08:00', 'high', { accept: 5, arrive: 20, complete: 120 });
    order('electrical', '2026-01-10T09:00', 'medium', { accept: 10, arrive: 40, complete: 240 });
    // 23:30 on 31 January local (15:30 UTC): January, and completed in February.
    order('electrical', '2026-01-31T23:30', 'critical', { accept: 2, arrive: 10, complete: 60 });
    order('electrical', '2026-01-20T14:00', 'low', { complete: 30 });
    order('electrical', '2026-01-22T10:00', 'low', { cancel: 5 });
    order('electrical', '2026-01-25T10:00', 'low', {});
    // 00:10 on 1 February local is still 31 January in UTC: February here. Completed after `to`.
    order('electrical', '2026-02-01T00:10', 'high', { arrive: 15, complete: 28 * 24 * 60 + 120 });
    // January, hvac: accepted, nobody on site yet.
    order('hvac', '2026-01-15T11:00', 'medium', { accept: 30 });
  });
  const period = { from: local('2026-01-01T00:00'), to: local('2026-03-01T00:00'), zone: ZONE };

  it('gives created, completed, cancelled, open and median/mean times per team per local month', () => {
    expect(book.kpis(period)).toEqual([
      {
        team: 'electrical',
        month: '2026-01',
        created: 6,
        completed: 4,
        cancelled: 1,
        open: 1,
        // Responses 20, 40, 10 min.
        responseMedianMs: 20 * MIN,
        responseMeanMs: Math.round((70 * MIN) / 3),
        // Acceptances 5, 10, 2 min (the phone fix was never accepted).
        acceptMedianMs: 5 * MIN,
        // Repairs 120, 240, 60 and 30 min: median of 60 and 120, mean 450 / 4.
        mttrMedianMs: 90 * MIN,
        mttrMeanMs: 112.5 * MIN,
      },
      {
        team: 'electrical',
        month: '2026-02',
        created: 1,
        completed: 0,
        cancelled: 0,
        open: 1,
        responseMedianMs: 15 * MIN,
        responseMeanMs: 15 * MIN,
        acceptMedianMs: 15 * MIN,
        mttrMedianMs: null,
        mttrMeanMs: null,
      },
      {
        team: 'hvac',
        month: '2026-01',
        created: 1,
        completed: 0,
        cancelled: 0,
        open: 1,
        responseMedianMs: null,
        responseMeanMs: null,
        acceptMedianMs: 30 * MIN,
        mttrMedianMs: null,
        mttrMeanMs: null,
      },
    ]);
  });

  it('counts completions within the priority targets, and filters by team', () => {
    const [january] = book.kpis({
      ...period,
      team: 'electrical',
      targetMs: { critical: HOUR, high: 2 * HOUR, medium: 3 * HOUR },
    });
    // critical 60 min ≤ 1 h, high 120 min ≤ 2 h; medium 240 min > 3 h; low has no target.
    expect(january).toMatchObject({ month: '2026-01', completedWithinTarget: 2 });
    expect(book.kpis({ ...period, team: 'hvac' }).map((k) => k.team)).toEqual(['hvac']);
  });

  it('figures the state as it stood at `to`', () => {
    const [january] = book.kpis({ ...period, to: local('2026-01-31T23:50') });
    // The 23:30 order was accepted and on site by 23:50 but not yet completed.
    expect(january).toMatchObject({ created: 6, completed: 3, open: 2, mttrMedianMs: 120 * MIN });
  });

  it('refuses an unknown zone or an empty period', () => {
    expect(() => book.kpis({ ...period, zone: 'Mars/Olympus' })).toThrow('unknown time zone "Mars/Olympus"');
    expect(() => book.kpis({ ...period, to: period.from })).toThrow(/must end after it starts/);
  });
});

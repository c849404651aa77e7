/** Shift handovers against a real SQLite file: submit, correct, accept by the incoming shift, refusals. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRecordsDb } from '../../src/records/db.js';
import { HandoverBook, HandoverError, type NewHandover } from '../../src/records/handover.js';

const HOUR = 3_600_000;
// Day shift of 2 March 2026 in Shanghai: 08:00-20:00 local.
const DAY_FROM = Date.parse('2026-03-02T00:00:00Z');
const DAY_TO = DAY_FROM + 12 * HOUR;

const dayShift: NewHandover = {
  team: 'electrical',
  shift: 'day',
  dutyDate: '2026-03-02',
  shiftFrom: DAY_FROM,
  shiftTo: DAY_TO,
  notes: 'Pump 2 tripped twice; relay reset, watch its current tonight.',
  summary: {
    alarms: 3,
    openAlarms: ['pump-2.trip'],
    workOrders: [{ number: 'WO-2026-000001', status: 'open' }],
  },
};
const nightShift: NewHandover = {
  ...dayShift,
  shift: 'night',
  shiftFrom: DAY_TO,
  shiftTo: DAY_TO + 12 * HOUR,
  notes: 'Quiet night.',
  summary: { alarms: 0 },
};

let dir: string;
let file: string;
let db: Database.Database;
let clock: number;
let book: HandoverBook;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plantwatch-handover-'));
  file = join(dir, 'records.db');
  db = openRecordsDb(file);
  clock = DAY_TO - 10 * 60_000;
  book = new HandoverBook(db, () => clock);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HandoverBook', () => {
  it('records a submitted handover with its snapshot, pending until accepted', () => {
    const submitted = book.submit(dayShift, 'wang');
    expect(submitted).toEqual({ ...dayShift, id: submitted.id, outgoingUser: 'wang', submittedAt: clock });
    expect(book.pending().map((h) => h.id)).toEqual([submitted.id]);
    expect(book.pending('electrical').map((h) => h.id)).toEqual([submitted.id]);
    expect(book.pending('hvac')).toEqual([]);
  });

  it('is accepted by the incoming user, with a comment, once', () => {
    const { id } = book.submit(dayShift, 'wang');
    const accepted = book.accept(id, 'chen', ' Read; will watch pump 2. ', DAY_TO + 5 * 60_000);
    expect(accepted).toMatchObject({
      incomingUser: 'chen',
      acceptedAt: DAY_TO + 5 * 60_000,
      acceptComment: 'Read; will watch pump 2.',
    });
    expect(book.pending()).toEqual([]);
    expect(() => book.accept(id, 'sun')).toThrow(
      'the electrical day shift of 2026-03-02 handover was already accepted by chen at 2026-03-02T12:05:00.000Z',
    );
  });

  it('refuses acceptance by the user who wrote it, whatever the letter case', () => {
    const { id } = book.submit(dayShift, 'wang');
    expect(() => book.accept(id, 'Wang')).toThrow(
      'Wang wrote the electrical day shift of 2026-03-02 handover and cannot also accept it: the incoming shift must',
    );
    expect(() => book.accept(id, 'wang')).toThrow(HandoverError);
    expect(book.pending()).toHaveLength(1);
  });

  it('refuses an unknown id and an acceptance dated before the submission', () => {
    expect(() => book.accept(42, 'chen')).toThrow('no handover with id 42');
    expect(book.get(42)).toBeUndefined();
    const { id } = book.submit(dayShift, 'wang');
    expect(() => book.accept(id, 'chen', undefined, clock - 1)).toThrow(
      /cannot accept the electrical day shift of 2026-03-02 handover at .*: it was submitted later/,
    );
  });

  it('replaces an unaccepted handover for the same shift, and refuses once it is accepted', () => {
    const first = book.submit(dayShift, 'wang');
    clock += 5 * 60_000;
    const corrected = book.submit({ ...dayShift, notes: 'Pump 2 tripped three times.' }, 'wang');
    expect(corrected).toMatchObject({
      id: first.id,
      notes: 'Pump 2 tripped three times.',
      submittedAt: clock,
    });
    expect(book.list()).toHaveLength(1);
    book.accept(first.id, 'chen');
    expect(() => book.submit(dayShift, 'wang')).toThrow(
      /^the electrical day shift of 2026-03-02 handover was already accepted by chen at .*; it cannot be replaced$/,
    );
  });

  it('refuses bad input with what was wrong', () => {
    expect(() => book.submit({ ...dayShift, team: ' ' }, 'wang')).toThrow('a handover needs a team');
    expect(() => book.submit({ ...dayShift, shift: 'late' as 'day' }, 'wang')).toThrow(
      'unknown shift "late" (one of day, night, holiday)',
    );
    expect(() => book.submit({ ...dayShift, dutyDate: '2/3/2026' }, 'wang')).toThrow(
      'invalid duty date "2/3/2026": expected "YYYY-MM-DD"',
    );
    expect(() => book.submit({ ...dayShift, shiftTo: DAY_FROM }, 'wang')).toThrow(/must end after it starts/);
    expect(() => book.submit(dayShift, '')).toThrow('a handover step needs the user who took it');
  });

  it('lists by team and shift start, newest first', () => {
    const day = book.submit(dayShift, 'wang');
    const night = book.submit(nightShift, 'chen');
    const hvac = book.submit({ ...dayShift, team: 'hvac' }, 'sun');
    const ids = (list: { id: number }[]) => list.map((h) => h.id);
    expect(ids(book.list())).toEqual([night.id, hvac.id, day.id]);
    expect(ids(book.list({ team: 'electrical' }))).toEqual([night.id, day.id]);
    expect(ids(book.list({ from: DAY_TO }))).toEqual([night.id]);
    expect(ids(book.list({ to: DAY_TO, team: 'electrical' }))).toEqual([day.id]);
    expect(ids(book.list({ limit: 1 }))).toEqual([night.id]);
    expect(ids(book.pending('electrical'))).toEqual([day.id, night.id]);
  });

  it('keeps handovers and acceptances in the file across a reopen', () => {
    const { id } = book.submit(dayShift, 'wang');
    book.accept(id, 'chen', 'ok');
    const before = book.get(id);
    db.close();
    db = openRecordsDb(file);
    const reopened = new HandoverBook(db, () => clock);
    expect(reopened.get(id)).toEqual(before);
    expect(reopened.get(id)?.summary).toEqual(dayShift.summary);
    expect(reopened.pending()).toEqual([]);
  });
});

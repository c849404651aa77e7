/**
 * A journal written before the journal kept what raised each alarm: it opens in place, its
 * history gains the raising reading of each later event, and a returned alarm restored from it
 * still reads right.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlarmJournal } from '../../src/alarms/index.js';
import { alarmHarness, FAULT_CODE_RULE } from './harness.js';

/** 03:00 in Shanghai. */
const T0 = Date.parse('2026-11-25T03:00:00+08:00');
const T_BACK = T0 + 12 * 60_000;

/** The layout of alarms.db before it kept the raising reading (fixture data, as found on disk). */
const OLD_LAYOUT = `
CREATE TABLE alarm_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, alarm_id TEXT NOT NULL, rule TEXT NOT NULL,
  kind TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, priority TEXT NOT NULL,
  message TEXT NOT NULL, value TEXT, limit_value REAL, user TEXT, comment TEXT, notify INTEGER NOT NULL,
  place TEXT NOT NULL
);
CREATE TABLE alarm_state (alarm_id TEXT PRIMARY KEY, record TEXT NOT NULL);
`;

const PLACE = JSON.stringify({
  site: 'main',
  building: 'b1',
  room: 'r1',
  device: 'ch1',
  equipment: 'chiller',
});

function writeOldJournal(path: string): void {
  const db = new Database(path);
  db.exec(OLD_LAYOUT);
  const insert = db.prepare(
    `INSERT INTO alarm_events (ts, alarm_id, rule, kind, from_state, to_state, priority, message, value,
       limit_value, notify, place) VALUES (?, 'fault@ch1', 'fault', ?, ?, ?, 'high', ?, ?, NULL, 1, ?)`,
  );
  insert.run(T0, 'activated', 'normal', 'active-unacknowledged', 'Chiller 1: fault code 207', '207', PLACE);
  insert.run(
    T_BACK,
    'returned',
    'active-unacknowledged',
    'returned-unacknowledged',
    'Chiller 1: fault code 0',
    '0',
    PLACE,
  );
  const record = {
    state: 'returned-unacknowledged',
    conditionActive: false,
    since: T_BACK,
    activeSince: T0,
    value: 0,
    limit: null,
    message: 'Chiller 1: fault code 0',
  };
  db.prepare('INSERT INTO alarm_state VALUES (?, ?)').run('fault@ch1', JSON.stringify(record));
  db.close();
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plantwatch-journal-'));
  writeOldJournal(join(dir, 'alarms.db'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('an alarm journal from before', () => {
  it('opens in place, keeps its messages, and gives its events the reading that raised them', () => {
    const journal = new AlarmJournal(join(dir, 'alarms.db'));
    try {
      expect(journal.history().map((e) => [e.kind, e.value, e.raised, e.message])).toEqual([
        ['returned', 0, { value: 207, limit: null, ts: T0 }, 'Chiller 1: fault code 0'],
        ['activated', 207, { value: 207, limit: null, ts: T0 }, 'Chiller 1: fault code 207'],
      ]);
    } finally {
      journal.close();
    }
    // Opening it again changes nothing more.
    const again = new AlarmJournal(join(dir, 'alarms.db'));
    expect(again.history()).toHaveLength(2);
    again.close();
  });

  it('restores a returned alarm with the fault code that raised it', async () => {
    vi.useFakeTimers({ now: T_BACK + 60_000 });
    const h = alarmHarness([FAULT_CODE_RULE], { timezone: 'Asia/Shanghai' }, dir);
    try {
      expect(h.service.get('fault@ch1')).toMatchObject({
        state: 'returned-unacknowledged',
        message: 'Chiller 1: fault code 207 (returned to normal 03:12, now 0)',
      });
    } finally {
      await h.stop();
    }
  });
});

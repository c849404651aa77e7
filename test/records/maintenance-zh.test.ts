/** Maintenance due and overdue in Chinese: the task's Chinese title and a Chinese sentence beside the English one. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRecordsDb } from '../../src/records/db.js';
import { MaintenanceBook, type MaintenanceTask } from '../../src/records/maintenance.js';

const ZONE = 'Asia/Shanghai';
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();

const tasks: MaintenanceTask[] = [
  {
    id: 'pchw1-bearings',
    device: 'pchw1',
    title: 'Chilled-water pump 1 bearing lubrication',
    titleZh: '1号冷冻水泵轴承润滑',
    every: { runHours: 2000 },
    lastDone: { date: '2026-09-10', runHours: 25_580 },
  },
  {
    id: 'ch2-annual-service',
    device: 'ch2',
    title: 'Chiller 2 annual service',
    titleZh: '2号冷水机组年度保养',
    every: { months: 12 },
    lastDone: { date: '2025-11-02' },
  },
  { id: 'gen-1-test', device: 'gen-1', title: 'Load test', every: { days: 30 } },
];

let dir: string;
let db: Database.Database;
let book: MaintenanceBook;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plantwatch-maintenance-zh-'));
  db = openRecordsDb(join(dir, 'records.db'));
  book = new MaintenanceBook(db, tasks, ZONE, () => local('2026-12-07T09:00'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('maintenance in Chinese', () => {
  it('says what is due and overdue with the Chinese title, beside the English sentence', () => {
    const counters: Record<string, number> = { 'pchw1.run_hours': 27_700 };
    const byId = new Map(book.status((id) => counters[id]).map((s) => [s.task.id, s]));
    expect(byId.get('ch2-annual-service')).toMatchObject({
      message: 'Chiller 2 annual service (ch2): overdue by 35 days (due 2026-11-02)',
      messageZh: '2号冷水机组年度保养 (ch2)：已逾期 35 天（到期日 2026-11-02）',
    });
    expect(byId.get('pchw1-bearings')?.messageZh).toBe(
      '1号冷冻水泵轴承润滑 (pchw1)：已逾期 120 小时（到期 27,580 小时，当前计数 27,700 小时）',
    );
    // No Chinese title: the English one, in a Chinese sentence.
    expect(byId.get('gen-1-test')?.messageZh).toBe('Load test (gen-1)：从无保养记录');
  });
});

/** /api/operation-log: a shift's operation log of some equipment (JSON or CSV). */
import type { Request } from 'express';
import { DateTime } from 'luxon';
import type * as api from '../api-types/records.js';
import type { Answer } from '../api-types/route.js';
import type { OperationLog, RecordsService, ShiftWindow } from '../records/index.js';
import { localTime } from '../reports/csv.js';
import { BadRequest } from './history.js';
import { handle, list, one, type RecordsRoutes } from './records-common.js';
import { sendTable } from './tables.js';

export function operationLogRoutes({ router, records, zone }: RecordsRoutes): void {
  router.get(
    '/operation-log',
    handle(async (req, res) => {
      const shift = shiftOf(records, req);
      const devices = devicesFor(records, req);
      const answer: Answer<typeof api.operationLogRoute> = {
        shift,
        logs: await records.operationLogs(shift, devices),
      };
      sendTable(req, res, `operation-log-${shift.dutyDate}-${shift.period}`, answer, ({ logs: all }) => ({
        columns: [
          'device',
          'shift',
          'run hours',
          'starts',
          'stops',
          'point',
          'unit',
          'min',
          'max',
          'mean',
          'alarms',
        ],
        rows: all.flatMap((log) => logRows(log, zone)),
      }));
    }),
  );
}

/** One row per point of the log; the running figures and the alarms on the first. */
function logRows(log: OperationLog, zone: string) {
  return (log.values.length ? log.values : [undefined]).map((v, i) => [
    log.deviceName,
    log.shift.label,
    i === 0 ? log.running?.runHours : null,
    i === 0 ? log.running?.starts : null,
    i === 0 ? log.running?.stops : null,
    v?.label,
    v?.unit,
    v?.min,
    v?.max,
    v?.mean,
    i === 0
      ? log.alarms
          .map(
            (a) =>
              `${localTime(a.activatedAt, zone)} ${a.message}${a.acknowledgedBy ? ` (ack ${a.acknowledgedBy})` : ''}`,
          )
          .join('; ')
      : null,
  ]);
}

/** ?date=2026-11-25&shift=day|night, or the shift going on now. */
function shiftOf(records: RecordsService, req: Request): ShiftWindow {
  const date = one(req.query.date);
  const period = one(req.query.shift);
  if (date === undefined) return records.currentShift();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new BadRequest(`date: expected "YYYY-MM-DD" (got "${date}")`);
  // "2026-02-30" matches the pattern but is no day: the shift's times would be NaN (a 500).
  if (!DateTime.fromISO(date).isValid) throw new BadRequest(`date: no such day "${date}"`);
  if (period !== undefined && period !== 'day' && period !== 'night')
    throw new BadRequest(`shift: expected day or night (got "${period}")`);
  return records.shiftWindow(date, period ?? 'day');
}

/** ?device=ch1 (or a list), or ?room=<room id> for every device of that room. */
function devicesFor(records: RecordsService, req: Request): string[] {
  const devices = records.config.devices.filter((d) => d.enabled);
  const wanted = list(one(req.query.device));
  if (wanted) {
    const unknown = wanted.filter((id) => !devices.some((d) => d.id === id));
    if (unknown.length) throw new BadRequest(`unknown device ${unknown.map((u) => `"${u}"`).join(', ')}`);
    return wanted;
  }
  const room = one(req.query.room);
  if (!room) throw new BadRequest('say which equipment: ?device=<id> or ?room=<room id>');
  const inRoom = devices.filter((d) => d.room === room || `${d.site}/${d.building}/${d.room}` === room);
  if (inRoom.length === 0) throw new BadRequest(`no equipment in room "${room}"`);
  return inRoom.map((d) => d.id);
}

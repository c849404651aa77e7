/** /api/maintenance: what is due (JSON or CSV), what was done, and recording a task done. */

import * as api from '../api-types/records.js';
import type { Answer } from '../api-types/route.js';
import { localTime } from '../reports/csv.js';
import { handle, limitOf, one, optional, param, parseAction, type RecordsRoutes } from './records-common.js';
import { sendTable } from './tables.js';

export function maintenanceRoutes(routes: RecordsRoutes): void {
  dueRoute(routes);
  historyRoute(routes);
  const { router, records, act, loginOff } = routes;
  router.post(
    '/maintenance/:task/complete',
    ...act,
    handle((req, res) => {
      const { data, user } = parseAction(req, api.completeTask, loginOff);
      const { user: _user, ...completion } = data;
      const record: Answer<typeof api.completeTaskRoute> = records.maintenance.complete(
        param(req, 'task'),
        user,
        completion,
      );
      res.status(201).json(record);
    }),
  );
}

function dueRoute({ router, records, zone }: RecordsRoutes): void {
  router.get(
    '/maintenance',
    handle((req, res) => {
      const due: Answer<typeof api.maintenanceRoute> = records.maintenanceStatus();
      sendTable(req, res, 'maintenance-due', due, (rows) => ({
        columns: [
          'task',
          'device',
          'title',
          'state',
          'interval',
          'last done',
          'by',
          'due date',
          'due at run hours',
          'run hours now',
          'message',
        ],
        rows: rows.map((s) => [
          s.task.id,
          s.deviceName ?? s.task.device,
          s.task.title,
          s.state,
          JSON.stringify(s.task.every),
          localTime(s.lastDoneAt, zone),
          s.lastDoneBy,
          localTime(s.dueAt, zone),
          s.dueRunHours,
          s.runHoursNow,
          s.message,
        ]),
      }));
    }),
  );
}

function historyRoute({ router, records, zone }: RecordsRoutes): void {
  router.get(
    '/maintenance/history',
    handle((req, res) => {
      const history: Answer<typeof api.maintenanceHistoryRoute> = records.maintenance.history({
        ...optional('task', one(req.query.task)),
        ...optional('device', one(req.query.device)),
        limit: limitOf(req, 500, 10_000),
      });
      sendTable(req, res, 'maintenance-records', history, (rows) => ({
        columns: ['task', 'device', 'title', 'done', 'done by', 'run hours', 'notes', 'recorded'],
        rows: rows.map((r) => [
          r.taskId,
          r.device,
          r.title,
          localTime(r.doneAt, zone),
          r.doneBy,
          r.runHours,
          r.notes,
          localTime(r.recordedAt, zone),
        ]),
      }));
    }),
  );
}

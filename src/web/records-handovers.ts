/** /api/handovers: the shift going on now, past handovers (JSON or CSV), handing over and taking over. */

import * as api from '../api-types/records.js';
import type { Answer } from '../api-types/route.js';
import { localTime } from '../reports/csv.js';
import { BadRequest } from './history.js';
import { handle, limitOf, one, optional, param, parseAction, type RecordsRoutes } from './records-common.js';
import { sendTable } from './tables.js';

export function handoverRoutes(routes: RecordsRoutes): void {
  const { router, records, zone } = routes;
  router.get(
    '/handovers/current',
    handle((req, res) => {
      const team = one(req.query.team) ?? records.teams()[0]?.id;
      if (!team) throw new BadRequest('no teams are configured in notify.yaml');
      // The zone names the clock of every time in the records (the shift's and all the rest).
      const view: Answer<typeof api.currentHandoverRoute> = { ...records.handoverView(team), timezone: zone };
      res.json(view);
    }),
  );
  listRoute(routes);
  actionRoutes(routes);
}

function listRoute({ router, records, zone }: RecordsRoutes): void {
  router.get(
    '/handovers',
    handle((req, res) => {
      const handovers: Answer<typeof api.handoversRoute> = records.handovers.list({
        ...optional('team', one(req.query.team)),
        limit: limitOf(req, 50, 1000),
      });
      sendTable(req, res, 'handovers', handovers, (rows) => ({
        columns: [
          'team',
          'duty date',
          'shift',
          'from',
          'to',
          'handed over by',
          'submitted',
          'taken over by',
          'accepted',
          'notes',
          'comment',
        ],
        rows: rows.map((h) => [
          h.team,
          h.dutyDate,
          h.shift,
          localTime(h.shiftFrom, zone),
          localTime(h.shiftTo, zone),
          h.outgoingUser,
          localTime(h.submittedAt, zone),
          h.incomingUser,
          localTime(h.acceptedAt, zone),
          h.notes,
          h.acceptComment,
        ]),
      }));
    }),
  );
}

function actionRoutes({ router, records, act, loginOff }: RecordsRoutes): void {
  router.post(
    '/handovers',
    ...act,
    handle((req, res) => {
      const { data, user } = parseAction(req, api.newHandover, loginOff);
      const handover: Answer<typeof api.newHandoverRoute> = records.submitHandover(
        data.team,
        data.notes,
        user,
      );
      res.status(201).json(handover);
    }),
  );
  router.post(
    '/handovers/:id/accept',
    ...act,
    handle((req, res) => {
      const { data, user } = parseAction(req, api.acceptHandover, loginOff);
      const id = Number(param(req, 'id'));
      if (!Number.isInteger(id) || !records.handovers.get(id)) {
        res.status(404).json({ error: `no handover "${param(req, 'id')}"` });
        return;
      }
      res.json(
        records.handovers.accept(id, user, data.comment) satisfies Answer<typeof api.acceptHandoverRoute>,
      );
    }),
  );
}

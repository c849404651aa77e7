/**
 * The alarm API: the current list (most urgent first), the journal, and the operator's
 * actions (acknowledge, shelve, unshelve, out of service, return to service).
 * With login on, an action needs the electrician role and the journal records the signed-in
 * user (a `user` in the body is refused, so the journal cannot be forged); with login off,
 * actions name their user in the body.
 */
import { type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';
import {
  ALARM_STATES,
  type AlarmEvent,
  type AlarmEventKind,
  type AlarmService,
  type AlarmState,
  type AlarmStatus,
  EVENT_KINDS,
  LifecycleError,
  PRIORITIES,
  type Priority,
  ShelveLimitError,
  UnknownAlarmError,
} from '../alarms/index.js';
import {
  ACTION_BODIES,
  type ActionAnswer,
  type AlarmEventJson,
  type AlarmEventKind as AlarmEventKindJson,
  type AlarmState as AlarmStateJson,
  type AlarmStatusJson,
  type alarmHistoryRoute,
  type alarmRoute,
  type alarmsRoute,
  type Priority as PriorityJson,
} from '../api-types/alarms.js';
import type { Answer, Describes } from '../api-types/route.js';
import { duration } from '../config/schema.js';
import { BadRequest, parseTime } from './history.js';

// The shared schemas describe the alarm model itself: a field renamed, retyped or added on
// either side fails the type check here (src/api-types/alarms.ts).
const described: [
  Describes<AlarmStatus, AlarmStatusJson>,
  Describes<AlarmEvent, AlarmEventJson>,
  Describes<Priority, PriorityJson>,
  Describes<AlarmState, AlarmStateJson>,
  Describes<AlarmEventKind, AlarmEventKindJson>,
] = [true, true, true, true, true];
void described;

const MAX_HISTORY = 10_000;
const user = z
  .string({ error: 'who is acting (required)' })
  .trim()
  .min(1, 'who is acting (required)')
  .max(64);
const note = z.string().trim().max(500).optional();

// Each action's body is the shared one (what a client sends), made strict about what the
// gateway needs: who acts (from the session with login on), trimmed texts, a duration in ms.
const ACTIONS = {
  ack: {
    body: ACTION_BODIES.ack.extend({ user, comment: note }),
    run: (s: AlarmService, id: string, b: { user: string; comment?: string }) =>
      s.acknowledge(id, b.user, b.comment),
  },
  shelve: {
    body: ACTION_BODIES.shelve.extend({
      user,
      reason: z
        .string({ error: 'why it is shelved (required)' })
        .trim()
        .min(1, 'why it is shelved (required)')
        .max(500),
      duration: z
        .union([z.number(), z.string()], { error: 'how long, e.g. "30m" or "2h" (required)' })
        .pipe(duration),
    }),
    run: (s: AlarmService, id: string, b: { user: string; reason: string; duration: number }) =>
      s.shelve(id, b.user, b.reason, b.duration),
  },
  unshelve: {
    body: ACTION_BODIES.unshelve.extend({ user, comment: note }),
    run: (s: AlarmService, id: string, b: { user: string; comment?: string }) =>
      s.unshelve(id, b.user, b.comment),
  },
  'out-of-service': {
    body: ACTION_BODIES['out-of-service'].extend({
      user,
      reason: z.string({ error: 'why (required)' }).trim().min(1, 'why (required)').max(500),
    }),
    run: (s: AlarmService, id: string, b: { user: string; reason: string }) =>
      s.removeFromService(id, b.user, b.reason),
  },
  'return-to-service': {
    body: ACTION_BODIES['return-to-service'].extend({ user, comment: note }),
    run: (s: AlarmService, id: string, b: { user: string; comment?: string }) =>
      s.returnToService(id, b.user, b.comment),
  },
} as const;

/** "a,b" or repeated ?x=a&x=b, each checked against the allowed values. */
function listParam<T extends string>(raw: unknown, name: string, allowed: readonly T[]): T[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => String(v).split(','));
  for (const v of values)
    if (!allowed.includes(v as T))
      throw new BadRequest(`${name}: expected any of ${allowed.join(', ')} (got "${v}")`);
  return values as T[];
}

function oneParam(raw: unknown, name: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw new BadRequest(`${name}: give one value`);
  return raw;
}

const FILTERS = ['site', 'building', 'room', 'device', 'equipment'] as const;

function filterStatuses(list: AlarmStatus[], query: Request['query']): AlarmStatus[] {
  const priorities = listParam(query.priority, 'priority', PRIORITIES);
  const states = listParam(query.state, 'state', ALARM_STATES);
  let result = list;
  if (priorities) result = result.filter((a) => priorities.includes(a.priority));
  if (states) result = result.filter((a) => states.includes(a.state));
  for (const key of FILTERS) {
    const wanted = oneParam(query[key], key);
    if (wanted) result = result.filter((a) => a[key] === wanted);
  }
  return result;
}

function sendError(res: Response, err: unknown): void {
  if (err instanceof BadRequest || err instanceof ShelveLimitError)
    res.status(400).json({ error: err.message });
  else if (err instanceof UnknownAlarmError) res.status(404).json({ error: err.message });
  else if (err instanceof LifecycleError) res.status(409).json({ error: err.message });
  else throw err;
}

export interface AlarmsRouterOptions {
  /**
   * With login on: who may act (e.g. auth.requireRole('electrician')), run before each
   * action; the acting user is then req.user, never the body.
   */
  actionGuard?: RequestHandler;
}

/** The body an action is checked against: with login, the signed-in user takes the place of `user`. */
function actionBody(req: Request, sessionUser: boolean): { body: unknown } | { error: string } {
  const raw: unknown = req.body ?? {};
  if (!sessionUser) return { body: raw };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { body: raw };
  if ('user' in raw) return { error: 'the user is the one signed in' };
  const username = req.user?.username;
  // The guard admitted a signed-in user; without one the action must not run at all.
  if (!username) throw new Error('alarm action without a signed-in user behind the action guard');
  return { body: { ...raw, user: username } };
}

export function alarmsRouter(alarms: AlarmService, options: AlarmsRouterOptions = {}): Router {
  const router = Router();
  const { actionGuard } = options;
  const guards = actionGuard ? [actionGuard] : [];

  router.get('/alarms', (req, res) => {
    try {
      const all = req.query.all === '1' || req.query.all === 'true' || req.query.state !== undefined;
      const list = filterStatuses(alarms.list({ includeNormal: all }), req.query);
      res.json(list satisfies Answer<typeof alarmsRoute>);
    } catch (err) {
      sendError(res, err);
    }
  });

  router.get('/alarms/history', (req, res) => {
    try {
      const now = Date.now();
      const to = parseTime(req.query.to, 'to', now, now + 1);
      const from = parseTime(req.query.from, 'from', now, to - 7 * 86_400_000);
      const limitRaw = oneParam(req.query.limit, 'limit');
      const limit = limitRaw === undefined ? 500 : Number(limitRaw);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY)
        throw new BadRequest(`limit: a whole number from 1 to ${MAX_HISTORY}`);
      const events = alarms.history({
        from,
        to,
        limit,
        alarm: oneParam(req.query.alarm, 'alarm'),
        device: oneParam(req.query.device, 'device'),
        site: oneParam(req.query.site, 'site'),
        building: oneParam(req.query.building, 'building'),
        priority: listParam(req.query.priority, 'priority', PRIORITIES),
        kind: listParam(req.query.kind, 'kind', EVENT_KINDS),
      });
      const journal = events.map((e) => ({ ...e, time: new Date(e.ts).toISOString() }));
      res.json(journal satisfies Answer<typeof alarmHistoryRoute>);
    } catch (err) {
      sendError(res, err);
    }
  });

  router.get('/alarms/:id', (req: Request<{ id: string }>, res) => {
    const status = alarms.get(req.params.id);
    if (!status) res.status(404).json({ error: `no alarm "${req.params.id}"` });
    else res.json(status satisfies Answer<typeof alarmRoute>);
  });

  for (const [action, { body, run }] of Object.entries(ACTIONS)) {
    router.post(`/alarms/:id/${action}`, ...guards, (req: Request<{ id: string }>, res: Response) => {
      const input = actionBody(req, actionGuard !== undefined);
      if ('error' in input) {
        res.status(400).json({ error: input.error });
        return;
      }
      const parsed = body.safeParse(input.body);
      if (!parsed.success) {
        res.status(400).json({ error: parsed.error.issues.map(describeIssue).join('; ') });
        return;
      }
      try {
        // The body matches this action's schema: the pairing is by construction.
        const events = (run as (s: AlarmService, id: string, b: unknown) => AlarmEvent[])(
          alarms,
          req.params.id,
          parsed.data,
        );
        res.json({ alarm: alarms.get(req.params.id), events } satisfies ActionAnswer);
      } catch (err) {
        sendError(res, err);
      }
    });
  }
  return router;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.join('.');
  const message = issue.message.replace(/^Invalid input: /, '');
  return message.startsWith(`${key}:`) || !key ? message : `${key}: ${message}`;
}

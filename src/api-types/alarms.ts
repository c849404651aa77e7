// Alarms (ISA-18.2): the current list, one alarm, the journal and the operator's actions, and
// the alarm objects the socket.io events carry. Mirrors src/alarms/types.ts (AlarmStatus,
// AlarmEvent); src/web/alarms.ts checks the two cannot drift apart.
import { z } from 'zod';
// The lists themselves are the domain's (a module of constants, safe in the browser too).
import { ALARM_STATES, EVENT_KINDS, PRIORITIES } from '../alarms/types.js';
import { placeFields, pointValueValue as reading } from './points.js';
import { type Answer, route } from './route.js';

export { ALARM_STATES, EVENT_KINDS, PRIORITIES };

export const priority = z.enum(PRIORITIES).meta({ id: 'Priority' });
export type Priority = z.infer<typeof priority>;

export const alarmState = z.enum(ALARM_STATES).meta({ id: 'AlarmState' });
export type AlarmState = z.infer<typeof alarmState>;

export const eventKind = z.enum(EVENT_KINDS).meta({ id: 'AlarmEventKind' });
export type AlarmEventKind = z.infer<typeof eventKind>;

/** Where an alarm sits in the plant (src/alarms/types.ts AlarmPlace). */
const alarmPlace = z.object({
  ...placeFields,
  device: z.string().optional(),
  deviceName: z.string().optional(),
  deviceNameZh: z.string().optional(),
  equipment: z.string(),
});

export const raisedBy = z
  .object({ value: reading, limit: z.number().nullable(), ts: z.number() })
  .meta({ id: 'RaisedBy', description: 'The reading that raised the alarm' });

/** An alarm's current state (src/alarms/types.ts AlarmStatus). */
export const alarmStatus = alarmPlace
  .extend({
    id: z.string().describe('"<rule>@<device>", or the rule id'),
    rule: z.string(),
    priority,
    points: z.array(z.string()),
    notifyOn: z.array(z.enum(['active', 'acknowledged', 'returned'])),
    condition: z.string(),
    conditionZh: z.string().optional().describe('The condition in Chinese'),
    unit: z.string().optional(),
    state: alarmState,
    conditionActive: z.boolean(),
    since: z.number().describe('Epoch ms of the last transition'),
    activeSince: z.number().nullable(),
    message: z.string(),
    messageZh: z.string().optional(),
    value: reading,
    limit: z.number().nullable(),
    raised: raisedBy.optional(),
    returnedAt: z.number().optional(),
    acknowledgedBy: z.string().optional(),
    acknowledgedAt: z.number().optional(),
    shelvedBy: z.string().optional(),
    shelvedUntil: z.number().optional(),
    reason: z.string().optional(),
    chattering: z.boolean(),
  })
  .meta({ id: 'AlarmStatus', description: "An alarm's current state" });
export type AlarmStatusJson = z.infer<typeof alarmStatus>;

/** One transition, as the journal keeps it (src/alarms/types.ts AlarmEvent). */
export const alarmEvent = alarmPlace
  .extend({
    seq: z.number().int(),
    alarmId: z.string(),
    rule: z.string(),
    kind: eventKind,
    from: alarmState,
    to: alarmState,
    ts: z.number().describe('Epoch ms'),
    priority,
    message: z.string(),
    messageZh: z.string().optional(),
    value: reading,
    limit: z.number().nullable(),
    raised: raisedBy.optional(),
    unit: z.string().optional(),
    user: z.string().optional(),
    comment: z.string().optional(),
    notify: z.boolean(),
  })
  .meta({ id: 'AlarmEvent', description: 'One transition of an alarm, as the journal keeps it' });
export type AlarmEventJson = z.infer<typeof alarmEvent>;

/** A journal entry with its time also in ISO form. */
export const journalEntry = alarmEvent.extend({ time: z.iso.datetime() }).meta({ id: 'JournalEntry' });
export type JournalEntry = z.infer<typeof journalEntry>;

const place = {
  site: z.string().optional(),
  building: z.string().optional(),
  device: z.string().optional(),
};
const list = (values: readonly string[]) =>
  z
    .string()
    .optional()
    .describe(`Comma-separated, any of: ${values.join(', ')}`);

export const alarmsRoute = route({
  method: 'get',
  path: '/api/alarms',
  summary: 'The alarms, most urgent first: active ones, or all with ?all=1 or a state filter',
  query: z.object({
    all: z.enum(['1', 'true']).optional(),
    priority: list(PRIORITIES),
    state: list(ALARM_STATES),
    ...place,
    room: z.string().optional(),
    equipment: z.string().optional(),
  }),
  response: z.array(alarmStatus),
});

const timeParam = z.string().optional().describe('ISO 8601, epoch ms, "now" or relative such as "-24h"');

export const alarmHistoryRoute = route({
  method: 'get',
  path: '/api/alarms/history',
  summary: 'The alarm journal, newest first (default: the last 7 days, 500 events)',
  query: z.object({
    from: timeParam,
    to: timeParam,
    limit: z.string().optional().describe('1 to 10000'),
    alarm: z.string().optional(),
    ...place,
    priority: list(PRIORITIES),
    kind: list(EVENT_KINDS),
  }),
  response: z.array(journalEntry),
});

export const alarmRoute = route({
  method: 'get',
  path: '/api/alarms/:id',
  summary: 'One alarm',
  response: alarmStatus,
});

// With login on the gateway takes the signed-in user and refuses a `user`; with login off
// the body names who acts.
const user = z.string().max(64).optional().describe('Who acts: with login off only');
const comment = z.string().max(500).optional();
const reason = z.string().min(1).max(500);

export const ACTION_BODIES = {
  ack: z.strictObject({ user, comment }),
  shelve: z.strictObject({
    user,
    reason,
    duration: z.union([z.number(), z.string()]).describe('ms, or "30m", "2h"'),
  }),
  unshelve: z.strictObject({ user, comment }),
  'out-of-service': z.strictObject({ user, reason }),
  'return-to-service': z.strictObject({ user, comment }),
};
export type AlarmAction = keyof typeof ACTION_BODIES;
export type ActionBody<A extends AlarmAction> = z.input<(typeof ACTION_BODIES)[A]>;

export const actionAnswer = z
  .object({ alarm: alarmStatus.optional(), events: z.array(alarmEvent) })
  .meta({ id: 'AlarmActionAnswer', description: 'The alarm after the action, and the events it caused' });
export type ActionAnswer = z.infer<typeof actionAnswer>;

const SUMMARIES: Record<AlarmAction, string> = {
  ack: 'Acknowledge an alarm',
  shelve: 'Shelve an alarm for a while, with a reason',
  unshelve: 'Unshelve an alarm',
  'out-of-service': 'Take an alarm out of service, with a reason',
  'return-to-service': 'Return an alarm to service',
};
const ACCESS: Record<AlarmAction, string> = {
  ack: 'alarms.acknowledge',
  shelve: 'alarms.shelve',
  unshelve: 'alarms.shelve',
  'out-of-service': 'alarms.shelve',
  'return-to-service': 'alarms.shelve',
};

export const alarmActionRoutes = (Object.keys(ACTION_BODIES) as AlarmAction[]).map((action) =>
  route({
    method: 'post',
    path: `/api/alarms/:id/${action}`,
    summary: SUMMARIES[action],
    access: ACCESS[action],
    body: ACTION_BODIES[action],
    response: actionAnswer,
  }),
);

export type AlarmsAnswer = Answer<typeof alarmsRoute>;

export const alarmRoutes = [alarmsRoute, alarmHistoryRoute, alarmRoute, ...alarmActionRoutes];

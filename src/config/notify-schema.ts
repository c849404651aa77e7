/**
 * config/notify.yaml: who is on duty when, which channels reach them, how each alarm priority
 * is announced and escalated. References between sections (people, teams, levels, webhooks)
 * are checked here, with the key path of the faulty entry, so the loader reports file and line.
 */

import { z } from 'zod';
import { minutesOf } from '../clock/index.js';
import { PRIORITIES } from '../vocabulary/alarms.js';
import { WEBHOOK_FORMATS } from '../vocabulary/notify.js';
import { bilingual, LANGUAGES, lift } from './names.js';
import { duration, id, localTime, modbusProfile, timerDuration, timeZone } from './schema.js';

/** The equipment classes a profile may declare; a team naming another one would never be routed to. */
export const EQUIPMENT_CLASSES: readonly string[] = modbusProfile.in.shape.equipment.options;

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Channel kinds a priority's routing may list. */
export const CHANNEL_KINDS = ['email', 'webhooks', 'mqtt'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

const isCalendarDate = (text: string): boolean => {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date "YYYY-MM-DD", e.g. "2026-10-01"')
  .refine(isCalendarDate, 'not a calendar date');

const people = z.array(id).min(1, 'at least one person');

const weekdayRotaEntry = z.strictObject({
  days: z.array(z.enum(WEEKDAYS)).min(1),
  people,
});

const weekdayRota = z.array(weekdayRotaEntry).min(1);
export type Rota = z.infer<typeof people> | z.infer<typeof weekdayRota>;

/**
 * A list of people, or one list per group of weekdays (every weekday exactly once). Chosen by
 * what the list holds rather than a union, so a typo inside a weekday rota is reported as such
 * and not as "expected a string".
 */
const rota = z.unknown().transform((value, ctx): Rota => {
  if (!Array.isArray(value)) {
    ctx.addIssue({
      code: 'custom',
      message: 'a list of person ids, or a weekday rota: [{ days: [mon, wed], people: [...] }, ...]',
    });
    return z.NEVER;
  }
  const weekly = value.some((entry) => typeof entry === 'object' && entry !== null);
  const result = (weekly ? weekdayRota : people).safeParse(value);
  if (result.success) return result.data;
  for (const found of result.error.issues) ctx.addIssue({ ...found });
  return z.NEVER;
});

/**
 * Who answers during each shift: `always`, or `day` and `night`; `holiday` (optional) replaces
 * both on holiday dates, otherwise holidays follow the normal day/night rota.
 */
const dutyFields = {
  always: rota.optional(),
  day: rota.optional(),
  night: rota.optional(),
  holiday: rota.optional(),
};
const duty = z.strictObject(dutyFields);
export type Duty = z.infer<typeof duty>;

const person = z
  .strictObject({
    id,
    /** In English, Chinese or both (names.ts): `name` plus `nameZh` once loaded. */
    name: bilingual(),
    email: z.email('an e-mail address').optional(),
    /** The language of this person's e-mails; default the file's `lang`. */
    lang: z.enum(LANGUAGES).optional(),
  })
  .transform(lift('name'));

const teamFields = z.strictObject({
  id,
  name: bilingual(),
  /** Equipment classes (of the device profiles) this team answers for. */
  equipment: z.array(z.string().min(1)).default([]),
  /** Id of a webhook under channels.webhooks: the team's chat group. */
  webhook: id.optional(),
  ...dutyFields,
});
const team = teamFields.transform(lift('name'));
export type TeamSettings = z.infer<typeof team>;

const webhook = z.strictObject({
  id,
  url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
  format: z.enum(WEBHOOK_FORMATS).default('json'),
  /** The language of the posts to this chat group; default the file's `lang`. */
  lang: z.enum(LANGUAGES).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeout: duration.optional(),
});

/** Digits in a string are accepted so the port can come from "${SMTP_PORT:-25}". */
const smtpPort = z.preprocess(
  (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
  z.number().int().min(1).max(65535),
);

const channels = z.strictObject({
  email: z
    .strictObject({
      host: z.string().min(1),
      port: smtpPort.default(25),
      secure: z.boolean().default(false),
      from: z.string().min(1),
      auth: z.strictObject({ user: z.string(), pass: z.string() }).optional(),
      timeout: duration.optional(),
    })
    .optional(),
  webhooks: z.array(webhook).default([]),
  mqtt: z
    .strictObject({ topic: z.string().min(1).default('plantwatch/{site}/notifications/{priority}') })
    .optional(),
});

const route = z.strictObject({
  /** `[]` announces nothing for this priority (it is still on the dashboard). */
  channels: z.array(z.enum(CHANNEL_KINDS)).default([]),
  /** Steps sent while the alarm stays unacknowledged, each `after` counted from activation. */
  escalate: z.array(z.strictObject({ after: timerDuration, to: id })).default([]),
  /** Collect this priority's events and send one digest per team per period instead. */
  digest: timerDuration.optional(),
});
export type RouteSettings = z.infer<typeof route>;

const routeFor = (priority: string) =>
  route.optional().transform((value, ctx) => {
    if (value) return value;
    ctx.addIssue({
      code: 'custom',
      message: `say how ${priority} alarms are announced, e.g. { channels: [webhooks] } (or channels: [] for none)`,
    });
    return z.NEVER;
  });

const FLOOD_DEFAULT = { count: 10, window: 600_000, flush: 30_000 };
const DAY_DEFAULT = { start: '08:00', end: '20:00' };

const notifyObject = z.strictObject({
  /** IANA zone the shifts, holidays and message times are written in. */
  timezone: timeZone,
  /**
   * The language of e-mails and chat posts unless a person or webhook says otherwise: Chinese,
   * the department's working language (English for a foreign engineer's own `lang: en`).
   */
  lang: z.enum(LANGUAGES).default('zh'),
  channels: channels.default({ webhooks: [] }),
  people: z.array(person).default([]),
  shifts: z
    .strictObject({ day: z.strictObject({ start: localTime, end: localTime }).default(DAY_DEFAULT) })
    .default({ day: DAY_DEFAULT }),
  holidays: z.array(localDate).default([]),
  /** The first team also answers for equipment no team lists. */
  teams: z.array(team).default([]),
  levels: z.record(id, duty).default({}),
  routing: z.strictObject({
    critical: routeFor('critical'),
    high: routeFor('high'),
    medium: routeFor('medium'),
    low: routeFor('low'),
  }),
  /** More activations than `count` within `window` → summaries every `flush` instead of one message each. */
  flood: z
    .strictObject({
      count: z.number().int().min(1).default(FLOOD_DEFAULT.count),
      window: duration.default(FLOOD_DEFAULT.window),
      flush: timerDuration.default(FLOOD_DEFAULT.flush),
    })
    .default(FLOOD_DEFAULT),
});

type NotifyObject = z.infer<typeof notifyObject>;
type Ctx = z.core.$RefinementCtx<NotifyObject>;
type Path = (string | number)[];

const issue = (ctx: Ctx, path: Path, message: string): void => {
  ctx.addIssue({ code: 'custom', path, message });
};

function checkUnique(ctx: Ctx, ids: readonly string[], path: (i: number) => Path, what: string): void {
  const seen = new Set<string>();
  ids.forEach((value, i) => {
    if (seen.has(value)) issue(ctx, path(i), `${what} "${value}" is defined twice`);
    seen.add(value);
  });
}

function checkRota(ctx: Ctx, value: Rota, path: Path, personIds: ReadonlySet<string>): void {
  const checkPeople = (ids: readonly string[], at: Path) =>
    ids.forEach((person, i) => {
      if (!personIds.has(person)) issue(ctx, [...at, i], `unknown person "${person}" (not under people)`);
    });
  if (value.every((entry) => typeof entry === 'string')) {
    checkPeople(value as string[], path);
    return;
  }
  const covered = new Map<Weekday, number>();
  (value as z.infer<typeof weekdayRotaEntry>[]).forEach((entry, i) => {
    checkPeople(entry.people, [...path, i, 'people']);
    entry.days.forEach((day, j) => {
      const other = covered.get(day);
      if (other !== undefined) issue(ctx, [...path, i, 'days', j], `${day} is already in entry ${other + 1}`);
      covered.set(day, i);
    });
  });
  const missing = WEEKDAYS.filter((day) => !covered.has(day));
  if (missing.length > 0)
    issue(ctx, path, `nobody on duty on ${missing.join(', ')}: list every weekday once`);
}

function checkDuty(ctx: Ctx, value: Duty, path: Path, personIds: ReadonlySet<string>): void {
  if (!value.always && !(value.day && value.night)) {
    issue(ctx, path, 'needs `always`, or both `day` and `night` (and optionally `holiday`)');
  }
  if (value.always && (value.day || value.night)) {
    issue(ctx, path, '`always` already covers day and night: give `always`, or `day` and `night`');
  }
  for (const key of ['always', 'day', 'night', 'holiday'] as const) {
    const entry = value[key];
    if (entry) checkRota(ctx, entry, [...path, key], personIds);
  }
}

function checkTeams(ctx: Ctx, data: NotifyObject, personIds: ReadonlySet<string>): void {
  const webhookIds = new Set(data.channels.webhooks.map((w) => w.id));
  const owner = new Map<string, string>();
  data.teams.forEach((t, i) => {
    const { id: _id, name: _name, nameZh: _nameZh, equipment, webhook: hook, ...dutyOf } = t;
    checkDuty(ctx, dutyOf, ['teams', i], personIds);
    if (hook !== undefined && !webhookIds.has(hook)) {
      issue(ctx, ['teams', i, 'webhook'], `unknown webhook "${hook}" (not under channels.webhooks)`);
    }
    equipment.forEach((cls, j) => {
      const at = ['teams', i, 'equipment', j];
      if (!EQUIPMENT_CLASSES.includes(cls)) {
        issue(ctx, at, `unknown equipment class "${cls}": one of ${EQUIPMENT_CLASSES.join(', ')}`);
      }
      const other = owner.get(cls);
      if (other !== undefined) {
        issue(ctx, at, `"${cls}" is already answered for by team ${other}: one team per equipment class`);
      }
      owner.set(cls, t.id);
    });
  });
}

function checkRouting(ctx: Ctx, data: NotifyObject): void {
  const configured: Record<ChannelKind, boolean> = {
    email: data.channels.email !== undefined,
    webhooks: data.channels.webhooks.length > 0,
    mqtt: data.channels.mqtt !== undefined,
  };
  for (const priority of PRIORITIES) {
    const r = data.routing[priority];
    r.channels.forEach((kind, i) => {
      if (!configured[kind]) {
        issue(
          ctx,
          ['routing', priority, 'channels', i],
          `${kind} is listed but not configured under channels`,
        );
      }
    });
    r.escalate.forEach((step, i) => {
      if (!Object.hasOwn(data.levels, step.to)) {
        issue(
          ctx,
          ['routing', priority, 'escalate', i, 'to'],
          `unknown escalation level "${step.to}" (not under levels)`,
        );
      }
      const before = r.escalate[i - 1];
      if (before && before.after >= step.after) {
        issue(
          ctx,
          ['routing', priority, 'escalate', i, 'after'],
          'escalation steps must come later one after the other',
        );
      }
    });
  }
}

function checkReferences(data: NotifyObject, ctx: Ctx): void {
  const personIds = new Set(data.people.map((p) => p.id));
  checkUnique(
    ctx,
    data.people.map((p) => p.id),
    (i) => ['people', i, 'id'],
    'person',
  );
  checkUnique(
    ctx,
    data.teams.map((t) => t.id),
    (i) => ['teams', i, 'id'],
    'team',
  );
  checkUnique(
    ctx,
    data.channels.webhooks.map((w) => w.id),
    (i) => ['channels', 'webhooks', i, 'id'],
    'webhook',
  );
  data.channels.webhooks.forEach((w, i) => {
    // Deliveries are keyed by channel id: a webhook may not take the name of another channel.
    if (w.id === 'email' || w.id === 'mqtt')
      issue(ctx, ['channels', 'webhooks', i, 'id'], `"${w.id}" is reserved`);
  });
  const { start, end } = data.shifts.day;
  if (minutesOf(start) >= minutesOf(end)) {
    issue(
      ctx,
      ['shifts', 'day', 'end'],
      'the day shift must end after it starts, the same day (night is the rest)',
    );
  }
  checkTeams(ctx, data, personIds);
  for (const [name, value] of Object.entries(data.levels)) checkDuty(ctx, value, ['levels', name], personIds);
  checkRouting(ctx, data);
}

export const notifyFile = notifyObject.superRefine(checkReferences);
export type NotifySettings = z.infer<typeof notifyFile>;
export type PersonSettings = NotifySettings['people'][number];

/**
 * The settings when config/notify.yaml is absent: no channels, no people, so nothing is sent
 * (the gateway logs once that notifications are disabled).
 */
export const NOTIFY_DISABLED: NotifySettings = notifyFile.parse({
  timezone: 'UTC',
  routing: { critical: {}, high: {}, medium: {}, low: {} },
});

/** Whether these settings can reach anybody at all. */
export function notificationsEnabled(settings: NotifySettings): boolean {
  const { email, webhooks, mqtt } = settings.channels;
  return email !== undefined || webhooks.length > 0 || mqtt !== undefined;
}

/**
 * config/alarms.yaml: alarm rules and the alarm system's settings, as validated data.
 * A rule applies to one point, or to the same point of every device of a profile; its
 * condition is one of a few well-understood kinds (limit with deadband, digital state, rate
 * of change, deviation, communication loss) or a safe expression over named inputs.
 */
import { z } from 'zod';
import { NOTIFY_ON, PRIORITIES } from '../vocabulary/alarms.js';
import { bilingual, lift } from './names.js';
import { duration, id, localTime, timeZone } from './schema.js';

/** The placeholders a message template may use; anything else in braces is an error. */
export const MESSAGE_FIELDS = [
  'alarm',
  'rule',
  'priority',
  'device',
  'deviceName',
  'site',
  'building',
  'room',
  'point',
  'label',
  'unit',
  'value',
  'limit',
  'time',
] as const;

const messageText = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    for (const [, field] of text.matchAll(/\{([^{}]*)\}/g)) {
      if (!(MESSAGE_FIELDS as readonly string[]).includes(field as string))
        ctx.addIssue({
          code: 'custom',
          message: `unknown placeholder {${field}} (use ${MESSAGE_FIELDS.map((f) => `{${f}}`).join(', ')})`,
        });
    }
  });
/** In English, Chinese or both (names.ts): `message` plus `messageZh` once loaded. */
const message = bilingual(messageText, 'a message');

const ruleCommon = {
  id,
  /** Also the default message of an expression rule, so placeholders are checked as in message. */
  description: message.optional(),
  enabled: z.boolean().default(true),
  /** Apply to this device, these devices, or every device of this profile (one alarm per device). */
  device: id.optional(),
  devices: z.array(id).min(1).optional(),
  profile: id.optional(),
  /** Only devices in these places (and, with critical, only devices marked critical or not). */
  where: z
    .strictObject({
      site: z.array(id).min(1).optional(),
      building: z.array(id).min(1).optional(),
      room: z.array(id).min(1).optional(),
      critical: z.boolean().optional(),
    })
    .optional(),
  priority: z.enum(PRIORITIES),
  /** The alarm's text while active; the returned and normal texts are built on it (alarms/messages.ts). */
  message: message.optional(),
  notifyOn: z.array(z.enum(NOTIFY_ON)).default(['active', 'returned']),
  /** The condition must hold this long before the alarm activates (nuisance filter). */
  onDelay: duration.optional(),
  /** The condition must be gone this long before the alarm returns to normal. */
  offDelay: duration.optional(),
  /** Only evaluated between these local times (e.g. night flow 01:00–05:00); may span midnight. */
  during: z
    .strictObject({ from: localTime, to: localTime })
    .refine((w) => w.from !== w.to, 'from and to must differ (the window would be empty)')
    .optional(),
};

/** High/low limits: activate beyond the limit, return once back inside it by the deadband. */
const limitRule = z.strictObject({
  ...ruleCommon,
  type: z.enum(['high', 'high-high', 'low', 'low-low']),
  point: id,
  limit: z.number(),
  /** A device's own limit where it differs (e.g. each building's normal night flow). */
  limitFor: z.record(id, z.number()).optional(),
  deadband: z.number().nonnegative().default(0),
});

/** A digital state: a trip, a fault bit, a breaker open, a non-zero fault code. */
const stateRule = z
  .strictObject({
    ...ruleCommon,
    type: z.literal('state'),
    point: id,
    equals: z.union([z.boolean(), z.number()]).optional(),
    notEquals: z.union([z.boolean(), z.number()]).optional(),
    /** Active when this bit (0 = least significant) of an integer value is set. */
    bit: z.number().int().min(0).max(31).optional(),
  })
  .refine((r) => [r.equals, r.notEquals, r.bit].filter((v) => v !== undefined).length === 1, {
    message: 'a state rule needs exactly one of equals, notEquals or bit',
  });

/** Rate of change, in the point's unit per minute, measured over a window. */
const rateRule = z.strictObject({
  ...ruleCommon,
  type: z.literal('rate'),
  point: id,
  /** Units per minute. */
  limit: z.number().positive(),
  window: duration.default(60_000),
  direction: z.enum(['rise', 'fall', 'either']).default('either'),
});

/** Two points that should agree (supply vs return, a sensor vs its twin). */
const deviationRule = z.strictObject({
  ...ruleCommon,
  type: z.literal('deviation'),
  point: id,
  /** The other point: a name of the same device, or "<device>.<point>". */
  reference: z.string().min(1),
  limit: z.number().positive(),
  deadband: z.number().nonnegative().default(0),
  /** above: point − reference > limit; below: reference − point > limit; either: |difference|. */
  direction: z.enum(['above', 'below', 'either']).default('either'),
});

/** No good reading from the device for this long: dead device, cable, line or meter. */
const commLossRule = z.strictObject({
  ...ruleCommon,
  type: z.literal('comm-loss'),
  after: duration.default(60_000),
});

/** A combined condition over named inputs, e.g. "!p1 && !p2" or "abs(inc - (f1 + f2)) > 0.1 * inc". */
const expressionRule = z.strictObject({
  ...ruleCommon,
  type: z.literal('expression'),
  /** name → point: a point name of the rule's device, or "<device>.<point>". */
  inputs: z.record(
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an input name such as p1 or supply')
      // Names every object already has would be mistaken for inputs that are not there.
      .refine(
        (name) => !(name in Object.prototype) && name !== '__proto__',
        'a name of your own, not a reserved one',
      ),
    z.string().min(1),
  ),
  when: z.string().min(1),
  /** Which input the alarm shows as its value (default: the first). */
  value: z.string().optional(),
});

export const alarmRule = z
  .discriminatedUnion('type', [limitRule, stateRule, rateRule, deviationRule, commLossRule, expressionRule])
  .transform(lift('message', 'description'));

const ANNUNCIATION = { sound: ['critical' as const, 'high' as const], repeat: 10_000 };
/** A device marked `critical: true` has a critical comm-loss alarm after this long by default. */
export const CRITICAL_COMM_LOSS = { after: 30_000 };
const annunciation = z.strictObject({
  sound: z.array(z.enum(PRIORITIES)).default(ANNUNCIATION.sound),
  repeat: duration.refine((ms) => ms >= 1000, 'at least 1s').default(ANNUNCIATION.repeat),
});

export const alarmsFile = z.strictObject({
  settings: z
    .strictObject({
      /** Local time zone of `during` windows and of times in messages. */
      timezone: timeZone.optional(),
      /** ISA-18.2 guidance: an alarm activating 3 times within a minute is chattering. */
      chatter: z
        .strictObject({ count: z.number().int().min(2).default(3), window: duration.default(60_000) })
        .default({ count: 3, window: 60_000 }),
      /** Longest time an alarm may be shelved. */
      maxShelve: duration.default(8 * 3_600_000),
      /** The alarm journal (every transition, who and when): an SQLite file. */
      journal: z.string().min(1).default('data/alarms.db'),
      /** How often delays, comm-loss and shelving expiries are checked. */
      tick: duration.default(1000),
      /** The dashboard's sound: which priorities sound, repeated until acknowledged or silenced. */
      annunciation: annunciation.default(ANNUNCIATION),
      /**
       * The comm-loss alarm every device marked `critical: true` gets without a rule of its own
       * (src/alarms/rules.ts): raised after this long without a good reading.
       */
      criticalCommLoss: z
        .strictObject({ after: duration.default(CRITICAL_COMM_LOSS.after) })
        .default(CRITICAL_COMM_LOSS),
    })
    .default({
      chatter: { count: 3, window: 60_000 },
      maxShelve: 8 * 3_600_000,
      journal: 'data/alarms.db',
      tick: 1000,
      annunciation: ANNUNCIATION,
      criticalCommLoss: CRITICAL_COMM_LOSS,
    }),
  rules: z.array(alarmRule).default([]),
});

export type AlarmsFile = z.infer<typeof alarmsFile>;
export type AlarmRuleConfig = z.infer<typeof alarmRule>;
export type AlarmSettings = AlarmsFile['settings'];

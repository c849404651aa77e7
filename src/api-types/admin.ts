// The admin API (login on, role admin): dashboard users, and the configuration as the gateway
// runs it without secrets (src/web/admin.ts).
import { z } from 'zod';
import { priority } from './alarms.js';
import { role } from './auth.js';
import { type Answer, type Body, route } from './route.js';

/** A campus's id (site.yaml, gateway.site), e.g. "main" or "east". */
const siteId = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/);

/** The campuses a user works for: at least one; null (or absent) for every campus. */
const sites = z
  .array(siteId)
  .min(1)
  .nullable()
  .describe('The campuses (site ids) the user works for; null or absent: every campus');

/** What the API shows of a user: never the password hash. */
export const userView = z
  .object({
    username: z.string(),
    name: z.string(),
    role,
    sites: z
      .array(z.string())
      .optional()
      .describe('The campuses (site ids) the user works for; absent: every campus'),
    disabled: z.boolean(),
    created: z.iso.datetime(),
    updated: z.iso.datetime(),
  })
  .meta({ id: 'User', description: 'A dashboard user, without the password hash' });
export type UserView = z.infer<typeof userView>;

const password = z.string().min(10).max(1024);

export const usersRoute = route({
  method: 'get',
  path: '/api/users',
  summary: 'Every dashboard user',
  access: 'users',
  response: z.array(userView),
});

export const addUserRoute = route({
  method: 'post',
  path: '/api/users',
  summary: 'Add a user (409: the user name is taken)',
  access: 'users',
  status: 201,
  body: z.strictObject({
    username: z.string().min(1).max(64),
    name: z.string().max(100).optional(),
    role,
    password,
    sites: sites.optional(),
  }),
  response: userView,
});
export type NewUser = Body<typeof addUserRoute>;

export const setSitesRoute = route({
  method: 'post',
  path: '/api/users/:username/sites',
  summary: "Set the campuses a user works for (null: every campus); the user's sessions go on",
  access: 'users',
  body: z.strictObject({ sites }),
  response: userView,
});
export type SetSites = Body<typeof setSitesRoute>;

export const resetPasswordRoute = route({
  method: 'post',
  path: '/api/users/:username/password',
  summary: "Reset a user's password; the user is signed out everywhere",
  access: 'users',
  body: z.strictObject({ password }),
  response: userView,
});

export const disableUserRoute = route({
  method: 'post',
  path: '/api/users/:username/disable',
  summary: 'Disable a user and end their sessions (409: not oneself)',
  access: 'users',
  response: userView,
});

export const enableUserRoute = route({
  method: 'post',
  path: '/api/users/:username/enable',
  summary: 'Enable a disabled user',
  access: 'users',
  response: userView,
});

const nullableString = z.string().nullable();
const set = z.enum(['set', 'none']);
const onDuty = z.array(z.object({ id: z.string(), name: z.string(), nameZh: z.string().optional() }));

/** Who is on duty now (src/notify/roster.ts DutySummary). */
export const dutySummary = z
  .object({
    shift: z.enum(['day', 'night', 'holiday']),
    period: z.enum(['day', 'night']),
    dutyDate: z.string(),
    weekday: z.string(),
    timezone: z.string(),
    teams: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        nameZh: z.string().optional(),
        equipment: z.array(z.string()).readonly(),
        onDuty,
      }),
    ),
    levels: z.array(z.object({ level: z.string(), onDuty })),
  })
  .meta({ id: 'DutySummary', description: 'Who is on duty now' });

const broker = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('embedded'),
    host: z.string(),
    port: z.number(),
    allowAnonymousRead: z.boolean(),
    users: z.array(
      z.object({ username: z.string(), publish: z.array(z.string()), subscribe: z.array(z.string()) }),
    ),
  }),
  z.object({ mode: z.literal('external'), url: z.string(), username: nullableString, password: set }),
]);

const gateway = z.object({
  name: z.string(),
  site: nullableString,
  web: z.object({ host: z.string(), port: z.number(), metricsPublic: z.boolean() }),
  /** null: no mqtt: section, MQTT is off. */
  mqtt: z.object({ broker, republish: z.unknown() }).nullable(),
  storage: z.object({
    backend: z.enum(['sqlite', 'influxdb']),
    sqlite: z.object({ path: z.string(), rawRetention: z.string(), rollup1mRetention: z.string() }),
    influxdb: z
      .object({
        host: z.string(),
        port: z.number(),
        database: z.string(),
        username: nullableString,
        password: set,
        protocol: z.string(),
        verifyTls: z.boolean().nullable(),
        ca: z.string(),
        rawRetention: z.string(),
      })
      .nullable(),
  }),
  auth: z.object({
    enabled: z.boolean(),
    users: z.string().optional(),
    sessionIdle: z.string().optional(),
    sessionMax: z.string().optional(),
    secureCookies: z.unknown().optional(),
    bootstrapAdmin: nullableString.optional(),
    demoAccounts: z.boolean().optional(),
  }),
});

const named = { id: z.string(), name: z.string(), nameZh: z.string().optional() };

/** The configuration as an admin reviews it, every secret left out. */
export const configSummary = z
  .object({
    gateway,
    sites: z.array(
      z.object({
        ...named,
        buildings: z.array(z.object({ ...named, rooms: z.array(z.object({ ...named, kind: z.string() })) })),
      }),
    ),
    lines: z.array(
      z.object({
        id: z.string(),
        name: nullableString,
        nameZh: z.string().optional(),
        transport: z.string(),
        address: z.string(),
        timeout: z.string(),
        retries: z.number(),
      }),
    ),
    profiles: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        nameZh: z.string().optional(),
        equipment: z.string(),
        protocol: z.string(),
        maker: nullableString,
        model: nullableString,
        points: z.number().int(),
      }),
    ),
    devices: z.array(
      z.object({
        ...named,
        profile: z.string(),
        site: z.string(),
        building: z.string(),
        room: z.string(),
        critical: z.boolean(),
        enabled: z.boolean(),
        connection: z.discriminatedUnion('protocol', [
          z.object({ protocol: z.literal('modbus'), line: z.string(), unitId: z.number() }),
          z.object({ protocol: z.literal('mqtt'), topic: z.string() }),
          z.object({
            protocol: z.literal('bacnet'),
            port: z.string(),
            instance: z.number(),
            address: nullableString,
            network: z.number().nullable(),
            mac: nullableString,
          }),
        ]),
      }),
    ),
    alarms: z.object({
      timezone: nullableString,
      maxShelve: z.string(),
      rules: z.array(
        z.object({
          id: z.string(),
          type: z.string(),
          priority,
          enabled: z.boolean(),
          applies: z.string(),
          appliesZh: z.string(),
          where: z.record(z.string(), z.unknown()).nullable(),
          condition: z.string(),
          conditionZh: z.string(),
        }),
      ),
    }),
    notify: z.object({
      timezone: z.string(),
      channels: z.object({
        email: z
          .object({
            host: z.string(),
            port: z.number(),
            secure: z.boolean(),
            from: z.string(),
            login: set,
          })
          .nullable(),
        webhooks: z.array(
          z.object({ id: z.string(), format: z.string(), url: z.string(), headers: z.array(z.string()) }),
        ),
        mqtt: z.object({ topic: z.string() }).nullable(),
      }),
      people: z.number().int(),
      routing: z.record(
        z.string(),
        z.object({
          channels: z.array(z.string()),
          escalate: z.array(z.object({ after: z.string(), to: z.string() })),
          digest: nullableString,
        }),
      ),
    }),
    duty: dutySummary.nullable(),
  })
  .meta({ id: 'ConfigSummary', description: 'The configuration as the gateway runs it, without secrets' });
export type ConfigSummaryJson = z.infer<typeof configSummary>;

export const configSummaryRoute = route({
  method: 'get',
  path: '/api/config/summary',
  summary: 'The configuration as the gateway runs it, read-only and without secrets',
  access: 'config',
  response: configSummary,
});
export type ConfigSummaryAnswer = Answer<typeof configSummaryRoute>;

export const adminRoutes = [
  usersRoute,
  addUserRoute,
  setSitesRoute,
  resetPasswordRoute,
  disableUserRoute,
  enableUserRoute,
  configSummaryRoute,
];

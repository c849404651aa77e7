/**
 * The admin API (served only with login on, every route for the admin role): dashboard users
 * (list, add, set their campuses, reset a password, disable, enable) and the configuration as
 * an admin reviews it, with every secret left out (passwords, credentials in URLs, webhook URLs
 * beyond their origin, header values). Each change is logged with who did what to whom, never
 * a password. An admin scoped to campuses manages only users within them.
 */
import { type Request, type RequestHandler, type Response, Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ConfigSummaryJson, UserView } from '../api-types/admin.js';
import {
  type AuthUser,
  MIN_PASSWORD_LENGTH,
  ROLES,
  SITE_ID,
  type User,
  UserError,
  type UserStore,
} from '../auth/index.js';
import { MAX_PASSWORD_LENGTH } from '../auth/passwords.js';
import type { AlarmRuleConfig } from '../config/alarms-schema.js';
import { bacnetPortOf } from '../config/bacnet-schema.js';
import type { PlantConfig } from '../config/index.js';
import type { DeviceConfig, MqttSettings } from '../config/schema.js';
import type { DutySummary } from '../notify/roster.js';

export interface AdminRouterOptions {
  users: UserStore;
  /** auth.requireRole('admin'): put in front of every route here, one by one. */
  requireAdmin: RequestHandler;
  log: Logger;
  /** The configuration as an admin reviews it (summarizeConfig, typed by the shared schema); without it 404. */
  configSummary?: () => unknown;
}

const password = z
  .string({ error: 'the new password (required)' })
  .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `at most ${MAX_PASSWORD_LENGTH} characters`);

/** The campuses a user works for: null (or, when adding, absent) for every campus. */
const sites = z
  .array(
    z
      .string({ error: 'site ids (strings)' })
      .trim()
      .regex(SITE_ID, 'a site id: lower-case letters, digits, "-" or "_" (e.g. "main", "east")'),
    { error: 'a list of site ids, or null for every campus' },
  )
  .min(1, 'at least one campus: an empty list would admit the user nowhere (null: every campus)')
  .nullable();

const newUserBody = z.strictObject({
  username: z
    .string({ error: 'the user name (required)' })
    .trim()
    .min(1, 'the user name (required)')
    .max(64, 'at most 64 characters'),
  name: z.string().trim().max(100, 'at most 100 characters').optional(),
  role: z.enum(ROLES, { error: `one of ${ROLES.join(', ')} (required)` }),
  password,
  sites: sites.optional(),
});

const passwordBody = z.strictObject({ password });
const sitesBody = z.strictObject({ sites });

/**
 * Whether `admin` may give or manage the campuses `sites`: an admin of every campus any; an
 * admin scoped to some campuses only users within them (never one of every campus, which would
 * reach beyond their own).
 */
const administers = (admin: AuthUser | undefined, sites: readonly string[] | null | undefined): boolean =>
  admin !== undefined &&
  (admin.sites === undefined || (sites?.every((site) => admin.sites?.includes(site)) ?? false));

/** What the API shows of a user: never the hash. */
function userView(user: User): UserView {
  return {
    username: user.username,
    name: user.name,
    role: user.role,
    ...(user.sites ? { sites: user.sites } : {}),
    disabled: user.disabled,
    created: new Date(user.createdAt).toISOString(),
    updated: new Date(user.updatedAt).toISOString(),
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.join('.');
  const message = issue.message.replace(/^Invalid input: /, '');
  return key ? `${key}: ${message}` : message;
}

/** The body as the schema wants it, or undefined after answering 400 with each key's problem. */
function parseBody<S extends z.ZodType>(schema: S, req: Request, res: Response): z.infer<S> | undefined {
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  res.status(400).json({ error: parsed.error.issues.map(describeIssue).join('; ') });
  return undefined;
}

export function adminRouter(options: AdminRouterOptions): Router {
  const { users, requireAdmin } = options;
  const log = options.log.child({ component: 'admin' });
  const router = Router();
  /** The signed-in admin (requireAdmin set it). */
  const actor = (req: Request) => req.user?.username ?? '(unknown)';
  const audit = (req: Request, action: string, target: string, extra: Record<string, unknown> = {}) =>
    log.info(
      { actor: actor(req), action, target, ip: req.ip, ...extra },
      `${actor(req)}: ${action} ${target}`,
    );
  /** True after answering 403 when the signed-in admin does not administer every one of `sites`. */
  const beyondCampuses = (req: Request, res: Response, sites: readonly string[] | null | undefined) => {
    if (administers(req.user, sites)) return false;
    log.warn(
      { actor: actor(req), ip: req.ip, path: req.originalUrl, sites: req.user?.sites },
      'access denied: beyond the campuses the admin administers',
    );
    res.status(403).json({
      error: `sites: you administer ${req.user?.sites?.join(', ') ?? 'no campus'} only`,
      why: 'not your campus',
    });
    return true;
  };
  /** The named user, or undefined after answering 404 (or 403: a user beyond the admin's campuses). */
  const found = (req: Request<{ username: string }>, res: Response) => {
    const user = users.get(req.params.username);
    if (!user) res.status(404).json({ error: `no user "${req.params.username}"` });
    else if (beyondCampuses(req, res, user.sites)) return undefined;
    return user;
  };

  router.get('/users', requireAdmin, (_req, res) => {
    res.json(users.list().map(userView));
  });

  router.post('/users', requireAdmin, async (req, res) => {
    const body = parseBody(newUserBody, req, res);
    if (!body) return;
    if (beyondCampuses(req, res, body.sites)) return;
    if (users.get(body.username)) {
      res.status(409).json({ error: `username: user "${body.username.toLowerCase()}" already exists` });
      return;
    }
    try {
      const user = await users.add(body);
      audit(req, 'user added', user.username, {
        role: user.role,
        ...(user.sites ? { sites: user.sites } : {}),
      });
      res.status(201).json(userView(user));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      // Taken while the password was being hashed, or a user name the store refuses.
      if (users.get(body.username)) res.status(409).json({ error: `username: ${err.message}` });
      else res.status(400).json({ error: `username: ${err.message}` });
    }
  });

  router.post('/users/:username/sites', requireAdmin, (req: Request<{ username: string }>, res) => {
    const user = found(req, res);
    if (!user) return;
    const body = parseBody(sitesBody, req, res);
    if (!body) return;
    if (beyondCampuses(req, res, body.sites)) return;
    if (user.username === req.user?.username) {
      res.status(409).json({ error: 'you cannot change your own campuses: ask another admin' });
      return;
    }
    try {
      const changed = users.setSites(user.username, body.sites);
      audit(req, 'campuses set', changed.username, { sites: changed.sites ?? 'every campus' });
      res.json(userView(changed));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      res.status(400).json({ error: `sites: ${err.message}` });
    }
  });

  router.post('/users/:username/password', requireAdmin, async (req: Request<{ username: string }>, res) => {
    const user = found(req, res);
    if (!user) return;
    const body = parseBody(passwordBody, req, res);
    if (!body) return;
    await users.setPassword(user.username, body.password);
    audit(req, 'password reset (sessions ended)', user.username);
    res.json(userView(users.get(user.username) ?? user));
  });

  for (const action of ['disable', 'enable'] as const) {
    router.post(`/users/:username/${action}`, requireAdmin, (req: Request<{ username: string }>, res) => {
      const user = found(req, res);
      if (!user) return;
      if (action === 'disable' && user.username === req.user?.username) {
        res.status(409).json({ error: 'you cannot disable yourself: ask another admin' });
        return;
      }
      users[action](user.username);
      audit(req, action === 'disable' ? 'user disabled (sessions ended)' : 'user enabled', user.username);
      res.json(userView(users.get(user.username) ?? user));
    });
  }

  router.get('/config/summary', requireAdmin, (_req, res) => {
    if (!options.configSummary) {
      res.status(404).json({ error: 'no configuration summary on this gateway' });
      return;
    }
    res.json(options.configSummary());
  });

  return router;
}

// ---------------------------------------------------------------- the configuration summary

/** "90d", "12h", "5m", "30s", "500ms": durations as a config file writes them. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/**
 * A URL with only what identifies the server: scheme, host and port. User info, path, query
 * and fragment can all carry secrets (mqtt://user:pass@…, a chat robot's ?key=… or /hook/<token>).
 */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const hidden = Boolean(url.username || url.password || url.search || url.hash || url.pathname.length > 1);
    return `${url.protocol}//${url.host}${hidden ? '/…' : ''}`;
  } catch {
    return '(not a URL)';
  }
}

/** A rule's condition in words, as an admin checks it against the plant. */
export function conditionText(rule: AlarmRuleConfig): string {
  const delays = [
    rule.onDelay ? `for ${formatDuration(rule.onDelay)}` : '',
    rule.offDelay ? `returns after ${formatDuration(rule.offDelay)}` : '',
    rule.during ? `only ${rule.during.from}–${rule.during.to}` : '',
  ].filter(Boolean);
  const tail = delays.length ? ` (${delays.join(', ')})` : '';
  switch (rule.type) {
    case 'high':
    case 'high-high':
    case 'low':
    case 'low-low': {
      const op = rule.type.startsWith('high') ? '>' : '<';
      const own = rule.limitFor ? `; own limit for ${Object.keys(rule.limitFor).join(', ')}` : '';
      const band = rule.deadband ? `, deadband ${rule.deadband}` : '';
      return `${rule.point} ${op} ${rule.limit}${band}${own}${tail}`;
    }
    case 'state':
      if (rule.bit !== undefined) return `bit ${rule.bit} of ${rule.point} set${tail}`;
      return rule.equals !== undefined
        ? `${rule.point} = ${rule.equals}${tail}`
        : `${rule.point} ≠ ${rule.notEquals}${tail}`;
    case 'rate':
      return `${rule.point} ${rule.direction === 'either' ? 'changes' : `${rule.direction}s`} faster than ${rule.limit}/min over ${formatDuration(rule.window)}${tail}`;
    case 'deviation': {
      const diff =
        rule.direction === 'above'
          ? `${rule.point} − ${rule.reference}`
          : rule.direction === 'below'
            ? `${rule.reference} − ${rule.point}`
            : `|${rule.point} − ${rule.reference}|`;
      return `${diff} > ${rule.limit}${tail}`;
    }
    case 'comm-loss':
      return `no good reading for ${formatDuration(rule.after)}${tail}`;
    case 'expression': {
      const inputs = Object.entries(rule.inputs).map(([name, point]) => `${name} = ${point}`);
      return `${rule.when} where ${inputs.join(', ')}${tail}`;
    }
  }
}

/** The same in Chinese. */
export function conditionTextZh(rule: AlarmRuleConfig): string {
  const delays = [
    rule.onDelay ? `持续 ${durationZh(rule.onDelay)}` : '',
    rule.offDelay ? `延时 ${durationZh(rule.offDelay)} 恢复` : '',
    rule.during ? `仅 ${rule.during.from}–${rule.during.to}` : '',
  ].filter(Boolean);
  const tail = delays.length ? `（${delays.join('，')}）` : '';
  const yesNo = (v: boolean | number | undefined) => (v === true ? '是' : v === false ? '否' : String(v));
  switch (rule.type) {
    case 'high':
    case 'high-high':
    case 'low':
    case 'low-low': {
      const op = rule.type.startsWith('high') ? '>' : '<';
      const own = rule.limitFor ? `；${Object.keys(rule.limitFor).join('、')} 另有限值` : '';
      const band = rule.deadband ? `，回差 ${rule.deadband}` : '';
      return `${rule.point} ${op} ${rule.limit}${band}${own}${tail}`;
    }
    case 'state':
      if (rule.bit !== undefined) return `${rule.point} 第 ${rule.bit} 位置位${tail}`;
      return rule.equals !== undefined
        ? `${rule.point} = ${yesNo(rule.equals)}${tail}`
        : `${rule.point} ≠ ${yesNo(rule.notEquals)}${tail}`;
    case 'rate': {
      const moves = { either: '变化', rise: '上升', fall: '下降' }[rule.direction];
      return `${rule.point} 在 ${durationZh(rule.window)} 内${moves}速率超过 ${rule.limit}/分钟${tail}`;
    }
    case 'deviation': {
      const diff =
        rule.direction === 'above'
          ? `${rule.point} − ${rule.reference}`
          : rule.direction === 'below'
            ? `${rule.reference} − ${rule.point}`
            : `|${rule.point} − ${rule.reference}|`;
      return `${diff} > ${rule.limit}${tail}`;
    }
    case 'comm-loss':
      return `${durationZh(rule.after)}无有效读数${tail}`;
    case 'expression': {
      const inputs = Object.entries(rule.inputs).map(([name, point]) => `${name} = ${point}`);
      return `${rule.when}，其中 ${inputs.join('，')}${tail}`;
    }
  }
}

/** Which devices a rule applies to, in English and in Chinese. */
function appliesTo(rule: AlarmRuleConfig): { applies: string; appliesZh: string } {
  if (rule.device) return { applies: `device ${rule.device}`, appliesZh: `设备 ${rule.device}` };
  if (rule.devices)
    return { applies: `devices ${rule.devices.join(', ')}`, appliesZh: `设备 ${rule.devices.join('、')}` };
  if (rule.profile)
    return { applies: `profile ${rule.profile}`, appliesZh: `模板 ${rule.profile} 的全部设备` };
  return { applies: 'every device', appliesZh: '全部设备' };
}

function durationZh(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, ' 天'],
    [3_600_000, ' 小时'],
    [60_000, ' 分钟'],
    [1000, ' 秒'],
  ];
  const [size, unit] = units.find(([size]) => ms % size === 0 && ms >= size) ?? [1, ' 毫秒'];
  return `${ms / size}${unit}`;
}

/** The Chinese name beside a configured name, when there is one. */
const zhOf = (named: { nameZh?: string }) => (named.nameZh ? { nameZh: named.nameZh } : {});

/** The mqtt: section without passwords: the users' names and filters, the external login's name. */
function mqttSummary({ broker, republish }: MqttSettings): NonNullable<ConfigSummaryJson['gateway']['mqtt']> {
  return {
    broker:
      broker.mode === 'embedded'
        ? {
            mode: broker.mode,
            host: broker.host,
            port: broker.port,
            allowAnonymousRead: broker.allowAnonymousRead,
            users: broker.users.map((u) => ({
              username: u.username,
              publish: u.publish,
              subscribe: u.subscribe,
            })),
          }
        : {
            mode: broker.mode,
            url: redactUrl(broker.url),
            username: broker.username ?? null,
            password: broker.password ? 'set' : 'none',
          },
    republish,
  };
}

/**
 * The configuration as an admin reviews it: the plant (sites, lines, profiles, devices), the
 * alarm rules, the gateway's settings and the notification setup, and who is on duty now. Built
 * from a whitelist of fields, so a secret added to the config later stays out by default.
 */
/** How the gateway reaches a device, as the summary shows it. */
function connectionOf(
  device: DeviceConfig,
  config: PlantConfig,
): ConfigSummaryJson['devices'][number]['connection'] {
  if ('modbus' in device)
    return { protocol: 'modbus', line: device.modbus.line, unitId: device.modbus.unitId };
  if ('mqtt' in device) return { protocol: 'mqtt', topic: device.mqtt.topic };
  const { instance, address, network, mac } = device.bacnet;
  return {
    protocol: 'bacnet',
    port: bacnetPortOf(device, config.gateway.bacnet) ?? '',
    instance,
    address: address ?? null,
    network: network ?? null,
    mac: mac ?? null,
  };
}

export function summarizeConfig(config: PlantConfig, duty?: DutySummary): ConfigSummaryJson {
  const { gateway, notify } = config;
  const influx = gateway.storage.influxdb;
  const email = notify.channels.email;
  return {
    gateway: {
      name: gateway.gateway.name,
      site: gateway.gateway.site ?? null,
      web: { host: gateway.web.host, port: gateway.web.port, metricsPublic: gateway.web.metricsPublic },
      mqtt: gateway.mqtt ? mqttSummary(gateway.mqtt) : null,
      storage: {
        backend: gateway.storage.backend,
        sqlite: {
          path: gateway.storage.sqlite.path,
          rawRetention: formatDuration(gateway.storage.sqlite.rawRetention),
          rollup1mRetention: formatDuration(gateway.storage.sqlite.rollup1mRetention),
        },
        influxdb: influx
          ? {
              host: influx.host,
              port: influx.port,
              database: influx.database,
              username: influx.username ?? null,
              password: influx.password ? 'set' : 'none',
              protocol: influx.protocol,
              verifyTls: influx.protocol === 'https' ? influx.verifyTls : null,
              ca: influx.ca ? 'set' : 'system CAs',
              rawRetention: influx.rawRetention,
            }
          : null,
      },
      auth: gateway.auth
        ? {
            enabled: gateway.auth.enabled,
            users: gateway.auth.users,
            sessionIdle: formatDuration(gateway.auth.sessionIdle),
            sessionMax: formatDuration(gateway.auth.sessionMax),
            secureCookies: gateway.auth.secureCookies,
            bootstrapAdmin: gateway.auth.bootstrapAdmin?.username ?? null,
            demoAccounts: gateway.auth.demoAccounts,
          }
        : { enabled: false },
    },
    sites: config.sites.map((s) => ({
      id: s.id,
      name: s.name,
      ...zhOf(s),
      buildings: s.buildings.map((b) => ({
        id: b.id,
        name: b.name,
        ...zhOf(b),
        rooms: b.rooms.map((r) => ({ id: r.id, name: r.name, ...zhOf(r), kind: r.kind })),
      })),
    })),
    lines: config.lines.map((l) => ({
      id: l.id,
      name: l.name ?? null,
      ...zhOf(l),
      transport: l.transport,
      address:
        l.transport === 'rtu'
          ? `${l.path} ${l.baudRate} ${l.dataBits}${l.parity[0]?.toUpperCase()}${l.stopBits}`
          : `${l.host}:${l.port}`,
      timeout: formatDuration(l.timeout),
      retries: l.retries,
    })),
    profiles: [...config.profiles.values()].map((p) => ({
      id: p.id,
      name: p.name,
      ...zhOf(p),
      equipment: p.equipment,
      protocol: p.protocol,
      maker: p.maker ?? null,
      model: p.model ?? null,
      points: p.points.length,
    })),
    devices: config.devices.map((d) => ({
      id: d.id,
      name: d.name,
      ...zhOf(d),
      profile: d.profile,
      site: d.site,
      building: d.building,
      room: d.room,
      critical: d.critical,
      enabled: d.enabled,
      connection: connectionOf(d, config),
    })),
    alarms: {
      timezone: config.alarms.settings.timezone ?? null,
      maxShelve: formatDuration(config.alarms.settings.maxShelve),
      rules: config.alarms.rules.map((r) => ({
        id: r.id,
        type: r.type,
        priority: r.priority,
        enabled: r.enabled,
        ...appliesTo(r),
        where: r.where ?? null,
        condition: conditionText(r),
        conditionZh: conditionTextZh(r),
      })),
    },
    notify: {
      timezone: notify.timezone,
      channels: {
        email: email
          ? {
              host: email.host,
              port: email.port,
              secure: email.secure,
              from: email.from,
              login: email.auth ? 'set' : 'none',
            }
          : null,
        webhooks: notify.channels.webhooks.map((w) => ({
          id: w.id,
          format: w.format,
          url: redactUrl(w.url),
          headers: Object.keys(w.headers ?? {}),
        })),
        mqtt: notify.channels.mqtt ? { topic: notify.channels.mqtt.topic } : null,
      },
      people: notify.people.length,
      routing: Object.fromEntries(
        Object.entries(notify.routing).map(([priority, r]) => [
          priority,
          {
            channels: r.channels,
            escalate: r.escalate.map((s) => ({ after: formatDuration(s.after), to: s.to })),
            digest: r.digest ? formatDuration(r.digest) : null,
          },
        ]),
      ),
    },
    duty: duty ?? null,
  };
}

export type ConfigSummary = ConfigSummaryJson;

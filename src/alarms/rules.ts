/**
 * From rules in config/alarms.yaml to alarms: each rule is applied to the devices it names
 * (one device, a list, or every device of a profile, filtered by place), its points resolved
 * against the device's profile, its expression compiled. Every problem names the rule and the
 * key, so the gateway refuses to start with a clear error instead of watching nothing.
 */

import { minutesOf } from '../clock/index.js';
import { type AlarmRuleConfig, alarmRule, CRITICAL_COMM_LOSS } from '../config/alarms-schema.js';
import type { PlantConfig } from '../config/index.js';
import type { DeviceConfig, Profile } from '../config/schema.js';
import { pointId } from '../points/index.js';
import {
  type Condition,
  commLossCondition,
  deviationCondition,
  expressionCondition,
  limitCondition,
  rateCondition,
  stateCondition,
} from './conditions.js';
import { compileExpression, ExpressionError } from './expression.js';
import { alarmMessage, defaultMessage, defaultMessageZh, type MessageInput } from './messages.js';
import type { AlarmDefinition, AlarmPlace } from './types.js';

export interface CompiledAlarm {
  definition: AlarmDefinition;
  condition: Condition;
  onDelayMs: number;
  offDelayMs: number;
  /** Local minutes of the day between which the rule is evaluated (may wrap past midnight). */
  during?: { from: number; to: number };
  /** The alarm's message in a phase of its life (see messages.ts). */
  message(input: MessageInput): string;
  /** The same in Chinese. */
  messageZh(input: MessageInput): string;
}

export interface RuleProblem {
  /** Index of the rule in the file's `rules` list. */
  rule: number;
  /** Key inside the rule, e.g. ["point"]. */
  path: (string | number)[];
  message: string;
}

type PlantShape = Pick<PlantConfig, 'devices' | 'profiles' | 'sites'> &
  Partial<Pick<PlantConfig, 'derived' | 'alarms'>>;

/**
 * The rule behind the comm-loss alarm of a device marked critical that no rule of alarms.yaml
 * watches for comm-loss (config/README.md, devices): "critical-device-comm-loss@<device>".
 */
export const CRITICAL_COMM_LOSS_RULE = 'critical-device-comm-loss';

class RuleRejected extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

export function expandRules(
  plant: PlantShape,
  rules: readonly AlarmRuleConfig[],
  options: { timezone?: string } = {},
): { alarms: CompiledAlarm[]; problems: RuleProblem[] } {
  const alarms: CompiledAlarm[] = [];
  const problems: RuleProblem[] = [];
  const seenRules = new Map<string, number>();
  /** Devices a comm-loss rule of the file watches. */
  const watched = new Set<string>();
  const places = placeNames(plant);
  rules.forEach((rule, index) => {
    const first = seenRules.get(rule.id);
    if (first !== undefined) {
      problems.push({
        rule: index,
        path: ['id'],
        message: `duplicate rule id "${rule.id}" (first at rules[${first}])`,
      });
      return;
    }
    seenRules.set(rule.id, index);
    if (rule.id === CRITICAL_COMM_LOSS_RULE) {
      problems.push({
        rule: index,
        path: ['id'],
        message: `"${rule.id}" names the comm-loss alarm the gateway gives every critical device: choose another id`,
      });
      return;
    }
    if (!rule.enabled) return;
    try {
      const applied = applyRule(plant, rule, places, options.timezone);
      alarms.push(...applied);
      if (rule.type === 'comm-loss')
        for (const alarm of applied) if (alarm.definition.device) watched.add(alarm.definition.device);
    } catch (err) {
      if (!(err instanceof RuleRejected)) throw err;
      problems.push({ rule: index, path: err.path, message: `rule "${rule.id}": ${err.message}` });
    }
  });
  for (const rule of criticalCommLossRules(plant, watched))
    alarms.push(...applyRule(plant, rule, places, options.timezone));
  return { alarms, problems };
}

/**
 * A device marked critical has a critical comm-loss alarm without a rule of its own; one that a
 * comm-loss rule of alarms.yaml already watches keeps that rule's alarm only (its delay,
 * priority and message are the site's choice), so no loss of communication is announced twice.
 * An MQTT device is given at least its profile's staleAfter: it may publish that rarely.
 */
function criticalCommLossRules(plant: PlantShape, watched: ReadonlySet<string>): AlarmRuleConfig[] {
  const after = plant.alarms?.settings.criticalCommLoss.after ?? CRITICAL_COMM_LOSS.after;
  return plant.devices
    .filter((device) => device.critical && device.enabled && !watched.has(device.id))
    .map((device) => {
      const profile = plant.profiles.get(device.profile);
      return alarmRule.parse({
        id: CRITICAL_COMM_LOSS_RULE,
        device: device.id,
        type: 'comm-loss',
        after: profile?.protocol === 'mqtt' ? Math.max(after, profile.staleAfter) : after,
        priority: 'critical',
        message: {
          en: '{deviceName}: no data for {value} s ({room}) — a critical device: check it, its line and gateway',
          zh: '{deviceName}：{value} 秒无数据（{room}）——关键设备：请检查设备、通信线路和网关',
        },
      });
    });
}

interface Target {
  device?: DeviceConfig;
  profile?: Profile;
}

function applyRule(
  plant: PlantShape,
  rule: AlarmRuleConfig,
  places: PlaceNames,
  timezone: string | undefined,
): CompiledAlarm[] {
  const targets = targetsOf(plant, rule);
  return targets.map((target) => {
    const condition = conditionFor(plant, rule, target);
    const anchor = target.device ?? deviceOf(plant, condition.points[0] as string);
    const profile = target.profile ?? plant.profiles.get(anchor.profile);
    const place: AlarmPlace = {
      site: anchor.site,
      building: anchor.building,
      room: anchor.room,
      buildingName: places.building.get(`${anchor.site}/${anchor.building}`),
      roomName: places.room.get(`${anchor.site}/${anchor.building}/${anchor.room}`),
      ...zhOf('buildingNameZh', places.buildingZh.get(`${anchor.site}/${anchor.building}`)),
      ...zhOf('roomNameZh', places.roomZh.get(`${anchor.site}/${anchor.building}/${anchor.room}`)),
      ...(target.device
        ? {
            device: target.device.id,
            deviceName: target.device.name,
            ...zhOf('deviceNameZh', target.device.nameZh),
          }
        : {}),
      equipment: profile?.equipment ?? 'other',
    };
    const shownPoint = 'point' in rule ? rule.point : undefined;
    const pointInfo =
      profile?.points.find((p) => p.name === shownPoint) ??
      plant.derived?.find((p) => p.device === target.device?.id && p.name === shownPoint);
    const unit = rule.type === 'comm-loss' ? 's' : (pointInfo?.unit ?? '');
    const definition: AlarmDefinition = {
      ...place,
      id: target.device ? `${rule.id}@${target.device.id}` : rule.id,
      rule: rule.id,
      priority: rule.priority,
      points: [...condition.points],
      notifyOn: rule.notifyOn,
      condition: describeCondition(rule, pointInfo?.unit ?? '', target),
      conditionZh: describeConditionZh(rule, pointInfo?.unit ?? '', target, pointInfo?.labelZh),
      ...(unit ? { unit } : {}),
    };
    const fixed = {
      alarm: definition.id,
      rule: rule.id,
      priority: rule.priority,
      device: target.device?.id ?? '',
      deviceName: target.device?.name ?? anchor.name,
      site: place.site,
      building: place.buildingName ?? place.building,
      room: place.roomName ?? place.room,
      point: shownPoint ?? '',
      label: pointInfo?.label ?? shownPoint ?? rule.id,
      unit,
    };
    const message = alarmMessage({
      template: rule.message ?? defaultMessage(rule),
      fixed,
      who: target.device?.name ?? rule.id,
      condition: definition.condition,
      ...(shownPoint ? { label: fixed.label } : {}),
      commLoss: rule.type === 'comm-loss',
      ...(timezone ? { timezone } : {}),
    });
    // Chinese: the rule's Chinese words, else its only words, else the default in Chinese.
    const fixedZh = {
      ...fixed,
      deviceName: target.device?.nameZh ?? anchor.nameZh ?? fixed.deviceName,
      building: place.buildingNameZh ?? fixed.building,
      room: place.roomNameZh ?? fixed.room,
      label: pointInfo?.labelZh ?? fixed.label,
    };
    const messageZh = alarmMessage({
      template: rule.messageZh ?? rule.message ?? defaultMessageZh(rule),
      fixed: fixedZh,
      who: target.device?.nameZh ?? target.device?.name ?? rule.id,
      condition: definition.conditionZh ?? definition.condition,
      ...(shownPoint ? { label: fixedZh.label } : {}),
      commLoss: rule.type === 'comm-loss',
      ...(timezone ? { timezone } : {}),
      lang: 'zh',
    });
    return {
      definition,
      condition,
      onDelayMs: rule.onDelay ?? 0,
      offDelayMs: rule.offDelay ?? 0,
      ...(rule.during
        ? { during: { from: minutesOf(rule.during.from), to: minutesOf(rule.during.to) } }
        : {}),
      message,
      messageZh,
    };
  });
}

const zhOf = <K extends string>(key: K, text: string | undefined) =>
  (text === undefined ? {} : { [key]: text }) as Partial<Record<K, string>>;

function targetsOf(plant: PlantShape, rule: AlarmRuleConfig): Target[] {
  const given = [rule.device, rule.devices, rule.profile].filter((v) => v !== undefined).length;
  if (given > 1) throw new RuleRejected([], 'give one of device, devices or profile, not several');
  if (given === 0) {
    if (rule.type === 'expression') return [{}];
    throw new RuleRejected([], 'say which devices it applies to: device, devices or profile');
  }
  let devices: DeviceConfig[];
  if (rule.profile !== undefined) {
    if (!plant.profiles.has(rule.profile))
      throw new RuleRejected(['profile'], `unknown profile "${rule.profile}"`);
    devices = plant.devices.filter((d) => d.profile === rule.profile);
  } else {
    const ids = rule.devices ?? [rule.device as string];
    devices = ids.map((id, i) => {
      const device = plant.devices.find((d) => d.id === id);
      if (!device)
        throw new RuleRejected(rule.devices ? ['devices', i] : ['device'], `unknown device "${id}"`);
      return device;
    });
  }
  const where = rule.where;
  const matching = devices.filter(
    (d) =>
      (!where?.site || where.site.includes(d.site)) &&
      (!where?.building || where.building.includes(d.building)) &&
      (!where?.room || where.room.includes(d.room)) &&
      (where?.critical === undefined || (d.critical ?? false) === where.critical),
  );
  if (matching.length === 0)
    throw new RuleRejected(where ? ['where'] : [], 'matches no device: it would watch nothing');
  return matching
    .filter((d) => d.enabled)
    .map((device) => ({ device, profile: plant.profiles.get(device.profile) }));
}

/** A point of the target device by name, or any device's point as "<device>.<point>". */
function resolvePoint(plant: PlantShape, target: Target, ref: string, path: (string | number)[]): string {
  const dot = ref.indexOf('.');
  if (dot < 0) {
    if (!target.device) throw new RuleRejected(path, `"${ref}" needs its device: write "<device>.${ref}"`);
    return checkPoint(plant, target.device, target.profile, ref, path);
  }
  const device = plant.devices.find((d) => d.id === ref.slice(0, dot));
  if (!device) throw new RuleRejected(path, `unknown device "${ref.slice(0, dot)}" in "${ref}"`);
  return checkPoint(plant, device, plant.profiles.get(device.profile), ref.slice(dot + 1), path);
}

function checkPoint(
  plant: PlantShape,
  device: DeviceConfig,
  profile: Profile | undefined,
  name: string,
  path: (string | number)[],
) {
  // A device's points: its profile's, and those the gateway computes for it (leaks, maintenance).
  const names = [
    ...(profile?.points.map((p) => p.name) ?? []),
    ...(plant.derived?.filter((p) => p.device === device.id).map((p) => p.name) ?? []),
  ];
  if (!names.includes(name))
    throw new RuleRejected(
      path,
      `device "${device.id}" (profile "${device.profile}") has no point "${name}" (it has: ${names.join(', ')})`,
    );
  return pointId(device.id, name);
}

function deviceOf(plant: PlantShape, point: string): DeviceConfig {
  const device = plant.devices.find((d) => point.startsWith(`${d.id}.`));
  if (!device) throw new RuleRejected([], `no device for point "${point}"`);
  return device;
}

function conditionFor(plant: PlantShape, rule: AlarmRuleConfig, target: Target): Condition {
  switch (rule.type) {
    case 'high':
    case 'high-high':
    case 'low':
    case 'low-low':
      return limitCondition(
        resolvePoint(plant, target, rule.point, ['point']),
        rule.type,
        limitOf(rule, target),
        rule.deadband,
      );
    case 'state':
      return stateCondition(resolvePoint(plant, target, rule.point, ['point']), rule);
    case 'rate':
      return rateCondition(
        resolvePoint(plant, target, rule.point, ['point']),
        rule.limit,
        rule.window,
        rule.direction,
      );
    case 'deviation':
      return deviationCondition(
        resolvePoint(plant, target, rule.point, ['point']),
        resolvePoint(plant, target, rule.reference, ['reference']),
        rule.limit,
        rule.deadband,
        rule.direction,
      );
    case 'comm-loss': {
      const device = target.device as DeviceConfig;
      const points = target.profile?.points.map((p) => pointId(device.id, p.name)) ?? [];
      return commLossCondition(device.id, points, rule.after);
    }
    case 'expression':
      return compileExpressionRule(plant, rule, target);
  }
}

function limitOf(
  rule: Extract<AlarmRuleConfig, { type: 'high' | 'high-high' | 'low' | 'low-low' }>,
  target: Target,
) {
  const own = target.device ? rule.limitFor?.[target.device.id] : undefined;
  return own ?? rule.limit;
}

function compileExpressionRule(
  plant: PlantShape,
  rule: Extract<AlarmRuleConfig, { type: 'expression' }>,
  target: Target,
): Condition {
  const names = Object.keys(rule.inputs);
  if (names.length === 0) throw new RuleRejected(['inputs'], 'an expression needs at least one input');
  const inputs = Object.fromEntries(
    names.map((name) => [name, resolvePoint(plant, target, rule.inputs[name] as string, ['inputs', name])]),
  );
  let compiled: ReturnType<typeof compileExpression>;
  try {
    compiled = compileExpression(rule.when, names);
  } catch (err) {
    if (err instanceof ExpressionError) throw new RuleRejected(['when'], err.message);
    throw err;
  }
  const shown = rule.value ?? (names[0] as string);
  if (!names.includes(shown))
    throw new RuleRejected(['value'], `"${shown}" is not one of the inputs (${names.join(', ')})`);
  return expressionCondition(inputs, compiled, shown);
}

function describeCondition(rule: AlarmRuleConfig, unit: string, target: Target): string {
  const u = unit ? ` ${unit}` : '';
  const delays = [
    rule.onDelay ? `for ${formatDuration(rule.onDelay)}` : '',
    rule.offDelay ? `off-delay ${formatDuration(rule.offDelay)}` : '',
    rule.during ? `between ${rule.during.from} and ${rule.during.to}` : '',
  ].filter(Boolean);
  const tail = delays.length ? `, ${delays.join(', ')}` : '';
  switch (rule.type) {
    case 'high':
    case 'high-high':
      return `${rule.point} > ${limitOf(rule, target)}${u}${rule.deadband ? ` (deadband ${rule.deadband})` : ''}${tail}`;
    case 'low':
    case 'low-low':
      return `${rule.point} < ${limitOf(rule, target)}${u}${rule.deadband ? ` (deadband ${rule.deadband})` : ''}${tail}`;
    case 'state': {
      const test =
        rule.bit !== undefined
          ? `bit ${rule.bit} set`
          : rule.equals !== undefined
            ? `= ${rule.equals}`
            : `≠ ${rule.notEquals}`;
      return `${rule.point} ${test}${tail}`;
    }
    case 'rate':
      return `${rule.point} ${rule.direction === 'either' ? 'changes' : `${rule.direction}s`} faster than ${rule.limit}${u}/min${tail}`;
    case 'deviation':
      return `${rule.point} − ${rule.reference} ${rule.direction === 'either' ? 'beyond ±' : rule.direction === 'above' ? '> ' : '< −'}${rule.limit}${u}${tail}`;
    case 'comm-loss':
      return `no good reading for ${formatDuration(rule.after)}${tail}`;
    case 'expression':
      return `${rule.when}${tail}`;
  }
}

/** The condition in Chinese: the point's Chinese label where there is one, else its name. */
function describeConditionZh(rule: AlarmRuleConfig, unit: string, target: Target, labelZh?: string): string {
  const u = unit ? ` ${unit}` : '';
  const point = 'point' in rule ? (labelZh ?? rule.point) : '';
  const delays = [
    rule.onDelay ? `持续 ${formatDurationZh(rule.onDelay)}` : '',
    rule.offDelay ? `延时恢复 ${formatDurationZh(rule.offDelay)}` : '',
    rule.during ? `仅在 ${rule.during.from}–${rule.during.to} 之间` : '',
  ].filter(Boolean);
  const tail = delays.length ? `，${delays.join('，')}` : '';
  const deadband = 'deadband' in rule && rule.deadband ? `（回差 ${rule.deadband}）` : '';
  switch (rule.type) {
    case 'high':
    case 'high-high':
      return `${point} > ${limitOf(rule, target)}${u}${deadband}${tail}`;
    case 'low':
    case 'low-low':
      return `${point} < ${limitOf(rule, target)}${u}${deadband}${tail}`;
    case 'state': {
      const test =
        rule.bit !== undefined
          ? `第 ${rule.bit} 位置位`
          : rule.equals !== undefined
            ? `= ${stateZh(rule.equals)}`
            : `≠ ${stateZh(rule.notEquals)}`;
      return `${point} ${test}${tail}`;
    }
    case 'rate': {
      const moves = { either: '变化', rise: '上升', fall: '下降' }[rule.direction];
      return `${point}${moves}速率超过 ${rule.limit}${u}/分钟${tail}`;
    }
    case 'deviation':
      return `${point} − ${rule.reference} ${rule.direction === 'either' ? '超出 ±' : rule.direction === 'above' ? '> ' : '< −'}${rule.limit}${u}${tail}`;
    case 'comm-loss':
      return `${formatDurationZh(rule.after)}无有效读数${tail}`;
    case 'expression':
      return `${rule.when}${tail}`;
  }
}

const stateZh = (value: boolean | number | undefined) =>
  value === true ? '是' : value === false ? '否' : String(value);

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function formatDurationZh(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} 小时`;
  if (ms % 60_000 === 0) return `${ms / 60_000} 分钟`;
  if (ms % 1000 === 0) return `${ms / 1000} 秒`;
  return `${ms} 毫秒`;
}

interface PlaceNames {
  building: Map<string, string>;
  room: Map<string, string>;
  buildingZh: Map<string, string>;
  roomZh: Map<string, string>;
}

function placeNames(plant: PlantShape): PlaceNames {
  const names: PlaceNames = {
    building: new Map(),
    room: new Map(),
    buildingZh: new Map(),
    roomZh: new Map(),
  };
  for (const site of plant.sites)
    for (const building of site.buildings) {
      const key = `${site.id}/${building.id}`;
      names.building.set(key, building.name);
      if (building.nameZh) names.buildingZh.set(key, building.nameZh);
      for (const room of building.rooms) {
        names.room.set(`${key}/${room.id}`, room.name);
        if (room.nameZh) names.roomZh.set(`${key}/${room.id}`, room.nameZh);
      }
    }
  return names;
}

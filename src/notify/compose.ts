/**
 * The wording of every notification. Written for a phone in a chat group at 3 a.m.: the
 * subject says what and where, the text has one fact per short line, local times in the
 * plant's zone, and summaries put the most urgent first and stay short (WeCom cuts at 2 KB).
 */
import { type AlarmEvent, type AlarmEventKind, type Priority, priorityRank } from '../alarms/types.js';
import { hhmm, localClockOf } from '../clock/index.js';
import type { Language } from '../config/names.js';
import type { MessageKind, OutgoingMessage, Wording } from './types.js';

export interface ComposeContext {
  /** IANA zone for the times in the text (the roster's). */
  timezone: string;
  /** Epoch ms the message is composed at. */
  now: number;
  /** The dashboard's address (plantwatch.yaml web.publicUrl): each message links to its alarm there. */
  publicUrl?: string;
}

/** A span of time a summary or digest covers, epoch ms. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** Most lines a summary lists before "and N more". */
const SUMMARY_LINES = 12;

const localDateTime = (at: number, ctx: ComposeContext): string => {
  const clock = localClockOf(ctx.timezone)(at);
  return `${clock.date} ${hhmm(clock)}`;
};

/** "03:12–03:40", with the dates when the span crosses midnight. */
function localSpan(window: TimeWindow, ctx: ComposeContext): string {
  const clock = localClockOf(ctx.timezone);
  const from = clock(window.from);
  const to = clock(window.to);
  return from.date === to.date
    ? `${from.date} ${hhmm(from)}–${hhmm(to)}`
    : `${from.date} ${hhmm(from)} – ${to.date} ${hhmm(to)}`;
}

export function formatDuration(ms: number, lang: Language = 'en'): string {
  const [s, min, h] = lang === 'zh' ? [' 秒', ' 分钟', ' 小时'] : [' s', ' min', ' h'];
  if (ms < 60_000) return `${Math.round(ms / 1000)}${s}`;
  if (ms < 3_600_000 || ms % 3_600_000 !== 0) return `${Math.round(ms / 60_000)}${min}`;
  return `${ms / 3_600_000}${h}`;
}

/** The dashboard's page of one alarm (the shell opens and highlights it), or of the alarm list. */
export function alarmLink(publicUrl: string, alarmId?: string): string {
  // Encoded whole ("@" as %40): a mail client's link finder must not take the id for an address.
  return alarmId === undefined
    ? `${publicUrl}/#/alarms`
    : `${publicUrl}/#/alarms/${encodeURIComponent(alarmId)}`;
}

/** Every word the messages use, per language; the alarm's own words come from its rule. */
interface Words {
  priority: Record<Priority, string>;
  kind: Record<AlarmEventKind, string>;
  tag: (e: AlarmEvent, by: string) => Record<AlarmEventKind, string>;
  headline: (e: AlarmEvent, message: string, by: string) => Record<AlarmEventKind, string>;
  someone: string;
  by: (user: string) => string;
  where: (room: string, building: string) => string;
  sep: string;
  list: string;
  na: string;
  on: string;
  off: string;
  limit: (value: string, limit: string) => string;
  value: string;
  raised: (value: string, at: string) => string;
  returned: (value: string, at: string) => string;
  valueNow: string;
  device: string;
  room: string;
  building: string;
  time: string;
  priorityLabel: string;
  alarm: string;
  comment: string;
  open: string;
  openList: string;
  escalatedTag: (priority: string, minutes: number) => string;
  escalated: (level: string, minutes: number) => string;
  alarmLine: (priority: string, message: string) => string;
  chattering: (message: string) => string;
  chatterAdvice: string;
  count: (n: number, what: string) => string;
  also: (others: string) => string;
  more: (n: number) => string;
  alarms: (n: number) => string;
  events: (n: number) => string;
  floodOver: (alarms: string, span: string, counts: string) => string;
  flood: (alarms: string, span: string, counts: string) => string;
  floodLine: (alarms: string, span: string, zone: string, counts: string) => string;
  floodOverText: string;
  floodPaused: string;
  mostUrgent: string;
  newSince: string;
  nothingNew: string;
  digest: (events: string, span: string, counts: string) => string;
  digestLine: (events: string, span: string, zone: string, counts: string) => string;
  onDuty: string;
}

const EN: Words = {
  priority: { critical: 'critical', high: 'high', medium: 'medium', low: 'low' },
  kind: {
    activated: 'activated',
    acknowledged: 'acknowledged',
    returned: 'returned',
    cleared: 'cleared',
    shelved: 'shelved',
    unshelved: 'unshelved',
    'removed-from-service': 'removed-from-service',
    'returned-to-service': 'returned-to-service',
    chattering: 'chattering',
    'chatter-ended': 'chatter-ended',
  },
  tag: (e, by) => ({
    activated: e.priority.toUpperCase(),
    acknowledged: `ACK${by}`,
    returned: 'CLEARED',
    cleared: 'CLEARED',
    shelved: `SHELVED${by}`,
    unshelved: 'UNSHELVED',
    'removed-from-service': `OUT OF SERVICE${by}`,
    'returned-to-service': 'BACK IN SERVICE',
    chattering: 'CHATTERING',
    'chatter-ended': 'CHATTER ENDED',
  }),
  headline: (e, m, by) => ({
    activated: `${e.priority.toUpperCase()} alarm: ${m}`,
    acknowledged: `Acknowledged by ${by}: ${m}`,
    returned: `Back to normal, not yet acknowledged: ${m}`,
    cleared: `Cleared (was acknowledged): ${m}`,
    shelved: `Shelved by ${by}: ${m}`,
    unshelved: `Unshelved: ${m}`,
    'removed-from-service': `Taken out of service by ${by}: ${m}`,
    'returned-to-service': `Back in service: ${m}`,
    chattering: `Chattering: ${m}`,
    'chatter-ended': `No longer chattering: ${m}`,
  }),
  someone: 'someone',
  by: (user) => ` by ${user}`,
  where: (room, building) => `${room}, ${building}`,
  sep: ': ',
  list: ', ',
  na: 'n/a',
  on: 'on',
  off: 'off',
  limit: (value, limit) => `${value} (limit ${limit})`,
  value: 'Value: ',
  raised: (value, at) => `Raised: ${value} at ${at}`,
  returned: (value, at) => `Returned: ${value} at ${at}`,
  valueNow: 'Value now: ',
  device: 'Device: ',
  room: 'Room: ',
  building: 'Building: ',
  time: 'Time: ',
  priorityLabel: 'Priority: ',
  alarm: 'Alarm: ',
  comment: 'Comment: ',
  open: 'Open on the dashboard: ',
  openList: 'Alarms on the dashboard: ',
  escalatedTag: (priority, minutes) => `${priority}, not acknowledged for ${minutes} min`,
  escalated: (level, minutes) =>
    `Escalated to ${level}: nobody on duty has acknowledged this alarm for ${minutes} min.`,
  alarmLine: (priority, message) => `${priority} alarm: ${message}`,
  chattering: (message) => `Chattering: this alarm keeps activating and clearing (${message}).`,
  chatterAdvice:
    'Its repeats are not announced until it settles; a deadband or on-delay on the rule would fix it.',
  count: (n, what) => `${n} ${what}`,
  also: (others) => `also ${others}`,
  more: (n) => `… and ${n} more: see the dashboard.`,
  alarms: (n) => `${n} alarm${n === 1 ? '' : 's'}`,
  events: (n) => `${n} event${n === 1 ? '' : 's'}`,
  floodOver: (alarms, span, counts) => `[FLOOD OVER] ${alarms} in ${span} — ${counts}`,
  flood: (alarms, span, counts) => `[ALARM FLOOD] ${alarms} in ${span} — ${counts}`,
  floodLine: (alarms, span, zone, counts) => `${alarms} activated ${span} (${zone}): ${counts}.`,
  floodOverText: 'The flood is over; single alarm messages resume.',
  floodPaused: 'Single alarm messages are paused while the flood lasts; summaries follow.',
  mostUrgent: 'Most urgent first:',
  newSince: 'New since the last message, most urgent first:',
  nothingNew: 'Nothing new since the last summary.',
  digest: (events, span, counts) => `[DIGEST] ${events}, ${span} — ${counts}`,
  digestLine: (events, span, zone, counts) => `${events} ${span} (${zone}): ${counts}.`,
  onDuty: 'On duty: ',
};

const ZH: Words = {
  priority: { critical: '紧急', high: '高', medium: '中', low: '低' },
  kind: {
    activated: '报警',
    acknowledged: '已确认',
    returned: '已恢复',
    cleared: '已清除',
    shelved: '已搁置',
    unshelved: '取消搁置',
    'removed-from-service': '停用',
    'returned-to-service': '重新投用',
    chattering: '频繁报警',
    'chatter-ended': '频繁报警结束',
  },
  tag: (e, by) => ({
    activated: `${ZH.priority[e.priority]}级报警`,
    acknowledged: `已确认${by}`,
    returned: '已恢复',
    cleared: '已恢复',
    shelved: `已搁置${by}`,
    unshelved: '取消搁置',
    'removed-from-service': `停用${by}`,
    'returned-to-service': '重新投用',
    chattering: '频繁报警',
    'chatter-ended': '频繁报警结束',
  }),
  headline: (e, m, by) => ({
    activated: `${ZH.priority[e.priority]}级报警：${m}`,
    acknowledged: `${by} 已确认：${m}`,
    returned: `已恢复正常，尚未确认：${m}`,
    cleared: `已清除（此前已确认）：${m}`,
    shelved: `${by} 已搁置：${m}`,
    unshelved: `取消搁置：${m}`,
    'removed-from-service': `${by} 已停用：${m}`,
    'returned-to-service': `重新投用：${m}`,
    chattering: `频繁报警：${m}`,
    'chatter-ended': `不再频繁报警：${m}`,
  }),
  someone: '有人',
  by: (user) => `（${user}）`,
  where: (room, building) => `${building} ${room}`,
  sep: '：',
  list: '，',
  na: '无数据',
  on: '是',
  off: '否',
  limit: (value, limit) => `${value}（限值 ${limit}）`,
  value: '数值：',
  raised: (value, at) => `报警时：${value}，${at}`,
  returned: (value, at) => `恢复时：${value}，${at}`,
  valueNow: '当前值：',
  device: '设备：',
  room: '房间：',
  building: '楼宇：',
  time: '时间：',
  priorityLabel: '优先级：',
  alarm: '报警编号：',
  comment: '备注：',
  open: '在监控平台查看：',
  openList: '在监控平台查看报警：',
  escalatedTag: (priority, minutes) => `${priority}，${minutes} 分钟未确认`,
  escalated: (level, minutes) => `已升级至 ${level}：值班人员 ${minutes} 分钟未确认此报警。`,
  alarmLine: (priority, message) => `${priority}：${message}`,
  chattering: (message) => `频繁报警：此报警反复出现和消失（${message}）。`,
  chatterAdvice: '在其稳定之前不再逐条通知；为该规则设置回差或延时可以解决。',
  count: (n, what) => `${what} ${n} 条`,
  also: (others) => `另有 ${others}`,
  more: (n) => `……另有 ${n} 条，请在监控平台查看。`,
  alarms: (n) => `${n} 条报警`,
  events: (n) => `${n} 条事件`,
  floodOver: (alarms, span, counts) => `【报警泛滥结束】${span} 内 ${alarms}——${counts}`,
  flood: (alarms, span, counts) => `【报警泛滥】${span} 内 ${alarms}——${counts}`,
  floodLine: (alarms, span, zone, counts) => `${span}（${zone}）共 ${alarms}：${counts}。`,
  floodOverText: '报警泛滥已结束，恢复逐条通知。',
  floodPaused: '报警泛滥期间暂停逐条通知，随后发送汇总。',
  mostUrgent: '按紧急程度排列：',
  newSince: '上条消息之后新增，按紧急程度排列：',
  nothingNew: '自上次汇总以来没有新增。',
  digest: (events, span, counts) => `【汇总】${span} ${events}——${counts}`,
  digestLine: (events, span, zone, counts) => `${span}（${zone}）${events}：${counts}。`,
  onDuty: '值班：',
};

export const WORDS: Record<Language, Words> = { en: EN, zh: ZH };

/** The names and the message in one language: the Chinese variants, else the English ones. */
interface Said {
  w: Words;
  lang: Language;
  message: (e: AlarmEvent) => string;
  what: (e: AlarmEvent) => string;
  roomOf: (e: AlarmEvent) => string;
  buildingOf: (e: AlarmEvent) => string;
}

function said(lang: Language): Said {
  const zh = lang === 'zh';
  return {
    w: WORDS[lang],
    lang,
    message: (e) => (zh ? (e.messageZh ?? e.message) : e.message),
    what: (e) => (zh ? e.deviceNameZh : undefined) ?? e.deviceName ?? e.device ?? e.rule,
    roomOf: (e) => (zh ? e.roomNameZh : undefined) ?? e.roomName ?? e.room,
    buildingOf: (e) => (zh ? e.buildingNameZh : undefined) ?? e.buildingName ?? e.building,
  };
}

const where = (s: Said, e: AlarmEvent): string => s.w.where(s.roomOf(e), s.buildingOf(e));
const priorityTag = (s: Said, p: Priority): string =>
  s.lang === 'zh' ? `${ZH.priority[p]}级报警` : p.toUpperCase();

function formatValue(s: Said, value: AlarmEvent['value'], unit?: string): string {
  if (value === null) return s.w.na;
  if (typeof value === 'boolean') return value ? s.w.on : s.w.off;
  const number = String(Math.round(value * 100) / 100);
  return unit ? `${number} ${unit}` : number;
}

/** "11.4 °C (limit 9 °C)": the limit as configured, never rounded. */
const withLimit = (s: Said, value: AlarmEvent['value'], limit: number | null, unit?: string): string =>
  limit === null
    ? formatValue(s, value, unit)
    : s.w.limit(formatValue(s, value, unit), `${limit}${unit ? ` ${unit}` : ''}`);

/**
 * The readings an electrician and a reviewer check: an activation's value; after it, what
 * raised the alarm and, on its return, what it returned at (not only the reading after the fact).
 */
function readingLines(s: Said, e: AlarmEvent, ctx: ComposeContext): string[] {
  if (!e.raised || e.kind === 'activated') return [`${s.w.value}${withLimit(s, e.value, e.limit, e.unit)}`];
  const raised = s.w.raised(
    withLimit(s, e.raised.value, e.raised.limit, e.unit),
    localDateTime(e.raised.ts, ctx),
  );
  const back = e.kind === 'returned' || e.kind === 'cleared';
  const now = back
    ? s.w.returned(formatValue(s, e.value, e.unit), localDateTime(e.ts, ctx))
    : `${s.w.valueNow}${formatValue(s, e.value, e.unit)}`;
  return [raised, now];
}

/** The bracketed tag of a subject, per event kind. */
const tagOf = (s: Said, e: AlarmEvent): string => s.w.tag(e, e.user ? s.w.by(e.user) : '')[e.kind];

/** The first line of the text: what happened, in words. */
const headlineOf = (s: Said, e: AlarmEvent): string =>
  s.w.headline(e, s.message(e), e.user ?? s.w.someone)[e.kind];

/** The rule's message usually names the device already; the subject does not say it twice. */
function subjectOf(s: Said, tag: string, e: AlarmEvent): string {
  const text = s.message(e);
  const message = text.includes(s.what(e)) ? text : `${s.what(e)}${s.w.sep}${text}`;
  const bracketed = s.lang === 'zh' ? `【${tag}】` : `[${tag}] `;
  return message.includes(s.roomOf(e)) ? `${bracketed}${message}` : `${bracketed}${message} — ${where(s, e)}`;
}

/** The facts an electrician checks, one per line, and the link to the alarm on the dashboard. */
function detailLines(s: Said, e: AlarmEvent, ctx: ComposeContext): string[] {
  const name = s.what(e);
  const device = e.device ? `${name} (${e.device})` : e.deviceName ? name : '—';
  return [
    `${s.w.device}${device}`,
    `${s.w.room}${s.roomOf(e)}`,
    `${s.w.building}${s.buildingOf(e)} (${e.site})`,
    ...readingLines(s, e, ctx),
    `${s.w.time}${localDateTime(e.ts, ctx)} (${ctx.timezone})`,
    `${s.w.priorityLabel}${s.w.priority[e.priority]}`,
    `${s.w.alarm}${e.alarmId}`,
    ...(e.comment ? [`${s.w.comment}${e.comment}`] : []),
    ...(ctx.publicUrl ? [`${s.w.open}${alarmLink(ctx.publicUrl, e.alarmId)}`] : []),
  ];
}

/** The same message in both languages: `subject`/`text` in English, `zh` in Chinese. */
function bilingual(
  kind: MessageKind,
  events: AlarmEvent[],
  audience: string,
  ctx: ComposeContext,
  words: (s: Said) => Wording,
): OutgoingMessage {
  const en = words(said('en'));
  return {
    kind,
    priority: mostUrgent(events),
    subject: en.subject,
    text: en.text,
    zh: words(said('zh')),
    events,
    audience,
    ts: ctx.now,
  };
}

const wording = (subject: string, text: string[]): Wording => ({ subject, text: text.join('\n') });

export function mostUrgent(events: readonly AlarmEvent[]): Priority {
  return events.reduce<Priority>(
    (best, e) => (priorityRank(e.priority) < priorityRank(best) ? e.priority : best),
    'low',
  );
}

export function composeAlarmMessage(
  event: AlarmEvent,
  audience: string,
  ctx: ComposeContext,
): OutgoingMessage {
  return bilingual('alarm', [event], audience, ctx, (s) =>
    wording(subjectOf(s, tagOf(s, event), event), [headlineOf(s, event), ...detailLines(s, event, ctx)]),
  );
}

/** Sent to an escalation level while an alarm stays unacknowledged. */
export function composeEscalation(
  event: AlarmEvent,
  level: string,
  minutesUnacknowledged: number,
  ctx: ComposeContext,
): OutgoingMessage {
  return bilingual('escalation', [event], level, ctx, (s) =>
    wording(subjectOf(s, s.w.escalatedTag(priorityTag(s, event.priority), minutesUnacknowledged), event), [
      s.w.escalated(level, minutesUnacknowledged),
      s.w.alarmLine(priorityTag(s, event.priority), s.message(event)),
      ...detailLines(s, event, ctx),
    ]),
  );
}

/** Announced once when an alarm starts chattering; its repeats are not announced. */
export function composeChatter(event: AlarmEvent, audience: string, ctx: ComposeContext): OutgoingMessage {
  return bilingual('chatter', [event], audience, ctx, (s) =>
    wording(subjectOf(s, s.w.tag(event, '').chattering, event), [
      s.w.chattering(s.message(event)),
      s.w.chatterAdvice,
      ...detailLines(s, event, ctx),
    ]),
  );
}

/** "2 critical, 28 high": activations per priority, most urgent first. */
export function countByPriority(events: readonly AlarmEvent[], lang: Language = 'en'): string {
  const w = WORDS[lang];
  const counts = new Map<Priority, number>();
  for (const e of events) counts.set(e.priority, (counts.get(e.priority) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => priorityRank(a) - priorityRank(b))
    .map(([p, n]) => w.count(n, w.priority[p]))
    .join(w.list);
}

/** Most urgent first, then oldest first. */
const byUrgency = (a: AlarmEvent, b: AlarmEvent): number =>
  priorityRank(a.priority) - priorityRank(b.priority) || a.ts - b.ts;

function summaryLine(s: Said, e: AlarmEvent, ctx: ComposeContext): string {
  const clock = hhmm(localClockOf(ctx.timezone)(e.ts));
  const tag = tagOf(s, e);
  return s.lang === 'zh'
    ? `${clock} 【${tag}】${s.what(e)}：${s.message(e)}（${where(s, e)}）`
    : `${clock} ${tag} ${s.what(e)}: ${s.message(e)} (${where(s, e)})`;
}

function summaryLines(s: Said, events: readonly AlarmEvent[], ctx: ComposeContext): string[] {
  const sorted = [...events].sort(byUrgency);
  const shown = sorted.slice(0, SUMMARY_LINES).map((e) => summaryLine(s, e, ctx));
  const more = sorted.length - shown.length;
  const link = ctx.publicUrl ? [`${s.w.openList}${alarmLink(ctx.publicUrl)}`] : [];
  return [...(more > 0 ? [...shown, s.w.more(more)] : shown), ...link];
}

/** "5 cleared, 1 acknowledged": the events of a summary that are not activations. */
function otherKinds(s: Said, events: readonly AlarmEvent[]): string {
  const counts = new Map<AlarmEventKind, number>();
  for (const e of events) if (e.kind !== 'activated') counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => s.w.count(n, s.w.kind[kind])).join(s.w.list);
}

function batchHeader(s: Said, events: readonly AlarmEvent[]): { activations: AlarmEvent[]; counts: string } {
  const activations = events.filter((e) => e.kind === 'activated');
  const others = otherKinds(s, events);
  const counts = [
    activations.length > 0 ? countByPriority(activations, s.lang) : '',
    others ? s.w.also(others) : '',
  ]
    .filter(Boolean)
    .join(s.lang === 'zh' ? '；' : '; ');
  return { activations, counts };
}

export interface FloodWindow extends TimeWindow {
  /** The last summary of a flood: individual messages resume. */
  over: boolean;
}

/**
 * One summary of an alarm flood for one team: every activation of the flood so far counted by
 * priority, then the events `listed` (those no earlier message carried), most urgent first.
 */
export function composeFloodSummary(
  events: AlarmEvent[],
  window: FloodWindow,
  audience: string,
  ctx: ComposeContext,
  listed: readonly AlarmEvent[] = events,
): OutgoingMessage {
  // Routed by the whole flood's most urgent alarm; carries only the events it lists, so
  // payloads stay small however long the flood.
  const message = bilingual('flood-summary', [...listed], audience, ctx, (s) => {
    const { activations, counts } = batchHeader(s, events);
    const alarms = s.w.alarms(activations.length);
    const span = formatDuration(window.to - window.from, s.lang);
    return wording(window.over ? s.w.floodOver(alarms, span, counts) : s.w.flood(alarms, span, counts), [
      s.w.floodLine(alarms, localSpan(window, ctx), ctx.timezone, counts),
      window.over ? s.w.floodOverText : s.w.floodPaused,
      ...(listed.length > 0 ? [listed === events ? s.w.mostUrgent : s.w.newSince] : [s.w.nothingNew]),
      ...summaryLines(s, listed, ctx),
    ]);
  });
  return { ...message, priority: mostUrgent(events) };
}

/** The events of a digested priority over one period, for one team. */
export function composeDigest(
  events: AlarmEvent[],
  period: TimeWindow,
  audience: string,
  ctx: ComposeContext,
): OutgoingMessage {
  return bilingual('digest', events, audience, ctx, (s) => {
    const { counts } = batchHeader(s, events);
    const n = s.w.events(events.length);
    const span = localSpan(period, ctx);
    return wording(s.w.digest(n, span, counts), [
      s.w.digestLine(n, span, ctx.timezone, counts),
      ...summaryLines(s, events, ctx),
    ]);
  });
}

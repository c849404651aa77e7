/**
 * The wording of every notification. Written for a phone in a chat group at 3 a.m.: the
 * subject says what and where, the text has one fact per short line, local times in the
 * plant's zone, and summaries put the most urgent first and stay short (WeCom cuts at 2 KB).
 */
import { type AlarmEvent, type AlarmEventKind, type Priority, priorityRank } from '../alarms/types.js';
import { hhmm, localClockOf } from '../clock/index.js';
import type { MessageKind, OutgoingMessage } from './types.js';

export interface ComposeContext {
  /** IANA zone for the times in the text (the roster's). */
  timezone: string;
  /** Epoch ms the message is composed at. */
  now: number;
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

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000 || ms % 3_600_000 !== 0) return `${Math.round(ms / 60_000)} min`;
  return `${ms / 3_600_000} h`;
}

const what = (e: AlarmEvent): string => e.deviceName ?? e.device ?? e.rule;
const roomOf = (e: AlarmEvent): string => e.roomName ?? e.room;
const buildingOf = (e: AlarmEvent): string => e.buildingName ?? e.building;
const where = (e: AlarmEvent): string => `${roomOf(e)}, ${buildingOf(e)}`;
const PRIORITY_TAG = (p: Priority): string => p.toUpperCase();

function formatValue(value: AlarmEvent['value'], unit?: string): string {
  if (value === null) return 'n/a';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  const number = String(Math.round(value * 100) / 100);
  return unit ? `${number} ${unit}` : number;
}

/** "11.4 °C (limit 9 °C)": the limit as configured, never rounded. */
const withLimit = (value: AlarmEvent['value'], limit: number | null, unit?: string): string =>
  limit === null
    ? formatValue(value, unit)
    : `${formatValue(value, unit)} (limit ${limit}${unit ? ` ${unit}` : ''})`;

/**
 * The readings an electrician and a reviewer check: an activation's value; after it, what
 * raised the alarm and, on its return, what it returned at (not only the reading after the fact).
 */
function readingLines(e: AlarmEvent, ctx: ComposeContext): string[] {
  if (!e.raised || e.kind === 'activated') return [`Value: ${withLimit(e.value, e.limit, e.unit)}`];
  const raised = `Raised: ${withLimit(e.raised.value, e.raised.limit, e.unit)} at ${localDateTime(e.raised.ts, ctx)}`;
  const back = e.kind === 'returned' || e.kind === 'cleared';
  const now = back
    ? `Returned: ${formatValue(e.value, e.unit)} at ${localDateTime(e.ts, ctx)}`
    : `Value now: ${formatValue(e.value, e.unit)}`;
  return [raised, now];
}

/** The bracketed tag of a subject, per event kind. */
function tagOf(e: AlarmEvent): string {
  const by = e.user ? ` by ${e.user}` : '';
  const tags: Record<AlarmEventKind, string> = {
    activated: PRIORITY_TAG(e.priority),
    acknowledged: `ACK${by}`,
    returned: 'CLEARED',
    cleared: 'CLEARED',
    shelved: `SHELVED${by}`,
    unshelved: 'UNSHELVED',
    'removed-from-service': `OUT OF SERVICE${by}`,
    'returned-to-service': 'BACK IN SERVICE',
    chattering: 'CHATTERING',
    'chatter-ended': 'CHATTER ENDED',
  };
  return tags[e.kind];
}

/** The first line of the text: what happened, in words. */
function headlineOf(e: AlarmEvent): string {
  const by = e.user ?? 'someone';
  const lines: Record<AlarmEventKind, string> = {
    activated: `${PRIORITY_TAG(e.priority)} alarm: ${e.message}`,
    acknowledged: `Acknowledged by ${by}: ${e.message}`,
    returned: `Back to normal, not yet acknowledged: ${e.message}`,
    cleared: `Cleared (was acknowledged): ${e.message}`,
    shelved: `Shelved by ${by}: ${e.message}`,
    unshelved: `Unshelved: ${e.message}`,
    'removed-from-service': `Taken out of service by ${by}: ${e.message}`,
    'returned-to-service': `Back in service: ${e.message}`,
    chattering: `Chattering: ${e.message}`,
    'chatter-ended': `No longer chattering: ${e.message}`,
  };
  return lines[e.kind];
}

/** The rule's message usually names the device already; the subject does not say it twice. */
const subjectOf = (tag: string, e: AlarmEvent): string => {
  const message = e.message.includes(what(e)) ? e.message : `${what(e)}: ${e.message}`;
  return message.includes(roomOf(e)) ? `[${tag}] ${message}` : `[${tag}] ${message} — ${where(e)}`;
};

/** The facts an electrician checks, one per line. */
function detailLines(e: AlarmEvent, ctx: ComposeContext): string[] {
  const device = e.device ? `${e.deviceName ?? e.device} (${e.device})` : (e.deviceName ?? '—');
  return [
    `Device: ${device}`,
    `Room: ${roomOf(e)}`,
    `Building: ${buildingOf(e)} (${e.site})`,
    ...readingLines(e, ctx),
    `Time: ${localDateTime(e.ts, ctx)} (${ctx.timezone})`,
    `Priority: ${e.priority}`,
    `Alarm: ${e.alarmId}`,
    ...(e.comment ? [`Comment: ${e.comment}`] : []),
  ];
}

function message(
  kind: MessageKind,
  events: AlarmEvent[],
  subject: string,
  text: string[],
  audience: string,
  ctx: ComposeContext,
): OutgoingMessage {
  return {
    kind,
    priority: mostUrgent(events),
    subject,
    text: text.join('\n'),
    events,
    audience,
    ts: ctx.now,
  };
}

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
  const text = [headlineOf(event), ...detailLines(event, ctx)];
  return message('alarm', [event], subjectOf(tagOf(event), event), text, audience, ctx);
}

/** Sent to an escalation level while an alarm stays unacknowledged. */
export function composeEscalation(
  event: AlarmEvent,
  level: string,
  minutesUnacknowledged: number,
  ctx: ComposeContext,
): OutgoingMessage {
  const tag = `${PRIORITY_TAG(event.priority)}, not acknowledged for ${minutesUnacknowledged} min`;
  const text = [
    `Escalated to ${level}: nobody on duty has acknowledged this alarm for ${minutesUnacknowledged} min.`,
    `${PRIORITY_TAG(event.priority)} alarm: ${event.message}`,
    ...detailLines(event, ctx),
  ];
  return message('escalation', [event], subjectOf(tag, event), text, level, ctx);
}

/** Announced once when an alarm starts chattering; its repeats are not announced. */
export function composeChatter(event: AlarmEvent, audience: string, ctx: ComposeContext): OutgoingMessage {
  const text = [
    `Chattering: this alarm keeps activating and clearing (${event.message}).`,
    'Its repeats are not announced until it settles; a deadband or on-delay on the rule would fix it.',
    ...detailLines(event, ctx),
  ];
  return message('chatter', [event], subjectOf('CHATTERING', event), text, audience, ctx);
}

/** "2 critical, 28 high": activations per priority, most urgent first. */
export function countByPriority(events: readonly AlarmEvent[]): string {
  const counts = new Map<Priority, number>();
  for (const e of events) counts.set(e.priority, (counts.get(e.priority) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => priorityRank(a) - priorityRank(b))
    .map(([p, n]) => `${n} ${p}`)
    .join(', ');
}

/** Most urgent first, then oldest first. */
const byUrgency = (a: AlarmEvent, b: AlarmEvent): number =>
  priorityRank(a.priority) - priorityRank(b.priority) || a.ts - b.ts;

function summaryLine(e: AlarmEvent, ctx: ComposeContext): string {
  const clock = hhmm(localClockOf(ctx.timezone)(e.ts));
  return `${clock} ${tagOf(e)} ${what(e)}: ${e.message} (${where(e)})`;
}

function summaryLines(events: readonly AlarmEvent[], ctx: ComposeContext): string[] {
  const sorted = [...events].sort(byUrgency);
  const shown = sorted.slice(0, SUMMARY_LINES).map((e) => summaryLine(e, ctx));
  const more = sorted.length - shown.length;
  return more > 0 ? [...shown, `… and ${more} more: see the dashboard.`] : shown;
}

/** "5 cleared, 1 acknowledged": the events of a summary that are not activations. */
function otherKinds(events: readonly AlarmEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) if (e.kind !== 'activated') counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
}

function batchHeader(events: readonly AlarmEvent[]): { activations: AlarmEvent[]; counts: string } {
  const activations = events.filter((e) => e.kind === 'activated');
  const others = otherKinds(events);
  const counts = [activations.length > 0 ? countByPriority(activations) : '', others ? `also ${others}` : '']
    .filter(Boolean)
    .join('; ');
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
  const { activations, counts } = batchHeader(events);
  const n = activations.length;
  const alarms = `${n} alarm${n === 1 ? '' : 's'}`;
  const subject = window.over
    ? `[FLOOD OVER] ${alarms} in ${formatDuration(window.to - window.from)} — ${counts}`
    : `[ALARM FLOOD] ${alarms} in ${formatDuration(window.to - window.from)} — ${counts}`;
  const text = [
    `${alarms} activated ${localSpan(window, ctx)} (${ctx.timezone}): ${counts}.`,
    window.over
      ? 'The flood is over; single alarm messages resume.'
      : 'Single alarm messages are paused while the flood lasts; summaries follow.',
    ...(listed.length > 0
      ? [listed === events ? 'Most urgent first:' : 'New since the last message, most urgent first:']
      : ['Nothing new since the last summary.']),
    ...summaryLines(listed, ctx),
  ];
  // Routed by the whole flood's most urgent alarm; carries only the events it lists, so
  // payloads stay small however long the flood.
  return {
    ...message('flood-summary', [...listed], subject, text, audience, ctx),
    priority: mostUrgent(events),
  };
}

/** The events of a digested priority over one period, for one team. */
export function composeDigest(
  events: AlarmEvent[],
  period: TimeWindow,
  audience: string,
  ctx: ComposeContext,
): OutgoingMessage {
  const { counts } = batchHeader(events);
  const n = events.length;
  const subject = `[DIGEST] ${n} event${n === 1 ? '' : 's'}, ${localSpan(period, ctx)} — ${counts}`;
  const text = [
    `${n} event${n === 1 ? '' : 's'} ${localSpan(period, ctx)} (${ctx.timezone}): ${counts}.`,
    ...summaryLines(events, ctx),
  ];
  return message('digest', events, subject, text, audience, ctx);
}

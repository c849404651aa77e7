/**
 * The alarm engine: follows the point values, evaluates only the alarms whose points changed
 * (and, on a tick, those that depend on time), filters conditions through on/off delays,
 * drives each alarm's lifecycle, detects chattering, and journals every transition before
 * telling its listeners (dashboard, MQTT, notifier).
 */
import type { Logger } from '../log/index.js';
import type { PointValue } from '../points/index.js';
import type { ConditionContext } from './conditions.js';
import type { Scalar } from './expression.js';
import type { AlarmJournal, JournalEntry } from './journal.js';
import * as lifecycle from './lifecycle.js';
import type { MessageInput } from './messages.js';
import type { CompiledAlarm } from './rules.js';
import {
  type AlarmEvent,
  type AlarmEventKind,
  type AlarmListener,
  type AlarmPlace,
  type AlarmStatus,
  type NotifyOn,
  priorityRank,
  type RaisedBy,
} from './types.js';

export interface EngineOptions {
  alarms: readonly CompiledAlarm[];
  journal: AlarmJournal;
  /** Latest value of a point. */
  read: (id: string) => PointValue | undefined;
  log: Logger;
  chatter: { count: number; window: number };
  maxShelveMs: number;
  /** Local minutes of the day, for rules evaluated only `during` some hours. */
  minuteOfDay: (ts: number) => number;
  now?: () => number;
}

interface Runtime {
  alarm: CompiledAlarm;
  record: lifecycle.AlarmRecord;
  /** The condition as last evaluated, before delays, and since when. */
  raw: boolean;
  rawSince: number;
  value: Scalar;
  limit: number | null;
  /** The reading of the last activation, and when the alarm last returned since. */
  raised: RaisedBy | null;
  returnedAt: number | null;
  activations: number[];
  chattering: boolean;
  failing: boolean;
}

/** Which rule setting announces each kind of event. */
const ANNOUNCED_BY: Partial<Record<AlarmEventKind, NotifyOn>> = {
  activated: 'active',
  acknowledged: 'acknowledged',
  returned: 'returned',
  cleared: 'returned',
};

export class AlarmEngine {
  private readonly runtimes = new Map<string, Runtime>();
  private readonly byPoint = new Map<string, Runtime[]>();
  private readonly lastGoodByDevice = new Map<string, number>();
  private readonly listeners = new Set<AlarmListener>();
  /** Transitions of the current batch, tick or action: journaled together, then announced. */
  private outbox: (JournalEntry & { event: AlarmEvent })[] = [];
  private readonly now: () => number;
  private readonly startedAt: number;
  evaluations = 0;
  evaluationErrors = 0;
  events = 0;
  journalErrors = 0;

  constructor(private readonly options: EngineOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    const stored = options.journal.states();
    for (const alarm of options.alarms) {
      const saved = stored.get(alarm.definition.id);
      const record = saved ? restoreRecord(saved) : lifecycle.newRecord(this.startedAt);
      const runtime: Runtime = {
        alarm,
        record,
        raw: record.conditionActive,
        rawSince: this.startedAt,
        value: saved?.value ?? null,
        limit: saved?.limit ?? null,
        raised: saved?.raised ?? null,
        // Journals from before returnedAt: a returned alarm came back when it entered that state.
        returnedAt: saved?.returnedAt ?? (record.state === 'returned-unacknowledged' ? record.since : null),
        activations: [],
        chattering: false,
        failing: false,
      };
      this.runtimes.set(alarm.definition.id, runtime);
      for (const point of alarm.condition.points) {
        const list = this.byPoint.get(point) ?? [];
        list.push(runtime);
        this.byPoint.set(point, list);
      }
    }
  }

  subscribe(listener: AlarmListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Journals what the last batch, tick or action changed, in one transaction (one disk sync),
   * then announces it. Never throws: if the journal fails (disk full), the failure is counted
   * and logged and the events are announced all the same, since people must hear of an alarm.
   */
  private settle(): void {
    if (this.outbox.length === 0) return;
    const entries = this.outbox;
    this.outbox = [];
    try {
      const seqs = this.options.journal.appendMany(entries);
      entries.forEach((entry, i) => {
        entry.event.seq = seqs[i] ?? 0;
      });
    } catch (err) {
      if (this.journalErrors++ % 100 === 0)
        this.options.log.error(
          { err, events: entries.length, failures: this.journalErrors },
          'alarm journal write failed',
        );
    }
    for (const { event } of entries) this.announce(event);
  }

  private announce(event: AlarmEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.options.log.error({ err, alarm: event.alarmId }, 'an alarm listener failed');
      }
    }
  }

  /** New values from the bus: re-evaluate the alarms that read them. */
  onValues(values: readonly PointValue[]): void {
    try {
      this.evaluateBatch(values);
    } finally {
      this.settle();
    }
  }

  private evaluateBatch(values: readonly PointValue[]): void {
    const now = this.now();
    const dirty = new Set<Runtime>();
    for (const v of values) {
      if (v.quality === 'good') {
        const device = v.id.slice(0, v.id.indexOf('.'));
        this.lastGoodByDevice.set(device, now);
      }
      for (const runtime of this.byPoint.get(v.id) ?? []) dirty.add(runtime);
    }
    for (const runtime of dirty) this.evaluate(runtime, now);
  }

  /** Time passes: delays run out, devices stay silent, shelving expires, chatter calms down. */
  tick(): void {
    try {
      this.tickAll();
    } finally {
      this.settle();
    }
  }

  private tickAll(): void {
    const now = this.now();
    for (const runtime of this.runtimes.values()) {
      const { alarm, record } = runtime;
      if (alarm.condition.timeDriven || alarm.during) this.evaluate(runtime, now);
      else this.applyDelays(runtime, now);
      if (record.state === 'shelved' && record.shelvedUntil !== undefined && record.shelvedUntil <= now)
        this.emit(runtime, lifecycle.unshelve(record, { comment: 'shelving time ran out' }, now), now);
      this.calmChatter(runtime, now);
    }
  }

  private evaluate(runtime: Runtime, now: number): void {
    this.evaluations++;
    const { alarm } = runtime;
    try {
      const result = alarm.condition.evaluate(this.context(runtime, now));
      if (result.value !== null) runtime.value = result.value;
      runtime.limit = result.limit;
      // Outside its hours a rule still shows its reading, but cannot be active.
      const active = alarm.during && !this.within(alarm.during, now) ? false : result.active;
      if (active !== null) this.setRaw(runtime, active, now);
      runtime.failing = false;
    } catch (err) {
      this.evaluationErrors++;
      // Logged once per failing spell, not once per value.
      if (!runtime.failing)
        this.options.log.error({ err, alarm: alarm.definition.id }, 'alarm evaluation failed');
      runtime.failing = true;
    }
    this.applyDelays(runtime, now);
  }

  private context(runtime: Runtime, now: number): ConditionContext {
    return {
      read: this.options.read,
      lastGood: (device) => this.lastGoodByDevice.get(device) ?? this.startedAt,
      now,
      wasActive: runtime.raw,
    };
  }

  private within(window: { from: number; to: number }, now: number): boolean {
    const minute = this.options.minuteOfDay(now);
    return window.from <= window.to
      ? minute >= window.from && minute < window.to
      : minute >= window.from || minute < window.to;
  }

  private setRaw(runtime: Runtime, active: boolean, now: number): void {
    if (runtime.raw === active) return;
    runtime.raw = active;
    runtime.rawSince = now;
  }

  private applyDelays(runtime: Runtime, now: number): void {
    const { record, alarm } = runtime;
    if (runtime.raw === record.conditionActive) return;
    const delay = runtime.raw ? alarm.onDelayMs : alarm.offDelayMs;
    if (now - runtime.rawSince < delay) return;
    this.emit(runtime, lifecycle.conditionChanged(record, runtime.raw, now), now);
  }

  private emit(runtime: Runtime, transitions: lifecycle.Transition[], now: number): AlarmEvent[] {
    const events: AlarmEvent[] = [];
    for (const transition of transitions) {
      events.push(this.record(runtime, transition, now));
      if (transition.kind === 'activated') {
        const chatter = this.detectChatter(runtime, now);
        if (chatter) events.push(this.record(runtime, chatter, now));
      }
    }
    return events;
  }

  /** Queued for the journal, then the listeners (see settle): what is announced is journaled first. */
  private record(runtime: Runtime, transition: lifecycle.Transition, now: number): AlarmEvent {
    const { definition } = runtime.alarm;
    const announcedBy = ANNOUNCED_BY[transition.kind];
    // A chattering alarm's comings and goings are journaled, not announced: the chatter report was.
    const repeatWhileChattering = runtime.chattering && ANNOUNCED_BY[transition.kind] !== 'acknowledged';
    noteRaisedAndReturned(runtime, transition.kind, now);
    const input = messageInput(runtime, now, transition);
    const message = runtime.alarm.message(input);
    const messageZh = runtime.alarm.messageZh(input);
    const partial: Omit<AlarmEvent, 'seq'> = {
      site: definition.site,
      building: definition.building,
      room: definition.room,
      ...(definition.buildingName ? { buildingName: definition.buildingName } : {}),
      ...(definition.roomName ? { roomName: definition.roomName } : {}),
      ...(definition.device ? { device: definition.device, deviceName: definition.deviceName } : {}),
      ...zhNames(definition),
      equipment: definition.equipment,
      alarmId: definition.id,
      rule: definition.rule,
      kind: transition.kind,
      from: transition.from,
      to: transition.to,
      ts: now,
      priority: definition.priority,
      message,
      messageZh,
      value: runtime.value,
      limit: runtime.limit,
      ...(input.phase !== 'normal' && runtime.raised ? { raised: runtime.raised } : {}),
      ...(definition.unit ? { unit: definition.unit } : {}),
      ...(transition.user ? { user: transition.user } : {}),
      ...(transition.comment ? { comment: transition.comment } : {}),
      notify:
        transition.kind === 'chattering' ||
        (announcedBy !== undefined && definition.notifyOn.includes(announcedBy) && !repeatWhileChattering),
    };
    const event: AlarmEvent = { ...partial, seq: 0 };
    this.events++;
    this.outbox.push({
      event,
      state: {
        ...runtime.record,
        value: runtime.value,
        limit: runtime.limit,
        message,
        raised: runtime.raised,
        returnedAt: runtime.returnedAt,
      },
    });
    return event;
  }

  private detectChatter(runtime: Runtime, now: number): lifecycle.Transition | undefined {
    const { count, window } = this.options.chatter;
    runtime.activations = runtime.activations.filter((t) => t > now - window);
    runtime.activations.push(now);
    if (runtime.chattering || runtime.activations.length < count) return undefined;
    runtime.chattering = true;
    const state = runtime.record.state;
    return {
      kind: 'chattering',
      from: state,
      to: state,
      comment: `${runtime.activations.length} activations within ${Math.round(window / 1000)} s`,
    };
  }

  private calmChatter(runtime: Runtime, now: number): void {
    if (!runtime.chattering) return;
    const last = runtime.activations[runtime.activations.length - 1] ?? 0;
    if (now - last < this.options.chatter.window) return;
    runtime.chattering = false;
    runtime.activations = [];
    const state = runtime.record.state;
    this.emit(runtime, [{ kind: 'chatter-ended', from: state, to: state }], now);
  }

  // ------------------------------------------------------------------ operator actions

  acknowledge(id: string, user: string, comment?: string): AlarmEvent[] {
    return this.act(id, (record, now) => lifecycle.acknowledge(record, user, comment, now));
  }

  shelve(id: string, user: string, reason: string, durationMs: number): AlarmEvent[] {
    if (durationMs > this.options.maxShelveMs)
      throw new ShelveLimitError(
        `shelving is limited to ${Math.round(this.options.maxShelveMs / 60_000)} minutes (asked ${Math.round(durationMs / 60_000)})`,
      );
    return this.act(id, (record, now) => lifecycle.shelve(record, user, reason, now + durationMs, now));
  }

  unshelve(id: string, user: string, comment?: string): AlarmEvent[] {
    return this.act(id, (record, now) => lifecycle.unshelve(record, { user, comment }, now));
  }

  removeFromService(id: string, user: string, reason: string): AlarmEvent[] {
    return this.act(id, (record, now) => lifecycle.removeFromService(record, user, reason, now));
  }

  returnToService(id: string, user: string, comment?: string): AlarmEvent[] {
    return this.act(id, (record, now) => lifecycle.returnToService(record, user, comment, now));
  }

  private act(
    id: string,
    transition: (record: lifecycle.AlarmRecord, now: number) => lifecycle.Transition[],
  ) {
    const runtime = this.runtime(id);
    const now = this.now();
    try {
      return this.emit(runtime, transition(runtime.record, now), now);
    } finally {
      this.settle();
    }
  }

  private runtime(id: string): Runtime {
    const runtime = this.runtimes.get(id);
    if (!runtime) throw new UnknownAlarmError(`no alarm "${id}"`);
    return runtime;
  }

  // ------------------------------------------------------------------ views

  has(id: string): boolean {
    return this.runtimes.has(id);
  }

  status(id: string): AlarmStatus | undefined {
    const runtime = this.runtimes.get(id);
    return runtime && statusOf(runtime, this.now());
  }

  /** Alarms, most urgent first: priority, then unacknowledged before acknowledged, then newest. */
  statuses({ includeNormal = true } = {}): AlarmStatus[] {
    const now = this.now();
    const chosen = [...this.runtimes.values()].filter((r) => includeNormal || r.record.state !== 'normal');
    return chosen.map((r) => statusOf(r, now)).sort(byUrgency);
  }

  /** Counts for metrics, without building every status (a scrape must stay cheap). */
  counts(): {
    byState: Record<string, number>;
    activeByPriority: Record<string, number>;
    chattering: number;
  } {
    const byState: Record<string, number> = {};
    const activeByPriority: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0 };
    let chattering = 0;
    for (const { record, alarm, chattering: chatters } of this.runtimes.values()) {
      byState[record.state] = (byState[record.state] ?? 0) + 1;
      if (record.state.startsWith('active') || record.state === 'returned-unacknowledged')
        activeByPriority[alarm.definition.priority] = (activeByPriority[alarm.definition.priority] ?? 0) + 1;
      if (chatters) chattering++;
    }
    return { byState, activeByPriority, chattering };
  }

  get size(): number {
    return this.runtimes.size;
  }
}

export class UnknownAlarmError extends Error {}
/** Shelving for longer than settings.maxShelve: a 400 for the API. */
export class ShelveLimitError extends Error {}

const STATE_ORDER: Record<AlarmStatus['state'], number> = {
  'active-unacknowledged': 0,
  'returned-unacknowledged': 1,
  'active-acknowledged': 2,
  shelved: 3,
  'out-of-service': 4,
  normal: 5,
};

function byUrgency(a: AlarmStatus, b: AlarmStatus): number {
  return (
    priorityRank(a.priority) - priorityRank(b.priority) ||
    STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
    (b.activeSince ?? b.since) - (a.activeSince ?? a.since)
  );
}

/** Activation and return, as the messages after them quote them. */
function noteRaisedAndReturned(runtime: Runtime, kind: AlarmEventKind, now: number): void {
  if (kind === 'activated') {
    runtime.raised = { value: runtime.value, limit: runtime.limit, ts: now };
    runtime.returnedAt = null;
  } else if (kind === 'returned' || kind === 'cleared') runtime.returnedAt = now;
}

/**
 * Which words fit the alarm now, or just after a transition: active while its condition holds;
 * returned while its return is unacknowledged, and on the event that ends such an activation
 * (the clearing, or the acknowledgement, shelving... of the return); otherwise normal.
 */
function messageInput(runtime: Runtime, now: number, transition?: lifecycle.Transition): MessageInput {
  const { record, raised, returnedAt, value, limit } = runtime;
  const closing =
    transition !== undefined &&
    (transition.kind === 'cleared' || transition.from === 'returned-unacknowledged');
  const returned = record.state === 'returned-unacknowledged' || closing;
  if (!record.conditionActive && returned && raised && returnedAt !== null)
    return { phase: 'returned', value, raised, returnedAt };
  const phase = record.conditionActive ? 'active' : 'normal';
  return { phase, value, limit, ts: record.activeSince ?? now };
}

/** The Chinese names of the alarm's place and device, those configured. */
function zhNames(place: AlarmPlace): Pick<AlarmPlace, 'buildingNameZh' | 'roomNameZh' | 'deviceNameZh'> {
  const { buildingNameZh, roomNameZh, deviceNameZh } = place;
  return {
    ...(buildingNameZh ? { buildingNameZh } : {}),
    ...(roomNameZh ? { roomNameZh } : {}),
    ...(deviceNameZh ? { deviceNameZh } : {}),
  };
}

function statusOf(runtime: Runtime, now: number): AlarmStatus {
  const { record, alarm } = runtime;
  const input = messageInput(runtime, now);
  return {
    ...alarm.definition,
    state: record.state,
    conditionActive: record.conditionActive,
    since: record.since,
    activeSince: record.activeSince,
    message: alarm.message(input),
    messageZh: alarm.messageZh(input),
    value: runtime.value,
    limit: runtime.limit,
    ...(input.phase !== 'normal' && runtime.raised ? { raised: runtime.raised } : {}),
    ...(input.phase === 'returned' ? { returnedAt: input.returnedAt } : {}),
    ...(record.acknowledgedBy
      ? { acknowledgedBy: record.acknowledgedBy, acknowledgedAt: record.acknowledgedAt }
      : {}),
    ...(record.shelvedBy ? { shelvedBy: record.shelvedBy, shelvedUntil: record.shelvedUntil } : {}),
    ...(record.reason ? { reason: record.reason } : {}),
    chattering: runtime.chattering,
  };
}

function restoreRecord(saved: lifecycle.AlarmRecord): lifecycle.AlarmRecord {
  const {
    state,
    conditionActive,
    since,
    activeSince,
    acknowledgedBy,
    acknowledgedAt,
    shelvedBy,
    shelvedUntil,
    reason,
  } = saved;
  return {
    state,
    conditionActive,
    since,
    activeSince,
    ...(acknowledgedBy ? { acknowledgedBy, acknowledgedAt } : {}),
    ...(shelvedBy ? { shelvedBy, shelvedUntil } : {}),
    ...(reason ? { reason } : {}),
  };
}

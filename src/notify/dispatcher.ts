/**
 * Decides who gets which notification when, from the stream of alarm events: the team on
 * duty for the equipment, through the channels its priority is routed to; escalation to the
 * levels while an alarm stays unacknowledged; one summary per team instead of a message per
 * alarm during a flood; one digest per period for the priorities that ask for it.
 * It only enqueues: delivery (queues, retries) belongs to each channel's Delivery.
 */
import { type AlarmEvent, type AlarmEventKind, PRIORITIES, type Priority } from '../alarms/types.js';
import type { ChannelKind, NotifySettings } from '../config/notify-schema.js';
import type { Logger } from '../log/index.js';
import {
  type ComposeContext,
  composeAlarmMessage,
  composeChatter,
  composeDigest,
  composeEscalation,
  composeFloodSummary,
} from './compose.js';
import type { DutyRoster, TeamRoute } from './roster.js';
import { MESSAGE_KINDS, type MessageKind, type OutgoingMessage, type Recipient } from './types.js';

/** What the dispatcher needs of a channel's Delivery. */
export interface DeliveryTarget {
  enqueue(message: OutgoingMessage, to: readonly Recipient[]): void;
}

export interface DispatcherOptions {
  settings: NotifySettings;
  roster: DutyRoster;
  /** By channel id: "email", each webhook's id, "mqtt". */
  deliveries: ReadonlyMap<string, DeliveryTarget>;
  log: Logger;
  now?: () => number;
  /** The dashboard's address (web.publicUrl): messages link to their alarm there. */
  publicUrl?: string;
}

export interface NotifierStats {
  /** Messages composed and handed to deliveries, per kind. */
  composed: Record<MessageKind, number>;
  escalationsFired: number;
  floodSummaries: number;
  digests: number;
  /** Events not sent one by one because of a flood (they went into summaries). */
  suppressedByFlood: number;
  flooding: boolean;
  pendingEscalations: number;
}

/** Events after which nobody needs chasing about an alarm any more. */
const ENDS_ESCALATION: ReadonlySet<AlarmEventKind> = new Set([
  'acknowledged',
  'returned',
  'cleared',
  'shelved',
  'removed-from-service',
]);

const UNROUTED = 'unrouted';

interface Batch {
  team: TeamRoute | undefined;
  events: AlarmEvent[];
}

interface TeamFlood extends Batch {
  /** Events not yet in any message. */
  unsent: AlarmEvent[];
  /** Whether anything of this team was held back during the flood (then it gets a final summary). */
  heldBack: boolean;
}

interface Flood {
  since: number;
  teams: Map<string, TeamFlood>;
  timer: NodeJS.Timeout;
}

interface RecentActivation {
  at: number;
  event: AlarmEvent;
  team: TeamRoute | undefined;
}

interface Digest {
  from: number;
  batches: Map<string, Batch>;
  timer: NodeJS.Timeout;
}

const teamKey = (team: TeamRoute | undefined): string => team?.id ?? UNROUTED;
const withEmail = (people: readonly Recipient[]): Recipient[] => people.filter((p) => p.email);

export class NotificationDispatcher {
  private readonly settings: NotifySettings;
  private readonly roster: DutyRoster;
  private readonly deliveries: ReadonlyMap<string, DeliveryTarget>;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly publicUrl: string | undefined;
  /** Pending escalation steps per alarm id. */
  private readonly escalations = new Map<string, Set<NodeJS.Timeout>>();
  private readonly recent: RecentActivation[] = [];
  private flood: Flood | undefined;
  private readonly digests = new Map<Priority, Digest>();
  private readonly chattering = new Set<string>();
  /** Things logged once (fallback routes, missing deliveries) rather than per message. */
  private readonly warned = new Set<string>();
  private stopped = false;
  private readonly counters = {
    composed: Object.fromEntries(MESSAGE_KINDS.map((k) => [k, 0])) as Record<MessageKind, number>,
    escalationsFired: 0,
    floodSummaries: 0,
    digests: 0,
    suppressedByFlood: 0,
  };

  constructor(options: DispatcherOptions) {
    this.settings = options.settings;
    this.roster = options.roster;
    this.deliveries = options.deliveries;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.publicUrl = options.publicUrl;
    for (const priority of PRIORITIES) {
      const period = this.settings.routing[priority].digest;
      if (period) this.startDigest(priority, period);
    }
  }

  handle(event: AlarmEvent): void {
    if (this.stopped) return;
    this.trackEscalation(event);
    // Every activation escalates, announced or not: a chattering alarm's muted repeat that
    // stays unacknowledged must still reach the shift lead.
    const team = this.route(event);
    if (event.kind === 'activated') this.startEscalation(event, team);
    const firstChatter = this.firstChatter(event);
    if (!event.notify || !firstChatter) return;
    const digest = this.digests.get(event.priority);
    if (digest) {
      this.batchOf(digest.batches, team, () => ({ team, events: [] })).events.push(event);
      return;
    }
    if (event.kind === 'activated') this.countActivation(event, team);
    if (this.flood) {
      this.holdBack(this.flood, event, team);
      return;
    }
    const message =
      event.kind === 'chattering'
        ? composeChatter(event, teamKey(team), this.context())
        : composeAlarmMessage(event, teamKey(team), this.context());
    this.send(message, team, this.onDuty(team, event.ts));
  }

  stats(): NotifierStats {
    return {
      ...this.counters,
      composed: { ...this.counters.composed },
      flooding: this.flood !== undefined,
      pendingEscalations: [...this.escalations.values()].reduce((n, steps) => n + steps.size, 0),
    };
  }

  /** Cancel every timer; pending escalations, summaries and digests are not sent. */
  stop(): void {
    this.stopped = true;
    for (const steps of this.escalations.values()) for (const timer of steps) clearTimeout(timer);
    this.escalations.clear();
    if (this.flood) clearInterval(this.flood.timer);
    this.flood = undefined;
    for (const digest of this.digests.values()) clearInterval(digest.timer);
  }

  // ---------------------------------------------------------------- routing and sending

  private context(): ComposeContext {
    return {
      timezone: this.roster.timezone,
      now: this.now(),
      ...(this.publicUrl ? { publicUrl: this.publicUrl } : {}),
    };
  }

  private route(event: AlarmEvent): TeamRoute | undefined {
    const team = this.roster.teamFor(event.equipment);
    if (!team) {
      this.warnOnce(
        `no-team`,
        { alarm: event.alarmId },
        'no team in notify.yaml: only MQTT gets notifications',
      );
    } else if (team.fallback) {
      this.warnOnce(
        `fallback:${event.equipment}`,
        { equipment: event.equipment, team: team.id },
        'no team answers for this equipment class; its alarms go to the first team',
      );
    }
    return team;
  }

  private onDuty(team: TeamRoute | undefined, at: number): Recipient[] {
    return team ? this.roster.onDuty(team.id, at) : [];
  }

  /** Hand a message to the channels the priority is routed to. */
  private send(
    message: OutgoingMessage,
    team: TeamRoute | undefined,
    people: readonly Recipient[],
    channels: readonly ChannelKind[] = this.settings.routing[message.priority].channels,
  ): void {
    this.counters.composed[message.kind]++;
    for (const kind of channels) {
      if (kind === 'email') this.deliver('email', message, withEmail(people));
      else if (kind === 'mqtt') this.deliver('mqtt', message, people);
      else if (team?.webhook) this.deliver(team.webhook, message, people);
    }
  }

  private deliver(channel: string, message: OutgoingMessage, to: readonly Recipient[]): void {
    // An e-mail to nobody is not a message (the team's webhook may still reach them).
    if (channel === 'email' && to.length === 0) {
      this.log.debug(
        { subject: message.subject, audience: message.audience },
        'nobody on duty has an e-mail address',
      );
      return;
    }
    const delivery = this.deliveries.get(channel);
    if (!delivery) {
      this.warnOnce(
        `channel:${channel}`,
        { channel },
        'notification channel not available; its messages are skipped',
      );
      return;
    }
    delivery.enqueue(message, to);
  }

  private warnOnce(key: string, fields: Record<string, unknown>, text: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn(fields, text);
  }

  private batchOf<B extends Batch>(batches: Map<string, B>, team: TeamRoute | undefined, fresh: () => B): B {
    const key = teamKey(team);
    let batch = batches.get(key);
    if (!batch) {
      batch = fresh();
      batches.set(key, batch);
    }
    return batch;
  }

  /** A chattering alarm is announced once, until it stops chattering. */
  private firstChatter(event: AlarmEvent): boolean {
    if (event.kind === 'chatter-ended') this.chattering.delete(event.alarmId);
    if (event.kind !== 'chattering') return true;
    if (this.chattering.has(event.alarmId)) return false;
    this.chattering.add(event.alarmId);
    return true;
  }

  // ---------------------------------------------------------------- escalation

  private trackEscalation(event: AlarmEvent): void {
    const ends = ENDS_ESCALATION.has(event.kind) || (event.kind === 'unshelved' && event.to === 'normal');
    if (ends) this.cancelEscalation(event.alarmId);
  }

  private cancelEscalation(alarmId: string): void {
    for (const timer of this.escalations.get(alarmId) ?? []) clearTimeout(timer);
    this.escalations.delete(alarmId);
  }

  /**
   * After a restart: an alarm still unacknowledged keeps its escalation. Steps whose time
   * passed while the gateway was down are not sent again (they may have gone out before).
   */
  resumeEscalation(activation: AlarmEvent): void {
    if (this.stopped || activation.kind !== 'activated') return;
    const elapsed = this.now() - activation.ts;
    this.startEscalation(activation, this.route(activation), (step) => step.after > elapsed);
  }

  private startEscalation(
    event: AlarmEvent,
    team: TeamRoute | undefined,
    include: (step: { after: number }) => boolean = () => true,
  ): void {
    const steps = this.settings.routing[event.priority].escalate.filter(include);
    if (steps.length === 0) return;
    this.cancelEscalation(event.alarmId);
    const pending = new Set<NodeJS.Timeout>();
    this.escalations.set(event.alarmId, pending);
    // Counted from the activation, so an event handled late does not delay its escalation.
    const elapsed = this.now() - event.ts;
    for (const step of steps) {
      const timer = setTimeout(
        () => {
          pending.delete(timer);
          if (pending.size === 0 && this.escalations.get(event.alarmId) === pending) {
            this.escalations.delete(event.alarmId);
          }
          this.guarded('escalation', () => this.escalate(event, team, step.to));
        },
        Math.max(0, step.after - elapsed),
      );
      timer.unref();
      pending.add(timer);
    }
  }

  private escalate(event: AlarmEvent, team: TeamRoute | undefined, level: string): void {
    const now = this.now();
    const people = this.roster.level(level, now);
    if (people.length === 0)
      this.log.warn({ level, alarm: event.alarmId }, 'nobody on duty at escalation level');
    const minutes = Math.round((now - event.ts) / 60_000);
    const message = composeEscalation(event, level, minutes, this.context());
    this.counters.escalationsFired++;
    this.log.info({ alarm: event.alarmId, level, minutes }, 'alarm escalated');
    // The level's people by e-mail, and the team's chat group so the shift sees it was escalated.
    this.send(message, team, people, this.escalationChannels(event.priority));
  }

  private escalationChannels(priority: Priority): ChannelKind[] {
    const routed = this.settings.routing[priority].channels;
    return [
      ...(this.settings.channels.email ? (['email'] as const) : []),
      'webhooks',
      ...(routed.includes('mqtt') ? (['mqtt'] as const) : []),
    ];
  }

  /** A timer callback that throws would take the gateway down: log it and carry on. */
  private guarded(what: string, work: () => void): void {
    try {
      work();
    } catch (err) {
      this.log.error({ err }, `notification ${what} failed`);
    }
  }

  // ---------------------------------------------------------------- flood

  private countActivation(event: AlarmEvent, team: TeamRoute | undefined): void {
    const now = this.now();
    this.recent.push({ at: now, event, team });
    this.pruneRecent(now);
    if (!this.flood && this.recent.length > this.settings.flood.count) this.startFlood(now);
  }

  private pruneRecent(now: number): void {
    const oldest = now - this.settings.flood.window;
    while (this.recent[0] && this.recent[0].at <= oldest) this.recent.shift();
  }

  /** The activations of the window so far were sent one by one; summaries count them too. */
  private startFlood(now: number): void {
    const timer = setInterval(
      () => this.guarded('flood summary', () => this.flushFlood()),
      this.settings.flood.flush,
    );
    timer.unref();
    const flood: Flood = { since: this.recent[0]?.at ?? now, teams: new Map(), timer };
    for (const { event, team } of this.recent.slice(0, -1)) this.floodBatch(flood, team).events.push(event);
    this.flood = flood;
    this.log.warn(
      { activations: this.recent.length, window: this.settings.flood.window },
      'alarm flood: single messages paused, summaries instead',
    );
  }

  private floodBatch(flood: Flood, team: TeamRoute | undefined): TeamFlood {
    return this.batchOf(flood.teams, team, () => ({ team, events: [], unsent: [], heldBack: false }));
  }

  private holdBack(flood: Flood, event: AlarmEvent, team: TeamRoute | undefined): void {
    const batch = this.floodBatch(flood, team);
    batch.events.push(event);
    batch.unsent.push(event);
    batch.heldBack = true;
    this.counters.suppressedByFlood++;
  }

  private flushFlood(): void {
    const flood = this.flood;
    if (!flood) return;
    const now = this.now();
    this.pruneRecent(now);
    const over = this.recent.length <= this.settings.flood.count;
    for (const batch of flood.teams.values()) {
      if (batch.unsent.length > 0 || (over && batch.heldBack)) this.sendFloodSummary(batch, now, over);
    }
    if (!over) return;
    clearInterval(flood.timer);
    this.flood = undefined;
    this.log.info({ since: new Date(flood.since).toISOString() }, 'alarm flood over: single messages resume');
  }

  private sendFloodSummary(batch: TeamFlood, now: number, over: boolean): void {
    // The span the alarms came in, not the quiet tail the window needs to see the flood is over.
    // reduce, not Math.min(...times): a spread of a very large flood overflows the stack.
    const window = {
      from: batch.events.reduce((t, e) => Math.min(t, e.ts), Number.POSITIVE_INFINITY),
      to: batch.events.reduce((t, e) => Math.max(t, e.ts), Number.NEGATIVE_INFINITY),
      over,
    };
    const audience = teamKey(batch.team);
    const message = composeFloodSummary(batch.events, window, audience, this.context(), batch.unsent);
    batch.unsent = [];
    this.counters.floodSummaries++;
    this.send(message, batch.team, this.onDuty(batch.team, now));
  }

  // ---------------------------------------------------------------- digests

  private startDigest(priority: Priority, period: number): void {
    const timer = setInterval(() => this.guarded('digest', () => this.flushDigest(priority)), period);
    timer.unref();
    this.digests.set(priority, { from: this.now(), batches: new Map(), timer });
  }

  private flushDigest(priority: Priority): void {
    const digest = this.digests.get(priority);
    if (!digest) return;
    const now = this.now();
    const period = { from: digest.from, to: now };
    digest.from = now;
    for (const batch of digest.batches.values()) {
      if (batch.events.length === 0) continue;
      const message = composeDigest(batch.events, period, teamKey(batch.team), this.context());
      this.counters.digests++;
      this.send(message, batch.team, this.onDuty(batch.team, now), this.settings.routing[priority].channels);
    }
    digest.batches.clear();
  }
}

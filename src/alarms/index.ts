/**
 * Alarms: rules from config/alarms.yaml applied to the live point values, with the ISA-18.2
 * lifecycle, a journal in SQLite, and a stream of events for the dashboard, MQTT and the
 * notifier.
 */
import { localClockOf } from '../clock/index.js';
import type { PlantConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { PointBus, PointValue } from '../points/index.js';
import { AlarmEngine } from './engine.js';
import { AlarmJournal, type HistoryQuery } from './journal.js';
import { expandRules } from './rules.js';
import type { AlarmEvent, AlarmListener, AlarmStatus } from './types.js';

export { ShelveLimitError, UnknownAlarmError } from './engine.js';
export { compileExpression, ExpressionError } from './expression.js';
export { AlarmJournal, type HistoryQuery } from './journal.js';
export { LifecycleError } from './lifecycle.js';
export { expandRules, type RuleProblem } from './rules.js';
export * from './types.js';

export interface AlarmStats {
  alarms: number;
  byState: Record<string, number>;
  /** Alarms not normal, by priority (shelved and out-of-service excluded). */
  activeByPriority: Record<string, number>;
  chattering: number;
  events: number;
  evaluations: number;
  evaluationErrors: number;
  /** Journal writes that failed (the events were announced all the same). */
  journalErrors: number;
}

export interface AlarmService {
  /** Alarms, most urgent first; by default only those not in the normal state. */
  list(options?: { includeNormal?: boolean }): AlarmStatus[];
  get(id: string): AlarmStatus | undefined;
  history(query: HistoryQuery): AlarmEvent[];
  acknowledge(id: string, user: string, comment?: string): AlarmEvent[];
  shelve(id: string, user: string, reason: string, durationMs: number): AlarmEvent[];
  unshelve(id: string, user: string, comment?: string): AlarmEvent[];
  removeFromService(id: string, user: string, reason: string): AlarmEvent[];
  returnToService(id: string, user: string, comment?: string): AlarmEvent[];
  subscribe(listener: AlarmListener): () => void;
  stats(): AlarmStats;
  readonly maxShelveMs: number;
  /** Follow the bus and the clock (idempotent). */
  start(): void;
  /** Stop following the bus and the clock: no new events, the API still answers. */
  stopInputs(): void;
  stop(): Promise<void>;
}

export interface StartAlarmsOptions {
  config: Pick<PlantConfig, 'alarms' | 'devices' | 'profiles' | 'sites'>;
  bus: PointBus;
  read: (id: string) => PointValue | undefined;
  log: Logger;
  /** Journal file; defaults to the config's settings.journal. */
  journalPath?: string;
  /** An already open journal (tests); takes precedence over journalPath. */
  journal?: AlarmJournal;
  now?: () => number;
}

/** Alarms following the bus and the clock at once (tests, tools): createAlarms + start. */
export function startAlarms(options: StartAlarmsOptions): AlarmService {
  const service = createAlarms(options);
  service.start();
  return service;
}

/**
 * The alarm system, not yet following the bus: subscribe the outputs (notifier, MQTT,
 * dashboard) first, then `start()`, so no event is produced before someone listens.
 */
export function createAlarms(options: StartAlarmsOptions): AlarmService {
  const { config, bus, read, log, journalPath, now } = options;
  const settings = config.alarms.settings;
  const { alarms, problems } = expandRules(config, config.alarms.rules, { timezone: settings.timezone });
  // The loader already refused these; a programmatic config must not half-run either.
  if (problems.length > 0)
    throw new Error(`invalid alarm rules:\n${problems.map((p) => p.message).join('\n')}`);
  const alarmLog = log.child({ component: 'alarms' });
  const journal = options.journal ?? new AlarmJournal(journalPath ?? settings.journal);
  const engine = new AlarmEngine({
    alarms,
    journal,
    read,
    log: alarmLog,
    chatter: settings.chatter,
    maxShelveMs: settings.maxShelve,
    minuteOfDay: (ts) => localClockOf(settings.timezone)(ts).minutes,
    ...(now ? { now } : {}),
  });
  engine.subscribe((event) => {
    const level = event.priority === 'critical' && event.kind === 'activated' ? 'warn' : 'info';
    alarmLog[level](
      { alarm: event.alarmId, kind: event.kind, to: event.to, value: event.value, user: event.user },
      event.message,
    );
  });
  let unsubscribe = () => {};
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    try {
      engine.tick();
    } catch (err) {
      // A timer callback that throws would take the gateway down with it.
      alarmLog.error({ err }, 'alarm tick failed');
    }
  };
  alarmLog.info({ alarms: alarms.length, rules: config.alarms.rules.length }, 'alarm rules loaded');

  return {
    list: ({ includeNormal = false } = {}) => engine.statuses({ includeNormal }),
    get: (id) => engine.status(id),
    history: (query) => journal.history(query),
    acknowledge: (id, user, comment) => engine.acknowledge(id, user, comment),
    shelve: (id, user, reason, durationMs) => engine.shelve(id, user, reason, durationMs),
    unshelve: (id, user, comment) => engine.unshelve(id, user, comment),
    removeFromService: (id, user, reason) => engine.removeFromService(id, user, reason),
    returnToService: (id, user, comment) => engine.returnToService(id, user, comment),
    subscribe: (listener) => engine.subscribe(listener),
    maxShelveMs: settings.maxShelve,
    stats: () => statsOf(engine),
    start() {
      if (timer) return;
      unsubscribe = bus.subscribe((values) => engine.onValues(values));
      timer = setInterval(tick, settings.tick);
      timer.unref();
    },
    stopInputs() {
      clearInterval(timer);
      unsubscribe();
    },
    async stop() {
      clearInterval(timer);
      unsubscribe();
      journal.close();
    },
  };
}

function statsOf(engine: AlarmEngine): AlarmStats {
  return {
    alarms: engine.size,
    ...engine.counts(),
    events: engine.events,
    evaluations: engine.evaluations,
    evaluationErrors: engine.evaluationErrors,
    journalErrors: engine.journalErrors,
  };
}

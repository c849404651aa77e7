/**
 * A Modbus line: the one owner of a serial port or gateway socket, shared by every unit id
 * behind it. Requests go out one at a time, with the configured silent interval between
 * frames, or on a TCP line with `maxInFlight` > 1 up to that many at once. The connection is
 * re-established with exponential backoff after any loss, for as long as the gateway runs;
 * queued work is dropped, never left to freeze.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ModbusLineConfig, RegisterTable } from '../../config/schema.js';
import { LineStats, type RequestCounters, type RequestStats, wireMillis } from './diagnostics.js';
import { PollClock } from './poll-clock.js';
import {
  createTransport,
  ModbusExceptionError,
  type ReadReply,
  type ReadResult,
  TimeoutError,
  type Transport,
} from './transport.js';

export class LineDownError extends Error {
  constructor(line: string, reason?: string) {
    super(`line ${line} is not connected${reason ? `: ${reason}` : ''}`);
    this.name = 'LineDownError';
  }
}

/** What a task may do while it holds the line. */
export interface LineIo {
  /** One read, retried after a timeout as configured; the outcome goes to `reply`, later. */
  read(table: RegisterTable, start: number, count: number, reply: ReadReply): void;
  /** The task is over (with what went wrong, if anything): the line may start the next. */
  finish(err?: Error): void;
}

/**
 * Work a device gives the line, made once and submitted again at every poll: at a thousand
 * polls a second, a promise and closures per poll were a good part of the gateway's garbage.
 */
export interface LineTask {
  unitId: number;
  stats: RequestStats;
  /** Start the work; it ends with `io.finish()`, once. */
  run(io: LineIo): void;
  /** Called once per submit: without an error when the task finished, else with what went wrong. */
  done(err?: Error): void;
}

/**
 * The line's side of a task, made once per task like the task itself: its io, and the one
 * request the task has in flight (it is the transport's reply for that request).
 */
interface TaskRun extends ReadReply {
  task: LineTask;
  io: LineIo;
  /** Between run() and finish(): a second finish, or one after a failure, is ignored. */
  running: boolean;
  /** The task's reply for the request in flight. */
  reply: ReadReply;
  sendNow: () => void;
  table: RegisterTable;
  start: number;
  count: number;
  /** Retries made so far, and when the request in flight was sent (performance.now()). */
  attempt: number;
  begin: number;
}

export type LineState = 'connecting' | 'connected' | 'disconnected' | 'stopped';

export interface LineSnapshot extends RequestCounters {
  id: string;
  transport: string;
  endpoint: string;
  state: LineState;
  queueLength: number;
  reconnects: number;
  overruns: number;
  /** Fraction of time the line was busy with requests over the last 10 s. */
  busy: number;
  /** Fraction of the serial wire's capacity used (serial and RTU-over-TCP with a baud rate). */
  wireUtilisation: number | undefined;
  lastError: string | undefined;
  /** While the line waits to reconnect: the wait it is in (ms), and when the next attempt is due. */
  reconnectDelayMs: number | undefined;
  nextAttemptAt: string | undefined;
  /** Code of ours that threw on an answer or an event of this line (logged): a bug, not the plant. */
  consumerErrors: number;
}

/** While a line waits to reconnect: how long that wait is, and when it ends (ms since the epoch). */
export interface ReconnectWait {
  delayMs: number;
  dueAt: number;
}

type LineEvents = { up: []; down: [reason: string] };

const OVERLOAD_LOG_INTERVAL_MS = 60_000;
const OVERLOAD_CHECK_MS = 100;
/** A TCP session that only times out is often half-dead (gateway rebooted): reopen it. */
const TIMEOUTS_BEFORE_RECONNECT = 3;

export class ModbusLine extends EventEmitter<LineEvents> {
  readonly stats = new LineStats();
  /** The timers of the polls on this line (polls due together start together). */
  readonly clock: PollClock;
  private readonly transport: Transport;
  private readonly queue: LineTask[] = [];
  private readonly runs = new WeakMap<LineTask, TaskRun>();
  private state: LineState = 'disconnected';
  private inFlight = 0;
  /** Up to when the current busy spell is counted (performance.now()), while inFlight > 0. */
  private busySince = 0;
  private readonly maxInFlight: number;
  /** A serial wire (RTU, or RTU over TCP with a baud rate) whose use is counted per request. */
  private readonly onSerialWire: boolean;
  private lastFrameEnd = 0;
  /** The wait before the next reconnection after this one (doubled at each failed attempt). */
  private reconnectDelay: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** The reconnection wait under way, if any. */
  private reconnectWait: ReconnectWait | undefined;
  private consecutiveTimeouts = 0;
  private lastOverloadLog = 0;
  /** When the load was last checked: a few times a second is enough, not at every answer. */
  private lastOverloadCheck = 0;
  private lastError: string | undefined;
  /** Devices were told the line is down (also when it never came up at start). */
  private downAnnounced = false;
  /** drain() is on the stack: a task finishing at once must not start another drain inside it. */
  private draining = false;

  constructor(
    readonly config: ModbusLineConfig,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    transport?: Transport,
  ) {
    super();
    // Every device on the line listens for up/down: a gateway with 20 units is not a leak.
    this.setMaxListeners(0);
    this.clock = new PollClock(now);
    this.maxInFlight = config.transport === 'tcp' ? config.maxInFlight : 1;
    this.onSerialWire = wireMillis(config, 'holding', 1) !== undefined;
    this.transport = transport ?? createTransport(config);
    this.reconnectDelay = config.backoff.initial;
    this.transport.onClose((reason) => this.lost(reason));
    this.transport.onFault((err) => this.consumerFailed(err, 'a consumer of a Modbus answer failed'));
  }

  get endpoint(): string {
    return this.config.transport === 'rtu' ? this.config.path : `${this.config.host}:${this.config.port}`;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  start(): void {
    if (this.state === 'stopped') return;
    void this.connect();
  }

  /** Run `task` when the line is free; done at once with LineDownError if the line is down. */
  submit(task: LineTask): void {
    if (this.state !== 'connected') {
      this.tell(task, new LineDownError(this.config.id));
      return;
    }
    this.queue.push(task);
    this.drain();
  }

  get queueLength(): number {
    return this.queue.length;
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.reconnectTimer);
    this.reconnectWait = undefined;
    this.failQueued();
    await this.transport.close();
  }

  snapshot(): LineSnapshot {
    const now = this.now();
    const utilisation = this.stats.utilisation(now);
    return {
      id: this.config.id,
      transport: this.config.transport,
      endpoint: this.endpoint,
      state: this.state,
      queueLength: this.queue.length,
      reconnects: this.stats.reconnects,
      overruns: this.stats.overruns,
      busy: utilisation.busy,
      wireUtilisation: this.onSerialWire ? utilisation.wire : undefined,
      lastError: this.lastError,
      reconnectDelayMs: this.reconnectWait?.delayMs,
      nextAttemptAt: this.reconnectWait && new Date(this.reconnectWait.dueAt).toISOString(),
      consumerErrors: this.stats.consumerErrors,
      ...this.stats.snapshot(now),
    };
  }

  /** The reconnection wait the line is in, undefined while connected or trying to connect. */
  waitingToReconnect(): ReconnectWait | undefined {
    return this.reconnectWait;
  }

  private async connect(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'connecting') return;
    this.state = 'connecting';
    this.reconnectWait = undefined;
    try {
      await this.transport.connect(Math.max(this.config.timeout * 3, 2000));
      if ((this.state as LineState) === 'stopped') {
        await this.transport.close();
        return;
      }
      this.state = 'connected';
      // The backoff is reset by the first answer, not here: a gateway that accepts and drops
      // every connection at once (its connection limit reached) is retried at the backoff's
      // pace, not every `backoff.initial`.
      this.consecutiveTimeouts = 0;
      this.lastError = undefined;
      this.log.info({ line: this.config.id, endpoint: this.endpoint }, 'Modbus line connected');
      this.downAnnounced = false;
      this.announce('up');
    } catch (err) {
      if ((this.state as LineState) === 'stopped') return;
      this.state = 'disconnected';
      this.noteError(err);
      this.announceDown(this.lastError ?? 'cannot connect');
      this.scheduleReconnect();
    }
  }

  private lost(reason: string): void {
    if (this.state !== 'connected') return;
    this.state = 'disconnected';
    this.lastError = reason;
    this.log.warn({ line: this.config.id, endpoint: this.endpoint, reason }, 'Modbus line lost');
    this.failQueued();
    this.announceDown(reason);
    this.scheduleReconnect();
  }

  private announceDown(reason: string): void {
    if (this.downAnnounced) return;
    this.downAnnounced = true;
    this.announce('down', reason);
  }

  /** Each listener told on its own: one that throws is reported, and the others still hear. */
  private announce<E extends keyof LineEvents>(event: E, ...args: LineEvents[E]): void {
    for (const listener of this.rawListeners(event) as ((...a: LineEvents[E]) => void)[]) {
      try {
        listener(...args);
      } catch (err) {
        this.consumerFailed(err, `a listener of the Modbus line's "${event}" event failed`);
      }
    }
  }

  /** Our own code threw on something the line handed it: logged and counted; the line goes on. */
  private consumerFailed(err: unknown, what: string): void {
    this.stats.consumerErrors++;
    this.log.error({ line: this.config.id, err: asError(err) }, what);
  }

  /** A task told it is over; what it throws is reported, and the line goes on with the next. */
  private tell(task: LineTask, err?: Error): void {
    try {
      task.done(err);
    } catch (thrown) {
      this.consumerFailed(thrown, 'a Modbus poll failed when told it was over');
    }
  }

  /** The connection answers: a later loss starts the reconnection backoff afresh. */
  private proven(): void {
    this.reconnectDelay = this.config.backoff.initial;
  }

  private scheduleReconnect(): void {
    if (this.state === 'stopped') return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.config.backoff.max);
    this.reconnectWait = { delayMs: delay, dueAt: this.now() + delay };
    this.stats.reconnects++;
    this.log.debug(
      { line: this.config.id, delayMs: delay, error: this.lastError },
      'Modbus line reconnect scheduled',
    );
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private noteError(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    // Log a failing line once per distinct error, not on every retry.
    if (message !== this.lastError) {
      this.log.warn(
        { line: this.config.id, endpoint: this.endpoint, err: message },
        'Modbus line cannot connect',
      );
    }
    this.lastError = message;
  }

  private failQueued(): void {
    const error = new LineDownError(this.config.id);
    for (const task of this.queue.splice(0)) this.tell(task, error);
  }

  /** Start queued tasks while the line has room for them (one, unless pipelining). */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.inFlight < this.maxInFlight) {
        const task = this.queue.shift();
        if (!task) return;
        if (this.state !== 'connected') {
          this.tell(task, new LineDownError(this.config.id));
          continue;
        }
        if (this.inFlight === 0) this.busySince = performance.now();
        this.inFlight++;
        const run = this.runOf(task);
        run.running = true;
        try {
          task.run(run.io);
        } catch (err) {
          this.finish(run, asError(err));
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private finish(run: TaskRun, err?: Error): void {
    if (!run.running) return;
    run.running = false;
    this.inFlight--;
    if (this.inFlight === 0) this.countBusy();
    this.tell(run.task, err);
    this.drain();
  }

  private runOf(task: LineTask): TaskRun {
    let run = this.runs.get(task);
    if (!run) {
      const made: TaskRun = {
        task,
        io: {
          read: (table, start, count, reply) => this.read(made, table, start, count, reply),
          finish: (err) => this.finish(made, err),
        },
        running: false,
        reply: NO_REPLY,
        sendNow: () => this.send(made),
        answered: (result) => this.answered(made, result),
        refused: (err) => this.refused(made, err),
        table: 'holding',
        start: 0,
        count: 0,
        attempt: 0,
        begin: 0,
      };
      run = made;
      this.runs.set(task, run);
    }
    return run;
  }

  /**
   * One read, retried after a timeout as configured. No promise and no closures per request
   * (this runs a thousand times a second): a task has one request at a time, so the request's
   * state lives on its run, which is also the transport's reply.
   */
  private read(run: TaskRun, table: RegisterTable, start: number, count: number, reply: ReadReply): void {
    run.reply = reply;
    run.table = table;
    run.start = start;
    run.count = count;
    run.attempt = 0;
    this.attempt(run);
  }

  private attempt(run: TaskRun): void {
    const wait =
      this.config.interFrameDelay > 0
        ? this.lastFrameEnd + this.config.interFrameDelay - performance.now()
        : 0;
    if (wait > 0) setTimeout(run.sendNow, wait);
    else this.send(run);
  }

  private send(run: TaskRun): void {
    if (this.state !== 'connected') {
      const err = new LineDownError(this.config.id);
      queueMicrotask(() => this.deliver(run, undefined, err));
      return;
    }
    const started = this.now();
    run.begin = performance.now();
    this.stats.recordRequest(started);
    run.task.stats.recordRequest(started);
    this.transport.read(run.task.unitId, run.table, run.start, run.count, run);
  }

  private answered(run: TaskRun, result: ReadResult): void {
    const ms = performance.now() - run.begin;
    this.stats.recordResponse(ms);
    run.task.stats.recordResponse(ms);
    this.consecutiveTimeouts = 0;
    this.proven();
    this.requestEnded(run);
    this.deliver(run, result);
  }

  /**
   * A failed request: counted, then retried if it timed out and retries are left, else passed
   * on. One the connection's loss failed is the line's failure, not the device's: passed on as
   * LineDownError, with the reason.
   */
  private refused(run: TaskRun, err: Error): void {
    this.recordFailure(run.task, err);
    this.requestEnded(run);
    if (this.state !== 'connected' && !(err instanceof TimeoutError)) {
      this.deliver(run, undefined, new LineDownError(this.config.id, err.message));
      return;
    }
    if (!(err instanceof TimeoutError) || run.attempt >= this.config.retries || this.state !== 'connected') {
      this.deliver(run, undefined, err);
      return;
    }
    run.attempt++;
    this.attempt(run);
  }

  /** The outcome to the task; a task that throws on it has failed (reported), and the line moves on. */
  private deliver(run: TaskRun, result: ReadResult | undefined, err?: Error): void {
    if (!run.running) return;
    try {
      if (result) run.reply.answered(result);
      else run.reply.refused(err ?? new Error('no answer'));
    } catch (thrown) {
      this.consumerFailed(thrown, 'a Modbus poll failed on its answer');
      this.finish(run, asError(thrown));
    }
  }

  private requestEnded(run: TaskRun): void {
    const end = performance.now();
    const now = this.now();
    this.lastFrameEnd = end;
    if (this.onSerialWire) this.stats.recordWire(now, wireMillis(this.config, run.table, run.count));
    this.countBusy(now, end);
  }

  /**
   * Count the line busy from where it was last counted until now: at every answer, so that a
   * line that is never idle still shows, and once more when its last poll ends. Overlapping
   * pipelined requests are counted once.
   */
  private countBusy(now = this.now(), t = performance.now()): void {
    this.stats.recordBusy(now, t - this.busySince);
    this.busySince = t;
    this.warnIfOverloaded(now);
  }

  private recordFailure(task: LineTask, err: unknown): void {
    if (err instanceof ModbusExceptionError) {
      this.stats.recordException(err.code);
      task.stats.recordException(err.code);
      this.consecutiveTimeouts = 0;
      this.proven();
      return;
    }
    if (err instanceof TimeoutError) {
      this.stats.recordTimeout();
      task.stats.recordTimeout();
      this.consecutiveTimeouts++;
      if (this.consecutiveTimeouts >= TIMEOUTS_BEFORE_RECONNECT && this.config.transport !== 'rtu') {
        this.consecutiveTimeouts = 0;
        // Mark the line down first, so queued polls fail as "line down", not as dead devices.
        this.lost('no answer to several requests: reopening the connection');
        void this.transport.close();
      }
      return;
    }
    this.stats.recordOtherError();
    task.stats.recordOtherError();
  }

  private warnIfOverloaded(now: number): void {
    if (
      now - this.lastOverloadCheck < OVERLOAD_CHECK_MS ||
      now - this.lastOverloadLog < OVERLOAD_LOG_INTERVAL_MS
    )
      return;
    this.lastOverloadCheck = now;
    const { busy, wire } = this.stats.utilisation(now);
    const load = Math.max(busy, wire ?? 0);
    if (load < 0.9) return;
    this.lastOverloadLog = now;
    this.log.warn(
      { line: this.config.id, busy, wireUtilisation: wire, overruns: this.stats.overruns },
      'Modbus line overloaded: polls will be late; lengthen poll periods or split the line',
    );
  }
}

/** A run's reply before its first request. */
const NO_REPLY: ReadReply = { answered() {}, refused() {} };

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

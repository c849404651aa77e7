/**
 * The gateway child of `large-plant.bench.ts`: Plantwatch's Modbus acquisition
 * (`startModbus`) on the large plant, onto a PointBus with one counting consumer, alone in
 * its process so that its CPU and RSS are its own. Run as compiled JavaScript (the bench
 * transpiles it and its imports first), as the gateway runs in production, not through tsx.
 * Driven over IPC:
 *   argv[2]: JSON { ports }
 *   → { type: 'ready' }                 (every line connected)
 *   ← { type: 'window-start' }          (counters and CPU from now)
 *   ← { type: 'window-end' }  → { type: 'result', … }  (after the window's last polls are in)
 *   ← { type: 'stop' }                  (stops acquisition, exits: a --cpu-prof profile is written)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { pollPhase, startModbus } from '../../src/acquisition/modbus/index.js';
import type { ModbusDeviceConfig } from '../../src/config/schema.js';
import { PointBus } from '../../src/points/index.js';
import { largePlant, POLL_MS, REGISTERS } from './plant.js';

export interface GatewayResult {
  type: 'result';
  windowMs: number;
  cpuUserMicros: number;
  cpuSystemMicros: number;
  rssMaxBytes: number;
  rssEndBytes: number;
  heapUsedEndBytes: number;
  heapTotalEndBytes: number;
  /** Memory outside the JS heap held by JS objects (Buffers and other ArrayBuffers). */
  externalEndBytes: number;
  /** Heap used after a full collection at the end (what is live, not garbage waiting). */
  heapLiveEndBytes: number;
  rssAfterGcBytes: number;
  /** Scheduled poll time → values decoded, over every poll due in the window. */
  delayMs: { p50: number; p90: number; p99: number; max: number };
  /** Polls due in the window (devices × periods) and those that delivered values. */
  slotsDue: number;
  slotsPolled: number;
  /** Ticks skipped because the previous poll was still queued (the line's overruns). */
  overruns: number;
  /** Gateway-side: request frames sent, responses, timeouts, exceptions, other errors. */
  requests: number;
  responses: number;
  timeouts: number;
  exceptions: number;
  otherErrors: number;
  /** Values on the bus with a read time inside the window, and the registers they came from. */
  points: number;
  registers: number;
  notGood: number;
  /** How late the event loop ran a timer, p99 (ms beyond the sampling interval). */
  eventLoopP99Ms: number;
  /** CPU-seconds in the window: the main (JavaScript) thread's user and kernel time, and every other thread's (GC, compiler, libuv). */
  threads: ThreadTimes;
}

export interface ThreadTimes {
  mainUser: number;
  mainSystem: number;
  others: number;
}

/** Per-thread CPU from /proc (Linux), in seconds: where the process's time goes. */
function threadTimes(): ThreadTimes {
  const times: ThreadTimes = { mainUser: 0, mainSystem: 0, others: 0 };
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the parenthesised name: state is field 3, utime 14, stime 15 (clock ticks).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [user, system] = [Number(fields[11]) / 100, Number(fields[12]) / 100];
      if (Number(tid) === process.pid) {
        times.mainUser = user;
        times.mainSystem = system;
      } else times.others += user + system;
    }
  } catch {
    // not Linux: the split stays 0
  }
  return times;
}

const { ports, maxInFlight } = JSON.parse(process.argv[2] ?? '{}') as {
  ports: number[];
  maxInFlight: number;
};
const config = largePlant(ports, undefined, maxInFlight);
const log = pino({ level: 'warn' }, pino.destination(2));
const bus = new PointBus(log);

// Each poller's schedule: origin + its phase (pollPhase) × period, then every period
// (DevicePoller.start, stagger window 5 s > 1 s). The clock is held still while startModbus
// runs, so every poller takes the same origin, known here.
const origin = Date.now();
let starting = true;
const now = () => (starting ? origin : Date.now());
const offset = new Map<string, number>();
config.lines.forEach((line, lineIndex) => {
  const onLine = config.devices.filter((d) => (d as ModbusDeviceConfig).modbus?.line === line.id);
  onLine.forEach((d, i) => {
    offset.set(d.id, origin + pollPhase(line, lineIndex, config.lines.length, i, onLine.length) * POLL_MS);
  });
});
const modbus = startModbus({ config, bus, log, now });
starting = false;

// ------------------------------------------------------------- the counting consumer
let windowStart = Number.POSITIVE_INFINITY;
let windowEnd = Number.POSITIVE_INFINITY;
let points = 0;
let notGood = 0;
let batches = 0;
const delays: number[] = [];
let slotsPolled = 0;

/**
 * Each device's schedule and the last slot it answered, found by its batch's first point id
 * (the poller's own string), in one lookup per batch: slicing the device out of the id, and
 * two maps, were the consumer's cost, counted as the gateway's.
 */
interface Schedule {
  base: number | undefined;
  lastSlot: number;
}
const schedules = new Map<string, Schedule>();
const scheduleOf = (id: string): Schedule => {
  let schedule = schedules.get(id);
  if (!schedule) {
    schedule = { base: offset.get(id.slice(0, id.indexOf('.'))), lastSlot: -1 };
    schedules.set(id, schedule);
  }
  return schedule;
};

bus.subscribe((values) => {
  const first = values[0];
  if (!first) return;
  const ts = first.ts;
  if (ts >= windowStart && ts < windowEnd) {
    points += values.length;
    if (first.quality !== 'comm-error') batches++;
    for (const v of values) if (v.quality !== 'good') notGood++;
  }
  const schedule = scheduleOf(first.id);
  const base = schedule.base;
  if (base === undefined || first.quality === 'comm-error') return;
  // The slot this read answers: the latest due time at or before it (a read more than a period
  // late lands in the next slot, and its own slot counts as missed).
  const slot = Math.floor((ts - base) / POLL_MS);
  const due = base + slot * POLL_MS;
  if (due < windowStart || due >= windowEnd) return;
  if (schedule.lastSlot === slot) return;
  schedule.lastSlot = slot;
  slotsPolled++;
  delays.push(ts - due);
});

// ------------------------------------------------------------- measurement
// The event loop's delay, sampled by a timer of its own every 100 ms: at Node's default 10 ms
// the bench's own timer woke this process 100 times a second, about 7 % of the CPU measured
// (interleaved runs, 2026-12-02), charged to the gateway it measures.
const LOOP_SAMPLE_MS = 100;
const loop = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
let cpuAtStart = process.cpuUsage();
let threadsAtStart = threadTimes();
let linesAtStart = modbus.lines();
let rssMax = 0;
let rssTimer: NodeJS.Timeout | undefined;
const sampleRss = () => {
  rssMax = Math.max(rssMax, process.memoryUsage.rss());
};

const sum = (key: 'requests' | 'responses' | 'timeouts' | 'otherErrors' | 'overruns') =>
  modbus.lines().reduce((s, l) => s + l[key], 0) - linesAtStart.reduce((s, l) => s + l[key], 0);
const exceptionCount = (lines: ReturnType<typeof modbus.lines>) =>
  lines.reduce((s, l) => s + Object.values(l.exceptions).reduce((a, b) => a + b, 0), 0);

/** Nearest-rank percentile of a sorted array. */
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

/** Polls due in [windowStart, windowEnd) over every device. */
function slotsDue(): number {
  let due = 0;
  for (const base of offset.values())
    due += Math.ceil((windowEnd - base) / POLL_MS) - Math.ceil((windowStart - base) / POLL_MS);
  return due;
}

// BENCH_HEAP_SAMPLE=<file>: V8's sampling heap profiler over the window, counting what was
// allocated, collected or not (where the garbage comes from), written as a .heapprofile.
const heapSampleFile = process.env.BENCH_HEAP_SAMPLE;
const inspector = heapSampleFile ? new Session() : undefined;
inspector?.connect();

process.on('message', (message: { type: string }) => {
  if (message.type === 'window-start') {
    void inspector?.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    windowStart = Date.now();
    cpuAtStart = process.cpuUsage();
    threadsAtStart = threadTimes();
    linesAtStart = modbus.lines();
    loop.enable();
    loop.reset();
    rssMax = 0;
    sampleRss();
    rssTimer = setInterval(sampleRss, 1000);
  } else if (message.type === 'window-end') {
    windowEnd = Date.now();
    const cpu = process.cpuUsage(cpuAtStart);
    const threadsAtEnd = threadTimes();
    sampleRss();
    clearInterval(rssTimer);
    loop.disable();
    const lines = modbus.lines();
    const counters = {
      requests: sum('requests'),
      responses: sum('responses'),
      timeouts: sum('timeouts'),
      otherErrors: sum('otherErrors'),
      overruns: sum('overruns'),
      exceptions: exceptionCount(lines) - exceptionCount(linesAtStart),
    };
    const memory = process.memoryUsage();
    if (inspector && heapSampleFile)
      void inspector
        .post('HeapProfiler.stopSampling')
        .then(({ profile }) => writeFileSync(heapSampleFile, JSON.stringify(profile)));
    // The window's last polls answer up to a period (and a round trip) after it ends.
    setTimeout(() => {
      // The child runs with --expose-gc: a full collection shows what is live.
      (globalThis as { gc?: () => void }).gc?.();
      const sorted = delays.sort((a, b) => a - b);
      const result: GatewayResult = {
        type: 'result',
        windowMs: windowEnd - windowStart,
        cpuUserMicros: cpu.user,
        cpuSystemMicros: cpu.system,
        rssMaxBytes: rssMax,
        rssEndBytes: memory.rss,
        heapUsedEndBytes: memory.heapUsed,
        heapTotalEndBytes: memory.heapTotal,
        externalEndBytes: memory.external,
        heapLiveEndBytes: process.memoryUsage().heapUsed,
        rssAfterGcBytes: process.memoryUsage.rss(),
        delayMs: {
          p50: percentile(sorted, 50),
          p90: percentile(sorted, 90),
          p99: percentile(sorted, 99),
          max: sorted[sorted.length - 1] ?? 0,
        },
        slotsDue: slotsDue(),
        slotsPolled,
        ...counters,
        points,
        registers: batches * REGISTERS,
        notGood,
        // The histogram holds each interval between samples: the delay is what exceeds it.
        eventLoopP99Ms: Math.max(0, loop.percentile(99) / 1e6 - LOOP_SAMPLE_MS),
        threads: {
          mainUser: threadsAtEnd.mainUser - threadsAtStart.mainUser,
          mainSystem: threadsAtEnd.mainSystem - threadsAtStart.mainSystem,
          others: threadsAtEnd.others - threadsAtStart.others,
        },
      };
      process.send?.(result);
    }, POLL_MS + 1000);
  } else if (message.type === 'stop') {
    void modbus.stop().finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

// Ready once every line is connected.
const waitConnected = setInterval(() => {
  if (modbus.lines().every((l) => l.state === 'connected')) {
    clearInterval(waitConnected);
    process.send?.({ type: 'ready' });
  }
}, 100);

/**
 * The equipment operation log of the hospital's accreditation file: for one device and one
 * shift, how long it ran and how often it started and stopped, the range of each measured
 * value, what its counters added, and every alarm it raised (who acknowledged it, when it
 * cleared), all read back from the time-series store and the alarm journal.
 */
import type { AlarmEvent, HistoryQuery, Priority } from '../alarms/index.js';
import type { PointInfo } from '../points/index.js';
import type { SeriesPoint, TimeSeriesStore } from '../storage/index.js';

export interface Shift {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /** As the hospital names it, e.g. "Day shift 2026-07-14". */
  label: string;
}

export interface OperationLogValue {
  point: string;
  label: string;
  labelZh?: string;
  unit: string;
  min: number | null;
  max: number | null;
  mean: number | null;
  samples: number;
}

export interface OperationLogCounter {
  point: string;
  label: string;
  labelZh?: string;
  unit: string;
  /** First and last readings inside the shift; null without any. */
  first: number | null;
  last: number | null;
  /** What the counter added during the shift (a wrap or meter change does not count as negative). */
  rise: number | null;
}

export interface OperationLogAlarm {
  alarmId: string;
  priority: Priority;
  message: string;
  messageZh?: string;
  activatedAt: number;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  comment?: string;
  /** When the condition went away. */
  returnedAt?: number;
  /** When the alarm was back to normal (condition gone and acknowledged). */
  clearedAt?: number;
}

export interface OperationLogRunning {
  /** Time with running = true inside the shift, from the samples (the state at the shift's start included). */
  runHours: number | null;
  /** Rise of the device's own run-hours counter over the shift. */
  meterRunHours: number | null;
  starts: number;
  stops: number;
}

export interface OperationLog {
  device: string;
  deviceName: string;
  equipment: string;
  building: string;
  room: string;
  buildingName?: string;
  roomName?: string;
  /** The names' Chinese variants, when configured. */
  deviceNameZh?: string;
  buildingNameZh?: string;
  roomNameZh?: string;
  shift: Shift;
  /** Null for a device without a running point (a meter, a station). */
  running: OperationLogRunning | null;
  /** Analog points that are not counters. */
  values: OperationLogValue[];
  counters: OperationLogCounter[];
  /** Alarms of this device raised during the shift, or still open into it, oldest first. */
  alarms: OperationLogAlarm[];
  /** Share of the shift (0..1) covered by the device's samples. */
  dataCoverage: number;
}

export interface OperationLogSources {
  store: TimeSeriesStore;
  alarms: { history(q: HistoryQuery): AlarmEvent[] };
  catalog: ReadonlyMap<string, PointInfo>;
}

const HOUR_MS = 3_600_000;
/** A sample stands for this many of the point's sampling periods, as the gateway's stale rule says. */
const PERIODS_HELD = 3;
/** How long one sample stands when the shift holds too few samples to see the period. */
const DEFAULT_HOLD_MS = 5 * 60_000;
/** Journal events read per query: far more than one device raises in a shift. */
const EVENT_LIMIT = 10_000;
const OPEN_STATES: readonly AlarmEvent['to'][] = [
  'active-unacknowledged',
  'active-acknowledged',
  'returned-unacknowledged',
];

export async function operationLog(
  sources: OperationLogSources,
  device: string,
  shift: Shift,
): Promise<OperationLog> {
  if (!(Number.isFinite(shift.from) && Number.isFinite(shift.to) && shift.to > shift.from))
    throw new Error(`operation log of ${device}: the shift must end after it starts (${shift.label})`);
  const points = [...sources.catalog.values()].filter((p) => p.device === device);
  const first = points[0];
  if (!first) throw new Error(`operation log: unknown device "${device}" (not in the point catalog)`);

  const runningPoint = points.find((p) => p.name === 'running' && p.kind === 'state');
  const counterPoints = points.filter((p) => p.counter);
  const valuePoints = points.filter((p) => p.kind === 'analog' && !p.counter);
  // The running state when there is one; else a measured value shows when the device reported.
  const reference = runningPoint ?? valuePoints[0] ?? first;

  const raw = (point: string) => rawSamples(sources.store, point, shift.from, shift.to);
  const [referenceSamples, counters, values] = await Promise.all([
    raw(reference.id),
    Promise.all(counterPoints.map(async (p) => counterSummary(p, await raw(p.id)))),
    Promise.all(valuePoints.map((p) => valueSummary(sources.store, p, shift))),
  ]);
  const holdMs = holdOf(referenceSamples);
  const carried = await carriedIn(sources.store, reference.id, shift.from, holdMs);

  let running: OperationLogRunning | null = null;
  if (runningPoint) {
    const meter = counters.find((c) => c.point === 'run_hours');
    running = {
      ...runningOf(referenceSamples, carried, shift, holdMs),
      meterRunHours: meter?.rise ?? null,
    };
  }

  return {
    device,
    deviceName: first.deviceName,
    equipment: first.equipment,
    building: first.building,
    room: first.room,
    ...(first.buildingName !== undefined ? { buildingName: first.buildingName } : {}),
    ...(first.roomName !== undefined ? { roomName: first.roomName } : {}),
    ...(first.deviceNameZh ? { deviceNameZh: first.deviceNameZh } : {}),
    ...(first.buildingNameZh ? { buildingNameZh: first.buildingNameZh } : {}),
    ...(first.roomNameZh ? { roomNameZh: first.roomNameZh } : {}),
    shift,
    running,
    values,
    counters,
    alarms: alarmsOf(sources.alarms, device, shift),
    dataCoverage: coverageOf(referenceSamples, carried !== undefined, shift, holdMs),
  };
}

/** Samples with a value, oldest first. */
async function rawSamples(store: TimeSeriesStore, point: string, from: number, to: number) {
  const rows = await store.query({ point, from, to, aggregate: 'raw' });
  return rows.filter((r): r is SeriesPoint & { value: number } => r.value !== null);
}

/** The last value of a point within `holdMs` before the shift, if there is one. */
async function carriedIn(store: TimeSeriesStore, point: string, from: number, holdMs: number) {
  const [last] = await store.query({
    point,
    from: from - holdMs,
    to: from,
    aggregate: 'last',
    windowMs: holdMs,
  });
  return last?.value ?? undefined;
}

/** How long a sample stands: a few of the point's own sampling periods (the median gap). */
function holdOf(samples: readonly { ts: number }[]): number {
  if (samples.length < 2) return DEFAULT_HOLD_MS;
  const gaps = samples
    .slice(1)
    .map((s, i) => s.ts - (samples[i] as { ts: number }).ts)
    .sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)] as number;
  return PERIODS_HELD * Math.max(1, median);
}

function runningOf(
  samples: readonly { ts: number; value: number }[],
  carried: number | undefined,
  shift: Shift,
  holdMs: number,
): Omit<OperationLogRunning, 'meterRunHours'> {
  if (samples.length === 0 && carried === undefined) return { runHours: null, starts: 0, stops: 0 };
  let runMs = 0;
  let starts = 0;
  let stops = 0;
  // The state carried in stands from the shift's start, as long as a sample would.
  let state = carried === undefined ? undefined : carried !== 0;
  let since = shift.from;
  let limit = shift.from + holdMs;
  for (const sample of samples) {
    if (state) runMs += Math.min(sample.ts, limit) - since;
    const next = sample.value !== 0;
    if (state !== undefined && next !== state) {
      if (next) starts++;
      else stops++;
    }
    state = next;
    since = sample.ts;
    limit = sample.ts + holdMs;
  }
  if (state) runMs += Math.max(0, Math.min(shift.to, limit) - since);
  return { runHours: runMs / HOUR_MS, starts, stops };
}

function counterSummary(point: PointInfo, samples: readonly { value: number }[]): OperationLogCounter {
  let rise = 0;
  for (let i = 1; i < samples.length; i++) {
    const step = (samples[i] as { value: number }).value - (samples[i - 1] as { value: number }).value;
    // A counter that falls wrapped at its register's ceiling or was replaced: no negative use.
    if (step > 0) rise += step;
  }
  const some = samples.length > 0;
  return {
    point: point.name,
    label: point.label,
    ...(point.labelZh ? { labelZh: point.labelZh } : {}),
    unit: point.unit,
    first: samples[0]?.value ?? null,
    last: samples.at(-1)?.value ?? null,
    rise: some ? rise : null,
  };
}

async function valueSummary(
  store: TimeSeriesStore,
  point: PointInfo,
  shift: Shift,
): Promise<OperationLogValue> {
  const windowMs = shift.to - shift.from;
  const one = async (aggregate: 'min' | 'max' | 'mean') =>
    (await store.query({ point: point.id, from: shift.from, to: shift.to, aggregate, windowMs }))[0];
  const [min, max, mean] = await Promise.all([one('min'), one('max'), one('mean')]);
  return {
    point: point.name,
    label: point.label,
    ...(point.labelZh ? { labelZh: point.labelZh } : {}),
    unit: point.unit,
    min: min?.value ?? null,
    max: max?.value ?? null,
    mean: mean?.value ?? null,
    samples: mean?.count ?? 0,
  };
}

/** Time covered by samples, each standing until the next or for `holdMs`, whichever comes first. */
function coverageOf(
  samples: readonly { ts: number }[],
  carriedIn: boolean,
  shift: Shift,
  holdMs: number,
): number {
  let covered = 0;
  const firstTs = samples[0]?.ts ?? shift.to;
  if (carriedIn) covered += Math.min(firstTs, shift.from + holdMs) - shift.from;
  samples.forEach((sample, i) => {
    const next = samples[i + 1]?.ts ?? shift.to;
    covered += Math.min(next, sample.ts + holdMs) - sample.ts;
  });
  return Math.min(1, Math.max(0, covered / (shift.to - shift.from)));
}

/** Each activation of the device's alarms in the shift or still open at its start, with what followed in the shift. */
function alarmsOf(journal: OperationLogSources['alarms'], device: string, shift: Shift): OperationLogAlarm[] {
  const events = journal.history({ device, from: shift.from, to: shift.to, limit: EVENT_LIMIT });
  // Open at the start: the last event before the shift left the alarm active or unacknowledged.
  const latestBefore = new Map<string, AlarmEvent>();
  for (const event of journal.history({ device, to: shift.from, limit: EVENT_LIMIT })) {
    if (!latestBefore.has(event.alarmId)) latestBefore.set(event.alarmId, event); // newest first
  }
  for (const [alarmId, latest] of latestBefore) {
    if (!OPEN_STATES.includes(latest.to)) continue;
    const [activation] = journal.history({ alarm: alarmId, kind: ['activated'], to: shift.from, limit: 1 });
    if (activation)
      events.push(
        ...journal.history({ alarm: alarmId, from: activation.ts, to: shift.from, limit: EVENT_LIMIT }),
      );
  }

  const occurrences: OperationLogAlarm[] = [];
  const current = new Map<string, OperationLogAlarm>();
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    if (event.kind === 'activated') {
      const occurrence: OperationLogAlarm = {
        alarmId: event.alarmId,
        priority: event.priority,
        message: event.message,
        ...(event.messageZh ? { messageZh: event.messageZh } : {}),
        activatedAt: event.ts,
      };
      occurrences.push(occurrence);
      current.set(event.alarmId, occurrence);
      continue;
    }
    const occurrence = current.get(event.alarmId);
    if (!occurrence) continue; // what followed an activation the journal no longer holds
    if (event.kind === 'acknowledged' && occurrence.acknowledgedAt === undefined) {
      occurrence.acknowledgedAt = event.ts;
      if (event.user !== undefined) occurrence.acknowledgedBy = event.user;
      if (event.comment !== undefined) occurrence.comment = event.comment;
    }
    if (event.kind === 'returned' || event.kind === 'cleared') occurrence.returnedAt ??= event.ts;
    if (event.to === 'normal') {
      occurrence.clearedAt ??= event.ts;
      current.delete(event.alarmId);
    }
  }
  return occurrences.sort((a, b) => a.activatedAt - b.activatedAt);
}

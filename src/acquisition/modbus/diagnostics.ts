/**
 * Per line and per device figures an integrator asks for: requests/s, response times,
 * timeouts and exceptions, and for serial lines how much of the wire is in use
 * (a 9600-baud RS-485 line fits only ~15 twenty-register reads a second).
 */
import type { ModbusLineConfig } from '../../config/schema.js';

const WINDOW_MS = 10_000;

/** Sums over the last WINDOW_MS in one-second buckets: cheap and bounded. */
class RollingSum {
  private readonly buckets = new Float64Array(WINDOW_MS / 1000);
  private bucketSecond = 0;
  private firstSecond: number | undefined;

  add(now: number, amount: number): void {
    this.advance(now);
    const i = this.bucketSecond % this.buckets.length;
    this.buckets[i] = (this.buckets[i] ?? 0) + amount;
  }

  /** Per-second rate over the window (or over the time since the first sample, if shorter). */
  rate(now: number): number {
    this.advance(now);
    let sum = 0;
    for (const b of this.buckets) sum += b;
    const seconds = Math.min(this.buckets.length, Math.floor(now / 1000) - (this.firstSecond ?? 0) + 1);
    return sum / Math.max(1, seconds);
  }

  private advance(now: number): void {
    const second = Math.floor(now / 1000);
    this.firstSecond ??= second;
    if (second - this.bucketSecond >= this.buckets.length) this.buckets.fill(0);
    else for (let s = this.bucketSecond + 1; s <= second; s++) this.buckets[s % this.buckets.length] = 0;
    this.bucketSecond = Math.max(this.bucketSecond, second);
  }
}

export interface RequestCounters {
  requests: number;
  responses: number;
  timeouts: number;
  exceptions: Record<string, number>;
  otherErrors: number;
  meanResponseMs: number;
  maxResponseMs: number;
  requestsPerSecond: number;
}

export class RequestStats {
  requests = 0;
  responses = 0;
  timeouts = 0;
  otherErrors = 0;
  readonly exceptions: Record<string, number> = {};
  private responseMsTotal = 0;
  private maxResponseMs = 0;
  private readonly rate = new RollingSum();

  recordRequest(now: number): void {
    this.requests++;
    this.rate.add(now, 1);
  }

  recordResponse(ms: number): void {
    this.responses++;
    this.responseMsTotal += ms;
    this.maxResponseMs = Math.max(this.maxResponseMs, ms);
  }

  recordTimeout(): void {
    this.timeouts++;
  }

  recordException(code: number): void {
    this.exceptions[code] = (this.exceptions[code] ?? 0) + 1;
  }

  recordOtherError(): void {
    this.otherErrors++;
  }

  snapshot(now: number): RequestCounters {
    return {
      requests: this.requests,
      responses: this.responses,
      timeouts: this.timeouts,
      exceptions: { ...this.exceptions },
      otherErrors: this.otherErrors,
      meanResponseMs: this.responses ? round(this.responseMsTotal / this.responses) : 0,
      maxResponseMs: round(this.maxResponseMs),
      requestsPerSecond: round(this.rate.rate(now)),
    };
  }
}

/** Time on the wire of one read: request (8 bytes) + response + two 3.5-character silences. */
export function wireMillis(line: ModbusLineConfig, table: string, count: number): number | undefined {
  const baud = line.transport === 'tcp' ? undefined : line.baudRate;
  if (!baud) return undefined;
  const dataBits = line.transport === 'rtu' ? line.dataBits : 8;
  const parityBits = line.transport === 'rtu' && line.parity !== 'none' ? 1 : 0;
  const stopBits = line.transport === 'rtu' ? line.stopBits : 1;
  const bitsPerChar = 1 + dataBits + parityBits + stopBits;
  const payload = table === 'coil' || table === 'discrete' ? Math.ceil(count / 8) : count * 2;
  const chars = 8 + (5 + payload) + 2 * 3.5;
  return (chars * bitsPerChar * 1000) / baud;
}

export class LineStats extends RequestStats {
  private readonly busy = new RollingSum();
  private readonly wire = new RollingSum();
  reconnects = 0;
  overruns = 0;
  /** Our code threw on an answer or an event of the line (see ModbusLine.consumerFailed). */
  consumerErrors = 0;

  /**
   * A spell the line was held (from a poll starting on an idle line until no poll is left
   * in flight), waiting included: what limits a shared line. Pipelined requests overlap, so
   * the line counts its busy spells, not the sum of its requests' times.
   */
  recordBusy(now: number, ms: number): void {
    this.busy.add(now, ms);
  }

  /** The serial wire's time for one request and its answer at the line's baud rate. */
  recordWire(now: number, wireMs: number | undefined): void {
    if (wireMs !== undefined) this.wire.add(now, wireMs);
  }

  /** Fraction of the last 10 s the line was busy, and of the serial wire's capacity. */
  utilisation(now: number): { busy: number; wire: number | undefined } {
    return { busy: round(this.busy.rate(now) / 1000), wire: round(this.wire.rate(now) / 1000) };
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;

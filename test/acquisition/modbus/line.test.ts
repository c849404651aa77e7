/**
 * A Modbus line's contract with the tasks that use it, against a real Modbus TCP server on
 * loopback: a task's reads answer it later (never from inside read()), once each; a task that
 * fails on an answer fails alone and the line goes on with the next; a line that is down
 * says so to every read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RequestStats } from '../../../src/acquisition/modbus/diagnostics.js';
import {
  LineDownError,
  type LineIo,
  type LineTask,
  ModbusLine,
} from '../../../src/acquisition/modbus/line.js';
import type { ReadResult } from '../../../src/acquisition/modbus/transport.js';
import { silentLogger } from '../../../src/log/index.js';
import { startFailingGateway } from '../../helpers/failing-gateway.js';
import { startTcpDevice } from '../../helpers/modbus-tcp-device.js';
import { plantConfig } from '../../helpers/plant-config.js';
import { watchCrashes } from '../../helpers/reliability.js';
import { until } from '../../helpers/wait.js';

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

function lineTo(port: number, maxInFlight = 1): ModbusLine {
  const config = plantConfig({
    lines: [{ id: 'gw', transport: 'tcp', host: '127.0.0.1', port, timeout: 300, retries: 0, maxInFlight }],
    profiles: [],
    devices: [],
  });
  const line = new ModbusLine(config.lines[0] as ModbusLine['config'], silentLogger());
  running.push(line);
  line.start();
  return line;
}

interface Outcome {
  /** Each read's result (copied: the line lends its array) or error, in order. */
  replies: (number[] | Error)[];
  /** What the line said when the task was over. */
  done: (Error | undefined)[];
  /** Replies that came while read() was still on the stack. */
  synchronous: number;
}

/**
 * A task that reads `reads` blocks of unit 1, one after another, and then finishes; with
 * `throwOnAnswer` it throws on its first answer instead, as a task with a bug would.
 */
function readingTask(reads: [number, number][], throwOnAnswer = false): { task: LineTask; outcome: Outcome } {
  const outcome: Outcome = { replies: [], done: [], synchronous: 0 };
  let io: LineIo | undefined;
  let next = 0;
  let inRead = false;
  const readNext = () => {
    const block = reads[next++];
    if (!block || !io) return io?.finish();
    inRead = true;
    io.read('holding', block[0], block[1], reply);
    inRead = false;
  };
  const reply = {
    answered(result: ReadResult) {
      if (inRead) outcome.synchronous++;
      outcome.replies.push([...(result as number[])]);
      if (throwOnAnswer) throw new Error('the task failed on its answer');
      readNext();
    },
    refused(err: Error) {
      if (inRead) outcome.synchronous++;
      outcome.replies.push(err);
      io?.finish(err);
    },
  };
  const task: LineTask = {
    unitId: 1,
    stats: new RequestStats(),
    run(lineIo) {
      io = lineIo;
      next = 0;
      readNext();
    },
    done: (err) => outcome.done.push(err),
  };
  return { task, outcome };
}

const holding = { 0: 11, 1: 12, 2: 13, 3: 14 };

describe('a Modbus line and its tasks', () => {
  it('answers each read of a task once, later, with the registers asked', async () => {
    const device = await startTcpDevice({ 1: { holding } });
    running.push(device);
    const line = lineTo(device.port);
    await until('connected', () => line.connected);
    const { task, outcome } = readingTask([
      [0, 2],
      [2, 2],
    ]);
    line.submit(task);
    await until('the task done', () => outcome.done.length > 0);
    expect(outcome.replies).toEqual([
      [11, 12],
      [13, 14],
    ]);
    expect(outcome.done).toEqual([undefined]);
    expect(outcome.synchronous).toBe(0);
    expect(device.log).toEqual([
      [1, 3, 0, 2],
      [1, 3, 2, 2],
    ]);
  });

  it('ends a task that throws on its answer with that error, and runs the next task', async () => {
    const device = await startTcpDevice({ 1: { holding } });
    running.push(device);
    const line = lineTo(device.port);
    await until('connected', () => line.connected);
    const failing = readingTask([[0, 1]], true);
    const after = readingTask([[3, 1]]);
    line.submit(failing.task);
    line.submit(after.task);
    await until('both tasks done', () => failing.outcome.done.length > 0 && after.outcome.done.length > 0);
    expect(failing.outcome.done).toHaveLength(1);
    expect(failing.outcome.done[0]?.message).toBe('the task failed on its answer');
    expect(after.outcome.replies).toEqual([[14]]);
    expect(after.outcome.done).toEqual([undefined]);
    expect(line.queueLength).toBe(0);
  });

  it('tells a task submitted while the line is down, and one that was reading when it went down', async () => {
    const device = await startTcpDevice({ 1: { holding } });
    running.push(device);
    const line = lineTo(device.port, 4);
    await until('connected', () => line.connected);
    // A unit that never answers keeps the task's read in flight while the gateway goes away.
    device.units[1] = { holding, silent: true };
    const reading = readingTask([[0, 1]]);
    line.submit(reading.task);
    await device.stop();
    await until('the reading task told', () => reading.outcome.done.length > 0);
    expect(reading.outcome.done[0]).toBeInstanceOf(Error);
    expect(reading.outcome.synchronous).toBe(0);
    await until('the line down', () => !line.connected);
    const late = readingTask([[0, 1]]);
    line.submit(late.task);
    expect(late.outcome.done).toHaveLength(1);
    expect(late.outcome.done[0]).toBeInstanceOf(LineDownError);
  });
});

describe('a Modbus line and code that fails on what it hands over', () => {
  it('keeps the reason a reset connection gave as its last error, and survives a listener that throws', async () => {
    const crashes = watchCrashes();
    running.push({ stop: async () => crashes.stop() });
    const gateway = await startFailingGateway('reset');
    running.push(gateway);
    const line = lineTo(gateway.port);
    // A consumer of the line's events with a bug: told the line is down, it throws.
    line.on('down', () => {
      throw new Error('a down listener failed');
    });
    const downs: string[] = [];
    line.on('down', (reason) => downs.push(reason));
    await until('connected', () => line.connected);
    const reading = readingTask([[0, 1]]);
    line.submit(reading.task);
    await until('the reading task told', () => reading.outcome.done.length > 0);
    await until('the line down', () => downs.length > 0);
    expect(line.snapshot().lastError).toMatch(/ECONNRESET/);
    expect(downs[0]).toMatch(/ECONNRESET/);
    expect(reading.outcome.done[0]?.message).toMatch(/ECONNRESET/);
    expect(line.snapshot().consumerErrors).toBe(1);
    // The line carries on: it reconnects by itself.
    await until('connected again', () => gateway.connectedAt.length >= 2, 5000);
    expect(crashes.errors).toEqual([]);
  });

  it('counts a task that throws on its answer and again when told it is over, and runs the next task', async () => {
    const crashes = watchCrashes();
    running.push({ stop: async () => crashes.stop() });
    const device = await startTcpDevice({ 1: { holding } });
    running.push(device);
    const line = lineTo(device.port);
    await until('connected', () => line.connected);
    const failing = readingTask([[0, 1]], true);
    const done = failing.task.done;
    failing.task.done = (err) => {
      done(err);
      throw new Error('the task failed when told it was over');
    };
    const after = readingTask([[3, 1]]);
    line.submit(failing.task);
    line.submit(after.task);
    await until('the next task done', () => after.outcome.done.length > 0);
    expect(failing.outcome.done[0]?.message).toBe('the task failed on its answer');
    expect(after.outcome.replies).toEqual([[14]]);
    expect(line.snapshot().consumerErrors).toBe(2);
    // Polling goes on: the line still serves new work.
    const later = readingTask([[1, 1]]);
    line.submit(later.task);
    await until('a later task done', () => later.outcome.done.length > 0);
    expect(later.outcome.replies).toEqual([[12]]);
    expect(crashes.errors).toEqual([]);
  });
});

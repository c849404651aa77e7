/**
 * The admin page's scan jobs without a line behind them (the Modbus scan replaced by a stand-in
 * that runs until it is stopped): a few scans at most at once, the finished ones kept up to a
 * bound, all stopped with the gateway.
 */
import { describe, expect, it } from 'vitest';
import type { ModbusLineConfig } from '../../src/config/schema.js';
import { KEEP_FINISHED, ScanJobs, type ScanRequest } from '../../src/discovery/jobs.js';
import { modbusScanner } from '../../src/discovery/modbus-scanner.js';
import type { ScanOptions, ScanResult } from '../../src/discovery/scan.js';
import { silentLogger } from '../../src/log/index.js';
import { until } from '../helpers/wait.js';

/** A scan that finds nothing and runs until its signal stops it, or at once when `quick`. */
function standIn(quick: () => boolean) {
  return (line: ModbusLineConfig, options: ScanOptions): Promise<ScanResult> => {
    const total = options.to - options.from + 1;
    const result = (stopped: boolean): ScanResult => ({
      line,
      found: [],
      probed: stopped ? 0 : total,
      total,
      stopped,
      answersAnyUnit: false,
      gapMs: options.delayMs,
    });
    if (quick()) return Promise.resolve(result(false));
    return new Promise((resolve) =>
      options.signal?.addEventListener('abort', () => resolve(result(true)), { once: true }),
    );
  };
}

const request = (where: string): ScanRequest => ({
  protocol: 'modbus',
  where,
  from: 1,
  to: 10,
  delayMs: 10,
  timeoutMs: 100,
  retries: 0,
});

function jobs(quick = () => false, maxRunning = 2) {
  return new ScanJobs({
    scanners: { modbus: modbusScanner({ lines: [], polledLines: () => [], scan: standIn(quick) }) },
    log: silentLogger(),
    maxRunning,
  });
}

describe('the scan jobs', () => {
  it('runs a few scans at most at once (409 beyond), and stops them all with the gateway', async () => {
    const scans = jobs();
    const first = scans.start(request('10.0.0.1:502'), 'admin');
    scans.start(request('10.0.0.2:502'), 'admin');
    expect(() => scans.start(request('10.0.0.3:502'), 'admin')).toThrow(
      expect.objectContaining({
        status: 409,
        message: '2 scans are running already: wait for one to finish',
      }),
    );
    // One scan at a time per target, whoever asks.
    expect(() => scans.start(request('10.0.0.1:502'), 'other-admin')).toThrow(
      expect.objectContaining({ status: 409 }),
    );
    await scans.stop();
    expect(scans.list().map((job) => job.state)).toEqual(['cancelled', 'cancelled']);
    expect(scans.get(first.id)?.finishedAt).not.toBeNull();
  });

  it('keeps the latest finished scans, up to a bound', async () => {
    const scans = jobs(() => true);
    const ids: string[] = [];
    for (let i = 0; i < KEEP_FINISHED + 5; i++) {
      ids.push(scans.start(request(`10.0.1.${i + 1}:502`), 'admin').id);
      await until('the scan to end', () => scans.get(ids.at(-1) ?? '')?.state === 'done');
    }
    const kept = scans.list().map((job) => job.id);
    // The one just started, and the KEEP_FINISHED before it; the newest first.
    expect(kept).toEqual(ids.slice(-KEEP_FINISHED - 1).reverse());
  });
});

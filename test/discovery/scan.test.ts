/**
 * `scanLine` against the simulator's Modbus servers over real sockets and a socat serial
 * pair: it finds exactly the units that answer, with what they say they are, and keeps the
 * pace it was given.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identitiesOf } from '../../simulators/modbus/responder.js';
import type { PlantConfig } from '../../src/config/index.js';
import {
  anyUnitWarning,
  draftFiles,
  type FoundUnit,
  type ScanProgress,
  scanLine,
} from '../../src/discovery/index.js';
import { freePorts } from '../helpers/modbus-tcp-device.js';
import {
  answeringAnyUnit,
  devicesOn,
  lineOf,
  type SimulatedLines,
  scanPlant,
  serveLines,
  serveTcpGateway,
  silentOnceFor,
} from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'plantwatch-scan-'));
let config: PlantConfig;
let lines: SimulatedLines;

beforeAll(async () => {
  const [tcpPort, rtuTcpPort] = await freePorts(2);
  config = scanPlant(tcpPort as number, rtuTcpPort as number, join(dir, 'tty', 'rs485'));
  lines = await serveLines(config);
});
afterAll(async () => {
  await lines?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What the scan should say of each device of `line` in [from, to]: from the config, not the scan. */
function expectedOn(line: string, from: number, to: number) {
  const identities = identitiesOf(config);
  return devicesOn(config, line)
    .filter((d) => d.unitId >= from && d.unitId <= to)
    .map((d) => {
      const objects = identities.get(d.id);
      return {
        unitId: d.unitId,
        identification: objects
          ? { vendor: objects[0], product: objects[1], revision: objects[2], objects }
          : { missing: 'function 43 refused, exception 1 (illegal function)' },
      };
    });
}

const identified = (found: FoundUnit[]) =>
  found.map(({ unitId, identification }) => ({ unitId, identification }));

describe('scanning a Modbus line', () => {
  it('finds exactly the units behind a Modbus TCP gateway, with their identification', async () => {
    const result = await scanLine(lineOf(config, 'gw-tcp'), { from: 1, to: 12, delayMs: 10 });
    expect(identified(result.found)).toEqual(expectedOn('gw-tcp', 1, 12));
    // The chiller maps no holding register: its exception says it is there all the same.
    const chiller = result.found.find((u) => 'missing' in u.identification);
    expect(chiller?.answered).toBe('exception 2 (illegal data address)');
    expect(result.found.filter((u) => u.answered === 'register read')).toHaveLength(result.found.length - 1);
    expect(result).toMatchObject({ probed: 12, total: 12, stopped: false, answersAnyUnit: false });
  });

  it('finds exactly the units behind an RTU-over-TCP gateway, and only those of the range', async () => {
    const result = await scanLine(lineOf(config, 'gw-rtu'), { from: 2, to: 8, delayMs: 10 });
    expect(identified(result.found)).toEqual(expectedOn('gw-rtu', 2, 8));
    expect(result.found.map((u) => u.unitId)).not.toContain(1);
  });

  it('finds the unit on an RS-485 line (socat pseudo-terminals)', async () => {
    const result = await scanLine(lineOf(config, 'rs485'), { from: 1, to: 6, delayMs: 10 });
    expect(identified(result.found)).toEqual(expectedOn('rs485', 1, 6));
    expect(result.found.length).toBeGreaterThan(0);
  });

  it('keeps at least the given delay between requests, one probe per unit', async () => {
    const responder = lines.responders.get('gw-rtu');
    if (!responder) throw new Error('no gw-rtu responder');
    const delayMs = 150;
    const seen = responder.arrivals.length;
    const result = await scanLine(lineOf(config, 'gw-rtu'), { from: 1, to: 5, delayMs });
    const arrivals = responder.arrivals.slice(seen);
    // One probe per unit id, one more of each silent unit (the default retry), and one
    // identification request per unit found.
    const silent = 5 - result.found.length;
    expect(silent).toBeGreaterThan(0);
    expect(arrivals).toHaveLength(5 + silent + result.found.length);
    const gaps = arrivals.slice(1).map((t, i) => t - (arrivals[i] as number));
    // Timers may fire a millisecond early against performance.now(): a little slack.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(delayMs - 2);
  });

  it('is refused at once by a host where nothing listens', async () => {
    const [closed] = await freePorts(1);
    const line = { ...lineOf(config, 'gw-tcp'), port: closed as number };
    await expect(scanLine(line, { from: 1, to: 3, delayMs: 10 })).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('a scan that is not silent, not fooled and not in the way', () => {
  it('tells its progress after each unit id: how many probed of how many, and what it found so far', async () => {
    const seen: ScanProgress[] = [];
    const result = await scanLine(lineOf(config, 'gw-tcp'), {
      from: 1,
      to: 6,
      delayMs: 5,
      onProgress: (progress) => seen.push({ ...progress, found: [...progress.found] }),
    });
    expect(seen.map((p) => [p.unitId, p.probed, p.total])).toEqual(
      [1, 2, 3, 4, 5, 6].map((unit, i) => [unit, i + 1, 6]),
    );
    expect(seen.filter((p) => p.justFound).map((p) => p.unitId)).toEqual(result.found.map((u) => u.unitId));
    // What was found so far, unit by unit: the found list grows by the unit just found.
    for (const progress of seen)
      expect(progress.found.map((u) => u.unitId)).toEqual(
        result.found.filter((u) => u.unitId <= progress.unitId).map((u) => u.unitId),
      );
  });

  it('probes a silent unit once more before calling it absent (retries: 0 does not)', async () => {
    const once = await serveTcpGateway(silentOnceFor([2]));
    const twice = await serveTcpGateway(silentOnceFor([2]));
    try {
      const retried = await scanLine(once.line, { from: 1, to: 3, delayMs: 5 });
      expect(retried.found.map((u) => u.unitId)).toEqual([2]);
      // Each unit id twice (units 1 and 3 are absent: the gateway's "target failed to respond",
      // retried like silence), and unit 2's identification.
      expect(once.responder.arrivals).toHaveLength(7);
      const notRetried = await scanLine(twice.line, { from: 1, to: 3, delayMs: 5, retries: 0 });
      expect(notRetried.found).toEqual([]);
      expect(twice.responder.arrivals).toHaveLength(3);
    } finally {
      await once.stop();
      await twice.stop();
    }
  });

  it('says so when every unit id probed answers alike: the gateway answers for any unit id', async () => {
    const any = await serveTcpGateway(answeringAnyUnit);
    try {
      const result = await scanLine(any.line, { from: 1, to: 6, delayMs: 5 });
      expect(result.found.map((u) => u.unitId)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(result.answersAnyUnit).toBe(true);
      expect(anyUnitWarning(result)).toMatch(/every unit id probed \(6 of them\) answered, all alike/);
      const { devices } = draftFiles(result);
      expect(devices).toContain('# WARNING: every unit id probed');
      // One unit id is no evidence either way.
      const one = await scanLine(any.line, { from: 4, to: 4, delayMs: 5 });
      expect(one.answersAnyUnit).toBe(false);
      expect(anyUnitWarning(one)).toBeUndefined();
    } finally {
      await any.stop();
    }
  });

  it('stops when told, the request under way ended at once, and keeps what it found', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    const line = lineOf(config, 'gw-rtu'); // unit 1 answers; unit 2 is silent (300 ms, twice)
    const result = await scanLine(line, {
      from: 1,
      to: 8,
      delayMs: 5,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.unitId !== 1) return;
        setTimeout(() => {
          abortedAt = performance.now();
          controller.abort();
        }, 100);
      },
    });
    expect(performance.now() - abortedAt).toBeLessThan(line.timeout / 2);
    expect(result).toMatchObject({ probed: 1, total: 8, stopped: true });
    expect(result.found.map((u) => u.unitId)).toEqual([1]);
  });
});

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
import { type FoundUnit, scanLine } from '../../src/discovery/index.js';
import { freePorts } from '../helpers/modbus-tcp-device.js';
import { devicesOn, lineOf, type SimulatedLines, scanPlant, serveLines } from './harness.js';

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
    // One probe per unit id, and one identification request per unit found.
    expect(arrivals).toHaveLength(5 + result.found.length);
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

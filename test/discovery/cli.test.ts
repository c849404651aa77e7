/**
 * `plantwatch scan` as a user runs it: a real process against the simulator's gateway, the
 * table on stdout, the draft in --out, exit 0; exit 1 with a plain message when nothing
 * answers or the host refuses the connection.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identitiesOf } from '../../simulators/modbus/responder.js';
import type { PlantConfig } from '../../src/config/index.js';
import type { ModbusLineConfig } from '../../src/config/schema.js';
import { freePorts } from '../helpers/modbus-tcp-device.js';
import {
  answeringAnyUnit,
  devicesOn,
  lineOf,
  type SimulatedLines,
  scanPlant,
  serveLines,
  serveTcpGateway,
} from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'plantwatch-scan-cli-'));
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

function scan(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'scan', ...args], {
      env: { ...process.env, PLANTWATCH_LOG_FORMAT: 'json' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** host:port of a simulated gateway. */
function address(line: ModbusLineConfig): string {
  if (line.transport === 'rtu') throw new Error(`${line.id} is a serial line`);
  return `${line.host}:${line.port}`;
}
const endpoint = (id: string) => address(lineOf(config, id));

describe('plantwatch scan', () => {
  it('prints a row per unit that answers, and writes the draft to --out', async () => {
    const out = join(dir, 'draft');
    const { code, stdout } = await scan([
      endpoint('gw-rtu'),
      ...['--transport', 'rtu-over-tcp', '--units', '1-8', '--delay', '10ms', '--timeout', '300ms'],
      ...['--name', 'pump-bus', '--out', out],
    ]);
    expect(code).toBe(0);
    const rows = stdout.split('\n').filter((row) => /^\d+\s/.test(row));
    const devices = devicesOn(config, 'gw-rtu');
    expect(rows.map((row) => Number(row.split(/\s+/)[0]))).toEqual(devices.map((d) => d.unitId));
    const identities = identitiesOf(config);
    for (const [i, device] of devices.entries()) {
      const objects = identities.get(device.id);
      if (objects) for (const id of [0, 1, 2]) expect(rows[i]).toContain(objects[id]);
      else expect(rows[i]).toContain('no identification (function 43 refused');
    }
    expect(existsSync(join(out, 'devices', 'pump-bus.yaml'))).toBe(true);
    expect(existsSync(join(out, 'lines.pump-bus.yaml'))).toBe(true);
  });

  it('tells on stderr how far it is: each unit found as it answers, and the last unit id probed', async () => {
    const { code, stderr } = await scan([
      endpoint('gw-rtu'),
      ...['--transport', 'rtu-over-tcp', '--units', '1-8', '--delay', '10ms', '--timeout', '200ms'],
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain('1 retry of a silent unit');
    const devices = devicesOn(config, 'gw-rtu').filter((d) => d.unitId <= 8);
    const progress = stderr.split('\n').filter((line) => / of 8 probed, /.test(line));
    // Not a terminal: a line per unit found (and one every few seconds), and the last one.
    for (const [i, device] of devices.entries())
      expect(progress).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^unit ${device.unitId}: \\d of 8 probed, ${i + 1} found so far; unit ${device.unitId} answered`,
          ),
        ),
      );
    expect(progress.at(-1)).toBe(`unit 8: 8 of 8 probed, ${devices.length} found so far`);
  });

  it('warns, and writes in the draft, when every unit id answers alike', async () => {
    const any = await serveTcpGateway(answeringAnyUnit);
    try {
      const out = join(dir, 'draft-any');
      const { code, stdout, stderr } = await scan([
        address(any.line),
        '--units',
        '1-4',
        '--name',
        'any',
        '--out',
        out,
      ]);
      expect(code).toBe(0);
      expect(stdout.split('\n').filter((row) => /^\d+\s/.test(row))).toHaveLength(4);
      expect(stderr).toMatch(
        /warning: every unit id probed \(4 of them\) answered, all alike: .* seems to answer for any unit id/,
      );
      expect(readFileSync(join(out, 'devices', 'any.yaml'), 'utf8')).toContain(
        '# WARNING: every unit id probed',
      );
    } finally {
      await any.stop();
    }
  });

  it('exits 1 saying so when no unit answers in the range', async () => {
    const silent = devicesOn(config, 'gw-rtu').at(-1)?.unitId ?? 0;
    const range = `${silent + 1}-${silent + 3}`;
    const { code, stdout, stderr } = await scan([
      endpoint('gw-rtu'),
      ...['--transport', 'rtu-over-tcp', '--units', range, '--delay', '10ms', '--timeout', '200ms'],
      ...['--retries', '0'],
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`no unit answered on ${endpoint('gw-rtu')}`);
  });

  it('exits 1 saying so when the host refuses the connection', async () => {
    const [closed] = await freePorts(1);
    const { code, stderr } = await scan([`127.0.0.1:${closed}`, '--units', '1-3']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot scan 127\.0\.0\.1:\d+ \(tcp\): .*ECONNREFUSED/);
  });

  it('exits 1 on a range outside the unit ids Modbus allows', async () => {
    const { code, stderr } = await scan([endpoint('gw-tcp'), '--units', '0-300']);
    expect(code).toBe(1);
    expect(stderr).toContain('--units 0-300');
  });

  it('exits 1 on retries it does not take', async () => {
    const { code, stderr } = await scan([endpoint('gw-tcp'), '--retries', 'many']);
    expect(code).toBe(1);
    expect(stderr).toContain('--retries many: a whole number from 0 to 5');
  });
});

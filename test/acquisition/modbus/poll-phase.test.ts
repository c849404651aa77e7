import { describe, expect, it } from 'vitest';
import { pollPhase } from '../../../src/acquisition/modbus/index.js';
import { type ModbusLineConfig, modbusLine } from '../../../src/config/schema.js';

const tcp = (id: string, maxInFlight: number) =>
  modbusLine.parse({ id, transport: 'tcp', host: '127.0.0.1', port: 502, maxInFlight });
const serial = (id: string) => modbusLine.parse({ id, transport: 'rtu', path: '/dev/ttyUSB0' });

/** Every distinct phase the lines' devices take, sorted, and how many lines take each. */
function instants(lines: ModbusLineConfig[], devicesPerLine: number) {
  const lineAt = new Map<number, Set<number>>();
  lines.forEach((line, lineIndex) => {
    for (let d = 0; d < devicesPerLine; d++) {
      const phase = pollPhase(line, lineIndex, lines.length, d, devicesPerLine);
      expect(phase).toBeGreaterThanOrEqual(0);
      expect(phase).toBeLessThan(1);
      const set = lineAt.get(phase) ?? new Set<number>();
      set.add(lineIndex);
      lineAt.set(phase, set);
    }
  });
  return [...lineAt.entries()].sort(([a], [b]) => a - b).map(([phase, set]) => ({ phase, lines: set.size }));
}

describe('pollPhase', () => {
  it('spreads the devices of a line asked one at a time evenly over the period', () => {
    const line = serial('rs485');
    expect(Array.from({ length: 4 }, (_, d) => pollPhase(line, 0, 1, d, 4))).toEqual([0, 0.25, 0.5, 0.75]);
  });

  it('asks a pipelining line’s devices in groups of maxInFlight, the groups spread over the period', () => {
    const line = tcp('gw', 4);
    const phases = Array.from({ length: 8 }, (_, d) => pollPhase(line, 0, 1, d, 8));
    expect(phases).toEqual([0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5]);
  });

  it('gives a few pipelining gateways an instant each', () => {
    const lines = Array.from({ length: 7 }, (_, i) => tcp(`gw${i}`, 20));
    const at = instants(lines, 20);
    expect(at).toHaveLength(7);
    expect(at.every((i) => i.lines === 1)).toBe(true);
  });

  it('lets many pipelining gateways share ten instants, evenly spaced and evenly filled', () => {
    const lines = Array.from({ length: 50 }, (_, i) => tcp(`gw${i}`, 20));
    const at = instants(lines, 20);
    expect(at.map((i) => i.phase)).toEqual(Array.from({ length: 10 }, (_, k) => expect.closeTo(k / 10, 9)));
    expect(at.map((i) => i.lines)).toEqual(Array(10).fill(5));
  });
});

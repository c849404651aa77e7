import { describe, expect, it } from 'vitest';
import { planBlocks, splitBlock } from '../../../src/acquisition/modbus/plan.js';
import { modbusProfile } from '../../../src/config/schema.js';

const profile = (points: object[], limits: object = {}) =>
  modbusProfile.parse({ id: 'p', name: 'P', equipment: 'other', protocol: 'modbus', points, ...limits });

const reg = (name: string, address: number, type = 'uint16', table = 'holding') => ({
  name,
  address,
  type,
  table,
});

describe('planBlocks', () => {
  it('reads adjacent registers in one block, with each point at its offset', () => {
    const p = profile([reg('a', 0), reg('b', 1, 'float32'), reg('c', 3)]);
    const blocks = planBlocks(p.points, p);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ table: 'holding', start: 0, count: 4 });
    expect(blocks[0]?.points.map((x) => [x.point.name, x.index])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 3],
    ]);
  });

  it('reads through a hole up to maxGap and splits beyond it', () => {
    const points = [reg('a', 0), reg('b', 8), reg('c', 30)];
    const p = profile(points, { maxGap: 10 });
    expect(planBlocks(p.points, p).map((b) => [b.start, b.count])).toEqual([
      [0, 9],
      [30, 1],
    ]);
    const tight = profile(points, { maxGap: 0 });
    expect(planBlocks(tight.points, tight)).toHaveLength(3);
  });

  it('keeps each block within the device maximum and the protocol maximum', () => {
    const many = Array.from({ length: 200 }, (_, i) => reg(`r${i}`, i));
    const p = profile(many, { maxBlockRegisters: 50 });
    const blocks = planBlocks(p.points, p);
    expect(blocks.map((b) => b.count)).toEqual([50, 50, 50, 50]);
    const q = profile(many);
    expect(planBlocks(q.points, q).map((b) => b.count)).toEqual([125, 75]);
  });

  it('never lets a 32-bit value straddle two blocks', () => {
    const p = profile([reg('a', 0), reg('b', 1), reg('c', 2, 'uint32')], { maxBlockRegisters: 3 });
    const blocks = planBlocks(p.points, p);
    for (const block of blocks)
      for (const { point, index } of block.points) {
        expect(index + (point.type === 'uint32' ? 2 : 1)).toBeLessThanOrEqual(block.count);
      }
  });

  it('plans tables separately and bit points of one status word together', () => {
    const p = profile([
      reg('t', 0, 'int16', 'input'),
      reg('h', 0),
      { name: 'run', table: 'coil', address: 5, type: 'bool' },
      { name: 'trip', table: 'input', address: 1, type: 'bool', bit: 0 },
      { name: 'alarm', table: 'input', address: 1, type: 'bool', bit: 3 },
    ]);
    const blocks = planBlocks(p.points, p);
    expect(blocks.map((b) => `${b.table}:${b.start}+${b.count}`).sort()).toEqual([
      'coil:5+1',
      'holding:0+1',
      'input:0+2',
    ]);
  });
});

describe('splitBlock', () => {
  it('splits a refused block at its holes first, then in halves, and not a single point', () => {
    const p = profile([reg('a', 0), reg('b', 1), reg('c', 6), reg('d', 7)], { maxGap: 10 });
    const [block] = planBlocks(p.points, p);
    const parts = splitBlock(block!);
    expect(parts?.map((b) => [b.start, b.count])).toEqual([
      [0, 2],
      [6, 2],
    ]);
    const halves = splitBlock(parts![0]!);
    expect(halves?.map((b) => [b.start, b.count])).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(splitBlock(halves![0]!)).toBeUndefined();
  });
});

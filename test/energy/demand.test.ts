/**
 * Peak demand from 15-minute blocks: the highest block of each local day, when it happened, the
 * load factor, the peak kVA and how much of the transformer's rating it uses.
 */
import { describe, expect, it } from 'vitest';
import { buckets, localDayStart } from '../../src/energy/calendar.js';
import { type DemandBlock, headroom, peakDemand } from '../../src/energy/demand.js';

const MIN = 60_000;
const BERLIN = 'Europe/Berlin';
const day1 = localDayStart('2026-11-25', BERLIN);
const day2 = localDayStart('2026-11-26', BERLIN);

/** 96 blocks of a day at `base` kW with kvar at half the kW. */
function dayOfBlocks(start: number, base: number): DemandBlock[] {
  return Array.from({ length: 96 }, (_, i) => ({ ts: start + i * 15 * MIN, kw: base, kvar: base / 2 }));
}

describe('peakDemand', () => {
  const blocks = [...dayOfBlocks(day1, 400), ...dayOfBlocks(day2, 300)];
  // Day 1: the 11:15 block peaks at 800 kW; the 11:30 block has 790 kW but more reactive power.
  const peak = blocks[45]!;
  peak.kw = 800;
  peak.kvar = 100;
  const reactive = blocks[46]!;
  reactive.kw = 790;
  reactive.kvar = 300;
  // Day 2: one block lost.
  blocks[96 + 10]!.kw = null;

  const [first, second] = peakDemand(blocks, buckets(day1, day2 + 24 * 3_600_000, 'day', BERLIN));

  it('finds the peak block, its time and the mean', () => {
    expect(first).toMatchObject({
      label: '2026-11-25',
      peakKw: 800,
      peakAt: day1 + 11 * 60 * MIN + 15 * MIN,
      blocks: 96,
    });
    // mean = (94 × 400 + 800 + 790) / 96 = 39 190 / 96 = 408.2292
    expect(first!.meanKw).toBeCloseTo(408.2292, 4);
    // load factor = 408.2292 / 800 = 0.51029
    expect(first!.loadFactor).toBeCloseTo(0.51029, 5);
  });

  it('takes the peak kVA from kW and kvar, which can be another block than the kW peak', () => {
    // sqrt(790² + 300²) = sqrt(624 100 + 90 000) = sqrt(714 100) = 845.04 > sqrt(800² + 100²) = 806.23
    expect(first!.peakKva).toBeCloseTo(845.0444, 4);
    expect(first!.peakKvaAt).toBe(reactive.ts);
  });

  it('ignores blocks without a kW value', () => {
    expect(second).toMatchObject({
      label: '2026-11-26',
      peakKw: 300,
      meanKw: 300,
      loadFactor: 1,
      blocks: 95,
    });
  });

  it('reports a day without blocks as nulls, and kVA as null without kvar', () => {
    const [empty] = peakDemand([], buckets(day1, day1 + 1, 'day', BERLIN));
    expect(empty).toMatchObject({
      peakKw: null,
      peakAt: null,
      meanKw: null,
      loadFactor: null,
      peakKva: null,
      blocks: 0,
    });
    const [noKvar] = peakDemand([{ ts: day1, kw: 100 }], buckets(day1, day1 + 1, 'day', BERLIN));
    expect(noKvar).toMatchObject({ peakKw: 100, peakKva: null, peakKvaAt: null });
  });

  it('counts a block in the bucket its start lies in', () => {
    const lastOfDay1 = { ts: day2 - 15 * MIN, kw: 50 };
    const firstOfDay2 = { ts: day2, kw: 60 };
    const [a, b] = peakDemand([firstOfDay2, lastOfDay1], buckets(day1, day2 + 1, 'day', BERLIN));
    expect([a!.peakKw, b!.peakKw]).toEqual([50, 60]);
  });
});

describe('headroom', () => {
  it('gives the share of the rating used and what is left', () => {
    expect(headroom(845, 1000)).toEqual({
      ratedKva: 1000,
      peakKva: 845,
      utilisation: 0.845,
      headroomKva: 155,
    });
    expect(headroom(1100, 1000).headroomKva).toBe(-100);
    expect(headroom(null, 1000)).toEqual({
      ratedKva: 1000,
      peakKva: null,
      utilisation: null,
      headroomKva: null,
    });
    expect(() => headroom(500, 0)).toThrow(/Rated kVA must be positive/);
  });
});

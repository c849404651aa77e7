/**
 * Peak demand from 15-minute block averages, the figure utilities bill and transformers are sized
 * by: the highest block of each day or month, when it happened, and how flat the load is.
 */
import type { Bucket } from './calendar.js';

/** A 15-minute demand block; ts is the block's start. */
export interface DemandBlock {
  ts: number;
  kw: number | null;
  kvar?: number | null;
}

export interface DemandSummary {
  label: string;
  start: number;
  end: number;
  /** As the period's bucket says (a period cut to a report's range, or still going on). */
  clipped?: boolean;
  partial?: boolean;
  peakKw: number | null;
  /** Start of the peak block (the first one on ties). */
  peakAt: number | null;
  meanKw: number | null;
  /** meanKw / peakKw: 1 is a flat load; null without a positive peak. */
  loadFactor: number | null;
  /** sqrt(kW² + kvar²) of the highest block; null when no block has both. */
  peakKva: number | null;
  peakKvaAt: number | null;
  /** Blocks with a kW value. */
  blocks: number;
}

/** Peak, mean and load factor of the blocks starting in each bucket. */
export function peakDemand(blocks: readonly DemandBlock[], buckets: readonly Bucket[]): DemandSummary[] {
  const sorted = [...blocks].sort((a, b) => a.ts - b.ts);
  return buckets.map((bucket) => summarise(bucket, blocksIn(sorted, bucket)));
}

function summarise(bucket: Bucket, blocks: readonly DemandBlock[]): DemandSummary {
  const summary: DemandSummary = {
    ...bucket,
    peakKw: null,
    peakAt: null,
    meanKw: null,
    loadFactor: null,
    peakKva: null,
    peakKvaAt: null,
    blocks: 0,
  };
  let sumKw = 0;
  for (const block of blocks) {
    if (block.kw === null || !Number.isFinite(block.kw)) continue;
    summary.blocks++;
    sumKw += block.kw;
    if (summary.peakKw === null || block.kw > summary.peakKw) {
      summary.peakKw = block.kw;
      summary.peakAt = block.ts;
    }
    const kva = apparentPower(block.kw, block.kvar);
    if (kva !== null && (summary.peakKva === null || kva > summary.peakKva)) {
      summary.peakKva = kva;
      summary.peakKvaAt = block.ts;
    }
  }
  if (summary.blocks > 0) summary.meanKw = sumKw / summary.blocks;
  if (summary.meanKw !== null && summary.peakKw !== null && summary.peakKw > 0) {
    summary.loadFactor = summary.meanKw / summary.peakKw;
  }
  return summary;
}

/** kVA of a block; unknown without its reactive power. */
function apparentPower(kw: number, kvar: number | null | undefined): number | null {
  if (kvar === null || kvar === undefined || !Number.isFinite(kvar)) return null;
  return Math.hypot(kw, kvar);
}

/** Blocks of a sorted list whose start lies in [bucket.start, bucket.end). */
function blocksIn(sorted: readonly DemandBlock[], bucket: Bucket): DemandBlock[] {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] as DemandBlock).ts < bucket.start) low = middle + 1;
    else high = middle;
  }
  const inside: DemandBlock[] = [];
  for (let i = low; i < sorted.length && (sorted[i] as DemandBlock).ts < bucket.end; i++) {
    inside.push(sorted[i] as DemandBlock);
  }
  return inside;
}

export interface Headroom {
  ratedKva: number;
  peakKva: number | null;
  /** peakKva / ratedKva (1 = fully loaded); null without a peak. */
  utilisation: number | null;
  /** ratedKva − peakKva, negative when overloaded; null without a peak. */
  headroomKva: number | null;
}

/** How much of a transformer's or supply's rating the peak uses. */
export function headroom(peakKva: number | null, ratedKva: number): Headroom {
  if (!(ratedKva > 0)) throw new RangeError(`Rated kVA must be positive, got ${ratedKva}`);
  if (peakKva === null) return { ratedKva, peakKva, utilisation: null, headroomKva: null };
  return { ratedKva, peakKva, utilisation: peakKva / ratedKva, headroomKva: ratedKva - peakKva };
}

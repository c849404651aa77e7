/**
 * Peak demand as the utility bills it: the highest 15-minute mean kW of each incomer per day
 * or month, with when it happened and the load factor; and each distribution room's
 * headroom: its peak kVA (incomers summed block by block) against its rated capacity.
 */
import type { PlantConfig } from '../config/index.js';
import { pointId } from '../points/index.js';
import type { TimeSeriesStore } from '../storage/index.js';
import { type Resolution, rangeBuckets } from './calendar.js';
import type { InstalledRoom } from './cost.js';
import { type DemandSummary, headroom, peakDemand } from './demand.js';
import type { Meter } from './meters.js';

interface Block {
  ts: number;
  kw: number | null;
  kvar?: number | null;
}

export interface MeterDemand {
  device: string;
  name: string;
  room: string;
  roomName: string;
  nameZh?: string;
  roomNameZh?: string;
  periods: DemandSummary[];
}

export interface RoomHeadroom {
  room: string;
  roomName: string;
  buildingName: string;
  roomNameZh?: string;
  buildingNameZh?: string;
  meters: string[];
  ratedKva: number;
  peakKva: number | null;
  peakAt: number | null;
  utilisation: number | null;
  headroomKva: number | null;
}

export interface DemandReport {
  from: number;
  to: number;
  resolution: Resolution;
  timezone: string;
  blockMs: number;
  meters: MeterDemand[];
  rooms: RoomHeadroom[];
}

async function blocksOf(
  store: TimeSeriesStore,
  device: string,
  settings: PlantConfig['energy']['demand'],
  from: number,
  to: number,
): Promise<Block[]> {
  // Blocks start on the quarter hour, as the utility's meter counts them.
  const start = Math.floor(from / settings.block) * settings.block;
  const query = (point: string) =>
    store.query({
      point: pointId(device, point),
      from: start,
      to,
      windowMs: settings.block,
      aggregate: 'mean',
    });
  const [kw, kvar] = await Promise.all([
    query(settings.point),
    settings.reactive ? query(settings.reactive) : Promise.resolve([]),
  ]);
  const reactive = new Map(kvar.map((r) => [r.ts, r.value]));
  return kw.map((r) => ({
    ts: r.ts,
    kw: r.value,
    ...(settings.reactive ? { kvar: reactive.get(r.ts) ?? null } : {}),
  }));
}

/**
 * Incomers of a room summed block by block: a room's load is what all its incomers carry. A
 * block is known only when every incomer has it: kW when all have kW, kvar when all have kvar
 * (a missing value is unknown, not 0, or the room's kVA would fall to its kW).
 */
function sumBlocks(perMeter: Block[][]): Block[] {
  const byTs = new Map<
    number,
    { kw: number; kvar: number; meters: number; kwKnown: boolean; kvarKnown: boolean }
  >();
  for (const blocks of perMeter)
    for (const b of blocks) {
      const into = byTs.get(b.ts) ?? { kw: 0, kvar: 0, meters: 0, kwKnown: true, kvarKnown: true };
      into.meters++;
      if (b.kw === null) into.kwKnown = false;
      if (b.kvar === null || b.kvar === undefined) into.kvarKnown = false;
      into.kw += b.kw ?? 0;
      into.kvar += b.kvar ?? 0;
      byTs.set(b.ts, into);
    }
  return [...byTs.entries()]
    .sort(([a], [b]) => a - b)
    .map(([ts, v]) => {
      const all = v.meters === perMeter.length;
      return { ts, kw: all && v.kwKnown ? v.kw : null, kvar: all && v.kvarKnown ? v.kvar : null };
    });
}

export async function demandReport(
  store: TimeSeriesStore,
  config: PlantConfig,
  meters: readonly Meter[],
  query: { from: number; to: number; resolution: Resolution },
  /** Periods ending after this are partial. */
  now = Date.now(),
): Promise<DemandReport> {
  const settings = config.energy.demand;
  const zone = config.energy.timezone;
  // Cut to [from, to), as consumption is: a peak outside the range is not the range's.
  const periods = rangeBuckets(query.from, query.to, query.resolution, zone, now);
  const span = { from: query.from, to: query.to };
  const mains = meters.filter((m) => m.commodity === 'electricity' && m.main);
  const blocks = await Promise.all(mains.map((m) => blocksOf(store, m.device, settings, span.from, span.to)));
  const perMeter: MeterDemand[] = mains.map((m, i) => ({
    device: m.device,
    name: m.name,
    room: m.room,
    roomName: m.roomName,
    ...(m.nameZh ? { nameZh: m.nameZh } : {}),
    ...(m.roomNameZh ? { roomNameZh: m.roomNameZh } : {}),
    periods: peakDemand(blocks[i] ?? [], periods),
  }));
  const whole = [{ start: span.from, end: span.to, label: 'period' }];
  const rooms: RoomHeadroom[] = [];
  for (const site of config.sites)
    for (const building of site.buildings)
      for (const room of building.rooms) {
        if (room.ratedKva === undefined) continue;
        const here = mains
          .map((m, i) => ({ m, blocks: blocks[i] ?? [] }))
          .filter(({ m }) => m.site === site.id && m.building === building.id && m.room === room.id);
        const peak = peakDemand(sumBlocks(here.map((h) => h.blocks)), whole)[0];
        rooms.push({
          room: room.id,
          roomName: room.name,
          buildingName: building.name,
          ...(room.nameZh ? { roomNameZh: room.nameZh } : {}),
          ...(building.nameZh ? { buildingNameZh: building.nameZh } : {}),
          meters: here.map((h) => h.m.device),
          ...headroom(peak?.peakKva ?? null, room.ratedKva),
          peakAt: peak?.peakKvaAt ?? null,
        });
      }
  return { ...query, timezone: zone, blockMs: settings.block, meters: perMeter, rooms };
}

/**
 * Every room with a main electricity meter and its rated kVA (null where site.yaml gives none):
 * what a capacity charge bills, the same transformers the headroom above is measured against.
 */
export function installedRooms(config: PlantConfig, meters: readonly Meter[]): InstalledRoom[] {
  const mains = meters.filter((m) => m.commodity === 'electricity' && m.main);
  return config.sites.flatMap((site) =>
    site.buildings.flatMap((building) =>
      building.rooms.flatMap((room) => {
        const here = mains.filter(
          (m) => m.site === site.id && m.building === building.id && m.room === room.id,
        );
        return here.length === 0
          ? []
          : [{ meters: here.map((m) => m.device), ratedKva: room.ratedKva ?? null }];
      }),
    ),
  );
}

/**
 * The plant's meters as the energy reports see them: which counter each reads, whether it is
 * a main meter (summed into room, building and site figures) or a sub-meter, where it is,
 * and what its counter can do (roll over, rise at most so fast, be replaced).
 */
import { parseChangeTime } from '../config/energy-references.js';
import type { PlantConfig } from '../config/index.js';
import { meteringTree } from '../config/metering-tree.js';
import { placeKey, placeNames } from '../config/places.js';
import type { ModbusPointConfig, Profile } from '../config/schema.js';
import { pointId } from '../points/index.js';
import type { MeterChange } from './counter.js';

export const COMMODITIES = ['electricity', 'water', 'gas'] as const;
export type Commodity = (typeof COMMODITIES)[number];

export interface Meter {
  device: string;
  name: string;
  commodity: Commodity;
  unit: string;
  counterPoint: string;
  ratePoint?: string;
  main: boolean;
  /** The meter it sits below in the metering tree (a feeder: its incomer); none for a main. */
  parent?: string;
  site: string;
  building: string;
  room: string;
  buildingName: string;
  roomName: string;
  /** The Chinese names, when configured. */
  nameZh?: string;
  buildingNameZh?: string;
  roomNameZh?: string;
  /** Where the counter wraps to 0 (a 32-bit register's 2³² × scale); undefined: never. */
  rolloverAt?: number;
  /** The counter's smallest step (a Modbus register's scale): each reading is off by up to this much. */
  resolution?: number;
  /** The fastest plausible rise per hour: the rate point's range, with a margin. */
  maxRatePerHour?: number;
  changes: MeterChange[];
}

const REGISTER_SPAN: Partial<Record<ModbusPointConfig['type'], number>> = {
  uint16: 2 ** 16,
  uint32: 2 ** 32,
  uint64: 2 ** 64,
};

function rolloverOf(profile: Profile, point: string): number | undefined {
  if (profile.protocol !== 'modbus') return undefined;
  const found = profile.points.find((p) => p.name === point);
  const span = found ? REGISTER_SPAN[found.type] : undefined;
  // The register wraps from (span − 1) × scale + offset to offset: the counter loses span × scale.
  // (The offset shifts both readings alike; adding it would count it once more at each wrap.)
  return found && span ? span * found.scale : undefined;
}

/** A Modbus counter moves in steps of its scale (0.01 m³, 0.1 kWh); undefined for other protocols. */
function resolutionOf(profile: Profile, point: string): number | undefined {
  if (profile.protocol !== 'modbus') return undefined;
  return profile.points.find((p) => p.name === point)?.scale;
}

/** A rise faster than the meter's own rate range, with 50 % margin, is not consumption. */
function maxRateOf(profile: Profile, ratePoint: string): number | undefined {
  const high = profile.points.find((p) => p.name === ratePoint)?.range?.[1];
  return high !== undefined && high > 0 ? high * 1.5 : undefined;
}

export function metersOf(config: PlantConfig): Meter[] {
  const places = placeNames(config.sites);
  const meters: Meter[] = [];
  const trees = {
    electricity: meteringTree(config, 'electricity'),
    water: meteringTree(config, 'water'),
    gas: meteringTree(config, 'gas'),
  };
  for (const device of config.devices) {
    const profile = config.profiles.get(device.profile);
    if (!device.enabled || !profile) continue;
    for (const commodity of COMMODITIES) {
      const settings = config.energy[commodity];
      const counter = profile.points.find((p) => p.name === settings.counter && p.counter);
      if (!counter) continue;
      const hasRate = profile.points.some((p) => p.name === settings.rate);
      const place = places.get(placeKey(device));
      const parent = trees[commodity].parents.get(device.id);
      meters.push({
        device: device.id,
        name: device.name,
        commodity,
        unit: counter.unit,
        counterPoint: pointId(device.id, settings.counter),
        ...(hasRate ? { ratePoint: pointId(device.id, settings.rate) } : {}),
        main: trees[commodity].mains.has(device.id),
        ...(parent === undefined ? {} : { parent }),
        site: device.site,
        building: device.building,
        room: device.room,
        buildingName: place?.buildingName ?? device.building,
        roomName: place?.roomName ?? device.room,
        ...(device.nameZh ? { nameZh: device.nameZh } : {}),
        ...(place?.buildingNameZh ? { buildingNameZh: place.buildingNameZh } : {}),
        ...(place?.roomNameZh ? { roomNameZh: place.roomNameZh } : {}),
        ...optional('rolloverAt', rolloverOf(profile, settings.counter)),
        ...optional('resolution', resolutionOf(profile, settings.counter)),
        ...optional('maxRatePerHour', hasRate ? maxRateOf(profile, settings.rate) : undefined),
        changes: changesOf(config, device.id, settings.counter),
      });
    }
  }
  return meters;
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

function changesOf(config: PlantConfig, device: string, counter: string): MeterChange[] {
  return config.energy.meterChanges
    .filter((c) => c.device === device && (c.point ?? counter) === counter)
    .map((c) => ({
      at: parseChangeTime(c.at, config.energy.timezone) ?? Number.NaN,
      ...(c.oldFinal === undefined ? {} : { oldFinal: c.oldFinal }),
      newInitial: c.newInitial,
      ...(c.note ? { note: c.note } : {}),
    }))
    .sort((a, b) => a.at - b.at);
}

/** What the metering tree needs of a meter. */
export type TreeMeter = Pick<Meter, 'device' | 'commodity' | 'parent' | 'resolution'>;

/**
 * Each chosen meter's parent among the chosen: its nearest ancestor that is chosen too (a
 * sub-board's incomer when the feeder between them is not chosen); null for one with none
 * above it. A loop in the parents (refused by the config check) only ends the walk.
 */
export function parentsAmong<M extends TreeMeter>(chosen: readonly M[], all: readonly M[]): Map<M, M | null> {
  const above = (meter: M) =>
    meter.parent === undefined
      ? undefined
      : all.find((m) => m.device === meter.parent && m.commodity === meter.commodity);
  const result = new Map<M, M | null>();
  for (const meter of chosen) {
    const seen = new Set<M>([meter]);
    let at = above(meter);
    while (at && !seen.has(at) && !chosen.includes(at)) {
      seen.add(at);
      at = above(at);
    }
    result.set(meter, at && at !== meter && chosen.includes(at) ? at : null);
  }
  return result;
}

/** The chosen meters with no chosen meter above them: what a total may add up. */
export function topMeters<M extends TreeMeter>(chosen: readonly M[], all: readonly M[]): M[] {
  const above = parentsAmong(chosen, all);
  return chosen.filter((m) => above.get(m) === null);
}

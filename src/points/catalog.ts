import type { PlantConfig } from '../config/index.js';
import { type PlaceNames, placeKey, placeNames } from '../config/places.js';
import type { DeviceConfig, Profile } from '../config/schema.js';
import type { PointInfo, PointValue } from './types.js';

export const pointId = (device: string, point: string) => `${device}.${point}`;

/** Every point of every enabled device, described for APIs, storage tags and the dashboard. */
export function buildCatalog(config: PlantConfig): PointInfo[] {
  const places = placeNames(config.sites);
  const devices = new Map(config.devices.map((d) => [d.id, d]));
  const points: PointInfo[] = [];
  for (const device of config.devices) {
    const profile = config.profiles.get(device.profile);
    if (!device.enabled || !profile) continue;
    for (const point of profile.points) {
      const isState = point.kind === 'state' || ('type' in point && point.type === 'bool');
      points.push({
        ...deviceInfo(device, profile, places),
        id: pointId(device.id, point.name),
        name: point.name,
        label: point.label ?? point.name,
        ...(point.labelZh ? { labelZh: point.labelZh } : {}),
        unit: point.unit,
        counter: point.counter,
        kind: isState ? 'state' : 'analog',
        ...(point.range ? { range: point.range } : {}),
        ...('poll' in point && profile.protocol !== 'mqtt'
          ? { periodMs: profile.pollGroups[point.poll] }
          : {}),
      });
    }
  }
  // The points the gateway computes for a device (leak detection, maintenance).
  for (const point of config.derived) {
    const device = devices.get(point.device);
    const profile = device && config.profiles.get(device.profile);
    if (!device?.enabled || !profile) continue;
    points.push({
      ...deviceInfo(device, profile, places),
      id: pointId(device.id, point.name),
      name: point.name,
      label: point.label,
      labelZh: point.labelZh,
      unit: point.unit,
      counter: false,
      kind: point.kind,
      derived: true,
    });
  }
  return points;
}

type DeviceInfo = Pick<
  PointInfo,
  | 'device'
  | 'deviceName'
  | 'site'
  | 'building'
  | 'room'
  | 'buildingName'
  | 'roomName'
  | 'deviceNameZh'
  | 'buildingNameZh'
  | 'roomNameZh'
  | 'roomKind'
  | 'profile'
  | 'equipment'
>;

function deviceInfo(device: DeviceConfig, profile: Profile, places: Map<string, PlaceNames>): DeviceInfo {
  const place = places.get(placeKey(device));
  return {
    device: device.id,
    deviceName: device.name,
    ...(device.nameZh ? { deviceNameZh: device.nameZh } : {}),
    site: device.site,
    building: device.building,
    room: device.room,
    ...(place
      ? {
          buildingName: place.buildingName,
          roomName: place.roomName,
          ...(place.buildingNameZh ? { buildingNameZh: place.buildingNameZh } : {}),
          ...(place.roomNameZh ? { roomNameZh: place.roomNameZh } : {}),
          roomKind: place.roomKind,
        }
      : {}),
    profile: profile.id,
    equipment: profile.equipment,
  };
}

/** Latest value of every point, kept current from the bus. */
export class PointTable {
  private readonly latest = new Map<string, PointValue>();
  readonly info: Map<string, PointInfo>;

  constructor(catalog: PointInfo[]) {
    this.info = new Map(catalog.map((p) => [p.id, p]));
  }

  update(values: readonly PointValue[]): void {
    for (const v of values) this.latest.set(v.id, v);
  }

  get(id: string): PointValue | undefined {
    return this.latest.get(id);
  }

  all(): { info: PointInfo; value: PointValue | undefined }[] {
    return [...this.info.values()].map((info) => ({ info, value: this.latest.get(info.id) }));
  }
}

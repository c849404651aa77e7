import type { PlantConfig } from '../config/index.js';
import type { PointInfo, PointValue } from './types.js';

export const pointId = (device: string, point: string) => `${device}.${point}`;

/** Every point of every enabled device, described for APIs, storage tags and the dashboard. */
export function buildCatalog(config: PlantConfig): PointInfo[] {
  const points: PointInfo[] = [];
  const places = placesOf(config);
  for (const device of config.devices) {
    if (!device.enabled) continue;
    const profile = config.profiles.get(device.profile);
    if (!profile) continue;
    for (const point of profile.points) {
      const isState = point.kind === 'state' || ('type' in point && point.type === 'bool');
      points.push({
        id: pointId(device.id, point.name),
        device: device.id,
        deviceName: device.name,
        name: point.name,
        label: point.label ?? point.name,
        unit: point.unit,
        site: device.site,
        building: device.building,
        room: device.room,
        ...places.get(`${device.site}/${device.building}/${device.room}`),
        profile: profile.id,
        equipment: profile.equipment,
        counter: point.counter,
        kind: isState ? 'state' : 'analog',
        ...(point.range ? { range: point.range } : {}),
      });
    }
  }
  return [...points, ...derivedInfo(config, places)];
}

/** The points the gateway computes for a device (leak detection, maintenance). */
function derivedInfo(config: PlantConfig, places: Map<string, PlaceNames>): PointInfo[] {
  const devices = new Map(config.devices.map((d) => [d.id, d]));
  return config.derived.flatMap((point) => {
    const device = devices.get(point.device);
    const profile = device && config.profiles.get(device.profile);
    if (!device?.enabled || !profile) return [];
    return [
      {
        id: pointId(device.id, point.name),
        device: device.id,
        deviceName: device.name,
        name: point.name,
        label: point.label,
        unit: point.unit,
        site: device.site,
        building: device.building,
        room: device.room,
        ...places.get(`${device.site}/${device.building}/${device.room}`),
        profile: profile.id,
        equipment: profile.equipment,
        counter: false,
        kind: point.kind,
        derived: true,
      },
    ];
  });
}

type PlaceNames = Pick<PointInfo, 'buildingName' | 'roomName' | 'roomKind'>;

/** "site/building/room" → its names and kind, from site.yaml. */
function placesOf(config: PlantConfig): Map<string, PlaceNames> {
  const places = new Map<string, PlaceNames>();
  for (const site of config.sites)
    for (const building of site.buildings)
      for (const room of building.rooms)
        places.set(`${site.id}/${building.id}/${room.id}`, {
          buildingName: building.name,
          roomName: room.name,
          roomKind: room.kind,
        });
  return places;
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

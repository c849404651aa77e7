/**
 * Each room's plant mimic, described from the configuration (GET
 * /api/rooms/:site/:building/:room/mimic): a symbol per device by its profile's equipment, the
 * passive equipment the room lists, pump duties and breaker ratings, the metering tree (a
 * feeder under its incomer, the site's water meters under their main meters) and the symbols
 * placed by hand. Built once at start: the configuration does not change while the gateway runs.
 */
import { Router } from 'express';
import type { MimicItem, MimicModel, SymbolKind } from '../api-types/mimic.js';
import type { PlantConfig } from '../config/index.js';
import { meteringTree } from '../config/metering-tree.js';
import type { DeviceConfig } from '../config/schema.js';

/** The mimic of a room, if the configuration has that room. */
export type MimicModels = (site: string, building: string, room: string) => MimicModel | undefined;

type Site = PlantConfig['sites'][number];
type Building = Site['buildings'][number];
type Room = Building['rooms'][number];

const SYMBOL_OF_EQUIPMENT: Record<string, SymbolKind> = {
  chiller: 'chiller',
  pump: 'pump',
  'water-meter': 'meter',
  'oxygen-station': 'oxygen-station',
  boiler: 'boiler',
  'heat-exchanger': 'heat-exchanger',
  'gas-meter': 'gas-meter',
  'water-treatment': 'water-treatment',
  elevator: 'lift',
};

const roomOf = (d: DeviceConfig) => `${d.site}/${d.building}/${d.room}`;

/** The configuration and its two metering trees, worked out once. */
interface Plant {
  config: PlantConfig;
  electricity: ReturnType<typeof meteringTree>;
  water: ReturnType<typeof meteringTree>;
}

export function mimicModels(config: PlantConfig): MimicModels {
  const plant = {
    config,
    electricity: meteringTree(config, 'electricity'),
    water: meteringTree(config, 'water'),
  };
  const models = new Map<string, MimicModel>();
  for (const site of config.sites)
    for (const building of site.buildings)
      for (const room of building.rooms)
        models.set(`${site.id}/${building.id}/${room.id}`, roomMimic(plant, site, building, room));
  return (site, building, room) => models.get(`${site}/${building}/${room}`);
}

function roomMimic(plant: Plant, site: Site, building: Building, room: Room): MimicModel {
  const key = `${site.id}/${building.id}/${room.id}`;
  const { config, electricity } = plant;
  const here = config.devices.filter((d) => d.enabled && roomOf(d) === key);
  const items: MimicItem[] = here.map((d) => deviceItem(plant, d, room));
  // Meters of other rooms fed from this room's meters: a feeder to a sub-distribution board.
  for (const d of config.devices)
    if (d.enabled && roomOf(d) !== key && here.some((h) => electricity.parents.get(d.id) === h.id))
      items.push({ ...deviceItem(plant, d, room), room: roomOf(d) });
  if (room.kind === 'water-meter-point') items.push(...siteWaterMeters(plant, site, key, items));
  for (const passive of room.mimic?.equipment ?? [])
    items.push({
      id: passive.id,
      symbol: passive.kind,
      name: passive.name,
      ...(passive.nameZh ? { nameZh: passive.nameZh } : {}),
      ...(passive.ratedKva ? { ratedKva: passive.ratedKva } : {}),
    });
  for (const item of items) {
    const at = room.mimic?.layout[item.id];
    if (at) item.at = { x: at.x, y: at.y };
  }
  const setpoint = room.mimic?.setpoint;
  return {
    site: site.id,
    building: building.id,
    room: room.id,
    kind: room.kind,
    name: room.name,
    ...(room.nameZh ? { nameZh: room.nameZh } : {}),
    siteName: site.name,
    ...(site.nameZh ? { siteNameZh: site.nameZh } : {}),
    ...(room.ratedKva ? { ratedKva: room.ratedKva } : {}),
    ...(setpoint === undefined
      ? {}
      : {
          setpoint:
            typeof setpoint === 'number'
              ? { value: setpoint, unit: 'bar' }
              : { point: setpoint, unit: 'bar' },
        }),
    items,
  };
}

function deviceItem({ config, electricity, water }: Plant, device: DeviceConfig, room: Room): MimicItem {
  const equipment = config.profiles.get(device.profile)?.equipment ?? 'other';
  const parent = electricity.parents.get(device.id) ?? water.parents.get(device.id);
  let symbol = SYMBOL_OF_EQUIPMENT[equipment] ?? 'device';
  if (equipment === 'power-meter')
    symbol = electricity.mains.has(device.id) || !parent ? 'incomer' : 'feeder';
  // A pump room's pumps are booster pumps unless the configuration says otherwise.
  const duty =
    device.mimic?.duty ?? (equipment === 'pump' && room.kind === 'pump-room' ? 'booster' : undefined);
  return {
    id: device.id,
    symbol,
    device: device.id,
    name: device.name,
    ...(device.nameZh ? { nameZh: device.nameZh } : {}),
    equipment,
    ...(duty ? { duty } : {}),
    ...(device.mimic?.ratingA ? { ratingA: device.mimic.ratingA } : {}),
    ...(parent ? { parent } : {}),
  };
}

/** The site's water meters not in the room already: the whole meter tree, this room's meters marked by having no `room`. */
function siteWaterMeters({ config, water }: Plant, site: Site, key: string, items: MimicItem[]): MimicItem[] {
  const counter = config.energy.water.counter;
  const shown = new Set(items.map((i) => i.id));
  return config.devices
    .filter(
      (d) =>
        d.enabled &&
        d.site === site.id &&
        roomOf(d) !== key &&
        !shown.has(d.id) &&
        config.profiles.get(d.profile)?.points.some((p) => p.name === counter),
    )
    .map((d) => {
      const parent = water.parents.get(d.id);
      return {
        id: d.id,
        symbol: 'meter' as const,
        device: d.id,
        name: d.name,
        ...(d.nameZh ? { nameZh: d.nameZh } : {}),
        equipment: 'water-meter',
        ...(parent ? { parent } : {}),
        room: roomOf(d),
      };
    });
}

export function mimicRouter(models: MimicModels): Router {
  const router = Router();
  router.get('/rooms/:site/:building/:room/mimic', (req, res) => {
    const { site, building, room } = req.params;
    const model = models(site, building, room);
    if (!model) {
      res.status(404).json({ error: `no room "${site}/${building}/${room}"` });
      return;
    }
    res.json(model satisfies MimicModel);
  });
  return router;
}

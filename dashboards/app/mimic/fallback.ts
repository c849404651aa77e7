// A room's mimic model from the point catalog alone, for a gateway that serves no mimic model
// (an older gateway, or the API answering an error): every device by its equipment, no pipes
// beyond what the room kind implies.
import type { MimicItem, MimicModel, SymbolKind } from '../../../src/api-types/mimic.js';

const SYMBOL: Record<string, SymbolKind> = {
  chiller: 'chiller',
  pump: 'pump',
  'water-meter': 'meter',
  'oxygen-station': 'oxygen-station',
  'power-meter': 'feeder',
  boiler: 'boiler',
  'heat-exchanger': 'heat-exchanger',
  'gas-meter': 'gas-meter',
  'water-treatment': 'water-treatment',
  elevator: 'lift',
};

export interface CatalogRoom {
  site: string;
  building: string;
  id: string;
  kind: string;
  devices: { id: string; name: string; equipment: string }[];
}

export function catalogModel(room: CatalogRoom, name: string): MimicModel {
  const items: MimicItem[] = room.devices.map((d) => ({
    id: d.id,
    device: d.id,
    name: d.name,
    equipment: d.equipment,
    // Without the metering tree, an incomer is known by its id only.
    symbol:
      d.equipment === 'power-meter' && /incomer/.test(d.id) ? 'incomer' : (SYMBOL[d.equipment] ?? 'device'),
  }));
  return {
    site: room.site,
    building: room.building,
    room: room.id,
    kind: room.kind,
    name,
    siteName: room.site,
    items,
  };
}

/** The display names of every room, from site.yaml, for catalogs, reports and labels. */
import type { GatewaySettings, Site } from './schema.js';

export interface PlaceNames {
  siteName: string;
  buildingName: string;
  roomName: string;
  /** The Chinese names, when configured. */
  siteNameZh?: string;
  buildingNameZh?: string;
  roomNameZh?: string;
  roomKind: string;
}

/** "site/building/room" → its names and kind. */
export function placeNames(sites: readonly Site[]): Map<string, PlaceNames> {
  const places = new Map<string, PlaceNames>();
  for (const site of sites)
    for (const building of site.buildings)
      for (const room of building.rooms)
        places.set(`${site.id}/${building.id}/${room.id}`, {
          siteName: site.name,
          buildingName: building.name,
          roomName: room.name,
          ...(site.nameZh ? { siteNameZh: site.nameZh } : {}),
          ...(building.nameZh ? { buildingNameZh: building.nameZh } : {}),
          ...(room.nameZh ? { roomNameZh: room.nameZh } : {}),
          roomKind: room.kind,
        });
  return places;
}

export const placeKey = (place: { site: string; building: string; room: string }) =>
  `${place.site}/${place.building}/${place.room}`;

/** The campus a gateway runs: gateway.site, or its site.yaml's only site (none when it runs several). */
export function ownSite(config: { gateway: GatewaySettings; sites: readonly Site[] }): string | undefined {
  return config.gateway.gateway.site ?? (config.sites.length === 1 ? config.sites[0]?.id : undefined);
}

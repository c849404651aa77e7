/**
 * GET /api/site: the dashboard's shell asks once at start for the plant's time zone, its names,
 * how to announce alarms and the live heartbeat (src/api-types/site.ts).
 */
import { type RequestHandler, Router } from 'express';
import type { Answer } from '../api-types/route.js';
import type { Annunciation, SiteInfo, siteRoute } from '../api-types/site.js';
import { ownSite, type PlantConfig } from '../config/index.js';

/** The part of SiteInfo that comes from the configuration. */
export type SiteSettings = Omit<SiteInfo, 'heartbeat' | 'now'>;

/** Without a configuration (a bare web server): UTC, no names, critical and high sound. */
export const DEFAULT_SITE: SiteSettings = {
  timezone: 'UTC',
  sites: [],
  group: false,
  annunciation: { sound: ['critical', 'high'], repeatMs: 10_000 },
};

export function siteSettings(config: PlantConfig): SiteSettings {
  const { annunciation } = config.alarms.settings;
  return {
    timezone: config.alarms.settings.timezone ?? config.energy.timezone ?? DEFAULT_SITE.timezone,
    sites: config.sites.map((s) => ({
      id: s.id,
      name: s.name,
      ...('nameZh' in s && typeof s.nameZh === 'string' ? { nameZh: s.nameZh } : {}),
    })),
    ...(ownSite(config) ? { site: ownSite(config) } : {}),
    group: config.gateway.group !== undefined,
    annunciation: { sound: [...annunciation.sound], repeatMs: annunciation.repeat } satisfies Annunciation,
  };
}

export function siteRouter(site: SiteSettings, heartbeat: SiteInfo['heartbeat']): Router {
  const router = Router();
  const handler: RequestHandler = (_req, res) => {
    res.json({ ...site, heartbeat, now: Date.now() } satisfies Answer<typeof siteRoute>);
  };
  router.get('/site', handler);
  return router;
}

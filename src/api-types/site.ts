// GET /api/site: what the dashboard's shell needs at start — the plant's time zone (every time on
// the page is the plant's), its sites' names, how alarms are announced, and the live link's
// heartbeat — plus the gateway's clock, so the page can tell how old a value really is.
import { z } from 'zod';
import { route } from './route.js';

export const PRIORITY_NAMES = ['critical', 'high', 'medium', 'low'] as const;

export const annunciation = z
  .object({
    sound: z.array(z.enum(PRIORITY_NAMES)).describe('Priorities whose unacknowledged alarms sound'),
    repeatMs: z
      .number()
      .int()
      .positive()
      .describe('The tone repeats this often until acknowledged or silenced'),
  })
  .meta({ id: 'Annunciation', description: 'How the dashboard announces unacknowledged alarms' });
export type Annunciation = z.infer<typeof annunciation>;

export const siteInfo = z
  .object({
    timezone: z.string().describe('IANA zone of the plant, e.g. "Asia/Shanghai"'),
    sites: z.array(z.object({ id: z.string(), name: z.string(), nameZh: z.string().optional() })),
    site: z.string().optional().describe("This gateway's own campus (gateway.site, or its only site)"),
    group: z.boolean().describe('This gateway also serves the group view (/group, /api/group)'),
    annunciation,
    heartbeat: z
      .object({ pingIntervalMs: z.number().int(), pingTimeoutMs: z.number().int() })
      .describe('socket.io heartbeat: a dead link is noticed within their sum'),
    now: z.number().describe("The gateway's clock, epoch ms"),
  })
  .meta({ id: 'SiteInfo', description: "The plant's zone, names, annunciation and heartbeat" });
export type SiteInfo = z.infer<typeof siteInfo>;

export const siteRoute = route({
  method: 'get',
  path: '/api/site',
  summary: "The plant's time zone, site names, alarm annunciation and live heartbeat",
  access: 'signed-in',
  response: siteInfo,
});

export const siteRoutes = [siteRoute];

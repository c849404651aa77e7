// A room's plant mimic as the gateway describes it from the configuration: which symbols the
// room has, what each shows (a device, or a passive item drawn from the configuration alone),
// how they connect (pump duties, the metering tree) and where any are placed by hand. The
// dashboard lays out and draws the symbols (dashboards/app/mimic/) and binds them to live values.
import { z } from 'zod';
// Pump duties are words of the configuration too (site.yaml, device files): they live below both.
import { pumpDuties } from '../vocabulary/mimic.js';
import { type Answer, route } from './route.js';

/** The symbols the dashboard draws. */
export const symbolKinds = [
  'chiller',
  'pump',
  'cooling-tower',
  'transformer',
  'incomer',
  'feeder',
  'pressure-vessel',
  'liquid-tank',
  'vaporiser',
  'oxygen-station',
  'meter',
  'boiler',
  'heat-exchanger',
  'gas-meter',
  'water-treatment',
  'lift',
  'device',
] as const;

const position = z.object({ x: z.number(), y: z.number() });

export const mimicItem = z.object({
  /** The device's id, or the passive item's id from the room's `mimic.equipment`. */
  id: z.string(),
  symbol: z.enum(symbolKinds),
  /** The device whose points the symbol shows; absent for a passive item. */
  device: z.string().optional(),
  name: z.string(),
  nameZh: z.string().optional(),
  /** The device profile's equipment class (chiller, pump, power-meter…). */
  equipment: z.string().optional(),
  duty: z.enum(pumpDuties).optional(),
  /** A breaker's rated current (A): a feeder's loading is its highest phase current against it. */
  ratingA: z.number().optional(),
  /** A transformer's rating (kVA). */
  ratedKva: z.number().optional(),
  /** The meter above this one in the metering tree (a device id). */
  parent: z.string().optional(),
  /** "site/building/room" of a meter of another room (the water meter tree spans the site). */
  room: z.string().optional(),
  /** Placed by hand (the room's `mimic.layout`), in the drawing's units. */
  at: position.optional(),
});

export const mimicModel = z.object({
  site: z.string(),
  building: z.string(),
  room: z.string(),
  kind: z.string(),
  name: z.string(),
  nameZh: z.string().optional(),
  /** The site's name: the root of the water meter tree. */
  siteName: z.string(),
  siteNameZh: z.string().optional(),
  /** A distribution room's rated capacity, for its headroom. */
  ratedKva: z.number().optional(),
  /** A pump room's outlet pressure setpoint: a fixed value, or a point id ("device.point"). */
  setpoint: z
    .object({ value: z.number().optional(), point: z.string().optional(), unit: z.string() })
    .optional(),
  items: z.array(mimicItem),
});

export const mimicRoute = route({
  method: 'get',
  path: '/api/rooms/:site/:building/:room/mimic',
  summary: "A room's plant mimic from the configuration: its symbols, how they connect, hand placements",
  access: 'signed-in',
  response: mimicModel,
});

export const mimicRoutes = [mimicRoute];

export type MimicModel = Answer<typeof mimicRoute>;
export type MimicItem = MimicModel['items'][number];
export type SymbolKind = (typeof symbolKinds)[number];
export type PumpDuty = (typeof pumpDuties)[number];

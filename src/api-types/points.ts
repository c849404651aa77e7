// Points, the gateway's health and its acquisition diagnostics: the JSON of GET /api/points,
// /api/points/:id, /api/health, /api/lines, /api/devices, /api/bacnet, /api/storage, /api/notifications and
// /api/mqtt, and of the socket.io point events (live-events.ts). The server checks its answers
// against these (src/web/api.ts, src/web/live.ts), the dashboard imports the inferred types.
import { z } from 'zod';
import { QUALITIES } from '../points/types.js';
import { type Answer, route } from './route.js';

export { QUALITIES };
export const quality = z
  .enum(QUALITIES)
  .meta({ id: 'Quality', description: 'How far a value can be trusted' });
export type Quality = z.infer<typeof quality>;

export const pointValueValue = z.union([z.number(), z.boolean(), z.null()]);

/** Where a point or an alarm sits in the plant, with the display names of its building and room. */
export const placeFields = {
  site: z.string(),
  building: z.string(),
  room: z.string(),
  buildingName: z.string().optional(),
  buildingNameZh: z.string().optional(),
  roomName: z.string().optional(),
  roomNameZh: z.string().optional(),
};

/** A point's description from the configuration (src/points/types.ts PointInfo). */
export const pointInfo = z
  .object({
    id: z.string().describe('"<device>.<point>"'),
    device: z.string(),
    deviceName: z.string(),
    deviceNameZh: z.string().optional().describe("The device's name in Chinese, when configured"),
    name: z.string(),
    label: z.string(),
    labelZh: z.string().optional(),
    unit: z.string(),
    ...placeFields,
    roomKind: z.string().optional(),
    profile: z.string(),
    equipment: z.string(),
    counter: z.boolean(),
    kind: z.enum(['analog', 'state']),
    range: z.tuple([z.number(), z.number()]).optional(),
    derived: z.boolean().optional().describe('Computed by the gateway, not read from a device'),
    periodMs: z.number().optional().describe('How often the gateway reads it (Modbus poll period)'),
  })
  .meta({ id: 'PointInfo', description: "A point's description from the configuration" });
export type PointInfoJson = z.infer<typeof pointInfo>;

/** A reading as the socket.io events carry it: epoch-ms time. */
export const pointValue = z
  .object({ id: z.string(), value: pointValueValue, quality, ts: z.number().describe('Epoch ms') })
  .meta({ id: 'PointValue', description: 'A reading: value, quality and epoch-ms time' });
export type PointValueJson = z.infer<typeof pointValue>;

/** A point as the REST API shows it: its description, latest value, quality and age. */
export const pointView = pointInfo
  .extend({
    value: pointValueValue,
    quality: z.enum([...QUALITIES, 'no-data']),
    ts: z.iso.datetime().nullable().describe('ISO time of the reading, null before the first'),
    ageMs: z.number().nullable(),
  })
  .meta({ id: 'PointView', description: 'A point with its latest value, quality and age' });
export type PointView = z.infer<typeof pointView>;

const pointFilters = z.object({
  site: z.string().optional(),
  building: z.string().optional(),
  room: z.string().optional(),
  device: z.string().optional(),
  equipment: z.string().optional(),
  quality: z.string().optional(),
});

export const pointsRoute = route({
  method: 'get',
  path: '/api/points',
  summary: 'Every point with its latest value, optionally filtered',
  query: pointFilters,
  response: z.array(pointView),
});

export const pointRoute = route({
  method: 'get',
  path: '/api/points/:id',
  summary: 'One point with its latest value',
  response: pointView,
});

const upTotal = z.object({ up: z.number().int(), total: z.number().int() });

export const healthRoute = route({
  method: 'get',
  path: '/api/health',
  summary: "The gateway's health, for monitoring probes (no login)",
  access: 'anyone',
  response: z.object({
    status: z.enum(['ok', 'degraded']),
    uptimeS: z.number().int(),
    lines: upTotal,
    devices: upTotal,
    /** enabled: false without an mqtt: section in plantwatch.yaml; connected is then false too. */
    mqtt: z.object({ enabled: z.boolean(), connected: z.boolean() }),
    storage: z.object({ storeUp: z.boolean(), spooledPoints: z.number().int() }).optional(),
  }),
});
export type Health = Answer<typeof healthRoute>;

// Diagnostics: described by the fields a reader relies on; the rest passes as it is.
const notRunning = z.object({ error: z.string() });

export const linesRoute = route({
  method: 'get',
  path: '/api/lines',
  summary: 'Diagnostics of every Modbus line',
  response: z.array(z.looseObject({ id: z.string(), state: z.string() })),
});

export const devicesRoute = route({
  method: 'get',
  path: '/api/devices',
  summary: 'Diagnostics of every polled device (Modbus, and BACnet with protocol: bacnet)',
  response: z.array(z.looseObject({ id: z.string(), state: z.string() })),
});

export const bacnetRoute = route({
  method: 'get',
  path: '/api/bacnet',
  summary:
    'BACnet/IP diagnostics: each port (requests by service, timeouts, Who-Is, COV notifications, queue), its BBMD registration, and each device (address found, read mode, max-APDU, segmentation, COV subscriptions)',
  response: z.looseObject({
    ports: z.array(z.looseObject({ id: z.string() })),
    foreignDevices: z.array(z.looseObject({ port: z.string(), bbmd: z.string(), state: z.string() })),
    devices: z.array(z.looseObject({ id: z.string(), state: z.string(), port: z.string() })),
  }),
});

export const storageRoute = route({
  method: 'get',
  path: '/api/storage',
  summary: "The time-series writer's state",
  response: z.union([
    z.looseObject({ storeUp: z.boolean(), spool: z.looseObject({ points: z.number() }) }),
    notRunning,
  ]),
});

export const notificationsRoute = route({
  method: 'get',
  path: '/api/notifications',
  summary: 'Notification channels, counters and who is on duty now',
  response: z.union([z.looseObject({}), notRunning]),
});

export const mqttRoute = route({
  method: 'get',
  path: '/api/mqtt',
  summary: "The MQTT client's or embedded broker's counters",
  response: z.looseObject({ connected: z.boolean() }),
});

export const pointRoutes = [
  pointsRoute,
  pointRoute,
  healthRoute,
  linesRoute,
  devicesRoute,
  bacnetRoute,
  storageRoute,
  notificationsRoute,
  mqttRoute,
];

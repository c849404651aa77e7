import { type RequestHandler, Router } from 'express';
import type {
  bacnetRoute,
  devicesRoute,
  healthRoute,
  linesRoute,
  mqttRoute,
  notificationsRoute,
  PointInfoJson,
  PointValueJson,
  PointView,
  pointRoute,
  pointsRoute,
  Quality as QualityJson,
  storageRoute,
} from '../api-types/points.js';
import type { Answer, Describes } from '../api-types/route.js';
import type { PointInfo, PointTable, PointValue, Quality } from '../points/index.js';

// The shared schema describes the domain's own types: a field renamed, retyped or added on
// either side fails the type check here (src/api-types/points.ts).
const pointInfoDescribed: Describes<PointInfo, PointInfoJson> = true;
const pointValueDescribed: Describes<PointValue, PointValueJson> = true;
const qualityDescribed: Describes<Quality, QualityJson> = true;
void [pointInfoDescribed, pointValueDescribed, qualityDescribed];

/** What the gateway reports about itself; each part is read when asked. */
export interface GatewayStatus {
  startedAt: number;
  /** Diagnostics of every Modbus line and device; `state` drives health. */
  lines: () => { id: string; state: string }[];
  /** Every polled device: Modbus, and BACnet (`protocol: 'bacnet'`). */
  devices: () => { id: string; state: string }[];
  /** BACnet/IP ports, their BBMD registrations and devices (GET /api/bacnet). */
  bacnet?: () => unknown;
  /** `enabled: false` when plantwatch.yaml has no mqtt: section (nothing to be connected to). */
  mqtt: () => { enabled?: boolean; connected: boolean } & Record<string, unknown>;
  /** The time-series writer, when storage runs. */
  storage?: () => { storeUp: boolean; spool: { points: number } };
  /** Notification channels, counters and who is on duty now. */
  notifications?: () => unknown;
}

export type { PointView } from '../api-types/points.js';

function view(info: PointInfo, value: PointValue | undefined, now: number): PointView {
  return {
    ...info,
    value: value?.value ?? null,
    quality: value?.quality ?? 'no-data',
    ts: value ? new Date(value.ts).toISOString() : null,
    ageMs: value ? now - value.ts : null,
  };
}

const FILTERS = ['site', 'building', 'room', 'device', 'equipment', 'quality'] as const;

/** GET /api/health: served to anyone (monitoring probes do not log in). */
export function healthHandler(status: GatewayStatus): RequestHandler {
  return (_req, res) => {
    const lines = status.lines();
    const devices = status.devices();
    const linesUp = lines.filter((l) => l.state === 'connected').length;
    const devicesUp = devices.filter((d) => d.state === 'ok').length;
    const mqtt = status.mqtt();
    const mqttEnabled = mqtt.enabled ?? true;
    const storage = status.storage?.();
    const healthy =
      linesUp === lines.length &&
      devicesUp === devices.length &&
      (mqtt.connected || !mqttEnabled) &&
      (storage?.storeUp ?? true);
    res.json({
      status: healthy ? 'ok' : 'degraded',
      uptimeS: Math.round((Date.now() - status.startedAt) / 1000),
      lines: { up: linesUp, total: lines.length },
      devices: { up: devicesUp, total: devices.length },
      mqtt: { enabled: mqttEnabled, connected: mqtt.connected },
      ...(storage ? { storage: { storeUp: storage.storeUp, spooledPoints: storage.spool.points } } : {}),
    } satisfies Answer<typeof healthRoute>);
  };
}

/** Points and diagnostics: everything under /api but health and login. */
export function apiRouter(table: PointTable, status: GatewayStatus): Router {
  const router = Router();

  router.get('/points', (req, res) => {
    const now = Date.now();
    let points = table.all().map(({ info, value }) => view(info, value, now));
    for (const key of FILTERS) {
      const wanted = req.query[key];
      if (typeof wanted === 'string') points = points.filter((p) => p[key] === wanted);
    }
    res.json(points satisfies Answer<typeof pointsRoute>);
  });

  router.get('/points/:id', (req, res) => {
    const info = table.info.get(req.params.id);
    if (!info) {
      res.status(404).json({ error: `no point "${req.params.id}"` });
      return;
    }
    res.json(view(info, table.get(info.id), Date.now()) satisfies Answer<typeof pointRoute>);
  });

  router.get('/lines', (_req, res) => {
    res.json(status.lines() satisfies Answer<typeof linesRoute>);
  });
  router.get('/devices', (_req, res) => {
    res.json(status.devices() satisfies Answer<typeof devicesRoute>);
  });
  router.get('/storage', (_req, res) => {
    res.json(
      (status.storage?.() ?? { error: 'storage is not running' }) satisfies Answer<typeof storageRoute>,
    );
  });
  router.get('/notifications', (_req, res) => {
    // The notifier's counters are described loosely (any object): nothing more to check.
    const answer = status.notifications?.() ?? { error: 'notifications are not running' };
    res.json(answer as Answer<typeof notificationsRoute>);
  });
  router.get('/bacnet', (_req, res) => {
    // Described loosely, like the notifier's counters: the acquisition's own snapshot types.
    const answer = status.bacnet?.() ?? { ports: [], foreignDevices: [], devices: [] };
    res.json(answer as Answer<typeof bacnetRoute>);
  });
  router.get('/mqtt', (_req, res) => {
    res.json(status.mqtt() satisfies Answer<typeof mqttRoute>);
  });
  return router;
}

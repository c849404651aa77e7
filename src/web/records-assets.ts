/** /api/assets: the asset ledger (JSON or CSV) and each device's QR label. */
import type { Request } from 'express';
import type * as api from '../api-types/records.js';
import type { Answer } from '../api-types/route.js';
import { assetLabelSvg, assetLedger } from '../records/index.js';
import { handle, one, param, type RecordsRoutes } from './records-common.js';
import { sendTable } from './tables.js';

export function assetRoutes({ router, records }: RecordsRoutes): void {
  router.get(
    '/assets',
    handle((req, res) => {
      const ledger: Answer<typeof api.assetsRoute> = assetLedger(records.config, baseUrlOf(req));
      sendTable(req, res, 'asset-ledger', ledger, (rows) => ({
        columns: [
          'asset number',
          'device',
          'name',
          'equipment',
          'maker',
          'model',
          'site',
          'building',
          'room',
          'location',
          'installed',
          'serial',
          'critical',
        ],
        rows: rows.map((a) => [
          a.assetNumber,
          a.device,
          a.name,
          a.equipment,
          a.maker,
          a.model,
          a.location.siteName,
          a.location.buildingName,
          a.location.roomName,
          a.location.detail,
          a.installed,
          a.serial,
          a.critical,
        ]),
      }));
    }),
  );
  router.get(
    '/assets/:device/label.svg',
    handle(async (req, res) => {
      const entry = assetLedger(records.config, baseUrlOf(req)).find(
        (a) => a.device === param(req, 'device'),
      );
      if (!entry) {
        res.status(404).json({ error: `no device "${param(req, 'device')}"` });
        return;
      }
      const lang = one(req.query.lang) === 'zh' ? 'zh' : 'en';
      res.type('image/svg+xml').send(await assetLabelSvg(entry, lang));
    }),
  );
}

/** The dashboard's address as the browser asked for it, for the QR labels' links. */
function baseUrlOf(req: Request): string {
  const host = req.get('host') ?? 'localhost';
  // Only a plain host[:port] goes into a label; anything else falls back to localhost.
  const safeHost = /^[A-Za-z0-9.[\]:-]+$/.test(host) ? host : 'localhost';
  return `${req.protocol}://${safeHost}`;
}

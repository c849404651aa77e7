/**
 * Scans from the admin page (served only with login on, every route for the admin role): start
 * one (202) of a Modbus line or of a BACnet/IP port, follow its progress, cancel it, download its
 * draft configuration. The jobs themselves, and what may be scanned while the gateway runs, are
 * src/discovery/jobs.ts's.
 */
import { type Request, type RequestHandler, type Response, Router } from 'express';
import type { Describes } from '../api-types/route.js';
import {
  newBacnetScan,
  newScan,
  type ScanJobJson,
  type ScanLineJson,
  type ScansAnswer,
} from '../api-types/scan.js';
import { parseBacnetTargets, parseInstanceRange } from '../discovery/bacnet.js';
import {
  type AnyScanRequest,
  type ScanJobs,
  type ScanJobView,
  ScanRefused,
  type ScanTargetView,
} from '../discovery/jobs.js';
import { parseUnits } from '../discovery/target.js';

// The jobs' views are what the API describes: a field renamed or retyped on either side fails here.
const described: [Describes<ScanJobView, ScanJobJson>, Describes<ScanTargetView, ScanLineJson>] = [
  true,
  true,
];
void described;

export interface ScanRouterOptions {
  jobs: ScanJobs;
  /** auth.requireRole('admin'): put in front of every route here. */
  requireAdmin: RequestHandler;
}

const actor = (req: Request) => req.user?.username ?? '(unknown)';

function refused(res: Response, err: unknown): void {
  if (!(err instanceof ScanRefused)) throw err;
  res.status(err.status).json({ error: err.message });
}

const notFound = (res: Response, id: string) => res.status(404).json({ error: `no scan ${id}` });

export function scanRouter({ jobs, requireAdmin }: ScanRouterOptions): Router {
  const router = Router();

  router.get('/config/scans', requireAdmin, (_req, res) => {
    const answer: ScansAnswer = { lines: jobs.lines(), scans: jobs.list() };
    res.json(answer);
  });

  router.post('/config/scans', requireAdmin, (req, res) => {
    const request = scanRequest(req.body ?? {});
    if (typeof request === 'string') {
      res.status(400).json({ error: request });
      return;
    }
    try {
      const job: ScanJobJson = jobs.start(request, actor(req));
      res.status(202).location(`/api/config/scans/${job.id}`).json(job);
    } catch (err) {
      refused(res, err);
    }
  });

  router.get('/config/scans/:id', requireAdmin, (req: Request<{ id: string }>, res) => {
    const job = jobs.get(req.params.id);
    if (!job) notFound(res, req.params.id);
    else res.json(job);
  });

  router.delete('/config/scans/:id', requireAdmin, async (req: Request<{ id: string }>, res) => {
    const job = await jobs.cancel(req.params.id, actor(req));
    if (!job) notFound(res, req.params.id);
    else res.json(job);
  });

  router.get('/config/scans/:id/draft', requireAdmin, (req: Request<{ id: string }>, res) => {
    const file = req.query.file;
    if (file !== undefined && typeof file !== 'string') {
      res.status(400).json({ error: 'file: give one file' });
      return;
    }
    try {
      const { path, content } = jobs.draft(req.params.id, file);
      const name = path.split('/').at(-1) ?? path;
      // attachment() sets a type by the file's extension (text/yaml): the registered one after it.
      res
        .attachment(name)
        .type('application/yaml; charset=utf-8')
        .set('cache-control', 'no-store')
        .send(content);
    } catch (err) {
      refused(res, err);
    }
  });

  return router;
}

/** A POST's body as a scan request (a BACnet one when its protocol says so), or what is wrong with it. */
function scanRequest(body: unknown): AnyScanRequest | string {
  const bacnet =
    typeof body === 'object' && body !== null && 'protocol' in body && body.protocol === 'bacnet';
  const parsed = bacnet ? newBacnetScan.safeParse(body) : newScan.safeParse(body);
  if (!parsed.success)
    return parsed.error.issues
      .map((issue) => {
        const key = issue.path.join('.');
        const message = issue.message.replace(/^Invalid input: /, '');
        return key ? `${key}: ${message}` : message;
      })
      .join('; ');
  if (parsed.data.protocol === 'bacnet') {
    const { addresses: texts, instances: range, ...rest } = parsed.data;
    const addresses = parseBacnetTargets(texts);
    if (typeof addresses === 'string') return `addresses: ${addresses}`;
    const instances = range === undefined ? undefined : parseInstanceRange(range);
    if (typeof instances === 'string') return `instances: ${instances}`;
    return { ...rest, addresses, instances };
  }
  const { units: unitText, ...rest } = parsed.data;
  const units = parseUnits(unitText);
  if (typeof units === 'string') return `units: ${units}`;
  return { ...rest, ...units };
}

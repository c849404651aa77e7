/** The fault-injection control API (loopback HTTP), used by `plantwatch fault`. */
import type { Server } from 'node:http';
import express from 'express';
import type { Fault, FaultController } from './faults.js';

export async function startControlApi(
  host: string,
  port: number,
  faults: FaultController,
  values: (device: string) => Record<string, number | boolean>,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(express.json({ limit: '10kb' }));
  const attempt = (res: express.Response, action: () => unknown) => {
    try {
      res.json(action() ?? { ok: true });
    } catch (err) {
      res.status(400).json({ error: (err as Error).message });
    }
  };
  app.get('/faults', (_req, res) => attempt(res, () => faults.list()));
  app.post('/faults/:device', (req, res) =>
    attempt(res, () => {
      faults.inject(req.params.device, req.body as Fault);
      return faults.list();
    }),
  );
  app.delete('/faults/:device', (req, res) => attempt(res, () => faults.clear(req.params.device)));
  app.delete('/faults/:device/:type', (req, res) =>
    attempt(res, () => faults.clear(req.params.device, req.params.type as Fault['type'])),
  );
  app.get('/devices/:device', (req, res) => attempt(res, () => values(req.params.device)));
  // Malformed JSON and unknown routes answer JSON too, so the CLI can print the reason.
  app.use((_req: express.Request, res: express.Response) => res.status(404).json({ error: 'no such route' }));
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) =>
    res.status(400).json({ error: err.message }),
  );
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

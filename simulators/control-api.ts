/**
 * The fault-injection control API (loopback HTTP), used by `fault` (simulators/program.ts); with a demo
 * inbox, also where the notifier's webhooks are posted and where the inbox is read.
 */
import type { Server } from 'node:http';
import express from 'express';
import type { Fault, FaultController } from './faults.js';
import { type DemoInbox, type InboxChannel, InboxInputError } from './inbox.js';
import { INBOX_PAGE_POLICY, inboxPage } from './inbox-page.js';

/** Chat robots' messages are capped at a few kB; 100 kB also takes a generic JSON with many events. */
const WEBHOOK_BODY_LIMIT = '100kb';

function inboxRoutes(inbox: DemoInbox): express.Router {
  const router = express.Router();
  // Any content type, read as text: the inbox decides what the body is and says what is wrong.
  router.post(
    '/inbox/webhook/:group',
    express.text({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
    (req, res) => {
      try {
        const body = typeof req.body === 'string' ? req.body : '';
        inbox.recordWebhook(req.params.group, req.get('content-type'), body);
        // What WeCom and DingTalk robots answer, so a caller checking errcode sees success.
        res.json({ errcode: 0, errmsg: 'ok' });
      } catch (err) {
        if (!(err instanceof InboxInputError)) throw err;
        res.status(400).json({ errcode: 400, errmsg: err.message, error: err.message });
      }
    },
  );
  router.get('/inbox', (req, res) => {
    const channel = req.query.channel;
    if (channel !== undefined && channel !== 'email' && channel !== 'webhook') {
      res.status(400).json({ error: `channel must be "email" or "webhook", not ${JSON.stringify(channel)}` });
      return;
    }
    const messages = inbox.messages(channel as InboxChannel | undefined);
    // A browser asks for HTML and gets a page to read; curl and scripts (*/*) keep the JSON.
    if (req.accepts(['json', 'html']) === 'html') {
      res.set('Content-Security-Policy', INBOX_PAGE_POLICY);
      res.type('html').send(inboxPage(messages, channel as InboxChannel | undefined));
      return;
    }
    res.json(messages);
  });
  router.delete('/inbox', (_req, res) => {
    res.json({ ok: true, cleared: inbox.clear() });
  });
  return router;
}

export async function startControlApi(
  host: string,
  port: number,
  faults: FaultController,
  values: (device: string) => Record<string, number | boolean>,
  inbox?: DemoInbox,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  // Before the JSON parser: webhook bodies are bigger than faults and not always JSON.
  if (inbox) app.use(inboxRoutes(inbox));
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
  // body-parser's errors carry their status (413 for a body over the limit); the rest are 400.
  app.use(
    (
      err: Error & { status?: number },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) =>
      res
        .status(err.status && err.status >= 400 && err.status < 500 ? err.status : 400)
        .json({ error: err.message }),
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

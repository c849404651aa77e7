/**
 * The gateway's HTTP face: REST API (health, points, diagnostics), Prometheus metrics,
 * the dashboard's static files, and socket.io live push of point values.
 * With login (an Auth given), everything but health, the login routes and the static files
 * needs a signed-in user, alarm actions the electrician role, and so does socket.io; a user
 * scoped to other campuses (AuthUser.sites) gets only the login routes, /api/site and /api/group.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express, {
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Server as SocketServer } from 'socket.io';
import type { AlarmService } from '../alarms/index.js';
import { type Auth, onCampus } from '../auth/index.js';
import { type BacnetScannerOptions, bacnetScanner } from '../discovery/bacnet-scanner.js';
import { ScanJobs } from '../discovery/jobs.js';
import { type ModbusScannerOptions, modbusScanner } from '../discovery/modbus-scanner.js';
import type { EnergyService } from '../energy/index.js';
import type { PointBus, PointTable } from '../points/index.js';
import type { RecordsService } from '../records/index.js';
import { dashboardBuildDir, repoRoot } from '../repo-root.js';
import type { TimeSeriesStore } from '../storage/index.js';
import { adminRouter } from './admin.js';
import { alarmsRouter } from './alarms.js';
import { apiRouter, type GatewayStatus, healthHandler } from './api.js';
import { csrfGuard, socketHandshakeGuard } from './csrf.js';
import { energyRouter, type MonthlyReportPage, type MonthlyReportPdf } from './energy.js';
import { type GroupView, groupRouter } from './group.js';
import { historyRouter } from './history.js';
import { type LiveServer, startLivePush } from './live.js';
import { type MimicModels, mimicRouter } from './mimic.js';
import { openApiRouter } from './openapi.js';
import { recordsRouter } from './records.js';
import { scanRouter } from './scan.js';
import { DEFAULT_SITE, type SiteSettings, siteRouter } from './site.js';

export type { GatewayStatus } from './api.js';

export interface WebServerOptions {
  host: string;
  port: number;
  table: PointTable;
  bus: PointBus;
  status: GatewayStatus;
  metrics: Registry;
  log: Logger;
  /** Where history comes from; without one the history API is not served. */
  store?: TimeSeriesStore;
  /** The alarm system; without one the alarm API is not served. */
  alarms?: AlarmService;
  /** Directory of the dashboard's static files. */
  dashboardDir?: string;
  /** Login and roles; without it nothing asks for a login (auth.enabled: false). */
  auth?: Auth;
  /** With auth: serve /metrics without a login (web.metricsPublic). */
  metricsPublic?: boolean;
  /** With auth: how often open sockets are checked for a session that ended (default 60 s). */
  sessionRecheckMs?: number;
  /** With auth: the configuration as an admin reviews it, secrets removed (GET /api/config/summary). */
  configSummary?: () => unknown;
  /** Energy reports; without it /api/energy is not served. */
  energy?: EnergyService;
  /** The monthly energy report as HTML (GET /api/energy/report). */
  monthlyReport?: MonthlyReportPage;
  /** The same as PDF (GET /api/energy/report.pdf?month=…&lang=en|zh). */
  monthlyReportPdf?: MonthlyReportPdf;
  /** Mail the monthly report now (POST /api/energy/report/send, energy managers). */
  sendMonthlyReport?: (month?: string) => Promise<string>;
  /** Work orders, handovers, maintenance, operation logs, assets; without it not served. */
  records?: RecordsService;
  /** express `trust proxy` (web.trustProxy): whose X-Forwarded-* to believe. Default false. */
  trustProxy?: TrustProxy;
  /** Origins besides the gateway's own that may post to the API (web.allowedOrigins). */
  allowedOrigins?: readonly string[];
  /** Each room's plant mimic from the configuration (GET /api/rooms/…/mimic); without it not served. */
  mimics?: MimicModels;
  /** The hospital group's view (plantwatch.yaml group:); without it /api/group is not served. */
  group?: GroupView;
  /**
   * The plant's zone, names and alarm annunciation for the dashboard (GET /api/site); its `site`
   * is this gateway's own campus: with auth, a user whose `sites` leave it out is refused (403)
   * everywhere but the login routes, /api/site, /api/health, /api/openapi.json and /api/group.
   */
  site?: SiteSettings;
  /**
   * With auth: the configured lines and those polled, for the admin page's scans (/api/config/scans);
   * with `bacnet`, the configured BACnet/IP ports and the gateway's open socket of each.
   */
  scans?: ModbusScannerOptions & { bacnet?: BacnetScannerOptions | undefined };
}

/**
 * socket.io's heartbeat: the gateway pings every browser this often and drops one that does not
 * answer in time; a browser that hears no ping for their sum (4 s) knows the link is dead. The
 * defaults (25 s + 20 s) would show values as live for most of a minute after a silent drop.
 * Cost: a 1-byte ping and pong per browser every 2 s (measured in dashboards/README.md, "The shell").
 */
export const HEARTBEAT = { pingIntervalMs: 2000, pingTimeoutMs: 2000 };

/** An express `trust proxy` setting: true, a hop count, or comma-separated addresses, subnets, names. */
export type TrustProxy = boolean | number | string;

export interface WebServer {
  readonly url: string;
  readonly port: number;
  /** The express app, so a test can walk every registered route (test/security/routes.test.ts). */
  readonly app: Express;
  /** Browsers (socket.io connections) watching live data now. */
  browsers(): number;
  stop(): Promise<void>;
}

/**
 * A path with a `..` segment (literal or percent-encoded, its separators too) is refused before anything reads
 * it: browsers resolve dot segments before asking, so only a probe sends one. The static
 * file handlers would refuse to leave their folders anyway; this also stops them answering
 * such a path with a redirect that echoes it back.
 */
function refuseDotSegments(req: express.Request, res: express.Response, next: express.NextFunction): void {
  // A separator may come percent-encoded too (%2f, %5c): "..%2f" is a dot segment to a decoder.
  if (/(^|\/|%2f|%5c)(\.|%2e){2}(\/|%2f|%5c|$)/i.test(req.path)) {
    res.status(400).json({ error: 'bad path' });
    return;
  }
  next();
}

/**
 * helmet's headers, fitted to how each request arrived. Over https (directly or through a
 * trusted TLS proxy) the browser is told to stay on https: upgrade-insecure-requests and
 * HSTS. Over plain http neither (nor COOP, meaningless there): the gateway serves no https,
 * so a browser on the LAN (loopback alone is exempt) would fetch every script over https
 * and show a blank page.
 */
function securityHeaders(): RequestHandler {
  const directives = { 'script-src': ["'self'"], 'connect-src': ["'self'", 'ws:', 'wss:'] };
  const overTls = helmet({ contentSecurityPolicy: { directives } });
  const overPlainHttp = helmet({
    contentSecurityPolicy: { directives: { ...directives, 'upgrade-insecure-requests': null } },
    strictTransportSecurity: false,
    // Browsers ignore COOP from an untrustworthy origin and say so in the console.
    crossOriginOpenerPolicy: false,
  });
  return (req, res, next) => (req.secure ? overTls : overPlainHttp)(req, res, next);
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const app = express();
  app.disable('x-powered-by');
  // Who may say a request came over https (X-Forwarded-Proto): a TLS reverse proxy, if any.
  app.set('trust proxy', options.trustProxy ?? false);
  app.use(securityHeaders());
  app.use(refuseDotSegments);
  // Before any body is read or anyone signed in or out: cross-site and non-JSON posts refused.
  const sameOrigin = {
    log: options.log,
    metrics: options.metrics,
    allowedOrigins: options.allowedOrigins ?? [],
  };
  app.use('/api', csrfGuard(sameOrigin));
  app.use(express.json({ limit: '100kb' }));
  const { auth } = options;
  if (auth) {
    // Login, logout and "who am I" first; then every request learns its user (refusing none).
    app.use('/api', auth.router);
    app.use(auth.authenticate);
  }
  // Public: health (monitoring probes), and below the dashboard's static files.
  app.get('/api/health', healthHandler(options.status));
  app.use('/api', openApiRouter());
  // This gateway's campus: users of other campuses only sign in, see which campus this is
  // (/api/site) and the group view, which shows each user their own campuses.
  const ownCampus = options.site?.site;
  const signedIn: RequestHandler[] = auth ? [auth.requireRole(), auth.requireCampus(ownCampus)] : [];
  app.get('/metrics', ...(options.metricsPublic ? [] : signedIn), async (_req, res) => {
    res.type(options.metrics.contentType).send(await options.metrics.metrics());
  });
  // Everything else under /api: a signed-in user (401 JSON otherwise, logged).
  if (auth) app.use('/api', auth.requireRole());
  // The group view filters by the user's campuses itself: before anything scoped to this campus.
  if (options.group) app.use('/api', groupRouter(options.group));
  app.use('/api', siteRouter(options.site ?? DEFAULT_SITE, HEARTBEAT));
  // Everything below is this campus's: its users only (403 JSON otherwise, logged), admins included.
  if (auth) app.use('/api', auth.requireCampus(ownCampus));
  // Users and the configuration summary: admins only, and only where there are users at all.
  if (auth)
    app.use(
      '/api',
      adminRouter({
        users: auth.users,
        requireAdmin: auth.requireRole('admin'),
        log: options.log,
        configSummary: options.configSummary,
      }),
    );
  const scans =
    auth && options.scans
      ? new ScanJobs({
          scanners: {
            modbus: modbusScanner(options.scans),
            bacnet: options.scans.bacnet?.ports.length ? bacnetScanner(options.scans.bacnet) : undefined,
          },
          log: options.log,
        })
      : undefined;
  if (auth && scans) app.use('/api', scanRouter({ jobs: scans, requireAdmin: auth.requireRole('admin') }));
  if (options.store) app.use('/api', historyRouter(options.table, options.store));
  if (options.alarms)
    app.use(
      '/api',
      alarmsRouter(options.alarms, auth ? { actionGuard: auth.requireRole('electrician') } : {}),
    );
  if (options.energy)
    app.use(
      '/api',
      energyRouter(options.energy, {
        ...(options.monthlyReport ? { monthlyReport: options.monthlyReport } : {}),
        ...(options.monthlyReportPdf ? { monthlyReportPdf: options.monthlyReportPdf } : {}),
        ...(options.sendMonthlyReport
          ? {
              sendReport: options.sendMonthlyReport,
              ...(auth ? { reportGuard: auth.requireRole('energy-manager') } : {}),
            }
          : {}),
      }),
    );
  if (options.records)
    app.use(
      '/api',
      recordsRouter(options.records, {
        zone: options.records.timezone,
        ...(auth ? { act: auth.requireRole('electrician') } : { loginOff: true }),
      }),
    );
  if (options.mimics) app.use('/api', mimicRouter(options.mimics));
  app.use('/api', apiRouter(options.table, options.status));
  // The group view's own address: the dashboard's group page.
  if (options.group) app.get('/group', (_req, res) => res.redirect(302, '/#/group'));
  const root = repoRoot();
  const statics = { index: 'index.html', dotfiles: 'deny' } as const;
  // The pages' scripts are TypeScript bundled by `npm run build` into dist/dashboard/; their
  // HTML and CSS are served from dashboards/ as they are.
  const built = dashboardBuildDir();
  if (!existsSync(join(built, 'app', 'main.js')))
    options.log.error({ dir: built }, 'the dashboard is not built: run npm run build');
  app.use('/vendor/uplot', express.static(join(root, 'node_modules', 'uplot', 'dist'), statics));
  app.use('/live', express.static(join(built, 'live'), statics));
  app.use('/live', express.static(join(root, 'dashboards', 'live'), statics));
  app.use(express.static(join(built, 'app'), statics));
  app.use(express.static(options.dashboardDir ?? join(root, 'dashboards', 'app'), statics));
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  // Errors (malformed JSON, oversized bodies) get a clear status and message, never a stack trace.
  app.use(
    (err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
      const status = err.status && err.status >= 400 && err.status < 600 ? err.status : 500;
      if (status >= 500) options.log.error({ err }, 'HTTP request failed');
      res.status(status).json({ error: status >= 500 ? 'internal error' : err.message });
    },
  );

  const server: Server = createServer(app);
  const io: LiveServer = new SocketServer(server, {
    // The pages bundle socket.io's client (dist/dashboard): nothing to serve at /socket.io/socket.io.js.
    serveClient: false,
    allowRequest: socketHandshakeGuard(sameOrigin),
    pingInterval: HEARTBEAT.pingIntervalMs,
    pingTimeout: HEARTBEAT.pingTimeoutMs,
  });
  const stopGuard = auth ? guardSockets(io, auth, ownCampus, options.sessionRecheckMs ?? 60_000) : undefined;
  const live = startLivePush(io, options.bus, options.table, options.alarms);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `web server cannot listen on ${options.host}:${options.port}: the port is in use (change web.port)`,
            )
          : err,
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    app,
    browsers: () => io.engine.clientsCount,
    async stop() {
      stopGuard?.();
      live.stop();
      await scans?.stop();
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * Only signed-in browsers of this campus get live data: the handshake must carry a live session
 * of a user who works for `site` (auth.socketCampus). When auth
 * says a user's sessions ended (logout, password reset, user disabled) that user's sockets are
 * looked up again at once; and every `everyMs` every socket is, for what auth cannot tell
 * (expiry, the CLI changing the users file from another process). A socket whose session is
 * gone gets 'session-ended', then is disconnected. An open dashboard thereby counts as use of
 * its session (sessionMax still ends it). Returns the function that stops the guard.
 */
function guardSockets(io: SocketServer, auth: Auth, site: string | undefined, everyMs: number): () => void {
  io.use(auth.socketAuth);
  io.use(auth.socketCampus(site));
  const recheck = (only?: string) => {
    for (const socket of io.of('/').sockets.values()) {
      // socket.data is untyped in socket.io; socketAuth put an AuthUser there.
      const user = socket.data.user as { username: string } | undefined;
      if (only !== undefined && user?.username !== only) continue;
      const now = auth.userFromCookie(socket.handshake.headers.cookie);
      if (now && onCampus(now, site)) continue;
      // No longer this campus's user (an admin or the CLI changed their campuses): dropped, the
      // session left alone; a session that ended is told so.
      if (!now) socket.emit('session-ended');
      socket.disconnect(true);
    }
  };
  const unsubscribe = auth.onSessionsEnded((ended) => recheck(ended.username));
  const timer = setInterval(() => recheck(), everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}

/**
 * Cross-site request forgery defence for the API. The session cookie's SameSite does not
 * stop a page on the same host at another port (the same site), so every state-changing
 * request under /api, login and logout included:
 * - from a browser, must come from the gateway's own origin (the request's scheme and Host,
 *   as a trusted proxy reports them) or one of web.allowedOrigins: Origin is checked, and
 *   Sec-Fetch-Site when sent ('same-origin' or 'none' only);
 * - carries its body as application/json, which no HTML form can send and another page's
 *   script cannot send without a CORS preflight, never granted. A request without a body
 *   may have no content-type.
 * A client sending neither Origin nor Sec-Fetch-Site (curl, scripts, the CLI) is no browser,
 * so no one's session rides on it: only the JSON rule applies to it. Each refusal is logged
 * with the address and counted (plantwatch_http_requests_refused_total).
 */
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

export interface CsrfOptions {
  log: Logger;
  /** Where the refusals are counted. */
  metrics: Registry;
  /** Origins besides the gateway's own, e.g. "https://plant.example.cn" (web.allowedOrigins). */
  allowedOrigins?: readonly string[];
}

type Reason = 'cross-site' | 'content-type' | 'cross-site-socket';

const READ_ONLY = new Set(['GET', 'HEAD', 'OPTIONS']);
const SAME_ORIGIN_FETCH = new Set(['same-origin', 'none']);
const METRIC = 'plantwatch_http_requests_refused_total';

/** Refuses cross-site and non-JSON state-changing requests; mount it on /api before any body parser. */
export function csrfGuard(options: CsrfOptions): RequestHandler {
  const allowed = new Set((options.allowedOrigins ?? []).flatMap((o) => normalOrigin(o) ?? []));
  const refused = refusalCounter(options.metrics);
  return (req, res, next) => {
    if (READ_ONLY.has(req.method)) return next();
    const crossSite = crossSiteReason(req, allowed);
    if (crossSite) return refuse(options.log, refused, req, res, 'cross-site', crossSite);
    const notJson = contentTypeReason(req);
    if (notJson) return refuse(options.log, refused, req, res, 'content-type', notJson);
    next();
  };
}

/**
 * socket.io's allowRequest: a WebSocket is not bound by CORS, so a page on another port of the
 * same host (the same site: the session cookie goes along) could open one and read the live
 * values. A browser always sends Origin on a WebSocket or cross-origin handshake: it must
 * name this gateway's host or an allowed origin. Without Origin it is no cross-site browser.
 */
export function socketHandshakeGuard(
  options: CsrfOptions,
): (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void {
  const allowed = new Set((options.allowedOrigins ?? []).flatMap((o) => normalOrigin(o) ?? []));
  const refused = refusalCounter(options.metrics);
  return (req, callback) => {
    const origin = req.headers.origin;
    if (origin === undefined) return callback(null, true);
    const normal = normalOrigin(origin);
    // The scheme may differ behind a TLS proxy (https page, plain http here): the host decides.
    const ours = normal !== undefined && (new URL(normal).host === req.headers.host || allowed.has(normal));
    if (ours) return callback(null, true);
    refused.inc({ reason: 'cross-site-socket' });
    options.log.warn(
      { ip: req.socket.remoteAddress, origin, path: req.url },
      `live connection refused: Origin ${origin} is not this gateway`,
    );
    callback('cross-site connection refused', false);
  };
}

/** Why the request comes from another site, or undefined when it does not. */
function crossSiteReason(req: Request, allowed: ReadonlySet<string>): string | undefined {
  const origin = req.get('origin');
  if (origin !== undefined) {
    const normal = normalOrigin(origin);
    if (normal === undefined || (normal !== ownOrigin(req) && !allowed.has(normal)))
      return `cross-site request refused: Origin ${origin} is not this gateway`;
  }
  const site = req.get('sec-fetch-site');
  if (site !== undefined && !SAME_ORIGIN_FETCH.has(site))
    return `cross-site request refused: Sec-Fetch-Site ${site}`;
  return undefined;
}

/** Why the body is not acceptable: anything but JSON, or a body without a content-type. */
function contentTypeReason(req: Request): string | undefined {
  const type = req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return undefined;
  if (type) return `request body must be application/json (got ${type})`;
  const length = Number(req.get('content-length') ?? 0);
  const hasBody = req.get('transfer-encoding') !== undefined || length > 0;
  return hasBody ? 'request body must be application/json (no content-type given)' : undefined;
}

/** The origin this request was addressed to: its scheme (as a trusted proxy says) and Host. */
function ownOrigin(req: Request): string | undefined {
  return normalOrigin(`${req.protocol}://${req.host}`);
}

/** "scheme://host[:port]" with case and default ports normalised; undefined for "null" or garbage. */
function normalOrigin(text: string): string | undefined {
  try {
    const origin = new URL(text).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

function refusalCounter(metrics: Registry): Counter<'reason'> {
  // One per registry: a second web server on the same registry (tests) counts into the same one.
  const existing = metrics.getSingleMetric(METRIC) as Counter<'reason'> | undefined;
  return (
    existing ??
    new Counter({
      name: METRIC,
      help: 'State-changing API requests refused: from another site, or with a body that is not JSON',
      labelNames: ['reason'],
      registers: [metrics],
    })
  );
}

function refuse(
  log: Logger,
  counter: Counter<'reason'>,
  req: Request,
  res: Response,
  reason: Reason,
  error: string,
): void {
  const status = reason === 'content-type' ? 415 : 403;
  counter.inc({ reason });
  log.warn(
    {
      method: req.method,
      path: req.originalUrl,
      ip: req.ip,
      origin: req.get('origin'),
      secFetchSite: req.get('sec-fetch-site'),
      contentType: req.get('content-type'),
      status,
    },
    `request refused: ${error}`,
  );
  res.status(status).json({ error });
}

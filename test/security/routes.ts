/**
 * Every route an express app has registered, found by walking its router stack (express 5 /
 * router 2: a layer with a `route` is an endpoint, a layer whose handle has a `stack` is a
 * mounted router, `rawPath` is the path it was registered with).
 */
import type { Express } from 'express';

export interface RouteEntry {
  /** GET, POST, … ; ALL for router.all; USE for middleware mounted on a path. */
  method: string;
  /** The registered path, e.g. "/api/alarms/:id/ack". */
  path: string;
}

interface Layer {
  rawPath?: string | RegExp | (string | RegExp)[];
  slash?: boolean;
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function paths(raw: Layer['rawPath']): string[] {
  if (raw === undefined) return ['/'];
  const all = Array.isArray(raw) ? raw : [raw];
  return all.map((p) => {
    if (typeof p !== 'string') throw new Error(`a route registered with a RegExp (${String(p)}): name it`);
    return p;
  });
}

const join = (prefix: string, path: string) =>
  `${prefix}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');

function walk(stack: Layer[], prefix: string, out: RouteEntry[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const routePaths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      const methods = Object.entries(layer.route.methods)
        .filter(([, on]) => on)
        .map(([method]) => (method === '_all' ? 'ALL' : method.toUpperCase()));
      for (const path of routePaths)
        for (const method of methods) out.push({ method, path: join(prefix, path) });
    } else if (layer.handle?.stack) {
      for (const mount of layer.slash ? ['/'] : paths(layer.rawPath))
        walk(layer.handle.stack, join(prefix, mount), out);
    } else if (!layer.slash) {
      // Middleware mounted on a path (express.static, a guard, a handler): method "USE".
      for (const mount of paths(layer.rawPath)) out.push({ method: 'USE', path: join(prefix, mount) });
    }
  }
}

export function registeredRoutes(app: Express): RouteEntry[] {
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  const out: RouteEntry[] = [];
  walk(router.stack, '', out);
  return out;
}

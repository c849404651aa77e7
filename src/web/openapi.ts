/**
 * GET /api/openapi.json: the OpenAPI 3.1 document of the REST API, built once from the route
 * descriptions in src/api-types (the same ones the handlers and the dashboard are typed
 * with). Served without login, like /api/health: it describes the shapes of an open-source
 * API and holds no plant data, names, users or settings, and an integrator's tool reads it
 * before it has a session. What each route needs is in the document (security, x-permission).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import { type OpenApiDocument, openApiDocument } from '../api-types/openapi.js';
import { repoRoot } from '../repo-root.js';

let cached: OpenApiDocument | undefined;

/** The document, built on first use (zod's conversion takes a few milliseconds). */
export function gatewayOpenApi(): OpenApiDocument {
  if (!cached) {
    const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version?: string };
    cached = openApiDocument(pkg.version ?? '0.0.0');
  }
  return cached;
}

export function openApiRouter(): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(gatewayOpenApi());
  });
  return router;
}

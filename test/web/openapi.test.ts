/**
 * GET /api/openapi.json: the OpenAPI 3.1 document built from src/api-types. It must be a
 * document a tool can read (openapi, info, paths; every operation's answer with a JSON schema;
 * every $ref resolving), served without login; and it must describe every route the running
 * gateway mounts (found by walking its router stack, as test/security/routes.test.ts does), so a
 * route added without a description fails here, and describe no route that is not mounted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../src/api-types/index.js';
import { openApiPath } from '../../src/api-types/openapi.js';
import { type GatewayRig, startGatewayRig } from '../security/gateway-rig.js';
import { type RouteEntry, registeredRoutes } from '../security/routes.js';

/**
 * Areas whose routes may be missing from the document for now (a regex of the path each), while
 * they are being described. Empty: every mounted route is described.
 */
const NOT_YET_DESCRIBED: RegExp[] = [];

/** Mounted endpoints that are not part of the JSON API. */
const NOT_API = new Set(['GET /metrics', 'GET /group']);

type Json = Record<string, unknown>;
interface Doc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json> };
}

let rig: GatewayRig;
let doc: Doc;
let status: number;
let routes: RouteEntry[];
beforeAll(async () => {
  rig = await startGatewayRig();
  routes = registeredRoutes(rig.gateway.web.app).filter(
    (r) => r.method !== 'USE' && !NOT_API.has(`${r.method} ${r.path}`),
  );
  // No cookie: the document is public like /api/health.
  const res = await fetch(`${rig.url}/api/openapi.json`);
  status = res.status;
  doc = (await res.json()) as Doc;
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});

/** Every { $ref } in a JSON value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  return out;
}

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document, served without a session', () => {
    expect(status).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toMatch(/Plantwatch/);
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(doc.paths).length).toBeGreaterThan(10);
  });

  it('gives every operation a success answer with a JSON schema (or 204 without a body)', () => {
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const { name, op } of operations()) {
      if (typeof op.operationId !== 'string' || ids.has(op.operationId))
        problems.push(`${name}: operationId`);
      ids.add(String(op.operationId));
      const responses = op.responses as Record<string, { content?: Record<string, { schema?: Json }> }>;
      const success = Object.entries(responses).filter(([code]) => /^2\d\d$/.test(code));
      if (success.length !== 1) problems.push(`${name}: ${success.length} success answers`);
      for (const [code, answer] of success) {
        const schema = answer.content?.['application/json']?.schema;
        if (code === '204' ? answer.content !== undefined : typeof schema !== 'object')
          problems.push(`${name}: ${code} without a JSON schema`);
      }
      for (const param of (op.parameters ?? []) as { in: string; name: string }[])
        if (param.in === 'path' && !name.includes(`{${param.name}}`))
          problems.push(`${name}: path parameter ${param.name} not in the path`);
    }
    expect(problems).toEqual([]);
  });

  it('resolves every $ref to a component schema', () => {
    const missing = refs(doc).filter((ref) => {
      const name = ref.replace('#/components/schemas/', '');
      return !ref.startsWith('#/components/schemas/') || !(name in doc.components.schemas);
    });
    expect(missing).toEqual([]);
    // Shared shapes are components, not copies.
    for (const name of ['PointView', 'AlarmStatus', 'AlarmEvent', 'SessionUser', 'User', 'Error'])
      expect(doc.components.schemas).toHaveProperty(name);
  });

  it('describes a point with its fields, and the login and health routes as public', () => {
    const point = doc.components.schemas.PointView as { properties: Json; required: string[] };
    expect(point.properties).toHaveProperty('deviceName');
    expect(point.properties).toHaveProperty('quality');
    expect(point.required).toContain('ageMs');
    expect(doc.paths['/api/health']?.get?.security).toEqual([]);
    expect(doc.paths['/api/auth/login']?.post?.security).toEqual([]);
    expect(doc.paths['/api/users']?.post?.['x-permission']).toBe('users');
  });
});

describe('the routes the gateway mounts', () => {
  it('were found by the walk', () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    for (const expected of ['GET /api/points', 'POST /api/alarms/:id/ack', 'GET /api/config/summary'])
      expect(names).toContain(expected);
  });

  it('are each described in the document (but the areas being described now)', () => {
    const undescribed = routes
      .filter((r) => !NOT_YET_DESCRIBED.some((area) => area.test(r.path)))
      .filter((r) => !doc.paths[openApiPath(r.path)]?.[r.method.toLowerCase()])
      .map((r) => `${r.method} ${r.path}`);
    expect(undescribed).toEqual([]);
  });

  it('include every route the document describes (no stale description)', () => {
    const mounted = new Set(routes.map((r) => `${r.method} ${openApiPath(r.path)}`));
    const stale = operations()
      .map((o) => o.name)
      .filter((name) => !mounted.has(name));
    expect(stale).toEqual([]);
  });
});

describe('the answers of the running gateway', () => {
  it('fit their described schema (every GET without parameters, as the admin)', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const r of allRoutes.filter((r) => r.method === 'get' && !r.path.includes(':'))) {
      const res = await fetch(`${rig.url}${r.path}`, { headers: { cookie: rig.cookies.admin } });
      const type = res.headers.get('content-type') ?? '';
      if (res.status !== 200 || !type.startsWith('application/json')) {
        await res.arrayBuffer();
        continue; // a route that needs a query, or answers CSV/HTML: its shape is checked elsewhere
      }
      checked++;
      const parsed = r.response.safeParse(await res.json());
      if (!parsed.success)
        problems.push(
          `GET ${r.path}: ${parsed.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.')} ${i.message}`)
            .join('; ')}`,
        );
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });
});

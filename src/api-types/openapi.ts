// The OpenAPI 3.1 document of the REST API, built from the same route descriptions the server
// and the dashboard are typed with (served at GET /api/openapi.json by src/web/openapi.ts).
// OpenAPI 3.1 schemas are JSON Schema 2020-12, zod's default target. A schema with a `.meta({ id })`
// becomes one entry of components.schemas, referred to from every route that uses it.
import { z } from 'zod';
import { allRoutes } from './index.js';
import type { ApiRoute } from './route.js';

type Json = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
  security: Record<string, string[]>[];
}

const COMPONENTS = '#/components/schemas/';

/** The error every refusal answers with (400, 401, 403, 404, 409, 415, 429). */
const errorAnswer = z
  .object({ error: z.string().describe('What went wrong, in words') })
  .meta({ id: 'Error', description: 'A refusal or failure' });

/** Collects the components and rewrites each schema's $defs references to them. */
class Schemas {
  readonly components: Record<string, Json> = {};

  /**
   * A zod schema as JSON Schema; `input` for what a client sends (query, body). A schema JSON
   * cannot carry (a Date, a transform's output) throws: test/web/openapi.test.ts sees it first.
   */
  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const json = z.toJSONSchema(schema, { io }) as Json;
    const defs = (json.$defs ?? {}) as Record<string, Json>;
    delete json.$defs;
    delete json.$schema;
    const names = new Map<string, string>();
    for (const [id, def] of Object.entries(defs)) names.set(id, this.add(id, def, io));
    for (const def of Object.values(defs)) this.relink(def, names);
    return this.relink(json, names);
  }

  /** Adds a component; a client-side variant that differs (defaults, transforms) gets its own name. */
  private add(id: string, def: Json, io: 'input' | 'output'): string {
    const name = io === 'input' && this.differs(id, def) ? `${id}Input` : id;
    if (!this.differs(name, def)) this.components[name] = def;
    return name;
  }

  private differs(name: string, def: Json): boolean {
    const known = this.components[name];
    return known !== undefined && JSON.stringify(known) !== JSON.stringify(def);
  }

  private relink(node: Json, names: Map<string, string>): Json {
    const ref = node.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
      const id = ref.slice('#/$defs/'.length);
      node.$ref = COMPONENTS + (names.get(id) ?? id);
    }
    for (const value of Object.values(node))
      if (value && typeof value === 'object') this.relink(value as Json, names);
    return node;
  }
}

/** "/api/alarms/:id/ack" → "/api/alarms/{id}/ack". */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

const operationId = (r: ApiRoute): string =>
  r.method + r.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ? c.toUpperCase() : ''));

function parameters(r: ApiRoute, schemas: Schemas): Json[] {
  const params: Json[] = [...r.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (!r.query) return params;
  const query = schemas.convert(r.query, 'input');
  const required = new Set((query.required as string[] | undefined) ?? []);
  for (const [name, schema] of Object.entries((query.properties ?? {}) as Record<string, Json>)) {
    const { description, ...rest } = schema;
    params.push({
      name,
      in: 'query',
      required: required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    });
  }
  return params;
}

function responses(r: ApiRoute, schemas: Schemas): Json {
  const status = r.status ?? 200;
  const content: Json = {};
  if (status !== 204) {
    content['application/json'] = { schema: schemas.convert(r.response, 'output') };
    for (const type of r.produces ?? []) content[type] = { schema: { type: 'string' } };
  }
  return {
    [String(status)]: {
      description: r.summary,
      ...(status === 204 ? {} : { content }),
    },
    '4XX': {
      description:
        'Refused: bad input (400), no session (401), not for this role (403), not found (404), conflict (409)',
      content: { 'application/json': { schema: { $ref: `${COMPONENTS}Error` } } },
    },
  };
}

function operation(r: ApiRoute, schemas: Schemas): Json {
  return {
    operationId: operationId(r),
    summary: r.summary,
    tags: [r.path.split('/')[2] ?? 'api'],
    ...(r.access === 'anyone'
      ? { security: [] }
      : r.access && r.access !== 'signed-in'
        ? { 'x-permission': r.access }
        : {}),
    parameters: parameters(r, schemas),
    ...(r.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemas.convert(r.body, 'input') } },
          },
        }
      : {}),
    responses: responses(r, schemas),
  };
}

/** The document for `routes` (default: every described route). */
export function openApiDocument(version: string, routes: readonly ApiRoute[] = allRoutes): OpenApiDocument {
  const schemas = new Schemas();
  schemas.convert(errorAnswer, 'output');
  const paths: OpenApiDocument['paths'] = {};
  for (const r of routes) {
    const path = openApiPath(r.path);
    paths[path] ??= {};
    paths[path][r.method] = operation(r, schemas);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Plantwatch gateway API',
      version,
      description:
        "The REST API of a Plantwatch gateway. With login on, every route but those marked public needs the session cookie that POST /api/auth/login sets; x-permission names the role's permission a route needs (GET /api/auth/me lists the signed-in user's). Posts must be JSON from the gateway's own origin. Live values come over socket.io (events typed in src/api-types/live-events.ts).",
    },
    paths,
    components: {
      schemas: schemas.components,
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'pw_session' } },
    },
    security: [{ session: [] }],
  };
}

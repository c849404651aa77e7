// How a REST route's JSON is described once, for three readers: the server (its handler's
// answer must fit `response`), the dashboard (which imports the inferred types with
// `import type`, so no zod reaches the browser) and the OpenAPI document served at
// /api/openapi.json (built from every route's schemas with zod's toJSONSchema).
// This folder imports nothing from Node or the server but zod and pure constant modules such as
// src/alarms/types.ts: the dashboard's tsconfig includes it.
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ApiRoute {
  method: HttpMethod;
  /** Express-style path under the gateway's root, e.g. "/api/points/:id". */
  path: string;
  /** One line for the OpenAPI document: what the route answers. */
  summary: string;
  /** Who may call it when login is on: a permission (see src/auth), or 'signed-in' / 'anyone'. */
  access?: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The JSON of a 2xx answer (a CSV/PDF variant is named in `produces`). */
  response: z.ZodType;
  /** The status of success when it is not 200 (201 created; 204: no body, `response` ignored). */
  status?: number;
  produces?: string[];
}

/** Keeps a route's literal types (its schemas) while checking it is an ApiRoute. */
export const route = <R extends ApiRoute>(r: R): R => r;

/** What a route answers, as a TypeScript type: `Answer<typeof pointsRoute>`. */
export type Answer<R extends ApiRoute> = z.infer<R['response']>;
/** What a route takes as its JSON body. */
export type Body<R extends ApiRoute> = R['body'] extends z.ZodType ? z.infer<R['body']> : never;

/**
 * True when the schema's type describes every field of the server's own type and fits it: a
 * field renamed or retyped on either side, added to the server's type, or added to the schema
 * as required makes it false (an optional schema field the server does not fill yet, such as a
 * `…Zh` name, passes). The server writes `const ok: Describes<PointInfo, PointInfoJson> = true`.
 */
export type Describes<Server, Schema> = [Server] extends [Schema]
  ? [Schema] extends [Server]
    ? Exclude<keyof Server, keyof Schema> extends never
      ? true
      : { undescribed: Exclude<keyof Server, keyof Schema> }
    : false
  : false;

// Every REST route the gateway describes, for the OpenAPI document (openapi.ts) and the test
// that each mounted route is described (test/web/openapi.test.ts). An area adds its array here.
import { z } from 'zod';
import { adminRoutes } from './admin.js';
import { alarmRoutes } from './alarms.js';
import { authRoutes } from './auth.js';
import { energyRoutes } from './energy.js';
import { groupRoutes } from './group.js';
import { historyRoutes } from './history.js';
import { mimicRoutes } from './mimic.js';
import { pointRoutes } from './points.js';
import { recordsRoutes } from './records.js';
import { type ApiRoute, route } from './route.js';
import { scanRoutes } from './scan.js';
import { siteRoutes } from './site.js';

/** This document itself (src/web/openapi.ts): public, it describes shapes, not the plant. */
export const openApiRoute = route({
  method: 'get',
  path: '/api/openapi.json',
  summary: 'This OpenAPI 3.1 document of the REST API',
  access: 'anyone',
  response: z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }),
});

export const allRoutes: readonly ApiRoute[] = [
  openApiRoute,
  ...authRoutes,
  ...pointRoutes,
  ...alarmRoutes,
  ...adminRoutes,
  ...historyRoutes,
  ...energyRoutes,
  ...mimicRoutes,
  ...siteRoutes,
  ...recordsRoutes,
  ...scanRoutes,
  ...groupRoutes,
];

// Signing in and out, and who is signed in (src/auth/router.ts).
import { z } from 'zod';
import { type Answer, type Body, route } from './route.js';

export const ROLES = ['electrician', 'energy-manager', 'admin'] as const;
export const role = z.enum(ROLES).meta({ id: 'Role' });
export type Role = z.infer<typeof role>;

export const PERMISSIONS = [
  'view',
  'alarms.acknowledge',
  'alarms.shelve',
  'reports',
  'records',
  'users',
  'config',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The signed-in user and what the role may do: the dashboard shows or hides controls by it. */
export const sessionUser = z
  .object({
    username: z.string(),
    name: z.string(),
    role,
    sites: z.array(z.string()).optional().describe('The campuses the user works for; absent: every campus'),
    permissions: z.array(z.enum(PERMISSIONS)),
  })
  .meta({ id: 'SessionUser', description: 'The signed-in user and what the role may do' });
export type SessionUser = z.infer<typeof sessionUser>;

export const loginRoute = route({
  method: 'post',
  path: '/api/auth/login',
  summary: 'Sign in: sets the HttpOnly session cookie (401 wrong name or password, 429 too many tries)',
  access: 'anyone',
  body: z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024) }),
  response: sessionUser,
});
export type LoginBody = Body<typeof loginRoute>;

export const logoutRoute = route({
  method: 'post',
  path: '/api/auth/logout',
  summary: 'Sign out: ends the session and its live sockets; answers 204',
  access: 'anyone',
  status: 204,
  response: z.null(),
});

export const meRoute = route({
  method: 'get',
  path: '/api/auth/me',
  summary: 'Who is signed in (401: nobody; 404: this gateway runs without login)',
  access: 'anyone',
  response: sessionUser,
});
export type Me = Answer<typeof meRoute>;

export const authRoutes = [loginRoute, logoutRoute, meRoute];

/**
 * The demo's published passwords (src/auth/README.md, config/plantwatch.yaml): anyone who read
 * the docs knows them, so a production gateway refuses each of them wherever it meets one,
 * a dashboard login (src/auth) or an embedded-broker user (src/config). Constants only.
 */

/** By the login that uses it: the dashboard's demo accounts, then the demo broker's users. */
export const DEMO_PASSWORDS = {
  admin: 'admin-demo',
  electrician: 'electrician-demo',
  eastElectrician: 'east-electrician-demo',
  manager: 'manager-demo',
  simulator: 'simulator-demo',
  viewer: 'viewer-demo',
  // The east campus's gateway on the demo's broker (config/east/plantwatch.yaml).
  eastGateway: 'east-demo',
} as const;

export const PUBLISHED_DEMO_PASSWORDS: readonly string[] = Object.values(DEMO_PASSWORDS);

/** A plain comparison: the published passwords are no secret, so no hashing and no timing care. */
export function isPublishedDemoPassword(password: string): boolean {
  return PUBLISHED_DEMO_PASSWORDS.includes(password);
}

/** Where the published passwords are refused. */
export function isProduction(env: NodeJS.ProcessEnv): boolean {
  return env.NODE_ENV === 'production';
}

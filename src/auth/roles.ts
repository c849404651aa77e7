/**
 * Who may do what. Three roles, as the plant is run: electricians watch and handle alarms,
 * energy managers watch and read reports, admins do everything and manage users.
 */

export const ROLES = ['electrician', 'energy-manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  view: ['electrician', 'energy-manager', 'admin'],
  'alarms.acknowledge': ['electrician', 'admin'],
  'alarms.shelve': ['electrician', 'admin'],
  reports: ['energy-manager', 'admin'],
  /** Work orders, shift handovers, maintenance done: the people who run the plant. */
  records: ['electrician', 'admin'],
  users: ['admin'],
  config: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Everything a role may do, for the dashboard to show or hide controls. */
export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(role, p));
}

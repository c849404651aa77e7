/**
 * Who is who, for every module that records a person: accounts (src/auth) and the records
 * that name their author (src/records: handovers, work orders). Browser-safe.
 */

/** Usernames are case-insensitive: "Admin" and "admin" are one account. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

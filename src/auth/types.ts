/** What the rest of the gateway sees of a signed-in user. */
import type { Role } from './roles.js';

export interface AuthUser {
  username: string;
  name: string;
  role: Role;
  /**
   * The campuses (site ids) this user works for: they see and act on those only, here and in
   * the group view. Absent: every campus (a group manager, an admin).
   */
  sites?: string[];
}

declare global {
  // Express's own extension point for request properties (declaration merging).
  namespace Express {
    interface Request {
      /** Set by auth.authenticate (or requireRole) when the request carries a live session. */
      user?: AuthUser;
    }
  }
}

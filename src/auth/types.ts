/** What the rest of the gateway sees of a signed-in user. */
import type { Role } from './roles.js';

export interface AuthUser {
  username: string;
  name: string;
  role: Role;
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

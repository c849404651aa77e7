/**
 * "These sessions have ended", told in-process the moment it happens (logout, password
 * reset, user disabled), so the web server can drop the live sockets they opened at once
 * instead of at its next periodic re-check. The CLI changes the users file from another
 * process and tells no one: that is what the periodic re-check remains for.
 */
import type { Logger } from 'pino';

export type SessionEndReason = 'logout' | 'password changed' | 'user disabled' | 'published demo password';

export interface SessionsEnded {
  /** Whose session(s) ended; which of them is for the session store to say (they are gone). */
  username: string;
  reason: SessionEndReason;
}

export type SessionsEndedListener = (ended: SessionsEnded) => void;

export class SessionEvents {
  private readonly listeners = new Set<SessionsEndedListener>();

  constructor(private readonly log?: Logger) {}

  /** Calls `listener` for every ending from now on; returns the function that stops it. */
  on(listener: SessionsEndedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(ended: SessionsEnded): void {
    for (const listener of this.listeners) {
      // A listener that throws must not undo the logout or reset that has already happened.
      try {
        listener(ended);
      } catch (err) {
        this.log?.error({ err, username: ended.username }, 'session-ended listener failed');
      }
    }
  }
}

// The socket.io events, both ways: typed once for the server (`new Server<ClientToServerEvents,
// ServerToClientEvents>()`, src/web/live.ts) and the dashboard (`Socket<ServerToClientEvents,
// ClientToServerEvents>` from socket.io-client). Plain types: socket.io checks nothing at run
// time, the server parses a `watch` itself.
import type { AlarmEventJson, AlarmStatusJson } from './alarms.js';
import type { PointInfoJson, PointValueJson } from './points.js';

/** One point of a snapshot: its description and latest reading (none before the first). */
export interface SnapshotEntry {
  info: PointInfoJson;
  value?: PointValueJson;
}

/** An alarm transition and the alarm after it (undefined if the alarm is no longer configured). */
export interface AlarmMessage {
  event: AlarmEventJson;
  alarm: AlarmStatusJson | undefined;
}

/** Which devices a page shows: their values only, or every point. */
export type WatchRequest = { devices: string[] } | { all: true };
/** How many devices are now watched (-1: all), or why the request was refused. */
export type WatchReply = { devices: number } | { error: string };

export interface ServerToClientEvents {
  /** The watched points, on connect and after each `watch`. */
  snapshot: (points: SnapshotEntry[]) => void;
  /** Watched points that changed since the last message (coalesced, at most every 50 ms). */
  points: (values: PointValueJson[]) => void;
  /** Every alarm, on connect. */
  alarms: (alarms: AlarmStatusJson[]) => void;
  /** Each alarm transition, to every browser at once. */
  alarm: (message: AlarmMessage) => void;
  /** The session behind this socket ended (logout, disabled, expired): it is closed next. */
  'session-ended': () => void;
}

export interface ClientToServerEvents {
  watch: (request: WatchRequest, reply?: (result: WatchReply) => void) => void;
}

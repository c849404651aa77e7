// The one way the dashboard talks to the gateway's REST API. Every failure becomes an ApiError
// with the server's message and status (e.g. a refused transition's 409); a 401 (the session
// ended) also tells the shell, which goes back to the login page.
import type {
  ActionAnswer,
  ActionBody,
  AlarmAction,
  AlarmStatusJson,
  JournalEntry,
} from '../../src/api-types/alarms.js';
import type { PointHistory } from '../../src/api-types/history.js';
import type { PointView } from '../../src/api-types/points.js';

/** A refused or failed call: the server's `error` text, and its HTTP status (0: no answer). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let unauthorized: () => void = () => {};
/** The shell's handler for any 401 answer. */
export function onUnauthorized(fn: () => void): void {
  unauthorized = fn;
}

const listeners = new Set<(body: unknown) => void>();
/** Sees every JSON answer (e.g. to learn the plant's time zone from one that names it). */
export function onAnswer(fn: (body: unknown) => void): void {
  listeners.add(fn);
}

export interface RequestOptions {
  /** GET without a body, POST with one, unless said. */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /** A call made without a session (sign in, who am I): its 401 is an answer, not a session that ended. */
  anonymous?: boolean;
}

/** A JSON call: `T` is what the route answers (see src/api-types). */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { body, signal } = options;
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(err instanceof Error ? err.message : String(err), 0);
  }
  const answer: unknown = await res.json().catch(() => ({}));
  if (res.status === 401 && !options.anonymous) unauthorized();
  if (!res.ok) {
    const error = (answer as { error?: unknown } | null)?.error;
    throw new ApiError(typeof error === 'string' ? error : `${res.status} ${res.statusText}`, res.status);
  }
  for (const fn of listeners) fn(answer);
  return answer as T;
}

/** GET JSON. */
export const getJson = <T>(path: string, signal?: AbortSignal): Promise<T> =>
  request<T>(path, signal ? { signal } : {});

/** POST JSON (or another method). */
export const sendJson = <T>(path: string, body: unknown = {}, method: RequestOptions['method'] = 'POST') =>
  request<T>(path, { method, body });

/** A path with a query; empty, null and undefined values are left out. */
export function url(path: string, query: Record<string, string | number | boolean | null | undefined> = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

// ---- Routes used by several pages ----
// Typed by the shared route descriptions (src/api-types); a page may still name a narrower
// view of the same JSON as T.

/** Every point: its description, value, quality, ts. */
export const points = <T = PointView[]>() => getJson<T>('/api/points');
/** Every alarm, normal ones included (for names and the device page). */
export const alarms = <T = AlarmStatusJson[]>() => getJson<T>('/api/alarms?all=1');
export const alarmHistory = <T = JournalEntry[]>(query: Record<string, string>) =>
  getJson<T>(url('/api/alarms/history', query));
/** A point's history from e.g. "-24h". */
export const history = <T = PointHistory>(id: string, from: string) =>
  getJson<T>(url(`/api/points/${encodeURIComponent(id)}/history`, { from }));
/**
 * ack | shelve | unshelve | out-of-service | return-to-service, with { comment } or
 * { reason, duration }; with login off, also { user } (with login on the gateway takes the
 * signed-in user and refuses a `user`).
 */
export const alarmAction = <A extends AlarmAction>(id: string, action: A, body: ActionBody<A>) =>
  sendJson<ActionAnswer>(`/api/alarms/${encodeURIComponent(id)}/${action}`, body);

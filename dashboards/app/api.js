// REST calls to the gateway. Every failure becomes an Error with the server's message; a 401
// (the session ended) also tells the shell, which goes back to the login page.

/** @type {() => void} */
let unauthorized = () => {};
/** @param {() => void} fn called on any 401 answer */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

/** Any API call: JSON in and out; a 401 sends the shell back to the login. @param {string} path @param {RequestInit} [init] */
export async function call(path, init) {
  const res = await fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json', ...init?.headers },
  });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) unauthorized();
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

/** @returns {Promise<any[]>} every point: its description, value, quality, ts (ISO) */
export const points = () => call('/api/points');
/** @returns {Promise<any[]>} every alarm, normal ones included (for names and the device page) */
export const alarms = () => call('/api/alarms?all=1');
/** @param {Record<string, string>} query @returns {Promise<any[]>} */
export const alarmHistory = (query) => call(`/api/alarms/history?${new URLSearchParams(query)}`);
/** @param {string} id @param {string} from e.g. "-24h" */
export const history = (id, from) => call(`/api/points/${encodeURIComponent(id)}/history?from=${from}`);

/**
 * ack | shelve | unshelve, with { comment } or { reason, duration }; with login off, also
 * { user } (with login on the gateway takes the signed-in user and refuses a `user`).
 * @param {string} id @param {string} action @param {Record<string, string>} body
 */
export const alarmAction = (id, action, body) =>
  call(`/api/alarms/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: JSON.stringify(body) });

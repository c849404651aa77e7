// REST calls to the gateway. Every failure becomes an Error with the server's message.

/** @param {string} path @param {RequestInit} [init] */
async function call(path, init) {
  const res = await fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json', ...init?.headers },
  });
  const body = await res.json().catch(() => ({}));
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
 * ack | shelve | unshelve, with { user, comment } or { user, reason, duration }.
 * @param {string} id @param {string} action @param {Record<string, string>} body
 */
export const alarmAction = (id, action, body) =>
  call(`/api/alarms/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: JSON.stringify(body) });

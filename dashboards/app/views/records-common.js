// What the records pages share: REST calls to the records API, who may act, CSV links,
// date and duration formats fit for a printed record, and the action dialog.
import * as api from '../api.js';
import { h } from '../dom.js';
import { dutyUser } from '../duty.js';
import { t } from '../i18n.js';
import { can, session } from '../session.js';

/**
 * A JSON call to the gateway; a failure becomes an Error with the server's message (e.g. a
 * refused transition's 409). A 401 (session over) is passed on to the shell through api.js.
 * @param {string} path @param {{ method?: string, body?: unknown }} [options]
 */
export async function request(path, options = {}) {
  let body = options.body;
  // With login off the gateway is told who acts: the on-duty name; with login on it knows.
  if (body !== undefined && session.mode === 'off') {
    if (!dutyUser()) throw new Error(t('duty.missing'));
    body = { ...body, user: dutyUser() };
  }
  const res = await fetch(path, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({}));
  if (res.status === 401) {
    // api.js tells the shell of any 401 it meets: a small call that meets the same one.
    api.alarmHistory({ limit: '1' }).catch(() => undefined);
  }
  if (!res.ok) {
    const err = new Error(answer?.error ?? `${res.status} ${res.statusText}`);
    /** @type {any} */ (err).status = res.status;
    throw err;
  }
  return answer;
}

/** @param {string} path @param {Record<string, string | number | undefined | null>} [query] */
export function url(path, query = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** A "CSV" download link for a table GET. @param {string} path @param {Record<string, any>} [query] */
export function csvLink(path, query = {}) {
  return h(
    'a.csv',
    { href: url(path, { ...query, format: 'csv' }), download: '', title: t('records.csvTitle') },
    t('records.csv'),
  );
}

/**
 * Whether the signed-in role may write records (work orders, handovers, maintenance done):
 * the gateway's `records` permission when it publishes one, else the electrician's
 * acknowledging right (electricians and admins, not energy managers). With login off, all.
 */
export function mayAct() {
  if (session.mode === 'off') return true;
  const perms = session.user?.permissions ?? [];
  const own = perms.find((p) => p === 'records' || p.startsWith('records.') || p.startsWith('workOrders'));
  return own ? true : can('alarms.acknowledge');
}

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');

/** "2026-11-25" in local time. @param {number | Date} ts */
export function localDate(ts) {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "2026-11-25 14:05" in local time: a record is printed and read later, so always with its date. @param {number | null | undefined} ts */
export function dateTime(ts) {
  if (!ts) return '—';
  const d = new Date(ts);
  return `${localDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "14:05" @param {number | null | undefined} ts */
export function clock(ts) {
  if (!ts) return '—';
  const d = new Date(ts);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "45 s", "12 min", "3 h 05 min", "2 d 4 h"; "—" when there is nothing to measure. @param {number | null | undefined} ms */
export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 48) return `${hours} h ${pad(min % 60)} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A number with at most `digits` decimals, "—" when absent. @param {number | null | undefined} v @param {number} [digits] */
export function num(v, digits = 1) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return Number(v.toFixed(digits)).toLocaleString(undefined, { maximumFractionDigits: digits });
}

/** A priority shown as the alarms page shows it. @param {string | undefined} p */
export const priorityPill = (p) => (p ? h(`span.pill.p-${p}`, null, t(`p.${p}`)) : '');

/**
 * One alarm raised: when, priority, message, who acknowledged it and when; `extra` cells after.
 * @param {any} a @param {(ts: number) => string} when @param {...HTMLElement} extra
 */
export const alarmRow = (a, when, ...extra) =>
  h(
    'tr',
    { dataset: { alarm: a.alarmId } },
    h('td', null, when(a.activatedAt)),
    h('td', null, priorityPill(a.priority)),
    h('td', null, a.message),
    h(
      'td',
      null,
      a.acknowledgedAt ? `${a.acknowledgedBy ?? ''} ${clock(a.acknowledgedAt)}` : t('records.ho.unacked'),
    ),
    ...extra,
  );

/** A message line for results and refusals. */
export function messageLine() {
  const el = h('p.records-message', { role: 'status' });
  return {
    el,
    /** @param {string} text */
    ok(text) {
      el.className = 'records-message ok';
      el.textContent = text;
    },
    /** @param {unknown} err */
    error(err) {
      el.className = 'records-message error';
      el.textContent = t('err.action', { msg: /** @type {Error} */ (err).message ?? String(err) });
    },
    clear() {
      el.textContent = '';
    },
  };
}

/** @type {{ id: string, name: string }[] | null} */
let teamCache = null;

/** The duty roster's teams (from the current handover answer), asked once. */
export async function teams() {
  if (teamCache) return teamCache;
  try {
    const current = await request('/api/handovers/current');
    teamCache = current.teams ?? [];
  } catch {
    return [];
  }
  return /** @type {{ id: string, name: string }[]} */ (teamCache);
}

/** @param {{ id: string, name: string }[]} list @param {string} id */
export const teamName = (list, id) => list.find((x) => x.id === id)?.name ?? id;

/**
 * A dialog with fields (text, textarea, number, datetime-local, select) and a submit button;
 * `submit` gets the values and may throw: its message is shown in the dialog.
 * @typedef {{ name: string, label: string, type?: string, required?: boolean, value?: string, options?: [string, string][], maxLength?: number }} DialogField
 */
export function formDialog() {
  const title = h('h3');
  const fields = h('div.fields');
  const error = h('p.action-error', { role: 'alert' });
  const submitButton = h('button#records-dialog-submit.primary', { type: 'submit' });
  /** @type {(values: Record<string, string>) => Promise<void>} */
  let submit = async () => {};
  /** @type {Map<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>} */
  const inputs = new Map();
  const form = h(
    'form',
    {
      method: 'dialog',
      onsubmit: async (/** @type {SubmitEvent} */ ev) => {
        ev.preventDefault();
        /** @type {Record<string, string>} */
        const values = {};
        for (const [name, input] of inputs) values[name] = input.value.trim();
        submitButton.toggleAttribute('disabled', true);
        try {
          await submit(values);
          el.close();
        } catch (err) {
          error.textContent = t('err.action', { msg: /** @type {Error} */ (err).message });
        } finally {
          submitButton.removeAttribute('disabled');
        }
      },
    },
    title,
    fields,
    error,
    h(
      'div.dialog-buttons',
      null,
      h('button', { type: 'button', onclick: () => el.close() }, t('cancel')),
      submitButton,
    ),
  );
  const el = /** @type {HTMLDialogElement} */ (h('dialog.action.records-dialog', null, form));
  return {
    el,
    /**
     * @param {{ title: string, submitLabel: string, fields: DialogField[], submit: (values: Record<string, string>) => Promise<void> }} spec
     */
    open(spec) {
      title.textContent = spec.title;
      submitButton.textContent = spec.submitLabel;
      error.textContent = '';
      submit = spec.submit;
      inputs.clear();
      fields.replaceChildren(
        ...spec.fields.map((f) => {
          const id = `rd-${f.name}`;
          const input =
            f.type === 'textarea'
              ? h('textarea', { id, rows: 3, maxLength: f.maxLength ?? 2000, required: f.required })
              : f.type === 'select'
                ? h(
                    'select',
                    { id },
                    ...(f.options ?? []).map(([v, label]) => h('option', { value: v }, label)),
                  )
                : h('input', {
                    id,
                    type: f.type ?? 'text',
                    maxLength: f.type ? undefined : (f.maxLength ?? 500),
                    required: f.required,
                    step: f.type === 'number' ? 'any' : undefined,
                  });
          const field = /** @type {HTMLInputElement} */ (input);
          field.value = f.value ?? '';
          inputs.set(f.name, field);
          return h('label', null, f.required ? `${f.label} *` : f.label, input);
        }),
      );
      el.showModal();
      /** @type {HTMLElement | undefined} */ (fields.querySelector('input, textarea, select'))?.focus();
    },
  };
}

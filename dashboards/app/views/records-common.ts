// What the records pages share: acting on the records API (who acts), who may act, CSV links,
// the roster's teams, number and duration formats fit for a printed record, and the action
// dialog. Times are the plant's (time.ts), however the PC's clock is set.
import type { HandoverView, OperationLog, Team } from '../../../src/api-types/records.js';
import { getJson, request, url } from '../api.js';
import { h } from '../dom.js';
import { dutyUser } from '../duty.js';
import { localName, t } from '../i18n.js';
import type { Priority } from '../live.js';
import { can, session } from '../session.js';
import { clock, setPlantZone } from '../time.js';

/** What a records tab's render returns to the page (and the page to the shell). */
export interface RecordsView {
  update?: () => void;
  dispose?: () => void;
}

/**
 * A records action (POST with a JSON body); `T` is what the route answers. With login off the
 * gateway is told who acts: the on-duty name; with login on it knows (and refuses a `user`).
 */
export function act<T>(path: string, body: object = {}): Promise<T> {
  if (session.mode !== 'off') return request<T>(path, { method: 'POST', body });
  const user = dutyUser();
  if (!user) return Promise.reject(new Error(t('duty.missing')));
  return request<T>(path, { method: 'POST', body: { ...body, user } });
}

/** A "CSV" download link for a table GET. */
export function csvLink(path: string, query: Parameters<typeof url>[1] = {}): HTMLAnchorElement {
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
export function mayAct(): boolean {
  if (session.mode === 'off') return true;
  const perms: string[] = session.user?.permissions ?? [];
  const own = perms.find((p) => p === 'records' || p.startsWith('records.') || p.startsWith('workOrders'));
  return own ? true : can('alarms.acknowledge');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "45 s", "12 min", "3 h 05 min", "2 d 4 h"; "—" when there is nothing to measure. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 48) return `${hours} h ${pad(min % 60)} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A number with at most `digits` decimals, "—" when absent. */
export function num(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return Number(v.toFixed(digits)).toLocaleString(undefined, { maximumFractionDigits: digits });
}

/** A priority shown as the alarms page shows it. */
export const priorityPill = (p: Priority | undefined): HTMLElement | string =>
  p ? h(`span.pill.p-${p}`, null, t(`p.${p}`)) : '';

/** An alarm raised, as the operation log and the handover summary list them. */
export type RaisedAlarm = Pick<
  OperationLog['alarms'][number],
  'alarmId' | 'priority' | 'message' | 'activatedAt' | 'acknowledgedAt' | 'acknowledgedBy'
> & { messageZh?: string | undefined };

/** One alarm raised: when, priority, message, who acknowledged it and when; `extra` cells after. */
export const alarmRow = (a: RaisedAlarm, when: (ts: number) => string, ...extra: HTMLElement[]) =>
  h(
    'tr',
    { dataset: { alarm: a.alarmId } },
    h('td', null, when(a.activatedAt)),
    h('td', null, priorityPill(a.priority)),
    h('td', null, localName(a.message, a.messageZh)),
    h(
      'td',
      null,
      a.acknowledgedAt ? `${a.acknowledgedBy ?? ''} ${clock(a.acknowledgedAt)}` : t('records.ho.unacked'),
    ),
    ...extra,
  );

/** An equipment class ("chiller") in the page's language; an unknown one as it is. */
export function equipmentName(equipment: string): string {
  const key = `records.eq.${equipment}`;
  const text = t(key);
  return text === key ? equipment : text;
}

/** An error's message for the page: the server's reason for a refused call. */
export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A message line for results and refusals. */
export function messageLine() {
  const el = h('p.records-message', { role: 'status' });
  return {
    el,
    ok(text: string) {
      el.className = 'records-message ok';
      el.textContent = text;
    },
    error(err: unknown) {
      el.className = 'records-message error';
      el.textContent = t('err.action', { msg: errorText(err) });
    },
    clear() {
      el.textContent = '';
    },
  };
}

let context: Promise<Team[]> | null = null;

/**
 * The duty roster's teams, asked once (from the current handover, which also names the plant's
 * zone: every record's time is on the plant's clock). A failure is asked again next time.
 */
export function teams(): Promise<Team[]> {
  context ??= getJson<HandoverView>('/api/handovers/current').then(
    (current) => {
      setPlantZone(current.timezone);
      return current.teams;
    },
    () => {
      context = null;
      return [];
    },
  );
  return context;
}

/** A team's name in the page's language; its id when the roster does not know it. */
export function teamName(list: readonly Team[], id: string): string {
  const team = list.find((x) => x.id === id);
  return team ? localName(team.name, team.nameZh) : id;
}

/** One field of the action dialog. */
export interface DialogField {
  name: string;
  label: string;
  type?: 'text' | 'textarea' | 'number' | 'datetime-local' | 'select';
  required?: boolean;
  value?: string;
  options?: [value: string, label: string][];
  maxLength?: number;
}

export interface DialogSpec {
  title: string;
  submitLabel: string;
  fields: DialogField[];
  /** Gets the trimmed values; may throw: its message is shown in the dialog. */
  submit: (values: Record<string, string>) => Promise<unknown>;
}

type FieldInput = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

function fieldInput(f: DialogField): FieldInput {
  const id = `rd-${f.name}`;
  if (f.type === 'textarea')
    return h('textarea', { id, rows: 3, maxLength: f.maxLength ?? 2000, required: f.required });
  if (f.type === 'select')
    return h('select', { id }, ...(f.options ?? []).map(([v, label]) => h('option', { value: v }, label)));
  return h('input', {
    id,
    type: f.type ?? 'text',
    maxLength: f.type ? undefined : (f.maxLength ?? 500),
    required: f.required,
    step: f.type === 'number' ? 'any' : undefined,
  });
}

/** A dialog with fields (text, textarea, number, datetime-local, select) and a submit button. */
export function formDialog() {
  const title = h('h3');
  const fields = h('div.fields');
  const error = h('p.action-error', { role: 'alert' });
  const submitButton = h('button#records-dialog-submit.primary', { type: 'submit' });
  let submit: DialogSpec['submit'] = async () => {};
  const inputs = new Map<string, FieldInput>();
  const form = h(
    'form',
    {
      method: 'dialog',
      onsubmit: async (ev: SubmitEvent) => {
        ev.preventDefault();
        const values: Record<string, string> = {};
        for (const [name, input] of inputs) values[name] = input.value.trim();
        submitButton.toggleAttribute('disabled', true);
        try {
          await submit(values);
          el.close();
        } catch (err) {
          error.textContent = t('err.action', { msg: errorText(err) });
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
  const el = h('dialog.action.records-dialog', null, form);
  return {
    el,
    open(spec: DialogSpec) {
      title.textContent = spec.title;
      submitButton.textContent = spec.submitLabel;
      error.textContent = '';
      submit = spec.submit;
      inputs.clear();
      fields.replaceChildren(
        ...spec.fields.map((f) => {
          const input = fieldInput(f);
          input.value = f.value ?? '';
          inputs.set(f.name, input);
          return h('label', null, f.required ? `${f.label} *` : f.label, input);
        }),
      );
      el.showModal();
      fields.querySelector<FieldInput>('input, textarea, select')?.focus();
    },
  };
}

// Alarms: the active list (most urgent, then newest first) with acknowledge / shelve / unshelve,
// and the journal with filters (priority, device, time range). `#/alarms/<alarm id>` (the link in
// notification e-mails and chat posts) highlights that alarm, or says it is normal again, and
// narrows the journal to it. On a phone the list is a column of cards, buttons within reach.
import type { JournalEntry } from '../../../src/api-types/alarms.js';
import * as api from '../api.js';
import { h } from '../dom.js';
import { dutyUser } from '../duty.js';
import { localName, t } from '../i18n.js';
import { type Alarm, refreshAlarms, state } from '../live.js';
import { activeAlarms, alarmPlace, alarmText, isUnacknowledged, PRIORITIES } from '../plant.js';
import { priorityBadge } from '../salience.js';
import { can, session } from '../session.js';
import { formatTime } from '../time.js';
import { tableHead } from '../widgets.js';

/** With login on the gateway knows who acts; with login off the on-duty name says it. */
const actingUser = () => (session.mode === 'off' ? dutyUser() : '');
const needsDutyName = () => session.mode === 'off' && !dutyUser();

const DURATIONS = ['30m', '1h', '2h', '4h', '8h'];

type Action = 'ack' | 'shelve' | 'unshelve';

export function render(root: HTMLElement, params: string[] = []): { update: () => void } {
  const target = params[0] || null;
  const message = h('p.action-error', { role: 'status' });
  const linkNote = h('p.note.link-note', { hidden: true });
  const activeBody = h('tbody');
  const activeTable = h(
    'table.alarms-active',
    null,
    tableHead(['col.priority', 'col.time', 'col.where', 'col.message', 'col.state', '']),
    activeBody,
  );
  const none = h('p.none', null, t('alarms.none'));
  const dialog = actionDialog(message);
  const history = journal(target);

  const mayAck = can('alarms.acknowledge');
  const mayShelve = can('alarms.shelve');
  root.replaceChildren(
    h('h1.page-title', null, t('alarms.active')),
    h('p.note.view-only', { hidden: mayAck || mayShelve }, t('alarms.viewOnly')),
    message,
    linkNote,
    none,
    h('div.scroll', null, activeTable),
    ...history.elements,
    dialog.el,
  );

  let scrolled = false;
  function row(a: Alarm): HTMLTableRowElement {
    const unack = isUnacknowledged(a);
    const tr = h(
      `tr.a-${a.state}`,
      { dataset: { alarm: a.id, state: a.state, priority: a.priority } },
      h('td.prio-cell', null, priorityBadge(a.priority, unack)),
      h('td.time', null, formatTime(a.activeSince ?? a.since)),
      h('td.where', null, a.device ? h('a', { href: `#/device/${a.device}` }, alarmPlace(a)) : alarmPlace(a)),
      h('td.message', null, alarmText(a)),
      h(
        'td.state',
        null,
        t(`state.${a.state}`),
        a.acknowledgedBy ? ` (${a.acknowledgedBy})` : '',
        a.shelvedBy ? ` (${a.shelvedBy}, ${a.reason ?? ''})` : '',
      ),
      h('td.actions', null, ...actions(a)),
    );
    if (a.id === target) {
      tr.classList.add('target');
      tr.setAttribute('aria-current', 'true');
    }
    return tr;
  }

  function actions(a: Alarm): (HTMLElement | null)[] {
    const button = (which: Action) =>
      h(`button.${which}`, { type: 'button', onclick: () => dialog.open(a, which) }, t(which));
    return [
      mayAck && isUnacknowledged(a) ? button('ack') : null,
      !mayShelve ? null : a.state === 'shelved' ? button('unshelve') : button('shelve'),
    ];
  }

  let drawn = '';
  function update() {
    const list = activeAlarms();
    // Shelved alarms stay listed (greyed) so they can be unshelved.
    const shelved = [...state.alarms.values()].filter((a) => a.state === 'shelved');
    const shown = [...list, ...shelved];
    none.hidden = shown.length > 0;
    activeTable.hidden = !none.hidden;
    // Rows are rebuilt only when what they show changed: a button is never swapped under a finger.
    const key = JSON.stringify(
      shown.map((a) => [a.id, a.state, a.since, a.message, a.value, a.acknowledgedBy, a.shelvedBy]),
    );
    if (key !== drawn) {
      drawn = key;
      activeBody.replaceChildren(...shown.map(row));
    }
    showTarget(activeBody.querySelector<HTMLTableRowElement>('tr.target') ?? undefined);
  }

  /** The linked alarm: scrolled to once; if not listed, why not. */
  function showTarget(tr: HTMLTableRowElement | undefined) {
    if (!target) return;
    const alarm = state.alarms.get(target);
    linkNote.hidden = Boolean(tr) || !state.loaded;
    if (!tr)
      linkNote.textContent = alarm
        ? t('alarms.linkNormal', { state: t(`state.${alarm.state}`) })
        : t('alarms.linkUnknown', { id: target });
    if (tr && !scrolled) {
      scrolled = true;
      tr.scrollIntoView({ block: 'center' });
    }
  }

  update();
  history.load();
  return {
    update: () => {
      update();
      history.load();
    },
  };
}

/** The journal: filters and the table; narrowed to one alarm when the page was linked to it. */
function journal(alarmId: string | null): { elements: HTMLElement[]; load: () => Promise<void> } {
  const select = (id: string, options: HTMLOptionElement[]) => h(`select#${id}`, null, ...options);
  const fPriority = select('f-priority', [
    h('option', { value: '' }, t('alarms.all')),
    ...PRIORITIES.map((p) => h('option', { value: p }, t(`p.${p}`))),
  ]);
  const devices = new Map<string, string>();
  for (const i of state.catalog.values()) devices.set(i.device, localName(i.deviceName, i.deviceNameZh));
  const fDevice = select('f-device', [
    h('option', { value: '' }, t('alarms.all')),
    ...[...devices]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, name]) => h('option', { value: id }, name === id ? id : `${name} (${id})`)),
  ]);
  const fRange = select(
    'f-range',
    ['1h', '24h', '7d'].map((r) =>
      h('option', { value: r, selected: r === (alarmId ? '7d' : '24h') }, t(`range.${r}`)),
    ),
  );
  const body = h('tbody');
  const note = h('p.note');

  async function load() {
    const q: Record<string, string> = { from: `-${fRange.value}`, limit: '200' };
    if (fPriority.value) q.priority = fPriority.value;
    if (fDevice.value) q.device = fDevice.value;
    if (alarmId) q.alarm = alarmId;
    try {
      const events = await api.alarmHistory<JournalEntry[]>(q);
      note.textContent = events.length ? '' : t('alarms.empty');
      body.replaceChildren(
        ...events.map((e) =>
          h(
            'tr',
            { dataset: { alarm: e.alarmId, kind: e.kind } },
            h('td', null, formatTime(e.ts)),
            h('td', null, priorityBadge(e.priority, false)),
            h('td.event', null, t(`ev.${e.kind}`)),
            h('td', null, localName(e.message, e.messageZh)),
            h('td.user', null, e.user ?? ''),
            h('td', null, e.comment ?? ''),
          ),
        ),
      );
    } catch (err) {
      note.textContent = err instanceof Error ? err.message : String(err);
    }
  }

  const filters = h(
    'form.filters',
    {
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        load();
      },
    },
    fPriority,
    fDevice,
    fRange,
    h('button', { type: 'submit' }, t('alarms.apply')),
  );
  const heading = alarmId
    ? h(
        'h2.journal-title',
        null,
        `${t('alarms.linkHistory')}: ${alarmId} `,
        h('a.show-all', { href: '#/alarms' }, t('alarms.showAll')),
      )
    : h('h2', null, t('alarms.history'));
  const table = h(
    'table.alarms-history',
    null,
    tableHead(['col.time', 'col.priority', 'col.event', 'col.message', 'col.user', 'col.comment']),
    body,
  );
  return { elements: [heading, filters, note, h('div.scroll', null, table)], load };
}

/** One dialog for ack / shelve / unshelve: comment, or reason and duration. */
function actionDialog(message: HTMLElement) {
  const title = h('h3');
  const comment = h('input#action-comment', { maxLength: 500 });
  const reason = h('input#action-reason', { maxLength: 500 });
  const duration = h('select#action-duration', null, ...DURATIONS.map((d) => h('option', { value: d }, d)));
  const commentRow = h('label', null, t('comment'), comment);
  const reasonRow = h('label', null, t('reason'), reason);
  const durationRow = h('label', null, t('duration'), duration);
  const error = h('p.action-error');
  const submit = h('button#action-submit.primary', { type: 'submit' }, t('ack'));
  let alarm: Alarm | null = null;
  let action: Action = 'ack';

  async function send(ev: Event) {
    ev.preventDefault();
    if (!alarm) return;
    if (needsDutyName()) {
      error.textContent = t('duty.missing');
      return;
    }
    const body: Record<string, string> = {};
    const user = actingUser();
    if (user) body.user = user;
    const c = comment.value.trim();
    if (action === 'shelve') {
      body.reason = reason.value.trim();
      body.duration = duration.value;
    } else if (c) body.comment = c;
    try {
      await api.alarmAction(alarm.id, action, body);
      el.close();
      message.textContent = '';
      await refreshAlarms();
    } catch (err) {
      error.textContent = t('err.action', { msg: err instanceof Error ? err.message : String(err) });
    }
  }

  const form = h(
    'form',
    { method: 'dialog', onsubmit: send },
    title,
    commentRow,
    reasonRow,
    durationRow,
    error,
    h(
      'div.dialog-buttons',
      null,
      h('button', { type: 'button', onclick: () => el.close() }, t('cancel')),
      submit,
    ),
  );
  const el = h('dialog.action', null, form);
  return {
    el,
    open(a: Alarm, which: Action) {
      alarm = a;
      action = which;
      title.textContent = `${t(which)}: ${alarmText(a)}`;
      submit.textContent = t(which);
      comment.value = '';
      reason.value = '';
      error.textContent = needsDutyName() ? t('duty.missing') : '';
      commentRow.hidden = which === 'shelve';
      reasonRow.hidden = which !== 'shelve';
      durationRow.hidden = which !== 'shelve';
      reason.required = which === 'shelve';
      el.showModal();
    },
  };
}

// Alarms: the active list (most urgent, then newest first) with acknowledge / shelve / unshelve,
// and the journal with filters (priority, device, time range).

import * as api from '../api.js';
import { h } from '../dom.js';
import { dutyUser } from '../duty.js';
import { formatTime } from '../format.js';
import { t } from '../i18n.js';
import { refreshAlarms, state } from '../live.js';
import { activeAlarms, PRIORITIES } from '../plant.js';
import { can, session } from '../session.js';
import { tableHead } from '../widgets.js';

/** With login on the gateway knows who acts; with login off the on-duty name says it. */
const actingUser = () => (session.mode === 'off' ? dutyUser() : '');
const needsDutyName = () => session.mode === 'off' && !dutyUser();

const DURATIONS = ['30m', '1h', '2h', '4h', '8h'];

/** @param {HTMLElement} root */
export function render(root) {
  const message = h('p.action-error', { role: 'status' });
  const activeBody = h('tbody');
  const activeTable = h(
    'table.alarms-active',
    null,
    tableHead(['col.priority', 'col.time', 'col.where', 'col.message', 'col.state', '']),
    activeBody,
  );
  const none = h('p.none', null, t('alarms.none'));
  const dialog = actionDialog(message);

  // History filters.
  const fPriority = h(
    'select#f-priority',
    null,
    h('option', { value: '' }, t('alarms.all')),
    ...PRIORITIES.map((p) => h('option', { value: p }, t(`p.${p}`))),
  );
  const devices = [...new Set([...state.catalog.values()].map((i) => i.device))].sort();
  const fDevice = h(
    'select#f-device',
    null,
    h('option', { value: '' }, t('alarms.all')),
    ...devices.map((d) => h('option', { value: d }, d)),
  );
  const fRange = h(
    'select#f-range',
    null,
    ...['1h', '24h', '7d'].map((r) => h('option', { value: r, selected: r === '24h' }, t(`range.${r}`))),
  );
  const historyBody = h('tbody');
  const historyNote = h('p.note');
  async function loadHistory() {
    /** @type {Record<string, string>} */
    const q = { from: `-${/** @type {HTMLSelectElement} */ (fRange).value}`, limit: '200' };
    if (/** @type {HTMLSelectElement} */ (fPriority).value)
      q.priority = /** @type {HTMLSelectElement} */ (fPriority).value;
    if (/** @type {HTMLSelectElement} */ (fDevice).value)
      q.device = /** @type {HTMLSelectElement} */ (fDevice).value;
    try {
      const events = await api.alarmHistory(q);
      historyNote.textContent = events.length ? '' : t('alarms.empty');
      historyBody.replaceChildren(
        ...events.map((/** @type {any} */ e) =>
          h(
            'tr',
            { dataset: { alarm: e.alarmId, kind: e.kind } },
            h('td', null, formatTime(e.ts)),
            h('td', null, h(`span.pill.p-${e.priority}`, null, t(`p.${e.priority}`))),
            h('td', null, e.kind),
            h('td', null, e.message),
            h('td.user', null, e.user ?? ''),
            h('td', null, e.comment ?? ''),
          ),
        ),
      );
    } catch (err) {
      historyNote.textContent = String(/** @type {Error} */ (err).message);
    }
  }
  const filters = h(
    'form.filters',
    {
      onsubmit: (/** @type {Event} */ ev) => {
        ev.preventDefault();
        loadHistory();
      },
    },
    fPriority,
    fDevice,
    fRange,
    h('button', { type: 'submit' }, t('alarms.apply')),
  );

  const mayAck = can('alarms.acknowledge');
  const mayShelve = can('alarms.shelve');
  root.replaceChildren(
    h('h1.page-title', null, t('alarms.active')),
    h('p.note.view-only', { hidden: mayAck || mayShelve }, t('alarms.viewOnly')),
    message,
    none,
    h('div.scroll', null, activeTable),
    h('h2', null, t('alarms.history')),
    filters,
    historyNote,
    h(
      'div.scroll',
      null,
      h(
        'table.alarms-history',
        null,
        tableHead(['col.time', 'col.priority', 'col.event', 'col.message', 'col.user', 'col.comment']),
        historyBody,
      ),
    ),
    dialog.el,
  );

  function update() {
    const list = activeAlarms();
    // Shelved alarms stay listed (greyed) so they can be unshelved.
    const shelved = [...state.alarms.values()].filter((a) => a.state === 'shelved');
    none.hidden = list.length + shelved.length > 0;
    activeTable.hidden = !none.hidden;
    activeBody.replaceChildren(
      ...[...list, ...shelved].map((a) =>
        h(
          `tr.a-${a.state}`,
          { dataset: { alarm: a.id, state: a.state, priority: a.priority } },
          h('td', null, h(`span.pill.p-${a.priority}`, null, t(`p.${a.priority}`))),
          h('td', null, formatTime(a.activeSince ?? a.since)),
          h(
            'td',
            null,
            a.device
              ? h('a', { href: `#/device/${a.device}` }, a.deviceName ?? a.device)
              : (a.roomName ?? a.room),
          ),
          h('td', null, a.message),
          h(
            'td.state',
            null,
            t(`state.${a.state}`),
            a.acknowledgedBy ? ` (${a.acknowledgedBy})` : '',
            a.shelvedBy ? ` (${a.shelvedBy}, ${a.reason ?? ''})` : '',
          ),
          h(
            'td.actions',
            null,
            mayAck && (a.state === 'active-unacknowledged' || a.state === 'returned-unacknowledged')
              ? h('button.ack', { type: 'button', onclick: () => dialog.open(a, 'ack') }, t('ack'))
              : null,
            !mayShelve
              ? null
              : a.state === 'shelved'
                ? h(
                    'button.unshelve',
                    { type: 'button', onclick: () => dialog.open(a, 'unshelve') },
                    t('unshelve'),
                  )
                : h(
                    'button.shelve',
                    { type: 'button', onclick: () => dialog.open(a, 'shelve') },
                    t('shelve'),
                  ),
          ),
        ),
      ),
    );
  }
  update();
  loadHistory();
  return {
    update: () => {
      update();
      loadHistory();
    },
  };
}

/** One dialog for ack / shelve / unshelve: comment, or reason and duration. @param {HTMLElement} message */
function actionDialog(message) {
  const title = h('h3');
  const comment = h('input#action-comment', { maxLength: 500 });
  const reason = h('input#action-reason', { maxLength: 500 });
  const duration = h('select#action-duration', null, ...DURATIONS.map((d) => h('option', { value: d }, d)));
  const commentRow = h('label', null, t('comment'), comment);
  const reasonRow = h('label', null, t('reason'), reason);
  const durationRow = h('label', null, t('duration'), duration);
  const error = h('p.action-error');
  /** @type {any} */
  let alarm = null;
  let action = 'ack';
  const form = h(
    'form',
    {
      method: 'dialog',
      onsubmit: async (/** @type {SubmitEvent} */ ev) => {
        ev.preventDefault();
        if (needsDutyName()) {
          error.textContent = t('duty.missing');
          return;
        }
        /** @type {Record<string, string>} */
        const body = {};
        const user = actingUser();
        if (user) body.user = user;
        const c = /** @type {HTMLInputElement} */ (comment).value.trim();
        if (action === 'shelve') {
          body.reason = /** @type {HTMLInputElement} */ (reason).value.trim();
          body.duration = /** @type {HTMLSelectElement} */ (duration).value;
        } else if (c) body.comment = c;
        try {
          await api.alarmAction(alarm.id, action, body);
          el.close();
          message.textContent = '';
          await refreshAlarms();
        } catch (err) {
          error.textContent = t('err.action', { msg: /** @type {Error} */ (err).message });
        }
      },
    },
    title,
    commentRow,
    reasonRow,
    durationRow,
    error,
    h(
      'div.dialog-buttons',
      null,
      h('button', { type: 'button', onclick: () => el.close() }, t('cancel')),
      h('button#action-submit.primary', { type: 'submit' }, t('ack')),
    ),
  );
  const el = /** @type {HTMLDialogElement} */ (h('dialog.action', null, form));
  return {
    el,
    /** @param {any} a @param {string} which */
    open(a, which) {
      alarm = a;
      action = which;
      title.textContent = `${t(which)}: ${a.message}`;
      /** @type {HTMLElement} */ (form.querySelector('#action-submit')).textContent = t(which);
      /** @type {HTMLInputElement} */ (comment).value = '';
      /** @type {HTMLInputElement} */ (reason).value = '';
      error.textContent = needsDutyName() ? t('duty.missing') : '';
      commentRow.hidden = which === 'shelve';
      reasonRow.hidden = which !== 'shelve';
      durationRow.hidden = which !== 'shelve';
      /** @type {HTMLInputElement} */ (reason).required = which === 'shelve';
      el.showModal();
    },
  };
}

// Maintenance: every task of the plan with its state (colour only for overdue and due soon),
// when it was last done and when it is due, "Record done" (run hours, notes, date), and the
// record of work done (who, when, run hours, notes) with its CSV.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { tableHead } from '../widgets.js';
import {
  csvLink,
  dateTime,
  formDialog,
  localDate,
  mayAct,
  messageLine,
  num,
  request,
  url,
} from './records-common.js';

const ORDER = ['overdue', 'due-soon', 'unknown', 'ok'];

/** @param {HTMLElement} root */
export function render(root) {
  const act = mayAct();
  const message = messageLine();
  const dialog = formDialog();
  const tasksBody = h('tbody');
  const tasksNote = h('p.note');
  const fTask = /** @type {HTMLSelectElement} */ (
    h('select#mt-f-task', { 'aria-label': t('records.mt.task') }, h('option', { value: '' }, t('alarms.all')))
  );
  const historyBody = h('tbody');
  const historyNote = h('p.note');
  const historyCsv = h('span');

  root.replaceChildren(
    h('h1.page-title', null, t('records.mt.title')),
    h('p.note.view-only', { hidden: act }, t('records.viewOnly')),
    message.el,
    tasksNote,
    h(
      'div.scroll',
      null,
      h(
        'table.mt-tasks',
        null,
        tableHead([
          'col.state',
          'records.mt.task',
          'records.wo.device',
          'records.mt.every',
          'records.mt.lastDone',
          'records.mt.due',
          'records.mt.remaining',
          '',
        ]),
        tasksBody,
      ),
    ),
    h('h2', null, t('records.mt.history')),
    h(
      'form.filters.records-filters',
      {
        onsubmit: (/** @type {Event} */ ev) => {
          ev.preventDefault();
          loadHistory();
        },
      },
      h('label', null, t('records.mt.task'), fTask),
      h('button', { type: 'submit' }, t('alarms.apply')),
      historyCsv,
    ),
    historyNote,
    h(
      'div.scroll',
      null,
      h(
        'table.mt-history',
        null,
        tableHead([
          'records.mt.doneAt',
          'records.mt.task',
          'records.wo.device',
          'records.mt.doneBy',
          'records.mt.runHours',
          'records.mt.notes',
          'records.mt.recordedAt',
        ]),
        historyBody,
      ),
    ),
    dialog.el,
  );

  async function loadTasks() {
    try {
      /** @type {any[]} */
      const list = await request('/api/maintenance');
      list.sort((a, b) => ORDER.indexOf(a.state) - ORDER.indexOf(b.state));
      tasksNote.textContent = list.length ? '' : t('records.mt.none');
      tasksBody.replaceChildren(...list.map(taskRow));
      const chosen = fTask.value;
      fTask.replaceChildren(
        h('option', { value: '' }, t('alarms.all')),
        ...list.map((s) => h('option', { value: s.task.id, selected: s.task.id === chosen }, s.task.title)),
      );
    } catch (err) {
      tasksNote.textContent = /** @type {Error} */ (err).message;
    }
  }

  /** @param {any} s TaskStatus */
  function taskRow(s) {
    const task = s.task;
    const byHours = task.every?.runHours !== undefined;
    return h(
      `tr.mt.m-${s.state}`,
      { dataset: { task: task.id, state: s.state } },
      h('td.mt-state', null, h(`span.mt-badge.m-${s.state}`, null, t(`records.mt.s.${s.state}`))),
      h('td', null, task.title, h('small.mt-message', null, s.message)),
      h(
        'td',
        null,
        h('a', { href: `#/device/${encodeURIComponent(task.device)}` }, s.deviceName ?? task.device),
      ),
      h('td', null, every(task.every)),
      h(
        'td',
        null,
        s.lastDoneAt ? localDate(s.lastDoneAt) : t('never'),
        s.lastDoneBy ? ` · ${s.lastDoneBy}` : '',
        s.lastRunHours !== undefined && s.lastRunHours !== null ? ` · ${num(s.lastRunHours, 0)} h` : '',
      ),
      h(
        'td',
        null,
        byHours
          ? `${num(s.dueRunHours, 0)} h${s.runHoursNow !== undefined && s.runHoursNow !== null ? ` (${t('records.mt.now', { h: num(s.runHoursNow, 0) })})` : ''}`
          : s.dueAt
            ? localDate(s.dueAt)
            : '—',
      ),
      h(
        'td.num',
        null,
        byHours
          ? s.remainingRunHours !== undefined && s.remainingRunHours !== null
            ? `${num(s.remainingRunHours, 0)} h`
            : '—'
          : s.remainingDays !== undefined && s.remainingDays !== null
            ? t('records.mt.days', { n: s.remainingDays })
            : '—',
      ),
      h(
        'td.actions',
        null,
        act
          ? h('button.mt-done', { type: 'button', onclick: () => recordDone(s) }, t('records.mt.recordDone'))
          : null,
      ),
    );
  }

  /** @param {any} s */
  function recordDone(s) {
    const byHours = s.task.every?.runHours !== undefined;
    const hasHours = s.runHoursNow !== undefined && s.runHoursNow !== null;
    dialog.open({
      title: `${t('records.mt.recordDone')}: ${s.task.title}`,
      submitLabel: t('records.mt.save'),
      fields: [
        {
          name: 'runHours',
          label: t('records.mt.runHours'),
          type: 'number',
          required: byHours,
          value: hasHours ? String(Math.round(s.runHoursNow * 10) / 10) : '',
        },
        { name: 'at', label: t('records.mt.doneAtHint'), type: 'datetime-local' },
        { name: 'notes', label: t('records.mt.notes'), type: 'textarea' },
      ],
      async submit(v) {
        /** @type {Record<string, string | number>} */
        const body = {};
        if (v.runHours) body.runHours = Number(v.runHours);
        if (v.notes) body.notes = v.notes;
        if (v.at) body.at = new Date(v.at).getTime();
        await request(`/api/maintenance/${encodeURIComponent(s.task.id)}/complete`, { body });
        message.ok(t('records.mt.recorded', { task: s.task.title }));
        await Promise.all([loadTasks(), loadHistory()]);
      },
    });
  }

  async function loadHistory() {
    const query = { task: fTask.value, limit: 200 };
    historyCsv.replaceChildren(csvLink('/api/maintenance/history', query));
    try {
      /** @type {any[]} */
      const list = await request(url('/api/maintenance/history', query));
      historyNote.textContent = list.length ? '' : t('records.mt.noHistory');
      historyBody.replaceChildren(
        ...list.map((r) =>
          h(
            'tr',
            { dataset: { task: r.taskId, record: String(r.id) } },
            h('td', null, dateTime(r.doneAt)),
            h('td', null, r.title),
            h('td', null, r.device),
            h('td.user', null, r.doneBy),
            h('td.num', null, r.runHours !== undefined && r.runHours !== null ? num(r.runHours, 1) : ''),
            h('td', null, r.notes ?? ''),
            h('td', null, dateTime(r.recordedAt)),
          ),
        ),
      );
    } catch (err) {
      historyNote.textContent = /** @type {Error} */ (err).message;
    }
  }

  loadTasks();
  loadHistory();
  return {};
}

/** "every 2000 run hours", "every 12 months". @param {any} e */
function every(e) {
  if (!e) return '—';
  if (e.runHours !== undefined) return t('records.mt.everyHours', { n: e.runHours });
  if (e.months !== undefined) return t('records.mt.everyMonths', { n: e.months });
  return t('records.mt.everyDays', { n: e.days });
}

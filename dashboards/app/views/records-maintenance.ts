// Maintenance: every task of the plan with its state (colour only for overdue and due soon),
// when it was last done and when it is due, "Record done" (run hours, notes, date), and the
// record of work done (who, when, run hours, notes) with its CSV.
import type { MaintenanceInterval, MaintenanceRecord, TaskStatus } from '../../../src/api-types/records.js';
import { getJson, url } from '../api.js';
import { h } from '../dom.js';
import { localName, t } from '../i18n.js';
import { dateTime, localDate, plantInstant } from '../time.js';
import { tableHead } from '../widgets.js';
import {
  act,
  csvLink,
  errorText,
  formDialog,
  mayAct,
  messageLine,
  num,
  type RecordsView,
} from './records-common.js';

const ORDER: TaskStatus['state'][] = ['overdue', 'due-soon', 'unknown', 'ok'];

const titleOf = (s: TaskStatus) => localName(s.task.title, s.task.titleZh);

export function render(root: HTMLElement): RecordsView {
  const mayWrite = mayAct();
  const message = messageLine();
  const dialog = formDialog();
  const tasksBody = h('tbody');
  const tasksNote = h('p.note');
  const fTask = h(
    'select#mt-f-task',
    { 'aria-label': t('records.mt.task') },
    h('option', { value: '' }, t('alarms.all')),
  ) as HTMLSelectElement;
  const historyBody = h('tbody');
  const historyNote = h('p.note');
  const historyCsv = h('span');

  root.replaceChildren(
    h('h1.page-title', null, t('records.mt.title')),
    h('p.note.view-only', { hidden: mayWrite }, t('records.viewOnly')),
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
        onsubmit: (ev: SubmitEvent) => {
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

  /** Device id → its configured name in the page's language, from the task list. */
  const deviceNames = new Map<string, string>();

  async function loadTasks() {
    try {
      const list = await getJson<TaskStatus[]>('/api/maintenance');
      list.sort((a, b) => ORDER.indexOf(a.state) - ORDER.indexOf(b.state));
      tasksNote.textContent = list.length ? '' : t('records.mt.none');
      tasksBody.replaceChildren(...list.map(taskRow));
      for (const t of list)
        deviceNames.set(t.task.device, localName(t.deviceName ?? t.task.device, t.deviceNameZh));
      const chosen = fTask.value;
      fTask.replaceChildren(
        h('option', { value: '' }, t('alarms.all')),
        ...list.map((s) => h('option', { value: s.task.id, selected: s.task.id === chosen }, titleOf(s))),
      );
    } catch (err) {
      tasksNote.textContent = errorText(err);
    }
  }

  function taskRow(s: TaskStatus) {
    const task = s.task;
    const byHours = 'runHours' in task.every;
    return h(
      `tr.mt.m-${s.state}`,
      { dataset: { task: task.id, state: s.state } },
      h('td.mt-state', null, h(`span.mt-badge.m-${s.state}`, null, t(`records.mt.s.${s.state}`))),
      h('td', null, titleOf(s), h('small.mt-message', null, localName(s.message, s.messageZh))),
      h(
        'td',
        null,
        h(
          'a',
          { href: `#/device/${encodeURIComponent(task.device)}` },
          localName(s.deviceName ?? task.device, s.deviceNameZh),
        ),
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
        mayWrite
          ? h('button.mt-done', { type: 'button', onclick: () => recordDone(s) }, t('records.mt.recordDone'))
          : null,
      ),
    );
  }

  function recordDone(s: TaskStatus) {
    const byHours = 'runHours' in s.task.every;
    dialog.open({
      title: `${t('records.mt.recordDone')}: ${titleOf(s)}`,
      submitLabel: t('records.mt.save'),
      fields: [
        {
          name: 'runHours',
          label: t('records.mt.runHours'),
          type: 'number',
          required: byHours,
          value: s.runHoursNow === undefined ? '' : String(Math.round(s.runHoursNow * 10) / 10),
        },
        { name: 'at', label: t('records.mt.doneAtHint'), type: 'datetime-local' },
        { name: 'notes', label: t('records.mt.notes'), type: 'textarea' },
      ],
      async submit(v) {
        const body: { runHours?: number; notes?: string; at?: number } = {};
        if (v.runHours) body.runHours = Number(v.runHours);
        if (v.notes) body.notes = v.notes;
        // The time typed is the plant's wall clock, whatever zone this PC is set to.
        if (v.at) body.at = plantInstant(v.at);
        await act<MaintenanceRecord>(`/api/maintenance/${encodeURIComponent(s.task.id)}/complete`, body);
        message.ok(t('records.mt.recorded', { task: titleOf(s) }));
        await Promise.all([loadTasks(), loadHistory()]);
      },
    });
  }

  async function loadHistory() {
    const query = { task: fTask.value, limit: 200 };
    historyCsv.replaceChildren(csvLink('/api/maintenance/history', query));
    try {
      const list = await getJson<MaintenanceRecord[]>(url('/api/maintenance/history', query));
      historyNote.textContent = list.length ? '' : t('records.mt.noHistory');
      historyBody.replaceChildren(
        ...list.map((r) =>
          h(
            'tr',
            { dataset: { task: r.taskId, record: String(r.id) } },
            h('td', null, dateTime(r.doneAt)),
            h('td', null, r.title),
            h('td', null, deviceNames.get(r.device) ?? r.device),
            h('td.user', null, r.doneBy),
            h('td.num', null, r.runHours === undefined ? '' : num(r.runHours, 1)),
            h('td', null, r.notes ?? ''),
            h('td', null, dateTime(r.recordedAt)),
          ),
        ),
      );
    } catch (err) {
      historyNote.textContent = errorText(err);
    }
  }

  // The history names each device as the task list does: the list first.
  loadTasks().then(loadHistory);
  return {};
}

/** "every 2000 run hours", "every 12 months". */
function every(e: MaintenanceInterval): string {
  if ('runHours' in e) return t('records.mt.everyHours', { n: e.runHours });
  if ('months' in e) return t('records.mt.everyMonths', { n: e.months });
  return t('records.mt.everyDays', { n: e.days });
}

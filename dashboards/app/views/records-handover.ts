// Shift handover: the current shift of a team with its automatic summary (alarms raised and
// who acknowledged them, alarms still open, work orders opened and closed, maintenance due),
// the outgoing user's notes and "Submit handover"; handovers waiting for the incoming user
// ("Accept handover" with a comment); and the past handovers.
import type { Handover, HandoverSummary, HandoverView, Team } from '../../../src/api-types/records.js';
import { getJson, url } from '../api.js';
import { h } from '../dom.js';
import { localName, t } from '../i18n.js';
import { clock, dateTime } from '../time.js';
import { tableHead } from '../widgets.js';
import {
  act,
  alarmRow,
  csvLink,
  errorText,
  mayAct,
  messageLine,
  priorityPill,
  type RecordsView,
  teamName,
} from './records-common.js';

const TEAM_KEY = 'plantwatch.handoverTeam';

export function render(root: HTMLElement): RecordsView {
  const mayWrite = mayAct();
  const message = messageLine();
  const teamSelect = h('select#ho-team', { 'aria-label': t('records.team') }) as HTMLSelectElement;
  const shiftLine = h('p.ho-shift');
  const summary = h('div.ho-summary');
  const status = h('p.ho-status');
  const notes = h('textarea#ho-notes', {
    rows: 5,
    maxLength: 5000,
    placeholder: t('records.ho.notesHint'),
  }) as HTMLTextAreaElement;
  const submit = h('button#ho-submit.primary', { type: 'submit' }, t('records.ho.submit'));
  const form = h(
    'form.ho-form',
    {
      onsubmit: async (ev: SubmitEvent) => {
        ev.preventDefault();
        message.clear();
        try {
          await act<Handover>('/api/handovers', { team: teamSelect.value, notes: notes.value.trim() });
          message.ok(t('records.ho.submitted'));
          await load();
        } catch (err) {
          message.error(err);
        }
      },
    },
    h('label', null, t('records.ho.notes'), notes),
    h('div.form-buttons', null, submit),
  );
  const pending = h('div.ho-pending');
  const pastBody = h('tbody');
  const pastNote = h('p.note');
  const pastCsv = h('span');
  let teamList: Team[] = [];

  root.replaceChildren(
    h('h1.page-title', null, t('records.ho.title'), h('label.inline', null, t('records.team'), teamSelect)),
    h('p.note.view-only', { hidden: mayWrite }, t('records.viewOnly')),
    message.el,
    h(
      'section.panel.ho-current',
      null,
      h('h2', null, t('records.ho.current')),
      shiftLine,
      summary,
      status,
      mayWrite ? form : null,
    ),
    h('h2', null, t('records.ho.pending')),
    pending,
    h('h2', null, t('records.ho.past'), ' ', pastCsv),
    pastNote,
    h(
      'div.scroll',
      null,
      h(
        'table.ho-past',
        null,
        tableHead([
          'records.ho.dutyDate',
          'records.ho.shift',
          'records.team',
          'records.ho.outgoing',
          'records.ho.submittedAt',
          'records.ho.incoming',
          'records.ho.acceptedAt',
          'records.ho.notes',
          'col.comment',
        ]),
        pastBody,
      ),
    ),
  );

  teamSelect.addEventListener('change', () => {
    localStorage.setItem(TEAM_KEY, teamSelect.value);
    load();
  });

  async function load() {
    const team = teamSelect.value || localStorage.getItem(TEAM_KEY) || '';
    let current: HandoverView;
    try {
      current = await getJson<HandoverView>(url('/api/handovers/current', { team }));
    } catch (err) {
      shiftLine.textContent = errorText(err);
      return;
    }
    teamList = current.teams;
    teamSelect.replaceChildren(
      ...teamList.map((x) =>
        h('option', { value: x.id, selected: x.id === current.team }, localName(x.name, x.nameZh)),
      ),
    );
    teamSelect.value = current.team;
    const s = current.shift;
    shiftLine.replaceChildren(
      h('strong.ho-shift-name', null, t(`admin.shift.${s.shift}`)),
      ` · ${t('records.ho.dutyDate')} ${s.dutyDate} · `,
      h('span.ho-shift-times', null, `${dateTime(s.from)} – ${dateTime(s.to)}`),
    );
    summary.replaceChildren(summaryView(current.summary));
    const mine = current.handover;
    if (mine) {
      status.replaceChildren(handoverState(mine));
      status.dataset.state = mine.acceptedAt ? 'accepted' : 'submitted';
      if (!notes.value) notes.value = mine.notes;
    } else {
      status.textContent = t('records.ho.notYet');
      status.dataset.state = 'none';
    }
    // An accepted handover is final; until then the outgoing shift may correct it.
    form.hidden = Boolean(mine?.acceptedAt);
    submit.textContent = mine && !mine.acceptedAt ? t('records.ho.resubmit') : t('records.ho.submit');
    renderPending(current.pending);
    loadPast();
  }

  function renderPending(list: Handover[]) {
    pending.replaceChildren(
      list.length
        ? h('div.ho-cards', null, ...list.map(pendingCard))
        : h('p.note', null, t('records.ho.noPending')),
    );
  }

  function pendingCard(ho: Handover) {
    const comment = h('input.ho-accept-comment', {
      maxLength: 500,
      placeholder: t('comment'),
    }) as HTMLInputElement;
    const error = h('p.action-error', { role: 'alert' });
    return h(
      'article.panel.ho-card',
      { dataset: { handover: String(ho.id), outgoing: ho.outgoingUser } },
      h(
        'h3',
        null,
        `${teamName(teamList, ho.team)} · ${t(`admin.shift.${ho.shift}`)} ${ho.dutyDate} `,
        h('small', null, `${clock(ho.shiftFrom)}–${clock(ho.shiftTo)}`),
      ),
      h('p.note', null, t('records.ho.by', { user: ho.outgoingUser, time: dateTime(ho.submittedAt) })),
      h('p.ho-notes', null, ho.notes || t('records.ho.noNotes')),
      mayWrite
        ? h(
            'form.ho-accept',
            {
              onsubmit: async (ev: SubmitEvent) => {
                ev.preventDefault();
                error.textContent = '';
                const text = comment.value.trim();
                try {
                  await act<Handover>(`/api/handovers/${ho.id}/accept`, text ? { comment: text } : {});
                  message.ok(t('records.ho.accepted', { user: ho.outgoingUser }));
                  await load();
                } catch (err) {
                  error.textContent = t('err.action', { msg: errorText(err) });
                }
              },
            },
            comment,
            h('button.ho-accept-button.primary', { type: 'submit' }, t('records.ho.accept')),
          )
        : null,
      error,
    );
  }

  async function loadPast() {
    const query = { team: teamSelect.value, limit: 50 };
    pastCsv.replaceChildren(csvLink('/api/handovers', query));
    try {
      const list = await getJson<Handover[]>(url('/api/handovers', query));
      pastNote.textContent = list.length ? '' : t('records.ho.none');
      pastBody.replaceChildren(
        ...list.map((ho) =>
          h(
            'tr',
            { dataset: { handover: String(ho.id), state: ho.acceptedAt ? 'accepted' : 'submitted' } },
            h('td', null, ho.dutyDate),
            h('td', null, `${t(`admin.shift.${ho.shift}`)} ${clock(ho.shiftFrom)}–${clock(ho.shiftTo)}`),
            h('td', null, teamName(teamList, ho.team)),
            h('td.user', null, ho.outgoingUser),
            h('td', null, dateTime(ho.submittedAt)),
            h('td.incoming', null, ho.incomingUser ?? t('records.ho.waiting')),
            h('td', null, ho.acceptedAt ? dateTime(ho.acceptedAt) : ''),
            h('td.ho-notes', null, ho.notes ?? ''),
            h('td', null, ho.acceptComment ?? ''),
          ),
        ),
      );
    } catch (err) {
      pastNote.textContent = errorText(err);
    }
  }

  load();
  return {};
}

/** "Submitted by … at …; accepted by … at …" or "waiting for the incoming shift". */
function handoverState(ho: Handover) {
  return h(
    'span',
    null,
    t('records.ho.by', { user: ho.outgoingUser, time: dateTime(ho.submittedAt) }),
    ' · ',
    ho.acceptedAt
      ? h(
          'span.ho-accepted-by',
          null,
          t('records.ho.acceptedBy', { user: ho.incomingUser ?? '', time: dateTime(ho.acceptedAt) }),
        )
      : h('span.ho-waiting', null, t('records.ho.waiting')),
  );
}

/** The shift as the gateway summarises it. */
function summaryView(s: HandoverSummary) {
  const { alarms, openAlarms: open, workOrders: wo, maintenance } = s;
  const woList = (list: HandoverSummary['workOrders']['open']) =>
    list.length
      ? h(
          'ul.ho-wo',
          null,
          ...list.map((o) =>
            h(
              'li',
              null,
              h('a', { href: '#/records/work-orders' }, o.number),
              ` ${o.title} (${t(`records.wo.s.${o.status}`)})`,
            ),
          ),
        )
      : h('p.note', null, t('records.none'));
  return h(
    'div.ho-summary-grid',
    null,
    h(
      'section.ho-alarms',
      null,
      h('h3', null, t('records.ho.alarmsRaised', { n: alarms.length })),
      alarms.length
        ? h(
            'table',
            null,
            tableHead(['col.time', 'col.priority', 'col.message', 'records.ho.ackBy']),
            h('tbody', null, ...alarms.map((a) => alarmRow(a, clock))),
          )
        : h('p.note', null, t('records.none')),
    ),
    h(
      'section.ho-open-alarms',
      null,
      h('h3', null, t('records.ho.openAlarms', { n: open.length })),
      open.length
        ? h(
            'ul',
            null,
            ...open.map((a) =>
              h(
                'li',
                { dataset: { alarm: a.id } },
                priorityPill(a.priority),
                ` ${localName(a.message, a.messageZh)} · ${t(`state.${a.state}`)} · ${t('records.since', { time: dateTime(a.since) })}`,
              ),
            ),
          )
        : h('p.note', null, t('records.none')),
    ),
    h(
      'section.ho-work-orders',
      null,
      h('h3', null, t('records.ho.woOpened', { n: wo.opened.length })),
      woList(wo.opened),
      h('h3', null, t('records.ho.woCompleted', { n: wo.completed.length })),
      woList(wo.completed),
      h('h3', null, t('records.ho.woOpen', { n: wo.open.length })),
      woList(wo.open),
    ),
    h(
      'section.ho-maintenance',
      null,
      h('h3', null, t('records.ho.maintenanceDue', { n: maintenance.length })),
      maintenance.length
        ? h(
            'ul',
            null,
            ...maintenance.map((m) =>
              h(
                'li',
                { class: `m-${m.state}` },
                h(
                  'a',
                  { href: '#/records/maintenance' },
                  `${localName(m.task.title, m.task.titleZh)} · ${localName(m.deviceName ?? m.task.device, m.deviceNameZh)}`,
                ),
                ` · ${t(`records.mt.s.${m.state}`)}`,
              ),
            ),
          )
        : h('p.note', null, t('records.none')),
    ),
  );
}

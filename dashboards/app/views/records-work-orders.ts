// Work orders: the list (status and team filters, newest first) with each order's times and
// history, the hotline's "New work order" form and "from an alarm", the steps an order goes
// through (accept, arrived on site, complete, cancel, comment), and the monthly KPIs per team.
import type {
  NewWorkOrder,
  Team,
  WorkOrder,
  WorkOrderKpi,
  WorkOrderStatus,
  WorkOrderStep,
} from '../../../src/api-types/records.js';
import { getJson, url } from '../api.js';
import { h } from '../dom.js';
import { localName, t } from '../i18n.js';
import { type Priority, state } from '../live.js';
import { activeAlarms, alarmPlace, alarmText, names, PRIORITIES } from '../plant.js';
import { addMonths, clock, dateTime, localDate } from '../time.js';
import { tableHead } from '../widgets.js';
import {
  act,
  csvLink,
  duration,
  errorText,
  formDialog,
  mayAct,
  messageLine,
  priorityPill,
  type RecordsView,
  teamName,
  teams,
} from './records-common.js';

const STATUSES: WorkOrderStatus[] = ['open', 'accepted', 'on-site', 'completed', 'cancelled'];
const LIVE_STATUSES: WorkOrderStatus[] = ['open', 'accepted', 'on-site'];
const LIVE = LIVE_STATUSES.join(',');

export function render(root: HTMLElement): RecordsView {
  const mayWrite = mayAct();
  const placeNames = names();
  const message = messageLine();
  const dialog = formDialog();
  let teamList: Team[] = [];
  /** Orders whose history is open. */
  const expanded = new Set<number>();

  // Filters.
  const fStatus = h(
    'select#wo-f-status',
    { 'aria-label': t('records.wo.status') },
    h('option', { value: '' }, t('alarms.all')),
    h('option', { value: LIVE }, t('records.wo.f.live')),
    ...STATUSES.map((s) => h('option', { value: s }, t(`records.wo.s.${s}`))),
  ) as HTMLSelectElement;
  const fTeam = h(
    'select#wo-f-team',
    { 'aria-label': t('records.team') },
    h('option', { value: '' }, t('records.allTeams')),
  ) as HTMLSelectElement;
  const listNote = h('p.note');
  const listHead = tableHead([
    'records.wo.number',
    'records.wo.titleCol',
    'records.wo.where',
    'col.priority',
    'records.wo.status',
    'records.wo.created',
    'records.wo.accepted',
    'records.wo.arrived',
    'records.wo.completed',
    'records.wo.elapsed',
    '',
  ]);
  /** One tbody per order (its row, and its details when open). */
  const listTable = h('table.work-orders', null, listHead);
  const csv = h('span');

  // New work order (hotline call) and from an alarm.
  const opened = async (body: NewWorkOrder) => {
    const order = await act<WorkOrder>('/api/work-orders', body);
    message.ok(t('records.wo.createdMsg', { number: order.number }));
    expanded.add(order.id);
    await Promise.all([load(), loadKpis()]);
  };
  const newForm = newOrderForm(opened);
  const fromAlarm = fromAlarmForm((alarmId) => opened({ alarmId }));

  // KPIs: the last twelve months of the plant's calendar.
  const thisMonth = localDate(Date.now()).slice(0, 7);
  const kFrom = h('input#wo-k-from', { type: 'month', value: addMonths(thisMonth, -11) }) as HTMLInputElement;
  const kTo = h('input#wo-k-to', { type: 'month', value: thisMonth }) as HTMLInputElement;
  const kTeam = h(
    'select#wo-k-team',
    { 'aria-label': t('records.team') },
    h('option', { value: '' }, t('records.allTeams')),
  ) as HTMLSelectElement;
  const kpiBody = h('tbody');
  const kpiNote = h('p.note');
  const kpiCsv = h('span#wo-kpi-csv');

  root.replaceChildren(
    h('h1.page-title', null, t('records.wo.title')),
    h('p.note.view-only', { hidden: mayWrite }, t('records.viewOnly')),
    message.el,
    // Only for a role that may write (replaceChildren would print a null as the text "null").
    ...(mayWrite ? [h('div.records-forms', null, newForm.el, fromAlarm.el)] : []),
    h(
      'form.filters.records-filters',
      {
        onsubmit: (ev: SubmitEvent) => {
          ev.preventDefault();
          load();
        },
      },
      h('label', null, t('records.wo.status'), fStatus),
      h('label', null, t('records.team'), fTeam),
      h('button', { type: 'submit' }, t('alarms.apply')),
      csv,
    ),
    listNote,
    h('div.scroll', null, listTable),
    h('h2', null, t('records.kpi.title')),
    h(
      'form.filters.records-filters',
      {
        onsubmit: (ev: SubmitEvent) => {
          ev.preventDefault();
          loadKpis();
        },
      },
      h('label', null, t('records.from'), kFrom),
      h('label', null, t('records.to'), kTo),
      h('label', null, t('records.team'), kTeam),
      h('button', { type: 'submit' }, t('alarms.apply')),
      kpiCsv,
    ),
    kpiNote,
    h(
      'div.scroll',
      null,
      h(
        'table.wo-kpis',
        null,
        tableHead([
          'records.team',
          'records.kpi.month',
          'records.kpi.created',
          'records.kpi.completed',
          'records.kpi.cancelled',
          'records.kpi.open',
          'records.kpi.responseMedian',
          'records.kpi.responseMean',
          'records.kpi.acceptMedian',
          'records.kpi.mttrMedian',
          'records.kpi.mttrMean',
        ]),
        kpiBody,
      ),
    ),
    dialog.el,
  );

  const listQuery = () => ({ status: fStatus.value, team: fTeam.value, limit: 200 });

  async function load() {
    csv.replaceChildren(csvLink('/api/work-orders', listQuery()));
    try {
      const orders = await getJson<WorkOrder[]>(url('/api/work-orders', listQuery()));
      orders.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
      listNote.textContent = orders.length ? '' : t('records.wo.none');
      listTable.replaceChildren(listHead, ...orders.map(orderRows));
    } catch (err) {
      listNote.textContent = errorText(err);
    }
  }

  /** Months as the plant's calendar has them: from the first month's start to the last one's end. */
  const kpiQuery = () => ({
    from: kFrom.value,
    to: kTo.value ? addMonths(kTo.value, 1) : '',
    team: kTeam.value,
  });

  async function loadKpis() {
    kpiCsv.replaceChildren(csvLink('/api/work-orders/kpis', kpiQuery()));
    try {
      const rows = await getJson<WorkOrderKpi[]>(url('/api/work-orders/kpis', kpiQuery()));
      kpiNote.textContent = rows.length ? '' : t('records.kpi.none');
      kpiBody.replaceChildren(
        ...rows.map((k) =>
          h(
            'tr',
            { dataset: { team: k.team, month: k.month } },
            h('td', null, k.teamName ? localName(k.teamName, k.teamNameZh) : teamName(teamList, k.team)),
            h('td', null, k.month),
            h('td.num', { dataset: { kpi: 'created' } }, String(k.created)),
            h('td.num', { dataset: { kpi: 'completed' } }, String(k.completed)),
            h('td.num', { dataset: { kpi: 'cancelled' } }, String(k.cancelled)),
            h('td.num', { dataset: { kpi: 'open' } }, String(k.open)),
            h('td.num', null, duration(k.responseMedianMs)),
            h('td.num', null, duration(k.responseMeanMs)),
            h('td.num', null, duration(k.acceptMedianMs)),
            h('td.num', null, duration(k.mttrMedianMs)),
            h('td.num', null, duration(k.mttrMeanMs)),
          ),
        ),
      );
    } catch (err) {
      kpiNote.textContent = errorText(err);
    }
  }

  /** One order: its row, and (when open) its details and history. */
  function orderRows(o: WorkOrder): HTMLTableSectionElement {
    const end = o.completedAt ?? o.cancelledAt;
    const isOpen = expanded.has(o.id);
    const toggle = h(
      'button.link.wo-toggle',
      {
        type: 'button',
        'aria-expanded': String(isOpen),
        title: t('records.wo.history'),
        onclick: () => {
          if (expanded.has(o.id)) expanded.delete(o.id);
          else expanded.add(o.id);
          tbody.replaceWith(orderRows(o));
        },
      },
      o.number,
    );
    const where = [
      o.device ? localName(o.deviceName ?? o.device, o.deviceNameZh) : '',
      o.room ? (placeNames.rooms.get(`${o.site}/${o.building}/${o.room}`) ?? o.room) : '',
      o.building ? (placeNames.buildings.get(o.building) ?? o.building) : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const row = h(
      `tr.wo.wo-${o.status}`,
      { dataset: { order: String(o.id), number: o.number, status: o.status } },
      h('td.wo-number', null, toggle),
      h(
        'td.wo-title',
        null,
        h('span', null, o.title),
        o.source !== 'hotline' ? h('small.src', null, ` · ${t(`records.wo.src.${o.source}`)}`) : null,
      ),
      h(
        'td.wo-where',
        null,
        o.device ? h('a', { href: `#/device/${encodeURIComponent(o.device)}` }, where || o.device) : where,
      ),
      h('td', null, priorityPill(o.priority)),
      h('td.wo-status', null, t(`records.wo.s.${o.status}`)),
      h('td.t-created', null, stamp(o.createdAt)),
      h('td.t-accepted', null, stamp(o.acceptedAt, o.createdAt)),
      h('td.t-arrived', null, stamp(o.arrivedAt, o.createdAt)),
      h('td.t-completed', null, stamp(o.completedAt ?? o.cancelledAt, o.createdAt)),
      h('td.t-elapsed.num', null, duration((end ?? Date.now()) - o.createdAt)),
      h('td.actions', null, ...(mayWrite ? actions(o) : [])),
    );
    const tbody = h(`tbody.wo-order`, { dataset: { order: String(o.id), status: o.status } }, row);
    if (isOpen) tbody.append(h('tr.wo-details', null, h('td', { colSpan: 11 }, details(o))));
    return tbody;
  }

  function details(o: WorkOrder) {
    return h(
      'div.wo-detail',
      null,
      h(
        'dl.wo-facts',
        null,
        ...fact('records.wo.description', o.description),
        ...fact('records.wo.reporter', o.reporter),
        ...fact('records.wo.source', t(`records.wo.src.${o.source}`)),
        ...fact('records.team', teamName(teamList, o.team)),
        ...fact('records.wo.alarm', o.alarmId),
        ...fact('records.wo.resolution', o.resolution),
        ...fact('records.wo.cancelReason', o.cancelReason),
      ),
      h(
        'table.wo-history',
        null,
        tableHead(['col.time', 'col.user', 'col.event', 'col.comment']),
        h(
          'tbody',
          null,
          ...o.history.map((e) =>
            h(
              'tr',
              { dataset: { action: e.action } },
              h('td', null, dateTime(e.at)),
              h('td.user', null, e.user),
              h('td', null, t(`records.wo.act.${e.action}`)),
              h('td', null, e.comment ?? ''),
            ),
          ),
        ),
      ),
    );
  }

  function actions(o: WorkOrder): HTMLButtonElement[] {
    const step = async (name: WorkOrderStep, body: Record<string, string>) => {
      await act<WorkOrder>(`/api/work-orders/${o.id}/${name}`, body);
      expanded.add(o.id);
      message.ok(t(`records.wo.done.${name}`, { number: o.number }));
      await Promise.all([load(), loadKpis()]);
    };
    const button = (name: WorkOrderStep, onclick: () => void) =>
      h(
        'button',
        { type: 'button', class: `wo-${name}`, dataset: { action: name }, onclick },
        t(`records.wo.a.${name}`),
      );
    const direct = (name: 'accept' | 'arrive') =>
      button(name, () => {
        message.clear();
        step(name, {}).catch((err: unknown) => message.error(err));
      });
    const withText = (name: 'complete' | 'cancel' | 'comment', field: string) =>
      button(name, () =>
        dialog.open({
          title: `${t(`records.wo.a.${name}`)}: ${o.number} ${o.title}`,
          submitLabel: t(`records.wo.a.${name}`),
          fields: [{ name: field, label: t(`records.wo.field.${field}`), type: 'textarea', required: true }],
          submit: (v) => step(name, { [field]: v[field] ?? '' }),
        }),
      );
    const live = LIVE_STATUSES.includes(o.status);
    return [
      o.status === 'open' ? direct('accept') : null,
      o.status === 'open' || o.status === 'accepted' ? direct('arrive') : null,
      live ? withText('complete', 'resolution') : null,
      live ? withText('cancel', 'reason') : null,
      withText('comment', 'text'),
    ].filter((x) => x !== null);
  }

  teams().then((list) => {
    teamList = list;
    for (const select of [fTeam, kTeam]) select.append(...teamOptions(list));
    newForm.setTeams(list);
  });
  load();
  loadKpis();
  // Others act on orders too: refresh now and then, unless a dialog is open.
  const timer = setInterval(() => {
    if (!dialog.el.open && document.visibilityState === 'visible') {
      load();
    }
  }, 30_000);
  return {
    update: () => fromAlarm.refresh(),
    dispose: () => clearInterval(timer),
  };
}

const teamOptions = (list: readonly Team[]) =>
  list.map((x) => h('option', { value: x.id }, localName(x.name, x.nameZh)));

/**
 * A step's time: the date only when it differs from the order's creation date (a narrower
 * table); the full date and time on hover and in the machine-readable attribute.
 */
function stamp(ts: number | undefined, createdAt?: number) {
  if (!ts) return '';
  const full = dateTime(ts);
  const sameDay = createdAt !== undefined && localDate(ts) === localDate(createdAt);
  return h('time', { dateTime: new Date(ts).toISOString(), title: full }, sameDay ? clock(ts) : full);
}

function fact(key: string, value: string | undefined) {
  if (value === undefined || value === null || value === '') return [];
  return [h('dt', null, t(key)), h('dd', null, value)];
}

/** Devices for the select, by room: [room name, [id, name][]], in the page's language. */
function devicesByRoom(): [string, Map<string, string>][] {
  const rooms = new Map<string, Map<string, string>>();
  for (const info of state.catalog.values()) {
    const room = `${localName(info.buildingName ?? info.building, info.buildingNameZh)} · ${localName(info.roomName ?? info.room, info.roomNameZh)}`;
    const list = rooms.get(room) ?? new Map<string, string>();
    rooms.set(room, list);
    list.set(info.device, localName(info.deviceName, info.deviceNameZh));
  }
  return [...rooms].sort(([a], [b]) => a.localeCompare(b));
}

/** The hotline's form: title, description, caller, device, priority, team. */
function newOrderForm(create: (body: NewWorkOrder) => Promise<void>) {
  const title = h('input#wo-new-title', { required: true, maxLength: 200 }) as HTMLInputElement;
  const description = h('textarea#wo-new-description', { rows: 2, maxLength: 2000 }) as HTMLTextAreaElement;
  const reporter = h('input#wo-new-reporter', {
    maxLength: 200,
    placeholder: t('records.wo.reporterHint'),
  }) as HTMLInputElement;
  const device = h(
    'select#wo-new-device',
    null,
    h('option', { value: '' }, t('records.wo.noDevice')),
    ...devicesByRoom().map(([room, list]) =>
      h(
        'optgroup',
        { label: room },
        ...[...list].map(([id, name]) => h('option', { value: id }, `${name} (${id})`)),
      ),
    ),
  ) as HTMLSelectElement;
  const priority = h(
    'select#wo-new-priority',
    null,
    ...PRIORITIES.map((p) => h('option', { value: p, selected: p === 'medium' }, t(`p.${p}`))),
  ) as HTMLSelectElement;
  const team = h(
    'select#wo-new-team',
    null,
    h('option', { value: '' }, t('records.wo.teamAuto')),
  ) as HTMLSelectElement;
  const error = h('p.action-error', { role: 'alert' });
  const form = h(
    'form',
    {
      onsubmit: async (ev: SubmitEvent) => {
        ev.preventDefault();
        const body: NewWorkOrder = {
          title: title.value.trim(),
          source: 'hotline',
          priority: priority.value as Priority,
        };
        if (description.value.trim()) body.description = description.value.trim();
        if (reporter.value.trim()) body.reporter = reporter.value.trim();
        if (device.value) body.device = device.value;
        if (team.value) body.team = team.value;
        error.textContent = '';
        try {
          await create(body);
          for (const input of [title, description, reporter]) input.value = '';
          device.value = '';
          priority.value = 'medium';
          el.open = false;
        } catch (err) {
          error.textContent = t('err.action', { msg: errorText(err) });
        }
      },
    },
    h('label.wide', null, `${t('records.wo.titleCol')} *`, title),
    h('label.wide', null, t('records.wo.description'), description),
    h('label', null, t('records.wo.reporter'), reporter),
    h('label', null, t('records.wo.device'), device),
    h('label', null, t('col.priority'), priority),
    h('label', null, t('records.team'), team),
    h(
      'div.form-buttons',
      null,
      h('button#wo-new-submit.primary', { type: 'submit' }, t('records.wo.create')),
    ),
    error,
  );
  const el = h(
    'details.records-form.wo-new',
    null,
    h('summary', null, t('records.wo.new')),
    form,
  ) as HTMLDetailsElement;
  return {
    el,
    setTeams(list: readonly Team[]) {
      team.append(...teamOptions(list));
    },
  };
}

/** A work order for an active alarm, prefilled from it by the gateway. */
function fromAlarmForm(create: (alarmId: string) => Promise<void>) {
  const select = h('select#wo-alarm') as HTMLSelectElement;
  const error = h('p.action-error', { role: 'alert' });
  const empty = h('p.note', null, t('records.wo.noAlarms'));
  const form = h(
    'form',
    {
      onsubmit: async (ev: SubmitEvent) => {
        ev.preventDefault();
        if (!select.value) return;
        error.textContent = '';
        try {
          await create(select.value);
          el.open = false;
        } catch (err) {
          error.textContent = t('err.action', { msg: errorText(err) });
        }
      },
    },
    h('label.wide', null, t('records.wo.alarm'), select),
    h(
      'div.form-buttons',
      null,
      h('button#wo-alarm-submit.primary', { type: 'submit' }, t('records.wo.fromAlarm')),
    ),
    error,
  );
  const el = h(
    'details.records-form.wo-from-alarm',
    null,
    h('summary', null, t('records.wo.fromAlarm')),
    empty,
    form,
  ) as HTMLDetailsElement;
  function refresh() {
    const chosen = select.value;
    const list = activeAlarms();
    select.replaceChildren(
      ...list.map((a) =>
        h(
          'option',
          { value: a.id, selected: a.id === chosen },
          `${t(`p.${a.priority}`)} · ${alarmPlace(a)} · ${alarmText(a)}`,
        ),
      ),
    );
    empty.hidden = list.length > 0;
    form.hidden = list.length === 0;
  }
  refresh();
  return { el, refresh };
}

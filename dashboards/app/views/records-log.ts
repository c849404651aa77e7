// Operation log: for a date, a shift and a room or one equipment, each equipment's log of the
// shift (run hours, starts and stops, min/max/mean of its values, counters' rise, alarms with
// who acknowledged them, data coverage), printed one equipment per page with the hospital,
// shift, printed-at time and the operator's and shift lead's signature lines.
import type {
  Asset,
  HandoverView,
  OperationLog,
  OperationLogAnswer,
  ShiftWindow,
} from '../../../src/api-types/records.js';
import { getJson, url } from '../api.js';
import { h } from '../dom.js';
import { localName, t } from '../i18n.js';
import { state } from '../live.js';
import { names, plantTree } from '../plant.js';
import { clock, dateTime, localDate } from '../time.js';
import { tableHead } from '../widgets.js';
import { alarmRow, equipmentName, errorText, num, type RecordsView } from './records-common.js';

const KEY = 'plantwatch.operationLog';

/** What the page remembers of the last log asked for (this tab only). */
interface Saved {
  date?: string;
  shift?: string;
  scope?: string;
}

/** The ledger's facts a printed log names: the site and the asset number. */
type LedgerFacts = Map<string, Pick<Asset, 'assetNumber'> & { site: string }>;

let ledger: LedgerFacts | null = null;
async function ledgerFacts(): Promise<LedgerFacts> {
  if (ledger) return ledger;
  try {
    const assets = await getJson<Asset[]>('/api/assets');
    ledger = new Map(
      assets.map((a) => [
        a.device,
        {
          site: localName(a.location.siteName, a.location.siteNameZh),
          ...(a.assetNumber === undefined ? {} : { assetNumber: a.assetNumber }),
        },
      ]),
    );
  } catch {
    return new Map();
  }
  return ledger;
}

function savedChoice(): Saved {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Saved;
  } catch {
    return {};
  }
}

export function render(root: HTMLElement): RecordsView {
  const saved = savedChoice();
  const date = h('input#log-date', {
    type: 'date',
    value: saved.date ?? localDate(Date.now()),
    required: true,
  }) as HTMLInputElement;
  const shift = h(
    'select#log-shift',
    null,
    ...['day', 'night'].map((s) =>
      h('option', { value: s, selected: s === (saved.shift ?? 'day') }, t(`admin.shift.${s}`)),
    ),
  ) as HTMLSelectElement;
  const { rooms: roomNames, buildings: buildingNames } = names();
  const scope = h(
    'select#log-scope',
    null,
    ...plantTree().flatMap((site) =>
      site.buildings.flatMap((b) =>
        b.rooms.map((r) =>
          h(
            'optgroup',
            { label: `${buildingNames.get(b.id) ?? b.id} · ${roomNames.get(r.key) ?? r.id}` },
            h(
              'option',
              { value: `room:${r.key}` },
              `${t('records.log.wholeRoom')} ${roomNames.get(r.key) ?? r.id}`,
            ),
            ...r.devices.map((d) => h('option', { value: `device:${d.id}` }, d.name ?? d.id)),
          ),
        ),
      ),
    ),
  ) as HTMLSelectElement;
  if (saved.scope && [...scope.querySelectorAll('option')].some((o) => o.value === saved.scope))
    scope.value = saved.scope;
  const note = h('p.note.log-note');
  const logs = h('div.oplogs');
  const printButton = h(
    'button#log-print',
    { type: 'button', disabled: true, onclick: () => window.print() },
    t('records.print'),
  );

  root.replaceChildren(
    h('h1.page-title.no-print', null, t('records.log.title')),
    h(
      'form.filters.records-filters.no-print',
      {
        onsubmit: (ev: SubmitEvent) => {
          ev.preventDefault();
          load();
        },
      },
      h('label', null, t('records.log.date'), date),
      h('label', null, t('records.ho.shift'), shift),
      h('label', null, t('records.log.scope'), scope),
      h('button#log-show', { type: 'submit' }, t('alarms.apply')),
      printButton,
    ),
    note,
    logs,
  );

  /** Printed-at is the moment of printing, not of loading. */
  const stamp = () => {
    for (const el of logs.querySelectorAll('.printed-at')) el.textContent = dateTime(Date.now());
  };
  window.addEventListener('beforeprint', stamp);

  async function load() {
    sessionStorage.setItem(KEY, JSON.stringify({ date: date.value, shift: shift.value, scope: scope.value }));
    const [kind = 'room', id] = scope.value.split(/:(.*)/s);
    note.textContent = t('loading');
    logs.replaceChildren();
    printButton.toggleAttribute('disabled', true);
    try {
      const [answer, facts] = await Promise.all([
        getJson<OperationLogAnswer>(
          url('/api/operation-log', { date: date.value, shift: shift.value, [kind]: id }),
        ),
        ledgerFacts(),
      ]);
      const list = answer.logs;
      note.textContent = list.length ? '' : t('records.log.none');
      logs.replaceChildren(...list.map((l) => logView(l, answer.shift, facts)));
      printButton.toggleAttribute('disabled', list.length === 0);
    } catch (err) {
      note.textContent = errorText(err);
    }
  }

  // Without a saved choice: the shift going on now, as the roster has it.
  if (!saved.date)
    getJson<HandoverView>('/api/handovers/current')
      .then((current) => {
        date.value = current.shift.dutyDate;
        shift.value = current.shift.period;
      })
      .catch(() => undefined)
      .finally(() => state.catalog.size && load());
  else if (state.catalog.size) load();
  return { dispose: () => window.removeEventListener('beforeprint', stamp) };
}

/** One equipment's log: a page of its own when printed. */
function logView(l: OperationLog, shift: ShiftWindow, facts: LedgerFacts) {
  const info = [...state.catalog.values()].find((p) => p.device === l.device);
  const site = facts.get(l.device)?.site ?? info?.site ?? '';
  const asset = facts.get(l.device)?.assetNumber;
  const place = [
    localName(l.buildingName ?? l.building, l.buildingNameZh),
    localName(l.roomName ?? l.room, l.roomNameZh),
  ].join(' · ');
  const shiftLabel = `${t(`admin.shift.${shift.shift}`)} ${shift.dutyDate}`;
  const r = l.running;
  return h(
    'article.oplog',
    { dataset: { device: l.device } },
    h(
      'header.oplog-head',
      null,
      h('div.oplog-site', null, site, h('span.oplog-doc', null, ` · ${t('records.log.docTitle')}`)),
      h(
        'h2.oplog-title',
        null,
        localName(l.deviceName, l.deviceNameZh),
        h('small', null, ` ${equipmentName(l.equipment)}`),
      ),
      h(
        'dl.oplog-facts',
        null,
        h('dt', null, t('records.log.place')),
        h('dd', null, place || '—'),
        h('dt', null, t('records.assets.number')),
        h('dd', null, asset ?? '—'),
        h('dt', null, t('records.ho.shift')),
        h('dd.oplog-shift', null, `${shiftLabel} (${dateTime(shift.from)} – ${dateTime(shift.to)})`),
        h('dt', null, t('records.log.printedAt')),
        h('dd.printed-at', null, dateTime(Date.now())),
      ),
    ),
    h(
      'section',
      null,
      h('h3', null, t('records.log.running')),
      r
        ? h(
            'table.oplog-running',
            null,
            tableHead([
              'records.log.runHours',
              'records.log.meterRunHours',
              'records.log.starts',
              'records.log.stops',
            ]),
            h(
              'tbody',
              null,
              h(
                'tr',
                null,
                h('td.num', null, r.runHours === null ? '—' : `${num(r.runHours, 2)} h`),
                h('td.num', null, r.meterRunHours === null ? '—' : `${num(r.meterRunHours, 1)} h`),
                h('td.num', null, String(r.starts)),
                h('td.num', null, String(r.stops)),
              ),
            ),
          )
        : h('p.note', null, t('records.log.noRunning')),
    ),
    h(
      'section',
      null,
      h('h3', null, t('records.log.values')),
      l.values?.length
        ? h(
            'table.oplog-values',
            null,
            tableHead([
              'col.point',
              'records.log.unit',
              'records.log.min',
              'records.log.max',
              'records.log.mean',
              'records.log.samples',
            ]),
            h(
              'tbody',
              null,
              ...l.values.map((v) =>
                h(
                  'tr',
                  { dataset: { point: v.point } },
                  h('td', null, localName(v.label, v.labelZh)),
                  h('td', null, v.unit),
                  h('td.num', null, num(v.min, 2)),
                  h('td.num', null, num(v.max, 2)),
                  h('td.num', null, num(v.mean, 2)),
                  h('td.num', null, String(v.samples)),
                ),
              ),
            ),
          )
        : h('p.note', null, t('records.none')),
    ),
    l.counters?.length
      ? h(
          'section',
          null,
          h('h3', null, t('records.log.counters')),
          h(
            'table.oplog-counters',
            null,
            tableHead([
              'col.point',
              'records.log.unit',
              'records.log.first',
              'records.log.last',
              'records.log.rise',
            ]),
            h(
              'tbody',
              null,
              ...l.counters.map((c) =>
                h(
                  'tr',
                  { dataset: { point: c.point } },
                  h('td', null, localName(c.label, c.labelZh)),
                  h('td', null, c.unit),
                  h('td.num', null, num(c.first, 1)),
                  h('td.num', null, num(c.last, 1)),
                  h('td.num', null, num(c.rise, 2)),
                ),
              ),
            ),
          ),
        )
      : null,
    h(
      'section',
      null,
      h('h3', null, t('records.log.alarms')),
      l.alarms?.length
        ? h(
            'table.oplog-alarms',
            null,
            tableHead([
              'col.time',
              'col.priority',
              'col.message',
              'records.log.ackBy',
              'col.comment',
              'records.log.returned',
            ]),
            h(
              'tbody',
              null,
              ...l.alarms.map((a) =>
                alarmRow(
                  a,
                  dateTime,
                  h('td', null, a.comment ?? ''),
                  h('td', null, a.returnedAt ? clock(a.returnedAt) : a.clearedAt ? clock(a.clearedAt) : ''),
                ),
              ),
            ),
          )
        : h('p.note', null, t('records.log.noAlarms')),
    ),
    h('p.oplog-coverage', null, t('records.log.coverage', { pct: coverage(l.dataCoverage) })),
    h(
      'footer.oplog-signatures',
      null,
      h('div.signature', null, h('span.sig-line'), h('span.sig-label', null, t('records.log.operator'))),
      h('div.signature', null, h('span.sig-line'), h('span.sig-label', null, t('records.log.shiftLead'))),
    ),
  );
}

/** dataCoverage: the share (0..1) of the shift the samples cover. */
const coverage = (c: number) => `${num(c * 100, 1)} %`;

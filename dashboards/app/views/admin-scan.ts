// The admin page's "Scan a line" section: a form (a configured line or an address, the unit ids,
// the pace), the scan's progress polled every second with the units found listed as they answer,
// a button to stop it, and the draft's files to download when it is done (/api/config/scans,
// src/web/scan.ts). The latest scan shows again after a reload, still followed if it runs.

import type { NewScan, ScanJobJson, ScanLineJson, ScansAnswer } from '../../../src/api-types/scan.js';
import { SCAN_LIMITS } from '../../../src/api-types/scan.js';
import { getJson, request, sendJson, url } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { dateTime } from '../time.js';
import { tableHead } from '../widgets.js';

/** How often a running scan is asked how far it is. */
const POLL_MS = 1000;
const TRANSPORTS = ['tcp', 'rtu-over-tcp', 'rtu'] as const;

const failure = (err: unknown) => t('err.action', { msg: err instanceof Error ? err.message : String(err) });
const scanPath = (id: string) => `/api/config/scans/${encodeURIComponent(id)}`;

/** The section; it stops following a scan by itself once it is off the page. */
export function scanSection(): HTMLElement {
  const message = h('p#scan-message.action-error', { role: 'status' });
  const lines = h('select#scan-line', null, h('option', { value: '' }, t('scan.byAddress')));
  const where = h('input#scan-where', {
    placeholder: t('scan.addressHint'),
    maxLength: 200,
    autocomplete: 'off',
  });
  const transport = h(
    'select#scan-transport',
    null,
    h('option', { value: '' }, t('scan.auto')),
    ...TRANSPORTS.map((tr) => h('option', { value: tr }, tr)),
  );
  const units = h('input#scan-units', {
    value: '1-247',
    required: true,
    pattern: '\\d{1,3}(-\\d{1,3})?',
    size: 8,
  });
  const number = (id: string, limits: { min: number; max: number; default: number }) =>
    h(`input#${id}`, {
      type: 'number',
      min: limits.min,
      max: limits.max,
      value: limits.default,
      required: true,
    });
  const delay = number('scan-delay', SCAN_LIMITS.delayMs);
  const timeout = number('scan-timeout', SCAN_LIMITS.timeoutMs);
  const start = h('button#scan-start.primary', { type: 'submit' }, t('scan.start'));
  const addressLabel = h('label', null, t('scan.address'), where);
  const transportLabel = h('label', null, t('scan.transport'), transport);
  const job = h('div#scan-job');
  const section = h(
    'section#scan',
    null,
    h('h2', null, t('scan.title')),
    h('p.note', null, t('scan.note')),
    h(
      'form#scan-form.admin-form',
      { onsubmit: (ev: SubmitEvent) => void submit(ev) },
      h('label', null, t('scan.target'), lines),
      addressLabel,
      transportLabel,
      h('label', null, t('scan.units'), units),
      h('label', null, t('scan.delay'), delay),
      h('label', null, t('scan.timeout'), timeout),
      start,
    ),
    message,
    job,
  );

  // An address and its transport only when no configured line is picked.
  const byAddress = () => {
    addressLabel.hidden = transportLabel.hidden = lines.value !== '';
    where.required = lines.value === '';
  };
  lines.addEventListener('change', byAddress);

  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Asks again in POLL_MS, unless the page moved on (the section is no longer in it). */
  const later = (id: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (section.isConnected) void follow(id);
    }, POLL_MS);
  };
  /** Follows scan `id`: shows it now, and again every POLL_MS while it runs. */
  async function follow(id: string) {
    try {
      const scan = await getJson<ScanJobJson>(scanPath(id));
      show(scan);
      if (scan.state === 'running') later(id);
    } catch (err) {
      message.textContent = failure(err);
    }
  }

  function show(scan: ScanJobJson) {
    job.replaceChildren(...scanView(scan, () => void cancel(scan.id)));
    start.disabled = scan.state === 'running';
  }

  async function cancel(id: string) {
    try {
      show(await request<ScanJobJson>(scanPath(id), { method: 'DELETE' }));
    } catch (err) {
      message.textContent = failure(err);
    }
  }

  async function submit(ev: SubmitEvent) {
    ev.preventDefault();
    message.textContent = '';
    const body: NewScan = {
      where: lines.value || where.value.trim(),
      units: units.value.trim(),
      delayMs: Number(delay.value),
      timeoutMs: Number(timeout.value),
      ...(lines.value === '' && transport.value
        ? { transport: transport.value as NewScan['transport'] }
        : {}),
    };
    try {
      const scan = await sendJson<ScanJobJson>('/api/config/scans', body);
      show(scan);
      later(scan.id);
    } catch (err) {
      message.textContent = failure(err);
    }
  }

  getJson<ScansAnswer>('/api/config/scans')
    .then((answer) => {
      lines.append(...answer.lines.map(lineOption));
      byAddress();
      const latest = answer.scans[0];
      if (latest) void follow(latest.id);
    })
    .catch((err: unknown) => {
      message.textContent = failure(err);
    });
  byAddress();
  return section;
}

function lineOption(line: ScanLineJson): HTMLOptionElement {
  const label = `${line.id} · ${line.transport} · ${line.endpoint}`;
  return h(
    'option',
    { value: line.id, disabled: line.refused !== null, title: line.refused ?? '' },
    line.refused ? `${label} (${t('scan.polled')})` : label,
  );
}

/** How a unit answered the probe, in the page's language. */
function answeredText(answered: string): string {
  if (answered === 'register read') return t('scan.answer.read');
  const exception = /^exception (\d+)/.exec(answered);
  return exception ? t('scan.answer.exception', { code: exception[1] ?? '' }) : answered;
}

/** A scan: what it scans, its state and progress, the units found, and its draft's files. */
function scanView(scan: ScanJobJson, cancel: () => void): HTMLElement[] {
  const running = scan.state === 'running';
  const rows = scan.found.map((unit) => {
    const said =
      unit.missing === null
        ? [unit.vendor, unit.product, unit.revision].map((v) => h('td', null, v ?? '—'))
        : [h('td.missing', { colSpan: 3, title: unit.missing }, t('scan.noId'))];
    return h(
      'tr',
      { dataset: { unit: String(unit.unit) } },
      h('td.unit', null, String(unit.unit)),
      ...said,
      h('td', null, answeredText(unit.answered)),
    );
  });
  const table = h(
    'div.scroll',
    null,
    h(
      'table#scan-found',
      null,
      tableHead([
        'scan.col.unit',
        'scan.col.vendor',
        'scan.col.product',
        'scan.col.revision',
        'scan.col.answered',
      ]),
      h('tbody', null, ...rows),
    ),
  );
  const downloads = scan.files.map((file) =>
    h(
      'li',
      null,
      h(
        'a.scan-draft',
        { href: url(`${scanPath(scan.id)}/draft`, { file }), download: file.split('/').at(-1) ?? file },
        t('scan.download', { file }),
      ),
    ),
  );
  const parts: (HTMLElement | null)[] = [
    h('h3', null, t('scan.of', { endpoint: scan.endpoint })),
    h(
      'p.note',
      null,
      h('strong#scan-state', { dataset: { state: scan.state } }, t(`scan.state.${scan.state}`)),
      ` · ${t('scan.by', { user: scan.startedBy, time: dateTime(Date.parse(scan.startedAt)) })}`,
    ),
    h(
      'p',
      null,
      h('progress#scan-progress', { max: scan.total, value: scan.probed }),
      ' ',
      h(
        'span#scan-count',
        null,
        t('scan.progress', { probed: scan.probed, total: scan.total, found: scan.found.length }),
      ),
      running ? ' ' : null,
      running ? h('button#scan-cancel', { type: 'button', onclick: cancel }, t('scan.cancel')) : null,
    ),
    scan.warning ? h('p#scan-warning.action-error', { title: scan.warning }, t('scan.anyUnit')) : null,
    scan.error ? h('p#scan-error.action-error', null, t('scan.failed', { msg: scan.error })) : null,
    scan.found.length ? table : running ? h('p.none', null, t('scan.none')) : null,
    downloads.length ? h('ul#scan-drafts', null, ...downloads) : null,
    downloads.length ? h('p.note', null, t('scan.draftNote')) : null,
    !running && scan.state !== 'failed' && !downloads.length
      ? h('p.none', null, t('scan.nothingFound'))
      : null,
  ];
  return parts.filter((el): el is HTMLElement => el !== null);
}

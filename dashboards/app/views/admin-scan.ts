// The admin page's "Scan a line" section: a form (Modbus: a configured line or an address, the unit
// ids, the pace; BACnet/IP: a port the gateway has open, the devices' addresses, an instance
// range), the scan's progress polled every second with the units (devices) found listed as they
// answer, a button to stop it, and the draft's files to download when it is done
// (/api/config/scans, src/web/scan.ts). The latest scan shows again after a reload, still followed if it runs.

import type {
  NewBacnetScan,
  NewScan,
  ScanJobJson,
  ScanLineJson,
  ScansAnswer,
} from '../../../src/api-types/scan.js';
import { BACNET_SCAN_LIMITS, SCAN_LIMITS } from '../../../src/api-types/scan.js';
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
  const protocol = h(
    'select#scan-protocol',
    null,
    h('option', { value: 'modbus' }, 'Modbus'),
    h('option', { value: 'bacnet' }, 'BACnet/IP'),
  );
  const lines = h('select#scan-line', null, h('option', { value: '' }, t('scan.byAddress')));
  const ports = h('select#scan-port');
  const addresses = h('input#scan-addresses', {
    placeholder: t('scan.bacnetAddressHint'),
    maxLength: 2000,
    autocomplete: 'off',
  });
  const instances = h('input#scan-instances', {
    placeholder: '0-4194302',
    pattern: '\\d{1,7}(-\\d{1,7})?',
    size: 16,
  });
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
  const wait = number('scan-wait', BACNET_SCAN_LIMITS.waitMs);
  const start = h('button#scan-start.primary', { type: 'submit' }, t('scan.start'));
  const addressLabel = h('label', null, t('scan.address'), where);
  const transportLabel = h('label', null, t('scan.transport'), transport);
  const modbusLabels = [
    h('label', null, t('scan.target'), lines),
    addressLabel,
    transportLabel,
    h('label', null, t('scan.units'), units),
    h('label', null, t('scan.timeout'), timeout),
  ];
  const bacnetLabels = [
    h('label', null, t('scan.port'), ports),
    h('label', null, t('scan.bacnetAddresses'), addresses),
    h('label', null, t('scan.instances'), instances),
    h('label', null, t('scan.wait'), wait),
  ];
  const job = h('div#scan-job');
  const section = h(
    'section#scan',
    null,
    h('h2', null, t('scan.title')),
    h('p.note', null, t('scan.note')),
    h(
      'form#scan-form.admin-form',
      { onsubmit: (ev: SubmitEvent) => void submit(ev) },
      h('label', null, t('scan.protocol'), protocol),
      ...modbusLabels,
      ...bacnetLabels,
      h('label', null, t('scan.delay'), delay),
      start,
    ),
    message,
    job,
  );

  // Modbus: an address and its transport only when no configured line is picked. BACnet: a port.
  const byAddress = () => {
    const bacnet = protocol.value === 'bacnet';
    for (const label of modbusLabels) label.hidden = bacnet;
    for (const label of bacnetLabels) label.hidden = !bacnet;
    if (!bacnet) addressLabel.hidden = transportLabel.hidden = lines.value !== '';
    where.required = !bacnet && lines.value === '';
    units.required = !bacnet;
    ports.required = bacnet;
  };
  lines.addEventListener('change', byAddress);
  protocol.addEventListener('change', () => {
    // Each protocol's own default pace.
    delay.value = String((protocol.value === 'bacnet' ? BACNET_SCAN_LIMITS : SCAN_LIMITS).delayMs.default);
    byAddress();
  });

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
    const range = instances.value.trim();
    const body: NewScan | NewBacnetScan =
      protocol.value === 'bacnet'
        ? {
            protocol: 'bacnet',
            where: ports.value,
            addresses: addresses.value.trim() ? [addresses.value.trim()] : [],
            ...(range ? { instances: range } : {}),
            waitMs: Number(wait.value),
            delayMs: Number(delay.value),
          }
        : {
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
      lines.append(...answer.lines.filter((line) => line.protocol === 'modbus').map(lineOption));
      const bacnetPorts = answer.lines.filter((line) => line.protocol === 'bacnet');
      ports.append(...bacnetPorts.map(lineOption));
      // BACnet/IP only where the gateway has a port of it.
      const bacnetOption = protocol.options[1];
      if (bacnetOption) bacnetOption.disabled = bacnetPorts.length === 0;
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
  const label = `${line.id} · ${line.transport === 'bacnet-ip' ? 'BACnet/IP' : line.transport} · ${line.endpoint}`;
  const why = line.protocol === 'bacnet' ? t('scan.notOpen') : t('scan.polled');
  return h(
    'option',
    { value: line.id, disabled: line.refused !== null, title: line.refused ?? '' },
    line.refused ? `${label} (${why})` : label,
  );
}

/** How a unit answered the probe, in the page's language. */
function answeredText(answered: string): string {
  if (answered === 'register read') return t('scan.answer.read');
  const exception = /^exception (\d+)/.exec(answered);
  return exception ? t('scan.answer.exception', { code: exception[1] ?? '' }) : answered;
}

/** A BACnet scan's devices read: instance, address, name, vendor and model, objects. */
function bacnetTable(scan: ScanJobJson): HTMLElement {
  const rows = scan.found.map((device) =>
    h(
      'tr',
      { dataset: { unit: String(device.unit) } },
      h('td.unit', null, String(device.unit)),
      h('td.address', null, device.address ?? '—'),
      h('td.name', null, device.name ?? '—'),
      h('td', null, device.vendor ?? '—'),
      h('td', null, device.product ?? '—'),
      h(
        'td.objects',
        { title: t('scan.objectsTitle', { objects: device.objects ?? 0, all: device.objectCount ?? 0 }) },
        String(device.objects ?? 0),
      ),
    ),
  );
  return h(
    'div.scroll',
    null,
    h(
      'table#scan-found',
      null,
      tableHead([
        'scan.col.instance',
        'scan.col.address',
        'scan.col.name',
        'scan.col.vendor',
        'scan.col.model',
        'scan.col.objects',
      ]),
      h('tbody', null, ...rows),
    ),
  );
}

/** A scan: what it scans, its state and progress, the units found, and its draft's files. */
function scanView(scan: ScanJobJson, cancel: () => void): HTMLElement[] {
  const running = scan.state === 'running';
  const bacnet = scan.protocol === 'bacnet';
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
        t(bacnet ? 'scan.bacnetProgress' : 'scan.progress', {
          probed: scan.probed,
          total: scan.total,
          found: scan.found.length,
        }),
      ),
      running ? ' ' : null,
      running ? h('button#scan-cancel', { type: 'button', onclick: cancel }, t('scan.cancel')) : null,
    ),
    scan.warning
      ? h(
          'p#scan-warning.action-error',
          { title: scan.warning },
          bacnet ? t('scan.notRead', { msg: scan.warning.replace(/^not read: /, '') }) : t('scan.anyUnit'),
        )
      : null,
    scan.error ? h('p#scan-error.action-error', null, t('scan.failed', { msg: scan.error })) : null,
    scan.found.length
      ? bacnet
        ? bacnetTable(scan)
        : table
      : running
        ? h('p.none', null, t(bacnet ? 'scan.noneDevice' : 'scan.none'))
        : null,
    downloads.length ? h('ul#scan-drafts', null, ...downloads) : null,
    downloads.length ? h('p.note', null, t('scan.draftNote')) : null,
    !running && scan.state !== 'failed' && !downloads.length
      ? h('p.none', null, t(bacnet ? 'scan.nothingFoundDevice' : 'scan.nothingFound'))
      : null,
  ];
  return parts.filter((el): el is HTMLElement => el !== null);
}

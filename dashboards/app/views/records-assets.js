// Asset ledger: each equipment's asset number, name, maker and model, location, install date
// and serial, with its CSV; and a printable sheet of QR labels that open the equipment page.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { tableHead } from '../widgets.js';
import { csvLink, request } from './records-common.js';

/** @param {HTMLElement} root */
export function render(root) {
  const body = h('tbody');
  const note = h('p.note');
  const sheet = h('div.label-sheet');
  const labels = h(
    'section.labels',
    { hidden: true },
    h(
      'div.no-print.labels-tools',
      null,
      h('h2', null, t('records.assets.labels')),
      h('button#labels-print', { type: 'button', onclick: () => window.print() }, t('records.print')),
      h(
        'button#labels-close',
        { type: 'button', onclick: () => showLabels(false) },
        t('records.assets.closeLabels'),
      ),
    ),
    sheet,
  );
  const ledger = h(
    'section.ledger',
    null,
    h(
      'h1.page-title',
      null,
      t('records.assets.title'),
      csvLink('/api/assets'),
      h(
        'button#labels-open',
        { type: 'button', onclick: () => showLabels(true) },
        t('records.assets.printLabels'),
      ),
    ),
    note,
    h(
      'div.scroll',
      null,
      h(
        'table.assets',
        null,
        tableHead([
          'records.assets.number',
          'records.assets.name',
          'records.assets.equipment',
          'records.assets.makerModel',
          'records.assets.location',
          'records.assets.installed',
          'records.assets.serial',
        ]),
        body,
      ),
    ),
  );
  root.replaceChildren(ledger, labels);

  /** The label sheet replaces the ledger on screen and on paper; printing starts at once. @param {boolean} on */
  function showLabels(on) {
    labels.hidden = !on;
    ledger.hidden = on;
    root.dataset.printing = on ? 'labels' : '';
    if (on) {
      // Print once the QR images are in, so none prints blank.
      const images = [...sheet.querySelectorAll('img')];
      Promise.all(
        images.map((img) =>
          img.complete
            ? null
            : new Promise((resolve) => img.addEventListener('load', resolve, { once: true })),
        ),
      ).then(() => {
        if (!labels.hidden) window.print();
      });
    }
  }

  (async () => {
    try {
      /** @type {any[]} */
      const assets = await request('/api/assets');
      note.textContent = assets.length ? '' : t('records.assets.none');
      body.replaceChildren(...assets.map(assetRow));
      sheet.replaceChildren(...assets.map(label));
    } catch (err) {
      note.textContent = /** @type {Error} */ (err).message;
    }
  })();
  return {};
}

/** @param {any} a */
const where = (a) =>
  [
    a.location?.buildingName ?? a.location?.building,
    a.location?.roomName ?? a.location?.room,
    a.location?.detail,
  ]
    .filter(Boolean)
    .join(' · ');

/** @param {any} a */
function assetRow(a) {
  return h(
    'tr',
    { dataset: { device: a.device } },
    h('td.asset-number', null, a.assetNumber ?? '—'),
    h('td', null, h('a', { href: `#/device/${encodeURIComponent(a.device)}` }, a.name ?? a.device)),
    h('td', null, a.equipment ?? ''),
    h('td', null, [a.maker, a.model].filter(Boolean).join(' ') || '—'),
    h('td', null, `${a.location?.siteName ?? a.location?.site ?? ''} · ${where(a)}`),
    h('td', null, a.installed ?? '—'),
    h('td', null, a.serial ?? '—'),
  );
}

/**
 * One label: the gateway's 62 × 29 mm label image (QR code to the equipment page, asset
 * number, name, location) at its printed size, linked to the equipment page; the caption
 * repeats the text for the screen and for finding a label, and is not printed.
 * @param {any} a
 */
function label(a) {
  const href = a.url ?? `#/device/${encodeURIComponent(a.device)}`;
  return h(
    'figure.asset-label',
    { dataset: { device: a.device } },
    h(
      'a.qr',
      { href },
      h('img', {
        src: `/api/assets/${encodeURIComponent(a.device)}/label.svg`,
        alt: t('records.assets.qrAlt', { name: a.name ?? a.device }),
      }),
    ),
    h(
      'figcaption',
      null,
      h('strong.label-number', null, a.assetNumber ?? a.device),
      ' · ',
      h('span.label-name', null, a.name ?? a.device),
      ' · ',
      h('span.label-where', null, `${a.location?.siteName ?? ''} · ${where(a)}`),
    ),
  );
}

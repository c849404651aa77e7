// Asset ledger: each equipment's asset number, name, maker and model, location, install date
// and serial, with its CSV; and a printable sheet of QR labels that open the equipment page.
import type { Asset } from '../../../src/api-types/records.js';
import { getJson, url } from '../api.js';
import { h } from '../dom.js';
import { getLang, localName, t } from '../i18n.js';
import { tableHead } from '../widgets.js';
import { csvLink, equipmentName, errorText, type RecordsView } from './records-common.js';

export function render(root: HTMLElement): RecordsView {
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

  /** The label sheet replaces the ledger on screen and on paper; printing starts at once. */
  function showLabels(on: boolean) {
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
            : new Promise((resolve) => {
                img.addEventListener('load', resolve, { once: true });
                // A label the gateway could not draw must not hold back the others.
                img.addEventListener('error', resolve, { once: true });
              }),
        ),
      ).then(() => {
        if (!labels.hidden) window.print();
      });
    }
  }

  (async () => {
    try {
      const assets = await getJson<Asset[]>('/api/assets');
      note.textContent = assets.length ? '' : t('records.assets.none');
      body.replaceChildren(...assets.map(assetRow));
      sheet.replaceChildren(...assets.map(label));
    } catch (err) {
      note.textContent = errorText(err);
    }
  })();
  return {};
}

/** The equipment's name in the page's language. */
const nameOf = (a: Asset) => localName(a.name, a.nameZh);

/** Building · room · detail, in the page's language. */
const where = ({ location: l }: Asset) =>
  [localName(l.buildingName, l.buildingNameZh), localName(l.roomName, l.roomNameZh), l.detail]
    .filter(Boolean)
    .join(' · ');

const siteOf = ({ location: l }: Asset) => localName(l.siteName, l.siteNameZh);

function assetRow(a: Asset) {
  return h(
    'tr',
    { dataset: { device: a.device } },
    h('td.asset-number', null, a.assetNumber ?? '—'),
    h('td', null, h('a', { href: `#/device/${encodeURIComponent(a.device)}` }, nameOf(a))),
    h('td', null, equipmentName(a.equipment)),
    h('td', null, [a.maker, a.model].filter(Boolean).join(' ') || '—'),
    h('td', null, `${siteOf(a)} · ${where(a)}`),
    h('td', null, a.installed ?? '—'),
    h('td', null, a.serial ?? '—'),
  );
}

/**
 * One label: the gateway's 62 × 29 mm label image (QR code to the equipment page, asset
 * number, name, location) at its printed size, linked to the equipment page; the caption
 * repeats the text for the screen and for finding a label, and is not printed.
 */
function label(a: Asset) {
  const href = a.url;
  return h(
    'figure.asset-label',
    { dataset: { device: a.device } },
    h(
      'a.qr',
      { href },
      h('img', {
        src: url(`/api/assets/${encodeURIComponent(a.device)}/label.svg`, { lang: getLang() }),
        alt: t('records.assets.qrAlt', { name: nameOf(a) }),
      }),
    ),
    h(
      'figcaption',
      null,
      h('strong.label-number', null, a.assetNumber ?? a.device),
      ' · ',
      h('span.label-name', null, nameOf(a)),
      ' · ',
      h('span.label-where', null, `${siteOf(a)} · ${where(a)}`),
    ),
  );
}

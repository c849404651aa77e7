// Operations records: work orders, shift handover, maintenance, operation logs, asset ledger.
// One page with sub-tabs in the hash (#/records/<tab>); each tab lives in its own module.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { dateTime } from '../time.js';
import * as assets from './records-assets.js';
import { type RecordsView, teams } from './records-common.js';
import * as handover from './records-handover.js';
import * as log from './records-log.js';
import * as maintenance from './records-maintenance.js';
import * as workOrders from './records-work-orders.js';

const TABS: Record<string, { render: (root: HTMLElement, params: string[]) => RecordsView }> = {
  'work-orders': workOrders,
  handover,
  maintenance,
  log,
  assets,
};

export function render(root: HTMLElement, params: string[] = []): RecordsView {
  const [tab = 'work-orders', ...rest] = params;
  const name = tab in TABS ? tab : 'work-orders';
  const body = h('div.records-body', { dataset: { tab: name } });
  // On paper every record says what it is and when it was printed (the log has its own header).
  const printed = h('span.printed-at');
  const stamp = () => {
    printed.textContent = dateTime(Date.now());
  };
  window.addEventListener('beforeprint', stamp);
  root.replaceChildren(
    h(
      'div.records',
      { dataset: { tab: name } },
      h(
        'nav.records-tabs',
        { 'aria-label': t('nav.records') },
        ...Object.keys(TABS).map((k) =>
          h(
            `a${k === name ? '.on' : ''}`,
            { href: `#/records/${k}`, dataset: { tab: k }, 'aria-current': k === name ? 'page' : undefined },
            t(`records.tab.${k}`),
          ),
        ),
        name === 'log'
          ? null
          : h('button.records-print', { type: 'button', onclick: () => window.print() }, t('records.print')),
      ),
      name === 'log'
        ? null
        : h(
            'p.records-print-head',
            null,
            `${t(`records.tab.${name}`)} · ${t('records.log.printedAt')} `,
            printed,
          ),
      body,
    ),
  );
  // The tab is built once the plant's zone is known (asked with the teams, once), so that no
  // record is printed on the PC's clock.
  let view: RecordsView = {};
  let disposed = false;
  teams().then(() => {
    if (disposed) return;
    stamp();
    view = TABS[name]?.render(body, rest) ?? {};
  });
  return {
    update: () => view.update?.(),
    dispose() {
      disposed = true;
      window.removeEventListener('beforeprint', stamp);
      view.dispose?.();
    },
  };
}

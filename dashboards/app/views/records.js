// Operations records: work orders, shift handover, maintenance, operation logs, asset ledger.
import { h } from '../dom.js';
import { t } from '../i18n.js';

/** @param {HTMLElement} root */
export function render(root) {
  root.replaceChildren(h('h1', null, t('nav.records')));
  return {};
}

// Energy: consumption, peak demand, intensity, night-flow leaks and retrofit savings.
import { h } from '../dom.js';
import { t } from '../i18n.js';

/** @param {HTMLElement} root */
export function render(root) {
  root.replaceChildren(h('h1', null, t('nav.energy')));
  return {};
}

// Energy: consumption, peak demand, intensity, night-flow leaks and retrofit savings, one
// sub-page each (#/energy/<tab>), for the energy managers' monthly review and reports.
import type { ReportSent } from '../../../src/api-types/energy.js';
import { request, url } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { addMonths, localDate } from '../time.js';
import * as consumption from './energy-consumption.js';
import * as demand from './energy-demand.js';
import * as intensity from './energy-intensity.js';
import * as leaks from './energy-leaks.js';
import * as savings from './energy-savings.js';

/** What a tab's render answers: how to stop its charts. */
export interface TabView {
  dispose?: () => void;
}

const TABS: Record<string, { render: (root: HTMLElement) => TabView }> = {
  consumption,
  demand,
  leaks,
  savings,
  intensity,
};
const DEFAULT_TAB = 'consumption';

/** `params[0]`: the tab. */
export function render(root: HTMLElement, params: readonly string[]): Required<TabView> {
  const tab = params[0] && params[0] in TABS ? params[0] : DEFAULT_TAB;
  const lastMonth = addMonths(localDate(Date.now()).slice(0, 7), -1);
  const month = h('input#e-report-month', {
    type: 'month',
    value: lastMonth,
    max: localDate(Date.now()).slice(0, 7),
  });
  const reportUrl = () => url('/api/energy/report', { month: month.value || lastMonth });
  const report = h(
    'a',
    { id: 'e-report', class: 'e-report', href: reportUrl(), target: '_blank', rel: 'noopener' },
    t('energy.report'),
  );
  month.addEventListener('change', () => {
    report.href = reportUrl();
  });
  // Energy managers may mail the report now (it also goes out by itself each month).
  const sent = h('span.e-report-sent', { role: 'status' });
  const send = can('reports')
    ? h(
        'button#e-report-send',
        {
          type: 'button',
          onclick: async () => {
            sent.textContent = '…';
            try {
              const chosen = month.value || lastMonth;
              const answer = await request<ReportSent>(url('/api/energy/report/send', { month: chosen }), {
                method: 'POST',
              });
              sent.textContent = t('energy.reportSent', { month: answer.sent });
            } catch (err) {
              sent.textContent = t('energy.reportNotSent', {
                msg: err instanceof Error ? err.message : String(err),
              });
            }
          },
        },
        t('energy.reportSend'),
      )
    : null;
  const body = h('div.e-body', { dataset: { tab } });
  root.replaceChildren(
    h(
      'div.e-page',
      { dataset: { tab } },
      h(
        'div.e-header',
        null,
        h('h1.page-title', null, t('nav.energy'), ' ', h('small', null, t(`energy.tab.${tab}`))),
        h('span.e-report-tools', null, h('label', null, t('energy.reportMonth'), month), report, send, sent),
      ),
      h(
        'nav.e-tabs',
        { 'aria-label': t('nav.energy') },
        ...Object.keys(TABS).map((k) =>
          h(
            `a${k === tab ? '.on' : ''}`,
            { href: `#/energy/${k}`, dataset: { tab: k }, 'aria-current': k === tab ? 'page' : null },
            t(`energy.tab.${k}`),
          ),
        ),
      ),
      body,
    ),
  );
  const view = TABS[tab]?.render(body) ?? {};
  return { dispose: () => view.dispose?.() };
}

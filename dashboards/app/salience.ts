// How alarms stand out (ISA-101): normal is grey; an alarm shows its priority by colour AND by a
// shape and a word, so a colour-blind operator (or a grey-scale printout) reads it as well.
// Unacknowledged alarms are filled and blink once in; acknowledged ones keep only an outline.
import { h } from './dom.js';
import { t } from './i18n.js';
import type { Alarm, Priority } from './live.js';
import { type Counts, countByPriority, isUnacknowledged, PRIORITIES } from './plant.js';

/** One shape per priority: critical ◆, high ▲, medium ■, low ●. */
export const SHAPES: Record<Priority, string> = { critical: '◆', high: '▲', medium: '■', low: '●' };

/** "◆ critical": the priority's shape and word, coloured by the priority. */
export function priorityBadge(priority: Priority, unacknowledged = true): HTMLElement {
  return h(
    `span.prio.p-${priority}${unacknowledged ? '.unack' : '.ack'}`,
    { dataset: { priority } },
    h('span.shape', { 'aria-hidden': 'true' }, SHAPES[priority]),
    h('span.prio-word', null, t(`p.${priority}`)),
  );
}

/** Counts by priority as pills ("◆ 2"); zero counts grey. */
export function alarmPills(counts: Counts, which: 'unack' | 'ack' | 'all' = 'all'): HTMLElement {
  return h(
    `span.pills.${which}`,
    null,
    ...PRIORITIES.map((p) => {
      const n = counts[p];
      const title =
        which === 'all'
          ? t(`p.${p}`)
          : t('sum.title', {
              n,
              priority: t(`p.${p}`),
              which: t(which === 'unack' ? 'sum.unackLong' : 'sum.ackLong'),
            });
      return h(
        `span.pill.p-${p}${n ? '' : '.zero'}`,
        { title, 'aria-label': title, dataset: { priority: p, which } },
        h('span.shape', { 'aria-hidden': 'true' }, SHAPES[p]),
        String(n),
      );
    }),
  );
}

/** The header's summary: active alarms by priority, unacknowledged and acknowledged apart, labelled. */
export function alarmSummary(active: readonly Alarm[]): HTMLElement {
  const unack = active.filter(isUnacknowledged);
  const ack = active.filter((a) => !isUnacknowledged(a));
  return h(
    'a.summary',
    { href: '#/alarms' },
    h(
      'span.sum-group.unack',
      null,
      h('span.sum-label', null, t('sum.unack')),
      alarmPills(countByPriority(unack), 'unack'),
    ),
    h(
      'span.sum-group.ack',
      null,
      h('span.sum-label', null, t('sum.ack')),
      alarmPills(countByPriority(ack), 'ack'),
    ),
  );
}

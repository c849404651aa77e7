/** The group view's metrics: each campus's link and age, the view's own broker connection. */
import type { GroupViewStats } from '../group/index.js';
import type { MetricFactory } from './collectors.js';

export function groupMetrics(metrics: MetricFactory, group: (() => GroupViewStats) | undefined): void {
  if (!group) return;
  metrics.gauge(
    'plantwatch_group_broker_connected',
    'The group view is connected to the central broker',
    [],
    (report) => report(group().connected ? 1 : 0),
  );
  metrics.gauge(
    'plantwatch_group_campus_up',
    "A campus's link is up and it was heard within group.silentAfter (0: unknown)",
    ['site'],
    (report) => {
      for (const campus of group().campuses) report(campus.up ? 1 : 0, { site: campus.site });
    },
  );
  metrics.gauge(
    'plantwatch_group_campus_age_seconds',
    'Seconds since the campus was last heard (absent: never heard)',
    ['site'],
    (report) => {
      for (const campus of group().campuses)
        if (campus.ageMs !== null) report(campus.ageMs / 1000, { site: campus.site });
    },
  );
  metrics.counter('plantwatch_group_messages_total', 'Messages the group view received', [], (report) =>
    report(group().messages),
  );
  metrics.counter(
    'plantwatch_group_malformed_messages_total',
    'Messages the group view ignored as malformed',
    [],
    (report) => report(group().malformed),
  );
}

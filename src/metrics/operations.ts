/** Metrics of what the department acts on: alarms, notifications, leaks, work orders, maintenance. */
import type { DeliveryStats } from '../notify/index.js';
import type { MetricFactory, Report } from './collectors.js';
import type { MetricSources } from './index.js';

/** Report each entry of `counts` under the label `label`. */
const byLabel = (report: Report, label: string, counts: Record<string, number>) => {
  for (const [value, n] of Object.entries(counts)) report(n, { [label]: value });
};

export function alarmMetrics(metrics: MetricFactory, sources: MetricSources): void {
  const alarms = sources.alarms;
  if (!alarms) return;
  metrics.gauge('plantwatch_alarms', 'Alarms by lifecycle state', ['state'], (report) =>
    byLabel(report, 'state', alarms().byState),
  );
  metrics.gauge(
    'plantwatch_alarms_active',
    'Alarms active or returned but unacknowledged, by priority',
    ['priority'],
    (report) => byLabel(report, 'priority', alarms().activeByPriority),
  );
  metrics.gauge('plantwatch_alarms_chattering', 'Alarms detected as chattering now', [], (report) =>
    report(alarms().chattering),
  );
  metrics.counter('plantwatch_alarm_events_total', 'Alarm transitions journaled since start', [], (report) =>
    report(alarms().events),
  );
  metrics.counter('plantwatch_alarm_evaluation_errors_total', 'Alarm evaluations that failed', [], (report) =>
    report(alarms().evaluationErrors),
  );
  metrics.counter(
    'plantwatch_alarm_journal_errors_total',
    'Alarm journal writes that failed (the alarms were announced all the same)',
    [],
    (report) => report(alarms().journalErrors),
  );
}

export function notificationMetrics(metrics: MetricFactory, sources: MetricSources): void {
  const read = sources.notifications;
  if (!read) return;
  const perChannel = (
    kind: 'gauge' | 'counter',
    name: string,
    help: string,
    pick: (d: DeliveryStats) => number,
  ) =>
    metrics[kind](name, help, ['channel'], (report) => {
      for (const d of read().deliveries) report(pick(d), { channel: d.channel });
    });
  perChannel(
    'counter',
    'plantwatch_notifications_sent_total',
    'Notifications delivered per channel',
    (d) => d.sent,
  );
  perChannel(
    'counter',
    'plantwatch_notification_failures_total',
    'Failed delivery attempts per channel',
    (d) => d.failedAttempts,
  );
  perChannel(
    'counter',
    'plantwatch_notifications_dropped_total',
    'Notifications given up per channel',
    (d) => d.dropped,
  );
  perChannel(
    'gauge',
    'plantwatch_notifications_queued',
    'Notifications waiting per channel',
    (d) => d.queued,
  );
  metrics.counter(
    'plantwatch_escalations_total',
    'Escalations sent because nobody acknowledged',
    [],
    (report) => report(read().notifier.escalationsFired),
  );
  metrics.gauge('plantwatch_alarm_flood', 'An alarm flood is being summarised (1) or not (0)', [], (report) =>
    report(Number(read().notifier.flooding)),
  );
}

/** Leaks suspected, leak checks, open work orders per team, maintenance tasks per state. */
export function recordMetrics(metrics: MetricFactory, sources: MetricSources): void {
  const { energy, records } = sources;
  if (energy) {
    metrics.gauge(
      'plantwatch_leak_suspected_meters',
      'Water meters whose night flow suggests a leak',
      [],
      (report) => report(energy().leakSuspected),
    );
    metrics.counter('plantwatch_leak_checks_total', 'Night-flow leak checks run', [], (report) =>
      report(energy().leakChecks),
    );
    metrics.counter(
      'plantwatch_leak_check_errors_total',
      'Night-flow leak checks that failed',
      [],
      (report) => report(energy().leakCheckErrors),
    );
  }
  if (records) {
    metrics.gauge(
      'plantwatch_work_orders_open',
      'Work orders not completed or cancelled, per team',
      ['team'],
      (report) => byLabel(report, 'team', records().openWorkOrders),
    );
    metrics.gauge(
      'plantwatch_maintenance_tasks',
      'Planned maintenance tasks per state',
      ['state'],
      (report) => byLabel(report, 'state', records().maintenance),
    );
  }
}

/**
 * Prometheus metrics a user can scrape at GET /metrics. Collected on scrape from the
 * services' own counters, so the hot path pays nothing for them.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { DeviceSnapshot, LineSnapshot } from '../acquisition/modbus/index.js';
import type { MqttStats } from '../acquisition/mqtt/index.js';
import type { AlarmStats } from '../alarms/index.js';
import type { DeliveryStats, NotifierStats } from '../notify/index.js';
import type { StorageStats } from '../storage/index.js';

export interface MetricSources {
  pointsPublished: () => number;
  busListenerErrors: () => number;
  lines: () => LineSnapshot[];
  devices: () => DeviceSnapshot[];
  mqtt: () => MqttStats | undefined;
  storage: () => StorageStats | undefined;
  alarms?: () => AlarmStats;
  notifications?: () => { notifier: NotifierStats; deliveries: DeliveryStats[] };
  energy?: () => { leakSuspected: number; leakChecks: number; leakCheckErrors: number };
  records?: () => { openWorkOrders: Record<string, number>; maintenance: Record<string, number> };
  /** Browsers connected for live data. */
  browsers?: () => number;
}

export function createMetrics(sources: MetricSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'plantwatch_process_' });
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        collect(this);
      },
    });

  gauge('plantwatch_points_published_total', 'Point values published on the bus since start', [], (g) =>
    g.set(sources.pointsPublished()),
  );
  gauge('plantwatch_bus_consumer_errors_total', 'Bus consumers that threw on a batch', [], (g) =>
    g.set(sources.busListenerErrors()),
  );
  gauge('plantwatch_modbus_line_up', 'Modbus line connected (1) or not (0)', ['line'], (g) => {
    for (const l of sources.lines()) g.set({ line: l.id }, l.state === 'connected' ? 1 : 0);
  });
  gauge('plantwatch_modbus_requests_total', 'Modbus requests sent per line', ['line'], (g) => {
    for (const l of sources.lines()) g.set({ line: l.id }, l.requests);
  });
  gauge('plantwatch_modbus_timeouts_total', 'Modbus requests that timed out per line', ['line'], (g) => {
    for (const l of sources.lines()) g.set({ line: l.id }, l.timeouts);
  });
  gauge(
    'plantwatch_modbus_exceptions_total',
    'Modbus exception responses per line and code',
    ['line', 'code'],
    (g) => {
      for (const l of sources.lines())
        for (const [code, n] of Object.entries(l.exceptions)) g.set({ line: l.id, code }, n);
    },
  );
  gauge(
    'plantwatch_modbus_queue_length',
    'Polls waiting for the line (grows when it is overloaded)',
    ['line'],
    (g) => {
      for (const l of sources.lines()) g.set({ line: l.id }, l.queueLength);
    },
  );
  gauge('plantwatch_modbus_line_busy_ratio', 'Fraction of the last 10 s the line was busy', ['line'], (g) => {
    for (const l of sources.lines()) g.set({ line: l.id }, l.busy);
  });
  gauge(
    'plantwatch_modbus_line_wire_utilisation_ratio',
    'Fraction of the serial wire capacity used (last 10 s)',
    ['line'],
    (g) => {
      for (const l of sources.lines())
        if (l.wireUtilisation !== undefined) g.set({ line: l.id }, l.wireUtilisation);
    },
  );
  gauge('plantwatch_modbus_response_ms_mean', 'Mean Modbus response time per line', ['line'], (g) => {
    for (const l of sources.lines()) g.set({ line: l.id }, l.meanResponseMs);
  });
  gauge(
    'plantwatch_modbus_poll_overruns_total',
    'Polls skipped because the previous one was still queued',
    ['line'],
    (g) => {
      for (const l of sources.lines()) g.set({ line: l.id }, l.overruns);
    },
  );
  gauge('plantwatch_device_up', 'Device answering (1) or comm-error (0)', ['device'], (g) => {
    for (const d of sources.devices()) g.set({ device: d.id }, d.state === 'unreachable' ? 0 : 1);
  });
  gauge('plantwatch_mqtt_messages_total', 'MQTT device messages received', [], (g) => {
    const m = sources.mqtt();
    if (m) g.set(m.messagesReceived);
  });
  gauge(
    'plantwatch_mqtt_malformed_payloads_total',
    'MQTT device payloads that could not be mapped',
    [],
    (g) => {
      const m = sources.mqtt();
      if (m) g.set(m.malformedPayloads);
    },
  );
  gauge(
    'plantwatch_mqtt_broker_refusals_total',
    'Embedded MQTT broker refusals by reason: logins, ACLs, packet size, connection limits, login timeouts',
    ['reason'],
    (g) => {
      const m = sources.mqtt();
      const counts = {
        login: m?.deniedLogins,
        publish: m?.deniedPublishes,
        subscribe: m?.deniedSubscribes,
        'too-many-connections': m?.refusedConnections,
        'packet-too-large': m?.oversizePackets,
        'connect-timeout': m?.connectTimeouts,
      };
      for (const [reason, n] of Object.entries(counts)) if (n !== undefined) g.set({ reason }, n);
    },
  );
  const storageGauge = (name: string, help: string, read: (s: StorageStats) => number | undefined) =>
    gauge(name, help, [], (g) => {
      const stats = sources.storage();
      const value = stats ? read(stats) : undefined;
      if (value !== undefined) g.set(value);
    });
  storageGauge('plantwatch_store_up', 'Time-series store accepting writes (1) or not (0)', (s) =>
    Number(s.storeUp),
  );
  storageGauge(
    'plantwatch_store_points_written_total',
    'Point values written to the store',
    (s) => s.written,
  );
  storageGauge(
    'plantwatch_store_write_failures_total',
    'Batch writes the store refused or timed out',
    (s) => s.writeFailures,
  );
  storageGauge(
    'plantwatch_store_write_ms_last',
    'Duration of the last successful batch write',
    (s) => s.lastWriteMs,
  );
  storageGauge(
    'plantwatch_store_buffered_points',
    'Point values in memory waiting for their batch to be written',
    (s) => s.buffered,
  );
  storageGauge(
    'plantwatch_spool_points',
    'Point values waiting on disk for the store',
    (s) => s.spool.points,
  );
  storageGauge(
    'plantwatch_spool_dropped_points_total',
    'Spooled values dropped because the spool was full',
    (s) => s.spool.droppedPoints,
  );
  storageGauge(
    'plantwatch_store_replayed_points_total',
    'Spooled values written once the store came back',
    (s) => s.replayed,
  );
  alarmMetrics(gauge, sources);
  recordMetrics(gauge, sources);
  const browsers = sources.browsers;
  if (browsers)
    gauge('plantwatch_browsers_connected', 'Browsers connected for live data (socket.io)', [], (g) =>
      g.set(browsers()),
    );
  notificationMetrics(gauge, sources);
  return registry;
}

type GaugeFactory = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void) => Gauge;

function alarmMetrics(gauge: GaugeFactory, sources: MetricSources): void {
  const alarms = sources.alarms;
  if (!alarms) return;
  gauge('plantwatch_alarms', 'Alarms by lifecycle state', ['state'], (g) => {
    for (const [state, n] of Object.entries(alarms().byState)) g.set({ state }, n);
  });
  gauge(
    'plantwatch_alarms_active',
    'Alarms active or returned but unacknowledged, by priority',
    ['priority'],
    (g) => {
      for (const [priority, n] of Object.entries(alarms().activeByPriority)) g.set({ priority }, n);
    },
  );
  gauge('plantwatch_alarms_chattering', 'Alarms detected as chattering now', [], (g) =>
    g.set(alarms().chattering),
  );
  gauge('plantwatch_alarm_events_total', 'Alarm transitions journaled since start', [], (g) =>
    g.set(alarms().events),
  );
  gauge('plantwatch_alarm_evaluation_errors_total', 'Alarm evaluations that failed', [], (g) =>
    g.set(alarms().evaluationErrors),
  );
  gauge(
    'plantwatch_alarm_journal_errors_total',
    'Alarm journal writes that failed (the alarms were announced all the same)',
    [],
    (g) => g.set(alarms().journalErrors),
  );
}

function notificationMetrics(gauge: GaugeFactory, sources: MetricSources): void {
  const read = sources.notifications;
  if (!read) return;
  const perChannel = (name: string, help: string, pick: (d: DeliveryStats) => number) =>
    gauge(name, help, ['channel'], (g) => {
      for (const d of read().deliveries) g.set({ channel: d.channel }, pick(d));
    });
  perChannel('plantwatch_notifications_sent_total', 'Notifications delivered per channel', (d) => d.sent);
  perChannel(
    'plantwatch_notification_failures_total',
    'Failed delivery attempts per channel',
    (d) => d.failedAttempts,
  );
  perChannel(
    'plantwatch_notifications_dropped_total',
    'Notifications given up per channel',
    (d) => d.dropped,
  );
  perChannel('plantwatch_notifications_queued', 'Notifications waiting per channel', (d) => d.queued);
  gauge('plantwatch_escalations_total', 'Escalations sent because nobody acknowledged', [], (g) =>
    g.set(read().notifier.escalationsFired),
  );
  gauge('plantwatch_alarm_flood', 'An alarm flood is being summarised (1) or not (0)', [], (g) =>
    g.set(Number(read().notifier.flooding)),
  );
}

/** Leaks suspected, leak checks, open work orders per team, maintenance tasks per state. */
function recordMetrics(gauge: GaugeFactory, sources: MetricSources): void {
  const { energy, records } = sources;
  if (energy) {
    gauge('plantwatch_leak_suspected_meters', 'Water meters whose night flow suggests a leak', [], (g) =>
      g.set(energy().leakSuspected),
    );
    gauge('plantwatch_leak_checks_total', 'Night-flow leak checks run', [], (g) =>
      g.set(energy().leakChecks),
    );
    gauge('plantwatch_leak_check_errors_total', 'Night-flow leak checks that failed', [], (g) =>
      g.set(energy().leakCheckErrors),
    );
  }
  if (records) {
    gauge(
      'plantwatch_work_orders_open',
      'Work orders not completed or cancelled, per team',
      ['team'],
      (g) => {
        for (const [team, n] of Object.entries(records().openWorkOrders)) g.set({ team }, n);
      },
    );
    gauge('plantwatch_maintenance_tasks', 'Planned maintenance tasks per state', ['state'], (g) => {
      for (const [state, n] of Object.entries(records().maintenance)) g.set({ state }, n);
    });
  }
}

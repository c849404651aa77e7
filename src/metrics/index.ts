/**
 * Prometheus metrics a user can scrape at GET /metrics. Collected on scrape from the
 * services' own counters, so the hot path pays nothing for them.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { BacnetStats } from '../acquisition/bacnet/index.js';
import type { LineSnapshot } from '../acquisition/modbus/index.js';
import type { MqttStats } from '../acquisition/mqtt/index.js';
import type { AlarmStats } from '../alarms/index.js';
import type { GroupViewStats } from '../group/index.js';
import type { DeliveryStats, NotifierStats } from '../notify/index.js';
import type { StorageStats } from '../storage/index.js';
import { type MetricFactory, metricFactory } from './collectors.js';
import { groupMetrics } from './group.js';
import { alarmMetrics, notificationMetrics, recordMetrics } from './operations.js';
import { bacnetMetrics, modbusMetrics, mqttMetrics, storageMetrics } from './plant.js';

export interface MetricSources {
  pointsPublished: () => number;
  busListenerErrors: () => number;
  lines: () => LineSnapshot[];
  /** Every polled device (Modbus and BACnet): `unreachable` is down. */
  devices: () => { id: string; state: string }[];
  /** BACnet/IP ports, when plantwatch.yaml has a bacnet: section. */
  bacnet?: () => BacnetStats;
  mqtt: () => MqttStats | undefined;
  storage: () => StorageStats | undefined;
  alarms?: () => AlarmStats;
  notifications?: () => { notifier: NotifierStats; deliveries: DeliveryStats[] };
  energy?: () => { leakSuspected: number; leakChecks: number; leakCheckErrors: number };
  records?: () => { openWorkOrders: Record<string, number>; maintenance: Record<string, number> };
  /** Browsers connected for live data. */
  browsers?: () => number;
  /** The group view, when this gateway serves one. */
  group?: () => GroupViewStats;
}

export function createMetrics(sources: MetricSources): Registry {
  const registry = new Registry();
  processMetrics(registry);
  const metrics = metricFactory(registry);
  busMetrics(metrics, sources);
  modbusMetrics(metrics, sources);
  bacnetMetrics(metrics, sources);
  mqttMetrics(metrics, sources);
  storageMetrics(metrics, sources);
  alarmMetrics(metrics, sources);
  recordMetrics(metrics, sources);
  notificationMetrics(metrics, sources);
  groupMetrics(metrics, sources.group);
  return registry;
}

/** The Node.js process: plantwatch_process_* (CPU, memory, file descriptors) and plantwatch_nodejs_*. */
function processMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, prefix: 'plantwatch_' });
  // prom-client's nodejs_active_{handles,requests,resources}_total are gauges (they go down): a
  // scraper takes a *_total for a counter. The same figures stay, per type, in the gauges
  // plantwatch_nodejs_active_handles{type} and the like (sum() them for the total).
  for (const metric of registry.getMetricsAsArray())
    if (metric instanceof Gauge && metric.name.endsWith('_total')) registry.removeSingleMetric(metric.name);
}

function busMetrics(metrics: MetricFactory, sources: MetricSources): void {
  metrics.counter(
    'plantwatch_points_published_total',
    'Point values published on the bus since start',
    [],
    (report) => report(sources.pointsPublished()),
  );
  metrics.counter(
    'plantwatch_bus_consumer_errors_total',
    'Bus consumers that threw on a batch',
    [],
    (report) => report(sources.busListenerErrors()),
  );
  const browsers = sources.browsers;
  if (browsers)
    metrics.gauge(
      'plantwatch_browsers_connected',
      'Browsers connected for live data (socket.io)',
      [],
      (report) => report(browsers()),
    );
}

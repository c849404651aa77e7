/** Metrics of the acquisition (Modbus lines and devices, BACnet/IP ports, MQTT) and of the time-series store. */
import type { BacnetPortStats } from '../acquisition/bacnet/index.js';
import type { LineSnapshot } from '../acquisition/modbus/index.js';
import type { StorageStats } from '../storage/index.js';
import type { MetricFactory } from './collectors.js';
import type { MetricSources } from './index.js';

export function modbusMetrics(metrics: MetricFactory, sources: MetricSources): void {
  const perLine = (
    kind: 'gauge' | 'counter',
    name: string,
    help: string,
    read: (line: LineSnapshot) => number | undefined,
  ) =>
    metrics[kind](name, help, ['line'], (report) => {
      for (const line of sources.lines()) {
        const value = read(line);
        if (value !== undefined) report(value, { line: line.id });
      }
    });
  perLine('gauge', 'plantwatch_modbus_line_up', 'Modbus line connected (1) or not (0)', (l) =>
    l.state === 'connected' ? 1 : 0,
  );
  perLine('counter', 'plantwatch_modbus_requests_total', 'Modbus requests sent per line', (l) => l.requests);
  perLine(
    'counter',
    'plantwatch_modbus_timeouts_total',
    'Modbus requests that timed out per line',
    (l) => l.timeouts,
  );
  metrics.counter(
    'plantwatch_modbus_exceptions_total',
    'Modbus exception responses per line and code',
    ['line', 'code'],
    (report) => {
      for (const l of sources.lines())
        for (const [code, n] of Object.entries(l.exceptions)) report(n, { line: l.id, code });
    },
  );
  perLine(
    'gauge',
    'plantwatch_modbus_queue_length',
    'Polls waiting for the line (grows when it is overloaded)',
    (l) => l.queueLength,
  );
  perLine(
    'gauge',
    'plantwatch_modbus_line_busy_ratio',
    'Fraction of the last 10 s the line was busy',
    (l) => l.busy,
  );
  perLine(
    'gauge',
    'plantwatch_modbus_line_wire_utilisation_ratio',
    'Fraction of the serial wire capacity used (last 10 s)',
    (l) => l.wireUtilisation,
  );
  perLine(
    'gauge',
    'plantwatch_modbus_response_ms_mean',
    'Mean Modbus response time per line',
    (l) => l.meanResponseMs,
  );
  perLine(
    'counter',
    'plantwatch_modbus_poll_overruns_total',
    'Polls skipped because the previous one was still queued',
    (l) => l.overruns,
  );
  metrics.gauge('plantwatch_device_up', 'Device answering (1) or comm-error (0)', ['device'], (report) => {
    for (const d of sources.devices()) report(d.state === 'unreachable' ? 0 : 1, { device: d.id });
  });
}

export function bacnetMetrics(metrics: MetricFactory, sources: MetricSources): void {
  const perPort = (
    kind: 'gauge' | 'counter',
    name: string,
    help: string,
    read: (port: BacnetPortStats) => number,
  ) =>
    metrics[kind](name, help, ['port'], (report) => {
      for (const port of sources.bacnet?.().ports ?? []) report(read(port), { port: port.id });
    });
  metrics.counter(
    'plantwatch_bacnet_requests_total',
    'BACnet confirmed requests sent per port and service',
    ['port', 'service'],
    (report) => {
      for (const port of sources.bacnet?.().ports ?? [])
        for (const [service, n] of Object.entries(port.requests)) report(n, { port: port.id, service });
    },
  );
  perPort(
    'counter',
    'plantwatch_bacnet_timeouts_total',
    'BACnet requests unanswered per port',
    (p) => p.timeouts,
  );
  perPort('counter', 'plantwatch_bacnet_who_is_total', 'BACnet Who-Is sent per port', (p) => p.whoIs);
  perPort(
    'counter',
    'plantwatch_bacnet_cov_notifications_total',
    'BACnet COV notifications received per port',
    (p) => p.covNotifications,
  );
  perPort(
    'counter',
    'plantwatch_bacnet_cov_renewals_total',
    'BACnet COV subscriptions renewed per port',
    (p) => p.subscriptionsRenewed,
  );
  perPort(
    'gauge',
    'plantwatch_bacnet_requests_in_flight',
    'BACnet requests awaiting an answer',
    (p) => p.inFlight,
  );
  perPort(
    'gauge',
    'plantwatch_bacnet_requests_queued',
    'BACnet requests waiting to be sent',
    (p) => p.queued,
  );
  metrics.gauge(
    'plantwatch_bacnet_foreign_device_registered',
    'Registered with the BBMD as a foreign device (1) or not (0)',
    ['port', 'bbmd'],
    (report) => {
      for (const fd of sources.bacnet?.().foreignDevices ?? [])
        report(fd.state === 'registered' ? 1 : 0, { port: fd.port, bbmd: fd.bbmd });
    },
  );
}

export function mqttMetrics(metrics: MetricFactory, sources: MetricSources): void {
  metrics.counter('plantwatch_mqtt_messages_total', 'MQTT device messages received', [], (report) => {
    const m = sources.mqtt();
    if (m) report(m.messagesReceived);
  });
  metrics.counter(
    'plantwatch_mqtt_malformed_payloads_total',
    'MQTT device payloads that could not be mapped',
    [],
    (report) => {
      const m = sources.mqtt();
      if (m) report(m.malformedPayloads);
    },
  );
  metrics.counter(
    'plantwatch_mqtt_broker_refusals_total',
    'Embedded MQTT broker refusals by reason: logins, ACLs, packet size, connection limits, login timeouts',
    ['reason'],
    (report) => {
      const m = sources.mqtt();
      const counts = {
        login: m?.deniedLogins,
        publish: m?.deniedPublishes,
        subscribe: m?.deniedSubscribes,
        'too-many-connections': m?.refusedConnections,
        'packet-too-large': m?.oversizePackets,
        'connect-timeout': m?.connectTimeouts,
      };
      for (const [reason, n] of Object.entries(counts)) if (n !== undefined) report(n, { reason });
    },
  );
}

export function storageMetrics(metrics: MetricFactory, sources: MetricSources): void {
  const fromStorage = (
    kind: 'gauge' | 'counter',
    name: string,
    help: string,
    read: (s: StorageStats) => number | undefined,
  ) =>
    metrics[kind](name, help, [], (report) => {
      const stats = sources.storage();
      const value = stats ? read(stats) : undefined;
      if (value !== undefined) report(value);
    });
  fromStorage('gauge', 'plantwatch_store_up', 'Time-series store accepting writes (1) or not (0)', (s) =>
    Number(s.storeUp),
  );
  fromStorage(
    'counter',
    'plantwatch_store_points_written_total',
    'Point values written to the store',
    (s) => s.written,
  );
  fromStorage(
    'counter',
    'plantwatch_store_write_failures_total',
    'Batch writes the store refused or timed out',
    (s) => s.writeFailures,
  );
  fromStorage(
    'gauge',
    'plantwatch_store_write_ms_last',
    'Duration of the last successful batch write',
    (s) => s.lastWriteMs,
  );
  fromStorage(
    'gauge',
    'plantwatch_store_buffered_points',
    'Point values in memory waiting for their batch to be written',
    (s) => s.buffered,
  );
  fromStorage(
    'gauge',
    'plantwatch_spool_points',
    'Point values waiting on disk for the store',
    (s) => s.spool.points,
  );
  fromStorage(
    'counter',
    'plantwatch_spool_dropped_points_total',
    'Spooled values dropped because the spool was full',
    (s) => s.spool.droppedPoints,
  );
  fromStorage(
    'counter',
    'plantwatch_store_replayed_points_total',
    'Spooled values written once the store came back',
    (s) => s.replayed,
  );
}

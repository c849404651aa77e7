/** /metrics of a gateway with nothing running but the parts a test gives (records, browsers, …). */
import { createMetrics, type MetricSources } from '../../src/metrics/index.js';

export function metricsOf(parts: Partial<MetricSources>) {
  return createMetrics({
    pointsPublished: () => 0,
    busListenerErrors: () => 0,
    lines: () => [],
    devices: () => [],
    mqtt: () => undefined,
    storage: () => undefined,
    ...parts,
  });
}

/**
 * Metrics read on scrape from counts the services keep themselves. A count that only grows is
 * served as a counter (what rate() and increase() expect of a `*_total`), a level as a gauge.
 */
import { Counter, Gauge, type LabelValues, type Registry } from 'prom-client';

/** Report one series: its value and, for a labelled metric, its labels. */
export type Report = (value: number, labels?: LabelValues<string>) => void;
export type ReadSeries = (report: Report) => void;

export interface MetricFactory {
  /** A level that can go down: set to what `read` reports at each scrape. */
  gauge(name: string, help: string, labelNames: string[], read: ReadSeries): void;
  /** A cumulative count kept elsewhere: raised by how much it grew since the last scrape. */
  counter(name: string, help: string, labelNames: string[], read: ReadSeries): void;
}

export function metricFactory(registry: Registry): MetricFactory {
  return {
    gauge(name, help, labelNames, read) {
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          this.reset();
          read((value, labels) => (labels ? this.set(labels, value) : this.set(value)));
        },
      });
    },
    counter(name, help, labelNames, read) {
      const lastSeen = new Map<string, number>();
      new Counter({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          read((value, labels = {}) => {
            const key = labelNames.map((label) => String(labels[label] ?? '')).join('\u0000');
            const previous = lastSeen.get(key) ?? 0;
            lastSeen.set(key, value);
            // A count that went down started again (its owner was restarted): all of it is new.
            // An increase of 0 still creates the series, so a line with no timeouts shows 0.
            this.inc(labels, value >= previous ? value - previous : value);
          });
        },
      });
    },
  };
}

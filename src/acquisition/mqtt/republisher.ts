/**
 * Re-publishes every point value on MQTT, retained, under <prefix>/<site>/<device>/<point>,
 * so any MQTT client can watch the plant. While the broker is unreachable only the latest
 * value of each point is kept (bounded by the number of points) and flushed on reconnect.
 * With retain on, every reconnection republishes the last value of every point: a broker
 * that restarted without persistence (or a cluster node that took over) has forgotten the
 * retained values, and a slow point (a kWh counter read once a minute, a leak verdict
 * computed once a night) would otherwise stay missing for a late subscriber until it changes.
 */
import type { MqttClient } from 'mqtt';
import type { PointInfo, PointValue } from '../../points/index.js';

export interface RepublishOptions {
  prefix: string;
  retain: boolean;
}

export function topicFor(prefix: string, info: Pick<PointInfo, 'site' | 'device' | 'name'>): string {
  return `${prefix}/${info.site}/${info.device}/${info.name}`;
}

export function payloadFor(value: PointValue, unit: string): string {
  return JSON.stringify({
    value: value.value,
    unit,
    quality: value.quality,
    ts: new Date(value.ts).toISOString(),
  });
}

export class Republisher {
  republished = 0;
  private readonly pending = new Map<string, PointValue>();
  /** The last value of every point (retain only): what a restarted broker has forgotten. */
  private readonly latest = new Map<string, PointValue>();

  constructor(
    private readonly client: MqttClient,
    private readonly catalog: Map<string, PointInfo>,
    private readonly options: RepublishOptions,
  ) {
    client.on('connect', () => {
      for (const [id, value] of this.latest) this.pending.set(id, value);
      this.flush();
    });
  }

  /** Bus consumer: never blocks, never throws. */
  readonly onValues = (values: readonly PointValue[]): void => {
    for (const v of values) {
      this.pending.set(v.id, v);
      if (this.options.retain) this.latest.set(v.id, v);
    }
    if (this.client.connected) this.flush();
  };

  get backlog(): number {
    return this.pending.size;
  }

  private flush(): void {
    for (const [id, value] of this.pending) {
      const info = this.catalog.get(id);
      this.pending.delete(id);
      if (!info) continue;
      this.client.publish(topicFor(this.options.prefix, info), payloadFor(value, info.unit), {
        qos: 0,
        retain: this.options.retain,
      });
      this.republished++;
    }
  }
}

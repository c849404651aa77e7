/**
 * The hospital group: each campus gateway publishes its link and summary on the central broker
 * (campus-summary.ts); the gateway that serves the group view reads every campus from there
 * (view.ts). No synchronisation of our own: the broker's retained messages and each campus's
 * own store (the central InfluxDB in a group) carry everything.
 */
import type { MqttService } from '../acquisition/mqtt/index.js';
import { ownSite, type PlantConfig } from '../config/index.js';
import type { EnergyService } from '../energy/index.js';
import type { Logger } from '../log/index.js';
import { type CampusSummaryPublisher, startCampusSummary } from './campus-summary.js';
import { type GroupViewService, startGroupView } from './view.js';

export type { CampusSummaryPublisher } from './campus-summary.js';
export { type CampusSummary, campusSummary, linkTopic, summaryTopic } from './messages.js';
export type { GroupViewService, GroupViewStats } from './view.js';

/** The campus's summary for the group, when it republishes on MQTT and runs one campus. */
export function startCampusSummaryFor(
  config: PlantConfig,
  parts: {
    energy: EnergyService;
    mqtt: MqttService;
    devices: () => readonly { state: string }[];
    log: Logger;
  },
): CampusSummaryPublisher | undefined {
  const settings = config.gateway.mqtt;
  const site = ownSite(config);
  if (!parts.mqtt.enabled || !settings?.republish.enabled || !site) return undefined;
  return startCampusSummary({
    site,
    config,
    energy: parts.energy,
    devices: parts.devices,
    mqtt: parts.mqtt,
    prefix: settings.republish.prefix,
    everyMs: settings.republish.summaryEvery,
    log: parts.log.child({ component: 'group-summary' }),
  });
}

/** The group view, when plantwatch.yaml has a group: section. */
export function startGroupViewFor(
  config: PlantConfig,
  mqtt: MqttService,
  log: Logger,
): GroupViewService | undefined {
  const settings = config.gateway.group;
  if (!settings) return undefined;
  const broker = settings.broker ?? mqtt.ownLogin;
  if (!broker)
    throw new Error(
      'plantwatch.yaml group: needs group.broker (the central broker) when the gateway has no mqtt: section',
    );
  return startGroupView({
    settings,
    broker,
    prefix: config.gateway.mqtt?.republish.prefix ?? 'plantwatch',
    timezone: config.energy.timezone,
    clientId: `plantwatch-group-${config.gateway.gateway.name}-${process.pid}`,
    log: log.child({ component: 'group' }),
  });
}

/**
 * Points the gateway computes itself (leak detection, maintenance) rather than reads from a
 * device, and the alarm rules that watch them. They are declared here, from energy.yaml and
 * maintenance.yaml, so the catalog, storage, dashboard and alarm engine treat them like any
 * point, and so a leak threshold or a service interval is configured in one place only.
 */
import type { AlarmsFile } from './alarms-schema.js';
import { alarmsFile } from './alarms-schema.js';
import type { EnergySettings } from './energy-schema.js';
import type { MaintenanceSettings } from './maintenance-schema.js';
import type { DeviceConfig } from './schema.js';

export interface DerivedPoint {
  device: string;
  name: string;
  label: string;
  labelZh: string;
  unit: string;
  kind: 'analog' | 'state';
}

export const LEAK_POINTS = {
  nightMinimum: 'night_min_flow_m3h',
  wetNights: 'leak_nights',
  suspected: 'leak_suspected',
} as const;

export const MAINTENANCE_OVERDUE_POINT = 'maintenance_overdue';

export const GENERATED_RULE_IDS = { leak: 'night-leak', maintenance: 'maintenance-overdue' } as const;

type AlarmRule = AlarmsFile['rules'][number];

/** The water meters the leak detector watches: the configured list, else the water mains. */
export function leakMeters(energy: EnergySettings, waterMeters: readonly string[]): string[] {
  if (!energy.leaks.enabled) return [];
  return energy.leaks.meters ?? energy.water.mains ?? [...waterMeters];
}

export function derivedPoints(
  energy: EnergySettings,
  maintenance: MaintenanceSettings,
  waterMeters: readonly string[],
): DerivedPoint[] {
  const points: DerivedPoint[] = [];
  for (const device of leakMeters(energy, waterMeters)) {
    points.push(
      {
        device,
        name: LEAK_POINTS.nightMinimum,
        label: 'Minimum night flow',
        labelZh: '夜间最小流量',
        unit: 'm³/h',
        kind: 'analog',
      },
      {
        device,
        name: LEAK_POINTS.wetNights,
        label: 'Nights in a row above the leak threshold',
        labelZh: '连续超过漏水阈值的夜数',
        // A count: the label says of what, in each language (a unit has one spelling).
        unit: '',
        kind: 'analog',
      },
      {
        device,
        name: LEAK_POINTS.suspected,
        label: 'Leak suspected',
        labelZh: '疑似漏水',
        unit: '',
        kind: 'state',
      },
    );
  }
  for (const device of maintainedDevices(maintenance))
    points.push({
      device,
      name: MAINTENANCE_OVERDUE_POINT,
      label: 'Planned maintenance overdue',
      labelZh: '计划维护已逾期',
      unit: '',
      kind: 'state',
    });
  return points;
}

function maintainedDevices(maintenance: MaintenanceSettings): string[] {
  return [...new Set(maintenance.tasks.map((t) => t.device))];
}

/** Alarm rules over the derived points, appended to alarms.yaml's own. */
export function generatedRules(
  energy: EnergySettings,
  maintenance: MaintenanceSettings,
  waterMeters: readonly string[],
): AlarmRule[] {
  const rules: unknown[] = [];
  const meters = leakMeters(energy, waterMeters);
  if (meters.length > 0)
    rules.push({
      id: GENERATED_RULE_IDS.leak,
      devices: meters,
      type: 'state',
      point: LEAK_POINTS.suspected,
      equals: true,
      priority: energy.leaks.priority,
      message: {
        en: `{deviceName}: night flow above its leak threshold for ${energy.leaks.nights} nights in a row — a leak or a tap left running?`,
        zh: `{deviceName}：连续 ${energy.leaks.nights} 夜夜间流量超过漏水阈值——可能漏水或水龙头未关`,
      },
    });
  const devices = maintainedDevices(maintenance);
  if (devices.length > 0)
    rules.push({
      id: GENERATED_RULE_IDS.maintenance,
      devices,
      type: 'state',
      point: MAINTENANCE_OVERDUE_POINT,
      equals: true,
      priority: maintenance.overduePriority,
      message: { en: '{deviceName}: planned maintenance is overdue', zh: '{deviceName}：计划维护已逾期' },
    });
  return alarmsFile.parse({ rules }).rules;
}

/** Devices whose profile is of an equipment class, e.g. every water meter. */
export function devicesOfEquipment(
  devices: readonly DeviceConfig[],
  equipmentOf: (profile: string) => string | undefined,
  equipment: string,
): string[] {
  return devices.filter((d) => d.enabled && equipmentOf(d.profile) === equipment).map((d) => d.id);
}

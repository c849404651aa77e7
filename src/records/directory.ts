/** The plant as the records name it: devices by id with their names, and the roster's teams. */
import type { PlantConfig } from '../config/index.js';
import type { DutyRoster } from '../notify/index.js';
import type { DeviceNames, TeamName } from './index.js';
import { WorkOrderError } from './work-orders.js';

export type DeviceSettings = PlantConfig['devices'][number];

export interface PlantDirectory {
  device(id: string | undefined): DeviceSettings | undefined;
  deviceName(id: string | undefined): string | undefined;
  /** The device's name and its Chinese variant, to put beside its id. */
  deviceNames(id: string | undefined): DeviceNames;
  teams(): TeamName[];
  /** The team the roster sends for the device's kind of equipment. */
  teamFor(device: string | undefined): string | undefined;
  /** Throws a WorkOrderError for a team notify.yaml does not have. */
  knownTeam(team: string): void;
}

export function plantDirectory(config: PlantConfig, roster: DutyRoster): PlantDirectory {
  const devices = new Map(config.devices.map((d) => [d.id, d]));
  const device = (id: string | undefined) => (id ? devices.get(id) : undefined);
  return {
    device,
    deviceName: (id) => device(id)?.name,
    deviceNames(id) {
      const found = device(id);
      if (!found) return {};
      return { deviceName: found.name, ...(found.nameZh ? { deviceNameZh: found.nameZh } : {}) };
    },
    teams: () =>
      config.notify.teams.map((t) => ({ id: t.id, name: t.name, ...(t.nameZh ? { nameZh: t.nameZh } : {}) })),
    teamFor(id) {
      const profile = id ? config.profiles.get(devices.get(id)?.profile ?? '') : undefined;
      return roster.teamFor(profile?.equipment ?? 'other')?.id;
    },
    knownTeam(team) {
      if (!roster.hasTeam(team))
        throw new WorkOrderError(
          `unknown team "${team}" (teams: ${config.notify.teams.map((t) => t.id).join(', ') || 'none in notify.yaml'})`,
        );
    },
  };
}

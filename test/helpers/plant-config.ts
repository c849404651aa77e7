/**
 * Build a validated PlantConfig in code for focused tests: every part goes through the
 * same zod schemas as the YAML files, so defaults and validation match production.
 */
import { alarmsFile } from '../../src/config/alarms-schema.js';
import { energyFile } from '../../src/config/energy-schema.js';
import type { PlantConfig } from '../../src/config/index.js';
import { maintenanceFile } from '../../src/config/maintenance-schema.js';
import { NOTIFY_DISABLED, notifyFile } from '../../src/config/notify-schema.js';
import {
  device as deviceSchema,
  gatewayFile,
  modbusLine,
  profileFile,
  simulationFile,
  siteFile,
} from '../../src/config/schema.js';

export interface ConfigParts {
  lines?: unknown[];
  profiles?: unknown[];
  devices?: unknown[];
  gateway?: unknown;
  simulation?: unknown;
  /** The content of an alarms.yaml: { settings?, rules? }. */
  alarms?: unknown;
  /** The content of a notify.yaml (notifications off when absent). */
  notify?: unknown;
}

export function plantConfig(parts: ConfigParts): PlantConfig {
  const profiles = (parts.profiles ?? []).map((p) => profileFile.parse(p));
  return {
    dir: '(test)',
    // Login off unless a test asks for it: these tests are about the plant, not the login.
    gateway: gatewayFile.parse({ auth: { enabled: false }, ...(parts.gateway as object | undefined) }),
    sites: siteFile.parse({
      sites: [
        {
          id: 'main',
          name: 'Main',
          buildings: [{ id: 'b1', name: 'B1', rooms: [{ id: 'r1', name: 'R1', kind: 'other' }] }],
        },
      ],
    }).sites,
    lines: (parts.lines ?? []).map((l) => modbusLine.parse(l)),
    profiles: new Map(profiles.map((p) => [p.id, p])),
    devices: (parts.devices ?? []).map((d) =>
      deviceSchema.parse({ site: 'main', building: 'b1', room: 'r1', ...(d as object) }),
    ),
    simulation: simulationFile.parse(parts.simulation ?? {}),
    alarms: alarmsFile.parse(parts.alarms ?? {}),
    notify: parts.notify === undefined ? NOTIFY_DISABLED : notifyFile.parse(parts.notify),
    energy: { timezone: 'UTC', ...energyFile.parse({}) },
    maintenance: maintenanceFile.parse({}),
    derived: [],
  };
}

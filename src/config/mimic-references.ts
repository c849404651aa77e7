/**
 * The mimic settings' references (mimic-schema.ts): hand-placed symbols name a device or a
 * passive item of their room, a setpoint point exists, a duty is a pump's and a rating a
 * meter's. Each problem names the file and key where it is fixed.
 */
import type { ConfigIssue, ParsedFile, PlantConfig } from './load.js';
import { formatPath } from './load.js';
import type { DeviceConfig } from './schema.js';

type Path = (string | number)[];

interface Files {
  config: PlantConfig;
  siteFile?: ParsedFile<unknown>;
  deviceFiles: ParsedFile<{ devices: DeviceConfig[] }>[];
}

export function checkMimics({ config, siteFile, deviceFiles }: Files): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (file: ParsedFile<unknown> | undefined, path: Path, message: string) => {
    if (file) issues.push({ file: file.file, path: formatPath(path), line: file.lineOf(path), message });
  };
  for (const [s, site] of config.sites.entries())
    for (const [b, building] of site.buildings.entries())
      for (const [r, room] of building.rooms.entries()) {
        if (!room.mimic) continue;
        const path = ['sites', s, 'buildings', b, 'rooms', r, 'mimic'];
        const devices = config.devices.filter(
          (d) => d.site === site.id && d.building === building.id && d.room === room.id,
        );
        const ids = new Set(devices.map((d) => d.id));
        room.mimic.equipment.forEach((item, i) => {
          if (ids.has(item.id))
            at(
              siteFile,
              [...path, 'equipment', i, 'id'],
              `"${item.id}" is already the id of a device or item in this room`,
            );
          ids.add(item.id);
        });
        for (const key of Object.keys(room.mimic.layout))
          if (!ids.has(key))
            at(
              siteFile,
              [...path, 'layout', key],
              `unknown symbol "${key}" (expected a device or mimic.equipment id of this room: ${[...ids].join(', ') || 'none'})`,
            );
        const setpoint = room.mimic.setpoint;
        if (typeof setpoint === 'string') {
          const problem = pointProblem(config, setpoint);
          if (problem) at(siteFile, [...path, 'setpoint'], problem);
        }
      }
  for (const file of deviceFiles)
    file.data?.devices.forEach((device, i) => {
      const equipment = config.profiles.get(device.profile)?.equipment;
      if (device.mimic?.duty !== undefined && equipment !== 'pump')
        at(
          file,
          ['devices', i, 'mimic', 'duty'],
          `only for a pump (profile "${device.profile}" is ${equipment ?? 'unknown'})`,
        );
      if (device.mimic?.ratingA !== undefined && equipment !== 'power-meter')
        at(
          file,
          ['devices', i, 'mimic', 'ratingA'],
          `only for a breaker's power meter (profile "${device.profile}" is ${equipment ?? 'unknown'})`,
        );
    });
  return issues;
}

function pointProblem(config: PlantConfig, ref: string): string | undefined {
  const [deviceId = '', point = ''] = ref.split('.');
  const device = config.devices.find((d) => d.id === deviceId);
  if (!device) return `unknown device "${deviceId}" in "${ref}"`;
  const points = config.profiles.get(device.profile)?.points.map((p) => p.name) ?? [];
  if (!points.includes(point))
    return `device "${deviceId}" has no point "${point}" (its profile "${device.profile}" has: ${points.join(', ')})`;
  return undefined;
}

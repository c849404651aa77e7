/**
 * Checks of energy.yaml and maintenance.yaml against the plant: the meters, points, people
 * and teams they name exist and are of the right kind. Each problem names the file and key.
 */
import { DateTime } from 'luxon';
import type { EnergySettings } from './energy-schema.js';
import type { ConfigIssue, ParsedFile, PlantConfig } from './load.js';
import { formatPath } from './load.js';
import type { MaintenanceSettings } from './maintenance-schema.js';
import { meteringTree } from './metering-tree.js';
import type { DeviceConfig } from './schema.js';

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

function reporter(file: ParsedFile<unknown> | undefined, issues: ConfigIssue[]): Report {
  return (path, message) => {
    if (!file) return;
    issues.push({ file: file.file, path: formatPath(path), line: file.lineOf(path), message });
  };
}

function pointNames(config: PlantConfig, device: DeviceConfig): string[] {
  return config.profiles.get(device.profile)?.points.map((p) => p.name) ?? [];
}

/** The device, if it exists and its profile has every point asked for; else reports why not. */
function checkMeter(
  config: PlantConfig,
  report: Report,
  path: Path,
  deviceId: string,
  points: readonly string[],
): DeviceConfig | undefined {
  const device = config.devices.find((d) => d.id === deviceId);
  if (!device) {
    report(path, `unknown device "${deviceId}"`);
    return undefined;
  }
  const names = pointNames(config, device);
  const missing = points.filter((p) => !names.includes(p));
  if (missing.length > 0) {
    report(
      path,
      `device "${deviceId}" (profile "${device.profile}") has no point ${missing.map((m) => `"${m}"`).join(', ')}`,
    );
    return undefined;
  }
  return device;
}

function checkPointRef(config: PlantConfig, report: Report, path: Path, ref: string): void {
  const [deviceId, point] = ref.split('.') as [string, string];
  checkMeter(config, report, path, deviceId, [point]);
}

/** An ISO date-time with an offset, or a local one read in the plant's zone. */
export function parseChangeTime(at: string, zone: string): number | undefined {
  const parsed = DateTime.fromISO(at, { zone, setZone: false });
  return parsed.isValid ? parsed.toMillis() : undefined;
}

export function checkEnergy(
  config: PlantConfig,
  energy: EnergySettings,
  file: ParsedFile<unknown> | undefined,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const report = reporter(file, issues);
  const kinds = [
    ['electricity', energy.electricity],
    ['water', energy.water],
    ['gas', energy.gas],
  ] as const;
  for (const [kind, settings] of kinds) {
    settings.mains?.forEach((id, i) => {
      checkMeter(config, report, [kind, 'mains', i], id, [settings.counter]);
    });
    for (const issue of meteringTree(config, kind).issues) report(issue.path, issue.message);
  }
  energy.meterChanges.forEach((change, i) => {
    const device = config.devices.find((d) => d.id === change.device);
    const counter = change.point ?? counterOf(config, energy, device);
    if (!counter)
      report(['meterChanges', i, 'device'], `"${change.device}" is not an electricity, water or gas meter`);
    else checkMeter(config, report, ['meterChanges', i, 'device'], change.device, [counter]);
    if (parseChangeTime(change.at, energy.timezone) === undefined)
      report(
        ['meterChanges', i, 'at'],
        `expected an ISO date-time such as "2026-03-01T10:30" (got "${change.at}")`,
      );
  });
  const leakMeters = energy.leaks.meters ?? [];
  leakMeters.forEach((id, i) => {
    checkMeter(config, report, ['leaks', 'meters', i], id, [energy.water.rate]);
  });
  for (const id of Object.keys(energy.leaks.thresholdFor))
    if (!config.devices.some((d) => d.id === id))
      report(['leaks', 'thresholdFor', id], `unknown device "${id}"`);
  if (energy.weather.temperature)
    checkPointRef(config, report, ['weather', 'temperature'], energy.weather.temperature);
  energy.retrofits.forEach((retrofit, i) => {
    checkRetrofit(config, energy, report, ['retrofits', i], retrofit);
  });
  const people = new Map(config.notify.people.map((p) => [p.id, p]));
  energy.monthlyReport.to.forEach((id, i) => {
    const person = people.get(id);
    if (!person)
      report(['monthlyReport', 'to', i], `unknown person "${id}" (people are listed in notify.yaml)`);
    else if (!person.email)
      report(['monthlyReport', 'to', i], `"${id}" has no e-mail address in notify.yaml`);
  });
  return issues;
}

function counterOf(config: PlantConfig, energy: EnergySettings, device: DeviceConfig | undefined) {
  if (!device) return undefined;
  const names = pointNames(config, device);
  if (names.includes(energy.electricity.counter)) return energy.electricity.counter;
  if (names.includes(energy.water.counter)) return energy.water.counter;
  if (names.includes(energy.gas.counter)) return energy.gas.counter;
  return undefined;
}

function checkRetrofit(
  config: PlantConfig,
  energy: EnergySettings,
  report: Report,
  path: Path,
  retrofit: EnergySettings['retrofits'][number],
): void {
  const counters = retrofit.meters.map((id, j) => {
    const device = config.devices.find((d) => d.id === id);
    if (!device) report([...path, 'meters', j], `unknown device "${id}"`);
    const counter = counterOf(config, energy, device);
    if (device && !counter) report([...path, 'meters', j], `"${id}" is not an electricity or water meter`);
    return counter;
  });
  if (new Set(counters.filter(Boolean)).size > 1)
    report([...path, 'meters'], 'mixes electricity and water meters: savings are in one unit');
  const normalise = retrofit.normalise;
  if (normalise.by === 'degree-days') {
    const temperature = normalise.temperature ?? energy.weather.temperature;
    if (!temperature)
      report(
        [...path, 'normalise'],
        'degree-days need an outdoor temperature: set normalise.temperature or weather.temperature',
      );
    else if (normalise.temperature)
      checkPointRef(config, report, [...path, 'normalise', 'temperature'], temperature);
  }
  if (normalise.by === 'point')
    checkPointRef(config, report, [...path, 'normalise', 'point'], normalise.point);
}

export function checkMaintenance(
  config: PlantConfig,
  maintenance: MaintenanceSettings,
  file: ParsedFile<unknown> | undefined,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const report = reporter(file, issues);
  const seen = new Map<string, number>();
  const teams = new Set(config.notify.teams.map((t) => t.id));
  maintenance.tasks.forEach((task, i) => {
    const first = seen.get(task.id);
    if (first !== undefined)
      report(['tasks', i, 'id'], `duplicate task id "${task.id}" (first at tasks[${first}])`);
    else seen.set(task.id, i);
    const points = task.every.runHours !== undefined ? [task.runHoursPoint] : [];
    checkMeter(config, report, ['tasks', i, 'device'], task.device, points);
    if (task.team && !teams.has(task.team))
      report(['tasks', i, 'team'], `unknown team "${task.team}" (teams are listed in notify.yaml)`);
  });
  return issues;
}

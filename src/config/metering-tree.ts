/**
 * The metering tree of electricity, of water and of gas: the meter each sub-meter sits below. Given in
 * energy.yaml (`<kind>.parents`, sub-meter: parent), or by default the one main meter of the
 * sub-meter's room, else of its building, else of its site. The mains are the tree's roots:
 * rooms, buildings and the site are summed from them, so a main meter has no parent.
 */
import type { PlantConfig } from './load.js';
import type { DeviceConfig } from './schema.js';

export type MeterKind = 'electricity' | 'water' | 'gas';
type Path = (string | number)[];

export interface TreeIssue {
  path: Path;
  message: string;
}

export interface MeteringTree {
  /** Sub-meter → the meter above it (device ids). */
  parents: Map<string, string>;
  /** The meters rooms, buildings and the site are summed from: the roots. */
  mains: Set<string>;
  issues: TreeIssue[];
}

const article = (kind: MeterKind) => (kind === 'electricity' ? 'an electricity' : `a ${kind}`);

function counterProblem(config: PlantConfig, kind: MeterKind, deviceId: string): string | undefined {
  const device = config.devices.find((d) => d.id === deviceId);
  if (!device) return `unknown device "${deviceId}"`;
  const counter = config.energy[kind].counter;
  if (config.profiles.get(device.profile)?.points.some((p) => p.name === counter)) return undefined;
  return `"${deviceId}" is not ${article(kind)} meter (profile "${device.profile}" has no point "${counter}")`;
}

/** Narrowest first: a feeder belongs under the incomer of its own room before any other. */
const LEVELS = [
  {
    name: 'room',
    key: (d: DeviceConfig) => `${d.site}/${d.building}/${d.room}`,
    id: (d: DeviceConfig) => d.room,
  },
  {
    name: 'building',
    key: (d: DeviceConfig) => `${d.site}/${d.building}`,
    id: (d: DeviceConfig) => d.building,
  },
  { name: 'site', key: (d: DeviceConfig) => d.site, id: (d: DeviceConfig) => d.site },
] as const;

/** The one main meter nearest a sub-meter, or why there is none to choose. */
function defaultParent(
  kind: MeterKind,
  meter: DeviceConfig,
  mains: readonly DeviceConfig[],
): { parent: string } | { problem: string } {
  const sub = `"${meter.id}" is a sub-meter (not in ${kind}.mains)`;
  for (const level of LEVELS) {
    const here = mains.filter((m) => level.key(m) === level.key(meter));
    const [only] = here;
    if (only && here.length === 1) return { parent: only.id };
    if (here.length > 1)
      return {
        problem: `${sub} and its ${level.name} "${level.id(meter)}" has ${here.length} main meters (${here.map((m) => m.id).join(', ')}): give it its parent here`,
      };
  }
  return {
    problem: `${sub} with no main meter in its site "${meter.site}": give it a parent here, or list it in ${kind}.mains`,
  };
}

/** Each loop in the parents, once, at its first member in the file's order. */
function loops(kind: MeterKind, parents: ReadonlyMap<string, string>): TreeIssue[] {
  const issues: TreeIssue[] = [];
  const reported = new Set<string>();
  for (const start of parents.keys()) {
    const path: string[] = [];
    let at: string | undefined = start;
    while (at !== undefined && !path.includes(at) && !reported.has(at)) {
      path.push(at);
      at = parents.get(at);
    }
    if (at === undefined || reported.has(at)) continue;
    const loop = path.slice(path.indexOf(at));
    for (const member of loop) reported.add(member);
    issues.push({
      path: [kind, 'parents', at],
      message: `a loop: ${[...loop, at].join(' → ')} (a meter cannot sit below itself)`,
    });
  }
  return issues;
}

function explicitProblem(
  config: PlantConfig,
  kind: MeterKind,
  child: string,
  parent: string,
): string | undefined {
  if (child === parent) return 'a meter cannot be its own parent';
  const problem = counterProblem(config, kind, child) ?? counterProblem(config, kind, parent);
  if (problem) return problem;
  if (config.energy[kind].mains?.includes(child))
    return `"${child}" is a main meter (in ${kind}.mains): rooms, buildings and the site are summed from the mains, so a main meter has no parent (or its energy would be counted twice)`;
  return undefined;
}

export function meteringTree(config: PlantConfig, kind: MeterKind): MeteringTree {
  const settings = config.energy[kind];
  const given = new Map(Object.entries(settings.parents ?? {}));
  const meters = config.devices.filter((d) => d.enabled && !counterProblem(config, kind, d.id));
  const mains = new Set(settings.mains ?? meters.filter((m) => !given.has(m.id)).map((m) => m.id));
  const issues: TreeIssue[] = [];
  const parents = new Map<string, string>();
  for (const [child, parent] of given) {
    const problem = explicitProblem(config, kind, child, parent);
    if (problem) issues.push({ path: [kind, 'parents', child], message: problem });
    else parents.set(child, parent);
  }
  const mainMeters = meters.filter((m) => mains.has(m.id));
  for (const meter of meters) {
    if (mains.has(meter.id) || given.has(meter.id)) continue;
    const found = defaultParent(kind, meter, mainMeters);
    if ('parent' in found) parents.set(meter.id, found.parent);
    else issues.push({ path: [kind, 'parents', meter.id], message: found.problem });
  }
  issues.push(...loops(kind, parents));
  return { parents, mains, issues };
}

/**
 * Reads a configuration directory, validates every file and the references between
 * them, and returns one resolved PlantConfig, or throws a ConfigError listing every
 * problem (file, key path, line, what was expected) so a user fixes them all in one go.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { isProduction, isPublishedDemoPassword } from '../vocabulary/demo-passwords.js';
import { type AlarmsFile, alarmsFile } from './alarms-schema.js';
import {
  type DerivedPoint,
  derivedPoints,
  devicesOfEquipment,
  GENERATED_RULE_IDS,
  generatedRules,
} from './derived.js';
import { checkEnergy, checkMaintenance } from './energy-references.js';
import { type EnergySettings, energyFile } from './energy-schema.js';
import { type MaintenanceSettings, maintenanceFile } from './maintenance-schema.js';
import { checkMimics } from './mimic-references.js';
import { NOTIFY_DISABLED, type NotifySettings, notifyFile } from './notify-schema.js';
import { checkReferences } from './references.js';
import {
  type DeviceConfig,
  devicesFile,
  type GatewaySettings,
  gatewayFile,
  linesFile,
  type ModbusLineConfig,
  type Profile,
  profileFile,
  type SimulationConfig,
  type Site,
  simulationFile,
  siteFile,
} from './schema.js';

export interface ConfigIssue {
  file: string;
  /** Key path inside the file, e.g. "devices[3].modbus.line". */
  path: string;
  line?: number;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid configuration:\n${issues.map(formatIssue).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

export interface PlantConfig {
  dir: string;
  gateway: GatewaySettings;
  sites: Site[];
  lines: ModbusLineConfig[];
  profiles: Map<string, Profile>;
  devices: DeviceConfig[];
  simulation: SimulationConfig;
  /** Alarm rules and settings (config/alarms.yaml; no rules when absent). */
  alarms: AlarmsFile;
  /** Duty roster, channels and escalation (config/notify.yaml; notifications off when absent). */
  notify: NotifySettings;
  /** Meters, leaks, retrofits and the monthly report (config/energy.yaml; defaults when absent). */
  energy: EnergySettings;
  /** Planned maintenance (config/maintenance.yaml; none when absent). */
  maintenance: MaintenanceSettings;
  /** Points the gateway computes itself (leak detection, maintenance), by device. */
  derived: DerivedPoint[];
}

/** Where a validated value came from, for reference errors found after parsing. */
export interface Located<T> {
  value: T;
  file: string;
  path: (string | number)[];
  lineOf: (path: (string | number)[]) => number | undefined;
}

type Path = (string | number)[];

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

interface ParsedFile<T> {
  file: string;
  data?: T;
  lineOf: (path: Path) => number | undefined;
}

/** Parse and validate one YAML file against a schema; problems go to `issues`. */
function readYaml<S extends z.ZodType>(
  absPath: string,
  displayName: string,
  schema: S,
  issues: ConfigIssue[],
  env: NodeJS.ProcessEnv,
): ParsedFile<z.infer<S>> {
  const text = readFileSync(absPath, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const lineOf = (path: Path): number | undefined => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as Node | undefined;
      if (node && (isMap(node) || isSeq(node) || isScalar(node)) && node.range) {
        return lineCounter.linePos(node.range[0]).line;
      }
    }
    return undefined;
  };
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const line = error.linePos?.[0]?.line;
      issues.push({
        file: displayName,
        path: '',
        line,
        message: `YAML syntax: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
      });
    }
    return { file: displayName, lineOf };
  }
  let js: unknown;
  try {
    js = doc.toJS();
  } catch (err) {
    // The YAML library refuses aliases that expand beyond reason ("billion laughs"): say so.
    const reason = err instanceof Error ? err.message : String(err);
    issues.push({ file: displayName, path: '', message: `YAML: ${reason}` });
    return { file: displayName, lineOf };
  }
  const envIssues: ConfigIssue[] = [];
  const raw = expandEnv(js ?? {}, [], displayName, envIssues, lineOf, env, dirname(absPath));
  issues.push(...envIssues);
  // A value whose variable is unset was already reported; its empty stand-in is not a second problem.
  const unsetPaths = new Set(envIssues.map((issue) => issue.path));
  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of flattenUnions(result.error.issues, [])) {
      const path = issue.path as Path;
      if (unsetPaths.has(formatPath(path))) continue;
      issues.push({
        file: displayName,
        path: formatPath(path),
        line: lineOf(path),
        message: describe(issue),
      });
    }
    return { file: displayName, lineOf };
  }
  return { file: displayName, data: result.data, lineOf };
}

/**
 * A plain union (a device is modbus, mqtt or bacnet) fails with one issue per branch; report
 * the branch that came closest, which is what the user meant to write: the one with fewest
 * problems at its own level (a connection key missing or unknown says "not this branch"),
 * then fewest problems in all.
 */
function flattenUnions(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): z.core.$ZodIssue[] {
  const shallow = (branch: readonly z.core.$ZodIssue[]) => branch.filter((i) => i.path.length <= 1).length;
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest =
        [...issue.errors].sort((a, b) => shallow(a) - shallow(b) || a.length - b.length)[0] ?? [];
      return flattenUnions(closest, path);
    }
    return [{ ...issue, path }];
  });
}

/** zod's messages, reworded to say what was expected in the words of a config file. */
function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const unknown = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    // Register numbers from a manual (40013) are written as a table and a 0-based address.
    return issue.keys.includes('register')
      ? `${unknown} (write table and 0-based address: 40013 is table: holding, address: 12)`
      : unknown;
  }
  // A bad key of a map (e.g. an input name): say what is wrong with the key itself.
  if (issue.code === 'invalid_key' && issue.issues[0]) return describe(issue.issues[0]);
  if (issue.code === 'invalid_value' && issue.values.length > 1) {
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    return `expected one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`;
  }
  return issue.message.replace(/^Invalid input: /, '').replace(/^Invalid option: /, '');
}

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
/**
 * "${NAME}", "${NAME:-default}", or "${file:/run/secrets/x}" (the path may itself use
 * "${NAME}", e.g. "${file:${CREDENTIALS_DIRECTORY}/smtp}"). One pass: what a variable or a
 * file holds is never expanded again.
 */
const REF = new RegExp(`\\$\\{file:((?:[^{}$]|\\$\\{${NAME}\\})+)\\}|\\$\\{(${NAME})(?::-([^}]*))?\\}`, 'g');
const ENV_IN_PATH = new RegExp(`\\$\\{(${NAME})\\}`, 'g');

/**
 * Secrets stay out of the repo: "${MQTT_PASSWORD}" or "${VAR:-default}" from the environment,
 * "${file:/run/secrets/mqtt_password}" from a file (Docker secrets, systemd credentials; a
 * relative path is relative to the YAML file naming it; one trailing newline is dropped).
 */
function expandEnv(
  value: unknown,
  path: Path,
  file: string,
  issues: ConfigIssue[],
  lineOf: (path: Path) => number | undefined,
  env: NodeJS.ProcessEnv,
  dir: string,
): unknown {
  const problem = (message: string) =>
    issues.push({ file, path: formatPath(path), line: lineOf(path), message });
  if (typeof value === 'string') {
    return value.replace(
      REF,
      (_match, secretPath: string | undefined, name: string | undefined, fallback: string | undefined) => {
        if (secretPath !== undefined) {
          let unset = false;
          const resolved = secretPath.replace(ENV_IN_PATH, (_m, inner: string) => {
            const found = env[inner];
            if (found === undefined) {
              unset = true;
              problem(`environment variable ${inner} (in a secret file's path) is not set`);
            }
            return found ?? '';
          });
          if (unset) return '';
          const abs = resolve(dir, resolved);
          try {
            return readFileSync(abs, 'utf8').replace(/\r?\n$/, '');
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            problem(
              `secret file ${abs} cannot be read (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'error')})`,
            );
            return '';
          }
        }
        const found = env[name as string] ?? fallback;
        if (found === undefined) {
          problem(
            `environment variable ${name} is not set (set it in the gateway's environment; a setting that is no secret may carry a default: \${${name}:-value})`,
          );
          return '';
        }
        return found;
      },
    );
  }
  if (Array.isArray(value))
    return value.map((v, i) => expandEnv(v, [...path, i], file, issues, lineOf, env, dir));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, expandEnv(v, [...path, k], file, issues, lineOf, env, dir)]),
    );
  }
  return value;
}

function yamlFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** One problem a feature module finds in its own section: a key path inside the file, and what is wrong. */
export interface SectionProblem {
  path: (string | number)[];
  message: string;
}

/**
 * A feature module's check of its own section, beyond its schema (the alarm rules against the
 * plant's devices and points: src/alarms/section-check.ts). Configuration imports no feature
 * module (test/architecture.test.ts): the checks are handed in, see src/gateway/load-config.ts.
 */
export interface SectionCheck {
  /** The section's file; the check runs only when that file is present and valid. */
  file: 'alarms.yaml' | 'notify.yaml' | 'energy.yaml' | 'maintenance.yaml';
  check(config: PlantConfig): SectionProblem[];
}

/**
 * The library of manufacturers' profiles shipped with Plantwatch: profiles/ at the package root,
 * two folders up from src/config (tests) and three from dist/src/config (the built gateway).
 */
export const PROFILE_LIBRARY_DIR =
  ['../../profiles', '../../../profiles']
    .map((up) => fileURLToPath(new URL(up, import.meta.url)))
    .find((candidate) => existsSync(candidate)) ?? fileURLToPath(new URL('../../profiles', import.meta.url));

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Where a profile the configuration does not define is looked for (default PROFILE_LIBRARY_DIR). */
  profileLibrary?: string;
  /** Run once the rest of the configuration is sound; their problems name the file, key and line. */
  sectionChecks?: readonly SectionCheck[];
}

/**
 * Load `dir`: plantwatch.yaml, site.yaml, lines.yaml (optional), profiles/*.yaml,
 * devices/*.yaml, simulation.yaml, alarms.yaml and notify.yaml (each optional).
 */
export function loadConfig(dir: string, options: LoadOptions = {}): PlantConfig {
  const env = options.env ?? process.env;
  const issues: ConfigIssue[] = [];
  const display = (abs: string) => relative(process.cwd(), abs) || abs;
  if (!existsSync(dir))
    throw new ConfigError([{ file: dir, path: '', message: 'configuration directory not found' }]);

  const required = <S extends z.ZodType>(name: string, schema: S) => {
    const abs = join(dir, name);
    if (!existsSync(abs)) {
      issues.push({ file: display(abs), path: '', message: 'required file is missing' });
      return undefined;
    }
    return readYaml(abs, display(abs), schema, issues, env);
  };
  const optional = <S extends z.ZodType>(name: string, schema: S) => {
    const abs = join(dir, name);
    return existsSync(abs) ? readYaml(abs, display(abs), schema, issues, env) : undefined;
  };

  const gateway = required('plantwatch.yaml', gatewayFile);
  const sites = required('site.yaml', siteFile);
  const lines = optional('lines.yaml', linesFile);
  const simulation = optional('simulation.yaml', simulationFile);
  const firstAlarmIssue = issues.length;
  const alarms = optional('alarms.yaml', alarmsFile);
  nameRulesIn(issues.slice(firstAlarmIssue), join(dir, 'alarms.yaml'));
  const notify = optional('notify.yaml', notifyFile);
  const energy = optional('energy.yaml', energyFile);
  const maintenance = optional('maintenance.yaml', maintenanceFile);
  const profiles = yamlFilesIn(join(dir, 'profiles')).map((abs) =>
    readYaml(abs, display(abs), profileFile, issues, env),
  );
  const deviceFiles = yamlFilesIn(join(dir, 'devices')).map((abs) =>
    readYaml(abs, display(abs), devicesFile, issues, env),
  );
  // A profile the configuration does not define comes from the library; its own of the same id wins.
  const library = options.profileLibrary ?? PROFILE_LIBRARY_DIR;
  const profileIdOf = (file: string) => basename(file).replace(/\.ya?ml$/, '');
  const ownProfileIds = new Set(profiles.map((parsed) => profileIdOf(parsed.file)));
  const libraryIds = new Set(yamlFilesIn(library).map(profileIdOf));
  const fromLibrary = new Set(
    deviceFiles.flatMap((parsed) => (parsed.data?.devices ?? []).map((device) => device.profile)),
  );
  // Folders shared between campuses (plantwatch.yaml sharedProfiles) come before the library.
  const shared = (gateway?.data?.sharedProfiles ?? []).map((folder) => resolve(dir, folder));
  for (const folder of shared) {
    if (!existsSync(folder))
      issues.push({
        file: display(join(dir, 'plantwatch.yaml')),
        path: 'sharedProfiles',
        line: gateway?.lineOf(['sharedProfiles']),
        message: `folder "${folder}" not found`,
      });
  }
  for (const id of [...fromLibrary].sort()) {
    if (ownProfileIds.has(id)) continue;
    const folder = [...shared, ...(libraryIds.has(id) ? [library] : [])].find((f) =>
      existsSync(join(f, `${id}.yaml`)),
    );
    if (!folder) continue;
    const abs = join(folder, `${id}.yaml`);
    profiles.push(readYaml(abs, display(abs), profileFile, issues, env));
  }

  const config: PlantConfig = {
    dir,
    gateway: gateway?.data ?? gatewayFile.parse({}),
    sites: sites?.data?.sites ?? [],
    lines: lines?.data?.lines ?? [],
    profiles: new Map(),
    devices: [],
    simulation: simulation?.data ?? simulationFile.parse({}),
    alarms: alarms?.data ?? alarmsFile.parse({}),
    notify: notify?.data ?? NOTIFY_DISABLED,
    energy: { timezone: 'UTC', ...(energy?.data ?? energyFile.parse({})) },
    maintenance: maintenance?.data ?? maintenanceFile.parse({}),
    derived: [],
  };
  // One plant, one local time: night windows and message times follow the duty roster's zone
  // unless alarms.yaml names its own (the machine's zone is often UTC in a container).
  if (config.alarms.settings.timezone === undefined && notify?.data)
    config.alarms.settings.timezone = notify.data.timezone;
  config.energy.timezone = energy?.data?.timezone ?? config.alarms.settings.timezone ?? 'UTC';
  for (const parsed of profiles) {
    if (!parsed.data) continue;
    const expected = basename(parsed.file).replace(/\.ya?ml$/, '');
    if (parsed.data.id !== expected) {
      issues.push({
        file: parsed.file,
        path: 'id',
        line: parsed.lineOf(['id']),
        message: `profile id "${parsed.data.id}" must match its file name "${expected}"`,
      });
    }
    config.profiles.set(parsed.data.id, parsed.data);
  }
  for (const parsed of deviceFiles) config.devices.push(...(parsed.data?.devices ?? []));

  // References are only worth checking once every file parsed: otherwise one typo cascades.
  if (issues.length === 0) {
    const unknownProfiles = unknownProfileIssues(deviceFiles, config, {
      own: display(join(dir, 'profiles')),
      library: display(library),
    });
    // The reference check also finds them, without naming the library: one problem, said once.
    const reportedAt = new Set(unknownProfiles.map((issue) => `${issue.file}#${issue.path}`));
    const references = checkReferences({
      config,
      gatewayFile: gateway,
      siteFile: sites,
      linesFile: lines,
      profileFiles: profiles,
      deviceFiles,
      simulationFile: simulation,
    }).filter((issue) => !reportedAt.has(`${issue.file}#${issue.path}`));
    issues.push(
      ...unknownProfiles,
      ...references,
      ...checkMqttNeeded(gateway, deviceFiles, notify),
      ...checkDemoMqttPasswords(gateway, env),
    );
  }
  if (issues.length === 0) {
    issues.push(...checkEnergy(config, config.energy, energy));
    issues.push(...checkMaintenance(config, config.maintenance, maintenance));
    issues.push(...checkMimics({ config, siteFile: sites, deviceFiles }));
  }
  if (issues.length === 0) issues.push(...addDerived(config, alarms));
  // The feature modules' own checks (alarm rules name points of devices): once the plant is sound.
  if (issues.length === 0) {
    const sections = {
      'alarms.yaml': alarms,
      'notify.yaml': notify,
      'energy.yaml': energy,
      'maintenance.yaml': maintenance,
    };
    issues.push(...sectionIssues(config, options.sectionChecks ?? [], sections));
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}

/** A device naming a profile found neither in the configuration's profiles/ nor in the library. */
function unknownProfileIssues(
  deviceFiles: readonly ParsedFile<{ devices: DeviceConfig[] }>[],
  config: PlantConfig,
  searched: { own: string; library: string },
): ConfigIssue[] {
  // The library's list lives in config/README.md: naming it all here would bury the site's own.
  const own = [...config.profiles.keys()].map((id) => `${id}, `).join('');
  const choices = `${own}or a library profile listed in config/README.md`;
  return deviceFiles.flatMap((file) =>
    (file.data?.devices ?? []).flatMap((device, i) => {
      if (config.profiles.has(device.profile)) return [];
      const path = ['devices', i, 'profile'];
      return [
        {
          file: file.file,
          path: formatPath(path),
          line: file.lineOf(path),
          message: `unknown profile "${device.profile}": neither in ${searched.own}/ nor in Plantwatch's profile library (${searched.library}/) (expected one of: ${choices})`,
        },
      ];
    }),
  );
}

/**
 * Without an mqtt: section the gateway opens no broker and makes no connection: an MQTT meter
 * or the MQTT notification channel would then wait for messages that never come.
 */
function checkMqttNeeded(
  gateway: ParsedFile<GatewaySettings> | undefined,
  deviceFiles: readonly ParsedFile<{ devices: DeviceConfig[] }>[],
  notify: ParsedFile<{ channels: { mqtt?: unknown } }> | undefined,
): ConfigIssue[] {
  if (gateway?.data?.mqtt) return [];
  const where = `needs MQTT, which is off: ${gateway?.file ?? 'plantwatch.yaml'} has no mqtt: section naming the broker (config/README.md)`;
  const issue = (file: ParsedFile<unknown>, path: Path, what: string): ConfigIssue => ({
    file: file.file,
    path: formatPath(path),
    line: file.lineOf(path),
    message: `${what} ${where}`,
  });
  const devices = deviceFiles.flatMap((file) =>
    (file.data?.devices ?? []).flatMap((device, i) =>
      'mqtt' in device ? [issue(file, ['devices', i, 'mqtt'], `MQTT device "${device.id}"`)] : [],
    ),
  );
  const channel = notify?.data?.channels.mqtt
    ? [issue(notify, ['channels', 'mqtt'], 'the MQTT channel')]
    : [];
  return [...devices, ...channel];
}

/** Like the demo's dashboard accounts, its broker users' published passwords are refused in production. */
function checkDemoMqttPasswords(
  gateway: ParsedFile<GatewaySettings> | undefined,
  env: NodeJS.ProcessEnv,
): ConfigIssue[] {
  const broker = gateway?.data?.mqtt?.broker;
  if (!gateway || !broker || !isProduction(env)) return [];
  // The embedded broker's users, or the gateway's own login on an external (central) broker.
  const logins =
    broker.mode === 'embedded'
      ? broker.users.map((user, i) => ({ ...user, path: ['mqtt', 'broker', 'users', i, 'password'] }))
      : [
          {
            username: broker.username ?? '',
            password: broker.password ?? '',
            path: ['mqtt', 'broker', 'password'],
          },
        ];
  return logins.flatMap((user) => {
    if (!isPublishedDemoPassword(user.password)) return [];
    const path = user.path;
    return [
      {
        file: gateway.file,
        path: formatPath(path),
        line: gateway.lineOf(path),
        message:
          `MQTT user "${user.username}" has the demo's published password "${user.password}", refused when ` +
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own ${VAR} syntax.
          'NODE_ENV=production: give it its own from the environment or a file (${VAR} or ${file:/run/secrets/...}, without a default)',
      },
    ];
  });
}

/**
 * The points the gateway computes (leaks, maintenance) and their generated alarm rules, which
 * alarms.yaml may not redefine: their thresholds live in energy.yaml and maintenance.yaml.
 */
function addDerived(config: PlantConfig, alarms: ParsedFile<AlarmsFile> | undefined): ConfigIssue[] {
  const equipmentOf = (profile: string) => config.profiles.get(profile)?.equipment;
  // Leaks are found in a meter's flow: a water meter without a flow point is not watched.
  const waterMeters = devicesOfEquipment(config.devices, equipmentOf, 'water-meter').filter((id) =>
    config.profiles
      .get(config.devices.find((d) => d.id === id)?.profile ?? '')
      ?.points.some((p) => p.name === config.energy.water.rate),
  );
  config.derived = derivedPoints(config.energy, config.maintenance, waterMeters);
  const generated = generatedRules(config.energy, config.maintenance, waterMeters);
  const issues: ConfigIssue[] = [];
  const taken = new Set<string>(Object.values(GENERATED_RULE_IDS));
  config.alarms.rules.forEach((rule, i) => {
    if (taken.has(rule.id) && alarms)
      issues.push({
        file: alarms.file,
        path: formatPath(['rules', i, 'id']),
        line: alarms.lineOf(['rules', i, 'id']),
        message: `rule id "${rule.id}" is reserved for the rule the gateway generates from energy.yaml / maintenance.yaml`,
      });
  });
  config.alarms.rules.push(...generated);
  return issues;
}

/** "rules[3].message: ..." becomes "rules[3].message: rule "pf-low": ..." so the user finds the rule by name. */
function nameRulesIn(alarmIssues: ConfigIssue[], absPath: string): void {
  if (alarmIssues.length === 0) return;
  let rules: unknown;
  try {
    rules = (parseYaml(readFileSync(absPath, 'utf8')) as { rules?: unknown } | null)?.rules;
  } catch {
    return; // a syntax error: already reported as such
  }
  if (!Array.isArray(rules)) return;
  for (const issue of alarmIssues) {
    const index = /^rules\[(\d+)\]/.exec(issue.path)?.[1];
    const id = index === undefined ? undefined : (rules[Number(index)] as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') issue.message = `rule "${id}": ${issue.message}`;
  }
}

function sectionIssues(
  config: PlantConfig,
  checks: readonly SectionCheck[],
  files: Record<SectionCheck['file'], ParsedFile<unknown> | undefined>,
): ConfigIssue[] {
  return checks.flatMap(({ file, check }) => {
    const parsed = files[file];
    if (!parsed?.data) return [];
    return check(config).map(({ path, message }) => ({
      file: parsed.file,
      path: formatPath(path),
      line: parsed.lineOf(path),
      message,
    }));
  });
}

export type { ParsedFile };

/**
 * What a BACnet scan found, as configuration (`plantwatch scan bacnet --out <dir>`): a profile
 * per device model (one point per object, named from its object-name, its BACnet unit as
 * Plantwatch writes units), devices/<port>.yaml with each device's instance and address, and
 * the port's entry for plantwatch.yaml's `bacnet:` section. Once the `FILL IN` places are
 * filled, `plantwatch check-config` takes them as they are.
 *
 * Scanning again (points added to a controller later): a profile already there (in the
 * directory written to, or given) for the same model is kept as it was written, comments and
 * all, with the objects new since marked `# scan: new object` at the end of its points and the
 * points whose object is gone marked; devices already in devices/<port>.yaml keep their entries.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { EngineeringUnits, ObjectType } from '@bacnet-js/client';
import { Document, isMap, isNode, isSeq, type Node, parse, parseDocument, type YAMLSeq } from 'yaml';
import { type BacnetProfile, profileFile, RESERVED_TOPIC_NAMES } from '../config/schema.js';
import {
  type BacnetScanResult,
  BINARY_TYPES,
  isMultiState,
  objectTypeName,
  type ScannedDevice,
  type ScannedObject,
} from './bacnet.js';
import { FILL_IN } from './draft.js';

// ---------------------------------------------------------------- units

/** BACnet engineering units as Plantwatch's profiles write them; the others keep BACnet's name. */
export const BACNET_UNITS: ReadonlyMap<number, string> = new Map<number, string>([
  [EngineeringUnits.NO_UNITS, ''],
  [EngineeringUnits.POWER_FACTOR, ''],
  [EngineeringUnits.DEGREES_CELSIUS, '°C'],
  [EngineeringUnits.DEGREES_FAHRENHEIT, '°F'],
  [EngineeringUnits.DEGREES_KELVIN, 'K'],
  [EngineeringUnits.DELTA_DEGREES_KELVIN, 'K'],
  [EngineeringUnits.DEGREES_CELSIUS_PER_HOUR, '°C/h'],
  [EngineeringUnits.PERCENT, '%'],
  [EngineeringUnits.PERCENT_RELATIVE_HUMIDITY, '%RH'],
  [EngineeringUnits.WATTS, 'W'],
  [EngineeringUnits.KILOWATTS, 'kW'],
  [EngineeringUnits.MEGAWATTS, 'MW'],
  [EngineeringUnits.WATT_HOURS, 'Wh'],
  [EngineeringUnits.KILOWATT_HOURS, 'kWh'],
  [EngineeringUnits.MEGAWATT_HOURS, 'MWh'],
  [EngineeringUnits.KILOWATT_HOURS_REACTIVE, 'kvarh'],
  [EngineeringUnits.VOLT_AMPERES, 'VA'],
  [EngineeringUnits.KILOVOLT_AMPERES, 'kVA'],
  [EngineeringUnits.VOLT_AMPERES_REACTIVE, 'var'],
  [EngineeringUnits.KILOVOLT_AMPERES_REACTIVE, 'kvar'],
  [EngineeringUnits.KILOVOLT_AMPERE_HOURS, 'kVAh'],
  [EngineeringUnits.VOLTS, 'V'],
  [EngineeringUnits.MILLIVOLTS, 'mV'],
  [EngineeringUnits.KILOVOLTS, 'kV'],
  [EngineeringUnits.AMPERES, 'A'],
  [EngineeringUnits.MILLIAMPERES, 'mA'],
  [EngineeringUnits.HERTZ, 'Hz'],
  [EngineeringUnits.OHMS, 'Ω'],
  [EngineeringUnits.KILOHMS, 'kΩ'],
  [EngineeringUnits.PASCALS, 'Pa'],
  [EngineeringUnits.HECTOPASCALS, 'hPa'],
  [EngineeringUnits.KILOPASCALS, 'kPa'],
  [EngineeringUnits.MILLIBARS, 'mbar'],
  [EngineeringUnits.BARS, 'bar'],
  [EngineeringUnits.CUBIC_METERS, 'm³'],
  [EngineeringUnits.CUBIC_METERS_PER_SECOND, 'm³/s'],
  [EngineeringUnits.CUBIC_METERS_PER_MINUTE, 'm³/min'],
  [EngineeringUnits.CUBIC_METERS_PER_HOUR, 'm³/h'],
  [EngineeringUnits.LITERS, 'L'],
  [EngineeringUnits.LITERS_PER_SECOND, 'L/s'],
  [EngineeringUnits.LITERS_PER_MINUTE, 'L/min'],
  [EngineeringUnits.LITERS_PER_HOUR, 'L/h'],
  [EngineeringUnits.KILOGRAMS, 'kg'],
  [EngineeringUnits.KILOGRAMS_PER_SECOND, 'kg/s'],
  [EngineeringUnits.KILOGRAMS_PER_HOUR, 'kg/h'],
  [EngineeringUnits.REVOLUTIONS_PER_MINUTE, 'rpm'],
  [EngineeringUnits.MILLISECONDS, 'ms'],
  [EngineeringUnits.SECONDS, 's'],
  [EngineeringUnits.MINUTES, 'min'],
  [EngineeringUnits.HOURS, 'h'],
  [EngineeringUnits.DAYS, 'd'],
  [EngineeringUnits.MILLIMETERS, 'mm'],
  [EngineeringUnits.CENTIMETERS, 'cm'],
  [EngineeringUnits.METERS, 'm'],
  [EngineeringUnits.METERS_PER_SECOND, 'm/s'],
  [EngineeringUnits.JOULES, 'J'],
  [EngineeringUnits.KILOJOULES, 'kJ'],
  [EngineeringUnits.MEGAJOULES, 'MJ'],
  [EngineeringUnits.KILOJOULES_PER_KILOGRAM_DRY_AIR, 'kJ/kg'],
  [EngineeringUnits.GRAMS_OF_WATER_PER_KILOGRAM_DRY_AIR, 'g/kg'],
  [EngineeringUnits.PARTS_PER_MILLION, 'ppm'],
  [EngineeringUnits.PARTS_PER_BILLION, 'ppb'],
  [EngineeringUnits.MICROGRAMS_PER_CUBIC_METER, 'µg/m³'],
  [EngineeringUnits.MILLIGRAMS_PER_CUBIC_METER, 'mg/m³'],
  [EngineeringUnits.LUXES, 'lx'],
  [EngineeringUnits.DECIBELS, 'dB'],
  [EngineeringUnits.DECIBELS_A, 'dB(A)'],
  [EngineeringUnits.PH, 'pH'],
  [EngineeringUnits.DEGREES_ANGULAR, '°'],
  [EngineeringUnits.DEGREES_PHASE, '°'],
  [EngineeringUnits.WATTS_PER_SQUARE_METER, 'W/m²'],
]);

/** Units whose value only grows (a meter's total): the point is drafted as a counter. */
const COUNTER_UNITS = new Set(['Wh', 'kWh', 'MWh', 'kvarh', 'kVAh', 'm³']);
const COUNTER_TYPES = new Set<number>([ObjectType.ACCUMULATOR, ObjectType.PULSE_CONVERTER]);

/** "kW" for a known unit, "" for no-units, else BACnet's name of it ("newton-meters"). */
export function unitText(units: number): string {
  const known = BACNET_UNITS.get(units);
  if (known !== undefined) return known;
  const name = EngineeringUnits[units] as string | undefined;
  return name ? name.toLowerCase().replaceAll('_', '-') : `bacnet-unit-${units}`;
}

// ---------------------------------------------------------------- names

/** What BMS object lists call the types: the point name of an object whose name has none to give. */
const TYPE_ABBREVIATIONS: Record<number, string> = {
  [ObjectType.ANALOG_INPUT]: 'ai',
  [ObjectType.ANALOG_OUTPUT]: 'ao',
  [ObjectType.ANALOG_VALUE]: 'av',
  [ObjectType.BINARY_INPUT]: 'bi',
  [ObjectType.BINARY_OUTPUT]: 'bo',
  [ObjectType.BINARY_VALUE]: 'bv',
  [ObjectType.MULTI_STATE_INPUT]: 'msi',
  [ObjectType.MULTI_STATE_OUTPUT]: 'mso',
  [ObjectType.MULTI_STATE_VALUE]: 'msv',
  [ObjectType.ACCUMULATOR]: 'acc',
};

const CJK = /[\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/;
const MAX_ID_LENGTH = 64;

/** Lower case, accents dropped, every run of characters an id cannot have one `separator`. */
function slug(text: string, separator: '_' | '-'): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, separator)
    .slice(0, MAX_ID_LENGTH)
    .replace(/^[_-]+|[_-]+$/g, '');
}

/**
 * A point's name from its object-name ("Supply Air Temp" → supply_air_temp); from its type and
 * instance (ai3) when the name is absent, or Chinese (the label keeps it: letters left over from
 * "AHU1送风温度" would name nothing).
 */
export function pointNameOf(object: Pick<ScannedObject, 'type' | 'instance' | 'name'>): string {
  const fromName = object.name && !CJK.test(object.name) ? slug(object.name, '_') : '';
  if (fromName) return fromName;
  const abbreviation = TYPE_ABBREVIATIONS[object.type];
  return abbreviation
    ? `${abbreviation}${object.instance}`
    : `${objectTypeName(object.type)}-${object.instance}`;
}

/** `base`, or `base_2`, `base_3`… whichever is not taken yet; taken from then on. */
function unique(base: string, taken: Set<string>, separator: '_' | '-'): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}${separator}${n}`;
  taken.add(id);
  return id;
}

/** A configured name: Chinese as `{ zh: … }`, the rest as it is. */
const bilingualText = (text: string) => (CJK.test(text) ? { zh: text } : text);

// ---------------------------------------------------------------- the table

const READ_MODES = { 'read-property-multiple': 'RPM', 'read-property': 'RP' } as const;

/** The devices read as a fixed-width table, one row a device. */
export function formatDeviceTable(devices: readonly ScannedDevice[]): string {
  const header = [
    'instance',
    'address',
    'name',
    'vendor',
    'model',
    'max-apdu',
    'segmentation',
    'read with',
    'object-list',
    'objects',
    'points',
  ];
  const rows = devices.map((d) => [
    String(d.instance),
    d.address,
    d.name ?? '?',
    d.vendorName ?? `vendor ${d.vendorId}`,
    d.modelName ?? '?',
    String(d.maxApdu),
    d.segmentation ?? '?',
    READ_MODES[d.readMode],
    d.objectList === 'whole' ? 'whole' : 'by element',
    String(d.objectCount),
    String(d.objects.length),
  ]);
  const width = (text: string) => [...text].reduce((n, c) => n + (CJK.test(c) ? 2 : 1), 0);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => width(row[column] ?? ''))),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell + ' '.repeat(Math.max(0, (widths[column] ?? 0) - width(cell))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

// ---------------------------------------------------------------- profiles

export interface BacnetPortDraft {
  /** The port's id in plantwatch.yaml's bacnet.ports, and the devices file's name. */
  id: string;
  interface: string;
  udpPort: number;
  broadcastAddress: string;
}

/** A profile written before, to scan against: its text (kept as written) and what it says. */
export interface ExistingProfile {
  file: string;
  text: string;
  profile: BacnetProfile;
}

/** A BACnet profile file, checked; throws saying why it is not one. */
export function readExistingProfile(file: string): ExistingProfile {
  const text = readFileSync(file, 'utf8');
  const parsed = profileFile.safeParse(parse(text));
  if (!parsed.success)
    throw new Error(
      `${file}: not a valid profile: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  if (parsed.data.protocol !== 'bacnet')
    throw new Error(`${file}: a ${parsed.data.protocol} profile, not bacnet`);
  return { file, text, profile: parsed.data };
}

export interface ProfileDraftSummary {
  id: string;
  /** The instances of the devices it is drafted for. */
  devices: number[];
  points: number;
  /** The profile scanned against, when there was one for this model. */
  mergedWith?: string;
  /** Objects not in that profile ("analog-input:12"). */
  newObjects: string[];
  /** Its points whose object the device no longer lists. */
  goneObjects: string[];
}

export interface BacnetDraftFiles {
  /** devices/<port id>.yaml */
  devices: string;
  /** plantwatch.bacnet.<port id>.yaml: the port, for plantwatch.yaml's bacnet: section. */
  port: string;
  /** profiles/<id>.yaml, by id. */
  profiles: { id: string; text: string }[];
  summary: ProfileDraftSummary[];
  /** Devices drafted without a profile (no point objects read): their profile is FILL IN. */
  withoutProfile: number[];
}

export interface BacnetDraftOptions {
  port: BacnetPortDraft;
  /** What made the draft, for its first comment line (default `plantwatch scan bacnet`). */
  source?: string;
  /** Profiles given to scan against (`--profile`): matched by model, or the only one to the only model. */
  profiles?: readonly ExistingProfile[];
  /** Profiles already where the draft goes: matched by model only. */
  profilesThere?: readonly ExistingProfile[];
  /** Profile ids in use where the draft goes: a new profile takes another. */
  takenProfileIds?: readonly string[];
  /** The devices file already where the draft goes: its entries are kept. */
  devicesThere?: string;
  /** Device ids of the other devices files where the draft goes: a new device takes another. */
  takenDeviceIds?: readonly string[];
}

interface Group {
  devices: ScannedDevice[];
  objects: ScannedObject[];
  model: string | undefined;
  vendor: string | undefined;
}

/** Devices of one model with the same objects (names included) share a profile. */
function groupByModel(devices: readonly ScannedDevice[]): Group[] {
  const groups = new Map<string, Group>();
  for (const device of devices) {
    if (device.objects.length === 0) continue;
    const key = JSON.stringify([
      device.vendorName,
      device.modelName,
      device.objects.map((o) => [o.object, o.name, o.units]),
    ]);
    const group = groups.get(key);
    if (group) group.devices.push(device);
    else
      groups.set(key, {
        devices: [device],
        objects: device.objects,
        model: device.modelName,
        vendor: device.vendorName,
      });
  }
  return [...groups.values()];
}

function draftPoint(object: ScannedObject, names: Set<string>): Record<string, unknown> {
  const name = unique(pointNameOf(object), names, '_');
  const labelText = object.description ?? object.name;
  const unit = object.units === undefined ? '' : unitText(object.units);
  const binary = BINARY_TYPES.has(object.type);
  const counter = COUNTER_TYPES.has(object.type) || COUNTER_UNITS.has(unit);
  return {
    name,
    ...(labelText && labelText !== name ? { label: bilingualText(labelText) } : {}),
    ...(unit ? { unit } : {}),
    object: object.object,
    // A binary object changes seldom and matters at once: subscribed to, polled where it cannot be.
    ...(binary ? { cov: true } : {}),
    ...(binary || isMultiState(object.type) ? { kind: 'state' } : {}),
    ...(counter ? { counter: true } : {}),
  };
}

const instancesText = (group: Group) => group.devices.map((d) => `${d.instance} (${d.address})`).join(', ');

function freshProfile(id: string, group: Group, source: string): string {
  const first = group.devices[0] as ScannedDevice;
  const names = new Set<string>();
  const doc = new Document({
    id,
    name: bilingualText(group.model ?? first.name ?? `BACnet device ${first.instance}`),
    equipment: 'other',
    protocol: 'bacnet',
    ...(group.vendor ? { maker: group.vendor } : {}),
    ...(group.model ? { model: group.model } : {}),
    pollGroups: { default: '10s' },
    points: group.objects.map((object) => draftPoint(object, names)),
  });
  doc.commentBefore = [
    ` Draft from ${source}: the objects of ${[group.vendor, group.model].filter(Boolean).join(' ') || 'a device'},`,
    ` read from device${group.devices.length > 1 ? 's' : ''} ${instancesText(group)}. A point per object: delete those nobody needs`,
    ' (a large controller lists hundreds), give a slower poll group to setpoints and totals.',
  ].join('\n');
  (doc.get('equipment', true) as Node).comment =
    ' chiller, pump, power-meter, air-handling-unit, … (the mimics and alarm defaults follow it)';
  for (const key of ['name', 'pollGroups']) {
    const node = doc.get(key, true);
    if (isMap(node)) node.flow = true;
  }
  flowPoints(doc.get('points', true) as YAMLSeq);
  return doc.toString({ lineWidth: 0 });
}

function flowPoints(points: YAMLSeq): void {
  for (const item of points.items) if (isMap(item)) item.flow = true;
}

const SCAN_MARK = 'scan:';
const clearScanMark = (node: unknown) => {
  if (isNode(node) && node.comment?.trim().startsWith(SCAN_MARK)) node.comment = undefined;
};

/**
 * The profile as written, its points whose object is gone marked, the objects it lacks added
 * at the end and marked: whatever a person wrote in it (names, labels, poll groups, comments)
 * stays.
 */
function mergedProfile(
  existing: ExistingProfile,
  group: Group,
): { text: string; newObjects: string[]; goneObjects: string[]; points: number } {
  const doc = parseDocument(existing.text);
  const points = doc.get('points', true) as YAMLSeq;
  const present = new Set(group.objects.map((o) => o.object));
  const known = new Set<string>();
  const names = new Set(existing.profile.points.map((p) => p.name));
  const goneObjects: string[] = [];
  existing.profile.points.forEach((point, i) => {
    const item = points.items[i];
    clearScanMark(item);
    known.add(point.object.text);
    if (present.has(point.object.text)) return;
    goneObjects.push(point.name);
    if (isNode(item))
      item.comment = ` ${SCAN_MARK} ${point.object.text} is no longer in the device's object-list`;
  });
  const newObjects: string[] = [];
  for (const object of group.objects) {
    if (known.has(object.object)) continue;
    const node = doc.createNode(draftPoint(object, names));
    node.flow = true;
    node.comment = ` ${SCAN_MARK} new object`;
    points.items.push(node);
    newObjects.push(object.object);
  }
  return { text: doc.toString({ lineWidth: 0 }), newObjects, goneObjects, points: points.items.length };
}

function overlap(profile: BacnetProfile, group: Group): number {
  const objects = new Set(group.objects.map((o) => o.object));
  return profile.points.filter((p) => objects.has(p.object.text)).length;
}

/** The profile written before for this group: same model, most objects in common. */
function matchExisting(
  group: Group,
  groups: number,
  given: readonly ExistingProfile[],
  there: readonly ExistingProfile[],
  used: Set<ExistingProfile>,
): ExistingProfile | undefined {
  const sameModel = (e: ExistingProfile) => group.model !== undefined && e.profile.model === group.model;
  const candidates = [
    ...given.filter((e) => sameModel(e) || (given.length === 1 && groups === 1)),
    ...there.filter((e) => sameModel(e) && overlap(e.profile, group) > 0),
  ].filter((e) => !used.has(e));
  return candidates.sort((a, b) => overlap(b.profile, group) - overlap(a.profile, group))[0];
}

// ---------------------------------------------------------------- devices

function deviceEntry(
  device: ScannedDevice,
  id: string,
  profile: string,
  port: string,
): Record<string, unknown> {
  const asset = {
    ...(device.vendorName ? { maker: device.vendorName } : {}),
    ...(device.modelName ? { model: device.modelName } : {}),
    ...(device.location ? { location: device.location } : {}),
  };
  return {
    id,
    name: bilingualText(device.name ?? `BACnet device ${device.instance}`),
    profile,
    site: FILL_IN,
    building: FILL_IN,
    room: FILL_IN,
    bacnet: {
      port,
      instance: device.instance,
      address: device.address,
      ...(device.network !== undefined ? { network: device.network } : {}),
      ...(device.network !== undefined && device.mac ? { mac: device.mac } : {}),
    },
    ...(Object.keys(asset).length > 0 ? { asset } : {}),
  };
}

function deviceId(device: ScannedDevice, taken: Set<string>): string {
  const fromName = device.name && !CJK.test(device.name) ? slug(device.name, '-') : '';
  const base =
    fromName && !(RESERVED_TOPIC_NAMES as readonly string[]).includes(fromName)
      ? fromName
      : `bacnet-${device.instance}`;
  return unique(base, taken, '-');
}

/**
 * devices/<port>.yaml: the entries there already kept (a device that moved gets its new address),
 * those not found this time marked, the new ones added.
 */
function devicesText(
  result: BacnetScanResult,
  profileOf: Map<number, string>,
  options: BacnetDraftOptions,
  header: string,
): string {
  const port = options.port.id;
  const doc = options.devicesThere ? parseDocument(options.devicesThere) : new Document({ devices: [] });
  let list = doc.get('devices', true);
  if (!isSeq(list)) {
    doc.set('devices', doc.createNode([]));
    list = doc.get('devices', true) as YAMLSeq;
  }
  const seq = list as YAMLSeq;
  const taken = new Set<string>(options.takenDeviceIds ?? []);
  const kept = new Set<number>();
  for (const item of seq.items) {
    if (!isMap(item)) continue;
    clearScanMark(item);
    const id = item.get('id');
    if (typeof id === 'string') taken.add(id);
    const bacnet = item.get('bacnet', true);
    if (!isMap(bacnet)) continue;
    const instance = Number(bacnet.get('instance'));
    const found = result.devices.find((d) => d.instance === instance);
    if (!found) {
      if ((bacnet.get('port') ?? port) === port) item.comment = ` ${SCAN_MARK} not found by this scan`;
      continue;
    }
    kept.add(instance);
    const before = bacnet.get('address');
    if (before !== undefined && before !== found.address) {
      bacnet.set('address', found.address);
      item.comment = ` ${SCAN_MARK} address was ${String(before)}`;
    }
  }
  for (const device of result.devices) {
    if (kept.has(device.instance)) continue;
    const node = doc.createNode(
      deviceEntry(device, deviceId(device, taken), profileOf.get(device.instance) ?? FILL_IN, port),
    );
    const bacnet = node.get('bacnet', true);
    if (isMap(bacnet)) bacnet.flow = true;
    const asset = node.get('asset', true);
    if (isMap(asset)) asset.flow = true;
    seq.items.push(node);
  }
  doc.commentBefore = header;
  return doc.toString({ lineWidth: 0 });
}

function portText(port: BacnetPortDraft, source: string): string {
  const doc = new Document({
    bacnet: {
      ports: [
        {
          id: port.id,
          interface: port.interface,
          udpPort: port.udpPort,
          broadcastAddress: port.broadcastAddress,
        },
      ],
    },
  });
  doc.commentBefore = [
    ` The BACnet/IP port scanned by ${source}: add it to plantwatch.yaml's bacnet: ports`,
    ' (or copy this bacnet: section there when it has none).',
  ].join('\n');
  const ports = doc.getIn(['bacnet', 'ports'], true);
  if (isSeq(ports)) for (const item of ports.items) if (isMap(item)) item.flow = true;
  return doc.toString({ lineWidth: 0 });
}

/** What was asked, for the draft's first comment line. */
function whereText(result: BacnetScanResult, port: BacnetPortDraft): string {
  const whoIs = result.whoIs.broadcast
    ? `Who-Is to ${port.broadcastAddress}`
    : `Who-Is to ${result.whoIs.addresses.length === 1 ? result.whoIs.addresses[0] : `${result.whoIs.addresses.length} addresses`}`;
  const range =
    result.whoIs.lowLimit !== undefined
      ? `, instances ${result.whoIs.lowLimit}-${result.whoIs.highLimit}`
      : '';
  return `BACnet/IP port ${port.id} (${port.interface}:${port.udpPort}, ${whoIs}${range})`;
}

export function bacnetDraftFiles(result: BacnetScanResult, options: BacnetDraftOptions): BacnetDraftFiles {
  const source = options.source ?? '`plantwatch scan bacnet`';
  const groups = groupByModel(result.devices);
  const used = new Set<ExistingProfile>();
  const taken = new Set(options.takenProfileIds ?? []);
  const profileOf = new Map<number, string>();
  const profiles: BacnetDraftFiles['profiles'] = [];
  const summary: ProfileDraftSummary[] = [];
  for (const group of groups) {
    const existing = matchExisting(
      group,
      groups.length,
      options.profiles ?? [],
      options.profilesThere ?? [],
      used,
    );
    const devices = group.devices.map((d) => d.instance);
    let id: string;
    if (existing) {
      used.add(existing);
      id = existing.profile.id;
      const merged = mergedProfile(existing, group);
      profiles.push({ id, text: merged.text });
      summary.push({
        id,
        devices,
        points: merged.points,
        mergedWith: existing.file,
        newObjects: merged.newObjects,
        goneObjects: merged.goneObjects,
      });
      taken.add(id);
    } else {
      const first = group.devices[0] as ScannedDevice;
      const base =
        slug(group.model ?? '', '-') || slug(group.vendor ?? '', '-') || `bacnet-device-${first.instance}`;
      id = unique(base, taken, '-');
      profiles.push({ id, text: freshProfile(id, group, source) });
      summary.push({ id, devices, points: group.objects.length, newObjects: [], goneObjects: [] });
    }
    for (const instance of devices) profileOf.set(instance, id);
  }
  const withoutProfile = result.devices.filter((d) => !profileOf.has(d.instance)).map((d) => d.instance);
  const header = [
    ` Draft from ${source} of ${whereText(result, options.port)}: ${result.devices.length} device(s) read` +
      (result.failed.length > 0 ? `, ${result.failed.length} not` : '') +
      (result.stopped ? ' (stopped before the end).' : '.'),
    ...result.failed.map(
      (f) =>
        `   not read: ${f.address}${f.instance !== undefined ? ` (device ${f.instance})` : ''}: ${f.reason}`,
    ),
    ...summary.map(
      (s) =>
        `   profiles/${s.id}.yaml: ${s.points} point(s), device(s) ${s.devices.join(', ')}` +
        (s.mergedWith
          ? `; against ${s.mergedWith}: ${s.newObjects.length} new object(s), ${s.goneObjects.length} gone`
          : ''),
    ),
    ...(withoutProfile.length > 0
      ? [
          `   no point objects read from device(s) ${withoutProfile.join(', ')}: their profile is "${FILL_IN}"`,
        ]
      : []),
    ` Replace every "${FILL_IN}" with an id of your configuration (site.yaml), add the port from`,
    ` plantwatch.bacnet.${options.port.id}.yaml to plantwatch.yaml, then run \`plantwatch check-config\`.`,
    ...formatDeviceTable(result.devices)
      .split('\n')
      .map((row) => `   ${row}`),
  ].join('\n');
  return {
    devices: devicesText(result, profileOf, options, header),
    port: portText(options.port, source),
    profiles,
    summary,
    withoutProfile,
  };
}

/** The BACnet profiles in `dir`/profiles (the others' ids are taken all the same). */
function profilesIn(dir: string): { there: ExistingProfile[]; ids: string[] } {
  const folder = join(dir, 'profiles');
  if (!existsSync(folder)) return { there: [], ids: [] };
  const files = readdirSync(folder).filter((name) => /\.ya?ml$/.test(name));
  const there = files.flatMap((name) => {
    try {
      return [readExistingProfile(join(folder, name))];
    } catch {
      return [];
    }
  });
  return { there, ids: files.map((name) => basename(name).replace(/\.ya?ml$/, '')) };
}

/** The device ids of the devices files in `dir`/devices but `except`. */
function deviceIdsIn(dir: string, except: string): string[] {
  const folder = join(dir, 'devices');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => /\.ya?ml$/.test(name) && resolve(folder, name) !== resolve(except))
    .flatMap((name) => {
      try {
        const data = parse(readFileSync(join(folder, name), 'utf8')) as {
          devices?: { id?: unknown }[];
        } | null;
        return (data?.devices ?? []).flatMap((d) => (typeof d?.id === 'string' ? [d.id] : []));
      } catch {
        return [];
      }
    });
}

export interface WrittenBacnetDraft {
  paths: string[];
  draft: BacnetDraftFiles;
}

/**
 * Write the draft into `dir`: devices/<port>.yaml, profiles/<id>.yaml, plantwatch.bacnet.<port>.yaml.
 * What is there already is scanned against (profiles of the same model, the devices file).
 */
export function writeBacnetDraft(
  dir: string,
  result: BacnetScanResult,
  options: Omit<BacnetDraftOptions, 'profilesThere' | 'takenProfileIds' | 'devicesThere' | 'takenDeviceIds'>,
): WrittenBacnetDraft {
  const given = new Set((options.profiles ?? []).map((p) => resolve(p.file)));
  const { there, ids } = profilesIn(dir);
  const devicesPath = join(dir, 'devices', `${options.port.id}.yaml`);
  const draft = bacnetDraftFiles(result, {
    ...options,
    profilesThere: there.filter((p) => !given.has(resolve(p.file))),
    takenProfileIds: ids,
    takenDeviceIds: deviceIdsIn(dir, devicesPath),
    ...(existsSync(devicesPath) ? { devicesThere: readFileSync(devicesPath, 'utf8') } : {}),
  });
  mkdirSync(join(dir, 'devices'), { recursive: true });
  mkdirSync(join(dir, 'profiles'), { recursive: true });
  const portPath = join(dir, `plantwatch.bacnet.${options.port.id}.yaml`);
  writeFileSync(devicesPath, draft.devices);
  writeFileSync(portPath, draft.port);
  const profilePaths = draft.profiles.map(({ id, text }) => {
    const path = join(dir, 'profiles', `${id}.yaml`);
    writeFileSync(path, text);
    return path;
  });
  return { paths: [devicesPath, ...profilePaths, portPath], draft };
}

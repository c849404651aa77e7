/**
 * `plantwatch scan bacnet` (issue 20): what a commissioning engineer needs from a scan of a
 * BACnet/IP network, against simulated devices in a network namespace of their own
 * (bacnet-scan-lab.ts): every device that answers Who-Is, each one's objects with names and
 * units however it must be read (a device that cannot segment, one that refuses
 * ReadPropertyMultiple), a silent one reported without stopping the rest, a draft that
 * check-config accepts, and a scan again that shows the objects added since.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineeringUnits, ObjectType } from '@bacnet-js/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isSeq, parse, parseDocument, type YAMLSeq } from 'yaml';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { profileFile } from '../../src/config/schema.js';
import {
  type BacnetScanResult,
  parseBacnetTargets,
  parseInstanceRange,
  parseObjectTypes,
  type ScannedDevice,
} from '../../src/discovery/bacnet.js';
import {
  type BacnetPortDraft,
  bacnetDraftFiles,
  pointNameOf,
  unitText,
  writeBacnetDraft,
} from '../../src/discovery/bacnet-draft.js';
import { FILL_IN } from '../../src/discovery/draft.js';
import { repoRoot } from '../../src/repo-root.js';
import { loopbackNetnsUnavailable, type NetnsWorker, startNetnsWorker } from '../helpers/netns-worker.js';
import type { BacnetScanLab } from './bacnet-scan-lab.js';
import {
  AHU_OBJECTS,
  BROADCAST,
  DEVICES,
  METER_ADDED,
  METER_REMOVED,
  NAMESPACE_ADDRESSES,
  SCANNER_ADDRESS,
  TIMEOUT_MS,
  ZONE_OBJECTS,
} from './bacnet-scan-plant.js';

const LAB = new URL('./bacnet-scan-lab.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'plantwatch-bacnet-scan-'));
const PORT: BacnetPortDraft = {
  id: 'scan-test',
  interface: SCANNER_ADDRESS,
  udpPort: 47808,
  broadcastAddress: BROADCAST,
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A device as a scan reports it, for the drafting tests that need no network. */
function scanned(instance: number, objects: ScannedDevice['objects'], extra: Partial<ScannedDevice> = {}) {
  return {
    instance,
    address: `10.1.0.${instance % 250}`,
    vendorId: 999,
    name: `Device ${instance}`,
    vendorName: 'ACME',
    modelName: 'DDC-1',
    maxApdu: 480,
    segmentation: 'none',
    readMode: 'read-property-multiple',
    objectList: 'whole',
    objectCount: objects.length + 1,
    objects,
    skipped: {},
    problems: [],
    requests: 3,
    elapsedMs: 10,
    ...extra,
  } satisfies ScannedDevice;
}

const resultOf = (devices: ScannedDevice[]): BacnetScanResult => ({
  whoIs: { broadcast: true, addresses: [] },
  devices,
  failed: [],
  stopped: false,
  elapsedMs: 100,
});

describe('the BACnet draft, from what a scan read', () => {
  it('writes BACnet units as the profiles write them, and keeps the name of the others', () => {
    expect(unitText(EngineeringUnits.DEGREES_CELSIUS)).toBe('°C');
    expect(unitText(EngineeringUnits.KILOWATT_HOURS)).toBe('kWh');
    expect(unitText(EngineeringUnits.CUBIC_METERS_PER_HOUR)).toBe('m³/h');
    expect(unitText(EngineeringUnits.LITERS_PER_SECOND)).toBe('L/s');
    expect(unitText(EngineeringUnits.REVOLUTIONS_PER_MINUTE)).toBe('rpm');
    expect(unitText(EngineeringUnits.PERCENT_RELATIVE_HUMIDITY)).toBe('%RH');
    expect(unitText(EngineeringUnits.NO_UNITS)).toBe('');
    expect(unitText(EngineeringUnits.NEWTON_METERS)).toBe('newton-meters');
    expect(unitText(60_000)).toBe('bacnet-unit-60000');
  });

  it('names points from object names, and from type and instance where the name is Chinese or absent', () => {
    const ai = ObjectType.ANALOG_INPUT;
    expect(pointNameOf({ type: ai, instance: 1, name: 'AHU1.Supply Air Temp' })).toBe('ahu1_supply_air_temp');
    expect(pointNameOf({ type: ai, instance: 2, name: 'Débit – départ' })).toBe('debit_depart');
    expect(pointNameOf({ type: ai, instance: 3, name: '送风温度' })).toBe('ai3');
    expect(pointNameOf({ type: ObjectType.BINARY_VALUE, instance: 12 })).toBe('bv12');
    expect(pointNameOf({ type: ObjectType.LOOP, instance: 4, name: '--' })).toBe('loop-4');
  });

  it('reads targets, instance ranges and object types as people write them', () => {
    expect(parseBacnetTargets(['10.1.0.5', '10.1.0.6:47808', '10.1.0.7:47809'])).toEqual([
      '10.1.0.5',
      '10.1.0.6',
      '10.1.0.7:47809',
    ]);
    expect(parseBacnetTargets(['10.1.0.254-10.1.1.1,10.1.0.20-22'])).toEqual([
      '10.1.0.254',
      '10.1.0.255',
      '10.1.1.0',
      '10.1.1.1',
      '10.1.0.20',
      '10.1.0.21',
      '10.1.0.22',
    ]);
    expect(parseBacnetTargets(['10.1.0.30-20'])).toMatch(/lower address to a higher/);
    expect(parseBacnetTargets(['10.0.0.0-10.0.255.255'])).toMatch(/more than 1024/);
    expect(parseBacnetTargets(['bms.local'])).toMatch(/IPv4/);
    expect(parseInstanceRange('1000-2000')).toEqual({ lowLimit: 1000, highLimit: 2000 });
    expect(parseInstanceRange('2001')).toEqual({ lowLimit: 2001, highLimit: 2001 });
    expect(parseInstanceRange('9-1')).toMatch(/from 0 to 4194302/);
    expect(parseObjectTypes('ai, bv,multi-state-value')).toEqual([
      ObjectType.ANALOG_INPUT,
      ObjectType.BINARY_VALUE,
      ObjectType.MULTI_STATE_VALUE,
    ]);
    expect(parseObjectTypes('ai,schedule')).toMatch(/^schedule: an object type a point can read/);
  });

  it('drafts one profile per model and object set: units, states, COV for binaries, counters for totals', () => {
    const objects = [
      { type: ObjectType.ANALOG_INPUT, instance: 1, object: 'analog-input:1', name: 'Temp', units: 62 },
      { type: ObjectType.ANALOG_INPUT, instance: 2, object: 'analog-input:2', name: 'temp', units: 62 },
      {
        type: ObjectType.ANALOG_VALUE,
        instance: 3,
        object: 'analog-value:3',
        name: 'kwh',
        description: '总电量',
        units: EngineeringUnits.KILOWATT_HOURS,
      },
      { type: ObjectType.BINARY_INPUT, instance: 1, object: 'binary-input:1', name: 'Pump run' },
      { type: ObjectType.MULTI_STATE_VALUE, instance: 1, object: 'multi-state-value:1', name: 'Mode' },
    ];
    const draft = bacnetDraftFiles(
      resultOf([scanned(11, objects), scanned(12, objects), scanned(13, objects.slice(0, 2))]),
      { port: PORT },
    );
    expect(draft.summary.map(({ id, devices, points }) => ({ id, devices, points }))).toEqual([
      { id: 'ddc-1', devices: [11, 12], points: 5 },
      { id: 'ddc-1-2', devices: [13], points: 2 },
    ]);
    const profile = profileFile.parse(parse(draft.profiles[0]?.text ?? ''));
    expect(profile).toMatchObject({ id: 'ddc-1', protocol: 'bacnet', maker: 'ACME', model: 'DDC-1' });
    if (profile.protocol !== 'bacnet') throw new Error('not bacnet');
    expect(
      profile.points.map(({ name, unit, object, kind, cov, counter, label, labelZh }) => ({
        name,
        unit,
        object: object.text,
        kind,
        cov,
        counter,
        label,
        labelZh,
      })),
    ).toEqual([
      { name: 'temp', unit: '°C', object: 'analog-input:1', cov: false, counter: false, label: 'Temp' },
      { name: 'temp_2', unit: '°C', object: 'analog-input:2', cov: false, counter: false, label: 'temp' },
      {
        name: 'kwh',
        unit: 'kWh',
        object: 'analog-value:3',
        cov: false,
        counter: true,
        label: '总电量',
        labelZh: '总电量',
      },
      {
        name: 'pump_run',
        unit: '',
        object: 'binary-input:1',
        kind: 'state',
        cov: true,
        counter: false,
        label: 'Pump run',
      },
      {
        name: 'mode',
        unit: '',
        object: 'multi-state-value:1',
        kind: 'state',
        cov: false,
        counter: false,
        label: 'Mode',
      },
    ]);
    expect(draft.devices).toContain(`site: ${FILL_IN}`);
  });
});

/** The draft's devices filled in with the configuration's first room, as a person would. */
function fillIn(devicesPath: string, config: PlantConfig): void {
  const site = config.sites[0];
  const building = site?.buildings[0];
  const room = building?.rooms[0];
  if (!site || !building || !room) throw new Error('the config has no room');
  const doc = parseDocument(readFileSync(devicesPath, 'utf8'));
  const filled: Record<string, string> = { site: site.id, building: building.id, room: room.id };
  for (const item of (doc.get('devices') as YAMLSeq).items)
    if (isMap(item))
      for (const [key, value] of Object.entries(filled)) if (item.get(key) === FILL_IN) item.set(key, value);
  writeFileSync(devicesPath, doc.toString());
}

/** plantwatch.yaml with the draft's port added to its bacnet: section (made when absent). */
function addPort(configDir: string, snippetPath: string): void {
  const snippet = parse(readFileSync(snippetPath, 'utf8')) as { bacnet: { ports: unknown[] } };
  const path = join(configDir, 'plantwatch.yaml');
  const doc = parseDocument(readFileSync(path, 'utf8'));
  const ports = doc.getIn(['bacnet', 'ports']);
  if (isSeq(ports)) for (const port of snippet.bacnet.ports) ports.items.push(doc.createNode(port));
  else doc.set('bacnet', doc.createNode(snippet.bacnet));
  writeFileSync(path, doc.toString());
}

describe.skipIf(loopbackNetnsUnavailable() !== undefined)(
  'plantwatch scan bacnet on simulated devices',
  () => {
    let lab: NetnsWorker<BacnetScanLab>;
    /** The first scan: a broadcast Who-Is, every device answering but the offline one. */
    let first: Awaited<ReturnType<BacnetScanLab['scan']>>;
    const device = (instance: number) => {
      const found = first.result.devices.find((d) => d.instance === instance);
      if (!found) throw new Error(`device ${instance} not found`);
      return found;
    };

    beforeAll(async () => {
      lab = await startNetnsWorker<BacnetScanLab>(LAB, NAMESPACE_ADDRESSES, 60_000);
      await lab.call('start');
      first = await lab.call('scan');
    }, 90_000);
    afterAll(async () => {
      await lab?.remove();
    });

    it('finds every device that answers Who-Is, with what its device object says', () => {
      const { ahu1, ahu2, zones, meter } = DEVICES;
      expect(first.result.whoIs.broadcast).toBe(true);
      expect(first.result.failed).toEqual([]);
      expect(
        first.result.devices.map(
          ({ instance, address, name, modelName, vendorName, maxApdu, segmentation }) => ({
            instance,
            address,
            name,
            modelName,
            vendorName,
            maxApdu,
            segmentation,
          }),
        ),
      ).toEqual(
        [ahu1, ahu2, zones, meter].map(({ instance, address, name, modelName, maxApdu }) => ({
          instance,
          address,
          name,
          modelName,
          vendorName: 'Plantwatch simulators',
          maxApdu,
          segmentation: 'none',
        })),
      );
      expect(first.progress).toMatchObject({ 'who-is': 1, read: 4, failed: 0 });
      expect(first.progress.reading).toBeGreaterThan(4);
      // Each object's name, units and the type of its present value.
      expect(device(DEVICES.ahu1.instance).objects).toEqual(
        AHU_OBJECTS.map((o) => ({
          type: { 'analog-input': 0, 'analog-value': 2, 'binary-value': 5, 'multi-state-value': 19 }[
            o.type as string
          ],
          instance: o.instance,
          object: `${o.type}:${o.instance}`,
          name: o.name,
          ...(o.units !== undefined ? { units: o.units } : {}),
          valueType: o.type.startsWith('analog')
            ? 'real'
            : o.type === 'binary-value'
              ? 'enumerated'
              : 'unsigned-integer',
        })),
      );
      expect(device(DEVICES.ahu1.instance)).toMatchObject({
        readMode: 'read-property-multiple',
        objectList: 'whole',
        objectCount: AHU_OBJECTS.length + 1,
        problems: [],
      });
    });

    it('reads the object-list element by element from a device that cannot send it whole, and every object of it', () => {
      const zones = device(DEVICES.zones.instance);
      expect(zones.objectList).toBe('element-by-element');
      expect(zones.objectCount).toBe(ZONE_OBJECTS.length + 1);
      expect(zones.objects.map((o) => [o.object, o.name])).toEqual(
        ZONE_OBJECTS.map((o) => [`${o.type}:${o.instance}`, o.name]),
      );
      expect(zones.problems).toEqual([]);
      // Its length, then each of its 201 elements, besides the whole list it aborted.
      expect(first.requests.zones.readProperty).toBeGreaterThanOrEqual(ZONE_OBJECTS.length + 3);
      // Names too long for two answers in 206 octets: fewer objects a request after the abort,
      // still ReadPropertyMultiple.
      expect(zones.readMode).toBe('read-property-multiple');
      expect(first.requests.zones.readPropertyMultiple).toBeGreaterThanOrEqual(ZONE_OBJECTS.length);
    });

    it('reads a device that refuses ReadPropertyMultiple with ReadProperty, to the same objects', () => {
      const [ahu1, ahu2] = [device(DEVICES.ahu1.instance), device(DEVICES.ahu2.instance)];
      expect(ahu2.readMode).toBe('read-property');
      expect(ahu2.objects).toEqual(ahu1.objects);
      expect(first.requests.ahu2.readPropertyMultiple).toBe(0);
      expect(first.requests.ahu2.readProperty).toBeGreaterThan(AHU_OBJECTS.length * 3);
      expect(ahu2.requests).toBeGreaterThan(ahu1.requests);
    });

    it('reports the offline device given by address, and reads the others', async () => {
      const { result } = await lab.call('scan', {
        addresses: [DEVICES.ahu1.address, DEVICES.dead.address, `${DEVICES.meter.address}:47808`],
      });
      expect(result.whoIs).toMatchObject({ broadcast: false });
      expect(result.devices.map((d) => d.instance)).toEqual([DEVICES.ahu1.instance, DEVICES.meter.instance]);
      expect(result.failed).toEqual([
        { address: DEVICES.dead.address, reason: 'no answer to Who-Is nor to ReadProperty' },
      ]);
      const draft = bacnetDraftFiles(result, { port: PORT });
      expect(draft.summary.map((s) => s.devices)).toEqual([
        [DEVICES.ahu1.instance],
        [DEVICES.meter.instance],
      ]);
      expect(draft.devices).toContain(
        `not read: ${DEVICES.dead.address}: no answer to Who-Is nor to ReadProperty`,
      );
    });

    it('reports a device that answered Who-Is and then fell silent, and reads the others', async () => {
      await lab.call('startFlaky');
      try {
        const { result, progress } = await lab.call('scan', {
          addresses: [DEVICES.flaky.address, DEVICES.meter.address],
        });
        expect(result.devices.map((d) => d.instance)).toEqual([DEVICES.meter.instance]);
        expect(result.failed).toEqual([
          {
            address: DEVICES.flaky.address,
            instance: DEVICES.flaky.instance,
            reason: 'answered Who-Is, then stopped answering',
          },
        ]);
        expect(progress).toMatchObject({ read: 1, failed: 1 });
      } finally {
        await lab.call('stop', 'flaky');
      }
    });

    it('asks only the instances in range, and reads only the object types asked for', async () => {
      const { result } = await lab.call('scan', {
        lowLimit: 2000,
        highLimit: 2999,
        types: [ObjectType.BINARY_VALUE],
      });
      expect(result.devices.map((d) => d.instance)).toEqual([DEVICES.ahu1.instance, DEVICES.ahu2.instance]);
      for (const found of result.devices) {
        expect(found.objects.map((o) => o.object)).toEqual(['binary-value:1', 'binary-value:2']);
        expect(found.skipped).toEqual({ 'analog-input': 5, 'analog-value': 2, 'multi-state-value': 1 });
      }
    });

    it('writes a draft that check-config refuses until FILL IN is filled, and accepts after', () => {
      const configDir = join(dir, 'config');
      cpSync(join(repoRoot(), 'config'), configDir, { recursive: true });
      const before = loadConfig(configDir);
      const { paths, draft } = writeBacnetDraft(configDir, first.result, { port: PORT });
      const devicesPath = join(configDir, 'devices', `${PORT.id}.yaml`);
      const portPath = join(configDir, `plantwatch.bacnet.${PORT.id}.yaml`);
      expect(paths).toEqual([
        devicesPath,
        ...['ahu-controller', 'zc-200', 'pm-1'].map((id) => join(configDir, 'profiles', `${id}.yaml`)),
        portPath,
      ]);
      addPort(configDir, portPath);
      expect(() => loadConfig(configDir)).toThrow(
        new RegExp(`devices/${PORT.id}\\.yaml:\\d+: devices\\[0\\]\\.site`),
      );
      fillIn(devicesPath, before);
      const config = loadConfig(configDir);
      expect(config.gateway.bacnet?.ports.map((p) => p.id)).toContain(PORT.id);
      const drafted = config.devices.filter((d) => 'bacnet' in d && d.bacnet.port === PORT.id);
      expect(
        drafted.map((d) => ('bacnet' in d ? [d.id, d.profile, d.bacnet.instance, d.bacnet.address] : [])),
      ).toEqual([
        ['ahu-1', 'ahu-controller', 2001, '127.0.0.2'],
        ['ahu-2', 'ahu-controller', 2002, '127.0.0.3'],
        ['zone-controller-3', 'zc-200', 3001, '127.0.0.4'],
        ['main-incomer-meter', 'pm-1', 4001, '127.0.0.5'],
      ]);
      expect(draft.summary.map((s) => [s.id, s.points])).toEqual([
        ['ahu-controller', AHU_OBJECTS.length],
        ['zc-200', ZONE_OBJECTS.length],
        ['pm-1', 3],
      ]);
      const meter = config.profiles.get('pm-1');
      expect(meter?.points.map((p) => [p.name, p.unit, p.label, p.labelZh, p.counter])).toEqual([
        ['active_power', 'kW', 'Active power', undefined, false],
        ['energy', 'kWh', 'Energy', undefined, true],
        ['ai3', 'V', '母线电压', '母线电压', false],
      ]);
      const ahu = config.profiles.get('ahu-controller');
      if (ahu?.protocol !== 'bacnet') throw new Error('no bacnet profile ahu-controller');
      expect(ahu.points.find((p) => p.name === 'supply-temp')).toMatchObject({ unit: '°C', cov: false });
      expect(ahu.points.find((p) => p.name === 'supply-humidity')?.unit).toBe('%RH');
      expect(ahu.points.find((p) => p.name === 'supply-flow')?.unit).toBe('m³/h');
      expect(ahu.points.find((p) => p.name === 'fan-running')).toMatchObject({ kind: 'state', cov: true });
      expect(ahu.points.find((p) => p.name === 'operating-mode')).toMatchObject({
        kind: 'state',
        cov: false,
      });
      expect(config.devices).toHaveLength(before.devices.length + 4);
    });

    it('scanned again, lists the objects added to a device since, and keeps what was written', async () => {
      const draftDir = join(dir, 'rescan');
      const firstScan = await lab.call('scan', { addresses: [DEVICES.meter.address] });
      writeBacnetDraft(draftDir, firstScan.result, { port: PORT });
      const profilePath = join(draftDir, 'profiles', 'pm-1.yaml');
      const devicesPath = join(draftDir, 'devices', `${PORT.id}.yaml`);
      writeFileSync(join(dir, 'pm-1-before.yaml'), readFileSync(profilePath));
      // What a person did with the first draft: renamed a point, wrote a note, placed the device.
      writeFileSync(
        profilePath,
        readFileSync(profilePath, 'utf8')
          .replace('name: active_power', 'name: p_total')
          .replace('points:', '# checked against the meter on site\npoints:'),
      );
      writeFileSync(devicesPath, readFileSync(devicesPath, 'utf8').replace(`room: ${FILL_IN}`, 'room: dr1'));

      await lab.call('reprogramMeter');
      const again = await lab.call('scan', { addresses: [DEVICES.meter.address] });
      const { draft } = writeBacnetDraft(draftDir, again.result, { port: PORT });
      expect(draft.summary).toEqual([
        {
          id: 'pm-1',
          devices: [DEVICES.meter.instance],
          points: 5,
          mergedWith: profilePath,
          newObjects: METER_ADDED.map((o) => `${o.type}:${o.instance}`),
          goneObjects: ['energy'],
        },
      ]);
      const text = readFileSync(profilePath, 'utf8');
      expect(text).toContain('name: p_total');
      expect(text).toContain('# checked against the meter on site');
      expect(text).toMatch(
        new RegExp(`object: ${METER_REMOVED.object},.*# scan: ${METER_REMOVED.object} is no longer`),
      );
      expect(text.match(/# scan: new object/g)).toHaveLength(2);
      const profile = profileFile.parse(parse(text));
      expect(profile.points.map((p) => p.name)).toEqual([
        'p_total',
        'energy',
        'ai3',
        'frequency',
        'breaker_closed',
      ]);
      // The device placed by hand stays placed; no second entry for it.
      const devices = parse(readFileSync(devicesPath, 'utf8')) as { devices: { room: string }[] };
      expect(devices.devices.map((d) => d.room)).toEqual(['dr1']);
    });

    describe('as a command', () => {
      it('prints a row per device read, and writes the draft to --out', async () => {
        const out = join(dir, 'cli-draft');
        const { code, stdout, stderr } = await lab.call('cli', [
          ...['--broadcast', BROADCAST, '--wait', `${TIMEOUT_MS}ms`, '--timeout', `${TIMEOUT_MS}ms`],
          ...['--delay', '0ms', '--name', 'bms', '--out', out],
        ]);
        expect(stderr).toContain('4 device(s) answered');
        expect(code).toBe(0);
        const rows = stdout.split('\n').filter((row) => /^\d+\s/.test(row));
        expect(rows.map((row) => Number(row.split(/\s+/)[0]))).toEqual([2001, 2002, 3001, 4001]);
        expect(rows.find((row) => row.startsWith('3001'))).toMatch(/RPM\s+by element\s+201\s+200$/);
        expect(rows.find((row) => row.startsWith('2002'))).toMatch(/\bRP\s+whole\b/);
        for (const file of ['devices/bms.yaml', 'plantwatch.bacnet.bms.yaml', 'profiles/zc-200.yaml']) {
          expect(existsSync(join(out, file))).toBe(true);
          expect(stdout).toContain(`wrote ${join(out, file)}`);
        }
      });

      it('with --profile, names the objects new since that profile', async () => {
        const before = join(dir, 'pm-1-before.yaml');
        const { code, stdout } = await lab.call('cli', [
          ...[
            '--address',
            DEVICES.meter.address,
            '--wait',
            `${TIMEOUT_MS}ms`,
            '--timeout',
            `${TIMEOUT_MS}ms`,
          ],
          ...['--delay', '0ms', '--profile', before],
        ]);
        expect(code).toBe(0);
        expect(stdout).toContain(
          `profile pm-1: 5 point(s) for device(s) 4001; against ${before}: 2 new object(s) (analog-input:4, binary-value:1), gone: energy`,
        );
      });

      it('exits 1 saying so when the only device given does not answer, or an option is wrong', async () => {
        const silent = await lab.call('cli', [
          ...['--address', DEVICES.dead.address, '--wait', `${TIMEOUT_MS}ms`, '--timeout', `${TIMEOUT_MS}ms`],
        ]);
        expect(silent.code).toBe(1);
        expect(silent.stderr).toContain(
          `not read: ${DEVICES.dead.address}: no answer to Who-Is nor to ReadProperty`,
        );
        expect(silent.stderr).toContain('no BACnet device read');
        const wrong = await lab.call('cli', [
          '--instances',
          '9-1',
          '--types',
          'ai,schedule',
          '--wait',
          'soon',
        ]);
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toContain('--instances 9-1');
        expect(wrong.stderr).toContain('--types schedule');
        expect(wrong.stderr).toContain('--wait soon');
      });
    });
  },
);

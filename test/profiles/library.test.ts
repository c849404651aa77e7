/**
 * The library of manufacturers' profiles (profiles/ at the repository root): a device names one
 * by id, the loader finds it when the configuration has no profile of that id, and its points
 * decode what the manufacturer's document says the device sends.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeBit, decodeRegisters } from '../../src/acquisition/modbus/codec.js';
import { ConfigError, loadConfig, type PlantConfig } from '../../src/config/index.js';
import { PROFILE_LIBRARY_DIR } from '../../src/config/load.js';
import { registerCount } from '../../src/config/registers.js';
import type { ModbusPointConfig } from '../../src/config/schema.js';

const LIBRARY = join(import.meta.dirname, '..', '..', 'profiles');
const BASE = join(import.meta.dirname, '..', 'fixtures', 'config', '_base');
const libraryIds = readdirSync(LIBRARY)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => name.replace(/\.yaml$/, ''))
  .sort();

const work = mkdtempSync(join(tmpdir(), 'plantwatch-profile-library-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The fixtures' base configuration plus one Modbus device per profile id, and optional own profiles. */
function configUsing(name: string, profileIds: string[], ownProfiles: Record<string, string> = {}): string {
  const dir = join(work, name);
  cpSync(BASE, dir, { recursive: true });
  const devices = profileIds.map(
    (profile, i) =>
      `  - { id: lib-${i}, name: Library device ${i}, profile: ${profile}, site: main, building: inpatient, room: dr1, modbus: { line: rs485, unitId: ${i + 1} } }`,
  );
  writeFileSync(join(dir, 'devices', 'library.yaml'), `devices:\n${devices.join('\n')}\n`);
  mkdirSync(join(dir, 'profiles'), { recursive: true });
  for (const [id, text] of Object.entries(ownProfiles))
    writeFileSync(join(dir, 'profiles', `${id}.yaml`), text);
  return dir;
}

function problemsOf(dir: string): string[] {
  try {
    loadConfig(dir, { env: {} });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((issue) => issue.message);
    throw err;
  }
  return [];
}

const config: PlantConfig = loadConfig(configUsing('every-profile', libraryIds), { env: {} });

function modbusPoint(id: string, name: string): ModbusPointConfig {
  const point = config.profiles.get(id)?.points.find((p) => p.name === name);
  if (!point || !('table' in point)) throw new Error(`no Modbus point ${name} in ${id}`);
  return point;
}

/** Decode the point `name` of library profile `id` from the registers the device sends. */
function decode(id: string, name: string, words: number[]): number | boolean {
  return decodeRegisters(modbusPoint(id, name), words, 0);
}

/**
 * What a device answers, as the document places it: words (or, for coils and discrete inputs,
 * bits) by protocol address. Each entry is the start address of a run of consecutive values.
 */
type Frames<T> = Record<number, readonly T[]>;

function valuesAt<T>(frames: Frames<T>): Map<number, T> {
  const at = new Map<number, T>();
  for (const [start, values] of Object.entries(frames))
    for (const [i, value] of values.entries()) at.set(Number(start) + i, value);
  return at;
}

/**
 * Read point `name` of profile `id` out of the frames at the table and address the profile
 * gives it: a wrong table or address finds other registers (or none, and throws), a wrong type
 * or word order decodes other digits, a wrong scale gives another number.
 */
function read(
  id: string,
  name: string,
  table: 'holding' | 'input',
  frames: Frames<number>,
): number | boolean {
  const point = modbusPoint(id, name);
  expect(point.table, `${id}.${name} table`).toBe(table);
  const at = valuesAt(frames);
  const words = Array.from({ length: registerCount(point) }, (_, i) => {
    const word = at.get(point.address + i);
    if (word === undefined)
      throw new Error(`${id}.${name} reads ${table} ${point.address + i}, outside the frames`);
    return word;
  });
  return decodeRegisters(point, words, 0);
}

/** The same for a coil or a discrete input. */
function readBit(id: string, name: string, table: 'coil' | 'discrete', frames: Frames<boolean>): boolean {
  const point = modbusPoint(id, name);
  expect(point.table, `${id}.${name} table`).toBe(table);
  const bit = valuesAt(frames).get(point.address);
  if (bit === undefined) throw new Error(`${id}.${name} reads ${table} ${point.address}, outside the frames`);
  return decodeBit([bit], 0);
}

describe('the profile library', () => {
  it('is the folder the loader searches', () => {
    expect(PROFILE_LIBRARY_DIR).toBe(LIBRARY);
    expect(libraryIds).toEqual(
      expect.arrayContaining([
        'abb-acs580',
        'acrel-adl400',
        'chint-dtsu666',
        'danfoss-fc102',
        'eastron-sdm120',
        'eastron-sdm630',
        'schneider-iem3x55',
        'schneider-pm5000',
        'trane-rthd-pic',
      ]),
    );
  });

  it.each(libraryIds)('%s loads when a device names it, and names the document it follows', (id) => {
    const profile = config.profiles.get(id);
    expect(profile?.id).toBe(id);
    expect(profile?.maker).toBeTruthy();
    expect(profile?.model).toBeTruthy();
    // The header says which manufacturer document (title and version) the register map follows.
    expect(readFileSync(join(LIBRARY, `${id}.yaml`), 'utf8')).toMatch(/^# Follows: .+/m);
  });

  it('loads only the library profiles the devices use', () => {
    const one = loadConfig(configUsing('one-profile', ['eastron-sdm120']), { env: {} });
    expect(one.profiles.has('eastron-sdm120')).toBe(true);
    expect(one.profiles.has('eastron-sdm630')).toBe(false);
  });

  it("lets a configuration's own profile of the same id win over the library's", () => {
    const own = `id: eastron-sdm630
name: Site copy of the SDM630
equipment: power-meter
protocol: modbus
maker: Eastron
model: SDM630 behind 100/5 A CTs
points:
  - { name: current_l1, unit: A, table: input, address: 6, type: float32, scale: 20 }
`;
    const site = loadConfig(configUsing('own-copy', ['eastron-sdm630'], { 'eastron-sdm630': own }), {
      env: {},
    });
    expect(site.profiles.get('eastron-sdm630')?.model).toBe('SDM630 behind 100/5 A CTs');
    expect(site.profiles.get('eastron-sdm630')?.points.map((p) => p.name)).toEqual(['current_l1']);
  });

  it('says an unknown profile was looked for in the configuration and in the library', () => {
    const problems = problemsOf(configUsing('unknown', ['eastron-sdm999']));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('unknown profile "eastron-sdm999"');
    expect(problems[0]).toMatch(/neither in \S*unknown\/profiles\/ nor/);
    expect(problems[0]).toContain("Plantwatch's profile library");
    expect(problems[0]).toContain('meter, wm, or a library profile listed in config/README.md');
  });
});

describe('library profiles decode what the documents say the devices send', () => {
  // IEEE 754 single precision by hand: 230 = 1.796875 × 2^7, exponent 127 + 7 = 0x86, fraction
  // 0.796875 = 0b1100110 → 0 10000110 1100110 0… = 0x43660000. Eastron sends the high word first.
  it('Eastron SDM630: 230.0 V on L1, 11.5 kW in all, 1234.5 kWh imported', () => {
    expect(decode('eastron-sdm630', 'voltage_l1', [0x4366, 0x0000])).toBe(230);
    // 11500 W = 1.40380859375 × 2^13 → 0x4633B000; the profile turns the meter's W into kW.
    expect(decode('eastron-sdm630', 'power_kw', [0x4633, 0xb000])).toBe(11.5);
    // 1234.5 = 1.2055664… × 2^10 → 0x449A5000.
    expect(decode('eastron-sdm630', 'energy_kwh', [0x449a, 0x5000])).toBe(1234.5);
    expect(decode('eastron-sdm630', 'frequency_hz', [0x4248, 0x0000])).toBe(50); // 50 = 1.5625 × 2^5 → 0x42480000
  });

  it('Eastron SDM120: 230.0 V and 11.5 kW at the same registers as the SDM630', () => {
    expect(decode('eastron-sdm120', 'voltage_l1', [0x4366, 0x0000])).toBe(230);
    expect(decode('eastron-sdm120', 'power_kw', [0x4633, 0xb000])).toBe(11.5);
  });

  it('Schneider PM5000 and iEM3x55: float32 measurements, INT64 Wh counters read as kWh', () => {
    // 123 456 789 Wh = 0x00000000075BCD15, most significant register first.
    expect(decode('schneider-pm5000', 'energy_kwh', [0, 0, 0x075b, 0xcd15])).toBe(123456.789);
    expect(decode('schneider-iem3x55', 'energy_kwh', [0, 0, 0x075b, 0xcd15])).toBe(123456.789);
    expect(decode('schneider-pm5000', 'voltage_l1', [0x4366, 0x0000])).toBe(230);
    expect(decode('schneider-iem3x55', 'frequency_hz', [0x4248, 0x0000])).toBe(50);
  });

  it('CHINT DTSU666: raw 2301.5 is 230.15 V (the manual: voltage × 0.1), raw 115000 is 11.5 kW', () => {
    // 2301.5 = 1.12377… × 2^11 → 0x450FD800; 115000 (0.1 W units) = 1.75476… × 2^16 → 0x47E09C00.
    expect(decode('chint-dtsu666', 'voltage_l1', [0x450f, 0xd800])).toBe(230.15);
    expect(decode('chint-dtsu666', 'power_kw', [0x47e0, 0x9c00])).toBe(11.5);
    expect(decode('chint-dtsu666', 'energy_kwh', [0x449a, 0x5000])).toBe(1234.5);
  });

  it('Danfoss FC 102: 5.24 A is read as 524 (the design guide example), status word 0F03 hex is running', () => {
    expect(decode('danfoss-fc102', 'current_a', [0x0000, 0x020c])).toBe(5.24);
    // 0x0F03: bits 0, 1, 8, 9, 10 and 11 set (the guide's status word example): in operation, no trip.
    expect(decode('danfoss-fc102', 'running', [0x0f03])).toBe(true);
    expect(decode('danfoss-fc102', 'fault', [0x0f03])).toBe(false);
    expect(decode('danfoss-fc102', 'speed_hz', [500])).toBe(50); // 16-13 in 0.1 Hz: 500 is 50.0 Hz
  });

  it('ABB ACS580: ABB Drives status word bit 2 is running, bit 3 tripped', () => {
    // 0x0307 = bits 0, 1, 2 (ready on, ready run, operation enabled), 8 and 9: running, not tripped.
    expect(decode('abb-acs580', 'running', [0x0307])).toBe(true);
    expect(decode('abb-acs580', 'fault', [0x0307])).toBe(false);
    expect(decode('abb-acs580', 'fault', [0x0008])).toBe(true);
  });
});

describe('library profiles read the registers where the documents put them', () => {
  it.each([
    [
      'schneider-pm5000',
      {
        current_l1: 'A',
        voltage_l1: 'V',
        voltage_l1_l2: 'V',
        power_kw: 'kW',
        reactive_kvar: 'kvar',
        apparent_kva: 'kVA',
        frequency_hz: 'Hz',
        energy_kwh: 'kWh',
        energy_export_kwh: 'kWh',
      },
    ],
    [
      'schneider-iem3x55',
      {
        current_l1: 'A',
        voltage_l1: 'V',
        power_kw: 'kW',
        frequency_hz: 'Hz',
        energy_kwh: 'kWh',
        energy_export_kwh: 'kWh',
      },
    ],
    [
      'chint-dtsu666',
      {
        current_l1: 'A',
        voltage_l1: 'V',
        power_kw: 'kW',
        power_factor: '',
        frequency_hz: 'Hz',
        energy_kwh: 'kWh',
        energy_export_kwh: 'kWh',
      },
    ],
    [
      'acrel-adl400',
      {
        current_l1: 'A',
        voltage_l1: 'V',
        power_kw: 'kW',
        reactive_kvar: 'kvar',
        apparent_kva: 'kVA',
        power_factor: '',
        frequency_hz: 'Hz',
        energy_kwh: 'kWh',
        energy_export_kwh: 'kWh',
      },
    ],
    [
      'abb-acs580',
      { running: '', fault: '', speed_rpm: 'rpm', speed_hz: 'Hz', current_a: 'A', power_kw: 'kW' },
    ],
    ['danfoss-fc102', { running: '', fault: '', speed_hz: 'Hz', current_a: 'A' }],
    [
      'trane-rthd-pic',
      {
        chw_supply_temp: '°C',
        chw_return_temp: '°C',
        cw_inlet_temp: '°C',
        cw_outlet_temp: '°C',
        load_pct: '%',
        running: '',
        tripped: '',
      },
    ],
  ] as const)('%s has the points a user looks for, in their units', (id, units) => {
    for (const [name, unit] of Object.entries(units))
      expect(modbusPoint(id, name).unit, `${id}.${name}`).toBe(unit);
    for (const point of config.profiles.get(id)?.points ?? []) {
      expect(point.label, `${id}.${point.name} label`).toMatch(/[a-z]/i);
      expect(point.labelZh, `${id}.${point.name} label`).toMatch(/\p{Script=Han}/u);
      // Energy is a counter wherever a profile has it, so the energy report takes differences.
      if (point.name.startsWith('energy_')) expect(point.counter, `${id}.${point.name}`).toBe(true);
    }
  });

  // A PM5330 (firmware 2.1.4) read by SolarNetwork, PM5100DataTests.java: holding registers
  // read from addresses 3008, 3074 and 3202, as the meter sent them.
  const PM5330 = {
    3008: [
      0x0000, 0x42db, 0x6a20, 0x3fda, 0x90fe, 0x3eab, 0x06e0, 0x3faf, 0xcf0b, 0x3fda, 0x90fe, 0x43f8, 0x0a73,
      0x43f6, 0xc5b1, 0x43f6, 0xea0f, 0x43f7, 0x3e11, 0x438e, 0x86af, 0x438e, 0xf30f, 0x438e, 0xced0, 0x8000,
      0x8000, 0x438e, 0xc2da, 0x3ea5, 0x5473, 0x3e42, 0xbf84, 0x3e07, 0xe961, 0x3ea5, 0x5473, 0x3e28, 0x9567,
      0x3e07, 0x1209, 0x3d06, 0x0d76, 0x3e28, 0x9567, 0x41f5, 0x8370, 0x41fb, 0x2e41, 0x41fd, 0xaef4, 0x42bb,
      0x9829, 0xbfde, 0x601e, 0x4008, 0x8510, 0xbfed, 0x2324, 0xbfba, 0x7921, 0x0000,
    ],
    3074: [
      0x0000, 0x42bb, 0xf20f, 0x3f80, 0x3461, 0x3f7f, 0x6947, 0x3f80, 0x37c8, 0x3f80, 0x3d3a, 0x3f80, 0x0110,
      0x3f7f, 0xdef3, 0x3f80, 0x0165, 0x3f80, 0x0654, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000,
      0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x4270, 0x070c, 0x0000,
    ],
    3202: [
      0x0000, 0x0000, 0x0000, 0x046e, 0x73ea, 0x0000, 0x0000, 0x0001, 0x6481, 0x0000, 0x0000, 0x046f, 0xd86b,
      0x0000,
    ],
  };

  it('Schneider PM5000: a PM5330 register dump decodes to a plausible 3-phase 480 V feeder', () => {
    // The meter's own list numbers from 1: register 3028 (V L1-N) is address 3027, and so on.
    expect(read('schneider-pm5000', 'voltage_l1_l2', 'holding', PM5330)).toBeCloseTo(496.08, 2);
    expect(read('schneider-pm5000', 'voltage_l2_l3', 'holding', PM5330)).toBeCloseTo(493.54, 2);
    expect(read('schneider-pm5000', 'voltage_l1', 'holding', PM5330)).toBeCloseTo(285.05, 2);
    expect(read('schneider-pm5000', 'voltage_l3', 'holding', PM5330)).toBeCloseTo(285.62, 2);
    // Line-to-line over √3 is line-to-neutral: the two blocks of registers agree within 2 V.
    const lineToLine = read('schneider-pm5000', 'voltage_l1_l2', 'holding', PM5330) as number;
    const lineToNeutral = read('schneider-pm5000', 'voltage_l1', 'holding', PM5330) as number;
    expect(Math.abs(lineToLine / Math.sqrt(3) - lineToNeutral)).toBeLessThan(2);
    expect(read('schneider-pm5000', 'power_kw', 'holding', PM5330)).toBeCloseTo(93.797, 3);
    expect(read('schneider-pm5000', 'apparent_kva', 'holding', PM5330)).toBeCloseTo(93.973, 3);
    expect(read('schneider-pm5000', 'frequency_hz', 'holding', PM5330)).toBeCloseTo(60.007, 3);
    // INT64 Wh: 0x00000000046E73EA = 74 347 498 Wh delivered, 0x16481 = 91 265 Wh received.
    expect(read('schneider-pm5000', 'energy_kwh', 'holding', PM5330)).toBe(74347.498);
    expect(read('schneider-pm5000', 'energy_export_kwh', 'holding', PM5330)).toBe(91.265);
    // Current A (register 3000, address 2999) is before the dump: 17.25 = 1.078125 × 2^4 → 0x418A0000.
    expect(read('schneider-pm5000', 'current_l1', 'holding', { 2999: [0x418a, 0x0000] })).toBe(17.25);
  });

  it('Schneider iEM3x55: register n of the list is address n - 1, float32 and INT64 Wh high word first', () => {
    const iem = {
      2999: [0x418a, 0x0000, 0x4138, 0x0000, 0x4140, 0x0000], // I1 17.25, I2 11.5, I3 12 A (registers 3000-3005)
      3027: [0x4366, 0x6666], // V L1-N 230.4 V (register 3028)
      3059: [0x4138, 0x0000], // total active power 11.5 kW (register 3060)
      3109: [0x4248, 0x0000], // 50 Hz (register 3110)
      3203: [0x0000, 0x0000, 0x075b, 0xcd15, 0x0000, 0x0000, 0x0000, 0x3039], // 123 456 789 Wh in, 12 345 Wh out
    };
    expect(read('schneider-iem3x55', 'current_l1', 'holding', iem)).toBe(17.25);
    expect(read('schneider-iem3x55', 'current_l3', 'holding', iem)).toBe(12);
    expect(read('schneider-iem3x55', 'voltage_l1', 'holding', iem)).toBe(230.4);
    expect(read('schneider-iem3x55', 'power_kw', 'holding', iem)).toBe(11.5);
    expect(read('schneider-iem3x55', 'frequency_hz', 'holding', iem)).toBe(50);
    expect(read('schneider-iem3x55', 'energy_kwh', 'holding', iem)).toBe(123456.789);
    expect(read('schneider-iem3x55', 'energy_export_kwh', 'holding', iem)).toBe(12.345);
  });

  it('CHINT DTSU666: raw-unit floats at 2006H..2044H, kWh floats at 101EH / 1028H', () => {
    const dtsu = {
      [0x2006]: [0x450f, 0xd800], // Ua 2301.5 (0.1 V) = 230.15 V
      [0x200c]: [0x4640, 0xe400], // Ia 12345 (mA) = 12.345 A; 12345 = 1.50696… × 2^13 → 0x4640E400
      [0x2012]: [0x47e0, 0x9c00], // Pt 115000 (0.1 W) = 11.5 kW
      [0x202a]: [0x4466, 0xc000], // PFt 923 (0.001) = 0.923; 923 = 1.802734375 × 2^9 → 0x4466C000
      [0x2044]: [0x459c, 0x3800], // Freq 4999 (0.01 Hz) = 49.99 Hz, the emulator's default; 4999 → 0x459C3800
      [0x101e]: [0x449a, 0x5000], // ImpEp 1234.5 kWh
      [0x1028]: [0x4138, 0x0000], // ExpEp 11.5 kWh
    };
    expect(read('chint-dtsu666', 'voltage_l1', 'holding', dtsu)).toBe(230.15);
    expect(read('chint-dtsu666', 'current_l1', 'holding', dtsu)).toBe(12.345);
    expect(read('chint-dtsu666', 'power_kw', 'holding', dtsu)).toBe(11.5);
    expect(read('chint-dtsu666', 'power_factor', 'holding', dtsu)).toBe(0.923);
    expect(read('chint-dtsu666', 'frequency_hz', 'holding', dtsu)).toBe(49.99);
    expect(read('chint-dtsu666', 'energy_kwh', 'holding', dtsu)).toBe(1234.5);
    expect(read('chint-dtsu666', 'energy_export_kwh', 'holding', dtsu)).toBe(11.5);
  });

  it('Acrel ADL400: primary-side floats from 0800H, energies uint32 in 0.1 kWh', () => {
    const adl = {
      [0x0800]: [0x4366, 0x6666], // Ua 230.4 V
      [0x080c]: [0x418a, 0x0000], // Ia 17.25 A
      [0x0814]: [0x4080, 0x0000, 0x4090, 0x0000, 0x40a0, 0x0000, 0x4138, 0x0000], // Pa 4, Pb 4.5, Pc 5, Pt 11.5 kW
      [0x0822]: [0x40a0, 0x0000], // Qt 5 kvar
      [0x082a]: [0x4148, 0x0000], // St 12.5 kVA
      [0x0832]: [0x3f6b, 0x851f, 0x4248, 0x0000], // PF 0.92 (0x3F6B851F), then 50 Hz at 0834H
      [0x084c]: [0x0001, 0xe240], // forward active energy 123 456 × 0.1 = 12 345.6 kWh
      [0x0856]: [0x0000, 0x3039], // reverse active energy 12 345 × 0.1 = 1 234.5 kWh
    };
    expect(read('acrel-adl400', 'voltage_l1', 'holding', adl)).toBe(230.4);
    expect(read('acrel-adl400', 'current_l1', 'holding', adl)).toBe(17.25);
    expect(read('acrel-adl400', 'power_l3_kw', 'holding', adl)).toBe(5);
    // The total is its own register after the three phases, and here it is their sum.
    expect(read('acrel-adl400', 'power_kw', 'holding', adl)).toBe(11.5);
    expect(read('acrel-adl400', 'reactive_kvar', 'holding', adl)).toBe(5);
    expect(read('acrel-adl400', 'apparent_kva', 'holding', adl)).toBe(12.5);
    expect(read('acrel-adl400', 'power_factor', 'holding', adl)).toBe(0.92);
    expect(read('acrel-adl400', 'frequency_hz', 'holding', adl)).toBe(50);
    expect(read('acrel-adl400', 'energy_kwh', 'holding', adl)).toBe(12345.6);
    expect(read('acrel-adl400', 'energy_export_kwh', 'holding', adl)).toBe(1234.5);
  });

  it('ABB ACS580: 32-bit parameter gg.ii at 420000 + 200·gg + 2·ii, low word first, 100 = 1 unit', () => {
    /** The manual's register of 32-bit parameter gg.ii, as the protocol address sent. */
    const p32 = (group: number, index: number) => 420000 + 200 * group + 2 * index - 400001;
    const acs = {
      [p32(1, 1)]: [0xbdae, 0xfffd], // 01.01 motor speed -1480.50 rpm: -148050 = 0xFFFDBDAE, low word first
      [p32(1, 6)]: [0x1356, 0x0000], // 01.06 output frequency 49.50 Hz = 4950 = 0x1356
      [p32(1, 7)]: [0x4252, 0x0002], // 01.07 motor current 1480.50 A = 148050 = 0x00024252
      [p32(1, 14)]: [0x02ee, 0x0000], // 01.14 output power 7.50 kW = 750 = 0x02EE
      3: [0x0337], // status word 400004: bits 0, 1, 2, 4, 5, 8, 9 — running, not tripped
    };
    expect(read('abb-acs580', 'speed_rpm', 'holding', acs)).toBe(-1480.5);
    expect(read('abb-acs580', 'speed_hz', 'holding', acs)).toBe(49.5);
    expect(read('abb-acs580', 'current_a', 'holding', acs)).toBe(1480.5);
    expect(read('abb-acs580', 'power_kw', 'holding', acs)).toBe(7.5);
    expect(read('abb-acs580', 'running', 'holding', acs)).toBe(true);
    expect(read('abb-acs580', 'fault', 'holding', acs)).toBe(false);
  });

  it('Danfoss FC 102: parameter x-yy at register 10·x-yy, address one less; status word 50200', () => {
    const fc = {
      16139: [0x0000, 0x020c], // 16-14 motor current 5.24 A = 524, int32 high word first (the guide's example)
      16129: [500], // 16-13 frequency 50.0 Hz in 0.1 Hz
      50199: [0x0f03], // the guide's example status word: in operation, no trip
    };
    expect(read('danfoss-fc102', 'current_a', 'holding', fc)).toBe(5.24);
    expect(read('danfoss-fc102', 'speed_hz', 'holding', fc)).toBe(50);
    expect(read('danfoss-fc102', 'running', 'holding', fc)).toBe(true);
    expect(read('danfoss-fc102', 'fault', 'holding', fc)).toBe(false);
  });

  it('Trane RTHD via PIC: input register 3000n is address n - 1, temperature = data / 10 - 45 °C', () => {
    /** Data the PIC sends for a temperature (the manual's "data to send = (T + 45) × 10"). */
    const t = (celsius: number) => Math.round((celsius + 45) * 10);
    const at = (register: number) => register - 30001;
    const rthd = {
      [at(30003)]: [78], // Actual Capacity 78 % RLA
      [at(30005)]: [t(7), t(12.5), t(32), t(37)], // evaporator leaving, entering; condenser entering, leaving
      // Chiller Status: run mode 2 (bits 0-3), enabled (bit 9), both water flows proven (bits 12, 13).
      [at(30009)]: [0x3202, 0x0101], // then Compressor Running Outputs: A exists (bit 0) and runs (bit 8)
    };
    expect(t(7)).toBe(520);
    expect(read('trane-rthd-pic', 'chw_supply_temp', 'input', rthd)).toBe(7);
    expect(read('trane-rthd-pic', 'chw_return_temp', 'input', rthd)).toBe(12.5);
    expect(read('trane-rthd-pic', 'cw_inlet_temp', 'input', rthd)).toBe(32);
    expect(read('trane-rthd-pic', 'cw_outlet_temp', 'input', rthd)).toBe(37);
    expect(read('trane-rthd-pic', 'load_pct', 'input', rthd)).toBe(78);
    expect((read('trane-rthd-pic', 'chiller_status', 'input', rthd) as number) & 0x0f).toBe(2); // run mode
    expect(read('trane-rthd-pic', 'tripped', 'input', rthd)).toBe(false);
    expect(read('trane-rthd-pic', 'enabled', 'input', rthd)).toBe(true);
    expect(read('trane-rthd-pic', 'chw_flow', 'input', rthd)).toBe(true);
    expect(read('trane-rthd-pic', 'cw_flow', 'input', rthd)).toBe(true);
    expect(read('trane-rthd-pic', 'compressor_a_running', 'input', rthd)).toBe(true);
    // Bit 8: a shutdown diagnostic (an alarm, not a warning) stopped the chiller.
    expect(read('trane-rthd-pic', 'tripped', 'input', { [at(30009)]: [0x0100] })).toBe(true);
    // A temperature below 0 °C still arrives as a positive number: -2.5 °C is 425.
    expect(read('trane-rthd-pic', 'chw_supply_temp', 'input', { [at(30005)]: [425] })).toBe(-2.5);
    // Discrete input 10002, Chiller Running Status, is address 1.
    expect(readBit('trane-rthd-pic', 'running', 'discrete', { 0: [false, true] })).toBe(true);
  });
});

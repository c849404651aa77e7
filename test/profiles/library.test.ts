/**
 * The library of manufacturers' profiles (profiles/ at the repository root): a device names one
 * by id, the loader finds it when the configuration has no profile of that id, and its points
 * decode what the manufacturer's document says the device sends.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRegisters } from '../../src/acquisition/modbus/codec.js';
import { ConfigError, loadConfig, type PlantConfig } from '../../src/config/index.js';
import { PROFILE_LIBRARY_DIR } from '../../src/config/load.js';

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

/** Decode the point `name` of library profile `id` from the registers the device sends. */
function decode(id: string, name: string, words: number[]): number | boolean {
  const point = config.profiles.get(id)?.points.find((p) => p.name === name);
  if (!point || !('table' in point)) throw new Error(`no Modbus point ${name} in ${id}`);
  return decodeRegisters(point, words, 0);
}

describe('the profile library', () => {
  it('is the folder the loader searches', () => {
    expect(PROFILE_LIBRARY_DIR).toBe(LIBRARY);
    expect(libraryIds).toEqual(
      expect.arrayContaining([
        'abb-acs580',
        'chint-dtsu666',
        'danfoss-fc102',
        'eastron-sdm120',
        'eastron-sdm630',
        'schneider-iem3x55',
        'schneider-pm5000',
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

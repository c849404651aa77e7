/**
 * The draft a scan writes: the devices found on the line, in the config's own format, which
 * check-config (loadConfig) rejects while the FILL IN places are empty and accepts once they
 * are filled with ids of the configuration and the line is added to lines.yaml.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { FILL_IN, type ScanResult, scanLine, writeDraft } from '../../src/discovery/index.js';
import { repoRoot } from '../../src/repo-root.js';
import { freePorts } from '../helpers/modbus-tcp-device.js';
import { fillDraft, lineOf, type SimulatedLines, scanPlant, serveLines } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'plantwatch-draft-'));
const configDir = join(dir, 'config');
let lines: SimulatedLines;
let result: ScanResult;
let written: string[];
/** The configuration the draft joins, as it was before. */
let before: PlantConfig;

beforeAll(async () => {
  const [tcpPort, rtuTcpPort] = await freePorts(2);
  const plant = scanPlant(tcpPort as number, rtuTcpPort as number, join(dir, 'tty', 'rs485'));
  lines = await serveLines(plant);
  cpSync(join(repoRoot(), 'config'), configDir, { recursive: true });
  before = loadConfig(configDir);
  result = await scanLine(lineOf(plant, 'gw-tcp'), { from: 1, to: 10, delayMs: 10 });
  written = writeDraft(configDir, result);
});
afterAll(async () => {
  await lines?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the draft configuration of a scan', () => {
  it('writes devices/<line>.yaml and the line entry into the directory', () => {
    expect(written.map((p) => p.slice(configDir.length + 1)).sort()).toEqual(
      [join('devices', `${result.line.id}.yaml`), `lines.${result.line.id}.yaml`].sort(),
    );
    for (const path of written) expect(existsSync(path)).toBe(true);
    expect(readFileSync(written[0] as string, 'utf8')).toContain(FILL_IN);
  });

  it('is rejected by check-config while the FILL IN places are empty', () => {
    const where = new RegExp(`devices/${result.line.id}\\.yaml:\\d+: devices\\[0\\]\\.profile`);
    expect(() => loadConfig(configDir)).toThrow(where);
  });

  it('is accepted once filled: the units found are devices of the scanned line', () => {
    fillDraft(configDir, before, {
      devices: join('devices', `${result.line.id}.yaml`),
      lines: `lines.${result.line.id}.yaml`,
    });
    const config = loadConfig(configDir);
    expect(config.lines.map((l) => l.id)).toContain(result.line.id);
    const drafted = config.devices.filter((d) => 'modbus' in d && d.modbus.line === result.line.id);
    expect(drafted.map((d) => ('modbus' in d ? d.modbus.unitId : undefined))).toEqual(
      result.found.map((u) => u.unitId),
    );
    expect(config.devices).toHaveLength(before.devices.length + result.found.length);
    // What a unit said it is goes to the asset ledger; a unit that said nothing has none.
    for (const unit of result.found) {
      const device = drafted.find((d) => 'modbus' in d && d.modbus.unitId === unit.unitId);
      const said = 'missing' in unit.identification ? undefined : unit.identification;
      expect(device?.asset?.maker).toBe(said?.vendor);
      expect(device?.asset?.model).toBe(said?.product);
    }
  });
});

/**
 * Modbus RTU over a real serial pseudo-terminal pair (socat): an RS-485 line shared by
 * two units, served by modbus-serial's own RTU slave, polled by the gateway's line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import modbusSerial from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPtyPair } from '../../../simulators/serial/pty-pair.js';
import { encodeRegisters } from '../../../src/acquisition/modbus/codec.js';
import { type ModbusService, startModbus } from '../../../src/acquisition/modbus/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { PointBus, type PointValue } from '../../../src/points/index.js';
import { type UnitMap, unitVector } from '../../helpers/modbus-tcp-device.js';
import { plantConfig } from '../../helpers/plant-config.js';
import { sleep, until } from '../../helpers/wait.js';

// modbus-serial is CommonJS; its RTU slave hangs off the module object.
const { ServerSerial } = modbusSerial as unknown as {
  ServerSerial: new (
    vector: object,
    options: { path: string; baudRate: number; unitID: number; openCallback?: (err?: Error) => void },
  ) => { close(cb: () => void): void; on(event: string, l: (...a: unknown[]) => void): void };
};

const word = (value: number, scale: number) =>
  encodeRegisters({ type: 'uint16', order: 'ABCD', table: 'holding', scale, offset: 0 }, value)[0]!;

const units: Record<number, UnitMap> = {
  1: { input: { 0: word(4.3, 0.01), 1: word(48.5, 0.1) } },
  2: { input: { 0: word(4.1, 0.01), 1: word(40.0, 0.1) } },
};

const dir = mkdtempSync(join(tmpdir(), 'plantwatch-rtu-'));
const gatewayPath = join(dir, 'rs485');
const slavePath = join(dir, 'rs485.slave');
let pty: { close(): Promise<void> };
let slave: { close(cb: () => void): void };
let modbus: ModbusService;
const latest = new Map<string, PointValue>();

async function plugIn(): Promise<void> {
  pty = await createPtyPair(gatewayPath, slavePath);
  slave = await new Promise((resolve, reject) => {
    const s = new ServerSerial(unitVector(units), {
      path: slavePath,
      baudRate: 9600,
      unitID: 255,
      openCallback: (err) => (err ? reject(err) : resolve(s)),
    });
    s.on('error', () => {});
  });
}

async function unplug(): Promise<void> {
  await new Promise<void>((resolve) => slave.close(() => resolve()));
  await pty.close();
}

beforeAll(async () => {
  await plugIn();
  const config = plantConfig({
    lines: [
      {
        id: 'rs485',
        transport: 'rtu',
        path: gatewayPath,
        baudRate: 9600,
        interFrameDelay: '5ms',
        timeout: 300,
        retries: 0,
        backoff: { initial: 300, max: 600 },
      },
    ],
    profiles: [
      {
        id: 'booster',
        name: 'Booster pump',
        equipment: 'pump',
        protocol: 'modbus',
        pollGroups: { fast: '300ms' },
        points: [
          { name: 'outlet_pressure_bar', table: 'input', address: 0, scale: 0.01, poll: 'fast' },
          { name: 'speed_hz', table: 'input', address: 1, scale: 0.1, poll: 'fast' },
        ],
      },
    ],
    devices: [
      { id: 'pbw1', name: 'Booster 1', profile: 'booster', modbus: { line: 'rs485', unitId: 1 } },
      { id: 'pbw2', name: 'Booster 2', profile: 'booster', modbus: { line: 'rs485', unitId: 2 } },
    ],
  });
  const bus = new PointBus();
  bus.subscribe((values) => {
    for (const v of values) latest.set(v.id, v);
  });
  modbus = startModbus({ config, bus, log: silentLogger() });
});

afterAll(async () => {
  await modbus?.stop();
  await unplug().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe('Modbus RTU on a serial line', () => {
  it('reads both units behind one port and reports the wire utilisation', async () => {
    await until('both units', () => latest.get('pbw1.speed_hz') && latest.get('pbw2.speed_hz'));
    expect(latest.get('pbw1.outlet_pressure_bar')?.value).toBeCloseTo(4.3, 6);
    expect(latest.get('pbw1.speed_hz')?.value).toBeCloseTo(48.5, 6);
    expect(latest.get('pbw2.speed_hz')?.value).toBeCloseTo(40.0, 6);
    await sleep(1500);
    const line = modbus.lines()[0]!;
    expect(line.transport).toBe('rtu');
    expect(line.requestsPerSecond).toBeGreaterThan(1);
    // Two 2-register reads every 300 ms at 9600 baud use a few percent of the wire.
    expect(line.wireUtilisation).toBeGreaterThan(0.01);
    expect(line.wireUtilisation).toBeLessThan(0.5);
    expect(line.meanResponseMs).toBeGreaterThan(0);
  });

  it('keeps polling the live unit while the other one is dead', async () => {
    (units[2] as UnitMap).silent = true;
    await until('pbw2 comm-error', () => latest.get('pbw2.speed_hz')?.quality === 'comm-error', 4000);
    const seen = latest.get('pbw1.speed_hz')!.ts;
    await sleep(700);
    expect(latest.get('pbw1.speed_hz')!.ts).toBeGreaterThan(seen);
    expect(latest.get('pbw1.speed_hz')?.quality).toBe('good');
    (units[2] as UnitMap).silent = false;
    await until('pbw2 back', () => latest.get('pbw2.speed_hz')?.quality === 'good', 5000);
  });

  it('survives the cable being unplugged and plugged back in', async () => {
    await unplug();
    await until('comm-error after unplug', () => latest.get('pbw1.speed_hz')?.quality === 'comm-error', 5000);
    expect(latest.get('pbw1.speed_hz')?.value).toBeNull();
    await plugIn();
    await until('recovered', () => latest.get('pbw1.speed_hz')?.quality === 'good', 8000);
    expect(modbus.lines()[0]?.state).toBe('connected');
  });
});

/**
 * Modbus RTU as a master meets it: over a real socat pseudo-terminal pair (an RS-485 line
 * with two units), and raw RTU frames over TCP (a cheap serial server), with the wire time
 * of a slow line, silence for bad frames, wrong units and offline slaves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { crc16 } from '../../simulators/modbus/rtu-slave.js';
import type { PlantConfig } from '../../src/config/index.js';
import type { ModbusProfile } from '../../src/config/schema.js';
import { freePort } from '../helpers/modbus-tcp-device.js';
import { plantConfig } from '../helpers/plant-config.js';
import { Client, chillerProfile, closeClient, decodeAll, meterProfile } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'plantwatch-sim-rtu-'));
const ttyPath = join(dir, 'tty', 'rs485-1');
let sim: PlantSimulator;
let config: PlantConfig;
let fastPort: number;
let slowPort: number;
const clients: ModbusRTU[] = [];

beforeAll(async () => {
  fastPort = await freePort();
  slowPort = await freePort();
  config = plantConfig({
    lines: [
      { id: 'rs485-1', transport: 'rtu', path: ttyPath, baudRate: 19200, parity: 'none', timeout: 500 },
      { id: 'rtu-tcp', transport: 'rtu-over-tcp', host: '127.0.0.1', port: fastPort, timeout: 500 },
      {
        id: 'rtu-tcp-1200',
        transport: 'rtu-over-tcp',
        host: '127.0.0.1',
        port: slowPort,
        baudRate: 1200,
        timeout: 2000,
      },
    ],
    profiles: [meterProfile, chillerProfile],
    devices: [
      { id: 'm1', name: 'Meter 1', profile: 'test-meter', modbus: { line: 'rs485-1', unitId: 1 } },
      { id: 'm2', name: 'Meter 2', profile: 'test-meter', modbus: { line: 'rs485-1', unitId: 2 } },
      { id: 'ch', name: 'Chiller', profile: 'test-chiller', modbus: { line: 'rtu-tcp', unitId: 5 } },
      { id: 'm3', name: 'Meter 3', profile: 'test-meter', modbus: { line: 'rtu-tcp-1200', unitId: 1 } },
    ],
    simulation: { devices: { m1: { load: 'lighting' }, m2: { load: 'hvac', peakKw: 90 } } },
  });
  sim = await startPlantSimulator(config, { tickMs: 100 });
});
afterEach(async () => {
  for (const f of sim.faults.list()) sim.faults.clear(f.device);
  await Promise.all(clients.splice(0).map(closeClient));
});
afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function serialMaster(unit: number): Promise<ModbusRTU> {
  const c = new Client();
  await c.connectRTUBuffered(ttyPath, { baudRate: 19200 });
  c.setID(unit);
  c.setTimeout(400);
  clients.push(c);
  return c;
}

/**
 * Raw RTU over TCP is modbus-serial's TelnetPort (what the gateway uses); its
 * "TcpRTUBuffered" port, despite the name, frames with MBAP headers.
 */
async function rtuTcpMaster(port: number, unit: number, timeout = 400): Promise<ModbusRTU> {
  const c = new Client();
  await c.connectTelnet('127.0.0.1', { port });
  c.setID(unit);
  c.setTimeout(timeout);
  clients.push(c);
  return c;
}

const profile = (id: string) => config.profiles.get(id) as ModbusProfile;

/**
 * The unit answers its own model's voltage. The model moves every 100 ms tick, so the read is
 * compared with the model just before and just after it: it must be one of the two, exactly.
 */
async function expectServed(master: ModbusRTU, device: string): Promise<void> {
  const before = Number(sim.values(device).voltage_l1);
  const served = decodeAll(profile('test-meter'), (await master.readHoldingRegisters(0, 8)).data)
    .voltage_l1 as number;
  const after = Number(sim.values(device).voltage_l1);
  const nearest = Math.abs(served - before) < Math.abs(served - after) ? before : after;
  expect(served).toBeCloseTo(nearest, 4);
}

describe('RTU over a socat pty pair', () => {
  it('lists the serial line as an endpoint', () => {
    expect(sim.endpoints).toContainEqual(expect.objectContaining({ line: 'rs485-1', where: ttyPath }));
  });

  it('answers each unit on the shared line with its own values', async () => {
    const master = await serialMaster(1);
    await expectServed(master, 'm1');
    master.setID(2);
    await expectServed(master, 'm2');
    await expect(master.readHoldingRegisters(20, 2)).rejects.toMatchObject({ modbusCode: 2 });
  });

  it('stays silent for a unit that is not on the line and for an offline one', async () => {
    const master = await serialMaster(7);
    await expect(master.readHoldingRegisters(0, 2)).rejects.toThrow(/Timed out/);
    sim.faults.inject('m2', { type: 'offline' });
    master.setID(2);
    await expect(master.readHoldingRegisters(0, 2)).rejects.toThrow(/Timed out/);
    master.setID(1);
    expect((await master.readHoldingRegisters(0, 2)).data).toHaveLength(2);
  });

  it('unplug kills the cable; replug brings the line back on the same path', async () => {
    await sim.unplug('rs485-1');
    await expect(serialMaster(1)).rejects.toThrow();
    await sim.replug('rs485-1');
    const master = await serialMaster(1);
    expect((await master.readHoldingRegisters(0, 2)).data).toHaveLength(2);
  });
});

describe('RTU over TCP', () => {
  it('answers raw RTU frames, with exceptions as RTU exception frames', async () => {
    const master = await rtuTcpMaster(fastPort, 5);
    const decoded = decodeAll(profile('test-chiller'), (await master.readInputRegisters(0, 5)).data);
    expect(decoded.load_pct).toBeCloseTo(Number(sim.values('ch').load_pct), 0);
    expect(decoded.running).toBe(true);
    await expect(master.readInputRegisters(4, 3)).rejects.toMatchObject({ modbusCode: 2 });
    sim.faults.inject('ch', { type: 'exception', code: 6 });
    await expect(master.readInputRegisters(0, 1)).rejects.toMatchObject({ modbusCode: 6 });
  });

  it('a wrong unit id or an offline unit gets no answer (no gateway on a raw RTU link)', async () => {
    await expect((await rtuTcpMaster(fastPort, 9)).readInputRegisters(0, 1)).rejects.toThrow(/Timed out/);
    sim.faults.inject('ch', { type: 'offline' });
    await expect((await rtuTcpMaster(fastPort, 5)).readInputRegisters(0, 1)).rejects.toThrow(/Timed out/);
  });

  it('ignores a frame with a bad CRC, then answers the next good one', async () => {
    const socket = connect(fastPort, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const request = Buffer.from([5, 4, 0, 0, 0, 1]);
    const crc = crc16(request);
    const good = Buffer.concat([request, Buffer.from([crc & 0xff, crc >> 8])]);
    const bad = Buffer.from(good);
    bad[7] = (bad[7] as number) ^ 0xff;
    const received: Buffer[] = [];
    socket.on('data', (d) => received.push(d));
    socket.write(bad);
    await new Promise((r) => setTimeout(r, 150));
    expect(received).toHaveLength(0);
    socket.write(good);
    await new Promise((r) => setTimeout(r, 150));
    socket.destroy();
    const response = Buffer.concat(received);
    expect(response.subarray(0, 3)).toEqual(Buffer.from([5, 4, 2]));
    expect(response.readUInt16LE(5)).toBe(crc16(response.subarray(0, 5)));
  });

  it('a 1200-baud line takes the wire time of the response', async () => {
    const master = await rtuTcpMaster(slowPort, 1, 3000);
    const started = Date.now();
    await master.readHoldingRegisters(0, 12); // 5 + 24 bytes back: 29 × 10 bits / 1200 baud ≈ 242 ms
    expect(Date.now() - started).toBeGreaterThanOrEqual(230);
  });
});

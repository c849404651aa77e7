/**
 * Faults as a Modbus master sees them, over real sockets: silence, lateness, exception
 * codes, a gateway answering for a dead unit, a counter rolling over, and the control API.
 */
import modbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { decodeRegisters } from '../../src/acquisition/modbus/codec.js';
import { loadConfig } from '../../src/config/index.js';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';

const Client = modbusSerial as unknown as new () => ModbusRTU;

let demo: DemoConfig;
let sim: PlantSimulator;
let config: ReturnType<typeof loadConfig>;
const clients: ModbusRTU[] = [];

const portOf = (lineId: string) => {
  const line = config.lines.find((l) => l.id === lineId);
  if (!line || line.transport === 'rtu') throw new Error(lineId);
  return line.port;
};

async function tcpClient(lineId: string, unit: number, timeout = 400): Promise<ModbusRTU> {
  const client = new Client();
  await client.connectTCP('127.0.0.1', { port: portOf(lineId) });
  client.setID(unit);
  client.setTimeout(timeout);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  demo = await demoConfigCopy();
  config = loadConfig(demo.dir);
  sim = await startPlantSimulator(config, { control: true, tickMs: 200 });
});
afterEach(() => {
  for (const f of sim.faults.list()) sim.faults.clear(f.device);
  for (const c of clients.splice(0)) c.close(() => {});
});
afterAll(async () => {
  await sim?.stop();
  demo?.cleanup();
});

describe('served registers', () => {
  it('hold the model values in the profile encoding, and exception 2 for unmapped addresses', async () => {
    const client = await tcpClient('ch1-tcp', 1);
    const { data } = await client.readInputRegisters(0, 5);
    const supply = decodeRegisters(
      { type: 'int16', order: 'ABCD', table: 'input', scale: 0.1, offset: 0 },
      data,
      0,
    );
    expect(supply).toBeCloseTo(Number(sim.values('ch1').chw_supply_temp), 0);
    await expect(client.readInputRegisters(5, 2)).rejects.toMatchObject({ modbusCode: 2 });
  });
});

describe('communication faults', () => {
  it('offline: a single TCP device stops answering and the master times out', async () => {
    sim.faults.inject('ch2', { type: 'offline' });
    const client = await tcpClient('ch2-tcp', 1);
    await expect(client.readInputRegisters(0, 5)).rejects.toThrow(/Timed out/);
  });

  it('offline behind a TCP gateway: the gateway answers exception 11 for that unit only', async () => {
    sim.faults.inject('dr1-f2', { type: 'offline' });
    const dead = await tcpClient('dr1-meters', 3, 2000);
    await expect(dead.readHoldingRegisters(0, 2)).rejects.toMatchObject({ modbusCode: 11 });
    const alive = await tcpClient('dr1-meters', 4);
    expect((await alive.readHoldingRegisters(0, 2)).data).toHaveLength(2);
  });

  it('slow: answers after the injected delay', async () => {
    sim.faults.inject('o2-station', { type: 'slow', delayMs: 250 });
    const client = await tcpClient('oxygen-tcp', 1, 1000);
    const started = Date.now();
    await client.readInputRegisters(0, 3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('exception: the chosen code for reads touching the chosen addresses', async () => {
    sim.faults.inject('ch1', { type: 'exception', code: 6, from: 10, to: 11 });
    const client = await tcpClient('ch1-tcp', 1);
    await expect(client.readInputRegisters(10, 2)).rejects.toMatchObject({ modbusCode: 6 });
    expect((await client.readInputRegisters(0, 5)).data).toHaveLength(5);
  });
});

describe('physical faults over the wire', () => {
  it('trip: the chiller reports not running, tripped and a fault code', async () => {
    sim.faults.inject('ch1', { type: 'trip' });
    await new Promise((r) => setTimeout(r, 400));
    const client = await tcpClient('ch1-tcp', 1);
    const [status, fault] = (await client.readInputRegisters(12, 2)).data;
    expect(status! & 0b01).toBe(0); // running bit
    expect(status! & 0b10).toBe(0b10); // tripped bit
    expect(fault).not.toBe(0);
  });

  it('rollover: the 32-bit kWh counter wraps through zero', async () => {
    sim.faults.inject('dr1-incomer', { type: 'rollover' });
    const client = await tcpClient('dr1-meters', 1);
    const read = async () => {
      const { data } = await client.readHoldingRegisters(40, 2);
      return decodeRegisters(
        { type: 'uint32', order: 'ABCD', table: 'holding', scale: 1, offset: 0 },
        data,
        0,
      ) as number;
    };
    const high = await read();
    expect(high).toBeGreaterThan(2 ** 32 - 1000);
    let low = high;
    for (let i = 0; i < 40 && low >= high; i++) {
      await new Promise((r) => setTimeout(r, 250));
      low = await read();
    }
    expect(low).toBeLessThan(1000);
  });
});

describe('control API', () => {
  it('injects, lists and clears faults, and refuses nonsense with 400', async () => {
    const { host, port } = config.simulation.control;
    const base = `http://${host}:${port}`;
    // Bounded: a request that hangs fails here, saying so, instead of at the suite's timeout.
    const fetch = (url: string, init: RequestInit = {}) =>
      globalThis.fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
    const post = await fetch(`${base}/faults/wm-canteen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'leak', flowM3h: 2 }),
    });
    expect(post.status).toBe(200);
    expect(await (await fetch(`${base}/faults`)).json()).toEqual([
      { device: 'wm-canteen', fault: { type: 'leak', flowM3h: 2 } },
    ]);
    const bad = await fetch(`${base}/faults/wm-canteen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'flood' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/invalid fault for wm-canteen/);
    expect((await fetch(`${base}/faults/wm-canteen`, { method: 'DELETE' })).status).toBe(200);
    expect(await (await fetch(`${base}/faults`)).json()).toEqual([]);
  });
});

/**
 * The simulated hospital's BACnet/IP equipment as a BMS client reads it: the operating theatres'
 * air-handling units and the chillers' BACnet cards, started from the demo configuration on
 * loopback (each on a free UDP port), read with @bacnet-js/client bound to 127.0.0.1 on a port of
 * its own (its server side ignores requests from 127.0.0.1:47808), faults injected through the
 * control API. The plant's clock is the test's: a fault change steps the plant at once, and
 * nothing else does (the tick is an hour away), so a value read is the value of one instant.
 */
import {
  type BACNetObjectID,
  ObjectType,
  PropertyIdentifier,
  Reliability,
  StatusFlags,
} from '@bacnet-js/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readBacnet } from '../../simulators/history.js';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { environmentAt } from '../../simulators/physics/environment.js';
import { PlantModel } from '../../simulators/plant.js';
import { BACnetClient } from '../../src/acquisition/bacnet/client.js';
import { readingsOf } from '../../src/acquisition/bacnet/decode.js';
import { pointValueOf } from '../../src/acquisition/bacnet/point-values.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import type { BacnetProfile } from '../../src/config/schema.js';
import type { PointValue } from '../../src/points/index.js';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';
import { freeUdpPorts } from '../helpers/udp-ports.js';

type BacnetClient = InstanceType<typeof BACnetClient>;

const AHUS = ['ahu-or1', 'ahu-or2', 'ahu-or3', 'ahu-or4'] as const;
const CHILLERS = ['ch1', 'ch2'] as const;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ALL = 0xffffffff;
const APDU_TIMEOUT_MS = 600;

let demo: DemoConfig;
let config: PlantConfig;
let sim: PlantSimulator;
let client: BacnetClient;
let controlUrl: string;
/** The plant's clock. */
let now = 0;

/** The first whole hour of 15 July 2026 at this local hour of the plant's time zone. */
function atLocal(hour: number): number {
  const start = Date.UTC(2026, 6, 15, 0, 0);
  for (let t = start; t < start + DAY; t += HOUR)
    if (Math.round(environmentAt(t, config.simulation.weather, config.energy.timezone).hour) === hour)
      return t;
  throw new Error(`no hour ${hour}`);
}

/** Moves the plant's clock on and steps the plant (clearing the faults of a device that has none). */
function advance(ms: number): void {
  now += ms;
  sim.faults.clear('weather');
}

const addressOf = (id: string): string => {
  const device = config.devices.find((d) => d.id === id);
  if (device && 'bacnet' in device && device.bacnet.address) return device.bacnet.address;
  const card = config.simulation.devices[id]?.bacnetAddress;
  if (typeof card === 'string') return card;
  throw new Error(`${id} has no BACnet address`);
};

const profileOf = (id: string): BacnetProfile => {
  const device = config.devices.find((d) => d.id === id);
  const own = device ? config.profiles.get(device.profile) : undefined;
  const profile = own?.protocol === 'bacnet' ? own : config.profiles.get('chiller-bacnet');
  if (profile?.protocol !== 'bacnet') throw new Error(`${id} has no BACnet profile`);
  return profile;
};

interface ObjectReading {
  value: number | boolean;
  flags: { fault: boolean; outOfService: boolean };
  reliability: number;
  outOfService: boolean;
}

const flag = (bits: { value: number[] }, f: StatusFlags) =>
  (((bits.value[f >> 3] ?? 0) >> (f & 7)) & 1) === 1;
const BINARY = new Set<number>([ObjectType.BINARY_INPUT, ObjectType.BINARY_VALUE]);

/** Every point of a device by ReadPropertyMultiple: present value (binary ones as booleans), flags, reliability. */
async function readDevice(id: string): Promise<Map<string, ObjectReading>> {
  const profile = profileOf(id);
  const properties = [
    PropertyIdentifier.PRESENT_VALUE,
    PropertyIdentifier.STATUS_FLAGS,
    PropertyIdentifier.RELIABILITY,
    PropertyIdentifier.OUT_OF_SERVICE,
  ].map((p) => ({ id: p, index: ALL }));
  const answer = await client.readPropertyMultiple(
    { address: addressOf(id) },
    profile.points.map((p) => ({
      objectId: { type: p.object.type, instance: p.object.instance },
      properties,
    })),
  );
  const readings = new Map<string, ObjectReading>();
  profile.points.forEach((point, i) => {
    // Decoded, each property's id is at `id` (the library's types say `property.id`).
    const values = (answer.values[i]?.values ?? []) as unknown as {
      id: number;
      value: { value: unknown }[];
    }[];
    const of = (p: PropertyIdentifier) => values.find((v) => v.id === p)?.value[0]?.value;
    const present = of(PropertyIdentifier.PRESENT_VALUE) as number;
    const bits = of(PropertyIdentifier.STATUS_FLAGS) as { value: number[] };
    readings.set(point.name, {
      value: BINARY.has(point.object.type) ? present !== 0 : present,
      flags: { fault: flag(bits, StatusFlags.FAULT), outOfService: flag(bits, StatusFlags.OUT_OF_SERVICE) },
      reliability: of(PropertyIdentifier.RELIABILITY) as number,
      outOfService: of(PropertyIdentifier.OUT_OF_SERVICE) as boolean,
    });
  });
  return readings;
}

/** The device's points as the gateway makes them of what it answers (the gateway's own decoding). */
async function gatewayReads(id: string): Promise<PointValue[]> {
  const profile = profileOf(id);
  const properties = [
    PropertyIdentifier.PRESENT_VALUE,
    PropertyIdentifier.STATUS_FLAGS,
    PropertyIdentifier.RELIABILITY,
  ].map((p) => ({ id: p, index: ALL }));
  const answer = await client.readPropertyMultiple(
    { address: addressOf(id) },
    profile.points.map((p) => ({
      objectId: { type: p.object.type, instance: p.object.instance },
      properties,
    })),
  );
  return profile.points.flatMap((point, i) => {
    const values = (answer.values[i]?.values ?? []) as unknown as { id: number; value: [] }[];
    const ref = { id: `${id}.${point.name}`, object: point.object };
    const [reading] = readingsOf(
      [ref],
      values.map((v) => ({ id: v.id, values: v.value })),
    );
    return reading ? [pointValueOf(point, reading, now)] : [];
  });
}

async function until(done: () => boolean, withinMs: number): Promise<void> {
  const started = performance.now();
  while (!done() && performance.now() - started < withinMs) await new Promise((r) => setTimeout(r, 20));
}

const valuesOf = async (id: string) =>
  Object.fromEntries([...(await readDevice(id))].map(([name, r]) => [name, r.value]));

function readDeviceObject(id: string, property: PropertyIdentifier, instance: number) {
  const object: BACNetObjectID = { type: ObjectType.DEVICE, instance };
  return client.readProperty({ address: addressOf(id) }, object, property);
}

async function control(method: 'POST' | 'DELETE', path: string, body?: object) {
  const response = await fetch(`${controlUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as { error?: string } };
}

beforeAll(async () => {
  // The copy puts the AHUs and the chillers' cards on free UDP ports; the client takes another.
  demo = await demoConfigCopy();
  const [clientPort] = await freeUdpPorts(1);
  config = loadConfig(demo.dir);
  now = atLocal(10); // the theatres in use
  sim = await startPlantSimulator(config, { control: true, now: () => now, tickMs: HOUR });
  controlUrl = `http://${config.simulation.control.host}:${config.simulation.control.port}`;
  client = new BACnetClient({
    interface: '127.0.0.1',
    port: clientPort,
    broadcastAddress: '127.255.255.255',
    apduTimeout: APDU_TIMEOUT_MS,
    reuseAddr: false,
  });
  await new Promise<void>((resolve) => client.once('listening', () => resolve()));
}, 30_000);

afterAll(async () => {
  client?.close();
  await sim?.stop();
  demo?.cleanup();
});

describe('the plant on BACnet/IP', () => {
  it('answers on every theatre AHU and chiller card, each as its own device', async () => {
    const expected: [string, number, string][] = [
      ...AHUS.map((id, i): [string, number, string] => [id, 3001 + i, `OR${i + 1} air-handling unit`]),
      ['ch1', 1001, 'Chiller 1 BACnet card'],
      ['ch2', 1002, 'Chiller 2 BACnet card'],
    ];
    expect(new Set(expected.map(([id]) => addressOf(id))).size).toBe(expected.length);
    for (const [id, instance, name] of expected) {
      const identifier = await readDeviceObject(id, PropertyIdentifier.OBJECT_IDENTIFIER, instance);
      expect(identifier.values[0]?.value, id).toEqual({ type: ObjectType.DEVICE, instance });
      const objectName = await readDeviceObject(id, PropertyIdentifier.OBJECT_NAME, instance);
      expect(objectName.values[0]?.value, id).toBe(name);
    }
    expect(sim.endpoints.filter((e) => e.transport.startsWith('BACnet/IP'))).toHaveLength(6);
  });

  it('answers a Who-Is broadcast on the loopback (127.255.255.255) from its own address', async () => {
    const heard: { instance: number; address: string }[] = [];
    const onIAm = (content: {
      payload?: { deviceId?: number };
      header?: { sender?: { address?: string } };
    }) =>
      heard.push({
        instance: content.payload?.deviceId ?? -1,
        address: content.header?.sender?.address ?? '',
      });
    client.on('iAm', onIAm);
    try {
      for (const id of ['ahu-or3', 'ch2']) {
        const port = addressOf(id).split(':')[1];
        client.whoIs({ address: `127.255.255.255:${port}` });
      }
      await until(() => heard.length >= 2, 2000);
    } finally {
      client.off('iAm', onIAm);
    }
    expect(heard).toEqual(
      expect.arrayContaining([
        { instance: 3003, address: addressOf('ahu-or3') },
        { instance: 1002, address: addressOf('ch2') },
      ]),
    );
  });

  it('serves what the physics says, as the backfill reads it for the same instant', async () => {
    for (const id of AHUS) {
      const backfill = readBacnet(id, profileOf(id), sim.values(id), now);
      expect(backfill).toHaveLength(profileOf(id).points.length);
      expect(backfill.every((v) => v.quality === 'good')).toBe(true);
      expect(await gatewayReads(id), id).toEqual(backfill);
      const served = await valuesOf(id);
      // A theatre in use: positive to its corridor, in its comfort band, cooled by its supply air.
      expect(served.theatre_in_use, id).toBe(true);
      expect(served.supply_fan_running, id).toBe(true);
      expect(served.room_pressure_pa, id).toBeGreaterThan(5);
      expect(served.room_pressure_pa, id).toBeLessThan(30);
      expect(served.room_temp, id).toBeGreaterThan(20);
      expect(served.room_temp, id).toBeLessThan(25);
      expect(served.room_rh, id).toBeGreaterThan(40);
      expect(served.room_rh, id).toBeLessThan(60);
      expect(Number(served.supply_air_temp), id).toBeLessThan(Number(served.room_temp) - 3);
      expect(Number(served.return_air_temp), id).toBeGreaterThan(Number(served.room_temp));
      expect(served.air_changes_per_hour, id).toBeGreaterThan(15);
      expect(served.chw_valve_pct, id).toBeGreaterThan(5);
    }
    for (const id of CHILLERS) {
      const served = await valuesOf(id);
      const physics = sim.values(id);
      expect(served.chw_supply_temp, id).toBe(Math.fround(Number(physics.chw_supply_temp)));
      expect(served.chw_return_temp, id).toBe(Math.fround(Number(physics.chw_return_temp)));
      expect(served.load_pct, id).toBe(Math.fround(Number(physics.load_pct)));
      expect(served.power_kw, id).toBe(Math.fround(Number(physics.power_kw)));
      expect(served.running, id).toBe(true);
      expect(served.tripped, id).toBe(false);
    }
  });

  it('follows the simulated day: a setback at night, the filter loading over days', async () => {
    const day = await valuesOf('ahu-or2');
    advance(17 * HOUR); // 03:00
    const night = await valuesOf('ahu-or2');
    expect(night.theatre_in_use).toBe(false);
    expect(night.supply_fan_running).toBe(true);
    expect(night.supply_fan_speed_pct).toBeLessThan(Number(day.supply_fan_speed_pct));
    expect(night.air_changes_per_hour).toBeLessThan(Number(day.air_changes_per_hour));
    // Lower than by day (a door opened by day dips it for seconds: compared with the setpoint), still positive.
    const { pressureSetpointPa } = config.simulation.devices['ahu-or2'] ?? {};
    expect(night.room_pressure_pa).toBeLessThan(0.8 * Number(pressureSetpointPa));
    expect(night.room_pressure_pa).toBeGreaterThan(5);
    expect(night.room_temp).toBeGreaterThan(Number(day.room_temp));
    advance(7 * HOUR + 10 * DAY); // 10:00, ten days on
    const later = await valuesOf('ahu-or2');
    expect(later.theatre_in_use).toBe(true);
    expect(later.filter_dp_pa).toBeGreaterThan(Number(day.filter_dp_pa) + 5);
  });
});

describe('faults through the control API', () => {
  afterEach(async () => {
    for (const id of [...AHUS, ...CHILLERS]) await control('DELETE', `/faults/${id}`);
  });

  it('offline: the device answers nothing, the others still do, and it is back once cleared', async () => {
    expect((await control('POST', '/faults/ahu-or2', { type: 'offline' })).status).toBe(200);
    await expect(readDeviceObject('ahu-or2', PropertyIdentifier.OBJECT_NAME, 3002)).rejects.toThrow(
      /ERR_TIMEOUT/,
    );
    expect((await valuesOf('ahu-or3')).supply_fan_running).toBe(true);
    await control('DELETE', '/faults/ahu-or2/offline');
    expect((await valuesOf('ahu-or2')).supply_fan_running).toBe(true);
  });

  it("offline: a chiller's BACnet card goes silent with the chiller", async () => {
    await control('POST', '/faults/ch1', { type: 'offline' });
    await expect(readDeviceObject('ch1', PropertyIdentifier.OBJECT_NAME, 1001)).rejects.toThrow(
      /ERR_TIMEOUT/,
    );
    expect((await valuesOf('ch2')).running).toBe(true);
  });

  it('out-of-service: the object says so in its status flags, its value no longer follows the plant', async () => {
    await control('POST', '/faults/ahu-or3', { type: 'out-of-service', point: 'room_pressure_pa' });
    const before = await readDevice('ahu-or3');
    const pressure = before.get('room_pressure_pa');
    expect(pressure?.flags).toEqual({ fault: false, outOfService: true });
    expect(pressure?.outOfService).toBe(true);
    expect(before.get('room_temp')?.flags).toEqual({ fault: false, outOfService: false });
    // Out of service is stale to the gateway, and to the backfill under the same fault.
    const health = { outOfService: (point: string) => point === 'room_pressure_pa', faultFlag: () => false };
    const backfill = readBacnet('ahu-or3', profileOf('ahu-or3'), sim.values('ahu-or3'), now, health);
    expect(await gatewayReads('ahu-or3')).toEqual(backfill);
    expect(backfill.find((v) => v.id === 'ahu-or3.room_pressure_pa')?.quality).toBe('stale');
    advance(60_000);
    const after = await readDevice('ahu-or3');
    expect(after.get('room_pressure_pa')?.value).toBe(pressure?.value);
    expect(after.get('room_temp')?.value).not.toBe(before.get('room_temp')?.value);
    await control('DELETE', '/faults/ahu-or3/out-of-service');
    expect((await readDevice('ahu-or3')).get('room_pressure_pa')?.flags.outOfService).toBe(false);
  });

  it('fault-flag: every object of the device flags a fault, with a reliability other than no-fault', async () => {
    await control('POST', '/faults/ahu-or4', { type: 'fault-flag' });
    for (const [name, reading] of await readDevice('ahu-or4')) {
      expect(reading.flags.fault, name).toBe(true);
      expect(reading.reliability, name).not.toBe(Reliability.NO_FAULT_DETECTED);
    }
    // The gateway makes them out-of-range, and so does the backfill under the same fault.
    const underFault = await gatewayReads('ahu-or4');
    expect(underFault.every((v) => v.quality === 'out-of-range')).toBe(true);
    const health = { outOfService: () => false, faultFlag: () => true };
    expect(readBacnet('ahu-or4', profileOf('ahu-or4'), sim.values('ahu-or4'), now, health)).toEqual(
      underFault,
    );
    await control('DELETE', '/faults/ahu-or4/fault-flag');
    for (const [name, reading] of await readDevice('ahu-or4')) {
      expect(reading.flags.fault, name).toBe(false);
      expect(reading.reliability, name).toBe(Reliability.NO_FAULT_DETECTED);
    }
  });

  it('slow: the answer comes after the delay', async () => {
    await control('POST', '/faults/ahu-or1', { type: 'slow', delayMs: 300 });
    const started = performance.now();
    await readDeviceObject('ahu-or1', PropertyIdentifier.OBJECT_NAME, 3001);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('trip: the supply fan stops and the theatre loses its pressure', async () => {
    await control('POST', '/faults/ahu-or1', { type: 'trip' });
    advance(2 * 60_000);
    const tripped = await valuesOf('ahu-or1');
    expect(tripped.supply_fan_running).toBe(false);
    expect(tripped.room_pressure_pa).toBeLessThan(5);
    expect(tripped.air_changes_per_hour).toBeLessThan(1);
  });

  it('refuses what does not apply, saying why', async () => {
    const modbusOnly = await control('POST', '/faults/pchw1', { type: 'out-of-service' });
    expect(modbusOnly.status).toBe(400);
    expect(modbusOnly.body.error).toMatch(/pchw1 does not answer on BACnet/);
    const exception = await control('POST', '/faults/ahu-or1', { type: 'exception', code: 2 });
    expect(exception.body.error).toMatch(/answers on BACnet: Modbus exceptions do not apply/);
    const point = await control('POST', '/faults/ahu-or1', { type: 'fault-flag', point: 'room_pressure' });
    expect(point.body.error).toMatch(/has no BACnet point "room_pressure".*room_pressure_pa/);
  });
});

describe('the theatre AHU physics over days', () => {
  /** The demo plant alone on the test's clock, stepped every minute. */
  function run(days: number, from: number, each: (plant: PlantModel, time: number) => void) {
    let time = from;
    const plant = new PlantModel(config, () => time);
    for (; time < from + days * DAY; time += 60_000) {
      plant.step();
      each(plant, time);
    }
    return plant;
  }

  it('keeps each theatre positive, in its bands, in use by day only', () => {
    const outside: string[] = [];
    const longestLow = new Map<string, number>();
    const low = new Map<string, number>();
    run(2, atLocal(0), (plant, time) => {
      const hour = environmentAt(time, config.simulation.weather, config.energy.timezone).hour;
      for (const id of AHUS) {
        const v = plant.values(id);
        const at = `${id} at ${hour.toFixed(2)}`;
        if (v.theatre_in_use !== (hour >= 8 && hour < 18)) outside.push(`${at}: in use ${v.theatre_in_use}`);
        if (!(Number(v.room_temp) > 20 && Number(v.room_temp) < 25)) outside.push(`${at}: ${v.room_temp} °C`);
        if (!(Number(v.room_rh) > 40 && Number(v.room_rh) < 60)) outside.push(`${at}: ${v.room_rh} %RH`);
        // A door opened dips the pressure for seconds; never below 5 Pa for the alarm's 2 minutes.
        const minutes = Number(v.room_pressure_pa) < 5 ? (low.get(id) ?? 0) + 1 : 0;
        low.set(id, minutes);
        longestLow.set(id, Math.max(longestLow.get(id) ?? 0, minutes));
      }
    });
    expect(outside).toEqual([]);
    for (const id of AHUS) expect(longestLow.get(id), id).toBeLessThan(2);
  });

  it('warms the theatres once no chiller runs', () => {
    let time = atLocal(10);
    const plant = new PlantModel(config, () => time);
    const before = Number(plant.values('ahu-or2').room_temp);
    for (const id of CHILLERS) plant.model(id).trip?.(true);
    for (let i = 0; i < 180; i++) {
      time += 60_000;
      plant.step();
    }
    expect(Number(plant.values('ahu-or2').room_temp)).toBeGreaterThan(Math.max(26, before + 3));
    expect(plant.values('ahu-or2').chw_valve_pct).toBeGreaterThan(99);
  });
});

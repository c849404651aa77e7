/**
 * Days or months of plant data in seconds: the plant's physics stepped on a simulated
 * clock, read as the gateway would store it (each Modbus point through the register map and
 * the gateway's codec, each MQTT reading through its JSON payload, each BACnet object's present
 * value as a REAL or a binary), with faults injected and cleared at their times. For energy
 * reports, leak detection and the demo's back-fill.
 */
import { PropertyIdentifier } from '@bacnet-js/client';
import { readingsOf } from '../src/acquisition/bacnet/decode.js';
import { pointValueOf } from '../src/acquisition/bacnet/point-values.js';
import { decodeRegisters } from '../src/acquisition/modbus/codec.js';
import { mapPayload } from '../src/acquisition/mqtt/payload.js';
import type { PlantConfig } from '../src/config/index.js';
import { registerCount } from '../src/config/registers.js';
import type {
  BacnetProfile,
  DeviceConfig,
  ModbusPointConfig,
  ModbusProfile,
  MqttProfile,
} from '../src/config/schema.js';
import { type PointValue, pointId } from '../src/points/index.js';
import { answersOf } from './bacnet/plant-devices.js';
import { type CommFaults, type Fault, Faults, type ObjectFaults } from './faults.js';
import { payloadOf } from './mqtt-meters.js';
import { retrofitTime } from './physics/power-meter.js';
import type { Values } from './physics/types.js';
import { PlantModel } from './plant.js';
import { buildBank, type RegisterBank } from './register-bank.js';

export interface ScheduledFault {
  device: string;
  fault: Fault;
  /** Epoch ms: the fault shows from the first step at or after this time. */
  from: number;
  /** Epoch ms it is cleared; absent: until the end. */
  to?: number;
}

export interface HistoryOptions {
  /** Epoch ms of the first batch. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /** Simulated time between batches, e.g. 60_000 or 300_000. */
  stepMs: number;
  faults?: readonly ScheduledFault[];
  /**
   * What relative dates in simulation.yaml ("retrofitAt: -30d") count back from. A live
   * simulator counts from its start; a history by default from its end, where a simulator
   * started afterwards takes over.
   */
  anchor?: number;
}

/**
 * One batch per step, from `from` to `to` (exclusive): every enabled device's points as
 * `<device>.<point>`, quality good, stamped with the simulated time. Counters integrate
 * continuously across steps; the same config and options give the same history.
 * An offline device (or the registers under a Modbus exception) gives no samples while
 * the fault lasts; a slow one changes nothing (a reading is stamped when taken).
 */
export function* simulateHistory(config: PlantConfig, options: HistoryOptions): Generator<PointValue[]> {
  const { from, to, stepMs } = options;
  if (!Number.isFinite(from) || !Number.isFinite(to) || to < from)
    throw new Error(`simulateHistory: expected from ≤ to as epoch ms (got from ${from}, to ${to})`);
  if (!Number.isFinite(stepMs) || stepMs <= 0)
    throw new Error(`simulateHistory: stepMs must be a positive number of ms (got ${stepMs})`);

  let now = from;
  const plant = new PlantModel(historyConfig(config, options.anchor ?? to), () => now);
  const faults = new Faults(plant, stepMs);
  const schedule = (options.faults ?? []).map((entry) => {
    plant.model(entry.device); // an unknown device fails here, not hours into the history
    if (entry.to !== undefined && entry.to <= entry.from)
      throw new Error(`simulateHistory: fault ${entry.fault.type} on ${entry.device} ends before it starts`);
    return { ...entry, injected: false, cleared: false };
  });
  const readers = config.devices.filter((d) => d.enabled).map((device) => deviceReader(plant, device));

  for (let i = 0; from + i * stepMs < to; i++) {
    now = from + i * stepMs;
    // Clear before inject: a fault that follows another on the same device takes its place.
    for (const entry of schedule) {
      if (entry.injected && !entry.cleared && entry.to !== undefined && entry.to <= now) {
        faults.clear(entry.device, entry.fault.type);
        entry.cleared = true;
      }
    }
    for (const entry of schedule) {
      if (!entry.injected && entry.from <= now && (entry.to === undefined || entry.to > now)) {
        faults.inject(entry.device, entry.fault);
        entry.injected = true;
      }
    }
    // The first step is at the model's own start: no time passes, nothing is integrated.
    plant.step();
    yield readers.flatMap((reader) =>
      reader.read(now, faults.comm(reader.device), faults.objects(reader.device)),
    );
  }
}

/**
 * The plant's config for a history: simulated time is the injected clock (speed 1), and
 * relative retrofit dates are fixed against the anchor rather than the history's start.
 */
function historyConfig(config: PlantConfig, anchor: number): PlantConfig {
  const devices = Object.fromEntries(
    Object.entries(config.simulation.devices).map(([id, params]) => {
      const at = params.retrofitAt;
      const resolved = typeof at === 'string' ? retrofitTime(at, anchor) : undefined;
      // An unreadable date is left for the power meter's validation to name.
      return [
        id,
        resolved === undefined ? params : { ...params, retrofitAt: new Date(resolved).toISOString() },
      ];
    }),
  );
  return { ...config, simulation: { ...config.simulation, speed: 1, devices } };
}

interface DeviceReader {
  device: string;
  read(time: number, comm: CommFaults, objects: ObjectFaults): PointValue[];
}

function deviceReader(plant: PlantModel, device: DeviceConfig): DeviceReader {
  const profile = plant.profileOf(device.id);
  return {
    device: device.id,
    read(time, comm, objects) {
      if (!profile || comm.offline) return [];
      const values = plant.values(device.id);
      if (profile.protocol === 'modbus') return readModbus(device.id, profile, values, time, comm);
      if (profile.protocol === 'mqtt') return readMqtt(device, profile, values, time);
      return readBacnet(device.id, profile, values, time, objects);
    },
  };
}

/** What the gateway decodes from the device's registers: register resolution, counters truncated and wrapped. */
function readModbus(
  deviceId: string,
  profile: ModbusProfile,
  values: Values,
  time: number,
  comm: CommFaults,
): PointValue[] {
  const bank = buildBank(profile, values);
  const batch: PointValue[] = [];
  for (const point of profile.points) {
    // A model that does not compute a point (no physics for it) gives no sample, not a 0.
    if (!(point.name in values)) continue;
    if (comm.exception && touches(point, comm.exception)) continue;
    batch.push({ id: pointId(deviceId, point.name), value: decode(bank, point), quality: 'good', ts: time });
  }
  return batch;
}

function touches(point: ModbusPointConfig, range: { from: number; to: number }): boolean {
  return point.address <= range.to && point.address + registerCount(point) - 1 >= range.from;
}

function decode(bank: RegisterBank, point: ModbusPointConfig): number | boolean {
  const table = point.table;
  if (table === 'coil' || table === 'discrete') return bank.bits[table].get(point.address) ?? false;
  const words = Array.from(
    { length: registerCount(point) },
    (_, i) => bank.words[table].get(point.address + i) ?? 0,
  );
  return decodeRegisters(point, words, 0);
}

/** What the gateway maps from the meter's JSON: the payload's rounding, the profile's scale. */
function readMqtt(device: DeviceConfig, profile: MqttProfile, values: Values, time: number): PointValue[] {
  if (!('mqtt' in device)) return [];
  const { values: mapped } = mapPayload(device, profile, payloadOf(profile, values, time), time);
  // Stamped with the simulated time whether or not the profile carries a timestamp field.
  return mapped.map((v) => ({ ...v, quality: 'good', ts: time }));
}

/**
 * What the gateway reads from the device's objects: each point's present value and health as
 * the simulated device answers them, through the gateway's own BACnet decoding (a REAL as the
 * decimal its float32 stands for, a binary object as a boolean, the profile's scale and offset,
 * its range; the fault flag out-of-range, out-of-service stale). A point of another property
 * than present-value, which the simulated device does not serve, gives no sample.
 */
export function readBacnet(
  deviceId: string,
  profile: BacnetProfile,
  values: Values,
  time: number,
  objects?: ObjectFaults,
): PointValue[] {
  const batch: PointValue[] = [];
  for (const point of profile.points) {
    // A model that does not compute a point (no physics for it) gives no sample, not a 0.
    if (!(point.name in values) || point.property !== PropertyIdentifier.PRESENT_VALUE) continue;
    const health = {
      outOfService: objects?.outOfService(point.name) ?? false,
      faultFlag: objects?.faultFlag(point.name) ?? false,
    };
    const ref = { id: pointId(deviceId, point.name), object: point.object };
    const [reading] = readingsOf([ref], answersOf(point, values[point.name], health));
    if (reading) batch.push(pointValueOf(point, reading, time));
  }
  return batch;
}

/**
 * A bacnet profile as the configuration gives it, read from a simulated air-handling unit:
 * what an engineer sees on the bus for each kind of point (poll groups at their periods; scale,
 * offset and range; binary, multi-state and counter values; a property other than
 * present-value), on 127.0.0.1 without a namespace (host-plant.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedBacnetDevice } from '../../../simulators/bacnet/device.js';
import { type BacnetService, startBacnet } from '../../../src/acquisition/bacnet/index.js';
import { freeUdpPort, labConfig, log, recordingBus, sleep, startSimulator } from './host-plant.js';

const FAST_MS = 200;
const SLOW_MS = 1_000;

const PROFILE = {
  id: 'ahu',
  name: 'AHU',
  equipment: 'air-handling-unit',
  protocol: 'bacnet',
  pollGroups: { default: FAST_MS, slow: SLOW_MS },
  points: [
    // 16.5 °C read as tenths of a kelvin above 16: scale and offset on the decimals sent.
    { name: 'supply_temp', object: 'AI1', unit: '°C', scale: 10, offset: -160 },
    // 412 Pa as kPa, with a range it is outside of once the device reads more than 0.5 kPa.
    { name: 'duct_pressure', object: 'analog-input:2', unit: 'kPa', scale: 0.001, range: [0, 0.5] },
    { name: 'setpoint', object: 'AV1', unit: '°C' },
    // Not present-value, and alone on its object in its group: no health read with it.
    { name: 'setpoint_default', object: 'AV1', property: 'relinquish-default', unit: '°C', poll: 'slow' },
    { name: 'fan_running', object: 'BV1', kind: 'state' },
    { name: 'mode', object: 'MSV1', kind: 'state' },
    { name: 'fan_energy', object: 'ACC1', unit: 'kWh', counter: true, poll: 'slow' },
  ],
};

describe('BACnet points from the configuration', () => {
  let device: SimulatedBacnetDevice;
  let service: BacnetService;
  const recorder = recordingBus();

  beforeAll(async () => {
    device = await startSimulator({ instance: 2001, maxApdu: 480 });
    const config = labConfig({
      gatewayPort: await freeUdpPort(),
      profiles: [PROFILE],
      devices: [{ id: 'ahu1', profile: 'ahu', instance: 2001, address: device.address }],
    });
    service = await startBacnet({ config, bus: recorder.bus, log });
    await recorder.until('ahu1.fan_energy', (v) => v.quality === 'good', 3_000);
  });
  afterAll(async () => {
    await service?.stop();
    device?.close();
  });

  it('reads each kind of point as the profile describes it', () => {
    const value = (name: string) => {
      const { value, quality } = recorder.latest.get(`ahu1.${name}`) ?? {};
      return { value, quality };
    };
    expect(value('supply_temp')).toEqual({ value: 5, quality: 'good' });
    expect(value('duct_pressure')).toEqual({ value: 0.412, quality: 'good' });
    expect(value('setpoint')).toEqual({ value: 17, quality: 'good' });
    expect(value('setpoint_default')).toEqual({ value: 18.5, quality: 'good' });
    expect(value('fan_running')).toEqual({ value: true, quality: 'good' });
    expect(value('mode')).toEqual({ value: 2, quality: 'good' });
    expect(value('fan_energy')).toEqual({ value: 12345, quality: 'good' });
    expect(service.devices()[0]).toMatchObject({
      id: 'ahu1',
      port: 'lab',
      instance: 2001,
      address: device.address,
      state: 'ok',
      mode: 'read-property-multiple',
      maxApdu: 480,
      segmentation: 'none',
    });
  });

  it('reads the slow group at its own period, not at every fast cycle', async () => {
    const before = {
      fast: device.presentValueReadsOf('analog-input', 1),
      slow: device.presentValueReadsOf('accumulator', 1),
    };
    await sleep(2_100);
    const fast = device.presentValueReadsOf('analog-input', 1) - before.fast;
    const slow = device.presentValueReadsOf('accumulator', 1) - before.slow;
    expect(fast).toBeGreaterThanOrEqual(8); // 2.1 s at 200 ms: ten, give or take the scheduling
    expect(slow).toBeGreaterThanOrEqual(1);
    expect(slow).toBeLessThanOrEqual(3); // 2.1 s at 1 s
  });

  it('marks a reading outside its range out-of-range, and the object’s own health where it was read', async () => {
    device.set('analog-input', 2, { value: 640 });
    device.set('analog-value', 1, { outOfService: true });
    try {
      const pressure = await recorder.until('ahu1.duct_pressure', (v) => v.value === 0.64, 1_000);
      expect(pressure.quality).toBe('out-of-range');
      // Frozen by hand: its present-value is stale...
      await recorder.until('ahu1.setpoint', (v) => v.quality === 'stale', 1_000);
      // ...but its relinquish-default, read in another group without the object's health, is what it is.
      await sleep(SLOW_MS + 200);
      expect(recorder.latest.get('ahu1.setpoint_default')).toMatchObject({ value: 18.5, quality: 'good' });
    } finally {
      device.set('analog-input', 2, { value: 412 });
      device.set('analog-value', 1, { outOfService: false });
    }
    await recorder.until('ahu1.duct_pressure', (v) => v.quality === 'good', 1_000);
  });

  it('carries a counter, a multi-state and a binary value as they change', async () => {
    device.set('accumulator', 1, { value: 12400 });
    device.set('multi-state-value', 1, { value: 3 });
    device.set('binary-value', 1, { value: false });
    await recorder.until('ahu1.fan_energy', (v) => v.value === 12400, SLOW_MS + 500);
    await recorder.until('ahu1.mode', (v) => v.value === 3, 1_000);
    await recorder.until('ahu1.fan_running', (v) => v.value === false && v.quality === 'good', 1_000);
  });
});

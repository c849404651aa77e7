/**
 * From the configuration to what the BACnet part does, without a socket: devices by port with
 * their receivers (a device behind a router addressed through it by network and MAC), where
 * each device's Who-Is goes, the receiver an I-Am gives (routed, or forwarded by a BBMD), the
 * health an object's answers give its points, and a profile's scale, range and counters.
 */
import { PropertyIdentifier, StatusFlags } from '@bacnet-js/client';
import { describe, expect, it } from 'vitest';
import { readingsOf } from '../../../src/acquisition/bacnet/decode.js';
import {
  bacnetPortsFromConfig,
  receiverOfSender,
  startBacnet,
} from '../../../src/acquisition/bacnet/index.js';
import { pointValueOf } from '../../../src/acquisition/bacnet/point-values.js';
import type { BacnetPointConfig } from '../../../src/config/index.js';
import { bacnetProfile } from '../../../src/config/schema.js';
import { plantConfig } from '../../helpers/plant-config.js';
import { log, recordingBus } from './host-plant.js';

const AHU = {
  id: 'ahu',
  name: 'AHU',
  equipment: 'air-handling-unit',
  protocol: 'bacnet',
  points: [{ name: 'supply_temp', object: 'AI1' }],
};

/** As test/fixtures/config/bacnet-valid has it: a BMS subnet, and an energy centre through a BBMD. */
const config = plantConfig({
  gateway: {
    bacnet: {
      ports: [
        { id: 'bms', broadcastAddress: '10.1.255.255' },
        { id: 'energy', udpPort: 47809, apduTimeout: '5s', bbmd: { address: '10.2.0.1:47808', ttl: '5m' } },
      ],
    },
  },
  profiles: [AHU],
  devices: [
    { id: 'or1', bacnet: { port: 'bms', instance: 2001, address: '10.1.0.21' } },
    { id: 'or2', bacnet: { port: 'bms', instance: 2002 } },
    {
      id: 'or3',
      bacnet: { port: 'energy', instance: 2001, address: '10.2.0.1', network: 5, mac: '0A', timeout: '10s' },
    },
    { id: 'or4', bacnet: { port: 'energy', instance: 2004, network: 5 } },
    { id: 'off', enabled: false, bacnet: { port: 'bms', instance: 2009 } },
  ].map((d) => ({ ...d, name: d.id, profile: 'ahu' })),
});

describe('BACnet devices from the configuration', () => {
  it('puts each enabled device on its port, with its receiver, Who-Is target and timeout', () => {
    const ports = bacnetPortsFromConfig(config, log);
    const summary = ports.map((port) => ({
      port: port.settings.id,
      devices: port.devices.map(({ id, instance, receiver, whoIsTarget, timeoutMs }) => ({
        id,
        instance,
        receiver,
        whoIsTarget,
        timeoutMs,
      })),
    }));
    expect(summary).toEqual([
      {
        port: 'bms',
        devices: [
          {
            id: 'or1',
            instance: 2001,
            receiver: { address: '10.1.0.21' },
            whoIsTarget: undefined,
            timeoutMs: 3000,
          },
          { id: 'or2', instance: 2002, receiver: undefined, whoIsTarget: undefined, timeoutMs: 3000 },
        ],
      },
      {
        port: 'energy',
        devices: [
          // Behind the router at 10.2.0.1: network 5, MS/TP station 0x0A.
          {
            id: 'or3',
            instance: 2001,
            receiver: { address: '10.2.0.1', net: 5, adr: [10] },
            whoIsTarget: { address: '10.2.0.1', net: 5 },
            timeoutMs: 10_000,
          },
          // Its station unknown: found by a Who-Is to network 5.
          { id: 'or4', instance: 2004, receiver: undefined, whoIsTarget: { net: 5 }, timeoutMs: 5000 },
        ],
      },
    ]);
  });

  it('opens nothing without a bacnet section or an enabled bacnet device', async () => {
    const recorder = recordingBus();
    for (const empty of [
      plantConfig({ profiles: [AHU], devices: [] }),
      plantConfig({
        gateway: config.gateway,
        profiles: [AHU],
        devices: [
          { id: 'off', name: 'off', profile: 'ahu', enabled: false, bacnet: { port: 'bms', instance: 1 } },
        ],
      }),
    ]) {
      const service = await startBacnet({ config: empty, bus: recorder.bus, log });
      expect(service.devices()).toEqual([]);
      expect(service.stats()).toEqual({ ports: [], foreignDevices: [] });
      expect(service.clientOf('bms')).toBeUndefined();
      await service.stop();
    }
  });

  it('keeps where an I-Am came from: a router’s network and station, a BBMD’s originator', () => {
    expect(receiverOfSender({ address: '10.1.0.21' })).toEqual({ address: '10.1.0.21' });
    expect(receiverOfSender({ address: '10.2.0.1', net: 5, adr: [10] })).toEqual({
      address: '10.2.0.1',
      net: 5,
      adr: [10],
    });
    expect(receiverOfSender({ address: '10.2.0.1', forwardedFrom: '10.2.0.33' })).toEqual({
      address: '10.2.0.33',
    });
  });
});

describe('BACnet answers as point values', () => {
  const object = { type: 2, instance: 7 }; // analog-value 7
  const pv = { id: 'p.value', object };
  const rd = { id: 'p.default', object, property: PropertyIdentifier.RELINQUISH_DEFAULT };
  const real = (value: number) => [{ type: 4, value }];
  const outOfService = [{ type: 8, value: { value: [1 << StatusFlags.OUT_OF_SERVICE], bitsUsed: 4 } }];

  it('gives another property the object’s health when it was read with it, else good', () => {
    const withHealth = readingsOf(
      [pv, rd],
      [
        { id: PropertyIdentifier.PRESENT_VALUE, values: real(21) },
        { id: PropertyIdentifier.STATUS_FLAGS, values: outOfService },
        { id: PropertyIdentifier.RELINQUISH_DEFAULT, values: real(18.5) },
      ],
    );
    expect(withHealth).toEqual([
      { id: 'p.value', value: 21, quality: 'stale' },
      { id: 'p.default', value: 18.5, quality: 'stale' },
    ]);
    expect(readingsOf([rd], [{ id: PropertyIdentifier.RELINQUISH_DEFAULT, values: real(18.5) }])).toEqual([
      { id: 'p.default', value: 18.5, quality: 'good' },
    ]);
    // A REAL is the decimal the device meant, not its float32's widening.
    expect(
      readingsOf([pv], [{ id: PropertyIdentifier.PRESENT_VALUE, values: real(Math.fround(22.3)) }]),
    ).toEqual([{ id: 'p.value', value: 22.3, quality: 'good' }]);
    // An error answer for it: nothing to show.
    expect(readingsOf([rd], [{ id: PropertyIdentifier.RELINQUISH_DEFAULT, values: undefined }])).toEqual([
      { id: 'p.default', value: null, quality: 'comm-error' },
    ]);
  });

  it('scales on the decimals sent, and marks a reading out of range or a counter below zero', () => {
    const profile = bacnetProfile.parse({
      ...AHU,
      points: [
        { name: 'flow', object: 'AI1', scale: 0.1, offset: -40, range: [0, 100] },
        { name: 'energy', object: 'AV1', counter: true },
      ],
    });
    const [flow, energy] = profile.points as [BacnetPointConfig, BacnetPointConfig];
    const at = (point: BacnetPointConfig, value: number, quality: 'good' | 'stale' = 'good') =>
      pointValueOf(point, { id: point.name, value, quality }, 1);
    expect(at(flow, 503)).toEqual({ id: 'flow', value: 10.3, quality: 'good', ts: 1 });
    expect(at(flow, 1500)).toMatchObject({ value: 110, quality: 'out-of-range' });
    expect(at(flow, 1500, 'stale')).toMatchObject({ value: 110, quality: 'stale' }); // its own health first
    expect(at(energy, 1234.5)).toMatchObject({ value: 1234.5, quality: 'good' });
    expect(at(energy, -1)).toMatchObject({ value: -1, quality: 'out-of-range' });
  });
});

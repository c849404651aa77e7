/**
 * Devices behind a BACnet router: two MS/TP stations on network 5 behind a router on BACnet/IP,
 * read by the gateway through the router with DNET/DADR, found by Who-Is with their SNET/SADR.
 * In a network namespace of their own (test/helpers/netns-worker.ts).
 */
import { EngineeringUnits, ObjectType, PropertyIdentifier, Segmentation } from '@bacnet-js/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredReceiver } from '../../../src/acquisition/bacnet/address.js';
import { loopbackNetnsUnavailable, type NetnsWorker, startNetnsWorker } from '../../helpers/netns-worker.js';
import type { NetworkLab, RouterScene } from './network-lab.js';

const LAB = new URL('./network-lab.ts', import.meta.url).pathname;
/** Not 127.0.0.1: the library's server side skips every request from 127.0.0.1:47808. */
const GATEWAY = '127.0.0.4';
const ROUTER = '127.0.0.6';
const NETWORK = 5;
const TIMEOUT_MS = 800;
const WAIT_MS = 300;
const objects = (temperature: number) => [
  {
    type: 'analog-input' as const,
    instance: 1,
    name: 'supply-temp',
    units: EngineeringUnits.DEGREES_CELSIUS,
    value: temperature,
  },
  { type: 'analog-value' as const, instance: 1, name: 'setpoint', value: 21 },
  { type: 'binary-value' as const, instance: 1, name: 'pump-running', value: true },
];
const SCENE: RouterScene = {
  gateway: GATEWAY,
  broadcast: '127.255.255.255',
  router: ROUTER,
  network: NETWORK,
  stations: [
    { mac: 0x0a, instance: 5010, name: 'VAV 5-10', objects: objects(18.5) },
    { mac: 0x0b, instance: 5011, name: 'VAV 5-11', objects: objects(19.25) },
  ],
  timeoutMs: TIMEOUT_MS,
};
const SUPPLY_TEMP = { type: ObjectType.ANALOG_INPUT, instance: 1 };
const device = (instance: number) => ({ type: ObjectType.DEVICE, instance });
/** A whole property (no array index), as a ReadPropertyMultiple request names it. */
const property = (id: PropertyIdentifier) => ({ id, index: 0xffffffff });
const station = (mac: number) => ({ address: ROUTER, net: NETWORK, adr: [mac] });

describe.skipIf(loopbackNetnsUnavailable() !== undefined)('BACnet devices behind a router', () => {
  let lab: NetnsWorker<NetworkLab>;

  beforeAll(async () => {
    lab = await startNetnsWorker<NetworkLab>(LAB, [GATEWAY, ROUTER]);
    await lab.call('startRouterScene', SCENE);
  });
  afterAll(async () => {
    await lab?.remove();
  });

  it('addresses a station as the router’s address with its network and MAC', () => {
    expect(configuredReceiver({ address: ROUTER, network: NETWORK, mac: '0a' })).toEqual(station(0x0a));
    expect(configuredReceiver({ address: `${ROUTER}:47808`, network: NETWORK, mac: '0A' })).toEqual(
      station(0x0a),
    );
    expect(configuredReceiver({ address: '10.20.0.2:47809' })).toEqual({ address: '10.20.0.2:47809' });
  });

  it('reads a station’s present-value through the router, with ReadProperty and ReadPropertyMultiple', async () => {
    const before = await lab.call('stationRequests', 0x0b);
    expect(
      await lab.call('readProperty', station(0x0a), SUPPLY_TEMP, PropertyIdentifier.PRESENT_VALUE),
    ).toEqual({ values: [18.5] });
    expect(
      await lab.call('readProperty', station(0x0b), SUPPLY_TEMP, PropertyIdentifier.PRESENT_VALUE),
    ).toEqual({ values: [19.25] });

    const multiple = await lab.call('readPropertyMultiple', station(0x0a), [
      {
        objectId: SUPPLY_TEMP,
        properties: [
          property(PropertyIdentifier.PRESENT_VALUE),
          property(PropertyIdentifier.STATUS_FLAGS),
          property(PropertyIdentifier.OBJECT_NAME),
        ],
      },
      {
        objectId: { type: ObjectType.BINARY_VALUE, instance: 1 },
        properties: [property(PropertyIdentifier.PRESENT_VALUE)],
      },
    ]);
    expect(multiple.error).toBeUndefined();
    expect(multiple.objects?.[0]?.values).toMatchObject({
      [PropertyIdentifier.PRESENT_VALUE]: [18.5],
      [PropertyIdentifier.STATUS_FLAGS]: [{ bitsUsed: 4, value: [0] }],
      [PropertyIdentifier.OBJECT_NAME]: ['supply-temp'],
    });
    expect(multiple.objects?.[1]?.values).toEqual({ [PropertyIdentifier.PRESENT_VALUE]: [1] });
    // Each request reached only the station its DADR named.
    expect(await lab.call('stationRequests', 0x0a)).toMatchObject({
      readProperty: 1,
      readPropertyMultiple: 1,
    });
    expect((await lab.call('stationRequests', 0x0b)).readProperty).toBe(before.readProperty + 1);
  });

  it('finds the stations by a global Who-Is, each with the network and MAC it answered from', async () => {
    const expected = [
      { address: ROUTER, network: NETWORK, mac: '0a', instance: 5010, maxApdu: 480, vendorId: 999 },
      { address: ROUTER, network: NETWORK, mac: '0b', instance: 5011, maxApdu: 480, vendorId: 999 },
    ];
    // Broadcast on the gateway's subnet with DNET 0xFFFF, as a BMS workstation scans.
    expect(await lab.call('whoIsGlobal', WAIT_MS)).toEqual(expected);
    // Unicast to the router, and for its remote network only.
    expect(await lab.call('whoIsGlobal', WAIT_MS, ROUTER)).toEqual(expected);
    expect(await lab.call('whoIsNetwork', WAIT_MS, ROUTER, NETWORK)).toEqual(expected);
    // A Who-Is for a network this router does not reach is not passed on.
    expect(await lab.call('whoIsNetwork', WAIT_MS, ROUTER, 7)).toEqual([]);
  });

  it('answers Who-Is-Router-To-Network with the network behind it', async () => {
    expect(await lab.call('whoIsRouterToNetwork', GATEWAY, ROUTER, WAIT_MS)).toEqual([
      { from: ROUTER, networks: [NETWORK] },
    ]);
    expect(await lab.call('whoIsRouterToNetwork', GATEWAY, ROUTER, WAIT_MS, NETWORK)).toHaveLength(1);
    expect(await lab.call('whoIsRouterToNetwork', GATEWAY, ROUTER, WAIT_MS, 7)).toEqual([]);
  });

  it('times out on a silent station without holding up the other station behind the same router', async () => {
    await lab.call('setStationOnline', 0x0b, false);
    try {
      const silent = lab.call('readProperty', station(0x0b), SUPPLY_TEMP, PropertyIdentifier.PRESENT_VALUE);
      const unknown = lab.call('readProperty', station(0x0c), SUPPLY_TEMP, PropertyIdentifier.PRESENT_VALUE);
      for (let i = 0; i < 3; i++) {
        expect(
          await lab.call('readProperty', station(0x0a), SUPPLY_TEMP, PropertyIdentifier.PRESENT_VALUE),
        ).toEqual({ values: [18.5] });
      }
      expect(await silent).toEqual({ error: { name: 'Error', message: 'ERR_TIMEOUT' } });
      // No station 0x0c on the trunk: silence too, as on a real MS/TP trunk.
      expect(await unknown).toEqual({ error: { name: 'Error', message: 'ERR_TIMEOUT' } });
      expect((await lab.call('routerCounts')).noSuchStation).toBeGreaterThanOrEqual(2);
    } finally {
      await lab.call('setStationOnline', 0x0b, true);
    }
    expect(
      await lab.call('readProperty', station(0x0b), SUPPLY_TEMP, PropertyIdentifier.PRESENT_VALUE),
    ).toEqual({ values: [19.25] });
  });

  it('reports the station’s small max-APDU, and aborts an answer that would not fit it', async () => {
    expect(
      await lab.call(
        'readProperty',
        station(0x0a),
        device(5010),
        PropertyIdentifier.MAX_APDU_LENGTH_ACCEPTED,
      ),
    ).toEqual({ values: [480] });
    expect(
      await lab.call('readProperty', station(0x0a), device(5010), PropertyIdentifier.SEGMENTATION_SUPPORTED),
    ).toEqual({ values: [Segmentation.NO_SEGMENTATION] });
    // Twenty objects' worth of properties in one request: more than 480 octets of answer, and the
    // station does not segment.
    const tooMuch = await lab.call(
      'readPropertyMultiple',
      station(0x0a),
      Array.from({ length: 20 }, () => ({
        objectId: SUPPLY_TEMP,
        properties: [
          property(PropertyIdentifier.PRESENT_VALUE),
          property(PropertyIdentifier.STATUS_FLAGS),
          property(PropertyIdentifier.RELIABILITY),
          property(PropertyIdentifier.OBJECT_NAME),
        ],
      })),
    );
    expect(tooMuch).toEqual({ error: { name: 'Error', message: 'BacnetAbort - Reason:4' } });
  });
});

/**
 * The routed-network tests' worker, run inside their network namespace
 * (test/helpers/netns-worker.ts): the gateway's socket on 127.0.0.0/8 and, for bbmd.test.ts, a
 * BBMD with two devices on another subnet (10.0.0.0/8, its own broadcast address, which the
 * gateway's subnet does not hear); for routed.test.ts, a router with stations behind it.
 */
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import bacnet, {
  ApplicationTag,
  type BACNetAddress,
  type BACNetObjectID,
  type BACNetReadAccessSpecification,
  type PropertyIdentifier,
  Segmentation,
} from '@bacnet-js/client';
import { pino } from 'pino';
import { bipAddress, SimulatedBbmd } from '../../../simulators/bacnet/bbmd.js';
import {
  decodeNpdu,
  encodeNpdu,
  I_AM_ROUTER_TO_NETWORK,
  type RoutedStationConfig,
  SimulatedBacnetRouter,
  WHO_IS_ROUTER_TO_NETWORK,
} from '../../../simulators/bacnet/router.js';
import { type BacnetClient, openBacnetClient } from '../../../src/acquisition/bacnet/client.js';
import {
  collectIAm,
  type ForeignDeviceOptions,
  type ForeignDeviceRegistration,
  GLOBAL_NETWORK,
  registerForeignDevice,
  whoIsThroughBbmd,
} from '../../../src/acquisition/bacnet/foreign-device.js';
import { serveCalls } from '../../helpers/netns-worker.js';

const BACnetClient = bacnet.default;
const BACNET_PORT = 47808;

/** What the registration handle logged: the test reads what an engineer would. */
const logged: { level: number; msg: string }[] = [];
const log = pino(
  { level: 'debug' },
  {
    write(line: string) {
      const { level, msg } = JSON.parse(line) as { level: number; msg: string };
      logged.push({ level, msg });
      if (process.env.PLANTWATCH_LOG_LEVEL) process.stderr.write(line);
    },
  },
);
const quiet = pino({ level: process.env.PLANTWATCH_LOG_LEVEL ?? 'silent' });

/**
 * A B/IP device on the BBMD's subnet, answering as most devices do: its I-Am is a broadcast on
 * its own subnet (the BBMD forwards it to its foreign devices), its present-value (analog-input
 * 1) is read by unicast. Two sockets: one bound to a single address does not hear broadcasts.
 */
class SubnetTransport extends EventEmitter {
  private readonly unicast: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  private readonly broadcast: Socket = createSocket({ type: 'udp4', reuseAddr: true });

  constructor(
    private readonly address: string,
    private readonly broadcastAddress: string,
  ) {
    super();
    for (const socket of [this.unicast, this.broadcast]) {
      socket.on('message', (msg, rinfo) => {
        if (rinfo.address === this.address && rinfo.port === BACNET_PORT) return; // its own
        this.emit('message', msg, bipAddress(rinfo.address, rinfo.port));
      });
      socket.on('error', (err) => this.emit('error', err));
    }
  }

  getBroadcastAddress(): string {
    return this.broadcastAddress;
  }

  getMaxPayload(): number {
    return 1482;
  }

  send(buffer: Buffer, length: number, receiver?: string): void {
    const [host = this.broadcastAddress, port] = (receiver ?? this.broadcastAddress).split(':');
    this.unicast.send(buffer.subarray(0, length), Number(port) || BACNET_PORT, host);
  }

  open(): void {
    this.unicast.bind(BACNET_PORT, this.address, () => {
      this.unicast.setBroadcast(true);
      this.broadcast.bind(BACNET_PORT, this.broadcastAddress, () => this.emit('listening'));
    });
  }

  close(): void {
    this.unicast.close();
    this.broadcast.close();
  }
}

async function startSubnetDevice(address: string, broadcastAddress: string, instance: number, value: number) {
  const transport = new SubnetTransport(address, broadcastAddress);
  const listening = new Promise((resolve) => transport.once('listening', resolve));
  const device = new BACnetClient({ transport });
  device.on('error', (err) => quiet.error({ err }, 'subnet device error'));
  device.on('whoIs', () => {
    // No receiver address: an Original-Broadcast-NPDU on its subnet.
    device.iAmResponse({}, instance, Segmentation.NO_SEGMENTATION, 999);
  });
  device.on('readProperty', (content) => {
    const sender = content.header?.sender;
    if (!sender || content.invokeId === undefined) return;
    const { objectId, property } = content.payload;
    device.readPropertyResponse(sender, content.invokeId, objectId, property, [
      { type: ApplicationTag.REAL, value },
    ]);
  });
  await listening;
  return device;
}

export interface BbmdScene {
  gateway: string;
  gatewayBroadcast: string;
  bbmd: string;
  subnetBroadcast: string;
  devices: { address: string; instance: number; value: number }[];
  timeoutMs: number;
}

export interface RouterScene {
  gateway: string;
  broadcast: string;
  router: string;
  network: number;
  stations: RoutedStationConfig[];
  timeoutMs: number;
}

let client: BacnetClient | undefined;
let bbmdScene: BbmdScene | undefined;
let bbmd: SimulatedBbmd | undefined;
let registration: ForeignDeviceRegistration | undefined;
const subnetDevices: InstanceType<typeof BACnetClient>[] = [];
let router: SimulatedBacnetRouter | undefined;

const gatewayClient = () => {
  if (!client) throw new Error('start a scene first');
  return client;
};
const theBbmd = () => {
  if (!bbmd) throw new Error('startBbmdScene first');
  return bbmd;
};
const theRouter = () => {
  if (!router) throw new Error('startRouterScene first');
  return router;
};
const startBbmd = (scene: BbmdScene, refuseRegistrations = false, graceMs?: number) =>
  SimulatedBbmd.start({
    address: scene.bbmd,
    broadcastAddress: scene.subnetBroadcast,
    refuseRegistrations,
    graceMs,
    log: quiet,
  });
const errorOf = (err: unknown) =>
  err instanceof Error ? { name: err.name, message: err.message } : { name: 'unknown', message: String(err) };

const handlers = {
  async startBbmdScene(scene: BbmdScene): Promise<void> {
    bbmdScene = scene;
    bbmd = await startBbmd(scene);
    for (const device of scene.devices)
      subnetDevices.push(
        await startSubnetDevice(device.address, scene.subnetBroadcast, device.instance, device.value),
      );
    client = await openBacnetClient({
      interface: scene.gateway,
      broadcastAddress: scene.gatewayBroadcast,
      timeoutMs: scene.timeoutMs,
    });
  },

  /** A new BBMD in place of the old one, its table empty: a restarted BBMD. */
  async restartBbmd(options: { refuseRegistrations?: boolean; graceMs?: number } = {}): Promise<void> {
    if (!bbmdScene) throw new Error('startBbmdScene first');
    theBbmd().close();
    bbmd = await startBbmd(bbmdScene, options.refuseRegistrations, options.graceMs);
  },

  setBbmdRefusing(refuse: boolean) {
    theBbmd().refuseRegistrations = refuse;
  },

  bbmdTable: () => theBbmd().foreignDevices(),
  bbmdCounts: () => ({ ...theBbmd().counts }),

  /** Starts the gateway's registration (stopping an earlier one); the log from here on. */
  register(options: ForeignDeviceOptions) {
    registration?.stop();
    logged.length = 0;
    registration = registerForeignDevice(gatewayClient(), options, log);
  },

  registrationStatus() {
    if (!registration) throw new Error('register first');
    return registration.status();
  },

  stopRegistration() {
    registration?.stop();
    registration = undefined;
  },

  /** What was logged at warn (40) and above. */
  loggedProblems: () => logged.filter((line) => line.level >= 40),

  async whoIsThroughBbmd(waitMs: number) {
    if (!bbmdScene) throw new Error('startBbmdScene first');
    try {
      return { devices: await whoIsThroughBbmd(gatewayClient(), bbmdScene.bbmd, { waitMs }) };
    } catch (err) {
      return { error: errorOf(err) };
    }
  },

  /** A plain broadcast Who-Is on the gateway's own subnet. */
  localWhoIs: (waitMs: number) => collectIAm(gatewayClient(), () => gatewayClient().whoIs(), { waitMs }),

  async startRouterScene(scene: RouterScene): Promise<void> {
    router = await SimulatedBacnetRouter.start({
      address: scene.router,
      broadcastAddress: scene.broadcast,
      network: scene.network,
      stations: scene.stations,
      log: quiet,
    });
    client = await openBacnetClient({
      interface: scene.gateway,
      broadcastAddress: scene.broadcast,
      timeoutMs: scene.timeoutMs,
    });
  },

  /** Who-Is for every network: broadcast on the gateway's subnet, or unicast to one router. */
  whoIsGlobal(waitMs: number, router?: string) {
    const target: BACNetAddress =
      router === undefined ? { net: GLOBAL_NETWORK } : { address: router, net: GLOBAL_NETWORK };
    return collectIAm(gatewayClient(), () => gatewayClient().whoIs(target), { waitMs });
  },

  /** Who-Is for the remote network only (DNET 5, no DADR), sent to the router. */
  whoIsNetwork(waitMs: number, router: string, network: number) {
    return collectIAm(gatewayClient(), () => gatewayClient().whoIs({ address: router, net: network }), {
      waitMs,
    });
  },

  async readProperty(receiver: BACNetAddress, objectId: BACNetObjectID, property: PropertyIdentifier) {
    try {
      const answer = await gatewayClient().readProperty(receiver, objectId, property);
      return { values: answer.values.map((v) => v.value as unknown) };
    } catch (err) {
      return { error: errorOf(err) };
    }
  },

  async readPropertyMultiple(receiver: BACNetAddress, specs: BACNetReadAccessSpecification[]) {
    try {
      const answer = await gatewayClient().readPropertyMultiple(receiver, specs);
      return {
        objects: answer.values.map((object) => ({
          objectId: object.objectId,
          values: Object.fromEntries(
            object.values.map((v) => [v.id, v.value.map((x) => x.value as unknown)]),
          ),
        })),
      };
    } catch (err) {
      return { error: errorOf(err) };
    }
  },

  setStationOnline(mac: number, online: boolean) {
    theRouter().station(mac).online = online;
  },

  routerCounts: () => ({ ...theRouter().counts }),
  stationRequests: (mac: number) => ({ ...theRouter().station(mac).requests }),

  /**
   * Who-Is-Router-To-Network from a socket of its own (the library drops every network layer
   * message it receives): the networks of the I-Am-Router-To-Network answers within `waitMs`.
   */
  async whoIsRouterToNetwork(from: string, to: string, waitMs: number, network?: number) {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, from, resolve));
    const answers: { from: string; networks: number[] }[] = [];
    socket.on('message', (msg, rinfo) => {
      const npdu = msg[0] === 0x81 ? decodeNpdu(msg.subarray(4)) : undefined;
      if (npdu?.messageType !== I_AM_ROUTER_TO_NETWORK) return;
      const networks: number[] = [];
      for (let i = 0; i + 1 < npdu.payload.length; i += 2) networks.push(npdu.payload.readUInt16BE(i));
      answers.push({ from: bipAddress(rinfo.address, rinfo.port), networks });
    });
    const asked = Buffer.alloc(network === undefined ? 0 : 2);
    if (network !== undefined) asked.writeUInt16BE(network);
    const npdu = encodeNpdu({ control: 0x80, messageType: WHO_IS_ROUTER_TO_NETWORK, payload: asked });
    const datagram = Buffer.concat([Buffer.from([0x81, 0x0a, 0, 4 + npdu.length]), npdu]);
    socket.send(datagram, BACNET_PORT, to);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    socket.close();
    return answers;
  },
};

export type NetworkLab = typeof handlers;

serveCalls(handlers, () => {
  registration?.stop();
  client?.close();
  bbmd?.close();
  router?.close();
  for (const device of subnetDevices) device.close();
});

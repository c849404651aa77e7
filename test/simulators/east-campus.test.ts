/**
 * The demo group's east campus (config/east/): a small, valid configuration of its own that
 * borrows the main hospital's profiles (sharedProfiles) and keeps its data under data/east/;
 * the demo's moving of its lines' and fault-injection ports off taken defaults; and, end to end
 * over real sockets, its simulated plant read by its own gateway, which publishes to the main
 * hospital's broker with the account config/plantwatch.yaml gives it, and raises the critical
 * alarm of a passenger trapped in one of its lifts.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offTakenPlantPorts } from '../../simulators/demo-ports.js';
import { type PlantSimulator, simulatorMqttLogin, startPlantSimulator } from '../../simulators/index.js';
import { PlantModel } from '../../simulators/plant.js';
import { ConfigError, loadConfig, type PlantConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { loadPlantConfig } from '../../src/gateway/load-config.js';
import { silentLogger } from '../../src/log/index.js';
import { editYaml } from '../helpers/demo-config.js';
import { type EastConfig, eastConfigCopy } from '../helpers/east-config.js';
import { plantConfig } from '../helpers/plant-config.js';
import { until } from '../helpers/wait.js';

const east = loadConfig('config/east', { env: {} });
const main = loadConfig('config', { env: {} });

const equipmentOf = (config: PlantConfig, id: string) =>
  config.profiles.get(config.devices.find((d) => d.id === id)?.profile ?? '')?.equipment;
const devicesOf = (config: PlantConfig, equipment: string) =>
  config.devices.filter((d) => config.profiles.get(d.profile)?.equipment === equipment);

describe('config/east', () => {
  it('is the east campus: a boiler and its gas main, two lifts, a distribution room, water meters', () => {
    expect(east.gateway.gateway.site).toBe('east');
    expect(east.sites.map((s) => s.id)).toEqual(['east']);
    expect(east.sites[0]).toMatchObject({ name: 'East Campus', nameZh: '东院区' });
    expect(east.devices.every((d) => d.site === 'east')).toBe(true);

    expect(devicesOf(east, 'boiler').map((d) => d.id)).toEqual(['e-b1']);
    expect(east.energy.gas.mains).toEqual(['e-gm-boilers']);
    expect(equipmentOf(east, 'e-gm-boilers')).toBe('gas-meter');
    expect(devicesOf(east, 'water-treatment').map((d) => d.id)).toEqual(['e-mw1']);
    expect(devicesOf(east, 'elevator').map((d) => d.id)).toEqual(['e-lift1', 'e-lift2']);

    const rooms = east.sites.flatMap((s) => s.buildings.flatMap((b) => b.rooms));
    const distribution = rooms.filter((r) => r.kind === 'distribution-room');
    expect(distribution.map((r) => r.id)).toEqual(['e-dr1']);
    const meters = east.devices.filter((d) => d.room === 'e-dr1');
    expect(meters.every((d) => equipmentOf(east, d.id) === 'power-meter')).toBe(true);
    expect(meters.length).toBeGreaterThanOrEqual(3);
    expect(east.energy.electricity.mains).toEqual(['e-dr1-incomer']);

    const water = devicesOf(east, 'water-meter');
    expect(water.length).toBeGreaterThanOrEqual(2);
    expect(east.energy.water.mains).toEqual(['e-wm-main']);
    expect(east.energy.timezone).toBe('Asia/Shanghai');
  });

  it('reads its profiles from config/profiles (sharedProfiles), the same as the main hospital’s', () => {
    expect(east.gateway.sharedProfiles).toEqual(['../profiles']);
    for (const id of ['boiler', 'gas-meter', 'makeup-water', 'elevator', 'power-meter', 'water-meter'])
      expect(east.profiles.get(id), id).toEqual(main.profiles.get(id));
  });

  it('does not load without sharedProfiles: it has no profiles of its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plantwatch-east-alone-'));
    try {
      cpSync('config/east', dir, { recursive: true });
      await editYaml(join(dir, 'plantwatch.yaml'), (doc) => {
        doc.delete('sharedProfiles');
      })();
      expect(() => loadConfig(dir, { env: {} })).toThrow(ConfigError);
      expect(() => loadConfig(dir, { env: {} })).toThrow(/profile "boiler"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes the gateway’s checks, and its physics take every simulation parameter', () => {
    expect(() => loadPlantConfig('config/east', { env: {} })).not.toThrow();
    const plant = new PlantModel(east);
    expect(Number(plant.values('e-b1').supply_temp)).toBeGreaterThan(40);
    expect(Object.keys(east.simulation.devices).every((id) => plant.has(id))).toBe(true);
  });

  it('keeps every store under data/east/, nothing shared with the main gateway', () => {
    const { storage, auth, records } = east.gateway;
    const paths = [
      storage.sqlite.path,
      storage.spool.path,
      auth.users,
      records.path,
      east.alarms.settings.journal,
    ];
    for (const path of paths) expect(path).toMatch(/^data\/east\//);
  });

  it('publishes to the main broker as the account config/plantwatch.yaml gives it; its meters under meters/east/', () => {
    const broker = east.gateway.mqtt?.broker;
    expect(broker?.mode).toBe('external');
    const mainBroker = main.gateway.mqtt?.broker;
    if (broker?.mode !== 'external' || mainBroker?.mode !== 'embedded') throw new Error('unexpected brokers');
    const account = mainBroker.users.find((u) => u.username === broker.username);
    expect(account?.password).toBe(broker.password);
    expect(account?.publish).toEqual(expect.arrayContaining(['plantwatch/east/#', 'meters/east/#']));
    for (const device of east.devices)
      if ('mqtt' in device) expect(device.mqtt.topic).toMatch(/^meters\/east\//);
  });

  it('listens on ports of its own, beside the main hospital’s', () => {
    expect(east.gateway.web.port).toBe(8081);
    expect(east.simulation.control.port).toBe(8091);
    expect(east.simulation.inbox).toBeUndefined();
    const ports = east.lines.flatMap((l) => ('port' in l ? [l.port] : []));
    expect(ports.every((p) => p >= 15050 && p <= 15059)).toBe(true);
    const mainPorts = new Set(main.lines.flatMap((l) => ('port' in l ? [l.port] : [])));
    expect(ports.filter((p) => mainPorts.has(p))).toEqual([]);
  });
});

describe('the demo moving a campus plant off taken default ports', () => {
  let holder: Server;
  let taken: number;
  let dir: string;

  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    taken = (holder.address() as { port: number }).port;
    dir = mkdtempSync(join(tmpdir(), 'plantwatch-east-ports-'));
    cpSync('config', dir, { recursive: true });
    await editYaml(join(dir, 'east', 'lines.yaml'), (doc) => {
      doc.setIn(['lines', 0, 'port'], `\${PLANTWATCH_EAST_DR1_PORT:-${taken}}`);
    })();
    await editYaml(join(dir, 'east', 'simulation.yaml'), (doc) => {
      doc.setIn(['control', 'port'], `\${PLANTWATCH_EAST_CONTROL_PORT:-${taken}}`);
    })();
  });

  afterAll(async () => {
    await new Promise((resolve) => holder?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves a line and the fault-injection API left at their defaults, keeps one chosen', async () => {
    const campus = join(dir, 'east');
    const config = loadConfig(campus, { env: {} });
    const moved = await offTakenPlantPorts(campus, config, silentLogger(), {});
    const line = moved.lines[0];
    expect(line && 'port' in line ? line.port : undefined).not.toBe(taken);
    expect(moved.simulation.control.port).not.toBe(taken);
    // The other lines' defaults are free here (or a running demo holds them: then they move too).
    expect(moved.lines.map((l) => l.id)).toEqual(config.lines.map((l) => l.id));

    const env = { PLANTWATCH_EAST_DR1_PORT: String(taken), PLANTWATCH_EAST_CONTROL_PORT: String(taken) };
    const chosen = loadConfig(campus, { env });
    const kept = await offTakenPlantPorts(campus, chosen, silentLogger(), env);
    const keptLine = kept.lines[0];
    expect(keptLine && 'port' in keptLine ? keptLine.port : undefined).toBe(taken);
    expect(kept.simulation.control.port).toBe(taken);
  });
});

describe('the east campus running on the main hospital’s broker', () => {
  let copy: EastConfig;
  let store: string;
  let broker: Gateway;
  let gateway: Gateway;
  let simulator: PlantSimulator;
  let viewer: mqtt.MqttClient;
  const republished = new Map<string, string>();

  const point = async (id: string) => {
    const res = await fetch(`${gateway.web.url}/api/points/${id}`);
    return res.ok ? ((await res.json()) as { value: unknown; quality: string }) : undefined;
  };
  const goodValue = (id: string) =>
    until(
      `a good reading of ${id}`,
      async () => {
        const p = await point(id);
        return p?.quality === 'good' && p;
      },
      20_000,
      100,
    );

  beforeAll(async () => {
    // The main hospital's broker, with the accounts of config/plantwatch.yaml: a gateway of no plant.
    store = mkdtempSync(join(tmpdir(), 'plantwatch-group-broker-'));
    const mainBroker = main.gateway.mqtt?.broker;
    if (mainBroker?.mode !== 'embedded') throw new Error('the main hospital has its own broker');
    const groupBroker = plantConfig({
      gateway: {
        gateway: { name: 'group-broker', site: 'main' },
        web: { host: '127.0.0.1', port: 0 },
        mqtt: { broker: { mode: 'embedded', host: '127.0.0.1', port: 0, users: mainBroker.users } },
        storage: {
          backend: 'sqlite',
          sqlite: { path: join(store, 'main.db') },
          spool: { path: join(store, 'spool.db') },
        },
        records: { path: join(store, 'records.db') },
      },
      alarms: { settings: { journal: join(store, 'alarms.db') } },
    });
    broker = await startGateway({ config: groupBroker, log: silentLogger() });
    copy = await eastConfigCopy({ brokerUrl: broker.mqtt.brokerUrl, autoWorkOrders: true });
    const config = loadPlantConfig(copy.dir);
    simulator = await startPlantSimulator(config, { log: silentLogger() });
    gateway = await startGateway({ config, log: silentLogger() });
    // The water meters log in as the main plant's do (the demo's `simulator` account: meters/#).
    simulator.connectMeters(simulatorMqttLogin(groupBroker, broker.mqtt.brokerUrl));
    const reader = mainBroker.users.find((u) => u.username === 'viewer');
    viewer = mqtt.connect(broker.mqtt.brokerUrl, {
      username: reader?.username,
      password: reader?.password,
      reconnectPeriod: 200,
    });
    viewer.on('message', (topic, payload) => republished.set(topic, String(payload)));
    await new Promise<void>((resolve) => viewer.on('connect', () => resolve()));
    await viewer.subscribeAsync('plantwatch/east/#');
  }, 30_000);

  afterAll(async () => {
    await viewer?.endAsync(true);
    await gateway?.stop();
    await simulator?.stop();
    await broker?.stop();
    copy?.cleanup();
    if (store) rmSync(store, { recursive: true, force: true });
  });

  it('reads its boiler, lifts and incomer over Modbus and its water meters over MQTT', async () => {
    const supply = await goodValue('e-b1.supply_temp');
    expect(Number(supply.value)).toBeGreaterThan(40);
    expect(Number(supply.value)).toBeLessThan(100);
    const floor = await goodValue('e-lift1.floor');
    expect(Number(floor.value)).toBeGreaterThanOrEqual(-1);
    expect(Number(floor.value)).toBeLessThanOrEqual(12);
    expect(Number((await goodValue('e-dr1-incomer.power_kw')).value)).toBeGreaterThan(0);
    expect(Number((await goodValue('e-wm-main.flow_m3h')).value)).toBeGreaterThan(0);
    // Republished on the group's broker under its own site, as plantwatch-east may.
    await until(
      'east points on the central broker',
      () => republished.has('plantwatch/east/e-b1/supply_temp'),
      10_000,
      50,
    );
  }, 30_000);

  it('raises the critical alarm of a passenger trapped in an east lift, with its work order', async () => {
    await goodValue('e-lift2.passenger_trapped');
    simulator.faults.inject('e-lift2', { type: 'trapped' });
    const alarm = await until(
      'the trapped-passenger alarm',
      async () => {
        const alarms = (await (await fetch(`${gateway.web.url}/api/alarms`)).json()) as {
          id: string;
          priority: string;
          state: string;
          message: string;
        }[];
        return alarms.find((a) => a.id === 'lift-passenger-trapped@e-lift2');
      },
      15_000,
      100,
    );
    expect(alarm).toMatchObject({ priority: 'critical', state: 'active-unacknowledged' });
    expect(alarm.message).toMatch(
      /East Bed Lift 2: PASSENGER TRAPPED \(East Campus Inpatient & Outpatient Building\)/,
    );
    const orders = await until(
      'the automatic work order',
      async () => {
        const res = await fetch(
          `${gateway.web.url}/api/work-orders?alarm=${encodeURIComponent('lift-passenger-trapped@e-lift2')}`,
        );
        const list = (await res.json()) as { site?: string; device?: string; status: string }[];
        return list.length > 0 && list;
      },
      10_000,
      100,
    );
    expect(orders[0]).toMatchObject({ site: 'east', device: 'e-lift2', status: 'open' });
    // The group's view of it: the alarm's state on the central broker.
    await until(
      'the alarm state on the central broker',
      () => republished.has('plantwatch/east/alarms/lift-passenger-trapped@e-lift2'),
      10_000,
      50,
    );
    simulator.faults.clear('e-lift2', 'trapped');
  }, 30_000);
});

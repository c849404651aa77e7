/**
 * A hospital group on one central MQTT broker: a real Mosquitto on loopback stands for the
 * group's central broker, and two gateways — the main hospital (site `main`) and a branch
 * campus (site `branch`), each reading its own simulated plant — publish to it in external
 * broker mode. One central subscriber (the group's dashboard) sees the live points of both
 * sites under plantwatch/main/… and plantwatch/branch/…, the retained alarm states of both,
 * and both gateways come back by themselves after the central broker restarts (without
 * persistence, so it forgets every retained message).
 *
 * Also: the branch gateway's example plantwatch.yaml in deploy/ is a valid configuration.
 */
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlantSimulator, simulatorMqttLogin, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { type DemoConfig, demoConfigCopy, editYaml } from '../helpers/demo-config.js';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { until } from '../helpers/wait.js';

/**
 * Make a demo copy another site: its id in site.yaml, in every device file and in
 * gateway.site, and its MQTT meters on topics of their own (meters/<site>/…) so the two
 * campuses' meters cannot be mistaken for each other on the shared broker.
 */
async function renameSite(dir: string, site: string, name: string): Promise<void> {
  await editYaml(join(dir, 'site.yaml'), (doc) => {
    doc.setIn(['sites', 0, 'id'], site);
    doc.setIn(['sites', 0, 'name'], name);
  })();
  const devices = join(dir, 'devices');
  for (const file of readdirSync(devices)) {
    const path = join(devices, file);
    const text = readFileSync(path, 'utf8')
      .replaceAll(/\bsite: main\b/g, `site: ${site}`)
      .replaceAll(/\btopic: meters\//g, `topic: meters/${site}/`);
    writeFileSync(path, text);
  }
  await editYaml(join(dir, 'plantwatch.yaml'), (doc) => doc.setIn(['gateway', 'site'], site))();
}

/** Point a demo copy's gateway at the central broker, logged in as its own account. */
async function useCentralBroker(dir: string, gatewayName: string, url: string): Promise<void> {
  await editYaml(join(dir, 'plantwatch.yaml'), (doc) => {
    doc.setIn(['gateway', 'name'], gatewayName);
    doc.setIn(
      ['mqtt', 'broker'],
      doc.createNode({ mode: 'external', url, username: `plantwatch-${gatewayName}` }),
    );
  })();
}

interface Site {
  id: string;
  demo: DemoConfig;
  config: PlantConfig;
  gateway: Gateway;
  simulator: PlantSimulator;
}

let broker: Mosquitto;
const sites: Site[] = [];
const clients: MqttClient[] = [];

async function startSite(id: string, gatewayName: string, siteName: string): Promise<Site> {
  const demo = await demoConfigCopy();
  if (id !== 'main') await renameSite(demo.dir, id, siteName);
  await useCentralBroker(demo.dir, gatewayName, broker.url);
  const config = loadConfig(demo.dir);
  const gateway = await startGateway({ config, log: silentLogger() });
  const simulator = await startPlantSimulator(config, {
    log: silentLogger(),
    mqtt: simulatorMqttLogin(config, broker.url),
  });
  return { id, demo, config, gateway, simulator };
}

/** The group's dashboard: every message under plantwatch/#, latest per topic, live or retained. */
interface Seen {
  payload: Record<string, unknown>;
  retain: boolean;
  at: number;
}
async function centralSubscriber(filter = 'plantwatch/#') {
  const client = await mqtt.connectAsync(broker.url, {
    clientId: `group-dashboard-${clients.length}`,
    reconnectPeriod: 200,
  });
  clients.push(client);
  const seen = new Map<string, Seen>();
  client.on('message', (topic, payload, packet) => {
    seen.set(topic, { payload: JSON.parse(payload.toString()), retain: packet.retain, at: Date.now() });
  });
  client.on('connect', () => void client.subscribe(filter, { qos: 1 }));
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, seen };
}

/** A fresh client's view of the retained messages under a filter (what a late dashboard reads). */
async function retained(filter: string, settleMs = 700): Promise<Map<string, Record<string, unknown>>> {
  const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  clients.push(client);
  const found = new Map<string, Record<string, unknown>>();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain) found.set(topic, JSON.parse(payload.toString()));
  });
  await client.subscribeAsync(filter, { qos: 1 });
  await new Promise((r) => setTimeout(r, settleMs));
  await client.endAsync(true);
  return found;
}

const LIVE = [
  'ch1/chw_supply_temp',
  'dr1-incomer/power_kw',
  'wm-inpatient/flow_m3h',
  'o2-station/supply_pressure_bar',
];

/** Fresh (after `since`), non-retained, good messages for the live points of both sites. */
function liveFromBoth(seen: Map<string, Seen>, since: number) {
  return ['main', 'branch'].every((site) =>
    LIVE.every((p) => {
      const m = seen.get(`plantwatch/${site}/${p}`);
      return m && m.at > since && !m.retain && m.payload.quality === 'good';
    }),
  );
}

beforeAll(async () => {
  broker = await startMosquitto();
  // One after the other: each gateway waits for its first broker connection before returning.
  sites.push(await startSite('main', 'main-hospital', 'Main Hospital'));
  sites.push(await startSite('branch', 'branch-campus', 'East Branch Campus'));
}, 40_000);

afterAll(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true).catch(() => {});
  for (const s of sites.splice(0).reverse()) {
    await s.simulator.stop();
    await s.gateway.stop();
    s.demo.cleanup();
  }
  await broker?.stop();
});

describe('two sites on one central MQTT broker', () => {
  it('each gateway serves only its own site', () => {
    const [main, branch] = sites;
    expect(main?.gateway.mqtt.embedded).toBe(false);
    expect(branch?.gateway.mqtt.brokerUrl).toBe(broker.url);
    expect(new Set([...(main?.gateway.table.info.values() ?? [])].map((p) => p.site))).toEqual(
      new Set(['main']),
    );
    expect(new Set([...(branch?.gateway.table.info.values() ?? [])].map((p) => p.site))).toEqual(
      new Set(['branch']),
    );
  });

  it('a central subscriber sees the live points of both sites', async () => {
    const { seen } = await centralSubscriber();
    const since = Date.now();
    await until('live points of both sites', () => liveFromBoth(seen, since), 20_000, 100);
    const chw = (site: string) => seen.get(`plantwatch/${site}/ch1/chw_supply_temp`)?.payload;
    expect(chw('main')).toMatchObject({ unit: '°C', quality: 'good' });
    expect(chw('branch')).toMatchObject({ unit: '°C', quality: 'good' });
    // The branch's MQTT meters reach the branch gateway through the central broker, on their own topics.
    const branch = sites[1];
    expect(branch?.gateway.mqtt.stats().messagesReceived).toBeGreaterThan(0);
    expect(branch?.gateway.table.get('wm-inpatient.flow_m3h')?.quality).toBe('good');
    // Every point of both sites is there, retained for a dashboard that connects later.
    const late = await retained('plantwatch/+/+/+');
    for (const s of sites) {
      const expected = [...s.gateway.table.info.values()].filter((p) => !p.derived).length;
      const mine = [...late.keys()].filter(
        (t) => t.startsWith(`plantwatch/${s.id}/`) && !t.includes('/alarms/'),
      );
      expect(mine.length, `retained points of ${s.id}`).toBeGreaterThanOrEqual(expected);
    }
  }, 30_000);

  it('keeps the retained alarm states of both sites apart', async () => {
    const branch = sites[1] as Site;
    branch.simulator.faults.inject('ch1', { type: 'trip' });
    const alarm = 'chiller-trip@ch1';
    const states = await until(
      'the branch chiller trip retained',
      async () => {
        const found = await retained('plantwatch/+/alarms/#', 400);
        return found.get(`plantwatch/branch/alarms/${alarm}`)?.state === 'active-unacknowledged' && found;
      },
      15_000,
      200,
    );
    // The main hospital's chiller 1 is fine: same device id, other site, its own state.
    expect(states.get(`plantwatch/main/alarms/${alarm}`)).toMatchObject({ id: alarm, state: 'normal' });
    // Every alarm of both sites has a retained state.
    for (const s of sites) {
      const count = [...states.keys()].filter((t) => t.startsWith(`plantwatch/${s.id}/alarms/`)).length;
      expect(count, `retained alarm states of ${s.id}`).toBe(
        s.gateway.alarms.list({ includeNormal: true }).length,
      );
    }
  }, 25_000);

  it('both gateways recover after the central broker restarts', async () => {
    const { seen } = await centralSubscriber();
    const reconnectsBefore = sites.map((s) => s.gateway.mqtt.stats().reconnects);
    await broker.restart(); // persistence off: every retained message is gone
    const since = Date.now();
    await until(
      'both gateways reconnected',
      () =>
        sites.every(
          (s, i) =>
            s.gateway.mqtt.stats().connected &&
            s.gateway.mqtt.stats().reconnects > (reconnectsBefore[i] ?? 0),
        ),
      15_000,
      100,
    );
    await until('live points of both sites again', () => liveFromBoth(seen, since), 15_000, 100);
    // A late dashboard reads the alarm states again (set anew on reconnection) ...
    const states = await until(
      'retained alarm states set again',
      async () => {
        const found = await retained('plantwatch/+/alarms/#', 400);
        return (
          found.get('plantwatch/branch/alarms/chiller-trip@ch1')?.state === 'active-unacknowledged' &&
          found.has('plantwatch/main/alarms/chiller-trip@ch1') &&
          found
        );
      },
      10_000,
      200,
    );
    expect(states.get('plantwatch/main/alarms/chiller-trip@ch1')).toMatchObject({ state: 'normal' });
    // ... and the last value of every point, also of the slow ones (kWh read once a minute),
    // without waiting for their next read.
    const points = await until(
      'retained slow points set again',
      async () => {
        const found = await retained('plantwatch/+/dr1-incomer/energy_kwh', 300);
        return found.size === 2 && found;
      },
      10_000,
      200,
    );
    expect(points.get('plantwatch/branch/dr1-incomer/energy_kwh')).toMatchObject({
      unit: 'kWh',
      quality: 'good',
    });
    const late = await retained('plantwatch/+/+/+');
    for (const s of sites) {
      const expected = [...s.gateway.table.info.values()].filter((p) => !p.derived).length;
      const mine = [...late.keys()].filter(
        (t) => t.startsWith(`plantwatch/${s.id}/`) && !t.includes('/alarms/'),
      );
      expect(mine.length, `retained points of ${s.id} after the restart`).toBeGreaterThanOrEqual(expected);
    }
    // The branch's meters still reach the branch gateway through the restarted broker.
    const received = sites[1]?.gateway.mqtt.stats().messagesReceived ?? 0;
    await until(
      'branch meters flowing',
      () => (sites[1]?.gateway.mqtt.stats().messagesReceived ?? 0) > received,
      10_000,
      100,
    );
    sites[1]?.simulator.faults.clear('ch1', 'trip');
  }, 45_000);
});

describe('deploy/branch-campus.plantwatch.yaml', () => {
  it('is a valid plantwatch.yaml for a branch gateway, its secrets from systemd credentials', async () => {
    const demo = await demoConfigCopy();
    try {
      await renameSite(demo.dir, 'east', 'East Branch Campus');
      copyFileSync('deploy/branch-campus.plantwatch.yaml', join(demo.dir, 'plantwatch.yaml'));
      // The demo's devices stay, its theatres' AHUs among them: the branch file names no BACnet
      // network, so the copy is given one, as a branch with a BMS would have.
      appendFileSync(join(demo.dir, 'plantwatch.yaml'), '\nbacnet: { ports: [{ id: bms }] }\n');
      // What LoadCredential=plantwatch:/etc/plantwatch/credentials gives the service.
      const credentials = join(demo.dir, 'credentials');
      mkdirSync(credentials);
      writeFileSync(join(credentials, 'plantwatch_mqtt-password'), 'secret-mqtt\n');
      writeFileSync(join(credentials, 'plantwatch_influx-password'), 'secret-influx\n');
      const env = { CREDENTIALS_DIRECTORY: credentials, PLANTWATCH_ADMIN_PASSWORD: 'secret-admin-password' };
      const config = loadConfig(demo.dir, { env });
      const gw = config.gateway;
      expect(gw.gateway.site).toBe('east');
      expect(gw.mqtt?.broker).toMatchObject({
        mode: 'external',
        username: 'plantwatch-east',
        password: 'secret-mqtt',
      });
      expect(gw.mqtt?.broker.mode === 'external' && gw.mqtt?.broker.url).toMatch(/^mqtts:\/\//);
      expect(gw.mqtt?.republish).toMatchObject({ enabled: true, prefix: 'plantwatch', retain: true });
      expect(gw.storage.backend).toBe('influxdb');
      expect(gw.storage.influxdb).toMatchObject({ database: 'plantwatch_east', password: 'secret-influx' });
      expect(gw.auth).toMatchObject({ enabled: true, demoAccounts: false });
      // A missing credential stops the gateway at start, naming the key.
      rmSync(join(credentials, 'plantwatch_mqtt-password'));
      expect(() => loadConfig(demo.dir, { env })).toThrow(/mqtt\.broker\.password/);
    } finally {
      demo.cleanup();
    }
  });
});

/**
 * A hospital group on this machine: a real Mosquitto as the central broker, the main hospital
 * (a copy of the demo, serving the group view) and the east campus (a copy of config/east), each
 * with its simulated plant and its own gateway with login on. The east campus reaches the centre
 * through links a test can cut (tcp-link.ts). With an influxd, each campus stores in its own
 * database there, with its last hours of history already written; else in its own SQLite store,
 * with a day of the demo's back-fill.
 */
import type { Document } from 'yaml';
import { simulateHistory } from '../../simulators/history.js';
import {
  backfillDemoHistory,
  type PlantSimulator,
  simulatorMqttLogin,
  startPlantSimulator,
} from '../../simulators/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { buildCatalog } from '../../src/points/index.js';
import { InfluxStore } from '../../src/storage/index.js';
import { demoConfigCopy, editYaml } from './demo-config.js';
import { eastConfigCopy } from './east-config.js';
import type { Influxd } from './influxd.js';
import { type Mosquitto, startMosquitto } from './mosquitto.js';
import { startTcpLink, type TcpLink } from './tcp-link.js';

const HISTORY_MS = 3 * 3_600_000;

export interface Campus {
  config: PlantConfig;
  gateway: Gateway;
  simulator: PlantSimulator;
}

export interface GroupRig {
  broker: Mosquitto;
  main: Campus;
  east: Campus;
  /** The east campus's links to the central broker and (with influxd) the central InfluxDB. */
  eastLinks: TcpLink[];
  stop(): Promise<void>;
}

/** The campus on the central broker (summary every second), and on influxd when given. */
function useCentre(mqttPort: number, influx?: { port: number; database: string }) {
  return (doc: Document) => {
    doc.setIn(['mqtt', 'broker'], doc.createNode({ mode: 'external', url: `mqtt://127.0.0.1:${mqttPort}` }));
    doc.setIn(['mqtt', 'republish', 'summaryEvery'], '1s');
    if (!influx) return;
    doc.setIn(['storage', 'backend'], 'influxdb');
    doc.setIn(['storage', 'influxdb'], doc.createNode({ host: '127.0.0.1', ...influx }));
    doc.setIn(['storage', 'batch'], doc.createNode({ maxPoints: 5000, maxDelay: '200ms' }));
  };
}

/**
 * The campus's last hours as its store would hold them (the demo back-fills its SQLite store the
 * same way): written to its database on influxd, rollups settled, so its energy pages have
 * readings to count. Returns the counters' last values for the live simulator.
 */
async function writeHistory(config: PlantConfig): Promise<Map<string, number>> {
  const storage = config.gateway.storage;
  // Its own SQLite store: the demo's back-fill, a day of it.
  if (storage.backend === 'sqlite') return backfillDemoHistory(config, silentLogger(), { days: 1 });
  if (!storage.influxdb) return new Map();
  const catalog = buildCatalog(config);
  const store = await InfluxStore.open(storage.influxdb, new Map(catalog.map((p) => [p.id, p])));
  const counters = new Set(catalog.filter((p) => p.counter).map((p) => p.id));
  const last = new Map<string, number>();
  const to = Date.now() - 30_000;
  for (const batch of simulateHistory(config, { from: to - HISTORY_MS, to, stepMs: 5 * 60_000 })) {
    await store.write(batch);
    for (const v of batch) if (counters.has(v.id) && typeof v.value === 'number') last.set(v.id, v.value);
  }
  await store.settle?.();
  await store.close();
  return last;
}

async function startCampus(dir: string, broker: Mosquitto, cleanups: (() => unknown)[]): Promise<Campus> {
  const config = loadConfig(dir);
  const simulator = await startPlantSimulator(config, {
    counters: await writeHistory(config),
    log: silentLogger(),
    mqtt: simulatorMqttLogin(config, broker.url),
  });
  cleanups.push(() => simulator.stop());
  const gateway = await startGateway({ config, log: silentLogger() });
  cleanups.push(() => gateway.stop());
  return { config, gateway, simulator };
}

export async function startGroupRig(options: { influxd?: Influxd } = {}): Promise<GroupRig> {
  const cleanups: (() => unknown)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    const { influxd } = options;
    const eastLinks = await Promise.all([
      startTcpLink(broker.port),
      ...(influxd ? [startTcpLink(influxd.port)] : []),
    ]);
    for (const link of eastLinks) cleanups.push(() => link.close());
    const [eastMqtt, eastInflux] = eastLinks as [TcpLink, TcpLink | undefined];

    const eastCopy = await eastConfigCopy({ auth: true });
    cleanups.push(() => eastCopy.cleanup());
    await editYaml(
      `${eastCopy.dir}/plantwatch.yaml`,
      useCentre(eastMqtt.port, eastInflux && { port: eastInflux.port, database: 'plantwatch_east' }),
    )();
    const east = await startCampus(eastCopy.dir, broker, cleanups);

    const demo = await demoConfigCopy({ auth: true });
    cleanups.push(() => demo.cleanup());
    await editYaml(`${demo.dir}/plantwatch.yaml`, (doc) => {
      useCentre(broker.port, influxd && { port: influxd.port, database: 'plantwatch_main' })(doc);
      doc.setIn(['group', 'campuses', 1, 'url'], east.gateway.web.url);
    })();
    const main = await startCampus(demo.dir, broker, cleanups);
    return { broker, main, east, eastLinks, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

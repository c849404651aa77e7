/**
 * The whole demo plant end to end over real sockets: the simulators serve the demo config
 * (Modbus TCP, RTU over a socat pty, RTU over TCP, MQTT meters), the gateway reads it, and
 * a user checks /api/points, an MQTT client and the faults an electrician would see.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlantSimulator, simulatorMqttLogin, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';
import { connectAsViewer } from '../helpers/viewer.js';
import { until } from '../helpers/wait.js';

interface PointView {
  id: string;
  device: string;
  value: number | boolean | null;
  quality: string;
  unit: string;
  ts: string | null;
  derived?: boolean;
}

/** End to end, a poll period or a backoff can pass before a change shows. */
const eventually = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000) =>
  until(what, probe, timeoutMs, 200);

let demo: DemoConfig;
let config: PlantConfig;
let gateway: Gateway;
let simulator: PlantSimulator;

async function points(query = ''): Promise<PointView[]> {
  const res = await fetch(`${gateway.web.url}/api/points${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as PointView[];
}

const pointOf = async (id: string) => (await points()).find((p) => p.id === id);

const simulatorLogin = () => simulatorMqttLogin(config, gateway.mqtt.brokerUrl);

beforeAll(async () => {
  demo = await demoConfigCopy();
  config = loadConfig(demo.dir);
  gateway = await startGateway({ config, log: silentLogger() });
  simulator = await startPlantSimulator(config, { log: silentLogger(), mqtt: simulatorLogin() });
}, 30_000);

afterAll(async () => {
  await simulator?.stop();
  await gateway?.stop();
  demo?.cleanup();
});

describe('the demo plant, end to end', () => {
  it('shows live, good values from every simulated device', async () => {
    const deviceIds = config.devices.map((d) => d.id);
    const all = await eventually(
      'every point good',
      async () => {
        // Acquired points; the gateway's own (leak nights, maintenance) come from days of data.
        const list = (await points()).filter((p) => !p.derived);
        return list.every((p) => p.quality === 'good') && list;
      },
      25_000,
    ).catch(async (err) => {
      const bad = (await points())
        .filter((p) => !p.derived && p.quality !== 'good')
        .map((p) => `${p.id}:${p.quality}`);
      throw new Error(`${(err as Error).message}; not good: ${bad.slice(0, 20).join(', ')}`);
    });
    expect(new Set(all.map((p) => p.device))).toEqual(new Set(deviceIds));
    // Believable values, not zeros: chilled water about 7 °C, the O₂ supply about 4 bar.
    const chw = all.find((p) => p.id === 'ch1.chw_supply_temp');
    expect(chw?.value).toBeGreaterThan(4);
    expect(chw?.value).toBeLessThan(12);
    expect(chw?.unit).toBe('°C');
    const o2 = all.find((p) => p.id === 'o2-station.supply_pressure_bar');
    expect(o2?.value).toBeGreaterThan(3);
    expect(all.find((p) => p.id === 'dr1-incomer.voltage_l1')?.value).toBeGreaterThan(200);
  }, 40_000);

  it('republishes every point on MQTT for any client to watch', async () => {
    const client = await connectAsViewer(gateway, config);
    try {
      const seen = new Map<string, { value: unknown; quality: string; unit: string }>();
      client.on('message', (topic, payload) => seen.set(topic, JSON.parse(payload.toString())));
      await client.subscribeAsync('plantwatch/#');
      await eventually(
        'retained topics',
        async () =>
          seen.has('plantwatch/main/ch1/chw_supply_temp') &&
          seen.has('plantwatch/main/wm-inpatient/flow_m3h') &&
          seen.size > 50,
      );
      expect(seen.get('plantwatch/main/ch1/chw_supply_temp')).toMatchObject({ quality: 'good', unit: '°C' });
    } finally {
      await client.endAsync();
    }
  });

  it('marks an offline feeder meter comm-error, keeps its neighbours, and recovers', async () => {
    simulator.faults.inject('dr1-f2', { type: 'offline' });
    await eventually(
      'dr1-f2 comm-error',
      async () => (await pointOf('dr1-f2.power_kw'))?.quality === 'comm-error',
    );
    expect((await pointOf('dr1-f2.power_kw'))?.value).toBeNull();
    // The other meters behind the same gateway stay good and fresh.
    const neighbour = await pointOf('dr1-f3.power_kw');
    expect(neighbour?.quality).toBe('good');
    expect(Date.now() - Date.parse(neighbour?.ts ?? '')).toBeLessThan(5000);
    simulator.faults.clear('dr1-f2');
    await eventually(
      'dr1-f2 recovered',
      async () => (await pointOf('dr1-f2.power_kw'))?.quality === 'good',
      40_000,
    );
  }, 60_000);

  it('reads the theatres’ AHUs over BACnet/IP: an offline one comm-error, an out-of-service object stale, both back', async () => {
    // The room pressure is subscribed (COV): a live subscription shows in /api/bacnet.
    const bacnet = await eventually('AHU 1 subscribed', async () => {
      const answer = (await (await fetch(`${gateway.web.url}/api/bacnet`)).json()) as {
        devices: { id: string; state: string; covActive: string[] }[];
      };
      const ahu = answer.devices.find((d) => d.id === 'ahu-or1');
      return ahu && ahu.covActive.length > 0 && ahu;
    });
    expect(bacnet).toMatchObject({ state: 'ok' });
    simulator.faults.inject('ahu-or2', { type: 'offline' });
    await eventually(
      'ahu-or2 comm-error',
      async () => (await pointOf('ahu-or2.room_temp'))?.quality === 'comm-error',
    );
    expect((await pointOf('ahu-or3.room_temp'))?.quality).toBe('good');
    simulator.faults.inject('ahu-or3', { type: 'out-of-service', point: 'room_temp' });
    await eventually('ahu-or3 stale', async () => (await pointOf('ahu-or3.room_temp'))?.quality === 'stale');
    simulator.faults.clear('ahu-or2');
    simulator.faults.clear('ahu-or3');
    await eventually(
      'both good again',
      async () => {
        const [two, three] = [await pointOf('ahu-or2.room_temp'), await pointOf('ahu-or3.room_temp')];
        return two?.quality === 'good' && three?.quality === 'good';
      },
      30_000,
    );
  }, 60_000);

  it('shows a chiller trip as the chiller reports it', async () => {
    simulator.faults.inject('ch1', { type: 'trip' });
    await eventually('trip seen', async () => (await pointOf('ch1.tripped'))?.value === true);
    expect((await pointOf('ch1.running'))?.value).toBe(false);
    simulator.faults.clear('ch1', 'trip');
    await eventually('running again', async () => (await pointOf('ch1.tripped'))?.value === false);
  });

  it('stores what it reads: the trend of a point comes back from the history API', async () => {
    const history = await eventually('stored samples', async () => {
      const res = await fetch(`${gateway.web.url}/api/points/ch1.chw_supply_temp/history?from=-10m`);
      const body = (await res.json()) as { values: { value: number | null; quality: string }[] };
      return body.values.filter((v) => v.quality === 'good').length >= 2 && body.values;
    });
    // Good samples are believable; the comm-error ones from before the plant answered hold no number.
    for (const v of history) {
      if (v.quality === 'good') expect(v.value).toBeGreaterThan(4);
      else expect(v).toMatchObject({ quality: 'comm-error', value: null });
    }
    const health = (await (await fetch(`${gateway.web.url}/api/health`)).json()) as { storage: unknown };
    expect(health.storage).toEqual({ storeUp: true, spooledPoints: 0 });
    const metrics = await (await fetch(`${gateway.web.url}/metrics`)).text();
    expect(metrics).toMatch(/^plantwatch_store_points_written_total [1-9]\d*$/m);
    // What an operator's Prometheus scrapes: points/s (as a rate), poll errors, queue depths,
    // store write latency, active alarms, connected browsers.
    expect(metrics).toMatch(/^plantwatch_points_published_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^plantwatch_modbus_timeouts_total\{line="dr1-meters"\} \d+$/m);
    expect(metrics).toMatch(/^plantwatch_modbus_queue_length\{line="dr1-meters"\} \d+$/m);
    expect(metrics).toMatch(/^plantwatch_store_buffered_points \d+$/m);
    expect(metrics).toMatch(/^plantwatch_spool_points 0$/m);
    expect(metrics).toMatch(/^plantwatch_store_write_ms_last \d+(\.\d+)?(e-?\d+)?$/m);
    expect(metrics).toMatch(/^plantwatch_alarms_active\b.* \d+$/m);
    expect(metrics).toMatch(/^plantwatch_browsers_connected \d+$/m);
  });

  it('counts a malformed MQTT payload and keeps the meter readings flowing', async () => {
    const before = (await (await fetch(`${gateway.web.url}/api/mqtt`)).json()) as {
      malformedPayloads: number;
    };
    const login = simulatorLogin();
    const client = await mqtt.connectAsync(login.url, { ...login, reconnectPeriod: 0 });
    const topic = config.devices.find((d) => d.id === 'wm-admin' && 'mqtt' in d);
    await client.publishAsync(
      topic && 'mqtt' in topic ? topic.mqtt.topic : 'meters/water/admin',
      '{"total_m3": oops',
    );
    await client.endAsync();
    await eventually('malformed counted', async () => {
      const stats = (await (await fetch(`${gateway.web.url}/api/mqtt`)).json()) as {
        malformedPayloads: number;
      };
      return stats.malformedPayloads > before.malformedPayloads;
    });
    const health = await fetch(`${gateway.web.url}/api/health`);
    expect(health.status).toBe(200);
    const flow = await pointOf('wm-admin.flow_m3h');
    expect(flow?.quality).toBe('good');
  });
});

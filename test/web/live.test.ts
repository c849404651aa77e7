/**
 * Live push as a browser receives it over a real socket.io connection: a snapshot first, then
 * coalesced deltas; a page watching a few devices receives only theirs; bad requests refused.
 */
import { Registry } from 'prom-client';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { buildCatalog, PointBus, PointTable, type PointValue } from '../../src/points/index.js';
import { startWebServer, type WebServer } from '../../src/web/index.js';
import { metricsOf } from '../helpers/metrics.js';
import { plantConfig } from '../helpers/plant-config.js';
import { sleep, until } from '../helpers/wait.js';

const meters = Array.from({ length: 20 }, (_, i) => ({
  id: `m${i}`,
  name: `Meter ${i}`,
  profile: 'meter',
  modbus: { line: 'gw', unitId: i + 1 },
}));
const config = plantConfig({
  lines: [{ id: 'gw', transport: 'tcp', host: '127.0.0.1', port: 1502 }],
  profiles: [
    {
      id: 'meter',
      name: 'Meter',
      equipment: 'power-meter',
      protocol: 'modbus',
      points: [{ name: 'power_kw', table: 'holding', address: 0, unit: 'kW' }],
    },
  ],
  devices: meters,
});

let web: WebServer;
const bus = new PointBus();
const table = new PointTable(buildCatalog(config));
bus.subscribe((v) => table.update(v));
const sockets: Socket[] = [];

beforeAll(async () => {
  web = await startWebServer({
    host: '127.0.0.1',
    port: 0,
    table,
    bus,
    metrics: new Registry(),
    log: silentLogger(),
    status: { startedAt: Date.now(), lines: () => [], devices: () => [], mqtt: () => ({ connected: true }) },
  });
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
  await web.stop();
});

interface Browser {
  socket: Socket;
  received: PointValue[][];
}

async function browser(): Promise<Browser> {
  const socket = connect(web.url, { transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  const received: PointValue[][] = [];
  socket.on('points', (batch: PointValue[]) => received.push(batch));
  await new Promise((resolve) => socket.once('snapshot', resolve));
  return { socket, received };
}

const publishRound = (value: number) =>
  bus.publish(
    meters.map((m) => ({ id: `${m.id}.power_kw`, value, quality: 'good' as const, ts: Date.now() })),
  );

describe('live push', () => {
  it('coalesces many changes of a point into its latest value, one message per interval', async () => {
    const { received } = await browser();
    for (let v = 0; v < 100; v++) publishRound(v);
    await until('a delta', () => received.length > 0);
    await sleep(300);
    const values = received.flat();
    expect(values).toHaveLength(20);
    expect(new Set(values.map((v) => v.value))).toEqual(new Set([99]));
  });

  it('a page watching two devices gets their snapshot and only their values', async () => {
    const overview = await browser();
    const page = await browser();
    const snapshot = new Promise<{ info: { device: string } }[]>((resolve) =>
      page.socket.once('snapshot', resolve),
    );
    const reply = await page.socket.emitWithAck('watch', { devices: ['m3', 'm7', 'not-a-device'] });
    expect(reply).toEqual({ devices: 2 });
    expect(new Set((await snapshot).map((p) => p.info.device))).toEqual(new Set(['m3', 'm7']));
    publishRound(5);
    await until('both browsers updated', () => page.received.length > 0 && overview.received.length > 0);
    expect(
      page.received
        .flat()
        .map((v) => v.id)
        .sort(),
    ).toEqual(['m3.power_kw', 'm7.power_kw']);
    expect(overview.received.flat()).toHaveLength(20);

    // Back to everything.
    expect(await page.socket.emitWithAck('watch', { all: true })).toEqual({ devices: -1 });
    page.received.length = 0;
    publishRound(6);
    await until('all values', () => page.received.flat().length === 20);
  });

  it('refuses a malformed or oversized watch request and keeps the socket as it was', async () => {
    const page = await browser();
    expect(await page.socket.emitWithAck('watch', 'everything')).toEqual({
      error: 'watch: expected { devices: [...] } or { all: true }',
    });
    expect(await page.socket.emitWithAck('watch', { devices: [1, 2] })).toEqual({
      error: 'watch: devices must be a list of device ids',
    });
    expect(
      await page.socket.emitWithAck('watch', { devices: Array.from({ length: 5000 }, (_, i) => `d${i}`) }),
    ).toEqual({
      error: 'watch: at most 2000 devices',
    });
    publishRound(7);
    await until('still every value', () => page.received.flat().length === 20);
  });
});

describe('connected browsers', () => {
  it('are counted for /metrics while connected, and no longer once they leave', async () => {
    const metrics = metricsOf({ browsers: () => web.browsers() });
    // The sockets of the tests before have been closed; the server notices in its own time.
    await until('earlier browsers gone', () => web.browsers() === 0);
    const first = await browser();
    await browser();
    expect(await metrics.metrics()).toContain('plantwatch_browsers_connected 2');
    first.socket.close();
    await until('one browser gone', () => web.browsers() === 1);
    expect(await metrics.metrics()).toContain('plantwatch_browsers_connected 1');
  });
});

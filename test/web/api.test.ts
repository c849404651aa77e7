/**
 * The REST API and static files as a client sees them, including requests a hostile or
 * broken client sends.
 */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { buildCatalog, PointBus, PointTable } from '../../src/points/index.js';
import { startWebServer, type WebServer } from '../../src/web/index.js';
import { plantConfig } from '../helpers/plant-config.js';

const config = plantConfig({
  lines: [{ id: 'gw', transport: 'tcp', host: '127.0.0.1', port: 1502 }],
  profiles: [
    {
      id: 'meter',
      name: 'Meter',
      equipment: 'power-meter',
      protocol: 'modbus',
      points: [
        { name: 'power_kw', table: 'holding', address: 0, unit: 'kW', label: 'Active power' },
        { name: 'breaker_closed', table: 'coil', address: 0, type: 'bool' },
      ],
    },
  ],
  devices: [
    { id: 'dr1-f1', name: 'Feeder 1', profile: 'meter', modbus: { line: 'gw', unitId: 1 } },
    { id: 'dr1-f2', name: 'Feeder 2', profile: 'meter', modbus: { line: 'gw', unitId: 2 } },
  ],
});

let web: WebServer;
const bus = new PointBus();
const table = new PointTable(buildCatalog(config));
bus.subscribe((v) => table.update(v));
let devicesState = 'ok';

beforeAll(async () => {
  web = await startWebServer({
    host: '127.0.0.1',
    port: 0,
    table,
    bus,
    metrics: new Registry(),
    log: silentLogger(),
    status: {
      startedAt: Date.now(),
      lines: () => [{ id: 'gw', state: 'connected' }],
      devices: () => [
        { id: 'dr1-f1', state: 'ok' },
        { id: 'dr1-f2', state: devicesState },
      ],
      mqtt: () => ({ connected: true }),
    },
  });
  const now = Date.now();
  bus.publish([
    { id: 'dr1-f1.power_kw', value: 120.5, quality: 'good', ts: now - 1000 },
    { id: 'dr1-f2.power_kw', value: null, quality: 'comm-error', ts: now },
  ]);
});
afterAll(async () => web?.stop());

describe('GET /api/points', () => {
  it('lists every configured point with value, unit, quality and age', async () => {
    const res = await fetch(`${web.url}/api/points`);
    expect(res.status).toBe(200);
    const points = (await res.json()) as Record<string, unknown>[];
    expect(points).toHaveLength(4);
    const f1 = points.find((p) => p.id === 'dr1-f1.power_kw');
    expect(f1).toMatchObject({
      value: 120.5,
      unit: 'kW',
      quality: 'good',
      label: 'Active power',
      room: 'r1',
    });
    expect(f1?.ageMs).toBeGreaterThanOrEqual(1000);
    expect(points.find((p) => p.id === 'dr1-f2.power_kw')).toMatchObject({
      value: null,
      quality: 'comm-error',
    });
    expect(points.find((p) => p.id === 'dr1-f1.breaker_closed')).toMatchObject({
      value: null,
      quality: 'no-data',
      ts: null,
    });
  });

  it('filters by device and quality, and answers 404 for an unknown point', async () => {
    const byDevice = (await (await fetch(`${web.url}/api/points?device=dr1-f2`)).json()) as { id: string }[];
    expect(byDevice.map((p) => p.id).sort()).toEqual(['dr1-f2.breaker_closed', 'dr1-f2.power_kw']);
    const bad = (await (await fetch(`${web.url}/api/points?quality=comm-error`)).json()) as { id: string }[];
    expect(bad.map((p) => p.id)).toEqual(['dr1-f2.power_kw']);
    const one = await fetch(`${web.url}/api/points/dr1-f1.power_kw`);
    // The room's and building's names and the room's kind come from site.yaml, for the dashboard.
    expect(await one.json()).toMatchObject({
      value: 120.5,
      roomName: 'R1',
      buildingName: 'B1',
      roomKind: 'other',
    });
    const missing = await fetch(`${web.url}/api/points/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no point "nope"' });
  });
});

describe('GET /api/health', () => {
  it('says ok when everything answers and degraded when a device does not', async () => {
    devicesState = 'ok';
    expect(await (await fetch(`${web.url}/api/health`)).json()).toMatchObject({
      status: 'ok',
      devices: { up: 2, total: 2 },
    });
    devicesState = 'unreachable';
    expect(await (await fetch(`${web.url}/api/health`)).json()).toMatchObject({
      status: 'degraded',
      devices: { up: 1, total: 2 },
    });
  });
});

describe('hostile requests', () => {
  it('answers malformed JSON with 400 and no stack trace', async () => {
    const res = await fetch(`${web.url}/api/points`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toMatch(/at .*\.js:\d+/);
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await fetch(`${web.url}/api/points`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 'y'.repeat(200_000) }),
    });
    expect(res.status).toBe(413);
  });

  it('does not serve files outside the dashboard folder', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/.git/config']) {
      const res = await fetch(`${web.url}${path}`);
      // Not found, or refused outright as a dot segment (400: "..%2f" is one to a decoder).
      expect([400, 404], path).toContain(res.status);
      expect(await res.text()).not.toContain('"name": "plantwatch"');
    }
  });

  it('sets security headers', async () => {
    const res = await fetch(`${web.url}/api/health`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

/**
 * What a gateway opens when plantwatch.yaml does not say: the dashboard on loopback only
 * (login on or off), no MQTT broker without an mqtt: section, and an embedded broker without
 * a host on loopback only. Read from the kernel's table of this process's listening sockets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { listeningSockets, newListeners } from '../helpers/listening.js';
import { startTcpDevice } from '../helpers/modbus-tcp-device.js';
import { plantConfig } from '../helpers/plant-config.js';
import { until } from '../helpers/wait.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const meterProfile = {
  id: 'meter',
  name: 'Meter',
  equipment: 'power-meter',
  protocol: 'modbus',
  pollGroups: { default: '200ms' },
  points: [{ name: 'frequency_hz', unit: 'Hz', table: 'holding', address: 0, scale: 0.01 }],
};

/** A one-meter plant, login on, its stores in a temporary directory; `mqtt` as given (or none). */
async function plant(mqtt?: object) {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-listen-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const meter = await startTcpDevice({ 1: { holding: { 0: 5000 } } });
  cleanup.push(() => meter.stop());
  const config = plantConfig({
    gateway: {
      web: { port: 0 },
      ...(mqtt ? { mqtt } : {}),
      auth: { enabled: true, users: join(dir, 'users.db') },
      storage: {
        sqlite: { path: join(dir, 'plantwatch.db') },
        spool: { path: join(dir, 'spool.db') },
      },
      records: { path: join(dir, 'records.db') },
    },
    alarms: { settings: { journal: join(dir, 'alarms.db') } },
    lines: [{ id: 'line', transport: 'tcp', host: '127.0.0.1', port: meter.port }],
    profiles: [meterProfile],
    devices: [{ id: 'm1', name: 'Meter 1', profile: 'meter', modbus: { line: 'line', unitId: 1 } }],
  });
  const before = listeningSockets();
  const gateway = await startGateway({ config, log: silentLogger() });
  cleanup.push(() => gateway.stop());
  return { gateway, opened: newListeners(before) };
}

describe('what a gateway opens by default', () => {
  it('without an mqtt: section: the dashboard on loopback, no broker, and the meters still read', async () => {
    const { gateway, opened } = await plant();
    expect(opened).toEqual([{ address: '127.0.0.1', port: gateway.web.port }]);
    const frequency = await until('a good reading', () => {
      const value = gateway.table.get('m1.frequency_hz');
      return value?.quality === 'good' ? value : undefined;
    });
    expect(frequency.value).toBe(50);
    const health = await (await fetch(`${gateway.web.url}/api/health`)).json();
    expect(health).toMatchObject({ status: 'ok', mqtt: { enabled: false, connected: false } });
  });

  it('an embedded broker without a host: on loopback too', async () => {
    const { gateway, opened } = await plant({ broker: { mode: 'embedded', port: 0 } });
    const brokerPort = Number(new URL(gateway.mqtt.brokerUrl).port);
    expect(opened).toEqual(
      expect.arrayContaining([
        { address: '127.0.0.1', port: gateway.web.port },
        { address: '127.0.0.1', port: brokerPort },
      ]),
    );
    expect(opened).toHaveLength(2);
    const health = (await (await fetch(`${gateway.web.url}/api/health`)).json()) as { mqtt: unknown };
    expect(health.mqtt).toEqual({ enabled: true, connected: true });
  });
});

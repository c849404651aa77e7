/**
 * What /api/lines and /api/devices show (the Modbus service's lines() and devices(), which
 * they serve as they are) when a gateway fails at the TCP level: the reason the socket gave,
 * and the reconnection wait the line really keeps, checked against the connections a real
 * TCP listener sees.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ModbusService, startModbus } from '../../../src/acquisition/modbus/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { PointBus } from '../../../src/points/index.js';
import { type FailingGateway, startFailingGateway } from '../../helpers/failing-gateway.js';
import { plantConfig } from '../../helpers/plant-config.js';
import { until } from '../../helpers/wait.js';

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

const BACKOFF = { initial: 250, max: 2000 };

async function meterBehind(
  mode: 'close' | 'reset',
): Promise<{ gateway: FailingGateway; modbus: ModbusService }> {
  const gateway = await startFailingGateway(mode);
  running.push(gateway);
  const config = plantConfig({
    lines: [
      { id: 'gw', transport: 'tcp', host: '127.0.0.1', port: gateway.port, timeout: 300, backoff: BACKOFF },
    ],
    profiles: [
      {
        id: 'meter',
        name: 'Meter',
        equipment: 'power-meter',
        protocol: 'modbus',
        pollGroups: { fast: '200ms' },
        points: [{ name: 'voltage', table: 'holding', address: 0, type: 'uint16', poll: 'fast' }],
      },
    ],
    devices: [{ id: 'm1', name: 'Meter 1', profile: 'meter', modbus: { line: 'gw', unitId: 1 } }],
  });
  const modbus = startModbus({ config, bus: new PointBus(), log: silentLogger() });
  running.push(modbus);
  return { gateway, modbus };
}

describe('a gateway that resets the connection', () => {
  it('shows the reason (ECONNRESET) as the last error of the line and of its device', async () => {
    const { modbus } = await meterBehind('reset');
    const line = await until('the line down with a reason', () => {
      const snapshot = modbus.lines()[0];
      return snapshot?.state !== 'connected' && snapshot?.lastError ? snapshot : undefined;
    });
    expect(line.lastError).toMatch(/ECONNRESET/);
    const device = await until('the device unreachable', () =>
      modbus.devices().find((d) => d.state === 'unreachable'),
    );
    expect(device.lastError).toBe(`line down: ${line.lastError}`);
  });
});

describe('a gateway that takes every connection and closes it at once', () => {
  it('is retried at the backoff’s pace, and the line and its device show the wait the line keeps', async () => {
    const { gateway, modbus } = await meterBehind('close');
    // Waits of 250, 500, 1000 and 2000 ms: the fifth connection comes about 3.75 s in.
    await until('five connections', () => gateway.connectedAt.length >= 5, 10_000);
    const { line, device } = await until('the line waiting to reconnect', () => {
      const [lineNow] = modbus.lines();
      const [deviceNow] = modbus.devices();
      return lineNow?.nextAttemptAt && deviceNow?.state === 'unreachable'
        ? { line: lineNow, device: deviceNow }
        : undefined;
    });
    const seen = gateway.connectedAt.length;
    const last = gateway.connectedAt[seen - 1] as number;
    await until('the next connection', () => gateway.connectedAt.length > seen, 5000);
    const next = gateway.connectedAt[seen] as number;

    expect(line.reconnectDelayMs).toBe(BACKOFF.max);
    // The wait shown is the one the listener saw, give or take the loopback's milliseconds.
    expect(Math.abs(next - last - (line.reconnectDelayMs as number))).toBeLessThan(250);
    expect(Math.abs(next - Date.parse(line.nextAttemptAt as string))).toBeLessThan(250);
    // The device waits for its line: it shows the same wait, not its own first backoff step.
    expect(device.backoffMs).toBe(line.reconnectDelayMs);
    expect(device.nextProbeAt).toBe(line.nextAttemptAt);
    expect(device.lastError).toBe('line down: connection closed by peer');
  }, 20_000);
});

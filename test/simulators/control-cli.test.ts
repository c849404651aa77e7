/**
 * The fault-control API and `plantwatch fault`, round trip against a running simulator;
 * `plantwatch simulate` as a process that stops cleanly on SIGTERM; and start-up that
 * degrades (no socat) or refuses (bad params) with messages that name what is wrong.
 */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runFault } from '../../simulators/cli.js';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig } from '../../src/config/index.js';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';
import { freePort } from '../helpers/modbus-tcp-device.js';
import { plantConfig } from '../helpers/plant-config.js';
import { until } from '../helpers/wait.js';
import { chillerProfile, meterProfile } from './fixtures.js';

let demo: DemoConfig;
let sim: PlantSimulator;
let base: string;
let printed: string[];

beforeAll(async () => {
  // runFault reads the control port from a config directory: a demo copy on free ports.
  demo = await demoConfigCopy();
  const control = loadConfig(demo.dir).simulation.control;
  base = `http://${control.host}:${control.port}`;
  const config = plantConfig({
    lines: [{ id: 'gw', transport: 'tcp', host: '127.0.0.1', port: await freePort() }],
    profiles: [chillerProfile, meterProfile],
    devices: [
      { id: 'ch1', name: 'Chiller 1', profile: 'test-chiller', modbus: { line: 'gw', unitId: 1 } },
      { id: 'f1', name: 'Feeder', profile: 'test-meter', modbus: { line: 'gw', unitId: 2 } },
    ],
    simulation: { control },
  });
  sim = await startPlantSimulator(config, { control: true });
});
beforeEach(() => {
  printed = [];
  const keep = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  vi.spyOn(console, 'log').mockImplementation(keep);
  vi.spyOn(console, 'error').mockImplementation(keep);
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const f of sim.faults.list()) sim.faults.clear(f.device);
});
afterAll(async () => {
  await sim?.stop();
  demo?.cleanup();
});

const fault = (...args: string[]) => runFault([...args, '--config', demo.dir]);

describe('plantwatch fault', () => {
  it('injects, lists and clears through the control API', async () => {
    expect(await fault('ch1', 'trip')).toBe(0);
    expect(await fault('f1', 'slow', '--delay', '250')).toBe(0);
    expect(await fault('f1', 'exception', '--code', '6', '--from', '10', '--to', '20')).toBe(0);
    expect(await fault('f1', 'out-of-range', '--point', 'voltage_l1', '--value', '999')).toBe(0);
    expect(sim.values('ch1')).toMatchObject({ running: false, tripped: true });
    expect(sim.values('f1').voltage_l1).toBe(999);
    expect(sim.faults.list()).toEqual([
      { device: 'ch1', fault: { type: 'trip' } },
      { device: 'f1', fault: { type: 'slow', delayMs: 250 } },
      { device: 'f1', fault: { type: 'exception', code: 6, from: 10, to: 20 } },
      { device: 'f1', fault: { type: 'out-of-range', point: 'voltage_l1', value: 999 } },
    ]);
    printed = [];
    expect(await fault('--list')).toBe(0);
    expect(JSON.parse(printed.join('\n'))).toHaveLength(4);
    expect(await fault('f1', '--clear', 'slow')).toBe(0);
    expect(sim.faults.list()).toHaveLength(3);
    expect(await fault('ch1', '--clear')).toBe(0);
    expect(sim.values('ch1')).toMatchObject({ running: true, tripped: false });
  });

  it('explains what is wrong and returns 1', async () => {
    expect(await fault('ch9', 'trip')).toBe(1);
    expect(printed.join('\n')).toMatch(/unknown device "ch9"/);
    expect(await fault('f1', 'slow')).toBe(1);
    expect(printed.join('\n')).toMatch(/invalid fault for f1: delayMs/);
    expect(await fault('f1', 'leak', '--flow', '2')).toBe(1);
    expect(printed.join('\n')).toMatch(/not a water meter/);
    expect(await fault('f1')).toBe(1);
    expect(await fault('f1', '--clear', 'flood')).toBe(1);
    expect(printed.join('\n')).toMatch(/unknown fault type "flood"/);
    expect(await fault('f1', 'trip', '--bogus')).toBe(1);
    expect(await runFault(['--list', '--config', '/nonexistent/plantwatch'])).toBe(1);
    expect(sim.faults.list()).toEqual([]);
  });

  it('prints usage for --help', async () => {
    expect(await runFault(['--help'])).toBe(0);
    expect(printed.join('\n')).toMatch(/usage[^\n]*:\n\s+\.\/bin\/plantwatch-demo\.js fault <device> <type>/);
  });
});

describe('control API', () => {
  it('answers JSON for malformed bodies and unknown routes, and shows device values', async () => {
    const bad = await fetch(`${base}/faults/ch1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toHaveProperty('error');
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    const values = (await (await fetch(`${base}/devices/ch1`)).json()) as Record<string, unknown>;
    expect(values).toMatchObject({ running: true });
  });
});

describe('start-up', () => {
  it('without socat, warns naming the serial line and serves the rest', async () => {
    const warnings: Record<string, unknown>[] = [];
    const log = pino(
      { level: 'warn' },
      new Writable({
        write(chunk, _enc, done) {
          warnings.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const port = await freePort();
    const config = plantConfig({
      lines: [
        { id: 'rs485-x', transport: 'rtu', path: '/tmp/plantwatch-never/tty', baudRate: 9600 },
        { id: 'tcp-x', transport: 'tcp', host: '127.0.0.1', port },
      ],
      profiles: [chillerProfile],
      devices: [
        { id: 'a', name: 'A', profile: 'test-chiller', modbus: { line: 'rs485-x', unitId: 1 } },
        { id: 'b', name: 'B', profile: 'test-chiller', modbus: { line: 'tcp-x', unitId: 1 } },
      ],
    });
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    let degraded: PlantSimulator | undefined;
    try {
      degraded = await startPlantSimulator(config, { log });
    } finally {
      process.env.PATH = path;
    }
    await degraded.stop();
    expect(degraded.endpoints.map((e) => e.line)).toEqual(['tcp-x']);
    expect(warnings).toContainEqual(expect.objectContaining({ line: 'rs485-x' }));
    expect(String(warnings[0]?.msg)).toMatch(/apt-get install socat/);
  });

  it('refuses bad physics parameters, naming the device and the key', async () => {
    const config = plantConfig({
      profiles: [chillerProfile],
      devices: [{ id: 'ch-bad', name: 'Bad', profile: 'test-chiller', modbus: { line: 'x', unitId: 1 } }],
      lines: [{ id: 'x', transport: 'tcp', host: '127.0.0.1', port: 1502 }],
      simulation: { devices: { 'ch-bad': { capacityKw: -5, colour: 'red' } } },
    });
    await expect(startPlantSimulator(config)).rejects.toThrow(/devices\.ch-bad: .*capacityKw/);
    await expect(startPlantSimulator(config)).rejects.toThrow(/colour/);
  });
});

describe('plantwatch simulate', () => {
  it('runs until SIGTERM, then stops everything and exits 0', async () => {
    const copy = await demoConfigCopy();
    const { host, port } = loadConfig(copy.dir).simulation.control;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--eval',
        `import('./simulators/cli.ts').then((m) => m.runSimulate(${JSON.stringify(copy.dir)})).then((code) => { process.exitCode = code; })`,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(
        'the simulator control API',
        () =>
          fetch(`http://${host}:${port}/faults`).then(
            (r) => r.ok,
            () => false,
          ),
        12_000,
        100,
      );
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      copy.cleanup();
    }
  }, 18_000);
});

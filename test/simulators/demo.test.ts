/**
 * The demo as `npm start` runs it (simulators/program.ts demo, a real process) on a machine
 * where the README's `apt-get install mosquitto` left a system broker on the demo's default
 * MQTT port: the demo comes up on another port, says which, and its water meters' readings
 * arrive; and it listens on this machine only, as its log says. Also: `fault` loads no
 * gateway, web server or broker, and the production command line points to the checkout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { type DemoConfig, demoConfigCopy, editYaml } from '../helpers/demo-config.js';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { until } from '../helpers/wait.js';

const TSX = import.meta.resolve('tsx');
const DEMO_PROGRAM = join(import.meta.dirname, '..', '..', 'simulators', 'program.ts');
const PRODUCTION_CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'index.ts');

/** The environment without the variables that choose the demo's host and ports. */
function demoEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PLANTWATCH_LOG_FORMAT: 'json' };
  for (const name of ['PLANTWATCH_HOST', 'PLANTWATCH_WEB_PORT', 'PLANTWATCH_MQTT_PORT', 'PLANTWATCH_CONFIG'])
    delete env[name];
  return env;
}

/** The local addresses of this machine's listening TCP sockets on `port` (/proc/net/tcp, tcp6). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && fields[1]?.endsWith(`:${hexPort}`))
      .map((fields) => (fields[1] ?? '').split(':')[0] ?? ''),
  );
}

/** 127.0.0.1 as /proc/net/tcp writes it (little-endian hex). */
const LOOPBACK_HEX = '0100007F';

describe('npm start beside a system Mosquitto on its default MQTT port', () => {
  let mosquitto: Mosquitto;
  let demo: DemoConfig;
  let child: ChildProcess | undefined;
  let output = '';
  let dashboard = '';

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    demo = await demoConfigCopy();
    const shipped = parseDocument(readFileSync('config/plantwatch.yaml', 'utf8'));
    await editYaml(join(demo.dir, 'plantwatch.yaml'), (doc) => {
      // The demo's own hosts, and its MQTT port left at its default: the one Mosquitto holds.
      doc.setIn(['web', 'host'], shipped.getIn(['web', 'host']));
      doc.setIn(['mqtt', 'broker', 'host'], shipped.getIn(['mqtt', 'broker', 'host']));
      doc.setIn(['mqtt', 'broker', 'port'], `\${PLANTWATCH_MQTT_PORT:-${mosquitto.port}}`);
    })();
    const proc = spawn(process.execPath, ['--import', TSX, DEMO_PROGRAM, 'demo', '-c', demo.dir], {
      cwd: demo.dir,
      env: demoEnv(),
    });
    child = proc;
    proc.stdout?.on('data', (d) => (output += d));
    proc.stderr?.on('data', (d) => (output += d));
    dashboard = await until(
      `the demo's start line (output so far: ${output.slice(-2000)})`,
      () => {
        if (proc.exitCode !== null) throw new Error(`the demo exited ${proc.exitCode}:\n${output}`);
        return /dashboard and API at (http:\/\/[^\s,"]+)/.exec(output)?.[1];
      },
      60_000,
      100,
    );
  }, 90_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await mosquitto?.stop();
    demo?.cleanup();
  });

  it('comes up on a free MQTT port, says which, and the water meters reach the gateway', async () => {
    const broker = /MQTT broker at mqtt:\/\/[^:]+:(\d+)/.exec(output)?.[1];
    expect(Number(broker)).not.toBe(mosquitto.port);
    expect(output).toContain(`port ${mosquitto.port} is taken`);
    expect(output).toContain(`listens on ${broker} instead`);
    const meters = await until(
      'good readings from the MQTT water meters',
      async () => {
        const points = (await (await fetch(`${dashboard}/api/points`)).json()) as {
          device: string;
          quality: string;
        }[];
        const good = points.filter((p) => p.device.startsWith('wm-') && p.quality === 'good');
        return good.length > 0 && good;
      },
      30_000,
      250,
    );
    expect(new Set(meters.map((p) => p.device)).size).toBeGreaterThan(1);
  }, 40_000);

  it('listens on 127.0.0.1 only, for the dashboard and the broker, and its log says so', () => {
    const webPort = Number(new URL(dashboard).port);
    const mqttPort = Number(/MQTT broker at mqtt:\/\/[^:]+:(\d+)/.exec(output)?.[1]);
    expect(listeningAddresses(webPort)).toEqual([LOOPBACK_HEX]);
    expect(listeningAddresses(mqttPort)).toEqual([LOOPBACK_HEX]);
    expect(output).toContain(`listening on 127.0.0.1:${webPort}`);
    expect(output).toContain(`listening on 127.0.0.1:${mqttPort}`);
  });

  it('stops cleanly on SIGINT', async () => {
    const proc = child as ChildProcess;
    const exit = new Promise<number | null>((resolve) => proc.on('close', resolve));
    proc.kill('SIGINT');
    expect(await exit).toBe(0);
    child = undefined;
  }, 30_000);
});

describe('fault, from the checkout', () => {
  it('answers without loading the gateway, the web server or the broker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plantwatch-fault-'));
    const demo = await demoConfigCopy();
    try {
      const record = join(dir, 'modules.txt');
      // Nobody listens on the copy's control port (a free one): the command says so and exits 1.
      const proc = spawn(
        process.execPath,
        [
          '--import',
          TSX,
          '--import',
          './test/helpers/record-modules.mjs',
          DEMO_PROGRAM,
          'fault',
          '--list',
          '--config',
          demo.dir,
        ],
        { env: { ...demoEnv(), PLANTWATCH_MODULES_FILE: record } },
      );
      let stderr = '';
      proc.stderr?.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain('no simulator answers at');
      const loaded = readFileSync(record, 'utf8').split('\n');
      expect(loaded.some((url) => url.endsWith('/simulators/cli.ts'))).toBe(true);
      const heavy = loaded.filter((url) =>
        /\/node_modules\/(express|socket\.io|aedes|modbus-serial|better-sqlite3)\/|\/src\/(gateway|web|acquisition|storage)\//.test(
          url,
        ),
      );
      expect(heavy).toEqual([]);
    } finally {
      demo.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the production command line', () => {
  it('says the demo is not part of it and how to run it from a checkout', async () => {
    const proc = spawn(process.execPath, ['--import', TSX, PRODUCTION_CLI, 'fault', 'ch1', 'trip'], {
      env: demoEnv(),
    });
    let stderr = '';
    proc.stderr?.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('the demo is not part of this install');
    expect(stderr).toContain('npm start');
  }, 30_000);
});

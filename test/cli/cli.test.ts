/**
 * The `plantwatch` command as a user runs it: a real process, real exit codes, real output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';
import { freePorts } from '../helpers/modbus-tcp-device.js';
import { sleep } from '../helpers/wait.js';

const CLI_ENTRY = join(import.meta.dirname, '..', '..', 'src', 'cli', 'index.ts');
const CLI = ['--import', 'tsx', 'src/cli/index.ts'];
/** The demo's own command line (`npm start`), which the production one no longer carries. */
const DEMO = ['--import', 'tsx', 'simulators/program.ts'];

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], {
      env: { ...process.env, PLANTWATCH_LOG_FORMAT: 'json' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const cleanup: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanup) c();
});

/** A configuration directory: the given plantwatch.yaml and one site. */
function configWith(plantwatchYaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-access-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'plantwatch.yaml'), plantwatchYaml);
  writeFileSync(
    join(dir, 'site.yaml'),
    'sites: [{ id: main, name: Main, buildings: [{ id: b1, name: B1, rooms: [{ id: r1, name: R1, kind: other }] }] }]\n',
  );
  return dir;
}

describe('plantwatch check-config', () => {
  it('accepts the demo configuration and summarises it', async () => {
    const { code, stdout } = await run(['check-config', 'config']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /OK — 1 site\(s\), \d+ Modbus line\(s\), \d+ profile\(s\), \d+ device\(s\), \d+ point\(s\), \d+ alarm rule\(s\) → \d+ alarm\(s\), 2 duty team\(s\)/,
    );
  });

  it('exits 1 and names the file, key and expectation of every problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plantwatch-bad-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'plantwatch.yaml'), 'web:\n  port: "eighty"\n');
    writeFileSync(join(dir, 'site.yaml'), 'sites: []\n');
    const { code, stderr } = await run(['check-config', dir]);
    expect(code).toBe(1);
    expect(stderr).toContain('plantwatch.yaml:2: web.port: expected number, received string');
    expect(stderr).toContain('site.yaml:1: sites: Too small');
  });

  it('says an empty plantwatch.yaml gives a gateway with login on, on this machine only', async () => {
    const { code, stdout } = await run(['check-config', configWith('')]);
    expect(code).toBe(0);
    expect(stdout).toContain('dashboard and API on 127.0.0.1:8080, login on');
  });

  it('says a gateway with login off listens on loopback, and warns when told to listen wider', async () => {
    const off = await run(['check-config', configWith('auth: { enabled: false }\n')]);
    expect(off.stdout).toContain('dashboard and API on 127.0.0.1:8080, login OFF');
    const wide = await run([
      'check-config',
      configWith('web: { host: 0.0.0.0 }\nauth: { enabled: false }\n'),
    ]);
    expect(wide.stdout).toContain('dashboard and API on 0.0.0.0:8080, login OFF: whoever reaches the port');
  });
});

describe('plantwatch start with a plantwatch.yaml cut short before its auth: section', () => {
  let child: ChildProcess | undefined;
  afterAll(() => child?.kill('SIGKILL'));

  it('asks for a login: nothing but health answers without one', async () => {
    const [webPort, mqttPort] = await freePorts(2);
    const dir = configWith(
      `web: { host: 127.0.0.1, port: ${webPort} }\nmqtt:\n  broker: { mode: embedded, host: 127.0.0.1, port: ${mqttPort} }\n`,
    );
    // Run where the configuration is: its stores (data/users.db, …) land there, not in the checkout.
    const proc = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), CLI_ENTRY, 'start', '-c', dir],
      {
        cwd: dir,
        env: { ...process.env, PLANTWATCH_LOG_FORMAT: 'json' },
      },
    );
    child = proc;
    let output = '';
    proc.stdout?.on('data', (d) => (output += d));
    proc.stderr?.on('data', (d) => (output += d));
    const url = `http://127.0.0.1:${webPort}`;
    let health = 0;
    for (let i = 0; i < 80 && health !== 200; i++) {
      await sleep(250);
      health = await fetch(`${url}/api/health`).then(
        (r) => r.status,
        () => 0,
      );
    }
    expect(health, output).toBe(200);
    expect((await fetch(`${url}/api/points`)).status).toBe(401);
    expect(output).not.toContain('login is off');
    const exit = new Promise<number | null>((resolve) => proc.on('close', resolve));
    proc.kill('SIGTERM');
    expect(await exit).toBe(0);
    child = undefined;
  }, 40_000);
});

describe('plantwatch demo', () => {
  let demo: DemoConfig;
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    demo?.cleanup();
  });

  it('starts the simulated plant and the gateway, serves live points, and stops cleanly on SIGTERM', async () => {
    demo = await demoConfigCopy();
    const proc = spawn(process.execPath, [...DEMO, 'demo', '-c', demo.dir], {
      env: { ...process.env, PLANTWATCH_LOG_FORMAT: 'json' },
    });
    child = proc;
    let output = '';
    proc.stdout?.on('data', (d) => (output += d));
    proc.stderr?.on('data', (d) => (output += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line in: ${output}`)), 20_000);
      proc.stdout?.on('data', () => {
        const match = /dashboard and API at (http:\/\/[^\s,]+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    expect(output).toMatch(/MQTT broker at mqtt:\/\/127\.0\.0\.1:\d+/);
    let good = 0;
    for (let i = 0; i < 60 && good === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const list = (await (await fetch(`${url}/api/points`)).json()) as { quality: string }[];
      good = list.filter((p) => p.quality === 'good').length;
    }
    expect(good).toBeGreaterThan(0);
    const exit = new Promise<number | null>((resolve) => proc.on('close', resolve));
    proc.kill('SIGTERM');
    expect(await exit).toBe(0);
    child = undefined;
  }, 40_000);
});

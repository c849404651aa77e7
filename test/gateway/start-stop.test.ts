/**
 * The gateway's start and stop as one cleanup stack: a part that fails to start takes down
 * every part started before it, and a stop that fails does not keep the others running. Each
 * case runs in its own process (start-stop-child.ts) on a copy of the demo config with login,
 * MQTT, maintenance and every line: the databases must be let go, the web and MQTT ports
 * listenable again, a second start on the same ports must work, and the process must exit by
 * itself (no timer, socket or serial retry left behind).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATEWAY_STEPS, type GatewayStep } from '../../src/gateway/cleanup.js';
import { type DemoConfig, demoConfigCopy, editYaml } from '../helpers/demo-config.js';
import { freePorts } from '../helpers/modbus-tcp-device.js';

/**
 * Long enough for two starts (hashing the demo accounts, opening every store) on a machine
 * busy with other test files; a child left running by a timer or socket never gets there.
 */
const CHILD_LIMIT_MS = 90_000;
const TEST_LIMIT = { timeout: CHILD_LIMIT_MS + 30_000 };

async function demoOnFixedPorts(): Promise<DemoConfig> {
  const demo = await demoConfigCopy({ auth: true, maintenance: true });
  const [web, mqtt] = await freePorts(2);
  await editYaml(join(demo.dir, 'plantwatch.yaml'), (doc) => {
    doc.setIn(['web', 'port'], web);
    doc.setIn(['mqtt', 'broker', 'port'], mqtt);
  })();
  return demo;
}

interface Released {
  heldFiles: string[];
  ports: { web: string; mqtt: string };
}
/**
 * What the gateway says for the steps start-stop-child.ts fails for real (the rest through its
 * probe): a directory where a SQLite file goes, a plain file where the data directory goes,
 * another program on the port.
 */
const REAL_FAILURES: Partial<Record<GatewayStep, RegExp>> = {
  storage: /EEXIST.*data/,
  alarms: /unable to open database file/,
  mqtt: /MQTT broker cannot listen on .*in use/,
  records: /unable to open database file/,
  auth: /unable to open database file/,
  web: /web server cannot listen on .*in use/,
};

const RELEASED: Released = { heldFiles: [], ports: { web: 'free', mqtt: 'free' } };

/**
 * The child's report, on a fresh copy of the demo config; rejects if the child does not exit
 * by itself, cleanly, within the limit.
 */
async function runChild<T>(mode: 'fail-start' | 'fail-stop', step: GatewayStep): Promise<T> {
  const demo = await demoOnFixedPorts();
  try {
    return await childReport<T>(demo.dir, mode, step);
  } finally {
    demo.cleanup();
  }
}

function childReport<T>(dir: string, mode: 'fail-start' | 'fail-stop', step: GatewayStep): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'test/gateway/start-stop-child.ts', dir, mode, step],
      { timeout: CHILD_LIMIT_MS, killSignal: 'SIGKILL', env: { ...process.env, NODE_ENV: 'test' } },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `${mode} ${step}: ${err.killed ? `still running after ${CHILD_LIMIT_MS} ms` : err.message}\n${stderr}`,
            ),
          );
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string) as T);
      },
    );
  });
}

describe('a step that fails to start', () => {
  it.concurrent.each(GATEWAY_STEPS)(
    '%s: every part started before it is stopped',
    TEST_LIMIT,
    async (step) => {
      const report = await runChild<{
        failure?: string;
        realCause: boolean;
        afterFailure: Released;
        secondStart: string;
        afterSecond: Released;
      }>('fail-start', step);
      const realFailure = REAL_FAILURES[step];
      expect(report.realCause, 'a real cause where the child has one').toBe(realFailure !== undefined);
      expect(report.failure, 'the start fails, with the cause').toMatch(
        realFailure ?? `probe: ${step} fails to start`,
      );
      expect(report.afterFailure).toEqual(RELEASED);
      expect(report.secondStart).toBe('ok');
      expect(report.afterSecond).toEqual(RELEASED);
    },
  );
});

describe('stop', () => {
  it('stops every part, last started first, when one of them fails to stop', TEST_LIMIT, async () => {
    // In the middle: the web server stops before it, MQTT and storage after it.
    const failing: GatewayStep = 'alarm-topics';
    const report = await runChild<{
      started: GatewayStep[];
      stopped: GatewayStep[];
      afterStop: Released;
      errorsLogged: { step?: string; msg: string }[];
    }>('fail-stop', failing);
    expect(report.started).toEqual([...GATEWAY_STEPS]);
    // Steps holding nothing (energy before its checks, records' checks) push no stop.
    const withStops = report.started.filter((s) => report.stopped.includes(s));
    expect(report.stopped).toEqual(withStops.reverse());
    expect(report.stopped).toEqual(expect.arrayContaining(['web', failing, 'mqtt', 'storage']));
    expect(report.errorsLogged).toContainEqual({
      step: failing,
      msg: `stopping the gateway's ${failing} failed`,
    });
    expect(report.afterStop).toEqual(RELEASED);
  });
});

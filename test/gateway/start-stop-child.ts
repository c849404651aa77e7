/**
 * Run by start-stop.test.ts as its own process: `node --import tsx start-stop-child.ts <dir>
 * <mode> <step>`, on a demo config copy whose web and MQTT ports are fixed.
 *   fail-start <step>: makes that step fail (a real cause where there is one, else the probe),
 *                      then starts the gateway once more on the same config and stops it;
 *   fail-stop <step>:  starts the gateway, makes that step's stop fail, and stops it.
 * It prints one JSON report (what failed, which files under <dir> it still holds open, whether
 * the ports can be listened on again, what was logged as failing) and must then exit by itself:
 * a timer or socket left behind keeps it alive, and the test sees that.
 */
import { mkdirSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import type { GatewayStep } from '../../src/gateway/cleanup.js';
import { startGateway } from '../../src/gateway/index.js';

const [dir, mode, step] = process.argv.slice(2) as [string, 'fail-start' | 'fail-stop', GatewayStep];
const config = loadConfig(dir);
const webPort = config.gateway.web.port;
const mqttSettings = config.gateway.mqtt;
if (mqttSettings?.broker.mode !== 'embedded') throw new Error('the test config has an embedded broker');
const mqttPort = mqttSettings.broker.port;

const errorsLogged: { step?: string; msg: string }[] = [];
const log = pino(
  { level: 'error' },
  new Writable({
    write(line: Buffer, _encoding, done) {
      const entry = JSON.parse(line.toString()) as { step?: string; msg: string };
      errorsLogged.push({ ...(entry.step ? { step: entry.step } : {}), msg: entry.msg });
      done();
    },
  }),
);

/** Something in the way of a step, removed by the function it returns. */
type Cause = (config: PlantConfig) => Promise<() => Promise<void>>;

/** A directory where the SQLite file should be: no SQLite opens it, root or not. */
const directoryAt =
  (path: (c: PlantConfig) => string): Cause =>
  async (c) => {
    mkdirSync(path(c), { recursive: true });
    return async () => rmSync(path(c), { recursive: true });
  };

/** A plain file where the data directory should be. */
const fileAt =
  (path: (c: PlantConfig) => string): Cause =>
  async (c) => {
    writeFileSync(path(c), 'not a directory');
    return async () => rmSync(path(c));
  };

/** Another program listening on the port. */
const portTaken =
  (port: number): Cause =>
  async () => {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    return () => new Promise<void>((resolve) => server.close(() => resolve()));
  };

/** The steps something real can make fail; every other step fails through the probe. */
const realCauses: Partial<Record<GatewayStep, Cause>> = {
  storage: fileAt((c) => dirname(c.gateway.storage.sqlite.path)),
  alarms: directoryAt((c) => c.alarms.settings.journal),
  mqtt: portTaken(mqttPort),
  records: directoryAt((c) => c.gateway.records.path),
  auth: directoryAt((c) => c.gateway.auth.users),
  web: portTaken(webPort),
};

/** Files under the config directory (the databases, their WAL files) this process holds open. */
function heldFiles(): string[] {
  const held: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) held.push(target);
    } catch {
      // The descriptor readdir itself used, closed by now.
    }
  }
  return held;
}

/** 'free' when this process can listen on the port again, else the error code. */
function portState(port: number): Promise<string> {
  const server: Server = createServer();
  return new Promise((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve('free')));
  });
}

async function released() {
  return {
    heldFiles: heldFiles(),
    ports: { web: await portState(webPort), mqtt: await portState(mqttPort) },
  };
}

async function failStart() {
  const cause = realCauses[step];
  const undo = await cause?.(config);
  let failure: string | undefined;
  try {
    const gateway = await startGateway({
      config,
      log,
      probe: (at, phase) => {
        if (!cause && at === step && phase === 'start') throw new Error(`probe: ${at} fails to start`);
      },
    });
    await gateway.stop();
  } catch (err) {
    failure = (err as Error).message;
  }
  await undo?.();
  const afterFailure = await released();
  let secondStart = 'ok';
  try {
    const gateway = await startGateway({ config, log });
    await gateway.stop();
  } catch (err) {
    secondStart = (err as Error).message;
  }
  return {
    failure,
    realCause: cause !== undefined,
    afterFailure,
    secondStart,
    afterSecond: await released(),
  };
}

async function failStop() {
  const started: GatewayStep[] = [];
  const stopped: GatewayStep[] = [];
  const gateway = await startGateway({
    config,
    log,
    probe: (at, phase) => {
      (phase === 'start' ? started : stopped).push(at);
      if (at === step && phase === 'stop') throw new Error(`probe: ${at} fails to stop`);
    },
  });
  await gateway.stop();
  return { started, stopped, afterStop: await released() };
}

const report = mode === 'fail-start' ? await failStart() : await failStop();
process.stdout.write(`${JSON.stringify({ ...report, errorsLogged })}\n`);

#!/usr/bin/env node
// The README's two commands on a Debian machine, checked: with a Mosquitto on 1883 (as
// `apt-get install mosquitto` leaves one; started here if nothing listens there), one
// `npm start` must come up, answer /api/health and receive the MQTT water meters' readings
// (seen republished to its broker), bring up the east campus too and show both in the group
// view, then stop on SIGINT. Exit 1 with the demo's log otherwise.
// Run by .ci/run after the tests; locally: `npm run check-start` (uses the ports of config/).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SYSTEM_BROKER_PORT = 1883;
const START_TIMEOUT_MS = 240_000;
const READINGS_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

const say = (text) => process.stdout.write(`check-start: ${text}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function listening(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A Mosquitto on 1883 like Debian's service, unless something listens there already. */
async function systemBroker() {
  if (await listening(SYSTEM_BROKER_PORT)) {
    say(`something listens on ${SYSTEM_BROKER_PORT} already (a system Mosquitto?): kept`);
    return undefined;
  }
  const binary = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((path) => existsSync(path));
  if (!binary) throw new Error('mosquitto is not installed (apt-get install mosquitto)');
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-check-start-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${SYSTEM_BROKER_PORT} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  const broker = spawn(binary, ['-c', conf], { stdio: 'ignore' });
  for (let i = 0; i < 50 && !(await listening(SYSTEM_BROKER_PORT)); i++) await sleep(100);
  say(`Mosquitto started on ${SYSTEM_BROKER_PORT}, as a system one would be`);
  return () => {
    broker.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
}

/** Resolves with the first match of `pattern` in the demo's output, or rejects at the deadline. */
function waitFor(demo, pattern, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(demo.output);
      if (match) return resolve(match);
      if (demo.exited) return reject(new Error(`npm start exited (${demo.exited}) before ${what}`));
      if (Date.now() > end) return reject(new Error(`no ${what} within ${timeoutMs / 1000} s`));
      setTimeout(check, 250);
    };
    check();
  });
}

async function healthy(url, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const status = await fetch(`${url}/api/health`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(500);
  }
  throw new Error(`${url}/api/health did not answer 200 within ${timeoutMs / 1000} s`);
}

/** A water meter's reading, good, republished by the gateway: it came in over MQTT. */
async function meterReading(brokerUrl) {
  const client = mqtt.connect(brokerUrl, {
    username: 'viewer',
    password: 'viewer-demo',
    reconnectPeriod: 500,
  });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`no water meter reading on ${brokerUrl} within ${READINGS_TIMEOUT_MS / 1000} s`)),
        READINGS_TIMEOUT_MS,
      );
      client.on('connect', () => client.subscribe('plantwatch/+/+/+'));
      client.on('message', (topic, payload) => {
        if (!/^plantwatch\/[^/]+\/wm-[^/]+\//.test(topic)) return;
        const reading = JSON.parse(String(payload));
        if (reading.quality !== 'good') return;
        clearTimeout(timer);
        resolve(`${topic} ${String(payload)}`);
      });
    });
  } finally {
    client.end(true);
  }
}

/** The group view at the main hospital's address, signed in as the demo's energy manager: both campuses heard. */
async function groupHeard(web) {
  const login = await fetch(`${web}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'manager', password: 'manager-demo' }),
  });
  const cookie =
    login.headers
      .getSetCookie()
      .find((c) => c.startsWith('pw_session='))
      ?.split(';')[0] ?? '';
  const end = Date.now() + READINGS_TIMEOUT_MS;
  let last = '';
  while (Date.now() < end) {
    const group = await fetch(`${web}/api/group`, { headers: { cookie } }).then((r) => r.json());
    last = group.campuses.map((c) => `${c.site} ${c.link.state}`).join(', ');
    if (group.campuses.length >= 2 && group.campuses.every((c) => c.link.state === 'up')) return last;
    await sleep(1000);
  }
  throw new Error(`the group view did not hear every campus within ${READINGS_TIMEOUT_MS / 1000} s: ${last}`);
}

async function main() {
  const stopBroker = await systemBroker();
  const demo = { output: '', exited: undefined };
  const started = Date.now();
  // Its own process group, so that SIGINT reaches npm and node as Ctrl-C on a terminal does.
  const child = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env: { ...process.env, PLANTWATCH_LOG_FORMAT: 'json' },
  });
  child.stdout.on('data', (d) => (demo.output += d));
  child.stderr.on('data', (d) => (demo.output += d));
  const closed = new Promise((resolve) =>
    child.on('close', (code, signal) => {
      demo.exited = signal ?? `code ${code}`;
      resolve(demo.exited);
    }),
  );

  try {
    const [, web] = await waitFor(
      demo,
      /dashboard and API at (http:\/\/[^\s,"]+)/,
      START_TIMEOUT_MS,
      'start line',
    );
    const [, broker] = await waitFor(demo, /MQTT broker at (mqtt:\/\/[^\s,"]+)/, 1000, 'broker address');
    await healthy(web, START_TIMEOUT_MS - (Date.now() - started));
    say(`npm start came up in ${Math.round((Date.now() - started) / 1000)} s: ${web}, broker ${broker}`);
    say(`water meter reading: ${await meterReading(broker)}`);
    const [, east] = await waitFor(
      demo,
      /east campus running: dashboard (http:\/\/[^\s,"]+)/,
      120_000,
      'east campus',
    );
    await healthy(east, 60_000);
    say(`east campus up: ${east}; group view: ${await groupHeard(web)}`);
    process.kill(-child.pid, 'SIGINT');
    const outcome = await Promise.race([closed, sleep(STOP_TIMEOUT_MS).then(() => undefined)]);
    if (outcome === undefined)
      throw new Error(`npm start did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGINT`);
    if (!/"msg":"shutting down"/.test(demo.output))
      throw new Error('npm start ended without its orderly shutdown');
    say('stopped on SIGINT');
  } catch (err) {
    process.stderr.write(`check-start: FAILED: ${err.message}\n--- npm start's output ---\n${demo.output}\n`);
    process.exitCode = 1;
    if (!demo.exited) process.kill(-child.pid, 'SIGKILL');
  } finally {
    stopBroker?.();
  }
}

await main();

/**
 * The peer of `large-plant.bench.ts`: Node-RED 4.1 with node-red-contrib-modbus 5.23.3 (later
 * versions need Node 22), installed with npm into bench/peer/ on first use (never into the
 * project), run headless on plain node with a generated flow: the leanest a competent user would
 * build for the same job. One modbus-client config node per simulated gateway (TCP, its 20
 * units addressed by unit id on the one connection, as Plantwatch does: 50 connections, not
 * 1,000), one modbus-read node per device (20 holding registers from 0, every 1 s), all into
 * one function node that counts messages and registers (it decodes nothing: less work than
 * Plantwatch does, which decodes and scales every point). Its settings file (loaded inside the
 * Node-RED process) answers the bench's samples over IPC: the counter, the process's CPU and RSS.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkChild } from './children.js';
import { DEVICES, GATEWAYS, gatewayId, POLL_MS, REGISTERS, UNITS } from './plant.js';

interface Figure {
  name: string;
  value: number;
  unit: string;
}

export interface PeerSide {
  cpuSeconds: number;
  windowMs: number;
  rssMaxBytes: number;
  registers: number;
  simulatorRequests: number;
}

export interface PeerResult {
  figures: Figure[];
  side?: PeerSide;
  /** Why the peer was skipped, or what to know about its run. */
  note?: string;
}

interface Sample {
  type: 'sample';
  messages: number;
  registers: number;
  cpuMicros: number;
  rssBytes: number;
  heapUsedBytes: number;
  at: number;
}

export const PEER_DIR = join(dirname(fileURLToPath(import.meta.url)), '../peer');
const RED_JS = join(PEER_DIR, 'node_modules/node-red/red.js');
const VERSIONS = { 'node-red': /^4\.1\./, 'node-red-contrib-modbus': /^5\.23\.3$/ };
const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

function installedVersion(pkg: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(join(PEER_DIR, 'node_modules', pkg, 'package.json'), 'utf8'));
    return json.version as string;
  } catch {
    return undefined;
  }
}

const versionsOk = () =>
  Object.entries(VERSIONS).every(([pkg, wanted]) => wanted.test(installedVersion(pkg) ?? ''));

/** Installs the peer into bench/peer/node_modules if missing; the reason when it cannot. */
async function ensureInstalled(): Promise<string | undefined> {
  if (existsSync(RED_JS) && versionsOk()) return undefined;
  console.log('large-plant: installing the peer (node-red, node-red-contrib-modbus) into bench/peer …');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const failure = await new Promise<string | undefined>((resolve) => {
    execFile(
      npm,
      ['install', '--no-audit', '--no-fund', '--omit=dev'],
      { cwd: PEER_DIR, timeout: 5 * 60_000, maxBuffer: 16 * MB },
      (err, _stdout, stderr) => resolve(err ? `${err.message}\n${stderr.slice(-2000)}` : undefined),
    );
  });
  if (failure) return `npm install in bench/peer failed: ${failure}`;
  if (!existsSync(RED_JS) || !versionsOk())
    return `bench/peer: expected node-red 4.1.x and node-red-contrib-modbus 5.23.3, found ${installedVersion('node-red')} and ${installedVersion('node-red-contrib-modbus')}`;
  return undefined;
}

/**
 * Client config nodes: one per gateway (the default, the leaner and correct flow) or, with
 * BENCH_PEER_CLIENTS=device, one per device (1,000 TCP connections: how flows are often built,
 * a client per meter, and closer to the figures the issue quotes).
 */
export type PeerClients = 'gateway' | 'device';

/** The flow: client nodes, one read node per device, one counting function node. */
export function peerFlow(ports: readonly number[], per: PeerClients = 'gateway'): object[] {
  const tab = { id: 'bench-tab', type: 'tab', label: 'large plant', disabled: false, info: '' };
  const counter = {
    id: 'bench-count',
    type: 'function',
    z: tab.id,
    name: 'count',
    func: "const c = global.get('benchCounter');\nc.messages++;\nc.registers += msg.payload.length;\nreturn null;",
    outputs: 0,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    x: 600,
    y: 40,
    wires: [],
  };
  const clientId = (g: number, unit: number) =>
    per === 'gateway' ? `client-${gatewayId(g)}` : `client-${gatewayId(g)}-${unit}`;
  const clientFor = (port: number, g: number, unit: number) => ({
    id: clientId(g, unit),
    type: 'modbus-client',
    name: per === 'gateway' ? gatewayId(g) : `${gatewayId(g)}/${unit}`,
    clienttype: 'tcp',
    bufferCommands: true,
    stateLogEnabled: false,
    queueLogEnabled: false,
    failureLogEnabled: true,
    tcpHost: '127.0.0.1',
    tcpPort: String(port),
    tcpType: 'DEFAULT',
    serialPort: '/dev/ttyUSB',
    serialType: 'RTU-BUFFERD',
    serialBaudrate: '9600',
    serialDatabits: '8',
    serialStopbits: '1',
    serialParity: 'none',
    serialConnectionDelay: '100',
    serialAsciiResponseStartDelimiter: '0x3A',
    unit_id: String(unit),
    commandDelay: '1',
    clientTimeout: '1000',
    reconnectOnTimeout: true,
    reconnectTimeout: '2000',
    parallelUnitIdsAllowed: true,
  });
  const clients = ports.flatMap((port, g) =>
    per === 'gateway'
      ? [clientFor(port, g, 1)]
      : Array.from({ length: UNITS }, (_, u) => clientFor(port, g, u + 1)),
  );
  const reads = ports.flatMap((_, g) =>
    Array.from({ length: UNITS }, (_, u) => ({
      id: `read-${g}-${u + 1}`,
      type: 'modbus-read',
      z: tab.id,
      name: `m${g}u${u + 1}`,
      topic: '',
      showStatusActivities: false,
      logIOActivities: false,
      showErrors: false,
      unitid: String(u + 1),
      dataType: 'HoldingRegister',
      adr: '0',
      quantity: String(REGISTERS),
      rate: String(POLL_MS / 1000),
      rateUnit: 's',
      delayOnStart: false,
      startDelayTime: '',
      server: clientId(g, u + 1),
      useIOFile: false,
      ioFile: '',
      useIOForPayload: false,
      emptyMsgOnFail: false,
      x: 200,
      y: 40 + (g * UNITS + u) * 40,
      wires: [[counter.id], []],
    })),
  );
  return [tab, counter, ...clients, ...reads];
}

/** Node-RED's settings: headless, quiet, no file context; the IPC sampler for the bench. */
const SETTINGS = `// Generated by bench/large-plant/peer.ts
const counter = { messages: 0, registers: 0 };
process.on('message', (m) => {
  if (m && m.type === 'sample') {
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    process.send({ type: 'sample', messages: counter.messages, registers: counter.registers,
      cpuMicros: cpu.user + cpu.system, rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, at: Date.now() });
  } else if (m && m.type === 'stop') {
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
module.exports = {
  flowFile: 'flows.json',
  credentialSecret: false,
  flowFilePretty: false,
  httpAdminRoot: false,
  httpNodeRoot: false,
  disableEditor: true,
  functionGlobalContext: { benchCounter: counter },
  functionExternalModules: false,
  externalModules: { autoInstall: false, palette: { allowInstall: false } },
  diagnostics: { enabled: false, ui: false },
  runtimeState: { enabled: false, ui: false },
  telemetry: { enabled: false, updateNotification: false },
  logging: { console: { level: 'warn', metrics: false, audit: false } },
};
`;

export async function peerFigures(
  ports: readonly number[],
  simulators: { count(): Promise<{ requests: number; cpuMicros: number }> },
  timing: { warmupMs: number; windowMs: number },
  per: PeerClients = 'gateway',
): Promise<PeerResult> {
  const failure = await ensureInstalled();
  if (failure) {
    console.log(`large-plant: peer skipped. ${failure}`);
    return { figures: [], note: `skipped: ${failure.split('\n')[0]}` };
  }
  const userDir = mkdtempSync(join(tmpdir(), 'plantwatch-peer-'));
  writeFileSync(join(userDir, 'settings.js'), SETTINGS);
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(peerFlow(ports, per)));
  const red = forkChild(
    'node-red',
    RED_JS,
    ['--settings', join(userDir, 'settings.js'), '--userDir', userDir],
    {
      cwd: userDir,
      execArgv: [],
    },
  );
  const sample = () => red.ask<Sample>('sample', { type: 'sample' }, 10_000);
  try {
    // Started when the counter moves at about the full rate.
    const startBy = Date.now() + 120_000;
    let previous = await sample();
    for (;;) {
      await sleep(1000);
      const s = await sample();
      if (s.messages - previous.messages >= DEVICES * 0.9) break;
      previous = s;
      if (Date.now() > startBy)
        throw new Error(`Node-RED did not reach the poll rate within 2 min\n${red.stderr().join('\n')}`);
    }
    await sleep(timing.warmupMs);
    const simBefore = await simulators.count();
    const first = await sample();
    let rssMax = first.rssBytes;
    const windowEnd = first.at + timing.windowMs;
    for (let now = Date.now(); now < windowEnd - 1000; now = Date.now()) {
      await sleep(1000);
      rssMax = Math.max(rssMax, (await sample()).rssBytes);
    }
    await sleep(Math.max(0, windowEnd - Date.now()));
    const last = await sample();
    const simAfter = await simulators.count();
    rssMax = Math.max(rssMax, last.rssBytes);
    const side: PeerSide = {
      cpuSeconds: (last.cpuMicros - first.cpuMicros) / 1e6,
      windowMs: last.at - first.at,
      rssMaxBytes: rssMax,
      registers: last.registers - first.registers,
      simulatorRequests: simAfter.requests - simBefore.requests,
    };
    const seconds = side.windowMs / 1000;
    const messages = last.messages - first.messages;
    const cycles = seconds / (POLL_MS / 1000);
    const versions = `node-red ${installedVersion('node-red')}, node-red-contrib-modbus ${installedVersion('node-red-contrib-modbus')}`;
    const warnings = red.stderr();
    return {
      side,
      note: `${versions}; ${per === 'gateway' ? GATEWAYS : DEVICES} modbus-client, ${DEVICES} modbus-read, 1 function node${warnings.length ? `; last log lines:\n  ${warnings.slice(-5).join('\n  ')}` : ''}`,
      figures: [
        { name: 'peer: Node-RED CPU', value: round(side.cpuSeconds / seconds, 3), unit: 'cores' },
        {
          name: 'peer: Node-RED CPU per minute',
          value: round((side.cpuSeconds / seconds) * 60, 1),
          unit: 'core-s/min',
        },
        { name: 'peer: Node-RED RSS, max', value: round(side.rssMaxBytes / MB), unit: 'MB' },
        { name: 'peer: Node-RED heap used, end', value: round(last.heapUsedBytes / MB), unit: 'MB' },
        { name: 'peer: messages counted in window', value: messages, unit: 'messages' },
        {
          name: 'peer: messages per device per cycle',
          value: round(messages / DEVICES / cycles, 3),
          unit: '',
        },
        {
          name: 'peer: requests per cycle (simulator side)',
          value: round(side.simulatorRequests / cycles, 1),
          unit: 'req',
        },
        { name: 'peer: registers read in window', value: side.registers, unit: 'registers' },
        {
          name: 'peer: CPU per million registers',
          value: round(side.cpuSeconds / (side.registers / 1e6), 2),
          unit: 'CPU-s',
        },
      ],
    };
  } finally {
    await red.stop(10_000);
    rmSync(userDir, { recursive: true, force: true });
  }
}

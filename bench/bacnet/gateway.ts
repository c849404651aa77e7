/**
 * The gateway child of `bacnet.bench.ts`: Plantwatch's BACnet (`startBacnet`) or Modbus
 * (`startModbus`) acquisition on one of the bench's plants, onto a PointBus with one counting
 * consumer, alone in its process (run compiled, as in production) so that its CPU and RSS are
 * its own. Driven over IPC:
 *   argv[2]: JSON { mode, gatewayPort?, devices?, ports? }
 *   → { type: 'ready' }                 (every device has delivered good values)
 *   ← { type: 'window-start' }          (counters and CPU from now)
 *   ← { type: 'window-end' }  → { type: 'result', … }  (once the window's last polls are in)
 *   ← { type: 'stop' }                  (stops acquisition, exits)
 */
import { pino } from 'pino';
import { startBacnet } from '../../src/acquisition/bacnet/index.js';
import { startModbus } from '../../src/acquisition/modbus/index.js';
import { PointBus } from '../../src/points/index.js';
import { bacnetPlant, type Mode, modbusPlant, POLL_MS } from './plant.js';

export interface GatewayResult {
  type: 'result';
  windowMs: number;
  cpuUserMicros: number;
  cpuSystemMicros: number;
  rssMaxBytes: number;
  /** Values on the bus read inside the window, and those not good. */
  points: number;
  notGood: number;
  /** Requests the gateway sent in the window, and those that timed out. */
  requests: number;
  timeouts: number;
}

const { mode, gatewayPort, devices, ports } = JSON.parse(process.argv[2] ?? '{}') as {
  mode: Mode;
  gatewayPort?: number;
  devices?: { instance: number; port: number }[];
  ports?: number[];
};
const log = pino({ level: 'warn' }, pino.destination(2));
const bus = new PointBus(log);
const config = mode === 'modbus' ? modbusPlant(ports ?? []) : bacnetPlant(gatewayPort ?? 0, devices ?? []);
const expected = config.devices.length;

/** Requests sent and timed out so far, from the service's own counters. */
let counters: () => { requests: number; timeouts: number };
let stop: () => Promise<void>;
if (mode === 'modbus') {
  const modbus = startModbus({ config, bus, log });
  counters = () => {
    const lines = modbus.lines();
    return {
      requests: lines.reduce((s, l) => s + l.requests, 0),
      timeouts: lines.reduce((s, l) => s + l.timeouts, 0),
    };
  };
  stop = () => modbus.stop();
} else {
  const bacnet = await startBacnet({ config, bus, log });
  counters = () => {
    const ports = bacnet.stats().ports;
    return {
      requests: ports.reduce((s, p) => s + p.requests.readProperty + p.requests.readPropertyMultiple, 0),
      timeouts: ports.reduce((s, p) => s + p.timeouts, 0),
    };
  };
  stop = () => bacnet.stop();
}

// ------------------------------------------------------------- the counting consumer
let windowStart = Number.POSITIVE_INFINITY;
let windowEnd = Number.POSITIVE_INFINITY;
let points = 0;
let notGood = 0;
/** Devices (by their batch's first point id) that have delivered good values: ready when all have. */
const answered = new Set<string>();
let ready = false;

bus.subscribe((values) => {
  for (const v of values) {
    if (v.ts >= windowStart && v.ts < windowEnd) {
      points++;
      if (v.quality !== 'good') notGood++;
    }
  }
  if (!ready) {
    const first = values[0];
    if (first?.quality === 'good') answered.add(first.id.slice(0, first.id.indexOf('.')));
    if (answered.size >= expected) {
      ready = true;
      process.send?.({ type: 'ready' });
    }
  }
});

// ------------------------------------------------------------- measurement
let cpuAtStart = process.cpuUsage();
let countersAtStart = counters();
let rssMax = 0;
let rssTimer: NodeJS.Timeout | undefined;
const sampleRss = () => {
  rssMax = Math.max(rssMax, process.memoryUsage.rss());
};

process.on('message', (message: { type: string }) => {
  if (message.type === 'window-start') {
    windowStart = Date.now();
    cpuAtStart = process.cpuUsage();
    countersAtStart = counters();
    rssMax = 0;
    sampleRss();
    rssTimer = setInterval(sampleRss, 1000);
  } else if (message.type === 'window-end') {
    windowEnd = Date.now();
    const cpu = process.cpuUsage(cpuAtStart);
    const end = counters();
    sampleRss();
    clearInterval(rssTimer);
    // The window's last polls answer up to a period (and a round trip) after it ends.
    setTimeout(() => {
      const result: GatewayResult = {
        type: 'result',
        windowMs: windowEnd - windowStart,
        cpuUserMicros: cpu.user,
        cpuSystemMicros: cpu.system,
        rssMaxBytes: rssMax,
        points,
        notGood,
        requests: end.requests - countersAtStart.requests,
        timeouts: end.timeouts - countersAtStart.timeouts,
      };
      process.send?.(result);
    }, POLL_MS + 1000);
  } else if (message.type === 'stop') {
    void stop().finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

/**
 * Alarms and notifications (issue 5):
 *
 * 1. Evaluation throughput: a plant built in code (2,000 power meters in rooms of five, 40
 *    chillers, 80 pumps) with the demo's rules for those profiles, fed through the real
 *    PointBus → PointTable → startAlarms (journal in a temp dir, on disk) one batch per device
 *    read, as acquisition publishes them. Two value patterns: quiet (values move, nothing
 *    crosses a limit: pure evaluation) and crossing (≈1 % of values cross a limit, each crossing
 *    one journaled transition). Plus the cost of a tick and of the views /metrics and the API read.
 * 2. Fault → notification latency: the simulated plant and the gateway in-process from a copy
 *    of the demo config, webhooks pointed at a node:http receiver and e-mail at an smtp-server
 *    here; chiller trips injected one after another (alternating ch1/ch2), each acknowledged
 *    through the AlarmService and cleared before the next.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { parseDocument } from 'yaml';
import { simulatorMqttLogin, startPlantSimulator } from '../simulators/index.js';
import { AlarmEngine } from '../src/alarms/engine.js';
import { type AlarmEvent, expandRules, startAlarms } from '../src/alarms/index.js';
import { AlarmJournal } from '../src/alarms/journal.js';
import type { AlarmRuleConfig } from '../src/config/alarms-schema.js';
import { loadConfig, type PlantConfig } from '../src/config/index.js';
import type { DeviceConfig } from '../src/config/schema.js';
import { startGateway } from '../src/gateway/index.js';
import { silentLogger } from '../src/log/index.js';
import { buildCatalog, PointBus, type PointInfo, PointTable, type PointValue } from '../src/points/index.js';
import { demoConfigCopy } from '../test/helpers/demo-config.js';
import type { Figure } from './figure.js';

const here = dirname(fileURLToPath(import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
/** Nearest-rank percentile. */
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? 0;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

// ====================================================================== 1. throughput

const ROOMS = 400; // × 5 meters = 2,000 power meters
const CHILLERS = 40;
const PUMPS = 80;
/** Simulated time per round: the fast poll period of every profile here. */
const ROUND_MS = 2000;
/** In the crossing pattern a device changes side of its limit every PERIOD reads (≈1 % of values). */
const PERIOD = 8;
const RUNS = 3;

interface BigPlant {
  config: Pick<PlantConfig, 'alarms' | 'devices' | 'profiles' | 'sites'>;
  catalog: PointInfo[];
  devices: DeviceConfig[];
}

/** Without on/off delays: every crossing is a transition, so the journal's cost is what is measured. */
function undelayed(rule: AlarmRuleConfig): AlarmRuleConfig {
  const { onDelay: _on, offDelay: _off, ...rest } = rule;
  return rest as AlarmRuleConfig;
}

function bigPlant(): BigPlant {
  const demo = loadConfig(join(here, '..', 'config'));
  const template = (profile: string): DeviceConfig => {
    const found = demo.devices.find((d) => d.profile === profile && !d.critical);
    if (!found) throw new Error(`the demo config has no ${profile}`);
    return found;
  };
  const meter = template('power-meter');
  const chiller = template('chiller');
  const pump = template('vsd-pump');
  const devices: DeviceConfig[] = [];
  const clone = (from: DeviceConfig, id: string, room: string, critical = false): DeviceConfig => ({
    ...from,
    id,
    name: id.toUpperCase(),
    building: 'bench',
    room,
    critical,
  });
  for (let r = 0; r < ROOMS; r++) {
    devices.push(clone(meter, `r${r}-inc`, `r${r}`, true));
    for (let f = 1; f <= 4; f++) devices.push(clone(meter, `r${r}-f${f}`, `r${r}`));
  }
  for (let c = 0; c < CHILLERS; c++) devices.push(clone(chiller, `ch${c}`, 'chillers'));
  for (let p = 0; p < PUMPS; p++) devices.push(clone(pump, `pu${p}`, 'pumps'));

  // The demo's rules for these profiles as they are; those naming demo devices, repeated per room/pair.
  const profiles = new Set(['power-meter', 'chiller', 'vsd-pump']);
  const rules: AlarmRuleConfig[] = [];
  for (const rule of demo.alarms.rules) {
    if (rule.profile && profiles.has(rule.profile)) rules.push(undelayed(rule));
    else if (rule.id === 'incomer-breaker-open') {
      const { devices: _named, ...rest } = rule;
      rules.push(
        undelayed({ ...rest, profile: 'power-meter', where: { critical: true } } as AlarmRuleConfig),
      );
    } else if (rule.id === 'metering-mismatch' && rule.type === 'expression') {
      for (let r = 0; r < ROOMS; r++)
        rules.push(
          undelayed({
            ...rule,
            id: `metering-mismatch-r${r}`,
            inputs: Object.fromEntries(
              ['inc', 'f1', 'f2', 'f3', 'f4'].map((k) => [k, `r${r}-${k}.power_kw`] as const),
            ),
          }),
        );
    } else if (rule.id === 'all-chw-pumps-stopped' && rule.type === 'expression') {
      for (let p = 0; p < PUMPS; p += 2)
        rules.push(
          undelayed({
            ...rule,
            id: `all-chw-pumps-stopped-${p / 2}`,
            inputs: { p1: `pu${p}.running`, p2: `pu${p + 1}.running` },
          }),
        );
    }
  }
  const config = { ...demo, devices, alarms: { ...demo.alarms, rules } };
  return { config, catalog: buildCatalog({ ...demo, devices }), devices };
}

/** One round of reads: a batch per device (its fast poll group), plus the slow group every 30 rounds. */
function roundBatches(
  plant: BigPlant,
  ids: Map<string, string[]>,
  round: number,
  ts: number,
  crossing: boolean,
): { batches: PointValue[][]; crossings: number } {
  const batches: PointValue[][] = [];
  let crossings = 0;
  const slow = round % 30 === 1;
  plant.devices.forEach((device, d) => {
    // The side of its limit the device is on this round, and whether it just changed side.
    const inAlarm = crossing && Math.floor((round + d) / PERIOD) % 2 === 1;
    const changed = crossing && round > 0 && (round + d) % PERIOD === 0;
    const noise = ((round * 7919 + d * 104_729) % 1000) / 1000 - 0.5; // deterministic, −0.5..0.5
    const values = deviceValues(device, d, inAlarm, noise);
    const fast: PointValue[] = [];
    const slowBatch: PointValue[] = [];
    for (const id of ids.get(device.id) ?? []) {
      const name = id.slice(device.id.length + 1);
      const value = values[name] ?? 0;
      const point: PointValue = { id, value, quality: 'good', ts };
      if (name === 'energy_kwh' || name === 'run_hours') slowBatch.push(point);
      else fast.push(point);
    }
    batches.push(fast);
    if (slow) batches.push(slowBatch);
    if (changed) crossings += device.profile === 'chiller' ? 2 : 1;
  });
  return { batches, crossings };
}

function deviceValues(
  device: DeviceConfig,
  d: number,
  inAlarm: boolean,
  noise: number,
): Record<string, number | boolean> {
  if (device.profile === 'power-meter') {
    // Incomers carry their four feeders (≈ 4 × 100 kW) so the room's metering-mismatch rule holds.
    const kw = device.critical ? 400 + noise : 100 + noise / 4;
    const which = device.critical ? 'breaker' : d % 2 === 0 ? 'pf' : 'voltage';
    return {
      voltage_l1: 230 + noise * 4,
      voltage_l2: inAlarm && which === 'voltage' ? 262 : 231 + noise * 4,
      voltage_l3: 229 + noise * 4,
      current_l1: kw * 1.5,
      current_l2: kw * 1.5,
      current_l3: kw * 1.5,
      power_kw: kw,
      reactive_kvar: kw * 0.4,
      power_factor: inAlarm && which === 'pf' ? 0.8 : 0.93 + noise / 50,
      frequency_hz: 50 + noise / 10,
      max_demand_kw: kw * 1.2,
      energy_kwh: 1_000_000 + d,
      breaker_closed: !(inAlarm && which === 'breaker'),
    };
  }
  if (device.profile === 'chiller')
    return {
      chw_supply_temp: 7 + noise,
      chw_return_temp: 12 + noise,
      cw_inlet_temp: 30 + noise,
      cw_outlet_temp: 35 + noise,
      load_pct: 60 + noise * 10,
      power_kw: 250 + noise * 10,
      running: !inAlarm,
      tripped: inAlarm,
      fault_code: inAlarm ? 207 : 0,
      run_hours: 12_000 + d,
    };
  return {
    running: true,
    fault: inAlarm,
    speed_hz: 45 + noise,
    current_a: 80 + noise,
    power_kw: 30 + noise,
    flow_m3h: 300 + noise * 10,
    outlet_pressure_bar: 4 + noise / 10,
    run_hours: 8000 + d,
  };
}

interface RunResult {
  points: number;
  seconds: number;
  transitions: number;
  crossings: number;
}

function evaluationRun(plant: BigPlant, dir: string, name: string, rounds: number, crossing: boolean) {
  let clock = Date.parse('2026-11-25T02:00:00Z');
  const bus = new PointBus();
  const table = new PointTable(plant.catalog);
  bus.subscribe((values) => table.update(values));
  const alarms = startAlarms({
    config: plant.config,
    bus,
    read: (id) => table.get(id),
    log: silentLogger(),
    journalPath: join(dir, `${name}.db`),
    // Simulated time, a poll period per round: chatter windows and comm-loss see a real plant's pace.
    now: () => clock,
  });
  const ids = new Map<string, string[]>();
  for (const info of plant.catalog) ids.set(info.device, [...(ids.get(info.device) ?? []), info.id]);
  try {
    // Round 0 untimed: every alarm gets its first values (the plant as it is at start-up).
    for (const batch of roundBatches(plant, ids, 0, clock, crossing).batches) bus.publish(batch);
    const eventsBefore = alarms.stats().events;
    const result: RunResult = { points: 0, seconds: 0, transitions: 0, crossings: 0 };
    for (let r = 1; r <= rounds; r++) {
      clock += ROUND_MS;
      const { batches, crossings } = roundBatches(plant, ids, r, clock, crossing);
      const started = performance.now();
      for (const batch of batches) bus.publish(batch);
      result.seconds += (performance.now() - started) / 1000;
      for (const batch of batches) result.points += batch.length;
      result.crossings += crossings;
    }
    result.transitions = alarms.stats().events - eventsBefore;
    return { result, alarms };
  } catch (err) {
    void alarms.stop();
    throw err;
  }
}

async function throughputFigures(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-bench-alarms-'));
  try {
    const plant = bigPlant();
    // Untimed: the JIT sees both paths before anything is measured.
    const warm = evaluationRun(plant, dir, 'warm-up', 6, true);
    const alarmCount = warm.alarms.stats().alarms;
    await warm.alarms.stop();

    const quiet: RunResult[] = [];
    const crossing: RunResult[] = [];
    const statsMs: number[] = [];
    const listMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const q = evaluationRun(plant, dir, `quiet-${run}`, 25, false);
      quiet.push(q.result);
      await q.alarms.stop();
      const c = evaluationRun(plant, dir, `crossing-${run}`, PERIOD, true);
      crossing.push(c.result);
      // The views over every alarm, some of them active: /metrics calls stats(), the API list().
      let t = performance.now();
      c.alarms.stats();
      statsMs.push(performance.now() - t);
      t = performance.now();
      c.alarms.list({ includeNormal: true });
      listMs.push(performance.now() - t);
      await c.alarms.stop();
    }
    const rate = (rs: RunResult[]) => median(rs.map((r) => r.points / r.seconds));
    const crossingRuns = crossing.map((r) => ({
      pps: r.points / r.seconds,
      tps: r.transitions / r.seconds,
      share: r.crossings / r.points,
      perTransitionUs: ((r.seconds - r.points / rate(quiet)) / r.transitions) * 1e6,
    }));
    const quietTransitions = Math.max(...quiet.map((r) => r.transitions));

    return [
      {
        name: `alarms on the bench plant (${plant.devices.length} devices)`,
        value: alarmCount,
        unit: 'alarms',
      },
      { name: 'evaluation, quiet values (no transition)', value: Math.round(rate(quiet)), unit: 'points/s' },
      { name: 'transitions in the quiet runs (expected 0)', value: quietTransitions, unit: 'events' },
      {
        name: 'evaluation, ≈1 % of values crossing a limit',
        value: Math.round(median(crossingRuns.map((c) => c.pps))),
        unit: 'points/s',
      },
      {
        name: 'share of values crossing, crossing runs',
        value: round(median(crossingRuns.map((c) => c.share)) * 100, 2),
        unit: '%',
      },
      {
        name: 'transitions journaled, crossing runs',
        value: Math.round(median(crossingRuns.map((c) => c.tps))),
        unit: 'transitions/s',
      },
      {
        name: 'cost of one transition (over quiet evaluation)',
        value: Math.round(median(crossingRuns.map((c) => c.perTransitionUs))),
        unit: 'µs',
      },
      {
        name: 'crossing ÷ quiet',
        value: round(median(crossingRuns.map((c) => c.pps)) / rate(quiet), 2),
        unit: '×',
      },
      ...tickFigures(plant, dir),
      { name: `alarms.stats() (each /metrics scrape)`, value: round(median(statsMs), 1), unit: 'ms' },
      {
        name: `alarms.list({includeNormal}) (GET /api/alarms?all)`,
        value: round(median(listMs), 1),
        unit: 'ms',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One engine tick (every settings.tick, 1 s): delays, comm-loss, shelving, chatter over every alarm. */
function tickFigures(plant: BigPlant, dir: string): Figure[] {
  const settings = plant.config.alarms.settings;
  const { alarms } = expandRules(plant.config, plant.config.alarms.rules, { timezone: settings.timezone });
  const journal = new AlarmJournal(join(dir, 'tick.db'));
  let clock = Date.parse('2026-11-25T02:00:00Z');
  const table = new PointTable(plant.catalog);
  const engine = new AlarmEngine({
    alarms,
    journal,
    read: (id) => table.get(id),
    log: silentLogger(),
    chatter: settings.chatter,
    maxShelveMs: settings.maxShelve,
    minuteOfDay: () => 0,
    now: () => clock,
  });
  const ms: number[] = [];
  for (let i = 0; i < 20; i++) {
    clock += 1000;
    const t = performance.now();
    engine.tick();
    ms.push(performance.now() - t);
  }
  journal.close();
  return [{ name: `one tick over every alarm (${alarms.length})`, value: round(median(ms), 2), unit: 'ms' }];
}

// ====================================================================== 2. latency

const SAMPLES = 32;

interface Received {
  alarmId: string;
  critical: boolean;
  at: number;
}

/** Waits for the first thing matching `test` that arrives after the wait starts. */
class Arrivals<T> {
  private readonly waiters = new Set<{ test: (t: T) => boolean; resolve: (t: T) => void }>();
  push(item: T): void {
    for (const w of this.waiters)
      if (w.test(item)) {
        this.waiters.delete(w);
        w.resolve(item);
      }
  }
  next(what: string, test: (t: T) => boolean, timeoutMs = 15_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const waiter = {
        test,
        resolve: (t: T) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      this.waiters.add(waiter);
    });
  }
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function editYaml(file: string, edit: (doc: ReturnType<typeof parseDocument>) => void): void {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  edit(doc);
  writeFileSync(file, doc.toString());
}

async function latencyFigures(): Promise<Figure[]> {
  const hooks = new Arrivals<Received>();
  const mails = new Arrivals<Received>();
  const events = new Arrivals<AlarmEvent>();

  // A WeCom-style robot: answers {"errcode":0}; the alarm is in the text's "Alarm: <id>" line.
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: { content?: string } };
      const content = body.text?.content ?? '';
      res.setHeader('content-type', 'application/json');
      res.end('{"errcode":0,"errmsg":"ok"}');
      const alarmId = /^Alarm: (\S+)$/m.exec(content)?.[1];
      if (alarmId) hooks.push({ alarmId, critical: content.startsWith('[CRITICAL]'), at });
    });
  });
  const httpPort = await listen(http);

  const smtp = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: nodemailer would otherwise upgrade to TLS with smtp-server's self-signed certificate.
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Note: smtp-server holds its greeting ≈100 ms (early-talker check) on every connection, and
    // the e-mail channel opens one connection per message: that delay is in the e-mail figure.
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const at = Date.now();
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
        const alarmId = /^X-Plantwatch-Alarm: (\S+)$/im.exec(head)?.[1];
        const subject = /^Subject: (.*)$/im.exec(head)?.[1] ?? '';
        if (alarmId) mails.push({ alarmId, critical: subject.includes('[CRITICAL]'), at });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const demo = await demoConfigCopy();
  try {
    editYaml(join(demo.dir, 'notify.yaml'), (doc) => {
      doc.setIn(['channels', 'email', 'host'], '127.0.0.1');
      doc.setIn(['channels', 'email', 'port'], smtpPort);
      const webhooks = doc.getIn(['channels', 'webhooks']) as {
        items: { get(k: string): unknown; set(k: string, v: unknown): void }[];
      };
      for (const hook of webhooks.items)
        hook.set('url', `http://127.0.0.1:${httpPort}/hook/${hook.get('id')}`);
      // 40 trips in a few minutes are a flood to the dispatcher: it would send summaries every 30 s instead.
      doc.setIn(['flood', 'count'], 100_000);
    });
    editYaml(join(demo.dir, 'alarms.yaml'), (doc) => {
      // A trip every few seconds is chattering (3 a minute): its repeats would not be announced.
      doc.setIn(['settings', 'chatter', 'count'], 100_000);
    });
    editYaml(join(demo.dir, 'simulation.yaml'), (doc) => {
      // This bench's own receivers catch the mail; the simulator's demo inbox is not needed.
      if (doc.hasIn(['inbox'])) doc.setIn(['inbox', 'enabled'], false);
    });
    const config = loadConfig(demo.dir);
    const gateway = await startGateway({ config, log: silentLogger() });
    const simulator = await startPlantSimulator(config, {
      log: silentLogger(),
      mqtt: simulatorMqttLogin(config, gateway.mqtt.brokerUrl),
    });
    const unsubscribe = gateway.alarms.subscribe((e) => events.push(e));
    try {
      const good = (id: string) => gateway.table.get(id)?.quality === 'good';
      for (let i = 0; !(good('ch1.tripped') && good('ch2.tripped')); i++) {
        if (i > 150) throw new Error('the chillers never read good');
        await sleep(100);
      }
      const detection: number[] = [];
      const webhook: number[] = [];
      const endToEnd: number[] = [];
      const email: number[] = [];
      const watched = new Set(['water-ac-group', 'email']);
      for (let i = 0; i < SAMPLES; i++) {
        const device = i % 2 === 0 ? 'ch1' : 'ch2';
        const alarmId = `chiller-trip@${device}`;
        // A random phase against the 2 s poll, or every trip would land at the same point of it.
        await sleep(randomInt(0, 2000));
        const activated = events.next(
          `${alarmId} activated`,
          (e) => e.alarmId === alarmId && e.kind === 'activated',
        );
        const hooked = hooks.next(`webhook for ${alarmId}`, (h) => h.alarmId === alarmId && h.critical);
        const mailed = mails.next(`e-mail for ${alarmId}`, (m) => m.alarmId === alarmId && m.critical);
        const injectedAt = Date.now();
        simulator.faults.inject(device, { type: 'trip' });
        const event = await activated;
        const [hook, mail] = await Promise.all([hooked, mailed]);
        detection.push(event.ts - injectedAt);
        webhook.push(hook.at - event.ts);
        endToEnd.push(hook.at - injectedAt);
        email.push(mail.at - event.ts);

        // Acknowledged, then cleared: the alarm goes back to normal and the next trip is a fresh activation.
        for (const id of [alarmId, `chiller-fault-code@${device}`]) {
          if (gateway.alarms.get(id)?.state === 'active-unacknowledged')
            gateway.alarms.acknowledge(id, 'bench');
        }
        const normal = events.next(`${alarmId} normal`, (e) => e.alarmId === alarmId && e.to === 'normal');
        simulator.faults.clear(device, 'trip');
        await normal;
        // Nothing of this trip still queued (ack and clear messages) when the next one comes.
        for (let w = 0; ; w++) {
          const busy = gateway.notifier
            .stats()
            .deliveries.some((d) => watched.has(d.channel) && d.queued > 0);
          if (!busy) break;
          if (w > 500) throw new Error('notification queues never drained');
          await sleep(10);
        }
      }
      return [
        { name: `samples (trips, ch1/ch2 alternately)`, value: SAMPLES, unit: 'trips' },
        { name: 'trip → detection (alarm event ts), p50', value: percentile(detection, 50), unit: 'ms' },
        { name: 'trip → detection, p99', value: percentile(detection, 99), unit: 'ms' },
        { name: 'detection → webhook received, first trip after start', value: webhook[0] ?? 0, unit: 'ms' },
        { name: 'detection → webhook received, p50', value: percentile(webhook, 50), unit: 'ms' },
        {
          name: 'detection → webhook received, p99 (target ≤ 1000)',
          value: percentile(webhook, 99),
          unit: 'ms',
        },
        { name: 'trip → webhook received (end to end), p50', value: percentile(endToEnd, 50), unit: 'ms' },
        { name: 'trip → webhook received (end to end), p99', value: percentile(endToEnd, 99), unit: 'ms' },
        { name: 'detection → e-mail received (smtp-server), p50', value: percentile(email, 50), unit: 'ms' },
        { name: 'detection → e-mail received (smtp-server), p99', value: percentile(email, 99), unit: 'ms' },
      ];
    } finally {
      unsubscribe();
      await simulator.stop();
      await gateway.stop();
    }
  } finally {
    demo.cleanup();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  }
}

export async function run(): Promise<Figure[]> {
  return [...(await throughputFigures()), ...(await latencyFigures())];
}

// `npx tsx bench/alarms.bench.ts` runs this bench alone (run.ts runs them all).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const figure of await run())
    console.log(
      `${'alarms.bench.ts'.padEnd(22)} ${figure.name.padEnd(50)} ${figure.value.toLocaleString('en-US').padStart(14)} ${figure.unit}`,
    );
}

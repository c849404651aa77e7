/**
 * A flapping device, end to end: the DR1 incomer meter, one unit behind the DR1 Modbus TCP
 * gateway, goes offline for ~3 s and back for ~3 s, several times, then stays away long
 * enough for its comm-loss alarm, then comes back. The gateway (the demo config, in this
 * process) must re-probe it within the line's configured backoff, raise the comm-loss alarm
 * only when the silence reaches the rule's `after` and clear it on the first good reading,
 * keep the four feeder meters on the same gateway good and at their poll rate, store every
 * value it published, and neither crash nor leave a promise rejection unhandled.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { AlarmEvent } from '../../src/alarms/index.js';
import { missingFromStore, recordArrivals, storedSampleKeys, useDemoPlant } from '../helpers/reliability.js';
import { sleep, until } from '../helpers/wait.js';

const DEVICE = 'dr1-incomer';
const NEIGHBOURS = ['dr1-f1', 'dr1-f2', 'dr1-f3', 'dr1-f4'];
const RULE = 'critical-comm-loss';
const ALARM = `${RULE}@${DEVICE}`;
/** Longer than any flap's silence (≤ 3 s offline + a poll period either side + a backoff), short enough to wait for. */
const COMM_LOSS_AFTER = '12s';
const FLAPS = 3;
const FLAP_MS = 3000;

const setup = useDemoPlant({ rule: RULE, after: COMM_LOSS_AFTER });

/** What the test needs of the config: the rule's delay, the line's backoff, the poll period. */
function promises() {
  const { config } = setup.plant;
  const rule = config.alarms.rules.find((r) => r.id === RULE);
  if (rule?.type !== 'comm-loss') throw new Error(`${RULE} is not a comm-loss rule`);
  const device = config.devices.find((d) => d.id === DEVICE);
  if (!device || !('modbus' in device)) throw new Error(`${DEVICE} is not a Modbus device`);
  const line = config.lines.find((l) => l.id === device.modbus.line);
  const profile = config.profiles.get(device.profile);
  if (!line || profile?.protocol !== 'modbus') throw new Error(`${DEVICE}: no line or Modbus profile`);
  return {
    afterMs: rule.after,
    tickMs: config.alarms.settings.tick,
    backoffMaxMs: line.backoff.max,
    timeoutMs: line.timeout,
    fastPeriodMs: profile.pollGroups.fast as number,
  };
}

interface Outage {
  offAt: number;
  onAt: number;
}

async function outage(hold: () => Promise<unknown>): Promise<Outage> {
  setup.plant.simulator.faults.inject(DEVICE, { type: 'offline' });
  const offAt = Date.now();
  await hold();
  setup.plant.simulator.faults.clear(DEVICE, 'offline');
  return { offAt, onAt: Date.now() };
}

const alarmState = () => setup.plant.gateway.alarms.get(ALARM)?.state;

it('re-probes a flapping meter within its backoff, alarms as the rule says, and keeps its neighbours', async () => {
  const { gateway } = setup.plant;
  const { afterMs, tickMs, backoffMaxMs, timeoutMs, fastPeriodMs } = promises();
  const recorded = recordArrivals(gateway.bus);
  const events: AlarmEvent[] = [];
  gateway.alarms.subscribe((e) => {
    if (e.alarmId === ALARM) events.push(e);
  });
  const fast = (device: string) => `${device}.power_kw`;
  const latest = (id: string) => gateway.table.get(id);
  await until(
    'the DR1 meters good',
    () => [DEVICE, ...NEIGHBOURS].every((d) => latest(fast(d))?.quality === 'good'),
    20_000,
    100,
  );
  expect(alarmState()).toBe('normal');

  const outages: Outage[] = [];
  for (let i = 0; i < FLAPS; i++) {
    outages.push(await outage(() => sleep(FLAP_MS)));
    await sleep(FLAP_MS);
  }
  const flapsEnd = Date.now();
  // Then away long enough for the rule, and back.
  outages.push(
    await outage(() =>
      until('the comm-loss alarm', () => alarmState() === 'active-unacknowledged', afterMs + 8000, 50),
    ),
  );
  const clearBound = backoffMaxMs + fastPeriodMs + timeoutMs;
  await until('the alarm returned', () => alarmState() === 'returned-unacknowledged', clearBound + 2000, 50);
  await sleep(500);
  recorded.stop();
  const values = recorded.values;

  // Back within the backoff the line promises, plus one poll period: a probe in flight when
  // the meter came back may still fail (the gateway answers 0x0B after half the timeout).
  const goodOfDevice = values.filter((v) => v.id.startsWith(`${DEVICE}.`) && v.quality === 'good');
  const delays = outages.map(({ onAt }) => (goodOfDevice.find((v) => v.at >= onAt)?.at ?? Infinity) - onAt);
  for (const delay of delays) expect(delay).toBeLessThanOrEqual(clearBound);
  // Every outage was seen: the meter's points went comm-error each time.
  for (const { offAt, onAt } of outages) {
    const marked = values.some(
      (v) =>
        v.id.startsWith(`${DEVICE}.`) &&
        v.quality === 'comm-error' &&
        v.at >= offAt &&
        v.at <= onAt + timeoutMs,
    );
    expect(marked, `comm-error during the outage at ${new Date(offAt).toISOString()}`).toBe(true);
  }

  // The alarm as the rule's delay says: each outage's silence is from the last good reading
  // before it to the first after it; raised if and only if that silence reached `after`.
  const activations = events.filter((e) => e.kind === 'activated');
  const returns = events.filter((e) => e.kind === 'returned');
  const silences = outages.map(({ offAt, onAt }) => {
    const before = goodOfDevice.filter((v) => v.at <= offAt).at(-1)?.at ?? 0;
    const after = goodOfDevice.find((v) => v.at >= onAt)?.at ?? Infinity;
    return { before, after, ms: after - before };
  });
  for (const s of silences.slice(0, FLAPS)) {
    expect(s.ms, 'a flap stays shorter than the rule delay').toBeLessThan(afterMs);
    expect(activations.filter((e) => e.ts > s.before && e.ts < s.after)).toEqual([]);
  }
  const long = silences[FLAPS] as { before: number; after: number; ms: number };
  expect(activations).toHaveLength(1);
  const raisedAfter = (activations[0] as AlarmEvent).ts - long.before;
  expect(raisedAfter).toBeGreaterThanOrEqual(afterMs);
  expect(raisedAfter).toBeLessThanOrEqual(afterMs + tickMs + 1000);
  expect(returns).toHaveLength(1);
  // Cleared by the first good reading itself, not by a later tick.
  expect((returns[0] as AlarmEvent).ts - long.after).toBeLessThanOrEqual(tickMs);

  // The neighbours on the same Modbus TCP gateway: only good values, at their poll rate.
  const window = { from: (outages[0] as Outage).offAt, to: flapsEnd };
  for (const neighbour of NEIGHBOURS) {
    const seen = values.filter(
      (v) => v.id.startsWith(`${neighbour}.`) && v.at >= window.from && v.at <= window.to,
    );
    expect(seen.filter((v) => v.quality !== 'good')).toEqual([]);
    const polls = seen.filter((v) => v.id === fast(neighbour)).length;
    expect(polls, `${neighbour} polls`).toBeGreaterThanOrEqual(
      Math.floor((window.to - window.from) / fastPeriodMs) - 1,
    );
  }

  // Nothing crashed: the line is up, the API answers, no rejection went unhandled.
  const line = gateway.modbus.lines().find((l) => l.id === 'dr1-meters');
  expect(line?.state).toBe('connected');
  expect((await fetch(`${gateway.web.url}/api/health`)).status).toBe(200);
  expect(setup.crashes).toEqual([]);

  // Every value published is in the store, once the gateway has stopped (flushed).
  await setup.plant.stop();
  const stored = storedSampleKeys(join(setup.plant.demo.dir, 'data', 'plantwatch.db'));
  const missing = missingFromStore(values, stored);
  expect(values.length).toBeGreaterThan(1000);
  expect(missing.count, `missing from the store: ${missing.first.join(', ')}`).toBe(0);
}, 60_000);
